"""Trainers in the register: their train-the-trainer qualifications (registratie train-de-trainer)
and professional registrations (such as the BRLO), and who may teach a mentor training.

Admins and the coordinators of a person's partnership manage; steering users read. Every
function takes the database session and the caller's Scope; reads are a fixed number of
statements. The validity of a qualification on a date has one definition in SQL
(certification.flags.qualified_on).

Who may teach: a mentor training (CERTIFICATE_KINDS: basis-, verdiepingstraining,
opfrisbijeenkomst) asks of each trainer a qualification valid on the session's date. The
partnership's policy says whether that is *required* (a session is refused) or *advised* (saved,
with a warning). A train-de-trainer session asks nothing: its trainers train the trainers.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from kwaliteit import limits
from kwaliteit.accounts.models import Role
from kwaliteit.certification import flags
from kwaliteit.certification.models import (
    CERTIFICATE_KINDS,
    VALIDITY_YEARS_RANGE,
    ProfessionalRegistration,
    TrainerQualification,
)
from kwaliteit.certification.policy import Policy, policy_for
from kwaliteit.filters import nl_date
from kwaliteit.pagination import Page, clamp_page
from kwaliteit.registry.models import TRAINER_ROLES, Organisation, OrganisationKind, Partnership, Person
from kwaliteit.registry.services import person_in_scope
from kwaliteit.scope import MAX_ID, Forbidden, NotFound, Scope, check_id
from kwaliteit.sqldates import plus_years
from kwaliteit.trainings.models import Training, TrainingKind, TrainingSession, session_trainer
from kwaliteit.validation import ValidationError, check_date_bounds, check_text

# The kinds of training whose trainers need a valid qualification: the mentor trainings.
MENTOR_KINDS = CERTIFICATE_KINDS


def _require_reader(scope: Scope) -> None:
    if scope.role not in (Role.ADMIN, Role.COORDINATOR, Role.STEERING):
        raise Forbidden()


def _require_manager(scope: Scope) -> None:
    if not scope.may_manage():
        raise Forbidden()


# ================================================================ reading


def get_person(db: Session, scope: Scope, person_id: int) -> Person:
    """A person of the caller's partnerships, for readers of the register."""
    _require_reader(scope)
    return person_in_scope(db, scope, person_id)


@dataclass
class SessionGiven:
    session: TrainingSession
    training: Training
    qualified: bool  # a qualification valid on the session's date
    needs_qualification: bool  # a mentor training


@dataclass
class TrainerPage:
    person: Person
    partnership: Partnership
    policy: Policy
    is_trainer: bool
    state: flags.QualificationState
    qualifications: list[TrainerQualification]
    registrations: list[ProfessionalRegistration]
    sessions: list[SessionGiven]


def trainer_page(db: Session, scope: Scope, person_id: int, today: date) -> TrainerPage:
    """Everything the trainer page shows: a fixed number of statements."""
    person = get_person(db, scope, person_id)
    partnership_id = person.organisation.partnership_id
    rows = flags.list_trainers(db, scope, flags.RegisterFilters(person_id=person.id), today, page_size=1)
    state = rows.items[0].state if rows.items else flags.QualificationState.NONE
    qualifications = list(
        db.scalars(
            select(TrainerQualification)
            .where(TrainerQualification.person_id == person.id)
            .options(selectinload(TrainerQualification.training))
            .order_by(TrainerQualification.completed_on.desc(), TrainerQualification.id.desc())
        )
    )
    registrations = list(
        db.scalars(
            select(ProfessionalRegistration)
            .where(ProfessionalRegistration.person_id == person.id)
            .order_by(ProfessionalRegistration.registered_on.desc(), ProfessionalRegistration.id.desc())
        )
    )
    given = db.execute(
        select(TrainingSession, Training, flags.qualified_on(person.id, TrainingSession.date))
        .join(Training, Training.id == TrainingSession.training_id)
        .join(session_trainer, session_trainer.c.session_id == TrainingSession.id)
        .where(session_trainer.c.person_id == person.id)
        .order_by(TrainingSession.date.desc(), TrainingSession.id.desc())
    ).all()
    return TrainerPage(
        person=person,
        partnership=person.organisation.partnership,
        policy=policy_for(db, partnership_id),
        is_trainer=person.may_be_trainer,
        state=state,
        qualifications=qualifications,
        registrations=registrations,
        sessions=[SessionGiven(ts, t, bool(ok), t.kind in MENTOR_KINDS) for ts, t, ok in given],
    )


