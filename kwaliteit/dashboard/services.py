"""The steering dashboard: set-based queries over a selection, as of a reference date.

Every function takes the database Session, the caller's Scope and a `Filters` with the reference
date (peildatum); nothing reads the clock. A dashboard is a fixed number of statements whatever the
data size: each measure is one GROUP BY (by partnership, school year, training or composition), and
the headline totals and the region's side-by-side columns are the same grouped rows, added up.

Definitions (the README's dashboard section says them in Dutch):
- The selection: sessions of trainings within scope, of the chosen partnership and training kind; a
  board selects the sessions whose training has a responsible organisation in that board (the board
  itself or one of its schools), or whose trainers work there. The school year, when chosen,
  narrows the session lists and counts to sessions of that year.
- Statuses and due dates are those of evaluaties.answers.status, derived from the reference date.
  What was submitted or answered is taken as it is now: the reference date moves the deadlines, not
  the record.
- Participant figures (ratings, means per safeguard, the composition split, "evaluated" sessions
  and evaluation evidence) read only released answers: the release rule of
  evaluaties.results.anonymity (a session's link answers and its imported answers each count on
  their own towards MIN_ANSWERS_SHOWN). Response rates are counts, as on the response page.
- The overall rating is the participant question with code `totaal`. Version 1 of the default
  questionnaire asked it on a scale of 1-5, later versions as a grade of 1-10: the two are never
  mixed, each is its own series.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    SQLColumnExpression,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased, selectinload

from evaluaties.answers.requests import OWED, trainer_evaluation_overview
from evaluaties.answers.status import (
    LONGEST_PARTICIPANT_WINDOW_DAYS,
    Status,
    trainer_due_date,
)
from evaluaties.questionnaires.models import GRADE_FACTOR, Audience, Question, QuestionType
from evaluaties.results import anonymity, rates
from evaluaties.results import services as results
from evaluaties.results.models import ALL_RESPONSES, NO_VALUE, AnswerTally, ResponseTally
from kwaliteit.certification import figures as register_figures
from kwaliteit.certification import flags as register_flags
from kwaliteit.cycles import services as cycle_services
from kwaliteit.cycles.partnership import peer_reviews
from kwaliteit.framework.models import Framework, Safeguard
from kwaliteit.framework.services import current_safeguards
from kwaliteit.pagination import Page, clamp_page
from kwaliteit.registry.models import Organisation, OrganisationKind, Partnership, Person
from kwaliteit.registry.services import threshold_expression
from kwaliteit.scope import Scope
from kwaliteit.sqldates import school_year_bounds, school_year_label, school_year_of
from kwaliteit.trainings.models import (
    Training,
    TrainingKind,
    TrainingSafeguard,
    TrainingSession,
    session_trainer,
    training_organisation,
)
from kwaliteit.trainings.services import overview
from kwaliteit.validation import ValidationError

# "Due within the next days" on the dashboard: a week, the rhythm of a coordinator's follow-up.
DUE_WITHIN_DAYS = 7
# A session needs participant links from this many days before it (QR cards are printed ahead).
LINKS_AHEAD_DAYS = 14
# Response rate under this percentage counts as low (a filter of the dashboard, 1-100).
DEFAULT_LOW_PCT = rates.DEFAULT_LOW_THRESHOLD_PCT
# School years in the trends: the current one and the ones before it.
TREND_YEARS = 5
# Rows of a list shown on the dashboard itself; the full list is one click away.
DASHBOARD_ROWS = 10
# Rows per list in the "what needs me" panel.
PANEL_ROWS = 5
# Above this many trainings, the dashboard shows the coverage matrix and the overall rating per
# partnership and kind of training (a region has hundreds); per training is one click away.
TRAINING_ROWS = 30
# The overall rating question of the participant questionnaires (stable across versions).
OVERALL_RATING_CODE = "totaal"

# The scales the overall rating is asked on: a grade (1-10, in tenths) or, in older versions, 1-5.
RATING_TYPES = (QuestionType.GRADE, QuestionType.SCALE)


# ================================================================ the release rule
# evaluaties.results.anonymity decides what may be part of a figure; the dashboard reads only
# participant answers, so it narrows the rule to them.


# The release rule over tally rows: each row's group count, joined (anonymity.GroupJoin).
_ANSWER_GROUP = anonymity.group_join(AnswerTally)


def _released(min_shown: int) -> ColumnElement[bool]:
    """Condition on answer tally rows joined with _ANSWER_GROUP (see _from_tally): participant
    answers that may be part of a figure."""
    return and_(AnswerTally.audience == Audience.PARTICIPANT, _ANSWER_GROUP.condition(min_shown))


def _released_groups_of_session(group, min_shown: int) -> list[ColumnElement[bool]]:
    """Conditions on `group` (an aliased ResponseTally), correlated on TrainingSession and its
    Training: the session's participant groups that the release rule lets out."""
    return [
        group.session_id == TrainingSession.id,
        group.safeguard == ALL_RESPONSES,
        group.audience == Audience.PARTICIPANT,
        group.source.in_(anonymity.PARTICIPANT_SOURCES),
        group.responses >= threshold_expression(Training.partnership_id, min_shown),
    ]


def _evaluated(min_shown: int) -> ColumnElement[bool]:
    """Condition on TrainingSession, with its Training in the statement: it has released
    participant results (evaluation evidence). A lookup of the session's groups in the tally: its
    largest participant group against the threshold. (As an EXISTS, PostgreSQL hashed every
    released group of every partnership instead: 127,000 rows for one partnership's dashboard at
    country size.)"""
    group = aliased(ResponseTally, name="evaluated_group")
    largest = (
        select(func.max(group.responses))
        .where(
            group.session_id == TrainingSession.id,
            group.safeguard == ALL_RESPONSES,
            group.audience == Audience.PARTICIPANT,
            group.source.in_(anonymity.PARTICIPANT_SOURCES),
        )
        .correlate(TrainingSession)
        .scalar_subquery()
    )
    return largest >= threshold_expression(Training.partnership_id, min_shown)


# ================================================================ filters


@dataclass(frozen=True)
class Filters:
    reference: date
    partnership_id: int | None = None
    board_id: int | None = None
    school_year: int | None = None  # None: every school year
    kind: TrainingKind | None = None
    low_pct: int = DEFAULT_LOW_PCT
    trainer_id: int | None = None  # the lists only: what one trainer owes

    @property
    def year(self) -> int:
        """The school year of the coverage matrix and the "current" year of the trends: the chosen
        one, else the one of the reference date."""
        return self.school_year if self.school_year is not None else school_year_of(self.reference)

    @property
    def year_label(self) -> str:
        return school_year_label(self.year)


def _board_member(org, board_id: int) -> ColumnElement[bool]:
    """An organisation of the board: the board itself or one of its schools."""
    return or_(org.id == board_id, org.parent_id == board_id)


def _responsible_in_board(board_id: int) -> ColumnElement[bool]:
    """Correlated on Training: a responsible organisation of the training belongs to the board."""
    org = aliased(Organisation)
    return (
        exists()
        .where(
            training_organisation.c.training_id == Training.id,
            org.id == training_organisation.c.organisation_id,
            _board_member(org, board_id),
        )
        .correlate(Training)
    )


