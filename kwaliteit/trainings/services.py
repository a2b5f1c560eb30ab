"""Rules for trainings, their safeguard links and their sessions.

Every function takes the database session and the caller's Scope; reads are set-based
(a fixed number of statements per call, whatever the data size).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from kwaliteit import limits
from kwaliteit.db import flush_unique
from kwaliteit.framework.models import Framework, Safeguard
from kwaliteit.models_base import utcnow
from kwaliteit.pagination import Page, clamp_page
from kwaliteit.registry.models import (
    TRAINER_ROLES,
    Organisation,
    Partnership,
    Person,
    PersonRoleLink,
)
from kwaliteit.scope import Forbidden, NotFound, Scope, check_id
from kwaliteit.sorting import Sort
from kwaliteit.sqldates import school_year_of
from kwaliteit.trainings.models import (
    TITLE_UNIQUE_INDEX,
    Training,
    TrainingForm,
    TrainingKind,
    TrainingSafeguard,
    TrainingSession,
)
from kwaliteit.validation import Conflict, ValidationError, check_date_bounds, check_text, copy_title

# ---------------------------------------------------------------- reading


@dataclass
class TrainingFilters:
    partnership_id: int | None = None
    kind: TrainingKind | None = None
    active: bool | None = True
    q: str = ""


@dataclass
class TrainingRow:
    training: Training
    partnership_name: str
    safeguard_count: int
    session_count: int


def _current_link_count():
    return (
        select(func.count())
        .select_from(TrainingSafeguard)
        .join(Safeguard, Safeguard.id == TrainingSafeguard.safeguard_id)
        .join(Framework, Framework.id == Safeguard.framework_id)
        .where(TrainingSafeguard.training_id == Training.id, Framework.is_current.is_(True))
        .correlate(Training)
        .scalar_subquery()
    )


def _filtered(scope: Scope, filters: TrainingFilters) -> Select:
    stmt = scope.filter(select(Training.id), Training.partnership_id)
    if filters.partnership_id is not None:
        stmt = stmt.where(Training.partnership_id == filters.partnership_id)
    if filters.kind is not None:
        stmt = stmt.where(Training.kind == filters.kind)
    if filters.active is not None:
        stmt = stmt.where(Training.active.is_(filters.active))
    if filters.q:
        # autoescape: a typed "%" or "_" is searched for, not a wildcard.
        stmt = stmt.where(Training.title.icontains(filters.q, autoescape=True))
    return stmt


def _session_count():
    return (
        select(func.count())
        .where(TrainingSession.training_id == Training.id)
        .correlate(Training)
        .scalar_subquery()
    )


# The sortable columns of the trainings list (?sorteer=...): the whitelist of kwaliteit.sorting.
TRAINING_SORTS = {
    "titel": (func.lower(Training.title),),
    "soort": (Training.kind, func.lower(Training.title)),
    "vorm": (Training.form, func.lower(Training.title)),
    "partnerschap": (func.lower(Partnership.name), func.lower(Training.title)),
    "waarborgen": (_current_link_count(),),
    "bijeenkomsten": (_session_count(),),
    "status": (Training.active, func.lower(Training.title)),
}
DEFAULT_TRAINING_SORT = Sort("titel")


def list_trainings(
    db: Session, scope: Scope, filters: TrainingFilters, page: int = 1, page_size: int = 25,
    sort: Sort = DEFAULT_TRAINING_SORT,
) -> Page:
    ids = _filtered(scope, filters)
    total = db.execute(select(func.count()).select_from(ids.subquery())).scalar_one()
    page = clamp_page(page, total, page_size)
    order = sort.order_by(TRAINING_SORTS) or DEFAULT_TRAINING_SORT.order_by(TRAINING_SORTS)
    rows = db.execute(
        select(Training, Partnership.name, _current_link_count(), _session_count())
        .join(Partnership, Partnership.id == Training.partnership_id)
        .where(Training.id.in_(ids))
        .order_by(*order, Training.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return Page([TrainingRow(*r) for r in rows], total, page, page_size)


def get_training(db: Session, scope: Scope, training_id: int) -> Training:
    training = db.get(
        Training,
        check_id(training_id),
        options=[
            selectinload(Training.organisations),
            selectinload(Training.safeguard_links).joinedload(TrainingSafeguard.safeguard),
        ],
    )
    if training is None:
        raise NotFound()
    scope.check(training.partnership_id)
    return training


def training_sessions(db: Session, training: Training) -> list[TrainingSession]:
    return list(
        db.scalars(
            select(TrainingSession)
            .where(TrainingSession.training_id == training.id)
            .options(selectinload(TrainingSession.trainers))
            .order_by(TrainingSession.date.desc(), TrainingSession.start_time.desc())
        )
    )


def current_links(training: Training) -> list[TrainingSafeguard]:
    links = [link for link in training.safeguard_links if link.safeguard.framework.is_current]
    return sorted(links, key=lambda link: link.safeguard.position)


def get_session(db: Session, scope: Scope, session_id: int) -> TrainingSession:
    ts = db.get(
        TrainingSession,
        check_id(session_id),
        options=[selectinload(TrainingSession.trainers), selectinload(TrainingSession.training)],
    )
    if ts is None:
        raise NotFound()
    scope.check(ts.training.partnership_id)
    return ts


def partnerships_in_scope(db: Session, scope: Scope) -> list[Partnership]:
    return list(db.scalars(scope.filter(select(Partnership), Partnership.id).order_by(Partnership.name)))


def organisations_in_scope(db: Session, scope: Scope) -> list[Organisation]:
    return list(
        db.scalars(
            scope.filter(select(Organisation), Organisation.partnership_id)
            .options(selectinload(Organisation.partnership))
            .order_by(Organisation.name)
        )
    )


def trainers_for_partnership(db: Session, partnership_id: int, current: Sequence[int] = ()) -> list[Person]:
    """People with a trainer role (school- or institute-based educator) in the partnership; an
    anonymised person only when already among `current` (the trainers a session has)."""
    return list(
        db.scalars(
            select(Person)
            .join(Organisation, Organisation.id == Person.organisation_id)
            .where(
                Organisation.partnership_id == partnership_id,
                or_(Person.anonymised_at.is_(None), Person.id.in_(list(current))),
                exists().where(
                    PersonRoleLink.person_id == Person.id, PersonRoleLink.role.in_(TRAINER_ROLES)
                ),
            )
            .options(selectinload(Person.organisation))
            .order_by(Person.name)
        )
    )


# ---------------------------------------------------------------- safeguards


@dataclass
class SafeguardTraining:
    training: Training
    partnership_name: str
    rationale: str


def safeguard_trainings(db: Session, scope: Scope, safeguard_id: int) -> tuple[Safeguard, list[SafeguardTraining]]:
    safeguard = db.get(Safeguard, check_id(safeguard_id), options=[selectinload(Safeguard.criteria)])
    if safeguard is None:
        raise NotFound()
    rows = db.execute(
        scope.filter(
            select(Training, Partnership.name, TrainingSafeguard.rationale)
            .join(TrainingSafeguard, TrainingSafeguard.training_id == Training.id)
            .join(Partnership, Partnership.id == Training.partnership_id)
            .where(TrainingSafeguard.safeguard_id == safeguard_id),
            Training.partnership_id,
        ).order_by(Training.active.desc(), Training.title)
    ).all()
    return safeguard, [SafeguardTraining(*r) for r in rows]


@dataclass
class SafeguardCoverage:
    safeguard: Safeguard
    active_trainings: int
    all_trainings: int


@dataclass
class Overview:
    coverage: list[SafeguardCoverage]
    unlinked: list[tuple[Training, str]]

    @property
    def uncovered(self) -> list[Safeguard]:
        return [c.safeguard for c in self.coverage if c.active_trainings == 0]


def overview(db: Session, scope: Scope, where: Sequence[ColumnElement[bool]] = ()) -> Overview:
    """Trainings linked to no safeguard, and safeguards served by no active training.

    `where`: further conditions on Training (the dashboard's partnership, board and kind)."""
    in_scope = and_(scope.condition(Training.partnership_id), *where)
    counts = (
        select(
            TrainingSafeguard.safeguard_id.label("safeguard_id"),
            func.count().label("all_trainings"),
            func.sum(case((Training.active.is_(True), 1), else_=0)).label("active_trainings"),
        )
        .join(Training, Training.id == TrainingSafeguard.training_id)
        .where(in_scope)
        .group_by(TrainingSafeguard.safeguard_id)
        .subquery()
    )
    coverage_rows = db.execute(
        select(Safeguard, counts.c.active_trainings, counts.c.all_trainings)
        .join(Framework, Framework.id == Safeguard.framework_id)
        .outerjoin(counts, counts.c.safeguard_id == Safeguard.id)
        .where(Framework.is_current.is_(True))
        .order_by(Safeguard.position)
    ).all()
    unlinked = db.execute(
        select(Training, Partnership.name)
        .join(Partnership, Partnership.id == Training.partnership_id)
        .where(in_scope, _current_link_count() == 0)
        .order_by(Training.active.desc(), Training.title)
    ).all()
    return Overview(
        [SafeguardCoverage(s, int(a or 0), int(n or 0)) for s, a, n in coverage_rows],
        [(t, p) for t, p in unlinked],
    )


# ---------------------------------------------------------------- writing


# Contact hours are kept to one decimal (Numeric(5, 1)).
HOURS_STEP = Decimal("0.1")


@dataclass
class TrainingData:
    partnership_id: int | None
    title: str
    kind: TrainingKind
    form: TrainingForm
    contact_hours: Decimal
    description: str = ""
    organisation_ids: list[int] = field(default_factory=list)
    # safeguard id -> rationale
    safeguards: dict[int, str] = field(default_factory=dict)


def _validate_training(db: Session, scope: Scope, data: TrainingData) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.title or not data.title.strip():
        errors["title"] = "Vul een titel in."
    check_text(errors, "title", (data.title or "").strip(), limits.TITLE)
    check_text(errors, "description", (data.description or "").strip(), limits.DESCRIPTION, multiline=True)
    if data.partnership_id is None:
        errors["partnership_id"] = "Kies een partnerschap."
    elif not scope.allows(data.partnership_id) or db.get(Partnership, data.partnership_id) is None:
        errors["partnership_id"] = "Je kunt geen trainingen vastleggen voor dit partnerschap."
    if data.contact_hours is None or not (0 <= data.contact_hours <= 500):
        errors["contact_hours"] = "Vul een aantal contacturen tussen 0 en 500 in."
    elif data.contact_hours != data.contact_hours.quantize(HOURS_STEP):
        # The column keeps one decimal: PostgreSQL would round 7,55 and SQLite keep it, showing 7,5.
        errors["contact_hours"] = "Vul de contacturen in met hoogstens één cijfer achter de komma, zoals 7,5."
    if data.organisation_ids and data.partnership_id is not None:
        found = set(
            db.scalars(
                select(Organisation.id).where(
                    Organisation.id.in_(data.organisation_ids),
                    Organisation.partnership_id == data.partnership_id,
                )
            )
        )
        if found != set(data.organisation_ids):
            errors["organisation_ids"] = "Kies alleen organisaties uit het gekozen partnerschap."
    current_ids = set(
        db.scalars(select(Safeguard.id).join(Framework).where(Framework.is_current.is_(True)))
    )
    for sid, rationale in data.safeguards.items():
        if sid not in current_ids:
            errors["safeguards"] = "Kies alleen waarborgen uit het huidige kwaliteitskader."
        elif not (rationale or "").strip():
            errors[f"rationale_{sid}"] = "Licht toe hoe de training deze waarborg dient."
        else:
            check_text(errors, f"rationale_{sid}", rationale.strip(), limits.RATIONALE, multiline=True)
    return errors


def _apply(db: Session, training: Training, data: TrainingData) -> None:
    assert data.partnership_id is not None  # validated
    training.partnership_id = data.partnership_id
    training.title = data.title.strip()
    training.kind = data.kind
    training.form = data.form
    training.contact_hours = abs(data.contact_hours.quantize(HOURS_STEP))  # 7,50 as 7,5; -0 as 0
    training.description = (data.description or "").strip()
    training.organisations = list(
        db.scalars(select(Organisation).where(Organisation.id.in_(data.organisation_ids)))
    ) if data.organisation_ids else []
    # Only links to the current framework are edited; older versions' links stay as history.
    kept = {link.safeguard_id: link for link in training.safeguard_links if link.safeguard_id in data.safeguards}
    current = {
        link.safeguard_id for link in training.safeguard_links if link.safeguard and link.safeguard.framework.is_current
    }
    training.safeguard_links = [
        link for link in training.safeguard_links if link.safeguard_id not in current or link.safeguard_id in kept
    ]
    for sid, rationale in data.safeguards.items():
        if sid in kept:
            kept[sid].rationale = rationale.strip()
        else:
            training.safeguard_links.append(TrainingSafeguard(safeguard_id=sid, rationale=rationale.strip()))


TITLE_TAKEN = "Er bestaat al een training met deze titel in dit partnerschap."


def _flush_unique(db: Session) -> None:
    """A title another transaction took since _title_taken looked: the same field error."""
    flush_unique(db, TITLE_UNIQUE_INDEX, "title", TITLE_TAKEN)


def _title_taken(db: Session, data: TrainingData, exclude_id: int | None) -> bool:
    stmt = select(func.count()).where(
        Training.partnership_id == data.partnership_id,
        func.lower(Training.title) == data.title.strip().lower(),
    )
    if exclude_id is not None:
        stmt = stmt.where(Training.id != exclude_id)
    return bool(db.scalar(stmt))


def create_training(db: Session, scope: Scope, data: TrainingData) -> Training:
    if not scope.may_manage():
        raise Forbidden()
    if errors := _validate_training(db, scope, data):
        raise ValidationError(errors)
    if _title_taken(db, data, None):
        raise Conflict({"title": TITLE_TAKEN})
    training = Training(active=True)
    with db.no_autoflush:  # not flushed half-built
        _apply(db, training, data)
    db.add(training)
    _flush_unique(db)
    return training


def update_training(db: Session, scope: Scope, training_id: int, data: TrainingData) -> Training:
    if not scope.may_manage():
        raise Forbidden()
    training = get_training(db, scope, training_id)
    errors = _validate_training(db, scope, data)
    if data.partnership_id != training.partnership_id and training.sessions:
        errors["partnership_id"] = "Een training met bijeenkomsten kan niet naar een ander partnerschap."
    if errors:
        raise ValidationError(errors)
    if _title_taken(db, data, training.id):
        raise Conflict({"title": TITLE_TAKEN})
    # As in create_training: _apply's queries must not flush the new title early, or a
    # duplicate escapes _flush_unique as an IntegrityError (a 500 instead of a form error).
    with db.no_autoflush:
        _apply(db, training, data)
    _flush_unique(db)
    return training


def set_training_active(db: Session, scope: Scope, training_id: int, active: bool) -> Training:
    """Deactivate rather than delete: sessions and evaluations keep their training."""
    if not scope.may_manage():
        raise Forbidden()
    training = get_training(db, scope, training_id)
    training.active = active
    db.flush()
    return training


def lock_session(db: Session, session_id: int, *, for_answers: bool = False) -> TrainingSession:
    """The session row locked and read anew (PostgreSQL; SQLite writes one at a time anyway).

    A change of its date or cancellation locks it for update; a write of answers locks it for key
    share, which waits for such a change but never for another write of answers. So the results'
    rollup (evaluaties.results.tally) never counts an answer under a school year or cancellation
    that changed meanwhile."""
    return db.scalars(
        select(TrainingSession)
        .where(TrainingSession.id == session_id)
        .with_for_update(key_share=for_answers)
        .execution_options(populate_existing=True)
    ).one()


def set_session_cancelled(db: Session, scope: Scope, session_id: int, reason: str | None) -> TrainingSession:
    """Cancel a session with a reason (None restores it). Kept, never deleted: it stays in the
    history, and what it owed is void while it is cancelled."""
    if not scope.may_manage():
        raise Forbidden()
    ts = lock_session(db, get_session(db, scope, session_id).id)
    was_cancelled = ts.cancelled_at is not None
    if reason is None:
        ts.cancelled_at, ts.cancel_reason = None, None
    elif not reason.strip():
        raise ValidationError({"reden": "Geef een reden op voor de annulering."})
    else:
        errors: dict[str, str] = {}
        check_text(errors, "reden", reason.strip(), limits.REASON, multiline=True)
        if errors:
            raise ValidationError({"reden": f"Reden van de annulering: {errors['reden']}"})
        ts.cancelled_at, ts.cancel_reason = utcnow(), reason.strip()
    db.flush()
    if was_cancelled != (ts.cancelled_at is not None):
        from evaluaties.results import tally  # evaluaties builds on trainings

        # A cancelled session's answers leave the results' rollup, and return with it.
        if was_cancelled:
            tally.restore_session(db, ts.id)
        else:
            tally.withdraw_session(db, ts.id)
    return ts


@dataclass
class SessionData:
    date: date | None
    start_time: time | None
    location: str
    trainer_ids: list[int]
    participant_count: int = 0


def _validate_session(
    db: Session,
    training: Training,
    data: SessionData,
    today: date,
    kept: Sequence[int] = (),
    current: Sequence[int] = (),
) -> dict[str, str]:
    """`kept`: trainers the session already had on this date (see refuse_unqualified)."""
    errors: dict[str, str] = {}
    if data.date is None:
        errors["date"] = "Vul een datum in."
    elif msg := check_date_bounds(data.date, today):
        errors["date"] = msg
    if data.start_time is None:
        errors["start_time"] = "Vul een begintijd in."
    if not (data.location or "").strip():
        errors["location"] = "Vul een locatie in."
    check_text(errors, "location", (data.location or "").strip(), limits.LOCATION)
    if data.participant_count is None or not (0 <= data.participant_count <= 1000):
        errors["participant_count"] = "Vul een aantal deelnemers tussen 0 en 1000 in."
    if not data.trainer_ids:
        errors["trainer_ids"] = "Kies minstens één trainer."
    else:
        allowed = {p.id for p in trainers_for_partnership(db, training.partnership_id, current)}
        if not set(data.trainer_ids) <= allowed:
            errors["trainer_ids"] = "Kies alleen trainers (school- of instituutsopleiders) uit dit partnerschap."
    if not errors.keys() & {"date", "trainer_ids"}:
        # The register builds on trainings: imported when used, not when this module loads.
        from kwaliteit.certification.qualifications import refuse_unqualified

        # No "date" error, so there is a date.
        refuse_unqualified(db, training, data.trainer_ids, data.date, errors, kept)  # type: ignore[arg-type]
    return errors


def _apply_session(db: Session, ts: TrainingSession, data: SessionData) -> None:
    assert data.date is not None and data.start_time is not None  # validated
    ts.date = data.date
    ts.start_time = data.start_time
    ts.location = data.location.strip()
    ts.participant_count = data.participant_count
    ts.trainers = list(db.scalars(select(Person).where(Person.id.in_(data.trainer_ids))))


def create_session(db: Session, scope: Scope, training_id: int, data: SessionData, today: date) -> TrainingSession:
    if not scope.may_manage():
        raise Forbidden()
    training = get_training(db, scope, training_id)
    if errors := _validate_session(db, training, data, today):
        raise ValidationError(errors)
    ts = TrainingSession()
    with db.no_autoflush:  # not flushed half-built
        _apply_session(db, ts, data)
    ts.training = training
    db.add(ts)
    db.flush()
    return ts


def update_session(db: Session, scope: Scope, session_id: int, data: SessionData, today: date) -> TrainingSession:
    if not scope.may_manage():
        raise Forbidden()
    ts = lock_session(db, get_session(db, scope, session_id).id)
    current = [p.id for p in ts.trainers]
    kept = current if ts.date == data.date else []
    if errors := _validate_session(db, ts.training, data, today, kept, current):
        raise ValidationError(errors)
    # The results' rollup counts answers per school year: they move with the session.
    moves = ts.cancelled_at is None and data.date is not None and school_year_of(data.date) != ts.school_year
    if moves:
        from evaluaties.results import tally  # evaluaties builds on trainings

        tally.withdraw_session(db, ts.id)
    _apply_session(db, ts, data)
    db.flush()
    if moves:
        tally.restore_session(db, ts.id)
    return ts


# ---------------------------------------------------------------- copies


def _copy_title(db: Session, partnership_id: int, title: str) -> str:
    """A free title "… (kopie)" in the partnership (only titles with "kopie" can be in the way)."""
    taken = {
        t.lower()
        for t in db.scalars(
            select(Training.title).where(
                Training.partnership_id == partnership_id, Training.title.icontains("kopie")
            )
        )
    }
    return copy_title(title, taken, limits.TITLE)


def duplicate_training(db: Session, scope: Scope, training_id: int) -> Training:
    """A new, active training like this one, titled "… (kopie)": the same kind, form, hours,
    description, organisations, safeguard links (of every framework version, as the original
    keeps them) and evaluation settings (questionnaires and periods). Not its sessions."""
    from evaluaties.questionnaires.models import EvaluationSettings  # evaluaties builds on trainings

    if not scope.may_manage():
        raise Forbidden()
    original = get_training(db, scope, training_id)
    copy = Training(
        partnership_id=original.partnership_id,
        title=_copy_title(db, original.partnership_id, original.title),
        kind=original.kind,
        form=original.form,
        contact_hours=original.contact_hours,
        description=original.description,
        active=True,
    )
    copy.organisations = list(original.organisations)
    copy.safeguard_links = [
        TrainingSafeguard(safeguard_id=link.safeguard_id, rationale=link.rationale)
        for link in original.safeguard_links
    ]
    db.add(copy)
    _flush_unique(db)
    settings = db.get(EvaluationSettings, original.id)
    if settings is not None:
        db.add(
            EvaluationSettings(
                training_id=copy.id,
                trainer_questionnaire_id=settings.trainer_questionnaire_id,
                participant_questionnaire_id=settings.participant_questionnaire_id,
                trainer_due_days=settings.trainer_due_days,
                participant_window_days=settings.participant_window_days,
            )
        )
        db.flush()
    return copy


def duplicate_session(
    db: Session, scope: Scope, session_id: int, on: date | None, start_time: time | None, today: date
) -> TrainingSession:
    """A new session of the same training with the same trainers, location and number of
    participants, on the date (and at the time) chosen. Checked as any new session is."""
    original = get_session(db, scope, session_id)
    data = SessionData(
        date=on,
        start_time=start_time,
        location=original.location,
        trainer_ids=[p.id for p in original.trainers],
        participant_count=original.participant_count,
    )
    return create_session(db, scope, original.training_id, data, today)
