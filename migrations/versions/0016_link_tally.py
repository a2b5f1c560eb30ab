"""Participant links counted per session (issue 12): response rates read one row per session.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('link_tally',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('links', sa.Integer(), nullable=False),
    sa.Column('single', sa.Integer(), nullable=False),
    sa.CheckConstraint('links >= 0', name=op.f('ck_link_tally_links')),
    sa.CheckConstraint('single >= 0 AND single <= links', name=op.f('ck_link_tally_single')),
    sa.ForeignKeyConstraint(['session_id'], ['training_session.id'], name=op.f('fk_link_tally_session_id_training_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', name=op.f('pk_link_tally'))
    )
    # The links made so far, as evaluaties.results.tally.rebuild counts them.
    op.execute(
        "INSERT INTO link_tally (session_id, links, single) "
        "SELECT session_id, count(*), sum(CASE WHEN kind = 'single' THEN 1 ELSE 0 END) "
        "FROM participant_link GROUP BY session_id"
    )


def downgrade() -> None:
    op.drop_table('link_tally')
