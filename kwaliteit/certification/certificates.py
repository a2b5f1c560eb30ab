"""Rules for the mentor register: certificates of a person, attendance of a session (and issuing
the certificates of all its attendees in one step), and who mentors student teachers where.

Admins and coordinators of the partnership write; steering users read (see the views). Every
function takes the database session, the caller's Scope and, where dates matter, `today`.
Reads are set-based: a fixed number of statements whatever the number of rows.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, delete, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, joinedload

from kwaliteit.accounts.models import Role
from kwaliteit.certification.models import (
    CERTIFICATE_KINDS,
    CERTIFICATE_NUMBER_INDEX,
    MAX_STUDENTS,
    VALIDITY_YEARS_RANGE,
    Attendance,
    Certificate,
    Issuer,
    Mentorship,
    StudentKind,
)
from kwaliteit.certification.policy import policy_for
from kwaliteit.db import conflict_insert, flush_unique, violates
from kwaliteit.limits import CERTIFICATE_NUMBER, quoted
from kwaliteit.models_base import utcnow
from kwaliteit.registry.models import Organisation, OrganisationKind, Person
from kwaliteit.scope import MAX_ID, Forbidden, NotFound, Scope, check_id
from kwaliteit.sqldates import plus_years, school_year_label, school_year_of
from kwaliteit.trainings.models import Training, TrainingKind, TrainingSession
from kwaliteit.trainings.services import get_session
from kwaliteit.validation import ValidationError, check_date_bounds, check_text


def _require_manager(scope: Scope) -> None:
    if not scope.may_manage():
        raise Forbidden()


def _require_reader(scope: Scope) -> None:
    if scope.role not in (Role.ADMIN, Role.COORDINATOR, Role.STEERING):
        raise Forbidden()


def _find(db: Session, model, object_id: int | None):
    """The row with this id, or None (also for an id no table can hold: bad input, not a 404)."""
    if object_id is None or not 0 < object_id <= MAX_ID:
        return None
    return db.get(model, object_id)


def board_of(organisation: Organisation) -> int | None:
    """The board of a school (its parent), a board itself; None for an institute."""
    if organisation.kind is OrganisationKind.SCHOOL:
        return organisation.parent_id
    if organisation.kind is OrganisationKind.BOARD:
        return organisation.id
    return None


# ================================================================ persons in the register


def get_register_person(db: Session, scope: Scope, person_id: int) -> Person:
    """A person of the caller's partnerships, for the register (readers); anonymised: 404."""
    _require_reader(scope)
    person = db.get(Person, check_id(person_id), options=[joinedload(Person.organisation)])
    if person is None or person.anonymised_at is not None:
        raise NotFound()
    scope.check(person.organisation.partnership_id)
    return person


def _managed_person(db: Session, scope: Scope, person_id: int) -> Person:
    _require_manager(scope)
    return get_register_person(db, scope, person_id)


@dataclass
class PartnershipChoices:
    """What a certificate of the partnership may refer to: its boards, institutes, schools and
    trainings of a certificate kind (three statements)."""

    boards: list[Organisation]
    institutes: list[Organisation]
    schools: list[Organisation]
    trainings: list[Training]


def partnership_choices(db: Session, partnership_id: int) -> PartnershipChoices:
    organisations = list(
        db.scalars(
            select(Organisation)
            .where(Organisation.partnership_id == partnership_id)
            .order_by(Organisation.name, Organisation.id)
        )
    )
    trainings = list(
        db.scalars(
            select(Training)
            .where(Training.partnership_id == partnership_id, Training.kind.in_(CERTIFICATE_KINDS))
            .order_by(Training.title, Training.id)
        )
    )
    return PartnershipChoices(
        boards=[o for o in organisations if o.kind is OrganisationKind.BOARD],
        institutes=[o for o in organisations if o.kind is OrganisationKind.INSTITUTE],
        schools=[o for o in organisations if o.kind is OrganisationKind.SCHOOL],
        trainings=trainings,
    )


@dataclass
class AttendedSession:
    session: TrainingSession
    certificate: Certificate | None


@dataclass
class PersonRegister:
    """What the register holds about one person (three statements)."""

    certificates: list[Certificate]
    attended: list[AttendedSession]
    mentorships: list[Mentorship]


