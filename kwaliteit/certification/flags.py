"""What needs action in the register, derived in SQL from dates and an explicit `today`: each
mentor's path stage (leerlijn) and next step, the flags on certificates, mentors and trainers, and
their counts. Nothing here is stored, so no flag goes stale (DESIGN principle 1).

Every query is set-based: a list is two statements (count and page), the counts one.

The path, per mentor and by the partnership's policy (certification.policy):
- no basic training (basistraining) yet: the next step is the basic training, before mentoring;
- otherwise a refresher or deeper training (opfris- of verdiepingstraining) is due `refresh_years`
  after the latest of the basic, refresher and deeper trainings. That date is the next step; the
  stage says whether it is past (te laat), within `expiring_days` (binnenkort) or later (op koers).
A certificate dated after `today` does not count yet.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from kwaliteit.certification.models import (
    CERTIFICATE_KINDS,
    Certificate,
    Mentorship,
    RegisterPolicy,
    TrainerQualification,
)
from kwaliteit.certification.policy import joined_value
from kwaliteit.pagination import Page, clamp_page
from kwaliteit.registry.models import (
    TRAINER_ROLES,
    Organisation,
    OrganisationKind,
    Partnership,
    Person,
    PersonRole,
    PersonRoleLink,
)
from kwaliteit.scope import Forbidden, Scope
from kwaliteit.sqldates import add_days, add_years, school_year_bounds, school_year_of
from kwaliteit.trainings.models import TrainingKind, TrainingSession, session_trainer


class Stage(enum.Enum):
    NO_BASIC = "geen-basistraining"
    OVERDUE = "opfrissen-te-laat"
    DUE_SOON = "opfrissen-binnenkort"
    ON_TRACK = "op-koers"

    @property
    def label(self) -> str:
        return {
            "geen-basistraining": "Nog geen basistraining",
            "opfrissen-te-laat": "Opfrissen te laat",
            "opfrissen-binnenkort": "Opfrissen binnenkort",
            "op-koers": "Op koers",
        }[self.value]


class Flag(enum.Enum):
    CERTIFICATE_EXPIRED = "certificaat-verlopen"
    CERTIFICATE_EXPIRING = "certificaat-verloopt"
    REFRESH_NEEDED = "opfrissen-nodig"
    MENTORING_WITHOUT_BASIC = "mentor-zonder-basistraining"
    QUALIFICATION_EXPIRED = "registratie-verlopen"
    QUALIFICATION_EXPIRING = "registratie-verloopt"
    QUALIFICATION_MISSING = "trainer-zonder-registratie"

    @property
    def label(self) -> str:
        return FLAG_LABELS[self]

    @property
    def about_trainers(self) -> bool:
        return self in TRAINER_FLAGS

    @property
    def about_certificates(self) -> bool:
        return self in (Flag.CERTIFICATE_EXPIRED, Flag.CERTIFICATE_EXPIRING)


FLAG_LABELS = {
    Flag.CERTIFICATE_EXPIRED: "Certificaat verlopen, niet vernieuwd",
    Flag.CERTIFICATE_EXPIRING: "Certificaat verloopt binnenkort",
    Flag.REFRESH_NEEDED: "Opfris- of verdiepingstraining te laat",
    Flag.MENTORING_WITHOUT_BASIC: "Begeleidt een student zonder geldige basistraining",
    Flag.QUALIFICATION_EXPIRED: "Registratie train-de-trainer verlopen",
    Flag.QUALIFICATION_EXPIRING: "Registratie train-de-trainer verloopt binnenkort",
    Flag.QUALIFICATION_MISSING: "Trainer dit schooljaar zonder registratie train-de-trainer",
}
TRAINER_FLAGS = (Flag.QUALIFICATION_EXPIRED, Flag.QUALIFICATION_EXPIRING, Flag.QUALIFICATION_MISSING)
MENTOR_FLAGS = tuple(f for f in Flag if f not in TRAINER_FLAGS)


def _require_reader(scope: Scope) -> None:
    """Admins, coordinators and steering users read the register; trainers do not."""
    from kwaliteit.accounts.models import Role

    if scope.role not in (Role.ADMIN, Role.COORDINATOR, Role.STEERING):
        raise Forbidden()


@dataclass
class RegisterFilters:
    partnership_id: int | None = None
    board_id: int | None = None
    school_id: int | None = None
    q: str = ""
    person_id: int | None = None  # one person (a trainer's or mentor's own page)


# ================================================================ validity in SQL


def valid_on(valid_from, valid_until, on) -> ColumnElement[bool]:
    """A qualification or certificate that has started and not ended on the date `on`."""
    return and_(valid_from <= on, or_(valid_until.is_(None), valid_until >= on))


def qualified_on(person_id, on) -> ColumnElement[bool]:
    """SQL: the person holds a train-the-trainer qualification valid on the date `on` (a value or
    a column, such as TrainingSession.date)."""
    q = aliased(TrainerQualification)
    return exists().where(q.person_id == person_id, valid_on(q.completed_on, q.valid_until, on))


# ================================================================ mentors and their path


def _mentor_base(scope: Scope, filters: RegisterFilters, today: date, materialized: bool = False):
    """One row per mentor in scope: a person with the mentor role or a recorded mentorship, not
    anonymised, with their school, board, partnership, policy and path columns. `materialized`:
    as a CTE worked out once, for an aggregate that tests the stage (a CASE over dates) several
    times per mentor; a plain subquery would be inlined and the CASE computed for each test."""
    org = aliased(Organisation, name="org")
    # The certificates of the people in scope only: a grouped subquery gets none of the outer
    # statement's conditions, so without these it grouped every partnership's certificates.
    holder, holder_org = aliased(Person), aliased(Organisation)
    holders_in_view = [scope.condition(holder_org.partnership_id)]
    if filters.partnership_id is not None:
        holders_in_view.append(holder_org.partnership_id == filters.partnership_id)
    certs = (
        select(
            Certificate.person_id.label("person_id"),
            func.max(case((Certificate.kind == TrainingKind.BASIC, Certificate.issued_on))).label("basic_on"),
            func.max(Certificate.issued_on).label("last_on"),
            func.max(
                case(
                    (
                        and_(
                            Certificate.kind == TrainingKind.BASIC,
                            or_(Certificate.valid_until.is_(None), Certificate.valid_until >= today),
                        ),
                        1,
                    ),
                    else_=0,
                )
            ).label("basic_valid"),
        )
        .join(holder, holder.id == Certificate.person_id)
        .join(holder_org, holder_org.id == holder.organisation_id)
        .where(Certificate.issued_on <= today, Certificate.kind.in_(CERTIFICATE_KINDS), *holders_in_view)
        .group_by(Certificate.person_id)
        .subquery("certs")
    )
    year = school_year_of(today)
    mentoring_now = exists().where(Mentorship.person_id == Person.id, Mentorship.school_year == year)
    is_mentor = or_(
        exists().where(PersonRoleLink.person_id == Person.id, PersonRoleLink.role == PersonRole.MENTOR),
        exists().where(Mentorship.person_id == Person.id),
    )
    refresh_years = joined_value("refresh_years")
    expiring_days = joined_value("expiring_days")
    refresh_due = add_years(certs.c.last_on, refresh_years)
    stage = case(
        (certs.c.basic_on.is_(None), literal(Stage.NO_BASIC.value)),
        (refresh_due < today, literal(Stage.OVERDUE.value)),
        (refresh_due <= add_days(literal(today), expiring_days), literal(Stage.DUE_SOON.value)),
        else_=literal(Stage.ON_TRACK.value),
    )
    board_id = case(
        (org.kind == OrganisationKind.SCHOOL, org.parent_id),
        (org.kind == OrganisationKind.BOARD, org.id),
    )
    school_id = case((org.kind == OrganisationKind.SCHOOL, org.id))
    stmt = (
        select(
            Person.id.label("person_id"),
            org.partnership_id.label("partnership_id"),
            school_id.label("school_id"),
            board_id.label("board_id"),
            certs.c.basic_on,
            certs.c.last_on,
            func.coalesce(certs.c.basic_valid, 0).label("basic_valid"),
            refresh_due.label("refresh_due"),
            mentoring_now.label("mentoring_now"),
            stage.label("stage"),
        )
        .select_from(Person)
        .join(org, org.id == Person.organisation_id)
        .outerjoin(RegisterPolicy, RegisterPolicy.partnership_id == org.partnership_id)
        .outerjoin(certs, certs.c.person_id == Person.id)
        .where(Person.anonymised_at.is_(None), is_mentor, scope.condition(org.partnership_id))
    )
    stmt = _filter_people(stmt, org, board_id, filters)
    if materialized:
        return stmt.cte("mentors").prefix_with("MATERIALIZED")
    return stmt.subquery("mentors")


def _filter_people(stmt: Select, org, board_id, filters: RegisterFilters) -> Select:
    if filters.partnership_id is not None:
        stmt = stmt.where(org.partnership_id == filters.partnership_id)
    if filters.board_id is not None:
        stmt = stmt.where(board_id == filters.board_id)
    if filters.school_id is not None:
        stmt = stmt.where(org.id == filters.school_id)
    if filters.person_id is not None:
        stmt = stmt.where(Person.id == filters.person_id)
    if filters.q:
        stmt = stmt.where(
            Person.name.icontains(filters.q, autoescape=True) | Person.email.icontains(filters.q, autoescape=True)
        )
    return stmt


@dataclass
class NextStep:
    text: str
    on: date | None  # None: no date (a basic training before mentoring)
    late: bool


def next_step(stage: Stage, refresh_due: date | None, mentoring_now: bool) -> NextStep:
    if stage is Stage.NO_BASIC:
        if mentoring_now:
            return NextStep("Basistraining volgen: begeleidt al een student", None, True)
        return NextStep("Basistraining volgen, vóór het begeleiden van een student", None, False)
    return NextStep("Opfris- of verdiepingstraining volgen", refresh_due, stage is Stage.OVERDUE)


@dataclass
class MentorRow:
    person: Person
    partnership_name: str
    school_name: str | None
    board_name: str | None
    basic_on: date | None
    last_on: date | None
    basic_valid: bool
    refresh_due: date | None
    mentoring_now: bool
    stage: Stage

    @property
    def next_step(self) -> NextStep:
        return next_step(self.stage, self.refresh_due, self.mentoring_now)


def _mentor_select(m):
    school = aliased(Organisation, name="school_o")
    board = aliased(Organisation, name="board_o")
    return (
        select(
            Person,
            Partnership.name,
            school.name,
            board.name,
            m.c.basic_on,
            m.c.last_on,
            m.c.basic_valid,
            m.c.refresh_due,
            m.c.mentoring_now,
            m.c.stage,
        )
        .join(m, m.c.person_id == Person.id)
        .join(Partnership, Partnership.id == m.c.partnership_id)
        .outerjoin(school, school.id == m.c.school_id)
        .outerjoin(board, board.id == m.c.board_id)
    )


def _mentor_rows(rows) -> list[MentorRow]:
    return [
        MentorRow(p, pn, sn, bn, b, last, bool(bv), rd, bool(mn), Stage(st))
        for p, pn, sn, bn, b, last, bv, rd, mn, st in rows
    ]


# Stages in the order a school leader reads them: the most urgent first.
STAGE_ORDER = {Stage.NO_BASIC: 0, Stage.OVERDUE: 1, Stage.DUE_SOON: 2, Stage.ON_TRACK: 3}


def _stage_rank(column) -> ColumnElement[int]:
    return case({s.value: rank for s, rank in STAGE_ORDER.items()}, value=column)


def list_mentors(
    db: Session,
    scope: Scope,
    filters: RegisterFilters,
    today: date,
    stage: Stage | None = None,
    flag: Flag | None = None,
    page: int = 1,
    page_size: int = 25,
) -> Page:
    """Mentors with their path: all, one stage, or those with a mentor flag (other than the
    certificate flags, which list certificates: see list_certificate_flags)."""
    _require_reader(scope)
    m = _mentor_base(scope, filters, today)
    where = []
    if stage is not None:
        where.append(m.c.stage == stage.value)
    if flag is Flag.REFRESH_NEEDED:
        where.append(m.c.stage == Stage.OVERDUE.value)
    elif flag is Flag.MENTORING_WITHOUT_BASIC:
        where.append(and_(m.c.mentoring_now, m.c.basic_valid == 0))
    elif flag is not None:
        raise ValueError(flag)
    total = db.execute(select(func.count()).select_from(m).where(*where)).scalar_one()
    page = clamp_page(page, total, page_size)
    rows = db.execute(
        _mentor_select(m)
        .where(*where)
        .order_by(_stage_rank(m.c.stage), m.c.refresh_due, Person.name, Person.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return Page(_mentor_rows(rows), total, page, page_size)


def all_mentors(db: Session, scope: Scope, filters: RegisterFilters, today: date) -> list[MentorRow]:
    """Every mentor of the filters, for an export (one statement), ordered by board, school, name."""
    _require_reader(scope)
    m = _mentor_base(scope, filters, today)
    school = aliased(Organisation, name="school_sort")
    board = aliased(Organisation, name="board_sort")
    rows = db.execute(
        _mentor_select(m)
        .outerjoin(school, school.id == m.c.school_id)
        .outerjoin(board, board.id == m.c.board_id)
        .order_by(board.name, school.name, _stage_rank(m.c.stage), Person.name, Person.id)
    ).all()
    return _mentor_rows(rows)


def mentor_path(db: Session, scope: Scope, person_id: int, today: date) -> MentorRow | None:
    """One person's path, or None when they are not a mentor (no role, no mentorship)."""
    _require_reader(scope)
    m = _mentor_base(scope, RegisterFilters(), today)
    row = db.execute(_mentor_select(m).where(Person.id == person_id)).first()
    return _mentor_rows([row])[0] if row else None


