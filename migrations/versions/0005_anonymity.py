"""Anonymity: a response stores no moment of submission (issue 6).

A participant's response carries no time: the session's date says the school year, and a time
(even a day) would let a coordinator who saw a link being used point at its answer. A trainer's
evaluation keeps its moment in evaluation_request.submitted_at.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_column('submitted_on')


def downgrade() -> None:
    # The moment is gone: the session's date is the closest honest value.
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_on', sa.Date(), nullable=True))
    op.execute(
        "UPDATE response SET submitted_on = "
        "(SELECT training_session.date FROM training_session WHERE training_session.id = response.session_id)"
    )
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.alter_column('submitted_on', existing_type=sa.Date(), nullable=False)
