from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kwaliteit import limits
from kwaliteit.db import Base
from kwaliteit.models_base import Timestamp, str_enum, utcnow
from kwaliteit.registry.models import Organisation, Partnership, Person
from kwaliteit.trainings.models import Training, TrainingKind, TrainingSession

# Bounds of the register policy; the CHECK constraints and the form use the same numbers.
VALIDITY_YEARS_RANGE = (0, 50)  # 0: no end date
REFRESH_YEARS_RANGE = (1, 50)
EXPIRING_DAYS_RANGE = (0, 730)
RETENTION_YEARS_RANGE = (1, 50)
MAX_STUDENTS = 50  # student teachers of one kind one mentor guides in one school year


class QualificationRule(enum.Enum):
    """Whether a mentor training may be given by a trainer without a valid qualification."""

    ADVISED = "geadviseerd"
    REQUIRED = "verplicht"

    @property
    def label(self) -> str:
        return {
            "geadviseerd": "Geadviseerd: waarschuwen bij een trainer zonder geldige registratie",
            "verplicht": "Verplicht: een trainer zonder geldige registratie kan de bijeenkomst niet geven",
        }[self.value]


class RegisterPolicy(Base):
    """A partnership's register policy. No row, or an empty column, means the application's
    default (certification.policy.DEFAULTS)."""

    __tablename__ = "register_policy"
    __table_args__ = (
        CheckConstraint(
            "qualification_years BETWEEN {} AND {}".format(*VALIDITY_YEARS_RANGE), name="qualification_years"
        ),
        CheckConstraint(
            "certificate_years BETWEEN {} AND {}".format(*VALIDITY_YEARS_RANGE), name="certificate_years"
        ),
        CheckConstraint("refresh_years BETWEEN {} AND {}".format(*REFRESH_YEARS_RANGE), name="refresh_years"),
        CheckConstraint("expiring_days BETWEEN {} AND {}".format(*EXPIRING_DAYS_RANGE), name="expiring_days"),
        CheckConstraint(
            "retention_years BETWEEN {} AND {}".format(*RETENTION_YEARS_RANGE), name="retention_years"
        ),
    )

    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), primary_key=True
    )
    qualification_years: Mapped[int | None] = mapped_column(Integer)
    qualification_rule: Mapped[QualificationRule | None] = mapped_column(
        str_enum(QualificationRule, "qualification_rule")
    )
    certificate_years: Mapped[int | None] = mapped_column(Integer)
    refresh_years: Mapped[int | None] = mapped_column(Integer)
    expiring_days: Mapped[int | None] = mapped_column(Integer)
    retention_years: Mapped[int | None] = mapped_column(Integer)

    partnership: Mapped[Partnership] = relationship()


