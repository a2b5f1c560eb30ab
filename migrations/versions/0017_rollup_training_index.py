"""The rollup's rows of one training found by an index (issue 12): for a reader of every
partnership the key, which leads with the partnership, did not serve.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08
"""
from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_answer_rollup_training_id_school_year', 'answer_rollup', ['training_id', 'school_year'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_answer_rollup_training_id_school_year', table_name='answer_rollup')
