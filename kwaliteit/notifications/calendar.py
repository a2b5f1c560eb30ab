"""The personal calendar feed (iCal): a user's due dates as all-day events, for Outlook or Google
Calendar. Reached by a secret address without logging in (see services.user_for_calendar_token).

What it holds, still to do from FEED_DAYS_BACK days ago on:
- a trainer: the trainer evaluation of each own session (not submitted, waived or cancelled);
- a coordinator: the due dates of Plan, Check and Act of the review cycles of their
  partnerships that are not done (an admin: of the cycles they own);
- everyone: the due dates of the open improvement actions they own.
Three statements whatever the data size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from evaluaties.answers.requests import OWED, owed_select
from evaluaties.answers.status import Status, trainer_due_date
from evaluaties.questionnaires.models import Audience
from kwaliteit.accounts.models import Role, User, user_partnership
from kwaliteit.cycles.models import OPEN_ACTION_STATUSES, ImprovementAction, ReviewCycle
from kwaliteit.cycles.status import Phase
from kwaliteit.notifications.services import app_url, cycle_url
from kwaliteit.sqldates import school_year_label
from kwaliteit.trainings.models import Training, TrainingSession, session_trainer

FEED_DAYS_BACK = 90
PRODUCT_ID = "-//kwaliteit//Herinneringen//NL"


@dataclass(frozen=True)
class DueEvent:
    uid: str
    on: date
    summary: str
    url: str | None
    description: str = ""


def due_events(db: Session, user: User, today: date) -> list[DueEvent]:
    since = today - timedelta(days=FEED_DAYS_BACK)
    events: list[DueEvent] = []
    if user.person_id is not None:
        stmt, status = owed_select(today, Audience.TRAINER)
        due = trainer_due_date()
        rows = db.execute(
            stmt.with_only_columns(TrainingSession.id, TrainingSession.date, Training.title, due.label("due"))
            .where(
                exists().where(
                    session_trainer.c.session_id == TrainingSession.id,
                    session_trainer.c.person_id == user.person_id,
                ),
                status.in_([s.value for s in (*OWED, Status.UPCOMING)]),
                due >= since,
            )
            .order_by(due, TrainingSession.id)
        ).all()
        for session_id, on, title, due_on in rows:
            events.append(
                DueEvent(
                    f"trainer-evaluation-{session_id}-{user.id}@kwaliteit",
                    due_on,
                    f"Trainersevaluatie {title} ({on.strftime('%d-%m-%Y')})",
                    app_url("evaluaties.trainer_evaluation", session_id=session_id),
                )
            )
    if user.role in (Role.COORDINATOR, Role.ADMIN):
        mine = ReviewCycle.owner_id == user.id
        if user.role is Role.COORDINATOR:
            mine = or_(
                mine,
                exists().where(
                    user_partnership.c.user_id == user.id,
                    user_partnership.c.partnership_id == Training.partnership_id,
                ),
            )
        phases = (
            (Phase.PLAN, ReviewCycle.plan_due, ReviewCycle.plan_done_at),
            (Phase.CHECK, ReviewCycle.check_due, ReviewCycle.check_done_at),
            (Phase.ACT, ReviewCycle.act_due, ReviewCycle.act_done_at),
        )
        open_phase = or_(*((done.is_(None) & (due >= since)) for _p, due, done in phases))
        for cycle, title in db.execute(
            select(ReviewCycle, Training.title)
            .join(Training, Training.id == ReviewCycle.training_id)
            .where(mine, open_phase)
            .order_by(ReviewCycle.id)
        ).all():
            for phase, due_col, done_col in phases:
                due_on, done = getattr(cycle, due_col.key), getattr(cycle, done_col.key)
                if done is None and due_on >= since:
                    events.append(
                        DueEvent(
                            f"cycle-{cycle.id}-{phase.value}@kwaliteit",
                            due_on,
                            f"{phase.label} kwaliteitscyclus {title} {school_year_label(cycle.school_year)}",
                            cycle_url(cycle.id),
                        )
                    )
    for action, title in db.execute(
        select(ImprovementAction, Training.title)
        .join(ReviewCycle, ReviewCycle.id == ImprovementAction.cycle_id)
        .join(Training, Training.id == ReviewCycle.training_id)
        .where(
            ImprovementAction.owner_id == user.id,
            ImprovementAction.status.in_(OPEN_ACTION_STATUSES),
            ImprovementAction.due_on >= since,
        )
        .order_by(ImprovementAction.due_on, ImprovementAction.id)
    ).all():
        events.append(
            DueEvent(
                f"action-{action.id}@kwaliteit",
                action.due_on,
                f"Verbeteractie {title}",
                cycle_url(action.cycle_id),
                action.description,
            )
        )
    return sorted(events, key=lambda e: (e.on, e.uid))


def feed(events: list[DueEvent], now: datetime) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODUCT_ID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "kwaliteit: deadlines")
    stamp = now.astimezone(UTC)
    for e in events:
        event = Event()
        event.add("uid", e.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", e.on)
        event.add("dtend", e.on + timedelta(days=1))
        event.add("summary", e.summary)
        event.add("transp", "TRANSPARENT")
        if e.url:
            event.add("url", e.url)
        description = "\n\n".join(x for x in (e.description, e.url or "") if x)
        if description:
            event.add("description", description)
        cal.add_component(event)
    return cal.to_ical()
