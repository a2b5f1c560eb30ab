"""The partnership's side of the review cycle: its calendar settings, its yearly cycle with a
summary per safeguard beside the state of the trainings' cycles, and the next peer review.

Readers (admins, the partnership's coordinators and steering members) see the cycle and the peer
review; admins and the partnership's coordinators change the calendar and the summaries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

from sqlalchemy import and_, case, delete, func, select
from sqlalchemy.orm import Session

from kwaliteit import limits
from kwaliteit.accounts.models import Role
from kwaliteit.cycles import calendar as cal
from kwaliteit.cycles.models import (
    OPEN_ACTION_STATUSES,
    PEER_REVIEW_YEARS_RANGE,
    ActionStatus,
    CycleCalendar,
    ImprovementAction,
    PartnershipCycle,
    ReviewCycle,
    SafeguardSummary,
)
from kwaliteit.cycles.status import Phase, action_overdue_sql, phase_overdue_sql
from kwaliteit.db import conflict_insert, ensure_row
from kwaliteit.framework.models import Framework, Safeguard
from kwaliteit.framework.services import current_safeguards
from kwaliteit.registry.models import Partnership
from kwaliteit.scope import Forbidden, NotFound, Scope
from kwaliteit.sqldates import plus_years, school_year_label, school_year_of
from kwaliteit.trainings.models import Training, TrainingSafeguard
from kwaliteit.validation import (
    EARLIEST_DATE,
    MAX_YEARS_AHEAD,
    ValidationError,
    check_date_bounds,
    check_text,
)

READER_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.STEERING)


def require_reader(scope: Scope, partnership_id: int) -> None:
    if scope.role not in READER_ROLES:
        raise Forbidden()
    scope.check(partnership_id)


def require_manager(scope: Scope, partnership_id: int) -> None:
    if not scope.may_manage():
        raise Forbidden()
    scope.check(partnership_id)


def get_partnership(db: Session, scope: Scope, partnership_id: int, *, manage: bool = False) -> Partnership:
    """The partnership, or NotFound; Forbidden outside the reader's (or manager's) scope."""
    partnership = db.get(Partnership, partnership_id)
    if partnership is None:
        raise NotFound()
    (require_manager if manage else require_reader)(scope, partnership_id)
    return partnership


# ================================================================ calendar settings

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_DAY_MONTH = re.compile(r"(\d{1,2})\s*[-/.]\s*(\d{1,2})")

DAY_MONTH_FORMAT = "Vul een dag en maand in als dd-mm, bijvoorbeeld 01-10 voor 1 oktober."
LEAP_DAY = "29 februari bestaat niet in elk schooljaar. Kies 28 februari of 1 maart."
LABELS = {
    "opens_on": "de opening van de cycli",
    "plan_due": "de termijn van Plan",
    "check_due": "de termijn van Check",
    "act_due": "de termijn van Act",
}


def day_month_label(month_day: str) -> str:
    """ "10-01" → "1 oktober"."""
    return f"{int(month_day[3:])} {MONTHS[int(month_day[:2]) - 1]}"


def day_month_input(month_day: str | None) -> str:
    """ "10-01" → "01-10", as the form shows it (dd-mm)."""
    return f"{month_day[3:]}-{month_day[:2]}" if month_day else ""


def parse_day_month(text: str) -> str:
    """A typed day and month (dd-mm) as "MM-DD"; ValueError with the Dutch message otherwise."""
    m = _DAY_MONTH.fullmatch(text.strip())
    if not m:
        raise ValueError(DAY_MONTH_FORMAT)
    day, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"Er is geen maand {month}. {DAY_MONTH_FORMAT}")
    if not 1 <= day <= DAYS_IN_MONTH[month - 1]:
        raise ValueError(f"{MONTHS[month - 1].capitalize()} heeft geen {day} dagen.")
    if (month, day) == (2, 29):
        raise ValueError(LEAP_DAY)
    return f"{month:02d}-{day:02d}"


def school_year_position(month_day: str) -> tuple[int, int]:
    """Order within the school year (August first, July last)."""
    return (int(month_day[:2]) - 8) % 12, int(month_day[3:])


@dataclass
class CalendarData:
    """The form's input: day-month texts as typed (empty: the default), the peer review cycle."""

    opens_on: str = ""
    plan_due: str = ""
    check_due: str = ""
    act_due: str = ""
    peer_review_years: int | None = None
    last_peer_review: date | None = None


