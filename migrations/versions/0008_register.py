"""The register of trainers and mentors (issue 9): register policy, trainer qualifications,
professional registrations, mentor certificates, attendance, mentorships; and a person's
anonymisation date.

Person gains a nullable column by a plain ADD COLUMN (no SQLite batch copy, which would drop the
expression index on the lowered e-mail that 0003 makes). The CHECK bounds are literals: a
migration is history.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

TRAINING_KINDS = ('basistraining', 'verdiepingstraining', 'opfrisbijeenkomst', 'train-de-trainer')


def _enum(name, values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.add_column('person', sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'register_policy',
        sa.Column('partnership_id', sa.Integer(), nullable=False),
        sa.Column('qualification_years', sa.Integer(), nullable=True),
        sa.Column('qualification_rule', _enum('qualification_rule', ('geadviseerd', 'verplicht')), nullable=True),
        sa.Column('certificate_years', sa.Integer(), nullable=True),
        sa.Column('refresh_years', sa.Integer(), nullable=True),
        sa.Column('expiring_days', sa.Integer(), nullable=True),
        sa.Column('retention_years', sa.Integer(), nullable=True),
        sa.CheckConstraint('qualification_years BETWEEN 0 AND 50', name=op.f('ck_register_policy_qualification_years')),
        sa.CheckConstraint('certificate_years BETWEEN 0 AND 50', name=op.f('ck_register_policy_certificate_years')),
        sa.CheckConstraint('refresh_years BETWEEN 1 AND 50', name=op.f('ck_register_policy_refresh_years')),
        sa.CheckConstraint('expiring_days BETWEEN 0 AND 730', name=op.f('ck_register_policy_expiring_days')),
        sa.CheckConstraint('retention_years BETWEEN 1 AND 50', name=op.f('ck_register_policy_retention_years')),
        sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'],
                                name=op.f('fk_register_policy_partnership_id_partnership'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('partnership_id', name=op.f('pk_register_policy')),
    )
    op.create_table(
        'trainer_qualification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('training_id', sa.Integer(), nullable=True),
        sa.Column('external_name', sa.String(length=200), nullable=True),
        sa.Column('completed_on', sa.Date(), nullable=False),
        sa.Column('valid_until', sa.Date(), nullable=True),
        sa.Column('number', sa.String(length=50), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('training_id IS NOT NULL OR length(trim(external_name)) > 0',
                           name=op.f('ck_trainer_qualification_training_or_name')),
        sa.CheckConstraint('valid_until IS NULL OR valid_until >= completed_on',
                           name=op.f('ck_trainer_qualification_valid_after_completed')),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'],
                                name=op.f('fk_trainer_qualification_person_id_person'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['training_id'], ['training.id'],
                                name=op.f('fk_trainer_qualification_training_id_training')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_trainer_qualification')),
    )
    op.create_index(op.f('ix_trainer_qualification_person_id'), 'trainer_qualification', ['person_id'])
    op.create_index(op.f('ix_trainer_qualification_training_id'), 'trainer_qualification', ['training_id'])
    op.create_table(
        'professional_registration',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('register', sa.String(length=200), nullable=False),
        sa.Column('number', sa.String(length=50), nullable=True),
        sa.Column('registered_on', sa.Date(), nullable=False),
        sa.Column('valid_until', sa.Date(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('length(trim(register)) > 0', name=op.f('ck_professional_registration_register')),
        sa.CheckConstraint('valid_until IS NULL OR valid_until >= registered_on',
                           name=op.f('ck_professional_registration_valid_after_registered')),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'],
                                name=op.f('fk_professional_registration_person_id_person'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_professional_registration')),
    )
    op.create_index(op.f('ix_professional_registration_person_id'), 'professional_registration', ['person_id'])
    op.create_table(
        'certificate',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('partnership_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('kind', _enum('certificate_kind', TRAINING_KINDS), nullable=False),
        sa.Column('training_id', sa.Integer(), nullable=True),
        sa.Column('session_id', sa.Integer(), nullable=True),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.Column('valid_until', sa.Date(), nullable=True),
        sa.Column('number', sa.String(length=50), nullable=False),
        sa.Column('issued_by', _enum('certificate_issuer', ('bestuur', 'opleidingsinstituut', 'gezamenlijk')),
                  nullable=False),
        sa.Column('board_id', sa.Integer(), nullable=True),
        sa.Column('institute_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('basistraining', 'verdiepingstraining', 'opfrisbijeenkomst')",
                           name=op.f('ck_certificate_mentor_kind')),
        sa.CheckConstraint('valid_until IS NULL OR valid_until >= issued_on',
                           name=op.f('ck_certificate_valid_after_issued')),
        sa.ForeignKeyConstraint(['board_id'], ['organisation.id'], name=op.f('fk_certificate_board_id_organisation')),
        sa.ForeignKeyConstraint(['institute_id'], ['organisation.id'],
                                name=op.f('fk_certificate_institute_id_organisation')),
        sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'],
                                name=op.f('fk_certificate_partnership_id_partnership')),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_certificate_person_id_person'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['training_session.id'],
                                name=op.f('fk_certificate_session_id_training_session')),
        sa.ForeignKeyConstraint(['training_id'], ['training.id'], name=op.f('fk_certificate_training_id_training')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
        sa.UniqueConstraint('session_id', 'person_id', name=op.f('uq_certificate_session_id_person_id')),
    )
    op.create_index(op.f('ix_certificate_partnership_id'), 'certificate', ['partnership_id'])
    op.create_index(op.f('ix_certificate_person_id'), 'certificate', ['person_id'])
    op.create_index(op.f('ix_certificate_training_id'), 'certificate', ['training_id'])
    op.create_index('ix_certificate_person_kind_issued', 'certificate', ['person_id', 'kind', 'issued_on'])
    op.create_index('uq_certificate_partnership_number_lower', 'certificate',
                    ['partnership_id', sa.text('lower(number)')], unique=True)
    op.create_table(
        'attendance',
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_attendance_person_id_person'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['training_session.id'],
                                name=op.f('fk_attendance_session_id_training_session'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('session_id', 'person_id', name=op.f('pk_attendance')),
    )
    op.create_index(op.f('ix_attendance_person_id'), 'attendance', ['person_id'])
    op.create_table(
        'mentorship',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('school_year', sa.Integer(), nullable=False),
        sa.Column('student_kind', _enum('student_kind', ('eerstejaars', 'ouderejaars', 'zij-instromer',
                                                         'afstudeerder', 'startende leraar', 'anders')),
                  nullable=False),
        sa.Column('students', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('school_year BETWEEN 1900 AND 2200', name=op.f('ck_mentorship_school_year')),
        sa.CheckConstraint('students BETWEEN 1 AND 50', name=op.f('ck_mentorship_students')),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_mentorship_person_id_person'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['school_id'], ['organisation.id'], name=op.f('fk_mentorship_school_id_organisation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mentorship')),
        sa.UniqueConstraint('person_id', 'school_id', 'school_year', 'student_kind',
                            name=op.f('uq_mentorship_person_id_school_id_school_year_student_kind')),
    )
    op.create_index(op.f('ix_mentorship_person_id'), 'mentorship', ['person_id'])
    op.create_index(op.f('ix_mentorship_school_id'), 'mentorship', ['school_id'])
    op.create_index(op.f('ix_mentorship_school_year'), 'mentorship', ['school_year'])


def downgrade() -> None:
    op.drop_table('mentorship')
    op.drop_table('attendance')
    op.drop_index('uq_certificate_partnership_number_lower', table_name='certificate')
    op.drop_table('certificate')
    op.drop_table('professional_registration')
    op.drop_table('trainer_qualification')
    op.drop_table('register_policy')
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy would drop the e-mail's expression index.
    op.execute('ALTER TABLE person DROP COLUMN anonymised_at')