def _trainer_in(session_id, condition) -> ColumnElement[bool]:
    """A trainer of the session (a column) works at an organisation that meets condition(org)."""
    person, org = aliased(Person), aliased(Organisation)
    return exists().where(
        session_trainer.c.session_id == session_id,
        person.id == session_trainer.c.person_id,
        org.id == person.organisation_id,
        condition(org),
    )


@dataclass(frozen=True)
class Selection:
    """The filters as SQL conditions: on Training (trainings, the coverage matrix) and on
    TrainingSession with its Training joined (sessions, answers)."""

    training: tuple
    session: tuple
    session_all_years: tuple  # as `session`, without the school year (trends)


def selection(scope: Scope, f: Filters) -> Selection:
    common = [scope.condition(Training.partnership_id)]
    if f.partnership_id is not None:
        common.append(Training.partnership_id == f.partnership_id)
    if f.kind is not None:
        common.append(Training.kind == f.kind)
    training, session = list(common), list(common)
    if f.board_id is not None:
        b = f.board_id
        other = aliased(TrainingSession)
        training.append(
            or_(
                _responsible_in_board(b),
                exists().where(
                    other.training_id == Training.id, _trainer_in(other.id, lambda o: _board_member(o, b))
                ),
            )
        )
        session.append(
            or_(_responsible_in_board(b), _trainer_in(TrainingSession.id, lambda o: _board_member(o, b)))
        )
    all_years = list(session)
    if f.trainer_id is not None:
        mine = exists().where(
            session_trainer.c.session_id == TrainingSession.id, session_trainer.c.person_id == f.trainer_id
        )
        session.append(mine)
        all_years.append(mine)
    if f.school_year is not None:
        first, last = school_year_bounds(f.school_year)
        session.append(TrainingSession.date.between(first, last))
    return Selection(tuple(training), tuple(session), tuple(all_years))


@dataclass
class BoardChoice:
    id: int
    name: str
    partnership_id: int
    partnership_name: str


@dataclass
class Choices:
    """What the filter menus offer: only what lies within scope."""

    partnerships: list[Partnership]
    boards: list[BoardChoice]
    years: list[int]  # school years with sessions, newest first


def choices(db: Session, scope: Scope, today: date) -> Choices:
    partnerships = list(
        db.scalars(scope.filter(select(Partnership), Partnership.id).order_by(Partnership.name))
    )
    boards = [
        BoardChoice(*row)
        for row in db.execute(
            scope.filter(
                select(Organisation.id, Organisation.name, Partnership.id, Partnership.name)
                .join(Partnership, Partnership.id == Organisation.partnership_id)
                .where(Organisation.kind == OrganisationKind.BOARD),
                Organisation.partnership_id,
            ).order_by(Organisation.name, Partnership.name)
        )
    ]
    years = {*results.result_years(db, scope, today), school_year_of(today)}
    return Choices(partnerships, boards, sorted(years, reverse=True))


UNKNOWN_PARTNERSHIP = "Dit partnerschap bestaat niet. Kies een partnerschap uit de lijst."
UNKNOWN_BOARD = "Dit bestuur bestaat niet. Kies een bestuur uit de lijst."
BOARD_ELSEWHERE = (
    "Dit bestuur hoort niet bij het gekozen partnerschap. Kies een bestuur van dat partnerschap."
)
UNKNOWN_TRAINER = "Deze trainer bestaat niet."


def check_filters(db: Session, scope: Scope, f: Filters) -> None:
    """An unknown partnership, board or trainer is a clear message (ValidationError); one of
    another partnership is Forbidden, before any figure is computed."""
    if f.partnership_id is not None:
        if db.get(Partnership, f.partnership_id) is None:
            raise ValidationError({"partnerschap": UNKNOWN_PARTNERSHIP})
        scope.check(f.partnership_id)
    if f.board_id is not None:
        board = db.get(Organisation, f.board_id)
        if board is None or board.kind is not OrganisationKind.BOARD:
            raise ValidationError({"bestuur": UNKNOWN_BOARD})
        scope.check(board.partnership_id)
        if f.partnership_id is not None and board.partnership_id != f.partnership_id:
            raise ValidationError({"bestuur": BOARD_ELSEWHERE})
    if f.trainer_id is not None:
        person = db.get(Person, f.trainer_id, options=[selectinload(Person.organisation)])
        if person is None:
            raise ValidationError({"trainer": UNKNOWN_TRAINER})
        scope.check(person.organisation.partnership_id)


# ================================================================ figures


@dataclass
class Mean:
    """A mean of answers (value_int), shown only from `min_shown` answers on."""

    count: int = 0
    total: int = 0
    min_shown: int = 1
    factor: int = 1  # a grade is stored in tenths

    def add(self, count: int, total: int) -> None:
        self.count += int(count)
        self.total += int(total or 0)

    @property
    def shown(self) -> bool:
        return self.count >= self.min_shown and self.count > 0

    @property
    def value(self) -> float | None:
        return self.total / self.count / self.factor if self.shown else None


@dataclass
class PartnershipFigures:
    """One partnership's figures within the selection: the region's side-by-side row, and the
    parts the headline totals add up."""

    id: int
    name: str
    overdue: int = 0
    due_soon: int = 0
    low_response: int = 0
    without_links: int = 0
    sessions: int = 0  # all sessions of the selection, also future and cancelled ones
    held: int = 0  # sessions on or before the reference date, not cancelled
    evaluated: int = 0  # of those in the matrix's school year: with released participant results
    year_answers: int = 0  # response rate of closed windows in the matrix's school year
    year_invited: int = 0
    trainings: int = 0  # active trainings (coverage matrix rows)
    trainings_without_safeguard: int = 0
    uncovered: int = 0  # safeguards no active training of the partnership serves
    rating: dict = field(default_factory=dict)  # QuestionType -> Mean, in the matrix's school year

    @property
    def rate_pct(self) -> float | None:
        return 100.0 * self.year_answers / self.year_invited if self.year_invited else None


@dataclass
class Headline:
    overdue: int
    due_soon: int
    low_response: int
    without_links: int
    trainings_without_safeguard: int
    safeguards_uncovered: int
    overdue_phases: int = 0  # of review cycles (kwaliteit.cycles)
    overdue_actions: int = 0


