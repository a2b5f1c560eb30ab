"""Administration in the app: partnership settings and invitations (issue 8).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23

Two new tables only: no existing table is altered, so no SQLite batch copy can drop the
expression indexes that 0003 makes. The CHECK bounds are literals: a migration is history.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'partnership_settings',
        sa.Column('partnership_id', sa.Integer(), nullable=False),
        sa.Column('min_answers_shown', sa.Integer(), nullable=True),
        sa.Column('trainer_due_days', sa.Integer(), nullable=True),
        sa.Column('participant_window_days', sa.Integer(), nullable=True),
        sa.CheckConstraint('min_answers_shown BETWEEN 1 AND 100',
                           name=op.f('ck_partnership_settings_min_answers_shown')),
        sa.CheckConstraint('participant_window_days BETWEEN 1 AND 365',
                           name=op.f('ck_partnership_settings_participant_window_days')),
        sa.CheckConstraint('trainer_due_days BETWEEN 0 AND 365',
                           name=op.f('ck_partnership_settings_trainer_due_days')),
        sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'],
                                name=op.f('fk_partnership_settings_partnership_id_partnership'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('partnership_id', name=op.f('pk_partnership_settings')),
    )
    op.create_table(
        'invitation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'],
                                name=op.f('fk_invitation_created_by_id_app_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'],
                                name=op.f('fk_invitation_user_id_app_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_invitation_token_hash')),
    )
    op.create_index(op.f('ix_invitation_user_id'), 'invitation', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_invitation_user_id'), table_name='invitation')
    op.drop_table('invitation')
    op.drop_table('partnership_settings')
