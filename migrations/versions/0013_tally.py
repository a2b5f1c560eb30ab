"""The tally (issue 12): answers and responses counted ahead, filled from the answers given so far.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def _source():
    return sa.Enum('link', 'import', 'trainer', name='response_source', native_enum=False, create_constraint=True, length=32)


def _audience():
    return sa.Enum('trainer', 'participant', name='audience', native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table('response_tally',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('source', _source(), nullable=False),
    sa.Column('safeguard', sa.String(length=20), nullable=False),
    sa.Column('audience', _audience(), nullable=False),
    sa.Column('responses', sa.Integer(), nullable=False),
    sa.CheckConstraint('responses >= 0', name=op.f('ck_response_tally_responses')),
    sa.ForeignKeyConstraint(['session_id'], ['training_session.id'], name=op.f('fk_response_tally_session_id_training_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['questionnaire_version.id'], name=op.f('fk_response_tally_version_id_questionnaire_version')),
    sa.PrimaryKeyConstraint('session_id', 'version_id', 'source', 'safeguard', name=op.f('pk_response_tally'))
    )
    op.create_table('answer_tally',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('source', _source(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('audience', _audience(), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.CheckConstraint('answers >= 0', name=op.f('ck_answer_tally_answers')),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_answer_tally_question_id_question')),
    sa.ForeignKeyConstraint(['session_id'], ['training_session.id'], name=op.f('fk_answer_tally_session_id_training_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['questionnaire_version.id'], name=op.f('fk_answer_tally_version_id_questionnaire_version')),
    sa.PrimaryKeyConstraint('session_id', 'version_id', 'source', 'question_id', 'value', name=op.f('pk_answer_tally'))
    )
    op.create_index(op.f('ix_answer_tally_question_id'), 'answer_tally', ['question_id'], unique=False)
    # The answers given so far, as evaluaties.results.tally.rebuild counts them.
    op.execute(
        "INSERT INTO answer_tally (session_id, version_id, source, question_id, value, audience, answers) "
        "SELECT r.session_id, r.version_id, r.source, a.question_id, COALESCE(a.value_int, -1), r.audience, count(*) "
        "FROM answer a JOIN response r ON r.id = a.response_id "
        "GROUP BY r.session_id, r.version_id, r.source, a.question_id, COALESCE(a.value_int, -1), r.audience"
    )
    op.execute(
        "INSERT INTO response_tally (session_id, version_id, source, safeguard, audience, responses) "
        "SELECT r.session_id, r.version_id, r.source, '', r.audience, count(*) FROM response r "
        "GROUP BY r.session_id, r.version_id, r.source, r.audience"
    )
    op.execute(
        "INSERT INTO response_tally (session_id, version_id, source, safeguard, audience, responses) "
        "SELECT r.session_id, r.version_id, r.source, q.safeguard_code, r.audience, count(DISTINCT r.id) "
        "FROM response r JOIN answer a ON a.response_id = r.id JOIN question q ON q.id = a.question_id "
        "WHERE q.safeguard_code IS NOT NULL "
        "GROUP BY r.session_id, r.version_id, r.source, q.safeguard_code, r.audience"
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_answer_tally_question_id'), table_name='answer_tally')
    op.drop_table('answer_tally')
    op.drop_table('response_tally')