def save_calendar(
    db: Session, scope: Scope, partnership_id: int, data: CalendarData, today: date
) -> CycleCalendar:
    """Store the calendar; empty fields keep the default. The four days must follow each other
    within the school year (August to July): opening, Plan, Check, Act."""
    get_partnership(db, scope, partnership_id, manage=True)
    errors: dict[str, str] = {}
    parsed: dict[str, str | None] = {}
    for name in cal.DAY_FIELDS:
        text = getattr(data, name) or ""
        check_text(errors, name, text, 20)
        if name in errors:
            continue
        if not text.strip():
            parsed[name] = None
            continue
        try:
            parsed[name] = parse_day_month(text)
        except ValueError as exc:
            errors[name] = str(exc)
    if not errors:
        effective = {name: parsed[name] or getattr(cal.DEFAULTS, name) for name in cal.DAY_FIELDS}
        for before, after in pairwise(cal.DAY_FIELDS):
            first, then = effective[before], effective[after]
            if school_year_position(then) <= school_year_position(first):
                errors[after] = (
                    f"{LABELS[after].capitalize()} ({day_month_label(then)}) moet in het schooljaar "
                    f"(augustus tot en met juli) na {LABELS[before]} ({day_month_label(first)}) vallen."
                )
                break
    low, high = PEER_REVIEW_YEARS_RANGE
    if data.peer_review_years is not None and not low <= data.peer_review_years <= high:
        errors["peer_review_years"] = f"Kies een aantal jaren van {low} tot en met {high}."
    if data.last_peer_review is not None:
        if data.last_peer_review > today:
            errors["last_peer_review"] = (
                "De laatste peer review ligt in de toekomst. Vul de datum in waarop hij was."
            )
        elif message := check_date_bounds(data.last_peer_review, today):
            errors["last_peer_review"] = message
    if errors:
        raise ValidationError(errors)
    row = ensure_row(db, CycleCalendar, partnership_id=partnership_id)
    row.opens_on, row.plan_due = parsed["opens_on"], parsed["plan_due"]
    row.check_due, row.act_due = parsed["check_due"], parsed["act_due"]
    row.peer_review_years = data.peer_review_years
    row.last_peer_review = data.last_peer_review
    db.add(row)
    db.flush()
    return row


def calendar_row(db: Session, scope: Scope, partnership_id: int) -> CycleCalendar | None:
    get_partnership(db, scope, partnership_id, manage=True)
    return db.get(CycleCalendar, partnership_id)


# ================================================================ the next peer review


@dataclass
class PeerReview:
    """When the partnership's next peer review is due, as seen on `reference`."""

    partnership_id: int
    partnership_name: str
    years: int  # every so many years
    last: date | None
    reference: date

    @property
    def next(self) -> date | None:
        """The last peer review plus the interval; unknown without a last one."""
        return plus_years(self.last, self.years) if self.last else None

    @property
    def days_left(self) -> int | None:
        return (self.next - self.reference).days if self.next else None

    @property
    def overdue(self) -> bool:
        return self.next is not None and self.next < self.reference

    @property
    def months_left(self) -> int | None:
        """Whole months from the reference date to the next peer review (negative when past)."""
        if self.next is None:
            return None
        a, b = (self.reference, self.next) if not self.overdue else (self.next, self.reference)
        months = (b.year - a.year) * 12 + b.month - a.month - (b.day < a.day)
        return months if not self.overdue else -months

    @property
    def countdown(self) -> str:
        """The countdown in words: "over 14 maanden (438 dagen)", "vandaag", "3 dagen te laat"."""
        days, months = self.days_left, self.months_left
        if days is None:
            return "onbekend: vul de datum van de laatste peer review in"
        if days == 0:
            return "vandaag"
        n = abs(days)
        day_text = f"{n} dag{'' if n == 1 else 'en'}"
        if self.overdue:
            return f"{day_text} over de termijn"
        if months:
            return f"over {months} maand{'' if months == 1 else 'en'} ({day_text})"
        return f"over {day_text}"


def peer_reviews(
    db: Session, scope: Scope, reference: date, partnership_ids: list[int] | None = None
) -> list[PeerReview]:
    """The next peer review of each partnership within scope (or of those given): one statement."""
    stmt = (
        scope.filter(
            select(
                Partnership.id,
                Partnership.name,
                CycleCalendar.peer_review_years,
                CycleCalendar.last_peer_review,
            ),
            Partnership.id,
        )
        .outerjoin(CycleCalendar, CycleCalendar.partnership_id == Partnership.id)
        .order_by(Partnership.name, Partnership.id)
    )
    if partnership_ids is not None:
        stmt = stmt.where(Partnership.id.in_(sorted(partnership_ids)))
    return [
        PeerReview(pid, name, years or cal.DEFAULTS.peer_review_years, last, reference)
        for pid, name, years, last in db.execute(stmt)
    ]


# ================================================================ the yearly partnership cycle


