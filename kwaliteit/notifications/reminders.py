"""What is owed as of `today`, queued in the outbox as reminders.

`queue_reminders(db, today)` works from the state of today, never from "since the last run": a run
missed during downtime catches up on the next one, and the outbox keys make a second run add
nothing. Every key names the thing, its stage and its date, and the recipient, so each stage is
reminded once ("due soon" once and "overdue" once), and a moved due date is reminded again.

Set-based: a fixed number of statements whatever the data size (one per kind of reminder, one for
the coordinators, one for the trainers' partnerships, two to queue).

Overdue reminders go only for what became overdue in the last OVERDUE_WINDOW_DAYS: a first run,
or one after long downtime, does not mail the whole history; what is older stays on the dashboard.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from flask import render_template
from sqlalchemy import and_, case, literal, or_, select
from sqlalchemy.orm import Session

from evaluaties.answers.models import EvaluationRequest
from evaluaties.answers.requests import owed_select
from evaluaties.answers.status import Status, trainer_due_date
from evaluaties.questionnaires.models import Audience
from evaluaties.results.rates import low_response
from kwaliteit import limits
from kwaliteit.accounts.models import Role, User, user_partnership
from kwaliteit.certification.flags import Flag, RegisterFilters, list_certificate_flags, list_trainers
from kwaliteit.cycles.models import ImprovementAction, ReviewCycle
from kwaliteit.cycles.status import (
    ActionState,
    Phase,
    action_state_sql,
    phase_due_soon_sql,
    phase_overdue_sql,
)
from kwaliteit.limits import cut
from kwaliteit.notifications.outbox import Mail, queue_many
from kwaliteit.notifications.services import app_url, cycle_url, has_base_url
from kwaliteit.registry.models import Organisation
from kwaliteit.scope import Scope
from kwaliteit.sqldates import school_year_label
from kwaliteit.trainings.models import Training, TrainingSession, session_trainer

OVERDUE_WINDOW_DAYS = 60
# Big enough for every flagged row of the register in one page (one statement, not a loop).
REGISTER_ROWS = 1_000_000
SOON, OVERDUE = "binnenkort", "te-laat"
CYCLE_PHASES = (Phase.PLAN, Phase.CHECK, Phase.ACT)


@dataclass(frozen=True)
class Recipient:
    id: int
    email: str
    name: str

    @classmethod
    def of(cls, user: User) -> Recipient:
        return cls(user.id, user.email, user.name or user.email)


def _mail(key: str, kind: str, to: Recipient, subject: str, template: str, **context) -> Mail:
    # One line (a header holds no line break: an action's description may) that fits its column.
    subject = cut(subject, limits.TITLE)
    context.update(user=to, subject=subject, base_url_missing=not has_base_url())
    return Mail(
        key=key,
        kind=kind,
        user_id=to.id,
        recipient=to.email,
        subject=subject,
        text=render_template(f"mail/{template}.txt", **context),
        html=render_template(f"mail/{template}.html", **context),
    )


def _d(value: date) -> str:
    return value.strftime("%d-%m-%Y")


# ------------------------------------------------------------------------------ trainers


def trainer_evaluation_mails(db: Session, today: date) -> list[Mail]:
    """To every trainer account of a session whose trainer evaluation is due soon or overdue (the
    rules of evaluaties.answers.status), not locked. One statement."""
    stmt, status = owed_select(today, Audience.TRAINER)
    due = trainer_due_date()
    rows = db.execute(
        stmt.with_only_columns(
            TrainingSession.id,
            TrainingSession.date,
            Training.title,
            due.label("due"),
            status.label("status"),
            User,
        )
        .join(session_trainer, session_trainer.c.session_id == TrainingSession.id)
        .join(User, User.person_id == session_trainer.c.person_id)
        .where(
            User.is_enabled,
            EvaluationRequest.locked_at.is_(None),
            status.in_([Status.DUE_SOON.value, Status.OVERDUE.value]),
            due >= today - timedelta(days=OVERDUE_WINDOW_DAYS),
        )
        .order_by(due, TrainingSession.id, User.id)
    ).all()
    mails = []
    for session_id, on, title, due_on, st, user in rows:
        stage = OVERDUE if st == Status.OVERDUE.value else SOON
        subject = (
            f"Te laat: je trainersevaluatie van {title} ({_d(on)})"
            if stage == OVERDUE
            else f"Herinnering: je trainersevaluatie van {title} ({_d(on)}) uiterlijk {_d(due_on)}"
        )
        mails.append(
            _mail(
                f"trainer-evaluation-{stage}:session {session_id}:due {due_on}:user {user.id}",
                "trainer-evaluation",
                Recipient.of(user),
                subject,
                "trainer_evaluation",
                stage=stage,
                title=title,
                on=_d(on),
                due=_d(due_on),
                url=app_url("evaluaties.trainer_evaluation", session_id=session_id),
            )
        )
    return mails


# ------------------------------------------------------------------------------ coordinators


def coordinators_by_partnership(db: Session) -> dict[int, list[Recipient]]:
    """The enabled coordinator accounts of every partnership: one statement."""
    rows = db.execute(
        select(user_partnership.c.partnership_id, User)
        .join(User, User.id == user_partnership.c.user_id)
        .where(User.role == Role.COORDINATOR, User.is_enabled)
        .order_by(User.id)
    ).all()
    result: dict[int, list[Recipient]] = defaultdict(list)
    for partnership_id, user in rows:
        result[partnership_id].append(Recipient.of(user))
    return result


def low_response_mails(db: Session, today: date, coordinators: dict[int, list[Recipient]]) -> list[Mail]:
    """To the coordinators of a session whose participant window closes soon with a low response
    (evaluaties.results.rates.low_response: one statement)."""
    mails = []
    for row in low_response(db, Scope.everything(), today):
        for to in coordinators.get(row.training.partnership_id, ()):
            mails.append(
                _mail(
                    f"low-response:session {row.session.id}:closes {row.closes_on}:user {to.id}",
                    "low-response",
                    to,
                    f"Lage respons: {row.training.title} ({_d(row.session.date)}) sluit {_d(row.closes_on)}",
                    "low_response",
                    title=row.training.title,
                    partnership=row.partnership_name,
                    on=_d(row.session.date),
                    closes=_d(row.closes_on),
                    answers=row.answers,
                    invited=row.invited,
                    rate=row.rate_pct,
                    url=app_url("evaluaties.session_page", session_id=row.session.id),
                )
            )
    return mails


def register_mails(db: Session, today: date, coordinators: dict[int, list[Recipient]]) -> list[Mail]:
    """To the coordinators of a partnership: its trainers' qualifications and its mentors'
    certificates that expire soon (certification.flags), one message per coordinator and end date
    (a group trained together ends together). Three statements."""
    scope, filters = Scope.everything(), RegisterFilters()
    trainers = list_trainers(
        db, scope, filters, today, flag=Flag.QUALIFICATION_EXPIRING, page_size=REGISTER_ROWS
    )
    certificates = list_certificate_flags(
        db, scope, Flag.CERTIFICATE_EXPIRING, filters, today, page_size=REGISTER_ROWS
    )
    org_ids = sorted({t.person.organisation_id for t in trainers.items})
    partnership_of_org = (
        dict(
            db.execute(
                select(Organisation.id, Organisation.partnership_id).where(Organisation.id.in_(org_ids))
            ).all()
        )
        if org_ids
        else {}
    )
    # (partnership, end date) -> qualifications and certificates
    groups: dict[tuple[int, date], dict[str, list]] = defaultdict(
        lambda: {"trainers": [], "certificates": []}
    )
    for t in trainers.items:
        groups[(partnership_of_org[t.person.organisation_id], t.valid_until)]["trainers"].append(
            {"name": t.person.name, "organisation": t.organisation_name}
        )
    for c in certificates.items:
        groups[(c.certificate.partnership_id, c.certificate.valid_until)]["certificates"].append(
            {
                "name": c.person.name,
                "kind": c.certificate.kind.label,
                "school": c.school_name or c.board_name or "",
            }
        )
    mails = []
    for (partnership_id, until), items in sorted(groups.items(), key=lambda g: (g[0][1], g[0][0])):
        for to in coordinators.get(partnership_id, ()):
            mails.append(
                _mail(
                    f"register-expiring:partnership {partnership_id}:until {until}:user {to.id}",
                    "register-expiring",
                    to,
                    f"Registraties en certificaten die verlopen op {_d(until)}",
                    "register_expiring",
                    until=_d(until),
                    trainers=items["trainers"],
                    certificates=items["certificates"],
                    trainers_url=app_url("register.flag_list", flag=Flag.QUALIFICATION_EXPIRING.value),
                    certificates_url=app_url("register.flag_list", flag=Flag.CERTIFICATE_EXPIRING.value),
                )
            )
    return mails


# ------------------------------------------------------------------------------ owners of cycles


def _phase_stage(phase: Phase, today: date):
    due = {
        Phase.PLAN: ReviewCycle.plan_due,
        Phase.CHECK: ReviewCycle.check_due,
        Phase.ACT: ReviewCycle.act_due,
    }[phase]
    recent = due >= today - timedelta(days=OVERDUE_WINDOW_DAYS)
    return case(
        (and_(phase_overdue_sql(phase, today), recent), literal(OVERDUE)),
        (phase_due_soon_sql(phase, today), literal(SOON)),
    )


def phase_mails(db: Session, today: date) -> list[Mail]:
    """To the owner of a review cycle whose Plan, Check or Act is due soon or overdue
    (kwaliteit.cycles.status): one statement."""
    stages = [_phase_stage(p, today) for p in CYCLE_PHASES]
    rows = db.execute(
        select(
            ReviewCycle,
            Training.title,
            User,
            *(s.label(f"{p.value}_stage") for p, s in zip(CYCLE_PHASES, stages, strict=True)),
        )
        .join(Training, Training.id == ReviewCycle.training_id)
        .join(User, User.id == ReviewCycle.owner_id)
        .where(User.is_enabled, or_(*(s.is_not(None) for s in stages)))
        .order_by(ReviewCycle.id)
    ).all()
    mails = []
    for cycle, title, user, *phase_stages in rows:
        for phase, stage in zip(CYCLE_PHASES, phase_stages, strict=True):
            if stage is None:
                continue
            due = {Phase.PLAN: cycle.plan_due, Phase.CHECK: cycle.check_due, Phase.ACT: cycle.act_due}[phase]
            year = school_year_label(cycle.school_year)
            subject = (
                f"Te laat: {phase.label} van de kwaliteitscyclus {title} {year}"
                if stage == OVERDUE
                else f"Herinnering: {phase.label} van de kwaliteitscyclus {title} {year} uiterlijk {_d(due)}"
            )
            mails.append(
                _mail(
                    f"cycle-{phase.value}-{stage}:cycle {cycle.id}:due {due}:user {user.id}",
                    "cycle-phase",
                    Recipient.of(user),
                    subject,
                    "cycle_phase",
                    stage=stage,
                    phase=phase.label,
                    title=title,
                    year=year,
                    due=_d(due),
                    url=cycle_url(cycle.id),
                )
            )
    return mails


def action_mails(db: Session, today: date) -> list[Mail]:
    """To the owner of an open improvement action that is due soon or overdue: one statement."""
    state = action_state_sql(today)
    rows = db.execute(
        select(ImprovementAction, ReviewCycle.school_year, Training.title, User, state.label("state"))
        .join(ReviewCycle, ReviewCycle.id == ImprovementAction.cycle_id)
        .join(Training, Training.id == ReviewCycle.training_id)
        .join(User, User.id == ImprovementAction.owner_id)
        .where(
            User.is_enabled,
            state.in_([ActionState.DUE_SOON.value, ActionState.OVERDUE.value]),
            ImprovementAction.due_on >= today - timedelta(days=OVERDUE_WINDOW_DAYS),
        )
        .order_by(ImprovementAction.due_on, ImprovementAction.id)
    ).all()
    mails = []
    for action, school_year, title, user, st in rows:
        stage = OVERDUE if st == ActionState.OVERDUE.value else SOON
        short = action.description if len(action.description) <= 60 else action.description[:57] + "…"
        subject = (
            f"Te laat: verbeteractie {short}"
            if stage == OVERDUE
            else f"Herinnering: verbeteractie uiterlijk {_d(action.due_on)}: {short}"
        )
        mails.append(
            _mail(
                f"action-{stage}:action {action.id}:due {action.due_on}:user {user.id}",
                "improvement-action",
                Recipient.of(user),
                subject,
                "improvement_action",
                stage=stage,
                description=action.description,
                title=title,
                year=school_year_label(school_year),
                due=_d(action.due_on),
                url=cycle_url(action.cycle_id),
            )
        )
    return mails


# ------------------------------------------------------------------------------ all


def queue_reminders(db: Session, today: date) -> int:
    """Queue every reminder owed as of `today` that is not queued yet; return how many were
    added. Flushes in the caller's transaction; the caller commits."""
    coordinators = coordinators_by_partnership(db)
    mails = [
        *trainer_evaluation_mails(db, today),
        *low_response_mails(db, today, coordinators),
        *phase_mails(db, today),
        *action_mails(db, today),
        *register_mails(db, today, coordinators),
    ]
    return queue_many(db, mails)
