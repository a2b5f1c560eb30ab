"""Rules of the review cycle (kwaliteitscyclus) per training per school year, its improvement
actions, and "you said, we did".

Every function takes the database session, the caller's Scope where a user acts, and an explicit
`today`. Coordinators and admins manage the cycles of their partnerships; steering members read
them; trainers have no part in them. Phase and action status are derived (cycles.status).

Decisions where the issue is silent:
- A cycle opens with the partnership's first coordinator (the earliest account of that role, still
  enabled) as its owner, so phase reminders have someone to go to; none when there is none.
- Completing a phase needs the one before it done (Plan before Check, Check before Act); Check
  needs the four questions of the analysis answered. Reopening needs the phase after it open.
- Completing Check locks the trainer evaluations of the training's sessions of that school year
  held up to that day (not cancelled). Reopening Check does not unlock them: the coordinator
  unlocks one on its session page, as before.
- The Plan shows the open actions of every earlier cycle of the training (last year's first in
  line, older ones still open as well), so that nothing open drops out of sight after a year.
- "The last year" of public actions: public actions that are done or in progress, of the cycle of
  the school year of the session and of the one before it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, case, exists, func, literal, or_, select, update
from sqlalchemy.orm import Session, aliased, selectinload

from evaluaties.answers.models import EvaluationRequest
from evaluaties.answers.status import Status
from evaluaties.questionnaires.models import Audience, QuestionType
from evaluaties.results import rates
from evaluaties.results import services as results
from kwaliteit import limits
from kwaliteit.accounts.models import Role, User, user_partnership
from kwaliteit.audit.models import AuditAction
from kwaliteit.audit.recording import record
from kwaliteit.cycles.calendar import calendars_for, due_dates
from kwaliteit.cycles.models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    CycleGoal,
    ImprovementAction,
    ReviewCycle,
)
from kwaliteit.cycles.status import (
    ActionState,
    Phase,
    PhaseStatus,
    action_overdue_sql,
    action_state,
    action_state_sql,
    phase_overdue_sql,
    phase_status,
)
from kwaliteit.db import conflict_insert, flush_unique, rowcount
from kwaliteit.framework.models import Framework, Safeguard
from kwaliteit.models_base import utcnow
from kwaliteit.pagination import Page, clamp_page
from kwaliteit.registry.models import Partnership
from kwaliteit.scope import MAX_ID, Forbidden, NotFound, Scope, check_id
from kwaliteit.sqldates import school_year_bounds, school_year_label, school_year_of
from kwaliteit.trainings.models import Training, TrainingSafeguard, TrainingSession
from kwaliteit.validation import ValidationError, check_date_bounds, check_text

CYCLE_UNIQUE = "uq_review_cycle_training_id_school_year"
# A cycle can be opened by hand for a school year this far back, or the next one.
OPEN_YEARS_BACK = 5
# Who may own a cycle or an action: the roles that can read cycles.
OWNER_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.STEERING)
MANAGED_PHASES = (Phase.PLAN, Phase.CHECK, Phase.ACT)  # Do follows the calendar
ANALYSIS_FIELDS = ("analysis_right_things", "analysis_things_right", "analysis_how_we_know", "analysis_others_agree")


def unanswered(texts: dict[str, str]) -> list[str]:
    """The analysis questions without an answer: Check is completed only with none, and keeps
    its answers once completed."""
    return [name for name in ANALYSIS_FIELDS if not (texts.get(name) or "").strip()]
ANALYSIS_QUESTIONS = {
    "analysis_right_things": "Doen we de goede dingen?",
    "analysis_things_right": "Doen we ze goed?",
    "analysis_how_we_know": "Hoe weten we dat?",
    "analysis_others_agree": "Vinden anderen dat ook?",
}


def _require_manager(scope: Scope) -> None:
    if not scope.may_manage():
        raise Forbidden()


def _valid_id(value: int | None) -> bool:
    return value is not None and 0 < value <= MAX_ID


# ================================================================ opening cycles


def _first_coordinators(db: Session, partnership_ids: Sequence[int]) -> dict[int, int]:
    """Per partnership the id of its earliest enabled coordinator account: one statement."""
    if not partnership_ids:
        return {}
    rows = db.execute(
        select(user_partnership.c.partnership_id, func.min(User.id))
        .join(User, User.id == user_partnership.c.user_id)
        .where(
            user_partnership.c.partnership_id.in_(sorted(partnership_ids)),
            User.role == Role.COORDINATOR,
            User.is_enabled.is_(True),
        )
        .group_by(user_partnership.c.partnership_id)
    )
    # Not dict(rows): a Result has keys() (its column names), so dict() would read it as a mapping.
    return {pid: uid for pid, uid in rows}  # noqa: C416


def _insert_ignoring_existing(db: Session, rows: list[dict]) -> int:
    """INSERT the cycles in one statement; a cycle that exists (also one a concurrent call just
    made) is skipped by the database (ON CONFLICT DO NOTHING), never an error. Returns how many
    were made."""
    if not rows:
        return 0
    now = utcnow()
    table = ReviewCycle.__table__
    stmt = (
        conflict_insert(db, table)
        .values([{**r, "created_at": now, "plan_text": "", **dict.fromkeys(ANALYSIS_FIELDS, "")} for r in rows])
        .on_conflict_do_nothing(index_elements=["training_id", "school_year"])
        .returning(table.c.id)
    )
    # RETURNING names only the rows made (a multi-row INSERT's rowcount is not reliable everywhere).
    return len(db.execute(stmt).all())


def open_cycles(db: Session, today: date) -> int:
    """Open the cycle of the school year of `today` for every active training whose partnership's
    opening date of that year (calendar `opens_on`, default 1 August) has come. Idempotent and
    safe to run twice at once: the unique (training, school year) lets the database skip what
    exists. Four statements whatever the number of trainings. Returns the number opened; the
    caller commits."""
    year = school_year_of(today)
    trainings = db.execute(
        select(Training.id, Training.partnership_id)
        .where(
            Training.active.is_(True),
            ~exists().where(ReviewCycle.training_id == Training.id, ReviewCycle.school_year == year),
        )
        .order_by(Training.id)
    ).all()
    if not trainings:
        return 0
    partnership_ids = sorted({pid for _tid, pid in trainings})
    calendars = calendars_for(db, partnership_ids)
    owners = _first_coordinators(db, partnership_ids)
    rows = []
    for training_id, partnership_id in trainings:
        dates = due_dates(calendars[partnership_id], year)
        if today < dates.opens_on:
            continue
        rows.append(
            dict(
                training_id=training_id,
                school_year=year,
                plan_due=dates.plan_due,
                check_due=dates.check_due,
                act_due=dates.act_due,
                owner_id=owners.get(partnership_id),
            )
        )
    return _insert_ignoring_existing(db, rows)


def open_years(today: date) -> list[int]:
    """The school years a coordinator may open a cycle for by hand, newest first."""
    current = school_year_of(today)
    return list(range(current + 1, current - OPEN_YEARS_BACK - 1, -1))


def open_cycle(db: Session, scope: Scope, training_id: int | None, school_year: int | None, today: date) -> ReviewCycle:
    """A coordinator opens the cycle of one training for one school year by hand."""
    _require_manager(scope)
    errors: dict[str, str] = {}
    training = db.get(Training, training_id) if _valid_id(training_id) else None
    if training is None:
        errors["training_id"] = "Kies een training."
    else:
        scope.check(training.partnership_id)
        if not training.active:
            errors["training_id"] = "Deze training is niet actief: open alleen een cyclus voor een actieve training."
    if school_year not in open_years(today):
        years = open_years(today)
        errors["school_year"] = (
            f"Kies een schooljaar van {school_year_label(years[-1])} tot en met {school_year_label(years[0])}."
        )
    if errors:
        raise ValidationError(errors)
    assert training is not None and school_year is not None  # else an error above
    if db.scalar(
        select(ReviewCycle.id).where(ReviewCycle.training_id == training.id, ReviewCycle.school_year == school_year)
    ):
        raise ValidationError({"school_year": TAKEN})
    calendar = calendars_for(db, [training.partnership_id])[training.partnership_id]
    dates = due_dates(calendar, school_year)
    cycle = ReviewCycle(
        training_id=training.id,
        school_year=school_year,
        plan_due=dates.plan_due,
        check_due=dates.check_due,
        act_due=dates.act_due,
        owner_id=_first_coordinators(db, [training.partnership_id]).get(training.partnership_id),
        plan_text="",
        **dict.fromkeys(ANALYSIS_FIELDS, ""),
    )
    db.add(cycle)
    flush_unique(db, CYCLE_UNIQUE, "school_year", TAKEN)
    return cycle


TAKEN = "Deze training heeft al een cyclus voor dit schooljaar."


# ================================================================ reading one cycle


def get_cycle(db: Session, scope: Scope, cycle_id: int) -> ReviewCycle:
    cycle = db.get(
        ReviewCycle,
        check_id(cycle_id),
        options=[selectinload(ReviewCycle.training), selectinload(ReviewCycle.owner)],
    )
    if cycle is None:
        raise NotFound()
    scope.check(cycle.training.partnership_id)
    return cycle


def get_action(db: Session, scope: Scope, action_id: int) -> ImprovementAction:
    action = db.get(ImprovementAction, check_id(action_id))
    if action is None:
        raise NotFound()
    scope.check(action.cycle.training.partnership_id)
    return action


def training_safeguards(db: Session, training_id: int) -> list[Safeguard]:
    """The safeguards of the current framework the training serves, in the framework's order."""
    return list(
        db.scalars(
            select(Safeguard)
            .join(TrainingSafeguard, TrainingSafeguard.safeguard_id == Safeguard.id)
            .join(Framework, Framework.id == Safeguard.framework_id)
            .where(TrainingSafeguard.training_id == training_id, Framework.is_current.is_(True))
            .order_by(Safeguard.position)
        )
    )