def _insert_ignoring_duplicates(db: Session, rows: list[dict]) -> None:
    """Insert partnership cycles; one that exists (a second run, a race) is left as it is."""
    if not rows:
        return
    db.execute(
        conflict_insert(db, PartnershipCycle)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["partnership_id", "school_year"])
    )


def open_partnership_cycles(db: Session, today: date) -> int:
    """Open the cycle of the current school year for every partnership whose calendar's opening
    day has come. Idempotent: a second run (or a run after downtime) opens only what is missing.
    Three statements; returns the number opened. For the scheduler and the CLI."""
    from kwaliteit.models_base import utcnow

    year = school_year_of(today)
    existing = set(
        db.scalars(select(PartnershipCycle.partnership_id).where(PartnershipCycle.school_year == year))
    )
    due = [
        pid
        for pid, opens in db.execute(
            select(Partnership.id, CycleCalendar.opens_on).outerjoin(
                CycleCalendar, CycleCalendar.partnership_id == Partnership.id
            )
        )
        if pid not in existing and cal.date_in_school_year(opens or cal.DEFAULTS.opens_on, year) <= today
    ]
    now = utcnow()
    _insert_ignoring_duplicates(
        db, [{"partnership_id": pid, "school_year": year, "created_at": now} for pid in due]
    )
    return len(due)


@dataclass
class SafeguardState:
    """Per safeguard: the partnership's summary, and the state of the year's cycles of the
    trainings that serve it (a training serving two safeguards counts under both)."""

    safeguard: Safeguard
    summary: str = ""
    cycles: int = 0
    plan_done: int = 0
    check_done: int = 0
    act_done: int = 0
    plan_overdue: int = 0
    check_overdue: int = 0
    act_overdue: int = 0
    actions_open: int = 0
    actions_overdue: int = 0
    actions_done: int = 0

    @property
    def overdue(self) -> int:
        return self.plan_overdue + self.check_overdue + self.act_overdue


@dataclass
class CyclePage:
    partnership: Partnership
    school_year: int
    exists: bool  # the cycle has been opened (by the scheduler or a first save)
    calendar: cal.Calendar
    due: cal.DueDates
    peer_review: PeerReview
    safeguards: list[SafeguardState] = field(default_factory=list)
    actions_without_safeguard: int = 0

    @property
    def year_label(self) -> str:
        return school_year_label(self.school_year)


def current_links():
    """TrainingSafeguard links to the current framework's safeguards, as a subquery."""
    return (
        select(TrainingSafeguard.training_id, TrainingSafeguard.safeguard_id, TrainingSafeguard.rationale)
        .join(Safeguard, Safeguard.id == TrainingSafeguard.safeguard_id)
        .join(Framework, Framework.id == Safeguard.framework_id)
        .where(Framework.is_current.is_(True))
        .subquery("current_links")
    )


def check_school_year(year: int, today: date) -> None:
    if not EARLIEST_DATE.year <= year <= today.year + MAX_YEARS_AHEAD:
        raise ValidationError({"schooljaar": "Kies een schooljaar uit de lijst."})