def person_register(db: Session, person: Person) -> PersonRegister:
    certificates = list(
        db.scalars(
            select(Certificate)
            .where(Certificate.person_id == person.id)
            .options(
                joinedload(Certificate.training),
                joinedload(Certificate.board),
                joinedload(Certificate.institute),
            )
            .order_by(Certificate.issued_on.desc(), Certificate.id.desc())
        )
    )
    by_session = {c.session_id: c for c in certificates if c.session_id is not None}
    sessions = list(
        db.scalars(
            select(TrainingSession)
            .join(Attendance, Attendance.session_id == TrainingSession.id)
            .where(Attendance.person_id == person.id)
            .options(joinedload(TrainingSession.training))
            .order_by(TrainingSession.date.desc(), TrainingSession.id.desc())
        )
    )
    mentorships = list(
        db.scalars(
            select(Mentorship)
            .where(Mentorship.person_id == person.id)
            .options(joinedload(Mentorship.school))
            .order_by(Mentorship.school_year.desc(), Mentorship.id)
        )
    )
    return PersonRegister(
        certificates, [AttendedSession(s, by_session.get(s.id)) for s in sessions], mentorships
    )


# ================================================================ certificates


@dataclass
class CertificateData:
    kind: TrainingKind | None
    issued_on: date | None
    issued_by: Issuer | None
    training_id: int | None = None
    valid_until: date | None = None  # empty: from the partnership's policy
    no_end: bool = False  # valid without an end date, whatever the policy says
    number: str = ""  # empty: a new number is made
    board_id: int | None = None
    institute_id: int | None = None


NUMBER_TAKEN = "Dit certificaatnummer bestaat al in dit partnerschap."
# Letters and digits that cannot be mistaken for one another when read aloud or typed over.
_NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _random_code() -> str:
    return "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(6))


def new_numbers(db: Session, partnership_id: int, year: int, n: int) -> list[str]:
    """`n` new certificate numbers "<year>-<six characters>", none yet taken in the partnership
    (one statement per round; a second round is as good as never needed)."""
    numbers: list[str] = []
    while len(numbers) < n:
        candidates = list(dict.fromkeys(f"{year}-{_random_code()}" for _ in range(n - len(numbers))))
        taken = set(
            db.scalars(
                select(func.lower(Certificate.number)).where(
                    Certificate.partnership_id == partnership_id,
                    func.lower(Certificate.number).in_([c.lower() for c in candidates]),
                )
            )
        )
        numbers += [c for c in candidates if c.lower() not in taken and c not in numbers]
    return numbers


def _check_organisation(db: Session, organisation_id: int | None, kind: OrganisationKind, partnership_id: int):
    org = _find(db, Organisation, organisation_id)
    return org if org is not None and org.kind is kind and org.partnership_id == partnership_id else None


