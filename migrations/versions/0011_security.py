"""Log-in abuse, sessions and passwords (issue 11): the throttle counters, the session version and
two-step log-in of an account with its recovery codes, and the purpose of a password link
(invitation or reset). Existing links are invitations; existing sessions end once (their identity
lacks the session version).

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('throttle',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('hits >= 0', name=op.f('ck_throttle_hits')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_throttle'))
    )
    op.create_table('recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_recovery_code_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code')),
    sa.UniqueConstraint('user_id', 'code_hash', name=op.f('uq_recovery_code_user_id_code_hash'))
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_user_id'), ['user_id'], unique=False)

    # recreate="never": plain ALTER TABLE ADD/DROP COLUMN (SQLite 3.35+), so the copy of batch mode
    # cannot drop 0003's expression index on lower(email).
    with op.batch_alter_table('app_user', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=32), server_default='invitation', nullable=False))
        batch_op.create_check_constraint(op.f('ck_invitation_link_purpose'), "purpose IN ('invitation', 'reset')")


def downgrade() -> None:
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_invitation_link_purpose'), type_='check')
        batch_op.drop_column('purpose')

    with op.batch_alter_table('app_user', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_secret')
        batch_op.drop_column('session_version')

    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_code_user_id'))

    op.drop_table('recovery_code')
    op.drop_table('throttle')
