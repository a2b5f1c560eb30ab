"""Personal data (AVG): everything the app holds about a person, its export, anonymisation, and
the retention period after a person's last activity.

Anonymising keeps every row that a figure counts (the person, their roles, sessions given,
certificates, attendance, mentorships, trainer evaluations and their answers), so counts per
training and school year stay the same; what identifies the person goes:
- the person's name becomes ANONYMOUS_NAME, the e-mail address is removed, anonymised_at is set;
- the person's account (a trainer account) is deleted with its invitations and import drafts;
  references to it from other rows are set to NULL;
- the name and e-mail address (of the person and of the account) are replaced by REDACTED
  wherever else they occur in free text or JSON, in any table (trainer evaluation answers, the
  reasons of a cancellation or waiver, saved import mappings...); an import draft that mentions
  them is deleted (drafts are transient and would otherwise be confirmed with the redactions).
The person and account tables themselves are not scanned: their other rows are other people, who
may share a name.

Participants' answers are anonymous and linked to nobody: they are never part of a person's data.

Retention: a person whose last activity (LAST_ACTIVITY_SOURCES) is more than the partnership's
retention_years (certification.policy) before `today` is past retention; exactly that many years
is not yet past. Computed in SQL for all persons at once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Column,
    Date,
    Enum,
    String,
    Text,
    UniqueConstraint,
    cast,
    delete,
    func,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import visitors
from sqlalchemy.sql.functions import FunctionElement

from evaluaties.answers.models import Answer, EvaluationRequest
from evaluaties.answers.parsing import display_value
from evaluaties.questionnaires.models import Question
from kwaliteit.accounts.models import Invitation, Role, User
from kwaliteit.certification.models import (
    Attendance,
    Certificate,
    Mentorship,
    ProfessionalRegistration,
    RegisterPolicy,
    TrainerQualification,
)
from kwaliteit.certification.policy import joined_value
from kwaliteit.db import Base
from kwaliteit.pagination import Page, clamp_page
from kwaliteit.registry.models import Organisation, Partnership, Person
from kwaliteit.registry.services import get_person
from kwaliteit.scope import Forbidden, Scope
from kwaliteit.sqldates import add_years, plus_years, school_year_label
from kwaliteit.trainings.models import Training, TrainingSession, session_trainer
from kwaliteit.validation import ValidationError

# The name an anonymised person keeps (the row stays, so that figures keep counting it).
ANONYMOUS_NAME = "Geanonimiseerd persoon"
# What replaces a name or e-mail address in other text: shorter than any text it replaces (see
# MIN_NEEDLE), so no replacement breaks a length limit.
REDACTED = "***"
# Shorter names are not searched for in other text: "Bo" would redact every word "bo".
MIN_NEEDLE = 4
# Tables whose rows are deleted (not redacted) when they mention the person: transient drafts.
DELETE_WHEN_MENTIONED = ("import_draft",)
# Identity tables: their other rows are other people (handled explicitly, never scanned).
IDENTITY_TABLES = ("person", "app_user")
# Columns never scanned: secrets and fingerprints, which a redaction would break.
_SKIPPED_SUFFIXES = ("hash", "token", "signature")

NOT_CONFIRMED = "Vink aan dat je deze persoon wilt anonimiseren; dit kan niet ongedaan worden."
ALREADY_ANONYMISED = "Deze persoon is geanonimiseerd; de gegevens kunnen niet meer worden gewijzigd."


def _require_admin(scope: Scope) -> None:
    if scope.role is not Role.ADMIN:
        raise Forbidden()


def _require_manager(scope: Scope) -> None:
    if not scope.may_manage():
        raise Forbidden()


class date_of(FunctionElement):
    """The calendar date of a timestamp column, in SQL (UTC), on both databases."""

    type = Date()
    inherit_cache = True
    name = "date_of"


@compiles(date_of)
def _date_of_default(element, compiler, **kw):
    (ts,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST({ts} AS DATE)"


@compiles(date_of, "sqlite")
def _date_of_sqlite(element, compiler, **kw):
    (ts,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"date({ts})"


# ================================================================ last activity and retention

# What counts as activity for the retention period, as the pages and the README say it.
LAST_ACTIVITY_SOURCES = (
    "opgenomen in het register",
    "een bijeenkomst gegeven als trainer (de datum)",
    "een certificaat (de datum van uitgifte)",
    "een bijeenkomst bijgewoond (de datum)",
    "mentor in een schooljaar (tot het einde ervan, 31 juli)",
    "een registratie train-de-trainer (afgerond) of een beroepsregistratie (geregistreerd)",
    "een trainersevaluatie ingediend",
    "het account: aangemaakt, of een uitnodiging aanvaard",
)


def _activity():
    """SQL: one row (person_id, day) per activity of every person (LAST_ACTIVITY_SOURCES)."""
    # 31 July of the school year's end: 31 July 1900 plus (school_year + 1 - 1900) years.
    mentorship_end = add_years(literal(date(1900, 7, 31), Date), Mentorship.school_year - 1899)
    return union_all(
        select(Person.id.label("person_id"), date_of(Person.created_at).label("day")),
        select(session_trainer.c.person_id, TrainingSession.date).join(
            TrainingSession, TrainingSession.id == session_trainer.c.session_id
        ),
        select(Certificate.person_id, Certificate.issued_on),
        select(Attendance.person_id, TrainingSession.date).join(
            TrainingSession, TrainingSession.id == Attendance.session_id
        ),
        select(Mentorship.person_id, mentorship_end),
        select(TrainerQualification.person_id, TrainerQualification.completed_on),
        select(ProfessionalRegistration.person_id, ProfessionalRegistration.registered_on),
        select(EvaluationRequest.submitted_by_id, date_of(EvaluationRequest.submitted_at)).where(
            EvaluationRequest.submitted_by_id.is_not(None), EvaluationRequest.submitted_at.is_not(None)
        ),
        select(User.person_id, date_of(User.created_at)).where(User.person_id.is_not(None)),
        select(User.person_id, date_of(Invitation.used_at))
        .join(Invitation, Invitation.user_id == User.id)
        .where(User.person_id.is_not(None), Invitation.used_at.is_not(None)),
    ).subquery("activity")


def last_activity_subquery():
    """SQL: (person_id, last) for every person: the day of their latest activity."""
    activity = _activity()
    return (
        select(activity.c.person_id, func.max(activity.c.day).label("last"))
        .group_by(activity.c.person_id)
        .subquery("last_activity")
    )


@dataclass
class RetentionRow:
    person: Person
    organisation_name: str
    partnership_name: str
    last_activity: date
    retention_years: int

    @property
    def kept_until(self) -> date:
        return plus_years(self.last_activity, self.retention_years)


def _past_retention_select(scope: Scope, today: date, columns):
    """SQL: the persons in scope past retention on `today`; `columns(last, years)` says what to
    select (last: the last_activity subquery; years: the partnership's retention_years)."""
    last = last_activity_subquery()
    years = joined_value("retention_years")
    stmt = (
        select(*columns(last, years))
        .select_from(Person)
        .join(Organisation, Organisation.id == Person.organisation_id)
        .join(Partnership, Partnership.id == Organisation.partnership_id)
        .outerjoin(RegisterPolicy, RegisterPolicy.partnership_id == Organisation.partnership_id)
        .join(last, last.c.person_id == Person.id)
        .where(Person.anonymised_at.is_(None), add_years(last.c.last, years) < today)
    )
    return scope.filter(stmt, Organisation.partnership_id), last


def persons_past_retention(
    db: Session, scope: Scope, today: date, page: int = 1, page_size: int = 25
) -> Page:
    """The persons (not yet anonymised) whose last activity is more than their partnership's
    retention period before `today`, oldest activity first. Two statements."""
    _require_manager(scope)
    ids, _last = _past_retention_select(scope, today, lambda last, years: [Person.id])
    total = db.execute(select(func.count()).select_from(ids.subquery())).scalar_one()
    page = clamp_page(page, total, page_size)
    stmt, last = _past_retention_select(
        scope, today, lambda last, years: [Person, Organisation.name, Partnership.name, last.c.last, years]
    )
    rows = db.execute(
        stmt.order_by(last.c.last, Person.id).limit(page_size).offset((page - 1) * page_size)
    ).all()
    return Page([RetentionRow(*r) for r in rows], total, page, page_size)


def past_retention_ids(db: Session, scope: Scope, today: date) -> list[int]:
    stmt, _last = _past_retention_select(scope, today, lambda last, years: [Person.id])
    return list(db.scalars(stmt.order_by(Person.id)))


def apply_retention(db: Session, today: date, now: datetime, scope: Scope | None = None) -> list[int]:
    """Anonymise every person past retention on `today` (all partnerships unless `scope` says
    otherwise; the daily job and the CLI act for the system). Returns their ids; a second run
    the same day finds nobody."""
    scope = scope or Scope.everything()
    _require_admin(scope)
    ids = past_retention_ids(db, scope, today)
    _anonymise(db, ids, now)
    return ids


def confirm_retention(db: Session, scope: Scope, today: date, now: datetime, seen: int | None) -> list[int]:
    """The button of the retention page: anonymise the persons it listed. `seen` is how many it
    listed; when that changed meanwhile, nothing happens and the page is shown again."""
    _require_admin(scope)
    ids = past_retention_ids(db, scope, today)
    if seen != len(ids):
        raise ValidationError(
            {"list": "De lijst is intussen veranderd. Bekijk haar opnieuw en bevestig dan."}
        )
    return apply_retention(db, today, now, scope)


# ================================================================ the person's data


@dataclass
class EvaluationItem:
    request: EvaluationRequest
    session: TrainingSession
    training_title: str
    answers: list[tuple[Question, str]] = field(default_factory=list)


@dataclass
class PersonRecord:
    """Everything the app holds about one person."""

    person: Person
    organisation: Organisation
    board: Organisation | None
    partnership: Partnership
    account: User | None
    invitations: list[Invitation]
    sessions: list[TrainingSession]  # given as trainer, with .training loaded
    evaluations: list[EvaluationItem]
    qualifications: list[TrainerQualification]
    registrations: list[ProfessionalRegistration]
    certificates: list[Certificate]
    attendance: list[Attendance]
    mentorships: list[Mentorship]
    last_activity: date | None
    retention_years: int

    @property
    def kept_until(self) -> date | None:
        return plus_years(self.last_activity, self.retention_years) if self.last_activity else None

    @property
    def roles(self):
        return sorted(self.person.roles, key=lambda r: r.value)


def person_record(db: Session, scope: Scope, person_id: int) -> PersonRecord:
    """Everything about the person, in a fixed number of statements."""
    person = get_person(db, scope, person_id)
    organisation = person.organisation
    partnership = db.get(Partnership, organisation.partnership_id)
    assert partnership is not None  # the organisation's (a foreign key)
    board = db.get(Organisation, organisation.parent_id) if organisation.parent_id else None
    account = db.scalar(
        select(User).where(User.person_id == person.id).options(selectinload(User.partnerships))
    )
    invitations = (
        list(db.scalars(select(Invitation).where(Invitation.user_id == account.id).order_by(Invitation.created_at)))
        if account is not None
        else []
    )
    sessions = list(
        db.scalars(
            select(TrainingSession)
            .join(session_trainer, session_trainer.c.session_id == TrainingSession.id)
            .where(session_trainer.c.person_id == person.id)
            .options(selectinload(TrainingSession.training))
            .order_by(TrainingSession.date, TrainingSession.id)
        )
    )
    requests = db.execute(
        select(EvaluationRequest, TrainingSession, Training.title)
        .join(TrainingSession, TrainingSession.id == EvaluationRequest.session_id)
        .join(Training, Training.id == TrainingSession.training_id)
        .where(EvaluationRequest.submitted_by_id == person.id)
        .order_by(TrainingSession.date, EvaluationRequest.id)
    ).all()
    evaluations = [EvaluationItem(r, ts, title) for r, ts, title in requests]
    by_response = {item.request.response_id: item for item in evaluations if item.request.response_id}
    if by_response:
        for answer, question in db.execute(
            select(Answer, Question)
            .join(Question, Question.id == Answer.question_id)
            .where(Answer.response_id.in_(sorted(by_response)))
            .order_by(Answer.response_id, Question.position, Question.id)
        ).all():
            by_response[answer.response_id].answers.append((question, display_value(question, answer)))
    qualifications = list(
        db.scalars(
            select(TrainerQualification)
            .where(TrainerQualification.person_id == person.id)
            .options(selectinload(TrainerQualification.training))
            .order_by(TrainerQualification.completed_on, TrainerQualification.id)
        )
    )
    registrations = list(
        db.scalars(
            select(ProfessionalRegistration)
            .where(ProfessionalRegistration.person_id == person.id)
            .order_by(ProfessionalRegistration.registered_on, ProfessionalRegistration.id)
        )
    )
    certificates = list(
        db.scalars(
            select(Certificate)
            .where(Certificate.person_id == person.id)
            .options(
                selectinload(Certificate.training),
                selectinload(Certificate.board),
                selectinload(Certificate.institute),
            )
            .order_by(Certificate.issued_on, Certificate.id)
        )
    )
    attendance = list(
        db.scalars(
            select(Attendance)
            .join(TrainingSession, TrainingSession.id == Attendance.session_id)
            .where(Attendance.person_id == person.id)
            .options(selectinload(Attendance.session).selectinload(TrainingSession.training))
            .order_by(TrainingSession.date, Attendance.session_id)
        )
    )
    mentorships = list(
        db.scalars(
            select(Mentorship)
            .where(Mentorship.person_id == person.id)
            .options(selectinload(Mentorship.school))
            .order_by(Mentorship.school_year, Mentorship.id)
        )
    )
    last = last_activity_subquery()
    last_activity, years = db.execute(
        select(last.c.last, joined_value("retention_years"))
        .select_from(Person)
        .join(Organisation, Organisation.id == Person.organisation_id)
        .outerjoin(RegisterPolicy, RegisterPolicy.partnership_id == Organisation.partnership_id)
        .outerjoin(last, last.c.person_id == Person.id)
        .where(Person.id == person.id)
    ).one()
    return PersonRecord(
        person=person,
        organisation=organisation,
        board=board,
        partnership=partnership,
        account=account,
        invitations=invitations,
        sessions=sessions,
        evaluations=evaluations,
        qualifications=qualifications,
        registrations=registrations,
        certificates=certificates,
        attendance=attendance,
        mentorships=mentorships,
        last_activity=last_activity,
        retention_years=int(years),
    )


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def record_json(record: PersonRecord) -> dict:
    """The person's data as a JSON-ready document (dates ISO 8601; the keys in English, as the
    code; labels in Dutch, as the pages)."""
    p = record.person
    account = record.account
    return {
        "format": "kwaliteit-persoonsgegevens/1",
        "person": {
            "id": p.id,
            "name": p.name,
            "email": p.email,
            "roles": [r.value for r in record.roles],
            "organisation": {"name": record.organisation.name, "kind": record.organisation.kind.value},
            "board": record.board.name if record.board else None,
            "partnership": record.partnership.name,
            "created_at": _iso(p.created_at),
            "anonymised_at": _iso(p.anonymised_at),
        },
        "account": None
        if account is None
        else {
            "email": account.email,
            "name": account.name,
            "role": account.role.value,
            "enabled": account.is_enabled,
            "partnerships": [x.name for x in account.partnerships],
            "created_at": _iso(account.created_at),
            "invitations": [
                {"created_at": _iso(i.created_at), "expires_at": _iso(i.expires_at), "used_at": _iso(i.used_at)}
                for i in record.invitations
            ],
        },
        "sessions_given": [
            {
                "training": ts.training.title,
                "kind": ts.training.kind.value,
                "date": _iso(ts.date),
                "location": ts.location,
                "cancelled": ts.cancelled_at is not None,
            }
            for ts in record.sessions
        ],
        "trainer_evaluations": [
            {
                "training": item.training_title,
                "session_date": _iso(item.session.date),
                "submitted_at": _iso(item.request.submitted_at),
                "answers": [{"question": q.text, "answer": value} for q, value in item.answers],
            }
            for item in record.evaluations
        ],
        "trainer_qualifications": [
            {
                "name": q.name,
                "completed_on": _iso(q.completed_on),
                "valid_until": _iso(q.valid_until),
                "number": q.number,
            }
            for q in record.qualifications
        ],
        "professional_registrations": [
            {
                "register": r.register,
                "number": r.number,
                "registered_on": _iso(r.registered_on),
                "valid_until": _iso(r.valid_until),
            }
            for r in record.registrations
        ],
        "certificates": [
            {
                "kind": c.kind.value,
                "training": c.training.title if c.training else None,
                "issued_on": _iso(c.issued_on),
                "valid_until": _iso(c.valid_until),
                "number": c.number,
                "issued_by": c.issued_by.value,
                "board": c.board.name if c.board else None,
                "institute": c.institute.name if c.institute else None,
            }
            for c in record.certificates
        ],
        "attendance": [
            {"training": a.session.training.title, "date": _iso(a.session.date)} for a in record.attendance
        ],
        "mentorships": [
            {
                "school": m.school.name,
                "school_year": school_year_label(m.school_year),
                "student_kind": m.student_kind.value,
                "students": m.students,
            }
            for m in record.mentorships
        ],
        "retention": {
            "last_activity": _iso(record.last_activity),
            "retention_years": record.retention_years,
            "kept_until": _iso(record.kept_until),
        },
    }


def export_person(db: Session, scope: Scope, person_id: int) -> tuple[Person, bytes]:
    """Admins: the person's data as a JSON document (UTF-8)."""
    _require_admin(scope)
    record = person_record(db, scope, person_id)
    data = json.dumps(record_json(record), ensure_ascii=False, indent=2).encode("utf-8")
    return record.person, data


# ================================================================ anonymising


def anonymise_person(db: Session, scope: Scope, person_id: int, now: datetime, confirmed: bool = True) -> Person:
    """Admins: anonymise the person (see the module docstring). A second time changes nothing."""
    _require_admin(scope)
    person = get_person(db, scope, person_id)
    if not confirmed:
        raise ValidationError({"confirm": NOT_CONFIRMED})
    _anonymise(db, [person.id], now)
    db.refresh(person)
    return person


def _needles(db: Session, person_ids: list[int]) -> list[str]:
    """The names and e-mail addresses of these persons and their accounts, to find elsewhere."""
    values: set[str | None] = set()
    for name, email in db.execute(select(Person.name, Person.email).where(Person.id.in_(person_ids))):
        values.update((name, email))
    for name, email in db.execute(select(User.name, User.email).where(User.person_id.in_(person_ids))):
        values.update((name, email))
    found = {(v or "").strip() for v in values}
    return sorted(
        (v for v in found if len(v) >= MIN_NEEDLE and v.casefold() != ANONYMOUS_NAME.casefold()),
        key=len,
        reverse=True,
    )


def _scanned_columns():
    """(table, column) of every free text and JSON column outside the identity tables: the places
    a name or e-mail address may have been typed or imported. Enumerations, secrets, and values
    under a unique constraint (names of things, certificate numbers) are left alone."""
    for table in Base.metadata.sorted_tables:
        if table.name in IDENTITY_TABLES:
            continue
        unique = {
            c.name for con in table.constraints if isinstance(con, UniqueConstraint) for c in con.columns
        }
        for index in table.indexes:
            if index.unique:  # also over an expression, such as lower(name)
                for expr in index.expressions:
                    unique.update(e.name for e in visitors.iterate(expr) if isinstance(e, Column))
        for column in table.columns:
            kind = column.type
            if isinstance(kind, Enum) or not isinstance(kind, (String, Text, JSON)):
                continue
            if column.name in unique or column.primary_key or column.name.endswith(_SKIPPED_SUFFIXES):
                continue
            yield table, column


def _pattern(needles: list[str]) -> re.Pattern:
    # Whole words only, whatever the case: "Anna" is redacted, "Annabel" is not.
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in needles) + r")(?!\w)", re.IGNORECASE)