def owner_choices(db: Session, partnership_id: int) -> list[User]:
    """The users who may own a cycle or an action of the partnership: enabled accounts that can read
    its cycles (admins, and its coordinators and steering members)."""
    linked = exists().where(
        user_partnership.c.user_id == User.id, user_partnership.c.partnership_id == partnership_id
    )
    return list(
        db.scalars(
            select(User)
            .where(User.is_enabled.is_(True), User.role.in_(OWNER_ROLES), or_(User.role == Role.ADMIN, linked))
            .order_by(User.name, User.email)
        )
    )


def _may_own(db: Session, user_id: int, partnership_id: int) -> bool:
    return any(u.id == user_id for u in owner_choices(db, partnership_id))


@dataclass
class Comparison:
    """One scale or grade question of the participants: the mean this year beside last year's
    (None where withheld by the anonymity threshold)."""

    text: str
    is_grade: bool
    this_count: int = 0
    this_mean: float | None = None
    last_count: int = 0
    last_mean: float | None = None


@dataclass
class CyclePage:
    cycle: ReviewCycle
    today: date
    statuses: dict[Phase, PhaseStatus]
    safeguards: list[Safeguard]
    goals: dict[int, str]
    carried: list[tuple[ImprovementAction, ActionState]]
    actions: list[tuple[ImprovementAction, ActionState]]
    sessions: list[rates.SessionRow]
    this_year: results.ResultSet | None = None
    last_year: results.ResultSet | None = None
    comparisons: list[Comparison] = field(default_factory=list)
    previous: ReviewCycle | None = None
    next: ReviewCycle | None = None

    @property
    def year_label(self) -> str:
        return school_year_label(self.cycle.school_year)

    @property
    def last_label(self) -> str:
        return school_year_label(self.cycle.school_year - 1)


