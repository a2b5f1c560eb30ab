"""Import wizard: import batches (content hash), drafts and saved mappings (issue 6).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('signature', sa.String(length=64), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('updated_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_import_mapping_partnership_id_partnership'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], name=op.f('fk_import_mapping_questionnaire_id_questionnaire'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_mapping')),
    sa.UniqueConstraint('partnership_id', 'questionnaire_id', 'name', name=op.f('uq_import_mapping_partnership_id_questionnaire_id_name'))
    )
    with op.batch_alter_table('import_mapping', schema=None) as batch_op:
        batch_op.create_index('ix_import_mapping_lookup', ['partnership_id', 'questionnaire_id', 'signature'], unique=False)

    # The unique (session, content hash) refuses the same file twice, also for two confirmations
    # at the same moment: the database decides which one wins.
    op.create_table('import_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('tool', sa.String(length=50), nullable=False),
    sa.Column('imported_on', sa.Date(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('row_count > 0', name=op.f('ck_import_batch_row_count')),
    sa.ForeignKeyConstraint(['imported_by_id'], ['app_user.id'], name=op.f('fk_import_batch_imported_by_id_app_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['training_session.id'], name=op.f('fk_import_batch_session_id_training_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batch')),
    sa.UniqueConstraint('session_id', 'content_hash', name=op.f('uq_import_batch_session_id_content_hash'))
    )
    op.create_table('import_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('survey', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['training_session.id'], name=op.f('fk_import_draft_session_id_training_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_import_draft_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_draft')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('import_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_draft_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_draft_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_draft_user_id'), ['user_id'], unique=False)
    # The unique (response_id, question_id) index serves every lookup by response: a second
    # index on response_id alone only makes each answer insert (bulk imports) more expensive.
    op.drop_index('ix_answer_response_id', table_name='answer')


def downgrade() -> None:
    op.create_index('ix_answer_response_id', 'answer', ['response_id'], unique=False)
    with op.batch_alter_table('import_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_draft_user_id'))
        batch_op.drop_index(batch_op.f('ix_import_draft_session_id'))
        batch_op.drop_index(batch_op.f('ix_import_draft_created_at'))

    op.drop_table('import_draft')
    op.drop_table('import_batch')
    with op.batch_alter_table('import_mapping', schema=None) as batch_op:
        batch_op.drop_index('ix_import_mapping_lookup')

    op.drop_table('import_mapping')