def _session_counts(db: Session, scope: Scope, f: Filters, sel: Selection, min_shown: int) -> Sequence[Row]:
    """The trainer and participant measures per partnership and school year (the trends' response
    per year is these rows added up): one pass over the sessions of the selection."""
    ref = f.reference
    q = rates.rate_query(scope, ref, grouped=_grouped_counts(db), within=sel.session)
    # The trainer's evaluation of each session beside the participants'.
    trainer = rates.with_trainer(q.stmt, ref)
    held = and_(TrainingSession.date <= ref, TrainingSession.cancelled_at.is_(None))
    # Each session's statuses and counts worked out once (a CTE the planner must not inline): the
    # sums below test them several times, and a status is a CASE over the session's settings.
    per_session = (
        trainer.stmt.with_only_columns(
            Training.partnership_id.label("partnership_id"),
            TrainingSession.school_year.label("year"),
            TrainingSession.date.label("date"),
            trainer.status.label("trainer_status"),
            trainer.due.label("trainer_due"),
            q.status.label("status"),
            q.links.label("links"),
            q.invited.label("invited"),
            q.answers.label("answers"),
            case((held, 1), else_=0).label("held"),
            case((and_(held, TrainingSession.school_year == f.year, _evaluated(min_shown)), 1), else_=0).label(
                "evaluated"
            ),
        )
        .where(*sel.session)
        .cte("session_figures")
        .prefix_with("MATERIALIZED")
    )
    c = per_session.c
    soon = and_(
        c.trainer_status.in_([Status.OPEN.value, Status.DUE_SOON.value]),
        c.trainer_due <= ref + timedelta(days=DUE_WITHIN_DAYS),
    )
    # A closed window of a session with known participants: its response counts (CLOSED implies
    # held, on or before the reference date, and not cancelled).
    closed = and_(c.status == Status.CLOSED.value, c.invited > 0)
    low = and_(closed, c.answers * 100 < c.invited * f.low_pct)
    without_links = and_(
        c.status.in_([Status.UPCOMING.value, Status.OPEN.value, Status.DUE_SOON.value]),
        c.date <= ref + timedelta(days=LINKS_AHEAD_DAYS),
        c.links == 0,
        c.answers == 0,
    )
    return db.execute(
        select(
            c.partnership_id,
            c.year,
            func.count(),
            func.sum(case((c.trainer_status == Status.OVERDUE.value, 1), else_=0)),
            func.sum(case((soon, 1), else_=0)),
            func.sum(case((low, 1), else_=0)),
            func.sum(case((without_links, 1), else_=0)),
            func.sum(c.held),
            func.sum(c.evaluated),
            func.sum(case((closed, 1), else_=0)),
            func.sum(case((closed, c.answers), else_=0)),
            func.sum(case((closed, c.invited), else_=0)),
        )
        .group_by(c.partnership_id, c.year)
    ).all()


def _response_by_year(participant_rows: Sequence[Row]) -> dict[int, YearRate]:
    """The response of closed windows per school year, from _session_counts' rows."""
    by_year: dict[int, YearRate] = {}
    for _pid, year, _n, _overdue, _soon, _low, _without, _held, _evaluated, closed, answers, invited in participant_rows:
        r = by_year.setdefault(int(year), YearRate(int(year), 0, 0, 0))
        r.sessions += int(closed or 0)
        r.answers += int(answers or 0)
        r.invited += int(invited or 0)
    return {y: r for y, r in by_year.items() if r.sessions}


# ---------------------------------------------------------------- coverage matrix


@dataclass
class MatrixRow:
    training_id: int
    title: str
    kind: TrainingKind
    partnership_id: int
    partnership_name: str
    evaluated: int  # sessions in the school year with released participant results
    rationales: dict[int, str] = field(default_factory=dict)  # safeguard id -> rationale

    @property
    def linked(self) -> bool:
        return bool(self.rationales)


@dataclass
class MatrixColumn:
    safeguard: Safeguard
    trainings: int  # active trainings of the selection that serve it
    evaluated: int  # evaluated sessions of those trainings in the school year

    @property
    def uncovered(self) -> bool:
        return self.trainings == 0

    @property
    def no_evidence(self) -> bool:
        return self.evaluated == 0


@dataclass
class Matrix:
    year: int
    columns: list[MatrixColumn]
    rows: list[MatrixRow]

    @property
    def year_label(self) -> str:
        return school_year_label(self.year)

    @property
    def uncovered(self) -> list[Safeguard]:
        return [c.safeguard for c in self.columns if c.uncovered]

    @property
    def without_evidence(self) -> list[Safeguard]:
        return [c.safeguard for c in self.columns if not c.uncovered and c.no_evidence]

    @property
    def unlinked(self) -> list[MatrixRow]:
        return [r for r in self.rows if not r.linked]

    @property
    def condensed(self) -> bool:
        """Too many trainings to list on the dashboard: show `groups` instead."""
        return len(self.rows) > TRAINING_ROWS

    @property
    def groups(self) -> list[MatrixGroup]:
        """The rows taken together per partnership and kind of training, in the rows' order of
        partnerships, then by kind."""
        groups: dict[tuple[int, TrainingKind], MatrixGroup] = {}
        for r in self.rows:
            g = groups.setdefault(
                (r.partnership_id, r.kind), MatrixGroup(r.partnership_id, r.partnership_name, r.kind)
            )
            g.trainings += 1
            g.unlinked += not r.linked
            for sid in r.rationales:
                g.serving[sid] = g.serving.get(sid, 0) + 1
                g.evaluated[sid] = g.evaluated.get(sid, 0) + r.evaluated
        kinds = list(TrainingKind)
        order = {pid: n for n, pid in enumerate(dict.fromkeys(r.partnership_id for r in self.rows))}
        return sorted(groups.values(), key=lambda g: (order[g.partnership_id], kinds.index(g.kind)))


@dataclass
class MatrixGroup:
    """Active trainings of one partnership and kind: per safeguard how many serve it, and their
    evaluated sessions in the school year."""

    partnership_id: int
    partnership_name: str
    kind: TrainingKind
    trainings: int = 0
    unlinked: int = 0  # serving no safeguard
    serving: dict[int, int] = field(default_factory=dict)  # safeguard id -> trainings
    evaluated: dict[int, int] = field(default_factory=dict)  # safeguard id -> evaluated sessions


def coverage_matrix(
    db: Session, scope: Scope, f: Filters, sel: Selection, safeguards: list[Safeguard], min_shown: int
) -> Matrix:
    """Active trainings of the selection × the current framework's safeguards: one statement.

    The column totals and gaps are added up from the rows the matrix shows (one row per active
    training), not queried again."""
    first, last = school_year_bounds(f.year)
    evaluated = (
        select(TrainingSession.training_id.label("training_id"), func.count().label("n"))
        .join(Training, Training.id == TrainingSession.training_id)
        .where(
            *sel.session_all_years,
            TrainingSession.date.between(first, last),
            TrainingSession.date <= f.reference,
            TrainingSession.cancelled_at.is_(None),
            _evaluated(min_shown),
        )
        .group_by(TrainingSession.training_id)
        .subquery("evaluated_sessions")
    )
    links = (
        select(TrainingSafeguard.training_id, TrainingSafeguard.safeguard_id, TrainingSafeguard.rationale)
        .join(Safeguard, Safeguard.id == TrainingSafeguard.safeguard_id)
        .join(Framework, Framework.id == Safeguard.framework_id)
        .where(Framework.is_current.is_(True))
        .subquery("current_links")
    )
    rows: dict[int, MatrixRow] = {}
    for tid, title, kind, pid, pname, sid, rationale, n in db.execute(
        select(
            Training.id,
            Training.title,
            Training.kind,
            Training.partnership_id,
            Partnership.name,
            links.c.safeguard_id,
            links.c.rationale,
            func.coalesce(evaluated.c.n, 0),
        )
        .join(Partnership, Partnership.id == Training.partnership_id)
        .outerjoin(links, links.c.training_id == Training.id)
        .outerjoin(evaluated, evaluated.c.training_id == Training.id)
        .where(Training.active.is_(True), *sel.training)
        .order_by(Partnership.name, Training.title, Training.id)
    ):
        row = rows.setdefault(tid, MatrixRow(tid, title, kind, pid, pname, int(n)))
        if sid is not None:
            row.rationales[sid] = rationale
    columns = [
        MatrixColumn(
            sg,
            sum(1 for r in rows.values() if sg.id in r.rationales),
            sum(r.evaluated for r in rows.values() if sg.id in r.rationales),
        )
        for sg in safeguards
    ]
    return Matrix(f.year, columns, list(rows.values()))