def train_the_trainer_trainings(db: Session, partnership_id: int) -> list[Training]:
    """The train-de-trainer trainings of the partnership, for the qualification form."""
    return list(
        db.scalars(
            select(Training)
            .where(Training.partnership_id == partnership_id, Training.kind == TrainingKind.TRAIN_THE_TRAINER)
            .order_by(Training.active.desc(), Training.title, Training.id)
        )
    )


# ================================================================ shared checks


def _manageable_trainer(db: Session, scope: Scope, person_id: int) -> Person:
    _require_manager(scope)
    person = get_person(db, scope, person_id)
    if person.anonymised_at is not None:
        raise ValidationError({"": "Deze persoon is geanonimiseerd: er kan niets meer bij."})
    return person


NOT_A_TRAINER = (
    "Alleen een trainer (school- of instituutsopleider) heeft een registratie: geef deze persoon eerst die rol."
)


def _require_trainer(person: Person) -> None:
    if not set(person.roles) & set(TRAINER_ROLES):
        raise ValidationError({"": NOT_A_TRAINER})


def _check_started(errors: dict[str, str], field: str, value: date | None, today: date, what: str) -> None:
    """A completion or registration date: given, not in the future, not before EARLIEST_DATE."""
    if value is None:
        errors[field] = f"Vul de datum van {what} in."
    elif value > today:
        errors[field] = f"De datum van {what} ligt in de toekomst: vul de datum in waarop het gebeurd is."
    elif message := check_date_bounds(value, today):
        errors[field] = message


def _check_valid_until(errors: dict[str, str], start_field: str, start: date | None, value: date | None) -> None:
    if value is None or start_field in errors or start is None:
        return
    if value < start:
        errors["valid_until"] = f"‘Geldig tot’ ligt vóór de begindatum ({nl_date(start)})."
    elif value > plus_years(start, VALIDITY_YEARS_RANGE[1]):
        errors["valid_until"] = f"Kies een einddatum hoogstens {VALIDITY_YEARS_RANGE[1]} jaar na de begindatum."


def _clean(text: str | None) -> str:
    return (text or "").strip()


def _find(db: Session, model, object_id: int | None):
    if object_id is None or not 0 < object_id <= MAX_ID:
        return None
    return db.get(model, object_id)


# ================================================================ qualifications


@dataclass
class QualificationData:
    """What the form sends. `valid_until` None: from the partnership's policy (the completion date
    plus its validity period, or no end date when the policy says 0 years)."""

    completed_on: date | None
    training_id: int | None = None  # a train-de-trainer training given in kwaliteit
    external_name: str = ""  # or one given elsewhere, by name
    valid_until: date | None = None
    number: str = ""


def _validate_qualification(db: Session, person: Person, data: QualificationData, today: date) -> None:
    errors: dict[str, str] = {}
    name = _clean(data.external_name)
    check_text(errors, "external_name", name, limits.TITLE)
    if data.training_id is not None and name and "external_name" not in errors:
        errors["external_name"] = (
            "Kies een training uit kwaliteit óf vul de naam van een andere training in, niet allebei."
        )
    elif data.training_id is not None:
        training = _find(db, Training, data.training_id)
        if training is None or training.partnership_id != person.organisation.partnership_id:
            errors["training_id"] = "Kies een train-de-trainertraining van het partnerschap van deze trainer."
        elif training.kind is not TrainingKind.TRAIN_THE_TRAINER:
            errors["training_id"] = (
                f"‘{training.title}’ is geen train-de-trainertraining: kies een training van die soort."
            )
    elif not name and "external_name" not in errors:
        errors["training_id"] = "Kies de train-de-trainertraining, of vul hieronder de naam van een andere in."
    _check_started(errors, "completed_on", data.completed_on, today, "afronding")
    _check_valid_until(errors, "completed_on", data.completed_on, data.valid_until)
    check_text(errors, "number", _clean(data.number), limits.CERTIFICATE_NUMBER)
    if errors:
        raise ValidationError(errors)