def _comparisons(this_year: results.ResultSet, last_year: results.ResultSet) -> list[Comparison]:
    rows: dict[tuple, Comparison] = {}
    for rs, which in ((this_year, "this"), (last_year, "last")):
        for r in rs.results:
            if not r.type.has_mean:
                continue
            c = rows.setdefault((r.questionnaire_id, r.code, r.type), Comparison(r.text, r.type is QuestionType.GRADE))
            setattr(c, f"{which}_count", r.count)
            setattr(c, f"{which}_mean", r.mean)
    return list(rows.values())


def cycle_page(db: Session, scope: Scope, cycle_id: int, today: date, min_shown: int) -> CyclePage:
    """Everything the cycle page shows: a fixed number of statements."""
    cycle = get_cycle(db, scope, cycle_id)
    training = cycle.training
    goals = {g.safeguard_id: g.text for g in db.scalars(select(CycleGoal).where(CycleGoal.cycle_id == cycle.id))}
    carried = list(
        db.scalars(
            select(ImprovementAction)
            .join(ReviewCycle, ReviewCycle.id == ImprovementAction.cycle_id)
            .where(
                ReviewCycle.training_id == training.id,
                ReviewCycle.school_year < cycle.school_year,
                ImprovementAction.status.in_(OPEN_ACTION_STATUSES),
            )
            .options(selectinload(ImprovementAction.owner), selectinload(ImprovementAction.safeguard),
                     selectinload(ImprovementAction.cycle))
            .order_by(ReviewCycle.school_year.desc(), ImprovementAction.due_on, ImprovementAction.id)
        )
    )
    actions = list(
        db.scalars(
            select(ImprovementAction)
            .where(ImprovementAction.cycle_id == cycle.id)
            .options(selectinload(ImprovementAction.owner), selectinload(ImprovementAction.safeguard))
            .order_by(ImprovementAction.due_on, ImprovementAction.id)
        )
    )
    neighbours = {
        c.school_year: c
        for c in db.scalars(
            select(ReviewCycle).where(
                ReviewCycle.training_id == training.id,
                ReviewCycle.school_year.in_([cycle.school_year - 1, cycle.school_year + 1]),
            )
        )
    }
    this_year = results.results(
        db, scope, results.ResultFilters(training_id=training.id, school_year=cycle.school_year), min_shown,
        with_years=False, open_per_question=0,
    )
    last_year = results.results(
        db, scope, results.ResultFilters(training_id=training.id, school_year=cycle.school_year - 1), min_shown,
        with_years=False, open_per_question=0,
    )
    return CyclePage(
        cycle=cycle,
        today=today,
        statuses={phase: phase_status(cycle, phase, today) for phase in Phase},
        safeguards=training_safeguards(db, training.id),
        goals=goals,
        carried=[(a, action_state(a, today)) for a in carried],
        actions=[(a, action_state(a, today)) for a in actions],
        sessions=year_sessions(db, scope, training.id, cycle.school_year, today),
        this_year=this_year,
        last_year=last_year,
        comparisons=_comparisons(this_year, last_year),
        previous=neighbours.get(cycle.school_year - 1),
        next=neighbours.get(cycle.school_year + 1),
    )