def _validate_certificate(
    db: Session, person: Person, data: CertificateData, today: date, current: Certificate | None
) -> tuple[date | None, str]:
    """The valid-until date and the number to store, or a ValidationError with every message."""
    partnership_id = person.organisation.partnership_id
    errors: dict[str, str] = {}
    if data.kind not in CERTIFICATE_KINDS:
        errors["kind"] = "Kies de soort training: basistraining, verdiepingstraining of opfrisbijeenkomst."
    if data.training_id is not None:
        training = _find(db, Training, data.training_id)
        if training is None or training.partnership_id != partnership_id:
            errors["training_id"] = "Kies een training van het partnerschap van deze persoon."
        elif data.kind is not None and "kind" not in errors and training.kind is not data.kind:
            errors["training_id"] = f"Kies een training van de soort {data.kind.label.lower()}."
    if current is not None and current.session_id is not None and (
        data.kind is not current.kind or data.training_id != current.training_id
    ):
        errors["kind"] = (
            "Dit certificaat is uitgereikt na een bijeenkomst: de soort en de training liggen daarmee vast."
        )
    if data.issued_on is None:
        errors["issued_on"] = "Vul de datum van uitgifte in."
    elif data.issued_on > today:
        errors["issued_on"] = "De datum van uitgifte ligt in de toekomst: een certificaat volgt op de training."
    elif message := check_date_bounds(data.issued_on, today):
        errors["issued_on"] = message
    valid_until = None
    if not data.no_end and data.issued_on is not None and "issued_on" not in errors:
        if data.valid_until is None:
            valid_until = policy_for(db, partnership_id).certificate_valid_until(data.issued_on)
        elif data.valid_until < data.issued_on:
            errors["valid_until"] = "De geldigheid kan niet eindigen vóór de datum van uitgifte."
        elif data.valid_until > plus_years(data.issued_on, VALIDITY_YEARS_RANGE[1]):
            errors["valid_until"] = (
                f"Kies een einddatum binnen {VALIDITY_YEARS_RANGE[1]} jaar na de uitgifte, of ‘geen einddatum’."
            )
        else:
            valid_until = data.valid_until
    number = (data.number or "").strip()
    check_text(errors, "number", number, CERTIFICATE_NUMBER)
    if number and "number" not in errors:
        taken = select(func.count()).where(
            Certificate.partnership_id == partnership_id, func.lower(Certificate.number) == number.lower()
        )
        if current is not None:
            taken = taken.where(Certificate.id != current.id)
        if db.scalar(taken):
            errors["number"] = NUMBER_TAKEN
    if data.issued_by is None:
        errors["issued_by"] = "Kies wie het certificaat uitgeeft."
    else:
        if data.issued_by in (Issuer.BOARD, Issuer.JOINT) and _check_organisation(
            db, data.board_id, OrganisationKind.BOARD, partnership_id
        ) is None:
            errors["board_id"] = "Kies het bestuur dat het certificaat uitgeeft, uit het eigen partnerschap."
        if data.issued_by in (Issuer.INSTITUTE, Issuer.JOINT) and _check_organisation(
            db, data.institute_id, OrganisationKind.INSTITUTE, partnership_id
        ) is None:
            errors["institute_id"] = (
                "Kies het opleidingsinstituut dat het certificaat uitgeeft, uit het eigen partnerschap."
            )
    if errors:
        raise ValidationError(errors)
    assert data.issued_on is not None  # else an error above
    if not number:
        [number] = new_numbers(db, partnership_id, data.issued_on.year, 1)
    return valid_until, number


def _apply_certificate(cert: Certificate, data: CertificateData, valid_until: date | None, number: str) -> None:
    assert data.kind is not None and data.issued_on is not None and data.issued_by is not None  # validated
    cert.kind = data.kind
    cert.training_id = data.training_id
    cert.issued_on = data.issued_on
    cert.valid_until = valid_until
    cert.number = number
    cert.issued_by = data.issued_by
    cert.board_id = data.board_id if data.issued_by in (Issuer.BOARD, Issuer.JOINT) else None
    cert.institute_id = data.institute_id if data.issued_by in (Issuer.INSTITUTE, Issuer.JOINT) else None


def add_certificate(db: Session, scope: Scope, person_id: int, data: CertificateData, today: date) -> Certificate:
    person = _managed_person(db, scope, person_id)
    valid_until, number = _validate_certificate(db, person, data, today, None)
    cert = Certificate(person_id=person.id, partnership_id=person.organisation.partnership_id)
    _apply_certificate(cert, data, valid_until, number)
    db.add(cert)
    flush_unique(db, CERTIFICATE_NUMBER_INDEX, "number", NUMBER_TAKEN)
    return cert


def get_certificate(db: Session, scope: Scope, certificate_id: int) -> Certificate:
    """A certificate of the caller's partnerships, with its person, training, board, institute."""
    _require_reader(scope)
    cert = db.get(
        Certificate,
        check_id(certificate_id),
        options=[
            joinedload(Certificate.person).joinedload(Person.organisation),
            joinedload(Certificate.training),
            joinedload(Certificate.board),
            joinedload(Certificate.institute),
            joinedload(Certificate.partnership),
        ],
    )
    if cert is None or cert.person.anonymised_at is not None:
        raise NotFound()
    scope.check(cert.partnership_id)
    return cert


def update_certificate(
    db: Session, scope: Scope, certificate_id: int, data: CertificateData, today: date
) -> Certificate:
    _require_manager(scope)
    cert = get_certificate(db, scope, certificate_id)
    valid_until, number = _validate_certificate(db, cert.person, data, today, cert)
    _apply_certificate(cert, data, valid_until, number)
    flush_unique(db, CERTIFICATE_NUMBER_INDEX, "number", NUMBER_TAKEN)
    return cert