# ---------------------------------------------------------------- trends


@dataclass
class RatingSeries:
    """The overall rating per training and school year, on one scale (never mixed)."""

    type: QuestionType
    trainings: list[tuple[int, str, str]]  # (id, title, partnership name), in order
    cells: dict[tuple[int, int], Mean]  # (training id, school year) -> mean
    kinds: dict[int, TrainingKind] = field(default_factory=dict)  # training id -> kind
    grouped: bool = False  # the rows are kinds of training (condensed), not trainings

    @property
    def condensed(self) -> bool:
        """Too many trainings to list on the dashboard: show `by_kind()` instead."""
        return len(self.trainings) > TRAINING_ROWS

    def by_kind(self) -> RatingSeries:
        """The same series with one row per partnership and kind of training: the mean of all
        their released answers in each school year (their counts and sums added up, so every
        answer weighs the same). The row ids are positions, not training ids."""
        keys: dict[tuple[str, TrainingKind], int] = {}
        for tid, _title, pname in self.trainings:
            keys.setdefault((pname, self.kinds[tid]), len(keys))
        kinds = list(TrainingKind)
        order = list(dict.fromkeys(pname for _t, _title, pname in self.trainings))
        rows = sorted(keys.items(), key=lambda kv: (order.index(kv[0][0]), kinds.index(kv[0][1])))
        cells: dict[tuple[int, int], Mean] = {}
        by_training = {tid: (pname, self.kinds[tid]) for tid, _title, pname in self.trainings}
        for (tid, year), m in self.cells.items():
            key = keys[by_training[tid]]
            cells.setdefault((key, year), Mean(min_shown=m.min_shown, factor=m.factor)).add(m.count, m.total)
        return RatingSeries(
            self.type, [(key, kind.label, pname) for (pname, kind), key in rows], cells, grouped=True
        )

    @property
    def is_grade(self) -> bool:
        return self.type is QuestionType.GRADE

    @property
    def label(self) -> str:
        return "cijfer 1–10" if self.is_grade else "schaal 1–5"

    @property
    def scale_max(self) -> int:
        return 10 if self.is_grade else 5


@dataclass
class YearRate:
    year: int
    sessions: int
    answers: int
    invited: int

    @property
    def pct(self) -> float | None:
        return 100.0 * self.answers / self.invited if self.invited else None

    @property
    def label(self) -> str:
        return school_year_label(self.year)


@dataclass
class SafeguardTrend:
    code: str
    name: str
    cells: dict[int, Mean]  # school year -> mean of the tagged scale questions


@dataclass
class Trends:
    years: list[int]  # oldest first; the last is the current one
    ratings: list[RatingSeries]
    response: list[YearRate]
    safeguards: list[SafeguardTrend]

    @property
    def year_labels(self) -> list[tuple[int, str]]:
        return [(y, school_year_label(y)) for y in self.years]

    @property
    def empty(self) -> bool:
        return not self.ratings and not any(r.invited for r in self.response) and not self.safeguards


def _grouped_counts(db: Session) -> bool:
    """Counts of links and answers over all sessions in view (rates.rate_query): PostgreSQL is
    faster with one GROUP BY hashed to the sessions, SQLite with a lookup per session."""
    return db.get_bind().dialect.name == "postgresql"


def _from_tally(stmt):
    """Figures read the tally (evaluaties.results.models), never the answer rows; each row with
    its group's count for the release rule (_released)."""
    return _ANSWER_GROUP.join(
        stmt.select_from(AnswerTally)
        .join(Question, Question.id == AnswerTally.question_id)
        .join(TrainingSession, TrainingSession.id == AnswerTally.session_id)
        .join(Training, Training.id == TrainingSession.training_id),
        Training.partnership_id,
    )


def _trend_window(f: Filters, count: int = TREND_YEARS) -> tuple[list[int], ColumnElement[bool]]:
    years = list(range(f.year - count + 1, f.year + 1))
    first = school_year_bounds(years[0])[0]
    last = min(school_year_bounds(years[-1])[1], f.reference)
    return years, and_(TrainingSession.date.between(first, last), TrainingSession.cancelled_at.is_(None))


def _trend_answers(
    scope: Scope, f: Filters, sel: Selection, years: list[int], window, min_shown: int, questions
):
    """Released participant answers of the trend's years, per year, training, question and value
    (columns year, training_id, question_id, value, n): from the rollup, less the sessions after the
    reference date; when a filter asks who gave each session (board, trainer), from the tally,
    session by session."""
    if f.board_id is None and f.trainer_id is None:
        cut = school_year_bounds(years[-1])[1] > f.reference
        rolled = results.rollup_answers(
            scope, min_shown, partnership_id=f.partnership_id, years=(years[0], years[-1]),
            audience=Audience.PARTICIPANT, training_conditions=[Training.kind == f.kind] if f.kind else [],
            questions=questions, until=f.reference if cut else None,
        )
        return select(
            rolled.c.year, rolled.c.training_id, rolled.c.question_id, rolled.c.value, rolled.c.n
        ).subquery("trend_answers")
    return (
        _from_tally(
            select(
                TrainingSession.school_year.label("year"), TrainingSession.training_id.label("training_id"),
                AnswerTally.question_id.label("question_id"), AnswerTally.value.label("value"),
                AnswerTally.answers.label("n"),
            )
        )
        .where(_released(min_shown), *sel.session_all_years, window, AnswerTally.question_id.in_(questions))
        .subquery("trend_answers")
    )