def stage_counts(db: Session, scope: Scope, filters: RegisterFilters, today: date) -> dict[Stage, int]:
    """Mentors per path stage (one statement)."""
    _require_reader(scope)
    m = _mentor_base(scope, filters, today)
    counts: dict[str, int] = dict(db.execute(select(m.c.stage, func.count()).group_by(m.c.stage)).all())
    return {s: int(counts.get(s.value, 0)) for s in Stage}


# ================================================================ certificate flags


def _certificate_flag_condition(flag: Flag, today: date, expiring_days) -> ColumnElement[bool]:
    """A certificate whose validity ended (expired) or ends soon (expiring), and that has not been
    renewed: no certificate of the same kind for the same person, dated by `today`, lasts longer
    (of two that end the same day, the later-recorded one stands). So a person with two expired
    certificates of a kind is flagged once, and a renewal dated after `today` does not count yet."""
    other = aliased(Certificate, name="renewal")
    renewed = exists().where(
        other.person_id == Certificate.person_id,
        other.kind == Certificate.kind,
        other.id != Certificate.id,
        other.issued_on <= today,
        or_(
            other.valid_until.is_(None),
            other.valid_until > Certificate.valid_until,
            and_(other.valid_until == Certificate.valid_until, other.id > Certificate.id),
        ),
    )
    if flag is Flag.CERTIFICATE_EXPIRED:
        return and_(Certificate.valid_until < today, ~renewed)
    return and_(
        Certificate.issued_on <= today,
        Certificate.valid_until >= today,
        Certificate.valid_until <= add_days(literal(today), expiring_days),
        ~renewed,
    )


