"""Response rates and non-response: per session, links made, invited, answers and rate.

Set-based: a rate list is one SELECT with two grouped subqueries, whatever the data size.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from evaluaties.answers.models import (
    EvaluationRequest,
    LinkKind,
    ParticipantLink,
    Response,
)
from evaluaties.answers.status import Status, participant_closes_on, participant_status
from evaluaties.questionnaires.models import (
    Audience,
    EvaluationSettings,
)
from kwaliteit.pagination import Page, clamp_page
from kwaliteit.registry.models import Partnership
from kwaliteit.scope import Scope
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
    links = (
        select(
            ParticipantLink.session_id.label("session_id"),
            func.count().label("links"),
            func.sum(case((ParticipantLink.kind == LinkKind.SINGLE, 1), else_=0)).label("single"),
        )
        .group_by(ParticipantLink.session_id)
        .subquery("link_counts")
    )
    answers = (
        select(Response.session_id.label("session_id"), func.count().label("answers"))
        .where(Response.audience == Audience.PARTICIPANT)
        .group_by(Response.session_id)
        .subquery("answer_counts")
    )
    n_links = func.coalesce(links.c.links, 0)
    invited = case(
        (TrainingSession.participant_count > 0, TrainingSession.participant_count),
        else_=func.coalesce(links.c.single, 0),
    )
    n_answers = func.coalesce(answers.c.answers, 0)
    return links, answers, n_links, invited, n_answers


def _rates_select(scope: Scope, today: date):
    links, answers, n_links, invited, n_answers = _rate_columns()
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
        .outerjoin(links, links.c.session_id == TrainingSession.id)
        .outerjoin(answers, answers.c.session_id == TrainingSession.id)
        .where(scope.condition(Training.partnership_id))
    )
    return stmt, invited, n_answers, closes, status


def _rate_rows(db: Session, stmt) -> list[RateRow]:
    return [
        RateRow(ts, t, p, int(links), int(invited), int(answers), closes, Status(status))
        for ts, t, p, links, invited, answers, closes, status in db.execute(stmt)
    ]


@dataclass
class RateFilters:
    training_id: int | None = None
    partnership_id: int | None = None
    school_year: int | None = None


def response_rates(
    db: Session, scope: Scope, today: date, filters: RateFilters | None = None,
    page: int = 1, page_size: int = 50,
) -> Page:
    """Per session (newest first): links, invited, answers and rate. Two statements per page."""
    filters = filters or RateFilters()
    if filters.training_id is not None:
        get_training(db, scope, filters.training_id)  # 403 for another partnership's training
    stmt, _invited, _answers, _closes, _status = _rates_select(scope, today)
    if filters.training_id is not None:
        stmt = stmt.where(TrainingSession.training_id == filters.training_id)
    if filters.partnership_id is not None:
        stmt = stmt.where(Training.partnership_id == filters.partnership_id)
    if filters.school_year is not None:
        first, last = school_year_bounds(filters.school_year)
        stmt = stmt.where(TrainingSession.date.between(first, last))
    total = db.scalar(
        select(func.count()).select_from(stmt.with_only_columns(TrainingSession.id).subquery())
    )
    page = clamp_page(page, total, page_size)
    rows = _rate_rows(
        db,
        stmt.order_by(TrainingSession.date.desc(), TrainingSession.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size),
    )
    return Page(rows, total, page, page_size)


def session_rate(db: Session, scope: Scope, session_id: int, today: date) -> RateRow:
    """Links, invited, answers, rate and participant status of one session."""
    ts = get_session(db, scope, session_id)
    stmt, *_ = _rates_select(scope, today)
    return _rate_rows(db, stmt.where(TrainingSession.id == ts.id))[0]


def low_response(
    db: Session,
    scope: Scope,
    today: date,
    days: int = DEFAULT_LOW_DAYS,
    threshold_pct: int = DEFAULT_LOW_THRESHOLD_PCT,
) -> list[RateRow]:
    """Sessions whose participant window is open (or closing soon), closes within `days` days,
    and whose rate is below `threshold_pct` percent; soonest closing first.

    Sessions where nobody is known to be invited (no participant count, no single links) have
    no rate and are not listed.
    """
    stmt, invited, n_answers, closes, status = _rates_select(scope, today)
    stmt = stmt.where(
        status.in_([Status.OPEN.value, Status.DUE_SOON.value]),
        closes <= today + timedelta(days=days),
        invited > 0,
        n_answers * 100 < invited * threshold_pct,
    ).order_by(closes, TrainingSession.id)
    return _rate_rows(db, stmt)


