"""Review cycles, reminders and the scheduler (issue 10): the partnership calendar, review cycles
with goals and improvement actions, the partnership cycle with its summaries per safeguard, good
practices; the outbox, user preferences (digest, calendar feed) and the scheduler's lock for
SQLite. New tables only.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scheduler_lock',
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_lock'))
    )
    op.create_table('cycle_calendar',
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('opens_on', sa.String(length=5), nullable=True),
    sa.Column('plan_due', sa.String(length=5), nullable=True),
    sa.Column('check_due', sa.String(length=5), nullable=True),
    sa.Column('act_due', sa.String(length=5), nullable=True),
    sa.Column('peer_review_years', sa.Integer(), nullable=True),
    sa.Column('last_peer_review', sa.Date(), nullable=True),
    sa.CheckConstraint('peer_review_years BETWEEN 1 AND 12', name=op.f('ck_cycle_calendar_peer_review_years')),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_cycle_calendar_partnership_id_partnership'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('partnership_id', name=op.f('pk_cycle_calendar'))
    )
    op.create_table('partnership_cycle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('school_year', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('school_year BETWEEN 1900 AND 2200', name=op.f('ck_partnership_cycle_school_year')),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_partnership_cycle_partnership_id_partnership')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partnership_cycle')),
    sa.UniqueConstraint('partnership_id', 'school_year', name=op.f('uq_partnership_cycle_partnership_id_school_year'))
    )
    with op.batch_alter_table('partnership_cycle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partnership_cycle_partnership_id'), ['partnership_id'], unique=False)

    op.create_table('safeguard_summary',
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('safeguard_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.CheckConstraint('length(text) <= 10000', name=op.f('ck_safeguard_summary_text_length')),
    sa.ForeignKeyConstraint(['cycle_id'], ['partnership_cycle.id'], name=op.f('fk_safeguard_summary_cycle_id_partnership_cycle'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['safeguard_id'], ['safeguard.id'], name=op.f('fk_safeguard_summary_safeguard_id_safeguard')),
    sa.PrimaryKeyConstraint('cycle_id', 'safeguard_id', name=op.f('pk_safeguard_summary'))
    )
    op.create_table('good_practice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=True),
    sa.Column('safeguard_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(text) <= 5000', name=op.f('ck_good_practice_text_length')),
    sa.CheckConstraint('length(trim(title)) > 0', name=op.f('ck_good_practice_title')),
    sa.ForeignKeyConstraint(['author_id'], ['app_user.id'], name=op.f('fk_good_practice_author_id_app_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_good_practice_partnership_id_partnership')),
    sa.ForeignKeyConstraint(['safeguard_id'], ['safeguard.id'], name=op.f('fk_good_practice_safeguard_id_safeguard')),
    sa.ForeignKeyConstraint(['training_id'], ['training.id'], name=op.f('fk_good_practice_training_id_training')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_good_practice'))
    )
    with op.batch_alter_table('good_practice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_good_practice_partnership_id'), ['partnership_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_good_practice_safeguard_id'), ['safeguard_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_good_practice_training_id'), ['training_id'], unique=False)

    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('in_digest', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_outbox_message_attempts')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_outbox_message_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('key', name=op.f('uq_outbox_message_key'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_message_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_sent_at'), ['sent_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_user_id'), ['user_id'], unique=False)

    op.create_table('review_cycle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('school_year', sa.Integer(), nullable=False),
    sa.Column('plan_due', sa.Date(), nullable=False),
    sa.Column('check_due', sa.Date(), nullable=False),
    sa.Column('act_due', sa.Date(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('plan_text', sa.Text(), nullable=False),
    sa.Column('analysis_right_things', sa.Text(), nullable=False),
    sa.Column('analysis_things_right', sa.Text(), nullable=False),
    sa.Column('analysis_how_we_know', sa.Text(), nullable=False),
    sa.Column('analysis_others_agree', sa.Text(), nullable=False),
    sa.Column('plan_done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('check_done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('act_done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(analysis_how_we_know) <= 10000', name=op.f('ck_review_cycle_analysis_how_we_know_length')),
    sa.CheckConstraint('length(analysis_others_agree) <= 10000', name=op.f('ck_review_cycle_analysis_others_agree_length')),
    sa.CheckConstraint('length(analysis_right_things) <= 10000', name=op.f('ck_review_cycle_analysis_right_things_length')),
    sa.CheckConstraint('length(analysis_things_right) <= 10000', name=op.f('ck_review_cycle_analysis_things_right_length')),
    sa.CheckConstraint('length(plan_text) <= 10000', name=op.f('ck_review_cycle_plan_text_length')),
    sa.CheckConstraint('school_year BETWEEN 1900 AND 2200', name=op.f('ck_review_cycle_school_year')),
    sa.ForeignKeyConstraint(['owner_id'], ['app_user.id'], name=op.f('fk_review_cycle_owner_id_app_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['training_id'], ['training.id'], name=op.f('fk_review_cycle_training_id_training')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_cycle')),
    sa.UniqueConstraint('training_id', 'school_year', name=op.f('uq_review_cycle_training_id_school_year'))
    )
    with op.batch_alter_table('review_cycle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_cycle_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_cycle_school_year'), ['school_year'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_cycle_training_id'), ['training_id'], unique=False)

    op.create_table('user_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('weekly_digest', sa.Boolean(), nullable=False),
    sa.Column('calendar_token_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_user_preferences_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_user_preferences')),
    sa.UniqueConstraint('calendar_token_hash', name=op.f('uq_user_preferences_calendar_token_hash'))
    )
    op.create_table('cycle_goal',
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('safeguard_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.CheckConstraint('length(text) <= 10000', name=op.f('ck_cycle_goal_text_length')),
    sa.ForeignKeyConstraint(['cycle_id'], ['review_cycle.id'], name=op.f('fk_cycle_goal_cycle_id_review_cycle'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['safeguard_id'], ['safeguard.id'], name=op.f('fk_cycle_goal_safeguard_id_safeguard')),
    sa.PrimaryKeyConstraint('cycle_id', 'safeguard_id', name=op.f('pk_cycle_goal'))
    )
    op.create_table('improvement_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('finding', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('safeguard_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('open', 'bezig', 'afgerond', 'vervallen', name='action_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(description) <= 2000', name=op.f('ck_improvement_action_description_length')),
    sa.CheckConstraint('length(finding) <= 2000', name=op.f('ck_improvement_action_finding_length')),
    sa.CheckConstraint('length(trim(description)) > 0', name=op.f('ck_improvement_action_description')),
    sa.ForeignKeyConstraint(['cycle_id'], ['review_cycle.id'], name=op.f('fk_improvement_action_cycle_id_review_cycle'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['app_user.id'], name=op.f('fk_improvement_action_owner_id_app_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['safeguard_id'], ['safeguard.id'], name=op.f('fk_improvement_action_safeguard_id_safeguard')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_improvement_action'))
    )
    with op.batch_alter_table('improvement_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_improvement_action_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_improvement_action_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_improvement_action_owner_id'), ['owner_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('improvement_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_improvement_action_owner_id'))
        batch_op.drop_index(batch_op.f('ix_improvement_action_due_on'))
        batch_op.drop_index(batch_op.f('ix_improvement_action_cycle_id'))

    op.drop_table('improvement_action')
    op.drop_table('cycle_goal')
    op.drop_table('user_preferences')
    with op.batch_alter_table('review_cycle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_cycle_training_id'))
        batch_op.drop_index(batch_op.f('ix_review_cycle_school_year'))
        batch_op.drop_index(batch_op.f('ix_review_cycle_owner_id'))

    op.drop_table('review_cycle')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_user_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_message_sent_at'))
        batch_op.drop_index(batch_op.f('ix_outbox_message_kind'))

    op.drop_table('outbox_message')
    with op.batch_alter_table('good_practice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_good_practice_training_id'))
        batch_op.drop_index(batch_op.f('ix_good_practice_safeguard_id'))
        batch_op.drop_index(batch_op.f('ix_good_practice_partnership_id'))

    op.drop_table('good_practice')
    op.drop_table('safeguard_summary')
    with op.batch_alter_table('partnership_cycle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partnership_cycle_partnership_id'))

    op.drop_table('partnership_cycle')
    op.drop_table('cycle_calendar')
    op.drop_table('scheduler_lock')
