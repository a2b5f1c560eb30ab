"""Status of what a session owes, derived in SQL from dates and an explicit `today`.

Nothing here is stored: moving a session moves its due dates, cancelling it voids what it
owed, and a missed scheduler run can never leave a status stale.
"""

from __future__ import annotations

import enum
from datetime import date, timedelta

from sqlalchemy import ColumnElement, case, func, literal, select

from evaluaties.answers.models import EvaluationRequest
from evaluaties.questionnaires.models import EvaluationSettings
from kwaliteit.registry.models import PartnershipSettings
from kwaliteit.sqldates import add_days
from kwaliteit.trainings.models import Training, TrainingSession

DEFAULT_TRAINER_DUE_DAYS = 14
DEFAULT_PARTICIPANT_WINDOW_DAYS = 21
# The longest participant window there can be: the training's and the partnership's setting are
# both checked to 1-365 days in the database. A session whose window may still be open is at
# most this many days old, a bound that lets a query skip the older sessions by their date.
LONGEST_PARTICIPANT_WINDOW_DAYS = 365
# "Due soon" / "closing soon": the last days before the due or closing date, that date included.
SOON_DAYS = 5


class Status(enum.Enum):
    UPCOMING = "upcoming"
    OPEN = "open"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    SUBMITTED = "submitted"
    CLOSED = "closed"
    WAIVED = "waived"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def css(self) -> str:
        return {
            Status.OVERDUE: "badge-bad",
            Status.DUE_SOON: "badge-warn",
            Status.SUBMITTED: "badge-ok",
        }.get(self, "")


STATUS_LABELS = {
    Status.UPCOMING: "nog niet begonnen",
    Status.OPEN: "open",
    Status.DUE_SOON: "bijna verlopen",
    Status.OVERDUE: "te laat",
    Status.SUBMITTED: "ingediend",
    Status.CLOSED: "gesloten",
    Status.WAIVED: "vrijgesteld",
    Status.CANCELLED: "geannuleerd",
}


# Most urgent first: what is late, due soon or open (to do now), then what is still to come, then
# what is done or void. One order for the trainer's list and for sorting on status.
URGENCY = (
    Status.OVERDUE,
    Status.DUE_SOON,
    Status.OPEN,
    Status.UPCOMING,
    Status.SUBMITTED,
    Status.CLOSED,
    Status.WAIVED,
    Status.CANCELLED,
)
TO_DO = URGENCY[:3]


def urgency(status: ColumnElement[str]) -> ColumnElement[int]:
    """The place of a derived status (trainer_status or participant_status) in URGENCY, in SQL."""
    return case({s.value: i for i, s in enumerate(URGENCY)}, value=status, else_=len(URGENCY))


def _partnership_setting(column) -> ColumnElement[int]:
    """The session's partnership's own default (PartnershipSettings), or NULL: a lookup on the
    partnership of the statement's Training (every status statement joins the session's training).
    By the training's partnership, not the session's training id: a lookup in the small settings
    table per row, where going through the training again cost PostgreSQL an index scan per
    session and per use (a fifth of the dashboard's session figures)."""
    return (
        select(column)
        .where(PartnershipSettings.partnership_id == Training.partnership_id)
        .correlate(Training)
        .scalar_subquery()
    )


def trainer_due_date() -> ColumnElement[date]:
    """Session date + the due days of the training (EvaluationSettings), else of its partnership
    (PartnershipSettings), else 14. Needs the session's Training joined and EvaluationSettings
    outer-joined."""
    return add_days(
        TrainingSession.date,
        func.coalesce(
            EvaluationSettings.trainer_due_days,
            _partnership_setting(PartnershipSettings.trainer_due_days),
            DEFAULT_TRAINER_DUE_DAYS,
        ),
    )


def participant_closes_on() -> ColumnElement[date]:
    """Last day on which participants can answer: session date + window days of the training, else
    of its partnership, else 21. Needs the session's Training joined and EvaluationSettings
    outer-joined."""
    return add_days(
        TrainingSession.date,
        func.coalesce(
            EvaluationSettings.participant_window_days,
            _partnership_setting(PartnershipSettings.participant_window_days),
            DEFAULT_PARTICIPANT_WINDOW_DAYS,
        ),
    )


def trainer_status(today: date) -> ColumnElement[str]:
    """Needs TrainingSession with its Training, and EvaluationSettings and EvaluationRequest
    (trainer) outer-joined."""
    due = trainer_due_date()
    return case(
        (TrainingSession.cancelled_at.is_not(None), literal(Status.CANCELLED.value)),
        (EvaluationRequest.waived_at.is_not(None), literal(Status.WAIVED.value)),
        (EvaluationRequest.submitted_at.is_not(None), literal(Status.SUBMITTED.value)),
        (TrainingSession.date > today, literal(Status.UPCOMING.value)),
        (due < today, literal(Status.OVERDUE.value)),
        (due <= today + timedelta(days=SOON_DAYS), literal(Status.DUE_SOON.value)),
        else_=literal(Status.OPEN.value),
    )


def participant_status(today: date) -> ColumnElement[str]:
    """Needs TrainingSession with its Training, and EvaluationSettings and EvaluationRequest
    (participant) outer-joined."""
    closes = participant_closes_on()
    return case(
        (TrainingSession.cancelled_at.is_not(None), literal(Status.CANCELLED.value)),
        (EvaluationRequest.waived_at.is_not(None), literal(Status.WAIVED.value)),
        (TrainingSession.date > today, literal(Status.UPCOMING.value)),
        (closes < today, literal(Status.CLOSED.value)),
        (closes <= today + timedelta(days=SOON_DAYS), literal(Status.DUE_SOON.value)),
        else_=literal(Status.OPEN.value),
    )
