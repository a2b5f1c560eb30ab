"""Audit log (issue 11): one row per audited event, who, what and when, never a value.

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-20
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.Enum('user', 'visitor', 'scheduler', 'cli', 'system', name='audit_actor', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.Enum('created', 'changed', 'deleted', 'imported', 'exported', 'waived', 'unwaived', 'locked', 'unlocked', 'anonymised', name='audit_action', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_key', sa.String(length=40), nullable=True),
    sa.Column('summary', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_audit_entry_partnership_id_partnership'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_audit_entry_user_id_app_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entry_partnership_at', ['partnership_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_user_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_at'))
        batch_op.drop_index('ix_audit_entry_partnership_at')

    op.drop_table('audit_entry')