def cycle_page(db: Session, scope: Scope, partnership_id: int, year: int, today: date) -> CyclePage:
    """The partnership's cycle of a school year, per safeguard beside the trainings' cycles:
    a fixed number of statements (partnership, calendar, safeguards, summaries, two GROUP BYs)."""
    partnership = get_partnership(db, scope, partnership_id)
    check_school_year(year, today)
    calendar = calendar_for_partnership(db, partnership_id)
    safeguards = current_safeguards(db)
    states = {sg.id: SafeguardState(sg) for sg in safeguards}
    cycle_id = db.scalar(
        select(PartnershipCycle.id).where(
            PartnershipCycle.partnership_id == partnership_id, PartnershipCycle.school_year == year
        )
    )
    if cycle_id is not None:
        for sid, text in db.execute(
            select(SafeguardSummary.safeguard_id, SafeguardSummary.text).where(
                SafeguardSummary.cycle_id == cycle_id
            )
        ):
            if sid in states:
                states[sid].summary = text
    links = current_links()

    def done(column):
        return func.sum(case((column.is_not(None), 1), else_=0))

    def overdue(phase):
        return func.sum(case((phase_overdue_sql(phase, today), 1), else_=0))

    for sid, n, pd, cd, ad, po, co, ao in db.execute(
        select(
            links.c.safeguard_id,
            func.count(),
            done(ReviewCycle.plan_done_at),
            done(ReviewCycle.check_done_at),
            done(ReviewCycle.act_done_at),
            overdue(Phase.PLAN),
            overdue(Phase.CHECK),
            overdue(Phase.ACT),
        )
        .select_from(ReviewCycle)
        .join(Training, Training.id == ReviewCycle.training_id)
        .join(links, links.c.training_id == Training.id)
        .where(Training.partnership_id == partnership_id, ReviewCycle.school_year == year)
        .group_by(links.c.safeguard_id)
    ):
        s = states[sid]
        s.cycles, s.plan_done, s.check_done, s.act_done = int(n), int(pd or 0), int(cd or 0), int(ad or 0)
        s.plan_overdue, s.check_overdue, s.act_overdue = int(po or 0), int(co or 0), int(ao or 0)
    without = 0
    for sid, n_open, n_overdue, n_done in db.execute(
        select(
            ImprovementAction.safeguard_id,
            func.sum(case((ImprovementAction.status.in_(OPEN_ACTION_STATUSES), 1), else_=0)),
            func.sum(case((action_overdue_sql(today), 1), else_=0)),
            func.sum(case((ImprovementAction.status == ActionStatus.DONE, 1), else_=0)),
        )
        .join(ReviewCycle, ReviewCycle.id == ImprovementAction.cycle_id)
        .join(Training, Training.id == ReviewCycle.training_id)
        .where(Training.partnership_id == partnership_id, ReviewCycle.school_year == year)
        .group_by(ImprovementAction.safeguard_id)
    ):
        if sid in states:
            s = states[sid]
            s.actions_open, s.actions_overdue, s.actions_done = (
                int(n_open or 0),
                int(n_overdue or 0),
                int(n_done or 0),
            )
        else:  # no safeguard, or one of an earlier framework
            without += int(n_open or 0) + int(n_done or 0)
    return CyclePage(
        partnership=partnership,
        school_year=year,
        exists=cycle_id is not None,
        calendar=calendar,
        due=cal.due_dates(calendar, year),
        peer_review=PeerReview(
            partnership_id, partnership.name, calendar.peer_review_years, calendar.last_peer_review, today
        ),
        safeguards=list(states.values()),
        actions_without_safeguard=without,
    )


def calendar_for_partnership(db: Session, partnership_id: int) -> cal.Calendar:
    return cal.calendar_for(db, partnership_id)


def save_summaries(
    db: Session, scope: Scope, partnership_id: int, year: int, texts: dict[int, str], today: date
) -> PartnershipCycle:
    """Store the summary per safeguard (an empty text removes it), opening the year's cycle when
    it is not open yet. `texts`: current safeguard id → text."""
    get_partnership(db, scope, partnership_id, manage=True)
    check_school_year(year, today)
    current = {sg.id for sg in current_safeguards(db)}
    errors: dict[str, str] = {}
    for sid, text in texts.items():
        if sid not in current:
            errors[f"waarborg_{sid}"] = "Deze waarborg hoort niet bij het huidige kwaliteitskader."
        else:
            check_text(errors, f"waarborg_{sid}", text, limits.ANALYSIS, multiline=True)
    if errors:
        raise ValidationError(errors)
    from kwaliteit.models_base import utcnow

    _insert_ignoring_duplicates(
        db, [{"partnership_id": partnership_id, "school_year": year, "created_at": utcnow()}]
    )
    cycle = db.scalars(
        select(PartnershipCycle).where(
            PartnershipCycle.partnership_id == partnership_id, PartnershipCycle.school_year == year
        )
    ).one()
    # An upsert per safeguard: two saves at once end with one summary each, never a key error.
    for sid, text in texts.items():
        text = text.strip()
        if not text:
            db.execute(delete(SafeguardSummary).where(SafeguardSummary.cycle_id == cycle.id,
                                                      SafeguardSummary.safeguard_id == sid))
            continue
        db.execute(
            conflict_insert(db, SafeguardSummary)
            .values(cycle_id=cycle.id, safeguard_id=sid, text=text)
            .on_conflict_do_update(index_elements=["cycle_id", "safeguard_id"], set_={"text": text})
        )
    db.flush()
    db.expire(cycle, ["summaries"])
    return cycle


def summaries_by_year(db: Session, partnership_id: int, first: int, last: int) -> dict[tuple[int, int], str]:
    """(school year, safeguard id) → the partnership's summary, for the dossier: one statement."""
    return {
        (int(year), sid): text
        for year, sid, text in db.execute(
            select(PartnershipCycle.school_year, SafeguardSummary.safeguard_id, SafeguardSummary.text)
            .join(SafeguardSummary, SafeguardSummary.cycle_id == PartnershipCycle.id)
            .where(
                and_(
                    PartnershipCycle.partnership_id == partnership_id,
                    PartnershipCycle.school_year.between(first, last),
                )
            )
        )
    }
