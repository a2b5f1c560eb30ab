from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, func
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from kwaliteit import limits
from kwaliteit.db import Base
from kwaliteit.models_base import Timestamp, str_enum, utcnow


class Partnership(Base):
    """Partnerschap Samen Opleiden: the unit of scope for all data."""

    __tablename__ = "partnership"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(limits.NAME))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    organisations: Mapped[list[Organisation]] = relationship(
        back_populates="partnership", order_by="Organisation.name"
    )
    if TYPE_CHECKING:
        # Made by the backref of PartnershipSettings.partnership.
        settings: PartnershipSettings | None

    def __str__(self) -> str:
        return self.name


# Names and addresses are unique whatever their case, enforced by the database (a unique index on
# the lowered value), so two people typing "Noord" and "NOORD" at the same moment cannot both win.
PARTNERSHIP_NAME_INDEX = "uq_partnership_name_lower"
Index(PARTNERSHIP_NAME_INDEX, func.lower(Partnership.name), unique=True)


class OrganisationKind(enum.Enum):
    BOARD = "bestuur"
    SCHOOL = "school"
    INSTITUTE = "opleidingsinstituut"

    @property
    def label(self) -> str:
        return {"bestuur": "Bestuur", "school": "School", "opleidingsinstituut": "Opleidingsinstituut"}[
            self.value
        ]


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    name: Mapped[str] = mapped_column(String(limits.NAME))
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind, "organisation_kind"))
    # A school belongs to a board (bestuur); boards and institutes have no parent.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)

    partnership: Mapped[Partnership] = relationship(back_populates="organisations")
    parent: Mapped[Organisation | None] = relationship(remote_side=[id])

    def __str__(self) -> str:
        return self.name


ORGANISATION_NAME_INDEX = "uq_organisation_partnership_name_lower"
Index(
    ORGANISATION_NAME_INDEX,
    Organisation.partnership_id,
    func.lower(Organisation.name),
    unique=True,
)


class PersonRole(enum.Enum):
    SCHOOL_EDUCATOR = "schoolopleider"
    INSTITUTE_EDUCATOR = "instituutsopleider"
    MENTOR = "mentor"

    @property
    def label(self) -> str:
        return {
            "schoolopleider": "Schoolopleider",
            "instituutsopleider": "Instituutsopleider",
            "mentor": "Mentor",
        }[self.value]


TRAINER_ROLES = (PersonRole.SCHOOL_EDUCATOR, PersonRole.INSTITUTE_EDUCATOR)


class Person(Base):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(limits.NAME))
    # Nullable so that anonymising a person keeps the row (and the figures it counts in).
    email: Mapped[str | None] = mapped_column(String(limits.EMAIL))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    # Set when the person is anonymised (AVG): name replaced, e-mail removed, the rows kept.
    anonymised_at: Mapped[datetime | None] = mapped_column(Timestamp)

    organisation: Mapped[Organisation] = relationship()
    role_links: Mapped[list[PersonRoleLink]] = relationship(
        cascade="all, delete-orphan", back_populates="person"
    )

    @property
    def roles(self) -> set[PersonRole]:
        return {link.role for link in self.role_links}

    @property
    def may_be_trainer(self) -> bool:
        """A school- or institute-based educator (TRAINER_ROLES): may give sessions, have a trainer account."""
        return bool(self.roles & set(TRAINER_ROLES))

    def __str__(self) -> str:
        return self.name


PERSON_EMAIL_INDEX = "uq_person_email_lower"
Index(PERSON_EMAIL_INDEX, func.lower(Person.email), unique=True)


class PersonRoleLink(Base):
    """A person may be, say, both schoolopleider and mentor."""

    __tablename__ = "person_role"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[PersonRole] = mapped_column(str_enum(PersonRole, "person_role"), primary_key=True)

    person: Mapped[Person] = relationship(back_populates="role_links")


# Bounds of a partnership's settings; the database CHECK constraints use the same numbers.
MAX_MIN_ANSWERS_SHOWN = 100
TRAINER_DUE_DAYS_RANGE = (0, 365)
PARTICIPANT_WINDOW_DAYS_RANGE = (1, 365)


class PartnershipSettings(Base):
    """A partnership's own settings. No row, or an empty column, means the application's default:
    the anonymity threshold of app.config MIN_ANSWERS_SHOWN, the evaluation deadlines of
    evaluaties.answers.status. A threshold can only be raised above the application's minimum,
    never lowered (see kwaliteit.registry.services.partnership_threshold)."""

    __tablename__ = "partnership_settings"
    __table_args__ = (
        CheckConstraint(f"min_answers_shown BETWEEN 1 AND {MAX_MIN_ANSWERS_SHOWN}", name="min_answers_shown"),
        CheckConstraint(
            "trainer_due_days BETWEEN {} AND {}".format(*TRAINER_DUE_DAYS_RANGE), name="trainer_due_days"
        ),
        CheckConstraint(
            "participant_window_days BETWEEN {} AND {}".format(*PARTICIPANT_WINDOW_DAYS_RANGE),
            name="participant_window_days",
        ),
    )

    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), primary_key=True
    )
    min_answers_shown: Mapped[int | None] = mapped_column(Integer)
    trainer_due_days: Mapped[int | None] = mapped_column(Integer)
    participant_window_days: Mapped[int | None] = mapped_column(Integer)

    # A backref, so that Partnership reads partnership.settings without a change to its class.
    partnership: Mapped[Partnership] = relationship(backref=backref("settings", uselist=False))