def year_sessions(db: Session, scope: Scope, training_id: int, school_year: int, today: date) -> list[rates.SessionRow]:
    """Do: the training's sessions of the school year, each with the status of its trainer
    evaluation and its participants' response (the statement of evaluaties.results.rates)."""
    first, last = school_year_bounds(school_year)
    trainer = rates.with_trainer(rates.rate_query(scope, today).stmt, today)
    stmt = (
        trainer.stmt.add_columns(trainer.due, trainer.status)
        .where(TrainingSession.training_id == training_id, TrainingSession.date.between(first, last))
        .order_by(TrainingSession.date, TrainingSession.start_time, TrainingSession.id)
        .options(selectinload(TrainingSession.trainers))
    )
    return [
        rates.SessionRow(
            rates.RateRow(ts, t, p, int(links), int(invited), int(answers), closes, Status(status)),
            due,
            Status(trainer_status),
        )
        for ts, t, p, links, invited, answers, closes, status, due, trainer_status in db.execute(stmt)
    ]


# ================================================================ writing the cycle


def _manage_cycle(db: Session, scope: Scope, cycle_id: int) -> ReviewCycle:
    _require_manager(scope)
    return get_cycle(db, scope, cycle_id)


def save_plan(db: Session, scope: Scope, cycle_id: int, plan_text: str, goals: dict[int, str]) -> ReviewCycle:
    """Plan: the plan text and a goal per safeguard the training serves (an empty goal: none)."""
    cycle = _manage_cycle(db, scope, cycle_id)
    errors: dict[str, str] = {}
    plan_text = (plan_text or "").strip()
    check_text(errors, "plan_text", plan_text, limits.ANALYSIS, multiline=True)
    allowed = {sg.id for sg in training_safeguards(db, cycle.training_id)}
    cleaned: dict[int, str] = {}
    for safeguard_id, text in goals.items():
        if safeguard_id not in allowed:
            errors["goals"] = "Een doel hoort bij een waarborg die deze training dient."
            continue
        text = (text or "").strip()
        check_text(errors, f"goal_{safeguard_id}", text, limits.ANALYSIS, multiline=True)
        if text:
            cleaned[safeguard_id] = text
    if errors:
        raise ValidationError(errors)
    cycle.plan_text = plan_text
    existing = {g.safeguard_id: g for g in db.scalars(select(CycleGoal).where(CycleGoal.cycle_id == cycle.id))}
    for safeguard_id, goal in existing.items():
        if safeguard_id in allowed and safeguard_id not in cleaned:
            db.delete(goal)
    for safeguard_id, text in cleaned.items():
        if safeguard_id in existing:
            existing[safeguard_id].text = text
        else:
            db.add(CycleGoal(cycle_id=cycle.id, safeguard_id=safeguard_id, text=text))
    db.flush()
    return cycle


def save_analysis(db: Session, scope: Scope, cycle_id: int, answers: dict[str, str]) -> ReviewCycle:
    """Check: the written analysis, four questions."""
    cycle = _manage_cycle(db, scope, cycle_id)
    errors: dict[str, str] = {}
    cleaned = {}
    for name in ANALYSIS_FIELDS:
        text = (answers.get(name) or "").strip()
        check_text(errors, name, text, limits.ANALYSIS, multiline=True)
        cleaned[name] = text
    if cycle.check_done_at is not None:  # completed on four answers: it keeps them
        for name in unanswered(cleaned):
            errors.setdefault(name, "Check is afgerond, dus deze vraag blijft beantwoord. Heropen Check om haar leeg te laten.")
    if errors:
        raise ValidationError(errors)
    for name, text in cleaned.items():
        setattr(cycle, name, text)
    db.flush()
    return cycle


