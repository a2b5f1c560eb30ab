from __future__ import annotations

import datetime as dt
import enum
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    Time,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from kwaliteit import limits
from kwaliteit.db import Base
from kwaliteit.framework.models import Safeguard
from kwaliteit.models_base import Timestamp, max_length_check, str_enum, utcnow
from kwaliteit.registry.models import Organisation, Partnership, Person
from kwaliteit.sqldates import school_year_of


class TrainingKind(enum.Enum):
    BASIC = "basistraining"
    ADVANCED = "verdiepingstraining"
    REFRESHER = "opfrisbijeenkomst"
    TRAIN_THE_TRAINER = "train-de-trainer"

    @property
    def label(self) -> str:
        return {
            "basistraining": "Basistraining",
            "verdiepingstraining": "Verdiepingstraining",
            "opfrisbijeenkomst": "Opfrisbijeenkomst",
            "train-de-trainer": "Train-de-trainer",
        }[self.value]


class TrainingForm(enum.Enum):
    PHYSICAL = "fysiek"
    BLENDED = "blended"
    ONLINE = "online"

    @property
    def label(self) -> str:
        return {"fysiek": "Fysiek", "blended": "Blended", "online": "Online"}[self.value]


training_organisation = Table(
    "training_organisation",
    Base.metadata,
    Column("training_id", ForeignKey("training.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id"), primary_key=True),
)


class Training(Base):
    __tablename__ = "training"
    __table_args__ = (
        CheckConstraint("contact_hours >= 0 AND contact_hours <= 500", name="contact_hours"),
        max_length_check("description", limits.DESCRIPTION),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    title: Mapped[str] = mapped_column(String(limits.TITLE))
    kind: Mapped[TrainingKind] = mapped_column(str_enum(TrainingKind, "training_kind"))
    form: Mapped[TrainingForm] = mapped_column(str_enum(TrainingForm, "training_form"))
    contact_hours: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    partnership: Mapped[Partnership] = relationship()
    organisations: Mapped[list[Organisation]] = relationship(
        secondary=training_organisation, order_by=Organisation.name
    )
    safeguard_links: Mapped[list[TrainingSafeguard]] = relationship(
        back_populates="training", cascade="all, delete-orphan"
    )
    sessions: Mapped[list[TrainingSession]] = relationship(
        back_populates="training", order_by="TrainingSession.date"
    )

    def __str__(self) -> str:
        return self.title


# "Race" and "RACE" are one title: unique per partnership whatever the case, in the database, so
# two coordinators saving at the same moment cannot both win (the service turns the violation
# into a field error, see trainings.services.TITLE_TAKEN).
TITLE_UNIQUE_INDEX = "uq_training_partnership_title_lower"
Index(TITLE_UNIQUE_INDEX, Training.partnership_id, func.lower(Training.title), unique=True)


class TrainingSafeguard(Base):
    """How a training serves a safeguard: the link carries a required rationale."""

    __tablename__ = "training_safeguard"
    __table_args__ = (
        CheckConstraint("length(trim(rationale)) > 0", name="rationale"),
        max_length_check("rationale", limits.RATIONALE),
    )

    training_id: Mapped[int] = mapped_column(
        ForeignKey("training.id", ondelete="CASCADE"), primary_key=True
    )
    safeguard_id: Mapped[int] = mapped_column(
        ForeignKey("safeguard.id"), primary_key=True, index=True
    )
    rationale: Mapped[str] = mapped_column(Text)

    training: Mapped[Training] = relationship(back_populates="safeguard_links")
    safeguard: Mapped[Safeguard] = relationship()


session_trainer = Table(
    "session_trainer",
    Base.metadata,
    Column("session_id", ForeignKey("training_session.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("person.id"), primary_key=True, index=True),
)


def _school_year_default(context) -> int | None:
    """The school year of a Core insert's date (a bulk insert of sessions)."""
    day = context.get_current_parameters().get("date")
    return None if day is None else school_year_of(day)


class TrainingSession(Base):
    """Bijeenkomst. Named TrainingSession so it never reads as a database session."""

    __tablename__ = "training_session"
    __table_args__ = (
        CheckConstraint("participant_count >= 0", name="participant_count"),
        max_length_check("cancel_reason", limits.REASON),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed with the school year below: (training_id, school_year) serves a training's sessions.
    training_id: Mapped[int] = mapped_column(ForeignKey("training.id"))
    date: Mapped[date] = mapped_column(Date, index=True)
    # The starting calendar year of the date's school year (1 August - 31 July), stored so that no
    # query computes it per row. Kept with the date: by `_date` below on every ORM write, and by
    # the column default on a Core insert (bulk) that names only the date.
    school_year: Mapped[int] = mapped_column(Integer, default=_school_year_default)
    start_time: Mapped[time] = mapped_column(Time)
    location: Mapped[str] = mapped_column(String(limits.LOCATION))
    participant_count: Mapped[int] = mapped_column(Integer, default=0)
    # Cancelled sessions are kept (with what they owed, now void), never deleted.
    cancelled_at: Mapped[datetime | None] = mapped_column(Timestamp)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    training: Mapped[Training] = relationship(back_populates="sessions")
    trainers: Mapped[list[Person]] = relationship(secondary=session_trainer, order_by=Person.name)

    @validates("date")
    def _date(self, _key: str, value: dt.date) -> dt.date:  # `date` is the column here
        if value is not None:
            self.school_year = school_year_of(value)
        return value

    def __str__(self) -> str:
        return f"{self.training.title}, {self.date:%d-%m-%Y}"


# A training's sessions, and those of one school year: the year filters and groupings of
# results, rates, the dashboard and the register go through the training (scope) to its sessions.
Index("ix_training_session_training_id_school_year", TrainingSession.training_id, TrainingSession.school_year)