def trends(
    db: Session,
    scope: Scope,
    f: Filters,
    sel: Selection,
    safeguards: list[Safeguard],
    min_shown: int,
    year_count: int = TREND_YEARS,
    response_by_year: dict[int, YearRate] | None = None,
) -> tuple[Trends, dict[int, dict]]:
    """Ratings per training and school year, response rate per school year, the mean per safeguard:
    three GROUP BYs (and three lookups of question and training names) over the current school
    year and the `year_count` - 1 before it (the peer-review dossier asks for more years than the
    dashboard shows). `response_by_year`: the response per school year, when the caller counted it
    already over every school year of the selection (the dashboard without a school year chosen),
    which leaves two GROUP BYs. Also returns per partnership the rating means of the current year
    (for the region)."""
    years, window = _trend_window(f, year_count)
    # The questions first, as a list: a database estimates an IN list of ids well, and the
    # aggregate below then needs no join (a join misestimated there cost a nested loop).
    rating_types = dict(
        db.execute(
            select(Question.id, Question.type).where(
                Question.code == OVERALL_RATING_CODE, Question.type.in_(RATING_TYPES)
            )
        ).all()
    )
    answers = _trend_answers(scope, f, sel, years, window, min_shown, list(rating_types))
    per_training = db.execute(
        select(
            answers.c.question_id, answers.c.training_id, answers.c.year,
            func.sum(answers.c.n), func.sum(answers.c.value * answers.c.n),
        )
        .where(answers.c.value != NO_VALUE)
        .group_by(answers.c.question_id, answers.c.training_id, answers.c.year)
        .having(func.sum(answers.c.n) > 0)  # the rollup less what it may not show can leave zeros
    ).all()
    names, kinds = {}, {}
    for tid, title, pid, pname, kind in db.execute(
        select(Training.id, Training.title, Training.partnership_id, Partnership.name, Training.kind)
        .join(Partnership, Partnership.id == Training.partnership_id)
        .where(Training.id.in_({row[1] for row in per_training}))
    ):
        names[tid], kinds[tid] = (title, pid, pname), kind
    series: dict[QuestionType, RatingSeries] = {}
    by_partnership: dict[int, dict] = {}
    for qtype, tid, title, pid, pname, year, n, total in sorted(
        (
            (rating_types[qid], tid, *names[tid], year, n, total)
            for qid, tid, year, n, total in per_training
        ),
        key=lambda r: (r[0].value, r[4], r[2], r[1], r[5]),
    ):
        s = series.setdefault(qtype, RatingSeries(qtype, [], {}, kinds))
        if not s.trainings or s.trainings[-1][0] != tid:
            s.trainings.append((tid, title, pname))
        factor = GRADE_FACTOR if qtype is QuestionType.GRADE else 1
        s.cells.setdefault((tid, int(year)), Mean(min_shown=min_shown, factor=factor)).add(n, total)
        if int(year) == f.year:
            by_partnership.setdefault(pid, {}).setdefault(
                qtype, Mean(min_shown=min_shown, factor=factor)
            ).add(n, total)
    # Grade first: the current questionnaire's scale.
    ratings = sorted(series.values(), key=lambda s: not s.is_grade)

    rate_by_year = (
        _closed_windows_by_year(db, scope, f, sel, window) if response_by_year is None
        else {y: r for y, r in response_by_year.items() if y in years}
    )
    response = [rate_by_year.get(y, YearRate(y, 0, 0, 0)) for y in years]

    codes: dict[int, str] = {
        qid: code
        for qid, code in db.execute(
            select(Question.id, Question.safeguard_code).where(
                Question.safeguard_code.is_not(None), Question.type == QuestionType.SCALE
            )
        )
        if code
    }
    answers = _trend_answers(scope, f, sel, years, window, min_shown, list(codes))
    sums: dict[tuple[str, int], list[int]] = {}
    for qid, year, n, total in db.execute(
        select(answers.c.question_id, answers.c.year, func.sum(answers.c.n), func.sum(answers.c.value * answers.c.n))
        .where(answers.c.value != NO_VALUE)
        .group_by(answers.c.question_id, answers.c.year)
    ):
        cell = sums.setdefault((codes[qid], int(year)), [0, 0])
        cell[0] += int(n)
        cell[1] += int(total or 0)
    cells: dict[str, dict[int, Mean]] = {}
    for (code, year), (n, total) in sums.items():
        if n > 0:
            cells.setdefault(code, {})[year] = Mean(n, total, min_shown)
    sg_names = {sg.code: sg.name for sg in safeguards}
    order = {sg.code: i for i, sg in enumerate(safeguards)}
    safeguard_trends = [
        SafeguardTrend(code, sg_names.get(code, code), cells[code])
        for code in sorted(cells, key=lambda c: (order.get(c, len(order)), c))
    ]
    # From the first school year with figures on (always the current one): no empty columns.
    with_data = {y for s in ratings for (_t, y) in s.cells} | set(rate_by_year)
    with_data |= {y for t in safeguard_trends for y in t.cells}
    years = [y for y in years if y >= min(with_data | {f.year})]
    response = [r for r in response if r.year in years]
    return Trends(years, ratings, response, safeguard_trends), by_partnership


def _closed_windows_by_year(db: Session, scope: Scope, f: Filters, sel: Selection, window) -> dict[int, YearRate]:
    """The response of the closed windows of the trend's sessions, per school year: one GROUP BY."""
    q = rates.rate_query(scope, f.reference, grouped=_grouped_counts(db), within=[*sel.session_all_years, window])
    rate_inner = (
        q.stmt.with_only_columns(
            TrainingSession.school_year.label("year"),
            q.answers.label("answers"),
            q.invited.label("invited"),
        )
        .where(*sel.session_all_years, window, q.status == Status.CLOSED.value, q.invited > 0)
        .subquery("closed_windows")
    )
    return {
        int(y): YearRate(int(y), int(n), int(a or 0), int(i or 0))
        for y, n, a, i in db.execute(
            select(
                rate_inner.c.year,
                func.count(),
                func.sum(rate_inner.c.answers),
                func.sum(rate_inner.c.invited),
            ).group_by(rate_inner.c.year)
        )
    }


# ---------------------------------------------------------------- trainer composition


class Composition(enum.Enum):
    """Who gave a session: by the organisations its trainers work at."""

    TANDEM = "tandem"
    SCHOOL = "school"
    INSTITUTE = "instituut"

    @property
    def label(self) -> str:
        return {
            "tandem": "Tandem (school- en instituutsopleider)",
            "school": "Alleen schoolopleider(s)",
            "instituut": "Alleen instituutsopleider(s)",
        }[self.value]

    @property
    def short(self) -> str:
        return {"tandem": "Tandem", "school": "Alleen school", "instituut": "Alleen instituut"}[self.value]


# A trainer who works at a school or for a board is school-based; at an institute, institute-based.
SCHOOL_SIDE = (OrganisationKind.SCHOOL, OrganisationKind.BOARD)
INSTITUTE_SIDE = (OrganisationKind.INSTITUTE,)


def given_by_select() -> Select:
    """Per session (TrainingSession, Training joined for conditions): its id and its composition,
    tandem, school or instituut, from the organisations its trainers work at (sessions without
    trainers recorded are not in it). One pass over the sessions' trainers, grouped: two EXISTS
    per session made PostgreSQL hash every session's trainers of every partnership."""
    person, org = aliased(Person), aliased(Organisation)
    school = func.max(case((org.kind.in_(SCHOOL_SIDE), 1), else_=0)) == 1
    institute = func.max(case((org.kind.in_(INSTITUTE_SIDE), 1), else_=0)) == 1
    return (
        select(
            TrainingSession.id.label("session_id"),
            case(
                (and_(school, institute), literal(Composition.TANDEM.value)),
                (school, literal(Composition.SCHOOL.value)),
                (institute, literal(Composition.INSTITUTE.value)),
                else_=None,
            ).label("c"),
        )
        .join(Training, Training.id == TrainingSession.training_id)
        .join(session_trainer, session_trainer.c.session_id == TrainingSession.id)
        .join(person, person.id == session_trainer.c.person_id)
        .join(org, org.id == person.organisation_id)
        .group_by(TrainingSession.id)
    )


@dataclass
class CompositionRow:
    composition: Composition
    sessions: int = 0  # held (on or before the reference date, not cancelled)
    evaluated: int = 0  # of which with released participant results
    answers: int = 0  # released participant answers
    ratings: dict = field(default_factory=dict)  # QuestionType -> Mean of the overall rating
    statements: Mean = field(default_factory=Mean)  # all other scale questions


