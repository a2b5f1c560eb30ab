"""Response rates and non-response: per session, links made, invited, answers and rate.

A session's counts are its own rows: its links counted ahead (link_tally, by its key) and its
responses in the tally (response_tally, by its key), so a rate list costs the sessions in view
(scope, filters, page), never every link and response of every partnership; a page of the list
computes them for its own sessions only.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.util import ClauseAdapter

from evaluaties.answers.models import EvaluationRequest
from evaluaties.answers.status import (
    LONGEST_PARTICIPANT_WINDOW_DAYS,
    Status,
    participant_closes_on,
    participant_status,
    trainer_due_date,
    trainer_status,
)
from evaluaties.questionnaires.models import (
    Audience,
    EvaluationSettings,
)
from evaluaties.results.models import ALL_RESPONSES, LinkTally, ResponseTally
from kwaliteit.pagination import Page, clamp_page
from kwaliteit.registry.models import Partnership
from kwaliteit.scope import Scope
from kwaliteit.sorting import Sort
from kwaliteit.sqldates import school_year_bounds
from kwaliteit.trainings.models import Training, TrainingSession
from kwaliteit.trainings.services import get_session, get_training

# Low response: closing within this many days, with a rate below this percentage.
DEFAULT_LOW_DAYS = 7
DEFAULT_LOW_THRESHOLD_PCT = 50




@dataclass
class RateRow:
    session: TrainingSession
    training: Training
    partnership_name: str
    links: int  # participant links made (single and shared)
    invited: int  # participant_count, or the number of single-use links when that is 0
    answers: int  # participant responses (through links and imported)
    closes_on: date
    status: Status

    @property
    def rate(self) -> float | None:
        """answers / invited, or None when nobody is known to be invited."""
        return self.answers / self.invited if self.invited else None

    @property
    def rate_pct(self) -> int | None:
        return None if self.rate is None else round(self.rate * 100)


def _rate_columns():
    """Links, invited and answers of the TrainingSession row of the enclosing statement, whose
    LinkTally row is outer-joined (rate_query)."""
    n_links = func.coalesce(LinkTally.links, 0)
    invited = case(
        (TrainingSession.participant_count > 0, TrainingSession.participant_count),
        else_=func.coalesce(LinkTally.single, 0),
    )
    # Every participant response, through links and imported: the tally's rows for all responses.
    n_answers = (
        select(func.coalesce(func.sum(ResponseTally.responses), 0))
        .where(
            ResponseTally.session_id == TrainingSession.id,
            ResponseTally.safeguard == ALL_RESPONSES,
            ResponseTally.audience == Audience.PARTICIPANT,
        )
        .correlate(TrainingSession)
        .scalar_subquery()
    )
    return n_links, invited, n_answers


@dataclass(frozen=True)
class RateQuery:
    """The rate statement (one row per session within scope, RateRow's columns) and its columns,
    for further conditions, sorting and grouping (rate lists here, counts on the dashboard)."""

    stmt: Select
    links: ColumnElement[int]
    invited: ColumnElement[int]
    answers: ColumnElement[int]
    closes: ColumnElement[date]
    status: ColumnElement[str]


@dataclass
class TrainerColumns:
    """The trainer's evaluation of each session in a rate statement: its due date and status."""

    stmt: Select
    due: ColumnElement[date]
    status: ColumnElement[str]


def with_trainer(stmt: Select, today: date) -> TrainerColumns:
    """`stmt` (made from rate_query, which has the participants' request joined) with the trainer's
    request outer-joined on an alias, and the trainer's due date and status read on it: the
    statuses of both in one pass over the sessions. (Joined as a subquery of every session's
    status instead, PostgreSQL worked out all of them for the few sessions of one training.)"""
    trainer_request = EvaluationRequest.__table__.alias("trainer_request")
    adapt = ClauseAdapter(trainer_request).traverse
    return TrainerColumns(
        stmt.outerjoin(
            trainer_request,
            and_(trainer_request.c.session_id == TrainingSession.id, trainer_request.c.audience == Audience.TRAINER),
        ),
        adapt(trainer_due_date()),
        adapt(trainer_status(today)),
    )


def _grouped_answers(within: Sequence[ColumnElement[bool]]):
    """As _rate_columns' answers, from one GROUP BY joined to the sessions: for a figure over many
    sessions (a count per year), where a lookup per session would cost more than one pass. The
    GROUP BY counts only the sessions `within` says (conditions on TrainingSession and Training):
    a database does not push the outer statement's conditions into a grouped subquery, so
    without them it would count every session of every partnership."""
    answers = (
        select(ResponseTally.session_id.label("session_id"), func.sum(ResponseTally.responses).label("answers"))
        .where(ResponseTally.safeguard == ALL_RESPONSES, ResponseTally.audience == Audience.PARTICIPANT)
        .join(TrainingSession, TrainingSession.id == ResponseTally.session_id)
        .join(Training, Training.id == TrainingSession.training_id)
        .where(*within)
        .group_by(ResponseTally.session_id)
        .subquery("answer_counts")
    )
    return answers, func.coalesce(answers.c.answers, 0)


def rate_query(
    scope: Scope, today: date, grouped: bool = False, within: Sequence[ColumnElement[bool]] = ()
) -> RateQuery:
    """`grouped`: answer counts from a GROUP BY rather than a lookup per session (_grouped_answers),
    for aggregates over many sessions; a list of a page of sessions leaves it False. `within`: the
    conditions (on TrainingSession and Training) the caller narrows the statement by, so that the
    GROUP BY counts those sessions only; the scope is always among them. The links come from
    each session's LinkTally row either way."""
    n_links, invited, n_answers = _rate_columns()
    if grouped:
        answer_counts, n_answers = _grouped_answers([scope.condition(Training.partnership_id), *within])
    closes = participant_closes_on()
    status = participant_status(today)
    stmt = (
        select(
            TrainingSession,
            Training,
            Partnership.name,
            n_links.label("links"),
            invited.label("invited"),
            n_answers.label("answers"),
            closes.label("closes_on"),
            status.label("status"),
        )
        .join(Training, Training.id == TrainingSession.training_id)
        .join(Partnership, Partnership.id == Training.partnership_id)
        .outerjoin(EvaluationSettings, EvaluationSettings.training_id == TrainingSession.training_id)
        .outerjoin(
            EvaluationRequest,
            and_(
                EvaluationRequest.session_id == TrainingSession.id,
                EvaluationRequest.audience == Audience.PARTICIPANT,
            ),
        )
        .outerjoin(LinkTally, LinkTally.session_id == TrainingSession.id)
        .where(scope.condition(Training.partnership_id))
    )
    if grouped:
        stmt = stmt.outerjoin(answer_counts, answer_counts.c.session_id == TrainingSession.id)
    return RateQuery(stmt, n_links, invited, n_answers, closes, status)


def _rates_select(scope: Scope, today: date):
    q = rate_query(scope, today)
    return q.stmt, q.invited, q.answers, q.closes, q.status


def rate_rows(db: Session, stmt) -> list[RateRow]:
    """The RateRows of a statement made from rate_query(...).stmt."""
    return [
        RateRow(ts, t, p, int(links), int(invited), int(answers), closes, Status(status))
        for ts, t, p, links, invited, answers, closes, status in db.execute(stmt)
    ]


@dataclass
class RateFilters:
    training_id: int | None = None
    partnership_id: int | None = None
    school_year: int | None = None
    # False: only sessions on or before today (given, and what is open now); the list's default.
    upcoming: bool = True


def rate_sorts(q: RateQuery) -> dict[str, tuple]:
    """The sortable columns of a rate list (the whitelist of kwaliteit.sorting). A session
    without a known number of participants has no rate: it sorts below 0 %."""
    rate = case((q.invited > 0, q.answers * 1.0 / q.invited), else_=-1.0)
    return {
        "datum": (TrainingSession.date, TrainingSession.start_time),
        "training": (func.lower(Training.title), TrainingSession.date),
        "sluit": (q.closes,),
        "links": (q.links,),
        "deelnemers": (q.invited,),
        "ingevuld": (q.answers,),
        "respons": (rate, q.invited),
    }


RATE_SORT_KEYS = ("datum", "training", "sluit", "links", "deelnemers", "ingevuld", "respons")
DEFAULT_RATE_SORT = Sort("datum", descending=True)


def response_rates(
    db: Session, scope: Scope, today: date, filters: RateFilters | None = None,
    page: int = 1, page_size: int = 50, sort: Sort = DEFAULT_RATE_SORT,
) -> Page:
    """Per session (newest first, or as `sort` says): links, participants, answers and rate. Two
    statements per page: the count, and the page's rows, whose sessions a subquery picks first so
    that the counts are computed for those alone (and for all filtered sessions only when the
    sort is on a count)."""
    filters = filters or RateFilters()
    if filters.training_id is not None:
        get_training(db, scope, filters.training_id)  # 403 for another partnership's training
    q = rate_query(scope, today)
    stmt = q.stmt
    if filters.training_id is not None:
        stmt = stmt.where(TrainingSession.training_id == filters.training_id)
    if filters.partnership_id is not None:
        stmt = stmt.where(Training.partnership_id == filters.partnership_id)
    if filters.school_year is not None:
        # A range on the date (ix_training_session_date) serves all partnerships at once; within
        # a scope the sessions come by training, (training_id, school_year), and the range filters.
        first, last = school_year_bounds(filters.school_year)
        stmt = stmt.where(TrainingSession.date.between(first, last))
    if not filters.upcoming:
        stmt = stmt.where(TrainingSession.date <= today)
    total = db.execute(
        select(func.count()).select_from(stmt.with_only_columns(TrainingSession.id).subquery())
    ).scalar_one()
    page = clamp_page(page, total, page_size)
    order = sort.order_by(rate_sorts(q)) or DEFAULT_RATE_SORT.order_by(rate_sorts(q))
    tiebreak = TrainingSession.id.desc() if sort.descending else TrainingSession.id.asc()
    page_ids = (
        stmt.with_only_columns(TrainingSession.id)
        .order_by(*order, tiebreak)
        .limit(page_size)
        .offset((page - 1) * page_size)
        .correlate(None)  # a statement of its own: not tied to the outer one's tables
    )
    rows = rate_rows(db, q.stmt.where(TrainingSession.id.in_(page_ids)).order_by(*order, tiebreak))
    return Page(rows, total, page, page_size)


@dataclass
class SessionRow:
    """A session of a training with its trainer evaluation's status and its participant response."""

    rate: RateRow
    trainer_due: date
    trainer_status: Status

    @property
    def session(self) -> TrainingSession:
        return self.rate.session


def training_session_rows(db: Session, scope: Scope, training_id: int, today: date) -> list[SessionRow]:
    """The sessions of a training, newest first, each with the derived status of its trainer
    evaluation and its participants' response: one statement (and one for the trainers)."""
    get_training(db, scope, training_id)
    trainer = with_trainer(rate_query(scope, today).stmt, today)
    stmt = (
        trainer.stmt.add_columns(trainer.due, trainer.status)
        .where(TrainingSession.training_id == training_id)
        .order_by(TrainingSession.date.desc(), TrainingSession.start_time.desc(), TrainingSession.id)
        .options(selectinload(TrainingSession.trainers))
    )
    return [
        SessionRow(
            RateRow(ts, t, p, int(links), int(invited), int(answers), closes, Status(status)),
            due,
            Status(trainer_status),
        )
        for ts, t, p, links, invited, answers, closes, status, due, trainer_status in db.execute(stmt)
    ]


def session_rate(db: Session, scope: Scope, session_id: int, today: date) -> RateRow:
    """Links, invited, answers, rate and participant status of one session."""
    ts = get_session(db, scope, session_id)
    stmt, *_ = _rates_select(scope, today)
    return rate_rows(db, stmt.where(TrainingSession.id == ts.id))[0]


def low_response(
    db: Session,
    scope: Scope,
    today: date,
    days: int = DEFAULT_LOW_DAYS,
    threshold_pct: int = DEFAULT_LOW_THRESHOLD_PCT,
    partnership_id: int | None = None,
) -> list[RateRow]:
    """Sessions whose participant window is open (or closing soon), closes within `days` days,
    and whose rate is below `threshold_pct` percent; soonest closing first.

    Sessions where nobody is known to be invited (no participant count, no single links) have
    no rate and are not listed.
    """
    stmt, invited, n_answers, closes, status = _rates_select(scope, today)
    stmt = stmt.where(
        # An open window: held, and not longer ago than the longest window (the date's index).
        TrainingSession.date.between(today - timedelta(days=LONGEST_PARTICIPANT_WINDOW_DAYS), today),
        status.in_([Status.OPEN.value, Status.DUE_SOON.value]),
        closes <= today + timedelta(days=days),
        invited > 0,
        n_answers * 100 < invited * threshold_pct,
    ).order_by(closes, TrainingSession.id)
    if partnership_id is not None:
        stmt = stmt.where(Training.partnership_id == partnership_id)
    return rate_rows(db, stmt)