class TrainerQualification(Base):
    """Registratie train-de-trainer: a completed train-the-trainer training, given in kwaliteit
    (a Training of kind train-de-trainer) or elsewhere (by name)."""

    __tablename__ = "trainer_qualification"
    __table_args__ = (
        CheckConstraint(
            "training_id IS NOT NULL OR length(trim(external_name)) > 0", name="training_or_name"
        ),
        CheckConstraint("valid_until IS NULL OR valid_until >= completed_on", name="valid_after_completed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    training_id: Mapped[int | None] = mapped_column(ForeignKey("training.id"), index=True)
    external_name: Mapped[str | None] = mapped_column(String(limits.TITLE))
    completed_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)  # None: no end date
    number: Mapped[str | None] = mapped_column(String(limits.CERTIFICATE_NUMBER))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    person: Mapped[Person] = relationship()
    training: Mapped[Training | None] = relationship()

    @property
    def name(self) -> str:
        return self.training.title if self.training is not None else (self.external_name or "")


class ProfessionalRegistration(Base):
    """A trainer's registration in a professional register, such as the BRLO
    (Beroepsregister Lerarenopleiders), with its own validity."""

    __tablename__ = "professional_registration"
    __table_args__ = (
        CheckConstraint("length(trim(register)) > 0", name="register"),
        CheckConstraint("valid_until IS NULL OR valid_until >= registered_on", name="valid_after_registered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    register: Mapped[str] = mapped_column(String(limits.NAME))
    number: Mapped[str | None] = mapped_column(String(limits.CERTIFICATE_NUMBER))
    registered_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    person: Mapped[Person] = relationship()


# The kinds of training a mentor certificate is for; train-de-trainer gives a qualification.
CERTIFICATE_KINDS = (TrainingKind.BASIC, TrainingKind.ADVANCED, TrainingKind.REFRESHER)
# The kinds that keep a mentor's path up to date after the basic training.
REFRESH_KINDS = (TrainingKind.ADVANCED, TrainingKind.REFRESHER)


class Issuer(enum.Enum):
    BOARD = "bestuur"
    INSTITUTE = "opleidingsinstituut"
    JOINT = "gezamenlijk"

    @property
    def label(self) -> str:
        return {
            "bestuur": "Bestuur",
            "opleidingsinstituut": "Opleidingsinstituut",
            "gezamenlijk": "Bestuur en opleidingsinstituut samen",
        }[self.value]


class Certificate(Base):
    """Certificaat of a mentor: which kind of training, when, issued by whom, valid until."""

    __tablename__ = "certificate"
    __table_args__ = (
        CheckConstraint("valid_until IS NULL OR valid_until >= issued_on", name="valid_after_issued"),
        CheckConstraint(
            "kind IN ({})".format(", ".join(f"'{k.value}'" for k in CERTIFICATE_KINDS)), name="mentor_kind"
        ),
        # Issuing the attendees of a session twice gives nobody a second certificate.
        UniqueConstraint("session_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[TrainingKind] = mapped_column(str_enum(TrainingKind, "certificate_kind"))
    training_id: Mapped[int | None] = mapped_column(ForeignKey("training.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("training_session.id"))
    issued_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)  # None: no end date
    number: Mapped[str] = mapped_column(String(limits.CERTIFICATE_NUMBER))
    issued_by: Mapped[Issuer] = mapped_column(str_enum(Issuer, "certificate_issuer"))
    board_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    institute_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    person: Mapped[Person] = relationship()
    partnership: Mapped[Partnership] = relationship()
    training: Mapped[Training | None] = relationship()
    session: Mapped[TrainingSession | None] = relationship()
    board: Mapped[Organisation | None] = relationship(foreign_keys=[board_id])
    institute: Mapped[Organisation | None] = relationship(foreign_keys=[institute_id])


# A certificate number is unique in its partnership whatever its case, in the database.
CERTIFICATE_NUMBER_INDEX = "uq_certificate_partnership_number_lower"
Index(CERTIFICATE_NUMBER_INDEX, Certificate.partnership_id, func.lower(Certificate.number), unique=True)
Index("ix_certificate_person_kind_issued", Certificate.person_id, Certificate.kind, Certificate.issued_on)


class Attendance(Base):
    """Who attended a session (recorded by a coordinator)."""

    __tablename__ = "attendance"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_session.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    person: Mapped[Person] = relationship()
    session: Mapped[TrainingSession] = relationship()


class StudentKind(enum.Enum):
    FIRST_YEAR = "eerstejaars"
    SENIOR = "ouderejaars"
    SIDE_ENTRANT = "zij-instromer"
    GRADUATE = "afstudeerder"
    STARTING_TEACHER = "startende leraar"
    OTHER = "anders"

    @property
    def label(self) -> str:
        return {
            "eerstejaars": "Eerstejaars student",
            "ouderejaars": "Ouderejaars student",
            "zij-instromer": "Zij-instromer",
            "afstudeerder": "Afstudeerder (LIO)",
            "startende leraar": "Startende leraar (inductie)",
            "anders": "Anders",
        }[self.value]


class Mentorship(Base):
    """A mentor guides student teachers of a kind at a school in a school year (the starting
    calendar year of 1 August – 31 July). No student's name is kept: only how many."""

    __tablename__ = "mentorship"
    __table_args__ = (
        CheckConstraint(f"students BETWEEN 1 AND {MAX_STUDENTS}", name="students"),
        CheckConstraint("school_year BETWEEN 1900 AND 2200", name="school_year"),
        UniqueConstraint("person_id", "school_id", "school_year", "student_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    school_year: Mapped[int] = mapped_column(Integer, index=True)
    student_kind: Mapped[StudentKind] = mapped_column(str_enum(StudentKind, "student_kind"))
    students: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    person: Mapped[Person] = relationship()
    school: Mapped[Organisation] = relationship()