@dataclass
class CycleSettings:
    plan_due: date | None
    check_due: date | None
    act_due: date | None
    owner_id: int | None = None


def save_settings(db: Session, scope: Scope, cycle_id: int, data: CycleSettings) -> ReviewCycle:
    """The cycle's due dates (each within its school year, in the order of the phases) and owner."""
    cycle = _manage_cycle(db, scope, cycle_id)
    first, last = school_year_bounds(cycle.school_year)
    errors: dict[str, str] = {}
    for name in ("plan_due", "check_due", "act_due"):
        value = getattr(data, name)
        if value is None:
            errors[name] = "Vul een datum in."
        elif not first <= value <= last:
            errors[name] = (
                f"Kies een datum binnen het schooljaar {school_year_label(cycle.school_year)} "
                f"({first:%d-%m-%Y} tot en met {last:%d-%m-%Y})."
            )
    if not errors:
        assert data.plan_due is not None and data.check_due is not None and data.act_due is not None
        if data.check_due < data.plan_due:
            errors["check_due"] = "Check kan niet eerder klaar moeten zijn dan Plan."
        elif data.act_due < data.check_due:
            errors["act_due"] = "Act kan niet eerder klaar moeten zijn dan Check."
    partnership_id = cycle.training.partnership_id
    if data.owner_id is not None and not (_valid_id(data.owner_id) and _may_own(db, data.owner_id, partnership_id)):
        errors["owner_id"] = "Kies een eigenaar met toegang tot dit partnerschap."
    if errors:
        raise ValidationError(errors)
    assert data.plan_due is not None and data.check_due is not None and data.act_due is not None
    cycle.plan_due, cycle.check_due, cycle.act_due = data.plan_due, data.check_due, data.act_due
    cycle.owner_id = data.owner_id
    db.flush()
    return cycle


def lock_trainer_evaluations(db: Session, cycle: ReviewCycle, today: date) -> int:
    """Lock the trainer evaluations of the cycle's training in its school year, for the sessions held
    up to `today` (not cancelled): the rows that are missing are made locked, the others locked.
    Two statements. Returns the number of sessions whose evaluation is now locked."""
    first, last = school_year_bounds(cycle.school_year)
    now = utcnow()
    sessions = select(TrainingSession.id).where(
        TrainingSession.training_id == cycle.training_id,
        TrainingSession.date.between(first, min(last, today)),
        TrainingSession.cancelled_at.is_(None),
    )
    missing = sessions.where(
        ~exists().where(
            EvaluationRequest.session_id == TrainingSession.id, EvaluationRequest.audience == Audience.TRAINER
        )
    ).add_columns(literal(Audience.TRAINER.value), literal(now, EvaluationRequest.locked_at.type))
    made = rowcount(db.execute(
        conflict_insert(db, EvaluationRequest.__table__)
        .from_select(["session_id", "audience", "locked_at"], missing)
        .on_conflict_do_nothing(index_elements=["session_id", "audience"])
    )) or 0
    locked = rowcount(db.execute(
        update(EvaluationRequest)
        .where(
            EvaluationRequest.audience == Audience.TRAINER,
            EvaluationRequest.locked_at.is_(None),
            EvaluationRequest.session_id.in_(sessions),
        )
        .values(locked_at=now)
        .execution_options(synchronize_session=False)
    )) or 0
    if made + locked:
        record(
            db, AuditAction.LOCKED, "review_cycle", cycle.id, cycle.training.partnership_id,
            f"{made + locked} trainersevaluaties",
        )
    return made + locked


def complete_phase(db: Session, scope: Scope, cycle_id: int, phase: Phase, today: date) -> ReviewCycle:
    cycle = _manage_cycle(db, scope, cycle_id)
    if phase not in MANAGED_PHASES:
        raise ValidationError("Do loopt het hele schooljaar en is klaar als het schooljaar voorbij is.")
    if phase is Phase.CHECK and cycle.plan_done_at is None:
        raise ValidationError("Rond eerst Plan af.")
    if phase is Phase.ACT and cycle.check_done_at is None:
        raise ValidationError("Rond eerst Check af.")
    if phase is Phase.CHECK and unanswered({name: getattr(cycle, name) for name in ANALYSIS_FIELDS}):
        raise ValidationError("Beantwoord eerst de vier vragen van de analyse; dan kun je Check afronden.")
    column = f"{phase.value}_done_at"
    if getattr(cycle, column) is None:
        setattr(cycle, column, utcnow())
        if phase is Phase.CHECK:
            lock_trainer_evaluations(db, cycle, today)
    db.flush()
    return cycle