def _apply_qualification(db: Session, q: TrainerQualification, person: Person, data: QualificationData) -> None:
    assert data.completed_on is not None  # validated
    q.person_id = person.id
    q.training_id = data.training_id
    q.external_name = _clean(data.external_name) or None
    q.completed_on = data.completed_on
    if data.valid_until is None:
        q.valid_until = policy_for(db, person.organisation.partnership_id).qualification_valid_until(
            data.completed_on
        )
    else:
        q.valid_until = data.valid_until
    q.number = _clean(data.number) or None


def add_qualification(
    db: Session, scope: Scope, person_id: int, data: QualificationData, today: date
) -> TrainerQualification:
    person = _manageable_trainer(db, scope, person_id)
    _require_trainer(person)
    _validate_qualification(db, person, data, today)
    q = TrainerQualification()
    _apply_qualification(db, q, person, data)
    db.add(q)
    db.flush()
    return q


def get_qualification(db: Session, scope: Scope, qualification_id: int) -> TrainerQualification:
    """A qualification of a person of the caller's partnerships (managers)."""
    _require_manager(scope)
    q = db.get(TrainerQualification, check_id(qualification_id))
    if q is None:
        raise NotFound()
    get_person(db, scope, q.person_id)
    return q


def update_qualification(
    db: Session, scope: Scope, qualification_id: int, data: QualificationData, today: date
) -> TrainerQualification:
    q = get_qualification(db, scope, qualification_id)
    person = _manageable_trainer(db, scope, q.person_id)
    _validate_qualification(db, person, data, today)
    _apply_qualification(db, q, person, data)
    db.flush()
    return q


def delete_qualification(db: Session, scope: Scope, qualification_id: int) -> Person:
    """A qualification recorded by mistake. Returns its person (for the page to go back to)."""
    q = get_qualification(db, scope, qualification_id)
    person = q.person
    db.delete(q)
    db.flush()
    return person


# ================================================================ professional registrations


@dataclass
class RegistrationData:
    register: str
    registered_on: date | None
    valid_until: date | None = None  # None: no end date
    number: str = ""


def _validate_registration(data: RegistrationData, today: date) -> None:
    errors: dict[str, str] = {}
    register = _clean(data.register)
    if not register:
        errors["register"] = "Vul het register in, bijvoorbeeld BRLO."
    check_text(errors, "register", register, limits.NAME)
    _check_started(errors, "registered_on", data.registered_on, today, "registratie")
    _check_valid_until(errors, "registered_on", data.registered_on, data.valid_until)
    check_text(errors, "number", _clean(data.number), limits.CERTIFICATE_NUMBER)
    if errors:
        raise ValidationError(errors)


def _apply_registration(r: ProfessionalRegistration, person: Person, data: RegistrationData) -> None:
    assert data.registered_on is not None  # validated
    r.person_id = person.id
    r.register = _clean(data.register)
    r.registered_on = data.registered_on
    r.valid_until = data.valid_until
    r.number = _clean(data.number) or None


def add_registration(
    db: Session, scope: Scope, person_id: int, data: RegistrationData, today: date
) -> ProfessionalRegistration:
    person = _manageable_trainer(db, scope, person_id)
    _require_trainer(person)
    _validate_registration(data, today)
    r = ProfessionalRegistration()
    _apply_registration(r, person, data)
    db.add(r)
    db.flush()
    return r


def get_registration(db: Session, scope: Scope, registration_id: int) -> ProfessionalRegistration:
    _require_manager(scope)
    r = db.get(ProfessionalRegistration, check_id(registration_id))
    if r is None:
        raise NotFound()
    get_person(db, scope, r.person_id)
    return r