def delete_certificate(db: Session, scope: Scope, certificate_id: int) -> Certificate:
    _require_manager(scope)
    cert = get_certificate(db, scope, certificate_id)
    db.delete(cert)
    db.flush()
    return cert


# ================================================================ attendance


def _lock_session(db: Session, session_id: int) -> None:
    """Two coordinators saving the attendance (or issuing) of one session at the same moment take
    turns: the second then reads what the first committed. (SQLite: a writing transaction holds
    the database's write lock already; FOR UPDATE is left out there.)"""
    db.execute(select(TrainingSession.id).where(TrainingSession.id == session_id).with_for_update())


def _session_for_attendance(db: Session, scope: Scope, session_id: int, today: date) -> TrainingSession:
    _require_manager(scope)
    ts = get_session(db, scope, session_id)
    _lock_session(db, ts.id)
    if ts.cancelled_at is not None:
        raise ValidationError("De bijeenkomst is geannuleerd: er is geen aanwezigheid vast te leggen.")
    if ts.date > today:
        raise ValidationError(
            f"De bijeenkomst is nog niet geweest: leg de aanwezigheid vast op of na {ts.date:%d-%m-%Y}."
        )
    return ts


@dataclass
class Attendee:
    person: Person
    organisation_name: str
    certificate: Certificate | None


@dataclass
class SessionAttendance:
    session: TrainingSession
    attendees: list[Attendee]
    candidates: list[tuple[Person, str]]  # every person of the partnership, with organisation name

    @property
    def without_certificate(self) -> int:
        return sum(1 for a in self.attendees if a.certificate is None)


def session_attendance(db: Session, scope: Scope, session_id: int) -> SessionAttendance:
    """The attendees of a session with their certificate of it, and who may be recorded (three
    statements after the session)."""
    _require_manager(scope)
    ts = get_session(db, scope, session_id)
    rows = db.execute(
        select(Person, Organisation.name, Certificate)
        .join(Attendance, Attendance.person_id == Person.id)
        .join(Organisation, Organisation.id == Person.organisation_id)
        .outerjoin(
            Certificate, and_(Certificate.session_id == Attendance.session_id, Certificate.person_id == Person.id)
        )
        .where(Attendance.session_id == ts.id)
        .order_by(Person.name, Person.id)
    ).all()
    candidates = db.execute(
        select(Person, Organisation.name)
        .join(Organisation, Organisation.id == Person.organisation_id)
        .where(Organisation.partnership_id == ts.training.partnership_id, Person.anonymised_at.is_(None))
        .order_by(Person.name, Person.id)
    ).all()
    return SessionAttendance(ts, [Attendee(*r) for r in rows], [(p, o) for p, o in candidates])


@dataclass
class AttendanceChange:
    added: int
    removed: int


def set_attendance(
    db: Session, scope: Scope, session_id: int, person_ids, today: date
) -> AttendanceChange:
    """Who attended the session: exactly these persons of its partnership (added and removed as
    sets). Someone who already has the session's certificate stays on the list."""
    ts = _session_for_attendance(db, scope, session_id, today)
    wanted = {i for i in person_ids if isinstance(i, int) and 0 < i <= MAX_ID}
    if len(wanted) != len(set(person_ids)):
        raise ValidationError({"person_ids": "Kies alleen personen uit de lijst."})
    known = set(
        db.scalars(
            select(Person.id)
            .join(Organisation, Organisation.id == Person.organisation_id)
            .where(
                Person.id.in_(wanted),
                Organisation.partnership_id == ts.training.partnership_id,
                Person.anonymised_at.is_(None),
            )
        )
    ) if wanted else set()
    if wanted - known:
        raise ValidationError({"person_ids": "Kies alleen personen uit het partnerschap van deze bijeenkomst."})
    current = set(db.scalars(select(Attendance.person_id).where(Attendance.session_id == ts.id)))
    removed = current - wanted
    if removed:
        certified = db.scalars(
            select(Person.name)
            .join(Certificate, Certificate.person_id == Person.id)
            .where(Certificate.session_id == ts.id, Person.id.in_(removed))
            .order_by(Person.name)
        ).all()
        if certified:
            names = ", ".join(quoted(n) for n in certified[:5]) + (" en anderen" if len(certified) > 5 else "")
            raise ValidationError(
                {
                    "person_ids": f"{names} heeft al een certificaat van deze bijeenkomst: verwijder eerst dat "
                    "certificaat (op de mentorpagina) om de aanwezigheid te schrappen."
                }
            )
        db.execute(delete(Attendance).where(Attendance.session_id == ts.id, Attendance.person_id.in_(removed)))
    added = wanted - current
    if added:
        # Skips a row a concurrent save just made: two clicks at once record each person once.
        db.execute(
            conflict_insert(db, Attendance)
            .values([{"session_id": ts.id, "person_id": pid, "created_at": utcnow()} for pid in sorted(added)])
            .on_conflict_do_nothing()
        )
    db.flush()
    return AttendanceChange(len(added), len(removed))


