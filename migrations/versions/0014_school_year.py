"""The school year stored on a session, and the indexes of scoped response rates (issue 12).

training_session.school_year (the starting calendar year, 1 August - 31 July) is filled from the
date; (training_id, school_year) replaces the index on training_id alone, (session_id, kind)
the one on participant_link.session_id: each keeps the column it replaces first.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def _backfill() -> None:
    # kwaliteit.sqldates.school_year_of in SQL: CAST(strftime(..)) on SQLite, EXTRACT elsewhere.
    if op.get_bind().dialect.name == "sqlite":
        year = "CAST(strftime('%Y', date) AS INTEGER)"
        month = "CAST(strftime('%m', date) AS INTEGER)"
    else:
        year = "CAST(EXTRACT(YEAR FROM date) AS INTEGER)"
        month = "CAST(EXTRACT(MONTH FROM date) AS INTEGER)"
    op.execute(f"UPDATE training_session SET school_year = CASE WHEN {month} >= 8 THEN {year} ELSE {year} - 1 END")


def upgrade() -> None:
    with op.batch_alter_table('training_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('school_year', sa.Integer(), nullable=True))
    _backfill()
    with op.batch_alter_table('training_session', schema=None) as batch_op:
        batch_op.alter_column('school_year', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index(batch_op.f('ix_training_session_training_id'))
        batch_op.create_index('ix_training_session_training_id_school_year', ['training_id', 'school_year'], unique=False)
    with op.batch_alter_table('participant_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participant_link_session_id'))
        batch_op.create_index('ix_participant_link_session_id_kind', ['session_id', 'kind'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('participant_link', schema=None) as batch_op:
        batch_op.drop_index('ix_participant_link_session_id_kind')
        batch_op.create_index(batch_op.f('ix_participant_link_session_id'), ['session_id'], unique=False)
    with op.batch_alter_table('training_session', schema=None) as batch_op:
        batch_op.drop_index('ix_training_session_training_id_school_year')
        batch_op.create_index(batch_op.f('ix_training_session_training_id'), ['training_id'], unique=False)
        batch_op.drop_column('school_year')