@dataclass
class CertificateFlagRow:
    certificate: Certificate
    person: Person
    partnership_name: str
    school_name: str | None
    board_name: str | None


def _certificate_flags(scope: Scope, filters: RegisterFilters, flag: Flag, today: date):
    org = aliased(Organisation, name="org")
    board_id = case(
        (org.kind == OrganisationKind.SCHOOL, org.parent_id),
        (org.kind == OrganisationKind.BOARD, org.id),
    )
    stmt = (
        select(Certificate.id.label("certificate_id"), board_id.label("board_id"), org.id.label("org_id"))
        .join(Person, Person.id == Certificate.person_id)
        .join(org, org.id == Person.organisation_id)
        .outerjoin(RegisterPolicy, RegisterPolicy.partnership_id == org.partnership_id)
        .where(
            Person.anonymised_at.is_(None),
            scope.condition(org.partnership_id),
            _certificate_flag_condition(flag, today, joined_value("expiring_days")),
        )
    )
    return _filter_people(stmt, org, board_id, filters).subquery("flagged")


def list_certificate_flags(
    db: Session, scope: Scope, flag: Flag, filters: RegisterFilters, today: date, page: int = 1, page_size: int = 25
) -> Page:
    _require_reader(scope)
    if not flag.about_certificates:
        raise ValueError(flag)
    f = _certificate_flags(scope, filters, flag, today)
    total = db.execute(select(func.count()).select_from(f)).scalar_one()
    page = clamp_page(page, total, page_size)
    org = aliased(Organisation, name="org_o")
    board = aliased(Organisation, name="board_o")
    rows = db.execute(
        select(Certificate, Person, Partnership.name, case((org.kind == OrganisationKind.SCHOOL, org.name)), board.name)
        .join(f, f.c.certificate_id == Certificate.id)
        .join(Person, Person.id == Certificate.person_id)
        .join(org, org.id == f.c.org_id)
        .join(Partnership, Partnership.id == org.partnership_id)
        .outerjoin(board, board.id == f.c.board_id)
        .order_by(Certificate.valid_until, Person.name, Certificate.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return Page([CertificateFlagRow(*r) for r in rows], total, page, page_size)


# ================================================================ trainers and their qualifications


class QualificationState(enum.Enum):
    VALID = "geldig"
    EXPIRING = "verloopt"
    EXPIRED = "verlopen"
    NONE = "geen"

    @property
    def label(self) -> str:
        return {
            "geldig": "Geldig",
            "verloopt": "Verloopt binnenkort",
            "verlopen": "Verlopen",
            "geen": "Geen registratie",
        }[self.value]


def _trainer_base(scope: Scope, filters: RegisterFilters, today: date):
    """One row per trainer (a person with a trainer role, not anonymised) in scope: whether a
    qualification is valid today, until when the longest one lasts, and whether they give a
    session in the school year of `today`."""
    org = aliased(Organisation, name="org")
    q = TrainerQualification
    started = (
        select(
            q.person_id.label("person_id"),
            func.max(case((q.valid_until.is_(None), 1), else_=0)).label("endless"),
            func.max(q.valid_until).label("valid_until"),
            func.max(q.completed_on).label("completed_on"),
        )
        .where(q.completed_on <= today)
        .group_by(q.person_id)
        .subquery("quals")
    )
    start, end = school_year_bounds(school_year_of(today))
    active = exists().where(
        session_trainer.c.person_id == Person.id,
        session_trainer.c.session_id == TrainingSession.id,
        TrainingSession.cancelled_at.is_(None),
        TrainingSession.date.between(start, end),
    )
    expiring_days = joined_value("expiring_days")
    state = case(
        (started.c.person_id.is_(None), literal(QualificationState.NONE.value)),
        (started.c.endless == 1, literal(QualificationState.VALID.value)),
        (started.c.valid_until < today, literal(QualificationState.EXPIRED.value)),
        (started.c.valid_until <= add_days(literal(today), expiring_days), literal(QualificationState.EXPIRING.value)),
        else_=literal(QualificationState.VALID.value),
    )
    board_id = case(
        (org.kind == OrganisationKind.SCHOOL, org.parent_id),
        (org.kind == OrganisationKind.BOARD, org.id),
    )
    is_trainer = exists().where(PersonRoleLink.person_id == Person.id, PersonRoleLink.role.in_(TRAINER_ROLES))
    stmt = (
        select(
            Person.id.label("person_id"),
            org.partnership_id.label("partnership_id"),
            org.id.label("org_id"),
            case((started.c.endless == 1, None), else_=started.c.valid_until).label("valid_until"),
            started.c.completed_on,
            active.label("active"),
            state.label("state"),
        )
        .select_from(Person)
        .join(org, org.id == Person.organisation_id)
        .outerjoin(RegisterPolicy, RegisterPolicy.partnership_id == org.partnership_id)
        .outerjoin(started, started.c.person_id == Person.id)
        .where(Person.anonymised_at.is_(None), is_trainer, scope.condition(org.partnership_id))
    )
    return _filter_people(stmt, org, board_id, filters).subquery("trainers")


def _trainer_flag_condition(t, flag: Flag) -> ColumnElement[bool]:
    return {
        Flag.QUALIFICATION_EXPIRED: t.c.state == QualificationState.EXPIRED.value,
        Flag.QUALIFICATION_EXPIRING: t.c.state == QualificationState.EXPIRING.value,
        Flag.QUALIFICATION_MISSING: and_(t.c.state == QualificationState.NONE.value, t.c.active),
    }[flag]


@dataclass
class TrainerRow:
    person: Person
    partnership_name: str
    organisation_name: str
    valid_until: date | None  # None with state VALID: no end date
    completed_on: date | None
    active: bool  # gives a session in the school year of `today`
    state: QualificationState


def list_trainers(
    db: Session,
    scope: Scope,
    filters: RegisterFilters,
    today: date,
    flag: Flag | None = None,
    state: QualificationState | None = None,
    page: int = 1,
    page_size: int = 25,
) -> Page:
    """Trainers with the state of their train-the-trainer qualification on `today`."""
    _require_reader(scope)
    t = _trainer_base(scope, filters, today)
    where = []
    if flag is not None:
        if not flag.about_trainers:
            raise ValueError(flag)
        where.append(_trainer_flag_condition(t, flag))
    if state is not None:
        where.append(t.c.state == state.value)
    total = db.execute(select(func.count()).select_from(t).where(*where)).scalar_one()
    page = clamp_page(page, total, page_size)
    rows = db.execute(
        select(Person, Partnership.name, Organisation.name, t.c.valid_until, t.c.completed_on, t.c.active, t.c.state)
        .join(t, t.c.person_id == Person.id)
        .join(Organisation, Organisation.id == t.c.org_id)
        .join(Partnership, Partnership.id == t.c.partnership_id)
        .where(*where)
        .order_by(t.c.valid_until.is_(None), t.c.valid_until, Person.name, Person.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return Page(
        [TrainerRow(p, pn, on, vu, co, bool(a), QualificationState(s)) for p, pn, on, vu, co, a, s in rows],
        total,
        page,
        page_size,
    )


# ================================================================ counts for the register and dashboard


@dataclass
class RegisterCounts:
    flags: dict[Flag, int]
    stages: dict[Stage, int]
    mentors: int
    trainers: int
    active_trainers: int
    active_trainers_qualified: int

    @property
    def qualified_share(self) -> float | None:
        """Share of the trainers giving a session this school year with a valid qualification today."""
        return self.active_trainers_qualified / self.active_trainers if self.active_trainers else None


def mentor_count_columns(m) -> list:
    """Aggregates over _mentor_base rows: the mentors, per stage, and mentoring without a valid
    basic certificate (register_counts reads them in this order)."""
    return [
        func.count(),
        *(func.count(case((m.c.stage == s.value, 1))) for s in Stage),
        func.count(case((and_(m.c.mentoring_now, m.c.basic_valid == 0), 1))),
    ]


def register_counts(
    db: Session, scope: Scope, filters: RegisterFilters, today: date, mentor_row: Sequence[int] | None = None
) -> RegisterCounts:
    """Every flag count, the mentors per stage and the trainers' figures: three statements, or two
    when the caller counted the mentors already (`mentor_row`, the mentor_count_columns summed:
    the dashboard reads them with its figures per board and school, certification.figures)."""
    _require_reader(scope)
    if mentor_row is None:
        m = _mentor_base(scope, filters, today)
        mentor_row = tuple(db.execute(select(*mentor_count_columns(m)).select_from(m)).one())
    mentors = int(mentor_row[0])
    stages = {s: int(n) for s, n in zip(Stage, mentor_row[1 : 1 + len(Stage)], strict=True)}
    t = _trainer_base(scope, filters, today)
    valid = t.c.state.in_((QualificationState.VALID.value, QualificationState.EXPIRING.value))
    trainer_row = db.execute(
        select(
            func.count(),
            func.count(case((t.c.active, 1))),
            func.count(case((and_(t.c.active, valid), 1))),
            *(func.count(case((_trainer_flag_condition(t, f), 1))) for f in TRAINER_FLAGS),
        ).select_from(t)
    ).one()
    expired = _certificate_flags(scope, filters, Flag.CERTIFICATE_EXPIRED, today)
    expiring = _certificate_flags(scope, filters, Flag.CERTIFICATE_EXPIRING, today)
    certificate_row = db.execute(
        select(
            select(func.count()).select_from(expired).scalar_subquery(),
            select(func.count()).select_from(expiring).scalar_subquery(),
        )
    ).one()
    flags = {
        Flag.CERTIFICATE_EXPIRED: int(certificate_row[0]),
        Flag.CERTIFICATE_EXPIRING: int(certificate_row[1]),
        Flag.REFRESH_NEEDED: stages[Stage.OVERDUE],
        Flag.MENTORING_WITHOUT_BASIC: int(mentor_row[-1]),
        **{f: int(n) for f, n in zip(TRAINER_FLAGS, trainer_row[3:], strict=True)},
    }
    return RegisterCounts(
        flags=flags,
        stages=stages,
        mentors=mentors,
        trainers=int(trainer_row[0]),
        active_trainers=int(trainer_row[1]),
        active_trainers_qualified=int(trainer_row[2]),
    )