def _redact(value, pattern: re.Pattern):
    if isinstance(value, str):
        return pattern.sub(REDACTED, value)
    if isinstance(value, list):
        return [_redact(v, pattern) for v in value]
    if isinstance(value, dict):
        return {_redact(k, pattern): _redact(v, pattern) for k, v in value.items()}
    return value


def _scrub(db: Session, needles: list[str]) -> None:
    """Redact the needles in every scanned column; delete the drafts that mention them."""
    if not needles:
        return
    pattern = _pattern(needles)
    # JSON keeps non-ASCII characters escaped ("\u00e9"): look for both spellings.
    spellings = sorted({s for n in needles for s in (n, json.dumps(n)[1:-1])})
    for table, column in _scanned_columns():
        text = cast(column, Text) if isinstance(column.type, JSON) else column
        mentions = or_(*(text.icontains(s, autoescape=True) for s in spellings))
        keys = list(table.primary_key.columns)
        if not keys:
            continue
        rows = db.execute(select(*keys, column).where(mentions)).all()
        for row in rows:
            key = dict(zip((k.name for k in keys), row[:-1], strict=True))
            where = [k == key[k.name] for k in keys]
            if table.name in DELETE_WHEN_MENTIONED:
                db.execute(delete(table).where(*where))
                continue
            new = _redact(row[-1], pattern)
            if new != row[-1]:
                db.execute(update(table).where(*where).values({column.name: new}))