def update_registration(
    db: Session, scope: Scope, registration_id: int, data: RegistrationData, today: date
) -> ProfessionalRegistration:
    r = get_registration(db, scope, registration_id)
    person = _manageable_trainer(db, scope, r.person_id)
    _validate_registration(data, today)
    _apply_registration(r, person, data)
    db.flush()
    return r


def delete_registration(db: Session, scope: Scope, registration_id: int) -> Person:
    r = get_registration(db, scope, registration_id)
    person = r.person
    db.delete(r)
    db.flush()
    return person


# ================================================================ who may teach


@dataclass
class TeachingCheck:
    """The chosen trainers of a mentor training without a qualification valid on its date."""

    on: date
    unqualified: list[Person]
    policy: Policy

    @property
    def names(self) -> str:
        return ", ".join(p.name for p in self.unqualified)

    def refusal(self) -> str:
        return (
            f"Geen geldige registratie train-de-trainer op {nl_date(self.on)}: {self.names}. Het "
            "registerbeleid van het partnerschap vereist die om een mentortraining te geven: kies een "
            "andere trainer of leg eerst de registratie vast."
        )

    def warning(self) -> str:
        rule = "vereist" if self.policy.required else "adviseert"
        return (
            f"Let op: geen geldige registratie train-de-trainer op {nl_date(self.on)}: {self.names}. Het "
            f"registerbeleid van het partnerschap {rule} die om een mentortraining te geven."
        )


def check_teachers(
    db: Session, partnership_id: int, kind: TrainingKind, trainer_ids: Iterable[int], on: date
) -> TeachingCheck | None:
    """The trainers among `trainer_ids` without a qualification valid on `on`, for a mentor
    training (one statement; the policy is read only when someone lacks one). None: all qualified,
    or no qualification asked (a train-de-trainer session)."""
    ids = sorted(set(trainer_ids))
    if kind not in MENTOR_KINDS or not ids or on is None:
        return None
    unqualified = list(
        db.scalars(
            select(Person).where(Person.id.in_(ids), ~flags.qualified_on(Person.id, on)).order_by(Person.name, Person.id)
        )
    )
    if not unqualified:
        return None
    return TeachingCheck(on, unqualified, policy_for(db, partnership_id))


def refuse_unqualified(
    db: Session,
    training: Training,
    trainer_ids: Iterable[int],
    on: date,
    errors: dict[str, str],
    kept: Collection[int] = (),
) -> None:
    """Put the refusal on the trainers field when the policy requires a qualification. `kept`:
    trainers the session already had on this date (editing it otherwise, such as its number of
    participants, is not refused for them; the page warns instead)."""
    check = check_teachers(db, training.partnership_id, training.kind, trainer_ids, on)
    if check is None or not check.policy.required:
        return
    new = [p for p in check.unqualified if p.id not in set(kept)]
    if new:
        errors["trainer_ids"] = TeachingCheck(on, new, check.policy).refusal()


def teaching_warning(db: Session, ts: TrainingSession) -> str | None:
    """After a session is saved: the warning about its unqualified trainers, or None."""
    check = check_teachers(db, ts.training.partnership_id, ts.training.kind, (p.id for p in ts.trainers), ts.date)
    return check.warning() if check else None


