"""What sessions owe, and the trainer's own session evaluation.

A session owes a trainer evaluation and a participant evaluation from the moment it exists; the
EvaluationRequest row is made only when someone acts on it (submits, waives, locks).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, case, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from evaluaties.answers.models import EvaluationRequest, Response, ResponseSource
from evaluaties.answers.parsing import RawValue, parse_answers
from evaluaties.answers.status import (
    TO_DO,
    URGENCY,
    Status,
    participant_closes_on,
    participant_status,
    trainer_due_date,
    trainer_status,
    urgency,
)
from evaluaties.questionnaires import services as questionnaires
from evaluaties.questionnaires.models import Audience, EvaluationSettings
from evaluaties.results import tally
from kwaliteit import limits
from kwaliteit.models_base import utcnow
from kwaliteit.pagination import Page, clamp_page
from kwaliteit.registry.models import Partnership
from kwaliteit.scope import Forbidden, NotFound, Scope
from kwaliteit.trainings.models import Training, TrainingSession, session_trainer
from kwaliteit.trainings.services import get_session, lock_session
from kwaliteit.validation import Conflict, ValidationError, text_error

LOCKED = "Deze evaluatie is vergrendeld en kan niet meer worden gewijzigd."
ALREADY_SUBMITTED = "Deze evaluatie is al ingediend."

# The statuses in which a trainer evaluation is still owed.
OWED = TO_DO


def _with_request(stmt, audience: Audience):
    return stmt.outerjoin(
        EvaluationSettings, EvaluationSettings.training_id == TrainingSession.training_id
    ).outerjoin(
        EvaluationRequest,
        and_(EvaluationRequest.session_id == TrainingSession.id, EvaluationRequest.audience == audience),
    )


@dataclass
class OwedRow:
    session: TrainingSession
    training: Training
    partnership_name: str
    due: date
    status: Status
    request: EvaluationRequest | None

    @property
    def locked(self) -> bool:
        return self.request is not None and self.request.locked_at is not None


def _rows(db: Session, stmt) -> list[OwedRow]:
    return [OwedRow(s, t, p, due, Status(status), req) for s, t, p, due, status, req in db.execute(stmt)]


def owed_select(today: date, audience: Audience):
    """Every session with the due (or closing) date and derived status of its evaluation for
    `audience`, and the request row if any: the one statement that lists and counts what is owed
    (this page, the dashboard). Returns the statement and its status column."""
    due = trainer_due_date() if audience is Audience.TRAINER else participant_closes_on()
    status = trainer_status(today) if audience is Audience.TRAINER else participant_status(today)
    stmt = (
        select(
            TrainingSession,
            Training,
            Partnership.name,
            due.label("due"),
            status.label("status"),
            EvaluationRequest,
        )
        .join(Training, Training.id == TrainingSession.training_id)
        .join(Partnership, Partnership.id == Training.partnership_id)
    )
    return _with_request(stmt, audience), status


def trainer_evaluations_of(db: Session, person_id: int, today: date) -> list[OwedRow]:
    """The sessions a trainer taught or will teach, with the status of their evaluation, the most
    urgent first (status.URGENCY): what is late, due soon or open by its due date; then what is
    coming, the first first; then what is done or void, the newest first. Ordered in SQL."""
    stmt, status = owed_select(today, Audience.TRAINER)
    rank = urgency(status)
    upcoming = URGENCY.index(Status.UPCOMING)
    first = case((rank < upcoming, trainer_due_date()), (rank == upcoming, TrainingSession.date))
    stmt = stmt.where(
        exists().where(
            session_trainer.c.session_id == TrainingSession.id, session_trainer.c.person_id == person_id
        )
    ).order_by(rank, first, TrainingSession.date.desc(), TrainingSession.start_time, TrainingSession.id)
    return _rows(db, stmt)


def trainer_evaluation_overview(
    db: Session,
    scope: Scope,
    today: date,
    statuses: set[Status] | None = None,
    training_id: int | None = None,
    page: int = 1,
    page_size: int = 50,
    where: Sequence[ColumnElement[bool]] = (),
    order: Sequence | None = None,
    total: int | None = None,
) -> Page:
    """For coordinators: every session's trainer evaluation with its derived status.

    `where`: further conditions on the session, its training and its due date (the list's
    partnership filter, the dashboard's filters); `order`: the sort (default: what is owed, the
    most overdue first; otherwise the newest first); `total`: the number of rows, when the caller
    counted them already (the dashboard's headline). Three statements (two with `total`),
    whatever the data size."""
    stmt, status = owed_select(today, Audience.TRAINER)
    stmt = scope.filter(stmt, Training.partnership_id).where(*where)
    if statuses:
        stmt = stmt.where(status.in_([s.value for s in statuses]))
    if training_id is not None:
        stmt = stmt.where(Training.id == training_id)
    if total is None:
        total = db.execute(
            select(func.count()).select_from(stmt.with_only_columns(TrainingSession.id).subquery())
        ).scalar_one()
    page = clamp_page(page, total, page_size)  # past the end: the last page
    if order is None:  # what is owed: the most overdue first; otherwise the newest first
        due = trainer_due_date()
        order = (due.asc() if statuses and statuses <= set(OWED) else due.desc(),)
    stmt = stmt.order_by(*order, TrainingSession.id).limit(page_size).offset((page - 1) * page_size)
    rows = _rows(db, stmt.options(selectinload(TrainingSession.trainers)))
    return Page(rows, total, page, page_size)


def overview_sorts(today: date) -> dict[str, tuple]:
    """The sortable columns of the trainer evaluations list (the whitelist of kwaliteit.sorting)."""
    due = trainer_due_date()
    return {
        "datum": (TrainingSession.date, TrainingSession.start_time),
        "training": (func.lower(Training.title), TrainingSession.date),
        "partnerschap": (func.lower(Partnership.name), TrainingSession.date),
        "uiterlijk": (due,),
        "status": (urgency(trainer_status(today)), due),
    }


def session_status(
    db: Session, session_id: int, audience: Audience, today: date
) -> tuple[Status, date, EvaluationRequest | None]:
    """Status, due (or closing) date and request of one session's evaluation, from the same SQL."""
    stmt, _ = owed_select(today, audience)
    row = db.execute(stmt.where(TrainingSession.id == session_id)).one_or_none()
    if row is None:
        raise NotFound()
    _s, _t, _p, due, status, req = row
    return Status(status), due, req


def get_or_create_request(db: Session, session_id: int, audience: Audience) -> EvaluationRequest:
    """Idempotent: the unique (session, audience) makes a racing second insert find the first."""
    stmt = select(EvaluationRequest).where(
        EvaluationRequest.session_id == session_id, EvaluationRequest.audience == audience
    )
    req = db.scalar(stmt)
    if req is not None:
        return req
    try:
        with db.begin_nested():
            req = EvaluationRequest(session_id=session_id, audience=audience)
            db.add(req)
    except IntegrityError:  # made at the same moment by another request: that one
        req = db.scalars(stmt).one()
    return req


def is_trainer_of(db: Session, session_id: int, person_id: int | None) -> bool:
    if person_id is None:
        return False
    return bool(
        db.scalar(
            select(func.count()).where(
                session_trainer.c.session_id == session_id, session_trainer.c.person_id == person_id
            )
        )
    )


def _check_may_submit(db: Session, scope: Scope, ts: TrainingSession) -> None:
    """Only a trainer of that session, or a coordinator (or admin) of its partnership."""
    if scope.may_manage():
        scope.check(ts.training.partnership_id)
        return
    if not is_trainer_of(db, ts.id, scope.person_id):
        raise Forbidden()


def load_for_trainer(db: Session, scope: Scope, session_id: int, lock: bool = False) -> TrainingSession:
    """The session a trainer evaluates; `lock`: for a write of answers (trainings.lock_session)."""
    ts = db.get(TrainingSession, session_id, options=[selectinload(TrainingSession.training)])
    if ts is None:
        raise NotFound()
    _check_may_submit(db, scope, ts)
    return lock_session(db, ts.id, for_answers=True) if lock else ts


def trainer_form_version(db: Session, ts: TrainingSession, request: EvaluationRequest | None):
    """The version to show: the one already answered, else the training's current one."""
    if request is not None and request.response is not None:
        return questionnaires.load_version(db, request.response.version_id)
    return questionnaires.applicable_version(db, ts.training_id, Audience.TRAINER)


def submit_trainer_evaluation(
    db: Session, scope: Scope, session_id: int, raw: dict[str, RawValue], today: date, *, replace: bool = True
) -> EvaluationRequest:
    """Submit, or edit until locked, the trainer evaluation of a session. With `replace` False
    (the API's POST) a submitted evaluation is not edited: Conflict(ALREADY_SUBMITTED).

    Two submits at the same moment (two trainers of a tandem, a double click): the request row is
    locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writing transactions with
    BEGIN IMMEDIATE), so the second waits for the first to commit, then reads the response the
    first saved and becomes an edit of it. One response; the answers of the later submit."""
    ts = load_for_trainer(db, scope, session_id, lock=True)
    status, _due, request = session_status(db, session_id, Audience.TRAINER, today)
    if status is Status.CANCELLED:
        raise Conflict("Deze bijeenkomst is geannuleerd: er hoeft geen evaluatie te komen.")
    if status is Status.WAIVED:
        raise Conflict("Voor deze bijeenkomst is de evaluatie kwijtgescholden.")
    if status is Status.UPCOMING:
        raise Conflict("Je kunt een bijeenkomst pas evalueren op of na de dag zelf.")
    if request is not None and request.locked_at is not None:
        raise Conflict(LOCKED)
    if not replace and request is not None and request.response_id is not None:
        raise Conflict(ALREADY_SUBMITTED)
    version = trainer_form_version(db, ts, request)
    if version is None:
        raise ValidationError("Er is geen gepubliceerde vragenlijst voor de trainersevaluatie.")
    answers, errors = parse_answers(version, raw)
    if errors:
        raise ValidationError(errors)
    request = get_or_create_request(db, session_id, Audience.TRAINER)
    # Wait for a concurrent submit, then read what it left (populate_existing: the row as it is
    # now, not as this session loaded it before the lock).
    request = db.scalars(
        select(EvaluationRequest)
        .where(EvaluationRequest.id == request.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if request.locked_at is not None:
        raise Conflict(LOCKED)
    if not replace and request.response_id is not None:  # a concurrent submit came first
        raise Conflict(ALREADY_SUBMITTED)
    if request.response is not None:
        db.refresh(request.response)  # its answers as committed by the other submit
        if request.response.version_id != version.id:
            # Saved meanwhile against another version: answer that one, or refuse clearly.
            version = questionnaires.load_version(db, request.response.version_id)
            answers, errors = parse_answers(version, raw)
            if errors:
                raise ValidationError(errors)
    given = [[(a.question_id, a.value_int) for a in answers]]
    if request.response is None:
        request.response = Response(
            session_id=session_id,
            version_id=version.id,
            audience=Audience.TRAINER,
            source=ResponseSource.TRAINER,
        )
        tally.count(db, _tally_group(ts, version), given)
    else:
        # The tally loses the answers replaced and gains the new ones (see results.tally).
        removed = [[(a.question_id, a.value_int) for a in request.response.answers]]
        request.response.answers.clear()
        db.flush()
        tally.change(db, _tally_group(ts, version), removed, given)
    request.response.answers.extend(answers)
    request.submitted_at = utcnow()
    request.submitted_by_id = scope.person_id
    db.flush()
    return request


def _tally_group(ts: TrainingSession, version) -> tally.Group:
    return tally.Group(ts, ts.training.partnership_id, version, Audience.TRAINER, ResponseSource.TRAINER)


def waive(
    db: Session, scope: Scope, session_id: int, audience: Audience, reason: str, user_id: int
) -> EvaluationRequest:
    if not scope.may_manage():
        raise Forbidden()
    get_session(db, scope, session_id)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Geef een reden op voor de vrijstelling."})
    if message := text_error(reason.strip(), limits.REASON, multiline=True):
        raise ValidationError({"reason": f"Reden van de vrijstelling: {message}"})
    request = get_or_create_request(db, session_id, audience)
    request.waived_at = utcnow()
    request.waived_reason = reason.strip()
    request.waived_by_id = user_id
    db.flush()
    return request


def unwaive(db: Session, scope: Scope, session_id: int, audience: Audience) -> None:
    if not scope.may_manage():
        raise Forbidden()
    get_session(db, scope, session_id)
    request = get_or_create_request(db, session_id, audience)
    request.waived_at = None
    request.waived_reason = None
    request.waived_by_id = None
    db.flush()


def set_locked(db: Session, scope: Scope, session_id: int, locked: bool) -> EvaluationRequest:
    """A coordinator locks a trainer evaluation (the review cycle's Check will do so too)."""
    if not scope.may_manage():
        raise Forbidden()
    get_session(db, scope, session_id)
    request = get_or_create_request(db, session_id, Audience.TRAINER)
    request.locked_at = utcnow() if locked else None
    db.flush()
    return request