def composition(
    db: Session, scope: Scope, f: Filters, sel: Selection, min_shown: int
) -> list[CompositionRow]:
    """Sessions, evaluated sessions, answers and means split by who gave the session: two GROUP BYs
    (and a lookup of the questions).

    Only released answers count, so a group holds whole sessions that reached the threshold; a
    mean is shown from `min_shown` answers on, as everywhere."""
    held = [
        *sel.session,
        # The chosen school year, else that of the reference date (the trends show the years before).
        TrainingSession.school_year == f.year,
        TrainingSession.date <= f.reference,
        TrainingSession.cancelled_at.is_(None),
    ]
    # Who gave each session held, worked out once per session (a CTE the planner must not inline
    # into the statements below).
    given_by = given_by_select().where(*held).cte("given_by").prefix_with("MATERIALIZED")
    # Per session: its released participant responses, from the tally's row per group.
    group = aliased(ResponseTally, name="released_group")
    released_answers = (
        select(func.coalesce(func.sum(group.responses), 0))
        .where(*_released_groups_of_session(group, min_shown))
        .correlate(TrainingSession, Training)
        .scalar_subquery()
    )
    sessions_inner = (
        select(
            given_by.c.c.label("c"),
            released_answers.label("answers"),
        )
        .select_from(given_by)
        .join(TrainingSession, TrainingSession.id == given_by.c.session_id)
        .join(Training, Training.id == TrainingSession.training_id)
        .where(given_by.c.c.is_not(None))
        .subquery("sessions_by_composition")
    )
    rows = {c: CompositionRow(c, statements=Mean(min_shown=min_shown)) for c in Composition}
    # Evaluated: with released participant results, i.e. released answers (a released group is never empty).
    for c, n, evaluated, answers in db.execute(
        select(
            sessions_inner.c.c,
            func.count(),
            func.sum(case((sessions_inner.c.answers > 0, 1), else_=0)),
            func.sum(sessions_inner.c.answers),
        )
        .group_by(sessions_inner.c.c)
    ):
        row = rows[Composition(c)]
        row.sessions, row.evaluated, row.answers = int(n), int(evaluated or 0), int(answers or 0)

    # The questions first, as a list (as the trends do): the overall rating on its scales, and
    # every other scale question; then the answers need no join with the questions.
    measures = {
        qid: ("totaal", qtype) if code == OVERALL_RATING_CODE else ("stelling", qtype)
        for qid, code, qtype in db.execute(
            select(Question.id, Question.code, Question.type).where(
                or_(
                    and_(Question.code == OVERALL_RATING_CODE, Question.type.in_(RATING_TYPES)),
                    Question.type == QuestionType.SCALE,
                )
            )
        )
    }
    per_question = _ANSWER_GROUP.join(
        select(
            given_by.c.c,
            AnswerTally.question_id,
            func.sum(AnswerTally.answers),
            func.sum(AnswerTally.value * AnswerTally.answers),
        )
        .select_from(AnswerTally)
        .join(given_by, given_by.c.session_id == AnswerTally.session_id)
        .join(TrainingSession, TrainingSession.id == AnswerTally.session_id)
        .join(Training, Training.id == TrainingSession.training_id),
        Training.partnership_id,
    ).where(
        _released(min_shown),
        AnswerTally.value != NO_VALUE,
        AnswerTally.question_id.in_(list(measures)),
        given_by.c.c.is_not(None),
    )
    for c, qid, n, total in db.execute(per_question.group_by(given_by.c.c, AnswerTally.question_id)):
        row = rows[Composition(c)]
        measure, qtype = measures[qid]
        if measure == "totaal":
            factor = GRADE_FACTOR if qtype is QuestionType.GRADE else 1
            row.ratings.setdefault(qtype, Mean(min_shown=min_shown, factor=factor)).add(n, total)
        else:
            row.statements.add(n, total)
    return list(rows.values())


# ================================================================ the register


@dataclass
class RegisterSection:
    """The register's figures on the reference date, for the partnership and board chosen: each
    flag's count (the lists at /register/signalen), the active trainers' qualified share, mentors
    per path stage, and certified mentors per board and school. The school year and the kind of
    training do not apply: a register is a state on a date."""

    reference: date
    counts: register_flags.RegisterCounts
    certified: register_figures.CertifiedFigures

    @property
    def empty(self) -> bool:
        return not (self.counts.mentors or self.counts.trainers)

    @property
    def flags(self) -> list[tuple[register_flags.Flag, int]]:
        return [(flag, self.counts.flags[flag]) for flag in register_flags.Flag]

    @property
    def stages(self) -> list[tuple[register_flags.Stage, int]]:
        return [(stage, self.counts.stages[stage]) for stage in register_flags.Stage]

    @property
    def year_label(self) -> str:
        """The school year in which a trainer is active (gives a session): that of the reference date."""
        return school_year_label(school_year_of(self.reference))


def register_filters(f: Filters) -> register_flags.RegisterFilters:
    return register_flags.RegisterFilters(partnership_id=f.partnership_id, board_id=f.board_id)


def register_section(db: Session, scope: Scope, f: Filters) -> RegisterSection:
    """Three statements (certification.figures.mentor_figures)."""
    counts, certified = register_figures.mentor_figures(db, scope, register_filters(f), f.reference)
    return RegisterSection(reference=f.reference, counts=counts, certified=certified)


# ================================================================ the dashboard


# The overdue table's sorts (trainer_list); the first is the default.
SORTS = ("vervaldatum", "dagen", "datum", "training", "partnerschap")


@dataclass
class Dashboard:
    filters: Filters
    min_shown: int
    partnerships: list[PartnershipFigures]  # the selection's partnerships, by name
    headline: Headline
    overdue: Page  # the oldest overdue trainer evaluations (DASHBOARD_ROWS)
    matrix: Matrix
    trends: Trends
    composition: list[CompositionRow]
    has_trainings: bool
    has_sessions: bool
    register: RegisterSection
    cycles: cycle_services.DashboardCycles | None = None
    # The next peer review of each partnership of the selection (kwaliteit.cycles.partnership).
    peer_reviews: list = field(default_factory=list)
    overdue_sort: tuple[str, bool] = (SORTS[0], False)  # the overdue table's (sort, descending)

    @property
    def unfiltered(self) -> bool:
        """All partnerships in scope, every board, school year and kind of training."""
        f = self.filters
        return f.partnership_id is None and f.board_id is None and f.school_year is None and f.kind is None

    @property
    def rating_types(self) -> list[QuestionType]:
        """The scales of the overall rating that occur (grade first)."""
        return [s.type for s in self.trends.ratings]


def trainer_list(
    db: Session,
    scope: Scope,
    f: Filters,
    sel: Selection,
    statuses: set[Status],
    due_within: int | None = None,
    sort: str = "vervaldatum",
    descending: bool = False,
    page: int = 1,
    page_size: int = DASHBOARD_ROWS,
    total: int | None = None,
) -> Page:
    """Trainer evaluations of the selection in `statuses` (and due within `due_within` days),
    sorted; the list behind a headline count and the overdue table. Three statements, two when
    the caller knows the `total` (the headline count it is behind)."""
    due = trainer_due_date()
    columns = {
        "vervaldatum": due,
        "dagen": due,  # more days overdue is an earlier due date
        "datum": TrainingSession.date,
        "training": Training.title,
        "partnerschap": Partnership.name,
    }
    column = columns.get(sort, due)
    flip = descending != (sort == "dagen")
    order = (column.desc() if flip else column.asc(), TrainingSession.date, Training.title)
    where = list(sel.session)
    if due_within is not None:
        where.append(due <= f.reference + timedelta(days=due_within))
    return trainer_evaluation_overview(
        db, scope, f.reference, statuses=statuses, page=page, page_size=page_size, where=where, order=order,
        total=total,
    )