# A reference to an account that can be neither cleared nor cascaded: the user must change it first.
REQUIRED_REFERENCE = "Het account van deze persoon is nog ergens verplicht aan gekoppeld; wijzig dat eerst."


def _delete_accounts(db: Session, person_ids: list[int]) -> None:
    """Delete the accounts of these persons. References to an account are set to NULL, or
    deleted with it where the foreign key cascades (invitations, drafts, partnership links)."""
    user_ids = list(db.scalars(select(User.id).where(User.person_id.in_(person_ids))))
    if not user_ids:
        return
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name != User.__tablename__:
                continue
            if (fk.ondelete or "").upper() == "CASCADE":
                db.execute(delete(table).where(fk.parent.in_(user_ids)))
            elif fk.parent.nullable:
                db.execute(update(table).where(fk.parent.in_(user_ids)).values({fk.parent.name: None}))
            elif db.scalar(select(func.count()).select_from(table).where(fk.parent.in_(user_ids))):
                # A required reference (an improvement action's owner): the user chooses another first.
                raise ValidationError({"confirm": REQUIRED_REFERENCE})
    db.execute(delete(User).where(User.id.in_(user_ids)))


def _anonymise(db: Session, person_ids: list[int], now: datetime) -> None:
    """Anonymise these persons in one go (set-based: a fixed number of statements per batch, plus
    one per row that mentions them elsewhere)."""
    batch_size = 200
    for start in range(0, len(person_ids), batch_size):
        ids = person_ids[start : start + batch_size]
        db.flush()
        needles = _needles(db, ids)
        _scrub(db, needles)
        _delete_accounts(db, ids)
        db.execute(
            update(Person)
            .where(Person.id.in_(ids))
            .values(
                name=ANONYMOUS_NAME,
                email=None,
                anonymised_at=func.coalesce(Person.anonymised_at, literal(now, Person.anonymised_at.type)),
            )
        )
    # Objects loaded before the updates above must not show (or write back) the old values.
    db.expire_all()