def reopen_phase(db: Session, scope: Scope, cycle_id: int, phase: Phase) -> ReviewCycle:
    """Reopen a completed phase while the phase after it is still open. Reopening Check leaves the
    trainer evaluations locked."""
    cycle = _manage_cycle(db, scope, cycle_id)
    if phase not in MANAGED_PHASES:
        raise ValidationError("Do kan niet worden heropend.")
    following = {Phase.PLAN: (cycle.check_done_at, "Check"), Phase.CHECK: (cycle.act_done_at, "Act")}.get(phase)
    if following and following[0] is not None:
        raise ValidationError(f"Heropen eerst {following[1]}.")
    setattr(cycle, f"{phase.value}_done_at", None)
    db.flush()
    return cycle


# ================================================================ improvement actions


@dataclass
class ActionData:
    description: str
    owner_id: int | None
    due_on: date | None
    finding: str = ""
    safeguard_id: int | None = None
    status: ActionStatus | None = ActionStatus.OPEN
    public: bool = False


def _validate_action(db: Session, cycle: ReviewCycle, data: ActionData, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    description = (data.description or "").strip()
    if not description:
        errors["description"] = "Beschrijf de verbeteractie."
    check_text(errors, "description", description, limits.ACTION, multiline=True)
    check_text(errors, "finding", (data.finding or "").strip(), limits.ACTION, multiline=True)
    partnership_id = cycle.training.partnership_id
    if data.owner_id is None:
        errors["owner_id"] = "Kies een eigenaar van de verbeteractie."
    elif not (_valid_id(data.owner_id) and _may_own(db, data.owner_id, partnership_id)):
        errors["owner_id"] = "Kies een eigenaar met toegang tot dit partnerschap."
    first, _last = school_year_bounds(cycle.school_year)
    if data.due_on is None:
        errors["due_on"] = "Vul de uiterste datum in."
    elif data.due_on < first:
        errors["due_on"] = (
            f"Kies een datum vanaf het begin van het schooljaar {school_year_label(cycle.school_year)} "
            f"({first:%d-%m-%Y})."
        )
    elif message := check_date_bounds(data.due_on, today):
        errors["due_on"] = message
    if data.safeguard_id is not None and data.safeguard_id not in {
        sg.id for sg in training_safeguards(db, cycle.training_id)
    }:
        errors["safeguard_id"] = "Kies een waarborg die deze training dient."
    if data.status is None:
        errors["status"] = "Kies een status."
    return errors


def _apply_action(action: ImprovementAction, data: ActionData, today: date) -> None:
    assert data.due_on is not None and data.status is not None  # validated (_action_errors)
    action.description = data.description.strip()
    action.finding = (data.finding or "").strip()
    action.owner_id = data.owner_id
    action.due_on = data.due_on
    action.safeguard_id = data.safeguard_id
    if data.status is ActionStatus.DONE and action.status is not ActionStatus.DONE:
        action.done_on = today
    elif data.status is not ActionStatus.DONE:
        action.done_on = None
    action.status = data.status
    action.public = bool(data.public)


def add_action(db: Session, scope: Scope, cycle_id: int, data: ActionData, today: date) -> ImprovementAction:
    cycle = _manage_cycle(db, scope, cycle_id)
    if errors := _validate_action(db, cycle, data, today):
        raise ValidationError(errors)
    action = ImprovementAction(cycle_id=cycle.id)
    _apply_action(action, data, today)
    db.add(action)
    db.flush()
    return action


def update_action(db: Session, scope: Scope, action_id: int, data: ActionData, today: date) -> ImprovementAction:
    """Also for an action carried over from an earlier year: re-date it, or close it."""
    _require_manager(scope)
    action = get_action(db, scope, action_id)
    if errors := _validate_action(db, action.cycle, data, today):
        raise ValidationError(errors)
    _apply_action(action, data, today)
    db.flush()
    return action


def delete_action(db: Session, scope: Scope, action_id: int) -> ReviewCycle:
    _require_manager(scope)
    action = get_action(db, scope, action_id)
    cycle = action.cycle
    db.delete(action)
    db.flush()
    return cycle


# ================================================================ lists


@dataclass
class CycleFilters:
    partnership_id: int | None = None
    school_year: int | None = None
    overdue: bool = False


@dataclass
class CycleRow:
    cycle: ReviewCycle
    training: Training
    partnership_name: str
    open_actions: int
    overdue_actions: int
    statuses: dict[Phase, PhaseStatus]


def any_phase_overdue_sql(today: date):
    return or_(*(phase_overdue_sql(p, today) for p in MANAGED_PHASES))


def overdue_phase_count_sql(today: date):
    return sum(case((phase_overdue_sql(p, today), 1), else_=0) for p in MANAGED_PHASES)


def _cycle_conditions(scope: Scope, f: CycleFilters, today: date) -> list:
    conditions = [scope.condition(Training.partnership_id)]
    if f.partnership_id is not None:
        conditions.append(Training.partnership_id == f.partnership_id)
    if f.school_year is not None:
        conditions.append(ReviewCycle.school_year == f.school_year)
    if f.overdue:
        conditions.append(any_phase_overdue_sql(today))
    return conditions


def list_cycles(
    db: Session, scope: Scope, f: CycleFilters, today: date, page: int = 1, page_size: int = 25
) -> Page:
    """Cycles with their derived phase statuses and action counts: two statements. Filtering on
    another partnership is Forbidden."""
    if f.partnership_id is not None:
        scope.check(f.partnership_id)
    base = (
        select(ReviewCycle.id)
        .join(Training, Training.id == ReviewCycle.training_id)
        .where(*_cycle_conditions(scope, f, today))
    )
    total = db.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    page = clamp_page(page, total, page_size)
    a = aliased(ImprovementAction)
    open_actions = (
        select(func.count()).where(a.cycle_id == ReviewCycle.id, a.status.in_(OPEN_ACTION_STATUSES))
    ).scalar_subquery()
    overdue_actions = (
        select(func.count())
        .select_from(ImprovementAction)
        .where(ImprovementAction.cycle_id == ReviewCycle.id, action_overdue_sql(today))
        .correlate(ReviewCycle)
    ).scalar_subquery()
    rows = db.execute(
        select(ReviewCycle, Training, Partnership.name, open_actions, overdue_actions)
        .join(Training, Training.id == ReviewCycle.training_id)
        .join(Partnership, Partnership.id == Training.partnership_id)
        .where(*_cycle_conditions(scope, f, today))
        .order_by(ReviewCycle.school_year.desc(), func.lower(Training.title), ReviewCycle.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return Page(
        [
            CycleRow(c, t, pname, int(n_open), int(n_overdue), {p: phase_status(c, p, today) for p in Phase})
            for c, t, pname, n_open, n_overdue in rows
        ],
        total,
        page,
        page_size,
    )


def cycle_years(db: Session, scope: Scope, today: date) -> list[int]:
    """School years that have cycles within scope, and the current one, newest first."""
    years = set(
        db.scalars(
            select(ReviewCycle.school_year)
            .join(Training, Training.id == ReviewCycle.training_id)
            .where(scope.condition(Training.partnership_id))
            .distinct()
        )
    )
    years.add(school_year_of(today))
    return sorted(years, reverse=True)


def active_trainings(db: Session, scope: Scope, today: date) -> list[tuple[int, str, str]]:
    """Active trainings within scope, for the "open a cycle" menu: (id, title, partnership)."""
    return [
        (tid, title, partnership)
        for tid, title, partnership in db.execute(
            select(Training.id, Training.title, Partnership.name)
            .join(Partnership, Partnership.id == Training.partnership_id)
            .where(Training.active.is_(True), scope.condition(Training.partnership_id))
            .order_by(Training.title, Training.id)
        )
    ]


@dataclass
class ActionRow:
    action: ImprovementAction
    cycle: ReviewCycle
    training: Training
    partnership_name: str
    owner_name: str | None  # None: the owner's account was removed (anonymised)
    state: ActionState


ACTION_STATES = {"te-laat": "Te laat", "open": "Open (nog niet klaar)", "alle": "Alle"}


def list_actions(
    db: Session,
    scope: Scope,
    today: date,
    partnership_id: int | None = None,
    which: str = "open",
    page: int = 1,
    page_size: int = 25,
    where: Sequence = (),
) -> Page:
    """Improvement actions: overdue ones ("te-laat"), open ones, or all; the earliest due first.
    Two statements. Filtering on another partnership is Forbidden."""
    if partnership_id is not None:
        scope.check(partnership_id)
    conditions = [scope.condition(Training.partnership_id), *where]
    if partnership_id is not None:
        conditions.append(Training.partnership_id == partnership_id)
    if which == "te-laat":
        conditions.append(action_overdue_sql(today))
    elif which == "open":
        conditions.append(ImprovementAction.status.in_(OPEN_ACTION_STATUSES))
    stmt = (
        select(ImprovementAction, ReviewCycle, Training, Partnership.name, User.name, action_state_sql(today))
        .join(ReviewCycle, ReviewCycle.id == ImprovementAction.cycle_id)
        .join(Training, Training.id == ReviewCycle.training_id)
        .join(Partnership, Partnership.id == Training.partnership_id)
        .outerjoin(User, User.id == ImprovementAction.owner_id)
        .where(*conditions)
    )
    total = db.execute(select(func.count()).select_from(stmt.with_only_columns(ImprovementAction.id).subquery())).scalar_one()
    page = clamp_page(page, total, page_size)
    rows = db.execute(
        stmt.order_by(ImprovementAction.due_on, ImprovementAction.id).limit(page_size).offset((page - 1) * page_size)
    ).all()
    return Page(
        [ActionRow(a, c, t, pname, oname, ActionState(state)) for a, c, t, pname, oname, state in rows],
        total,
        page,
        page_size,
    )


# ================================================================ the dashboard


@dataclass
class DashboardCycles:
    """Overdue phases and overdue improvement actions for the dashboard: the headline counts and
    the first rows of each list."""

    overdue_phases: int
    overdue_cycles: list[tuple[ReviewCycle, Training, list[Phase]]]
    overdue_actions: int
    actions: list[ActionRow]


def dashboard_cycles(
    db: Session, scope: Scope, reference: date, training_where: Sequence, school_year: int | None, rows: int
) -> DashboardCycles:
    """Two statements: each list with its total as a window count over the same rows.
    `training_where`: the dashboard's selection on Training."""
    phases = overdue_phase_count_sql(reference)
    conditions = [*training_where, any_phase_overdue_sql(reference)]
    if school_year is not None:
        conditions.append(ReviewCycle.school_year == school_year)
    cycle_rows = db.execute(
        select(ReviewCycle, Training, func.sum(phases).over())
        .join(Training, Training.id == ReviewCycle.training_id)
        .where(*conditions)
        .order_by(ReviewCycle.school_year, func.lower(Training.title), ReviewCycle.id)
        .limit(rows)
    ).all()
    action_conditions = [*training_where, action_overdue_sql(reference)]
    if school_year is not None:
        action_conditions.append(ReviewCycle.school_year == school_year)
    action_rows = db.execute(
        select(
            ImprovementAction, ReviewCycle, Training, Partnership.name, User.name,
            action_state_sql(reference), func.count().over(),
        )
        .join(ReviewCycle, ReviewCycle.id == ImprovementAction.cycle_id)
        .join(Training, Training.id == ReviewCycle.training_id)
        .join(Partnership, Partnership.id == Training.partnership_id)
        .outerjoin(User, User.id == ImprovementAction.owner_id)
        .where(*action_conditions)
        .order_by(ImprovementAction.due_on, ImprovementAction.id)
        .limit(rows)
    ).all()
    return DashboardCycles(
        overdue_phases=int(cycle_rows[0][2]) if cycle_rows else 0,
        overdue_cycles=[
            (c, t, [p for p in MANAGED_PHASES if phase_status(c, p, reference) is PhaseStatus.OVERDUE])
            for c, t, _n in cycle_rows
        ],
        overdue_actions=int(action_rows[0][6]) if action_rows else 0,
        actions=[ActionRow(a, c, t, pn, on, ActionState(st)) for a, c, t, pn, on, st, _n in action_rows],
    )


# ================================================================ you said, we did


SHOWN_PUBLIC = (ActionStatus.DONE, ActionStatus.IN_PROGRESS)


def public_actions(db: Session, session_id: int | None) -> list[ImprovementAction]:
    """"Wat we met jullie feedback deden": the public actions, done or in progress, of the
    session's training in the cycles of the session's school year and the one before. No scope:
    what is public is meant for the participants. One statement (none without a session)."""
    if not _valid_id(session_id):
        return []
    return list(db.scalars(_public_actions_statement(), {"session_id": session_id}))


@functools.cache
def _public_actions_statement():
    """public_actions' statement, with the session as a parameter: built once per process, as it
    is on the path of every anonymous answer page."""
    year = TrainingSession.school_year
    return (
        select(ImprovementAction)
        .join(ReviewCycle, ReviewCycle.id == ImprovementAction.cycle_id)
        .join(TrainingSession, TrainingSession.training_id == ReviewCycle.training_id)
        .where(
            TrainingSession.id == bindparam("session_id"),
            ReviewCycle.school_year.between(year - 1, year),
            ImprovementAction.public.is_(True),
            ImprovementAction.status.in_(SHOWN_PUBLIC),
        )
        .order_by(ImprovementAction.due_on.desc(), ImprovementAction.id)
    )


__all__ = [
    "ActionData",
    "CycleFilters",
    "CycleSettings",
    "add_action",
    "complete_phase",
    "cycle_page",
    "list_actions",
    "list_cycles",
    "open_cycle",
    "open_cycles",
    "public_actions",
    "reopen_phase",
    "save_analysis",
    "save_plan",
    "save_settings",
]
