from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kwaliteit import limits
from kwaliteit.accounts.models import User
from kwaliteit.db import Base
from kwaliteit.framework.models import Safeguard
from kwaliteit.models_base import Timestamp, max_length_check, str_enum, utcnow
from kwaliteit.registry.models import Partnership
from kwaliteit.trainings.models import Training

# Bounds of the partnership calendar; the CHECK constraints and the form use the same numbers.
PEER_REVIEW_YEARS_RANGE = (1, 12)


class CycleCalendar(Base):
    """A partnership's calendar of the review cycle. No row, or an empty column, means the
    default (cycles.calendar.DEFAULTS): cycles open on 1 August, Plan due 1 October, Check due
    1 July, Act due 31 July; a peer review every six years. Dates within the school year are kept
    as month and day ("10-01"), so one calendar serves every year."""

    __tablename__ = "cycle_calendar"
    __table_args__ = (
        CheckConstraint(
            "peer_review_years BETWEEN {} AND {}".format(*PEER_REVIEW_YEARS_RANGE), name="peer_review_years"
        ),
    )

    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id", ondelete="CASCADE"), primary_key=True)
    opens_on: Mapped[str | None] = mapped_column(String(5))  # MM-DD
    plan_due: Mapped[str | None] = mapped_column(String(5))
    check_due: Mapped[str | None] = mapped_column(String(5))
    act_due: Mapped[str | None] = mapped_column(String(5))
    peer_review_years: Mapped[int | None] = mapped_column(Integer)
    last_peer_review: Mapped[date | None] = mapped_column(Date)

    partnership: Mapped[Partnership] = relationship()


class ReviewCycle(Base):
    """The review cycle of a training in a school year (the starting calendar year)."""

    __tablename__ = "review_cycle"
    __table_args__ = (
        UniqueConstraint("training_id", "school_year"),
        CheckConstraint("school_year BETWEEN 1900 AND 2200", name="school_year"),
        max_length_check("plan_text", limits.ANALYSIS),
        max_length_check("analysis_right_things", limits.ANALYSIS),
        max_length_check("analysis_things_right", limits.ANALYSIS),
        max_length_check("analysis_how_we_know", limits.ANALYSIS),
        max_length_check("analysis_others_agree", limits.ANALYSIS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("training.id"), index=True)
    school_year: Mapped[int] = mapped_column(Integer, index=True)
    # Due dates, set from the partnership calendar when the cycle opens; each within its school year.
    plan_due: Mapped[date] = mapped_column(Date)
    check_due: Mapped[date] = mapped_column(Date)
    act_due: Mapped[date] = mapped_column(Date)
    # The coordinator who answers for the cycle and gets its reminders.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"), index=True)
    plan_text: Mapped[str] = mapped_column(Text, default="")
    analysis_right_things: Mapped[str] = mapped_column(Text, default="")  # doen we de goede dingen?
    analysis_things_right: Mapped[str] = mapped_column(Text, default="")  # doen we ze goed?
    analysis_how_we_know: Mapped[str] = mapped_column(Text, default="")  # hoe weten we dat?
    analysis_others_agree: Mapped[str] = mapped_column(Text, default="")  # vinden anderen dat ook?
    # When a phase was completed (None: not yet); the status is derived from these and the dates.
    plan_done_at: Mapped[datetime | None] = mapped_column(Timestamp)
    check_done_at: Mapped[datetime | None] = mapped_column(Timestamp)
    act_done_at: Mapped[datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    training: Mapped[Training] = relationship()
    owner: Mapped[User | None] = relationship()
    goals: Mapped[list[CycleGoal]] = relationship(back_populates="cycle", cascade="all, delete-orphan")
    actions: Mapped[list[ImprovementAction]] = relationship(
        back_populates="cycle", cascade="all, delete-orphan", order_by="ImprovementAction.id"
    )


class CycleGoal(Base):
    """Plan: the year's goal for one of the safeguards the training serves."""

    __tablename__ = "cycle_goal"
    __table_args__ = (max_length_check("text", limits.ANALYSIS),)

    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id", ondelete="CASCADE"), primary_key=True)
    safeguard_id: Mapped[int] = mapped_column(ForeignKey("safeguard.id"), primary_key=True)
    text: Mapped[str] = mapped_column(Text)

    cycle: Mapped[ReviewCycle] = relationship(back_populates="goals")
    safeguard: Mapped[Safeguard] = relationship()


class ActionStatus(enum.Enum):
    OPEN = "open"
    IN_PROGRESS = "bezig"
    DONE = "afgerond"
    DROPPED = "vervallen"

    @property
    def label(self) -> str:
        return {"open": "Open", "bezig": "Bezig", "afgerond": "Afgerond", "vervallen": "Vervallen"}[self.value]

    @property
    def is_open(self) -> bool:
        return self in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class ImprovementAction(Base):
    """Act: an improvement action (verbeteractie). Open actions of a year show in the next
    year's Plan of the same training; a public one shows participants what their feedback did."""

    __tablename__ = "improvement_action"
    __table_args__ = (
        CheckConstraint("length(trim(description)) > 0", name="description"),
        max_length_check("description", limits.ACTION),
        max_length_check("finding", limits.ACTION),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    finding: Mapped[str] = mapped_column(Text, default="")  # the evaluation finding it answers
    # Required when saved; empty only when the owner's account is removed (anonymisation, AVG).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"), index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    safeguard_id: Mapped[int | None] = mapped_column(ForeignKey("safeguard.id"))
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus, "action_status"), default=ActionStatus.OPEN)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    done_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    cycle: Mapped[ReviewCycle] = relationship(back_populates="actions")
    owner: Mapped[User | None] = relationship()
    safeguard: Mapped[Safeguard | None] = relationship()


class PartnershipCycle(Base):
    """The yearly cycle of a partnership: a summary per safeguard."""

    __tablename__ = "partnership_cycle"
    __table_args__ = (
        UniqueConstraint("partnership_id", "school_year"),
        CheckConstraint("school_year BETWEEN 1900 AND 2200", name="school_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    school_year: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    partnership: Mapped[Partnership] = relationship()
    summaries: Mapped[list[SafeguardSummary]] = relationship(back_populates="cycle", cascade="all, delete-orphan")


class SafeguardSummary(Base):
    __tablename__ = "safeguard_summary"
    __table_args__ = (max_length_check("text", limits.ANALYSIS),)

    cycle_id: Mapped[int] = mapped_column(ForeignKey("partnership_cycle.id", ondelete="CASCADE"), primary_key=True)
    safeguard_id: Mapped[int] = mapped_column(ForeignKey("safeguard.id"), primary_key=True)
    text: Mapped[str] = mapped_column(Text)

    cycle: Mapped[PartnershipCycle] = relationship(back_populates="summaries")
    safeguard: Mapped[Safeguard] = relationship()


class GoodPractice(Base):
    __tablename__ = "good_practice"
    __table_args__ = (
        CheckConstraint("length(trim(title)) > 0", name="title"),
        max_length_check("text", limits.DESCRIPTION),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    title: Mapped[str] = mapped_column(String(limits.TITLE))
    text: Mapped[str] = mapped_column(Text)
    training_id: Mapped[int | None] = mapped_column(ForeignKey("training.id"), index=True)
    safeguard_id: Mapped[int | None] = mapped_column(ForeignKey("safeguard.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    partnership: Mapped[Partnership] = relationship()
    training: Mapped[Training | None] = relationship()
    safeguard: Mapped[Safeguard | None] = relationship()
    author: Mapped[User | None] = relationship()