def dashboard(
    db: Session, scope: Scope, f: Filters, min_shown: int, sort: str = "vervaldatum", descending: bool = False
) -> Dashboard:
    """Everything on the dashboard for the filters: about forty statements, whatever the data size.
    `sort`, `descending`: the order of the overdue table (see trainer_list)."""
    check_filters(db, scope, f)
    sel = selection(scope, f)
    safeguards = current_safeguards(db)
    participant_rows = _session_counts(db, scope, f, sel, min_shown)
    matrix = coverage_matrix(db, scope, f, sel, safeguards, min_shown)
    # Without a school year chosen, the counts cover every year the trends show.
    trend, ratings_by_partnership = trends(
        db, scope, f, sel, safeguards, min_shown,
        response_by_year=_response_by_year(participant_rows) if f.school_year is None else None,
    )

    # The partnerships the selection covers: all within scope, the chosen one, or the board's.
    partnerships = scope.filter(select(Partnership.id, Partnership.name), Partnership.id)
    if f.partnership_id is not None:
        partnerships = partnerships.where(Partnership.id == f.partnership_id)
    if f.board_id is not None:
        board = select(Organisation.partnership_id).where(Organisation.id == f.board_id).scalar_subquery()
        partnerships = partnerships.where(Partnership.id == board)
    figures = {pid: PartnershipFigures(pid, name) for pid, name in db.execute(partnerships)}
    for pid, year, total, overdue, soon, low, without, held, evaluated, _closed, answers, invited in participant_rows:
        p = figures[pid]
        p.overdue += int(overdue or 0)
        p.due_soon += int(soon or 0)
        p.sessions += int(total)
        p.held += int(held or 0)
        p.low_response += int(low or 0)
        p.without_links += int(without or 0)
        p.evaluated += int(evaluated or 0)
        if year == f.year:  # the response of the matrix's school year
            p.year_answers, p.year_invited = int(answers or 0), int(invited or 0)
    # Coverage per partnership, from the matrix rows (one per active training).
    served: dict[int, set[int]] = {}
    for row in matrix.rows:
        p = figures[row.partnership_id]
        p.trainings += 1
        p.trainings_without_safeguard += not row.linked
        served.setdefault(p.id, set()).update(row.rationales)
    for p in figures.values():
        p.uncovered = sum(1 for sg in safeguards if sg.id not in served.get(p.id, set()))
        p.rating = ratings_by_partnership.get(p.id, {})
    shown = sorted(figures.values(), key=lambda p: p.name)

    # The coverage gaps from the matrix's rows (the lists behind them read the /overzicht overview,
    # training_gaps: the same, as a test holds).
    headline = Headline(
        overdue=sum(p.overdue for p in shown),
        due_soon=sum(p.due_soon for p in shown),
        low_response=sum(p.low_response for p in shown),
        without_links=sum(p.without_links for p in shown),
        trainings_without_safeguard=len(matrix.unlinked),
        safeguards_uncovered=len(matrix.uncovered),
    )
    # Review cycles: overdue phases and actions of the selection's trainings (two statements).
    cycles = cycle_services.dashboard_cycles(db, scope, f.reference, sel.training, f.school_year, PANEL_ROWS)
    headline.overdue_phases, headline.overdue_actions = cycles.overdue_phases, cycles.overdue_actions
    overdue = trainer_list(
        db, scope, f, sel, {Status.OVERDUE}, sort=sort, descending=descending, total=headline.overdue
    )
    has_trainings = bool(
        db.scalar(select(exists(select(Training.id).where(scope.condition(Training.partnership_id)))))
    )
    return Dashboard(
        filters=f,
        min_shown=min_shown,
        partnerships=shown,
        headline=headline,
        overdue=overdue,
        matrix=matrix,
        trends=trend,
        composition=composition(db, scope, f, sel, min_shown),
        has_trainings=has_trainings,
        has_sessions=any(p.sessions for p in shown),
        register=register_section(db, scope, f),
        cycles=cycles,
        peer_reviews=peer_reviews(db, scope, f.reference, list(figures)),
        overdue_sort=(sort, descending),
    )


# ================================================================ the lists behind the counts


class SessionList(enum.Enum):
    LOW_RESPONSE = "lage-respons"
    WITHOUT_LINKS = "zonder-links"


def session_list(
    db: Session,
    scope: Scope,
    f: Filters,
    sel: Selection,
    which: SessionList,
    page: int = 1,
    page_size: int = DASHBOARD_ROWS,
    total: int | None = None,
) -> Page:
    """Sessions of the selection whose window closed with a low response rate (lowest rate
    first), or that need participant links (soonest first): the RateRows of evaluaties.results.rates,
    with the same definitions as the counts. Three statements, two when the caller knows the
    `total` (the headline count it is behind)."""
    # Every session of the selection is a candidate (a rate, a window): counted as the counts are.
    within = list(sel.session)
    if which is SessionList.WITHOUT_LINKS:  # a window not closed yet, links needed soon
        within += [
            TrainingSession.date >= f.reference - timedelta(days=LONGEST_PARTICIPANT_WINDOW_DAYS),
            TrainingSession.date <= f.reference + timedelta(days=LINKS_AHEAD_DAYS),
        ]
    q = rates.rate_query(scope, f.reference, grouped=_grouped_counts(db), within=within)
    if which is SessionList.LOW_RESPONSE:
        condition = and_(
            q.status == Status.CLOSED.value, q.invited > 0, q.answers * 100 < q.invited * f.low_pct
        )
        order: tuple[SQLColumnExpression, ...] = ((q.answers * 1000) / q.invited, TrainingSession.date.desc())
    else:
        condition = and_(
            q.status.in_([Status.UPCOMING.value, Status.OPEN.value, Status.DUE_SOON.value]),
            TrainingSession.date <= f.reference + timedelta(days=LINKS_AHEAD_DAYS),
            q.links == 0,
            q.answers == 0,
        )
        order = (TrainingSession.date, Training.title)
    stmt = q.stmt.where(*within, condition)
    if total is None:
        total = db.execute(
            select(func.count()).select_from(stmt.with_only_columns(TrainingSession.id).subquery())
        ).scalar_one()
    page = clamp_page(page, total, page_size)
    rows = rates.rate_rows(
        db,
        stmt.order_by(*order, TrainingSession.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
        .options(selectinload(TrainingSession.trainers)),
    )
    return Page(rows, total, page, page_size)


# The lists behind the headline counts, by their name in the URL: the title, and what they list.
LIST_TITLES = {
    "te-laat": "Te late trainersevaluaties",
    "binnenkort": f"Trainersevaluaties die binnen {DUE_WITHIN_DAYS} dagen moeten",
    "openstaand": "Openstaande trainersevaluaties",
    "lage-respons": "Gesloten deelnemersevaluaties met een lage respons",
    "zonder-links": "Bijeenkomsten zonder deelnemerslinks",
    "zonder-waarborg": "Actieve trainingen zonder waarborg",
    "waarborgen-zonder-training": "Waarborgen zonder actieve training",
    "dekking": "Dekking van de waarborgen per training",
    "oordeel": "Algemeen oordeel per training",
}
# The dashboard's tables per training, in full (on the dashboard itself per kind of training when
# there are more than TRAINING_ROWS trainings).
TRAINING_TABLES = ("dekking", "oordeel")
# Trainer evaluation lists: the statuses, and "due within so many days".
TRAINER_LISTS: dict[str, tuple[set[Status], int | None]] = {
    "te-laat": ({Status.OVERDUE}, None),
    "binnenkort": ({Status.OPEN, Status.DUE_SOON}, DUE_WITHIN_DAYS),
    "openstaand": (set(OWED), None),
}
SESSION_LISTS = {"lage-respons": SessionList.LOW_RESPONSE, "zonder-links": SessionList.WITHOUT_LINKS}


@dataclass
class TrainingGaps:
    """The lists behind "active trainings linked to no safeguard" and "safeguards served by no
    active training": the coverage overview of /overzicht, for the selection."""

    unlinked: list[tuple[Training, str]]  # active trainings, with their partnership's name
    uncovered: list[Safeguard]


def training_gaps(db: Session, scope: Scope, sel: Selection) -> TrainingGaps:
    cover = overview(db, scope, where=sel.training)
    return TrainingGaps([(t, p) for t, p in cover.unlinked if t.active], cover.uncovered)


# ================================================================ what needs me


@dataclass
class NeedsMe:
    """The "what needs me" panel. For a coordinator (and an admin): the actions that are theirs,
    in all their partnerships as of the reference date, whatever the filters. For a steering
    member: the points for the meeting, from the figures on the page."""

    overdue: Page | None = None
    closing_low: list = field(default_factory=list)  # RateRows: window closing soon, low response
    without_links: Page | None = None
    points: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            (self.overdue and self.overdue.total)
            or self.closing_low
            or (self.without_links and self.without_links.total)
            or self.points
        )