def unqualified_pairs(db: Session, session_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(session id, person id) of every trainer of these sessions of mentor trainings without a
    qualification valid on the session's date: one statement, for the session and training pages."""
    ids = sorted(set(session_ids))
    if not ids:
        return set()
    rows = db.execute(
        select(session_trainer.c.session_id, session_trainer.c.person_id)
        .join(TrainingSession, TrainingSession.id == session_trainer.c.session_id)
        .join(Training, Training.id == TrainingSession.training_id)
        .where(
            session_trainer.c.session_id.in_(ids),
            Training.kind.in_(MENTOR_KINDS),
            ~flags.qualified_on(session_trainer.c.person_id, TrainingSession.date),
        )
    ).all()
    return {(s, p) for s, p in rows}


# ================================================================ sessions given without a qualification


@dataclass
class UnqualifiedRow:
    session: TrainingSession
    training: Training
    person: Person
    partnership_name: str
    last_valid_until: date | None  # the end of the latest qualification before the session, if any


def _unqualified(scope: Scope, filters: flags.RegisterFilters, year: int):
    """One row per (session, trainer) of a mentor training in the school year `year`, not
    cancelled, whose trainer held no qualification valid on the session's date."""
    org = aliased(Organisation, name="org")
    board_id = case(
        (org.kind == OrganisationKind.SCHOOL, org.parent_id),
        (org.kind == OrganisationKind.BOARD, org.id),
    )
    earlier = aliased(TrainerQualification, name="earlier")
    last_valid_until = (
        select(func.max(earlier.valid_until))
        .where(earlier.person_id == Person.id, earlier.completed_on <= TrainingSession.date)
        .scalar_subquery()
    )
    stmt = (
        select(
            TrainingSession.id.label("session_id"),
            Person.id.label("person_id"),
            last_valid_until.label("last_valid_until"),
        )
        .select_from(TrainingSession)
        .join(Training, Training.id == TrainingSession.training_id)
        .join(session_trainer, session_trainer.c.session_id == TrainingSession.id)
        .join(Person, Person.id == session_trainer.c.person_id)
        .join(org, org.id == Person.organisation_id)
        .where(
            scope.condition(Training.partnership_id),
            Training.kind.in_(MENTOR_KINDS),
            TrainingSession.cancelled_at.is_(None),
            TrainingSession.school_year == year,
            ~flags.qualified_on(Person.id, TrainingSession.date),
        )
    )
    if filters.partnership_id is not None:
        stmt = stmt.where(Training.partnership_id == filters.partnership_id)
    partnership_free = flags.RegisterFilters(
        board_id=filters.board_id, school_id=filters.school_id, q=filters.q, person_id=filters.person_id
    )
    return flags._filter_people(stmt, org, board_id, partnership_free).subquery("unqualified")


def _unqualified_rows(db: Session, u, limit: int, offset: int = 0) -> list[UnqualifiedRow]:
    rows = db.execute(
        select(TrainingSession, Training, Person, Partnership.name, u.c.last_valid_until)
        .join(u, u.c.session_id == TrainingSession.id)
        .join(Training, Training.id == TrainingSession.training_id)
        .join(Person, Person.id == u.c.person_id)
        .join(Partnership, Partnership.id == Training.partnership_id)
        .order_by(TrainingSession.date, TrainingSession.id, Person.name, Person.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [UnqualifiedRow(*r) for r in rows]


def list_unqualified(
    db: Session,
    scope: Scope,
    filters: flags.RegisterFilters,
    year: int,
    page: int = 1,
    page_size: int = 25,
) -> Page:
    """Sessions given by trainers without a valid qualification, in a school year: two statements."""
    _require_reader(scope)
    u = _unqualified(scope, filters, year)
    total = db.execute(select(func.count()).select_from(u)).scalar_one()
    page = clamp_page(page, total, page_size)
    return Page(_unqualified_rows(db, u, page_size, (page - 1) * page_size), total, page, page_size)


# A list exported in full, up to this many rows (far more than a partnership's sessions in a year).
MAX_EXPORT_ROWS = 20_000


def export_unqualified(
    db: Session, scope: Scope, filters: flags.RegisterFilters, year: int
) -> tuple[list[str], list[list]]:
    """The same list for a download (managers: it names trainers): header and rows."""
    _require_manager(scope)
    rows = _unqualified_rows(db, _unqualified(scope, filters, year), MAX_EXPORT_ROWS)
    header = ["Datum", "Training", "Soort", "Partnerschap", "Trainer", "Registratie geldig tot"]
    return header, [
        [
            r.session.date,
            r.training.title,
            r.training.kind.label,
            r.partnership_name,
            r.person.name,
            r.last_valid_until if r.last_valid_until else "geen registratie",
        ]
        for r in rows
    ]