# ================================================================ issuing the certificates of a session


@dataclass
class IssueResult:
    issued: int
    already: int  # attendees who had the session's certificate before this call


SESSION_CERTIFICATE_CONSTRAINT = "uq_certificate_session_id_person_id"


def _session_certificate_violation(exc: IntegrityError) -> bool:
    # SQLite names the columns of a table's UNIQUE constraint, not the constraint.
    return violates(exc, SESSION_CERTIFICATE_CONSTRAINT) or "certificate.session_id" in str(exc.orig)


def issue_certificates(
    db: Session,
    scope: Scope,
    session_id: int,
    today: date,
    issued_by: Issuer | None = Issuer.JOINT,
    institute_id: int | None = None,
) -> IssueResult:
    """A certificate for every attendee of the session who has none for it yet, in one
    transaction: the kind of the session's training, dated the session's date, valid as the
    partnership's policy says, issued by the attendee's board, the institute, or both.

    A second call issues nothing (the unique session + person constraint backs this up when two
    calls run at once). A train-the-trainer session gives no mentor certificate: that is a
    trainer's qualification, recorded in the register of trainers."""
    _require_manager(scope)
    ts = get_session(db, scope, session_id)
    training = ts.training
    if training.kind is TrainingKind.TRAIN_THE_TRAINER:
        raise ValidationError(
            "Een train-de-trainerbijeenkomst levert geen mentorcertificaat op: leg bij elke trainer de "
            "registratie train-de-trainer vast in het register van trainers."
        )
    ts = _session_for_attendance(db, scope, session_id, today)
    partnership_id = training.partnership_id
    errors: dict[str, str] = {}
    if issued_by is None:
        errors["issued_by"] = "Kies wie de certificaten uitgeeft."
    elif issued_by in (Issuer.INSTITUTE, Issuer.JOINT):
        institutes = partnership_choices(db, partnership_id).institutes
        if institute_id is None and len(institutes) == 1:
            institute_id = institutes[0].id
        if institute_id not in {o.id for o in institutes}:
            errors["institute_id"] = "Kies het opleidingsinstituut van het partnerschap dat de certificaten uitgeeft."
    if errors:
        raise ValidationError(errors)

    org = aliased(Organisation)
    has_certificate = exists().where(Certificate.session_id == ts.id, Certificate.person_id == Attendance.person_id)
    rows = db.execute(
        select(
            Attendance.person_id,
            case((org.kind == OrganisationKind.SCHOOL, org.parent_id), (org.kind == OrganisationKind.BOARD, org.id)),
            has_certificate,
        )
        .join(Person, Person.id == Attendance.person_id)
        .join(org, org.id == Person.organisation_id)
        .where(Attendance.session_id == ts.id, Person.anonymised_at.is_(None))
        .order_by(Attendance.person_id)
    ).all()
    if not rows:
        raise ValidationError("Er is nog niemand als aanwezig vastgelegd: leg eerst de aanwezigheid vast.")
    todo = [(pid, board_id) for pid, board_id, has in rows if not has]
    if not todo:
        return IssueResult(0, len(rows))
    valid_until = policy_for(db, partnership_id).certificate_valid_until(ts.date)
    numbers = new_numbers(db, partnership_id, ts.date.year, len(todo))
    db.add_all(
        Certificate(
            partnership_id=partnership_id,
            person_id=pid,
            kind=training.kind,
            training_id=training.id,
            session_id=ts.id,
            issued_on=ts.date,
            valid_until=valid_until,
            number=number,
            issued_by=issued_by,
            board_id=board_id if issued_by in (Issuer.BOARD, Issuer.JOINT) else None,
            institute_id=institute_id if issued_by in (Issuer.INSTITUTE, Issuer.JOINT) else None,
        )
        for (pid, board_id), number in zip(todo, numbers, strict=True)
    )
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError as exc:
        # Only when the row lock above is not available: another click issued them first.
        if not _session_certificate_violation(exc):
            raise
        raise ValidationError(
            "De certificaten van deze bijeenkomst zijn zojuist al uitgereikt. Vernieuw de pagina."
        ) from exc
    return IssueResult(len(todo), len(rows) - len(todo))