def needs_me(db: Session, scope: Scope, f: Filters, d: Dashboard | None = None) -> NeedsMe:
    """A manager's own follow-up: overdue evaluations to chase (oldest first), windows closing
    within DUE_WITHIN_DAYS with a low response, sessions without links. Seven statements; fewer
    beside a dashboard `d` without filters, whose figures are the same: its overdue table (when
    sorted as here) and its headline counts."""
    mine = Filters(reference=f.reference, low_pct=f.low_pct)
    sel = selection(scope, mine)
    same = d if d is not None and d.unfiltered and d.filters.low_pct == f.low_pct else None
    if same is not None and same.overdue_sort == (SORTS[0], False) and same.overdue.page == 1:
        overdue = Page(same.overdue.items[:PANEL_ROWS], same.overdue.total, 1, PANEL_ROWS)
    else:
        overdue = trainer_list(
            db, scope, mine, sel, {Status.OVERDUE}, page_size=PANEL_ROWS,
            total=same.headline.overdue if same is not None else None,
        )
    return NeedsMe(
        overdue=overdue,
        closing_low=rates.low_response(db, scope, f.reference, days=DUE_WITHIN_DAYS, threshold_pct=f.low_pct),
        without_links=session_list(
            db, scope, mine, sel, SessionList.WITHOUT_LINKS, page_size=PANEL_ROWS,
            total=same.headline.without_links if same is not None else None,
        ),
    )


def meeting_points(d: Dashboard) -> NeedsMe:
    """A steering member's points for the meeting, from the dashboard's own figures."""
    h, m = d.headline, d.matrix
    points = []
    if m.uncovered:
        names = ", ".join(sg.name for sg in m.uncovered)
        points.append(f"Geen actieve training dient de waarborg {names}.")
    if m.without_evidence:
        names = ", ".join(sg.name for sg in m.without_evidence)
        points.append(f"Geen evaluatiebewijs in {m.year_label} voor de waarborg {names}.")
    if h.overdue:
        points.append(
            f"{h.overdue} trainersevaluatie{'' if h.overdue == 1 else 's'} te laat: "
            "vraag de coördinator naar de opvolging."
        )
    if h.low_response:
        points.append(
            f"{h.low_response} bijeenkomst{'' if h.low_response == 1 else 'en'} met een respons onder "
            f"{d.filters.low_pct}%: is de manier van uitnodigen aan verbetering toe?"
        )
    if h.trainings_without_safeguard:
        points.append(
            f"{h.trainings_without_safeguard} actieve "
            f"training{'' if h.trainings_without_safeguard == 1 else 'en'} zonder waarborg: "
            "past het aanbod bij het kwaliteitskader?"
        )
    return NeedsMe(points=points)


# ================================================================ what the selection is


def trainer_name(db: Session, person_id: int) -> str | None:
    return db.scalar(select(Person.name).where(Person.id == person_id))


# Beyond this many partnerships in scope, the selection says how many rather than which.
DESCRIBE_PARTNERSHIPS = 5


def describe(db: Session, scope: Scope, f: Filters) -> list[tuple[str, str]]:
    """The reference date and the filters in words, for the print and every export. One statement
    (the names of the chosen partnership, board and trainer, or of the partnerships in scope)."""
    wanted = [
        select(literal(kind).label("kind"), column.label("name")).where(key == value)
        for kind, column, key, value in (
            ("partnerschap", Partnership.name, Partnership.id, f.partnership_id),
            ("bestuur", Organisation.name, Organisation.id, f.board_id),
            ("trainer", Person.name, Person.id, f.trainer_id),
        )
        if value is not None
    ]
    if f.partnership_id is None:
        wanted.append(
            scope.filter(
                select(literal("bereik").label("kind"), Partnership.name.label("name")), Partnership.id
            )
            .order_by(Partnership.name)
            .limit(DESCRIBE_PARTNERSHIPS + 1)
            .subquery()
            .select()
        )
    names: dict[str, list[str]] = {}
    for kind, name in db.execute(union_all(*wanted)):
        names.setdefault(kind, []).append(name)
    if f.partnership_id is not None:
        partnership = names.get("partnerschap", [""])[0]
    elif len(names.get("bereik", [])) > DESCRIBE_PARTNERSHIPS:
        partnership = "alle partnerschappen binnen je bereik"
    else:
        partnership = ", ".join(names.get("bereik", [])) or "geen"
    lines = [
        ("Peildatum", f"{f.reference:%d-%m-%Y}"),
        ("Partnerschap", partnership),
        ("Bestuur", names["bestuur"][0] if "bestuur" in names else "alle besturen"),
        ("Schooljaar", school_year_label(f.school_year) if f.school_year is not None else "alle schooljaren"),
        ("Soort training", f.kind.label if f.kind is not None else "alle soorten"),
        ("Grens lage respons", f"{f.low_pct}%"),
    ]
    if f.trainer_id is not None:
        lines.append(("Trainer", names.get("trainer", [""])[0]))
    return lines
