"""The rollup of answers per training and school year (issue 12), filled from the tally; an index
that finds the small groups of the tally.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('answer_rollup',
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('school_year', sa.Integer(), nullable=False),
    sa.Column('audience', sa.Enum('trainer', 'participant', name='audience', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.CheckConstraint('answers >= 0', name=op.f('ck_answer_rollup_answers')),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_answer_rollup_partnership_id_partnership'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_answer_rollup_question_id_question')),
    sa.ForeignKeyConstraint(['training_id'], ['training.id'], name=op.f('fk_answer_rollup_training_id_training'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('partnership_id', 'training_id', 'school_year', 'audience', 'question_id', 'value', name=op.f('pk_answer_rollup'))
    )
    op.create_index(op.f('ix_answer_rollup_question_id'), 'answer_rollup', ['question_id'], unique=False)
    op.create_index('ix_response_tally_safeguard_audience_responses', 'response_tally', ['safeguard', 'audience', 'responses'], unique=False)
    # Every session that is not cancelled, as evaluaties.results.tally.rebuild counts it.
    op.execute(
        "INSERT INTO answer_rollup (partnership_id, training_id, school_year, audience, question_id, value, answers) "
        "SELECT t.partnership_id, s.training_id, s.school_year, a.audience, a.question_id, a.value, sum(a.answers) "
        "FROM answer_tally a JOIN training_session s ON s.id = a.session_id JOIN training t ON t.id = s.training_id "
        "WHERE s.cancelled_at IS NULL "
        "GROUP BY t.partnership_id, s.training_id, s.school_year, a.audience, a.question_id, a.value"
    )


def downgrade() -> None:
    op.drop_index('ix_response_tally_safeguard_audience_responses', table_name='response_tally')
    op.drop_index(op.f('ix_answer_rollup_question_id'), table_name='answer_rollup')
    op.drop_table('answer_rollup')