# ================================================================ mentorships


YEARS_BACK = 10  # a mentorship may be recorded this many school years back, and one ahead


def school_year_range(today: date) -> tuple[int, int]:
    current = school_year_of(today)
    return current - YEARS_BACK, current + 1


@dataclass
class MentorshipData:
    school_id: int | None
    school_year: int | None
    student_kind: StudentKind | None
    students: int | None = 1


MENTORSHIP_TAKEN = (
    "Deze begeleiding (school, schooljaar en soort student) is al vastgelegd: verwijder die eerst om het "
    "aantal te wijzigen."
)
MENTORSHIP_CONSTRAINT = "uq_mentorship_person_id_school_id_school_year_student_kind"


def add_mentorship(db: Session, scope: Scope, person_id: int, data: MentorshipData, today: date) -> Mentorship:
    """Record that the person guides `students` student teachers of a kind at a school of their
    partnership in a school year. This makes them a mentor in the register."""
    person = _managed_person(db, scope, person_id)
    partnership_id = person.organisation.partnership_id
    errors: dict[str, str] = {}
    if _check_organisation(db, data.school_id, OrganisationKind.SCHOOL, partnership_id) is None:
        errors["school_id"] = "Kies een school uit het partnerschap van deze mentor."
    low, high = school_year_range(today)
    if data.school_year is None or not low <= data.school_year <= high:
        errors["school_year"] = (
            f"Kies een schooljaar van {school_year_label(low)} tot en met {school_year_label(high)}."
        )
    if data.student_kind is None:
        errors["student_kind"] = "Kies de soort student."
    if data.students is None or not 1 <= data.students <= MAX_STUDENTS:
        errors["students"] = f"Vul een aantal van 1 tot en met {MAX_STUDENTS} in."
    if not errors and db.scalar(
        select(func.count()).where(
            Mentorship.person_id == person.id,
            Mentorship.school_id == data.school_id,
            Mentorship.school_year == data.school_year,
            Mentorship.student_kind == data.student_kind,
        )
    ):
        errors["student_kind"] = MENTORSHIP_TAKEN
    if errors:
        raise ValidationError(errors)
    mentorship = Mentorship(
        person_id=person.id,
        school_id=data.school_id,
        school_year=data.school_year,
        student_kind=data.student_kind,
        students=data.students,
    )
    db.add(mentorship)
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError as exc:
        if not (violates(exc, MENTORSHIP_CONSTRAINT) or "mentorship.person_id" in str(exc.orig)):
            raise
        raise ValidationError({"student_kind": MENTORSHIP_TAKEN}) from exc
    return mentorship


def get_mentorship(db: Session, scope: Scope, mentorship_id: int) -> Mentorship:
    _require_manager(scope)
    mentorship = db.get(
        Mentorship, check_id(mentorship_id), options=[joinedload(Mentorship.person).joinedload(Person.organisation)]
    )
    if mentorship is None or mentorship.person.anonymised_at is not None:
        raise NotFound()
    scope.check(mentorship.person.organisation.partnership_id)
    return mentorship


def delete_mentorship(db: Session, scope: Scope, mentorship_id: int) -> Mentorship:
    mentorship = get_mentorship(db, scope, mentorship_id)
    db.delete(mentorship)
    db.flush()
    return mentorship
