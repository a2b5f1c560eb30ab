"""Rules for the registry: partnerships and their settings, organisations, persons.

Admins manage every partnership; coordinators manage the organisations and persons of their own
partnerships (and read their partnerships' settings). Every function takes the database session
and the caller's Scope; lists are set-based (a fixed number of statements per page).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, has_app_context
from sqlalchemy import ColumnElement, case, exists, func, literal, select
from sqlalchemy.orm import Session, aliased, selectinload

from kwaliteit.accounts.models import Role, User, user_partnership
from kwaliteit.accounts.services import normalise_email as _normalise_email
from kwaliteit.db import flush_unique
from kwaliteit.limits import EMAIL, NAME
from kwaliteit.pagination import Page, clamp_page
from kwaliteit.registry.models import (
    MAX_MIN_ANSWERS_SHOWN,
    ORGANISATION_NAME_INDEX,
    PARTICIPANT_WINDOW_DAYS_RANGE,
    PARTNERSHIP_NAME_INDEX,
    PERSON_EMAIL_INDEX,
    TRAINER_DUE_DAYS_RANGE,
    TRAINER_ROLES,
    Organisation,
    OrganisationKind,
    Partnership,
    PartnershipSettings,
    Person,
    PersonRole,
    PersonRoleLink,
)
from kwaliteit.scope import MAX_ID, Forbidden, NotFound, Scope, check_id
from kwaliteit.trainings.models import training_organisation
from kwaliteit.validation import ValidationError, check_text


def _require_admin(scope: Scope) -> None:
    if scope.role is not Role.ADMIN:
        raise Forbidden()


def _require_manager(scope: Scope) -> None:
    if not scope.may_manage():
        raise Forbidden()


def _like(column, q: str):
    # autoescape: a typed "%" or "_" is searched for, not a wildcard.
    return column.icontains(q, autoescape=True)


def normalise_email(email: str | None) -> str:
    return _normalise_email(email or "")


def find(db: Session, model, object_id: int | None):
    """The object with this id, or None (also for an id no table can hold: a form value is
    bad input, not a 404)."""
    if object_id is None or not 0 < object_id <= MAX_ID:
        return None
    return db.get(model, object_id)


# ================================================================ partnerships and settings


def app_minimum_threshold() -> int:
    """The application's anonymity threshold (app.config MIN_ANSWERS_SHOWN), never below 1."""
    from evaluaties.results.anonymity import DEFAULT_MIN_SHOWN, threshold

    return threshold(current_app.config) if has_app_context() else DEFAULT_MIN_SHOWN


def threshold_expression(partnership_id, app_minimum: int) -> ColumnElement[int]:
    """SQL: the anonymity threshold of a partnership (`partnership_id` a column, such as
    Training.partnership_id, or a value): its own setting when that is higher than the
    application's minimum, otherwise that minimum. For results that group many partnerships."""
    own = (
        select(PartnershipSettings.min_answers_shown)
        .where(PartnershipSettings.partnership_id == partnership_id)
        # Correlated to the column's table at whatever depth the statement holds it: left to
        # auto-correlation, a use inside a nested subquery took in the whole table (a row per
        # training: PostgreSQL refused the subquery, SQLite took the first partnership's setting).
        .correlate_except(PartnershipSettings)
        .scalar_subquery()
    )
    return threshold_of(own, app_minimum)


def threshold_of(own, app_minimum: int) -> ColumnElement[int]:
    """SQL: the threshold that applies given a partnership's own setting (`own`: a column or a
    subquery, NULL when it set none): the higher of it and the application's minimum. The one
    rendering of effective_threshold in SQL."""
    # A partnership without a setting (NULL) compares as unknown and gets the minimum.
    return case((own > app_minimum, own), else_=literal(app_minimum))


def effective_threshold(own: int | None, app_minimum: int) -> int:
    """The threshold that applies: a partnership may raise the application's minimum, never lower it
    (also not when the application's minimum is raised after the partnership set its own)."""
    return max(app_minimum, own or 0)


def partnership_threshold(db: Session, partnership_id: int, app_minimum: int | None = None) -> int:
    """The minimum number of answers before results of this partnership show (the anonymity
    threshold). `app_minimum` defaults to the application's (app.config MIN_ANSWERS_SHOWN)."""
    if app_minimum is None:
        app_minimum = app_minimum_threshold()
    own = db.scalar(
        select(PartnershipSettings.min_answers_shown).where(
            PartnershipSettings.partnership_id == partnership_id
        )
    )
    return effective_threshold(own, app_minimum)


@dataclass
class Deadlines:
    trainer_due_days: int
    participant_window_days: int


def partnership_deadlines(db: Session, partnership_id: int) -> Deadlines:
    """The evaluation deadlines a training of this partnership has when it has no settings of its
    own (EvaluationSettings): the partnership's, else the application's defaults."""
    from evaluaties.answers.status import DEFAULT_PARTICIPANT_WINDOW_DAYS, DEFAULT_TRAINER_DUE_DAYS

    row = db.get(PartnershipSettings, partnership_id)
    return Deadlines(
        row.trainer_due_days if row and row.trainer_due_days is not None else DEFAULT_TRAINER_DUE_DAYS,
        row.participant_window_days
        if row and row.participant_window_days is not None
        else DEFAULT_PARTICIPANT_WINDOW_DAYS,
    )


@dataclass
class PartnershipRow:
    partnership: Partnership
    settings: PartnershipSettings | None
    organisation_count: int
    person_count: int
    user_count: int


def list_partnerships(db: Session, scope: Scope, q: str = "", page: int = 1, page_size: int = 25) -> Page:
    """Admins: every partnership; coordinators: their own (to read their settings)."""
    _require_manager(scope)
    ids = scope.filter(select(Partnership.id), Partnership.id)
    if q:
        ids = ids.where(_like(Partnership.name, q))
    total = db.execute(select(func.count()).select_from(ids.subquery())).scalar_one()
    page = clamp_page(page, total, page_size)
    organisations = (
        select(func.count()).where(Organisation.partnership_id == Partnership.id).correlate(Partnership)
    ).scalar_subquery()
    persons = (
        select(func.count())
        .select_from(Person)
        .join(Organisation, Organisation.id == Person.organisation_id)
        .where(Organisation.partnership_id == Partnership.id)
        .correlate(Partnership)
    ).scalar_subquery()
    users = (
        select(func.count())
        .select_from(user_partnership)
        .where(user_partnership.c.partnership_id == Partnership.id)
        .correlate(Partnership)
    ).scalar_subquery()
    rows = db.execute(
        select(Partnership, PartnershipSettings, organisations, persons, users)
        .outerjoin(PartnershipSettings, PartnershipSettings.partnership_id == Partnership.id)
        .where(Partnership.id.in_(ids))
        .order_by(Partnership.name, Partnership.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return Page([PartnershipRow(*r) for r in rows], total, page, page_size)


def get_partnership(db: Session, scope: Scope, partnership_id: int) -> Partnership:
    partnership = db.get(Partnership, check_id(partnership_id))
    if partnership is None:
        raise NotFound()
    scope.check(partnership.id)
    return partnership


@dataclass
class PartnershipData:
    name: str
    # None: the application's default.
    min_answers_shown: int | None = None
    trainer_due_days: int | None = None
    participant_window_days: int | None = None


NAME_TAKEN_PARTNERSHIP = "Er bestaat al een partnerschap met deze naam."


def _validate_partnership(
    db: Session, data: PartnershipData, app_minimum: int, exclude_id: int | None
) -> None:
    errors: dict[str, str] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = "Vul de naam van het partnerschap in."
    check_text(errors, "name", name, NAME)
    if "name" not in errors:
        taken = select(func.count()).where(func.lower(Partnership.name) == name.lower())
        if exclude_id is not None:
            taken = taken.where(Partnership.id != exclude_id)
        if db.scalar(taken):
            errors["name"] = NAME_TAKEN_PARTNERSHIP
    if data.min_answers_shown is not None and not (
        app_minimum <= data.min_answers_shown <= MAX_MIN_ANSWERS_SHOWN
    ):
        errors["min_answers_shown"] = (
            f"Kies een drempel van {app_minimum} tot en met {MAX_MIN_ANSWERS_SHOWN} antwoorden: lager dan "
            f"de drempel van de app ({app_minimum}) kan niet. Laat het veld leeg voor de standaard."
        )
    low, high = TRAINER_DUE_DAYS_RANGE
    if data.trainer_due_days is not None and not low <= data.trainer_due_days <= high:
        errors["trainer_due_days"] = f"Kies een termijn van {low} tot en met {high} dagen."
    low, high = PARTICIPANT_WINDOW_DAYS_RANGE
    if data.participant_window_days is not None and not low <= data.participant_window_days <= high:
        errors["participant_window_days"] = f"Kies een periode van {low} tot en met {high} dagen."
    if errors:
        raise ValidationError(errors)


def _apply_partnership(partnership: Partnership, data: PartnershipData) -> None:
    partnership.name = data.name.strip()
    settings = partnership.settings or PartnershipSettings()
    settings.min_answers_shown = data.min_answers_shown
    settings.trainer_due_days = data.trainer_due_days
    settings.participant_window_days = data.participant_window_days
    partnership.settings = settings


def create_partnership(db: Session, scope: Scope, data: PartnershipData, app_minimum: int) -> Partnership:
    _require_admin(scope)
    _validate_partnership(db, data, app_minimum, None)
    partnership = Partnership()
    _apply_partnership(partnership, data)
    db.add(partnership)
    flush_unique(db, PARTNERSHIP_NAME_INDEX, "name", NAME_TAKEN_PARTNERSHIP)
    return partnership


def update_partnership(
    db: Session, scope: Scope, partnership_id: int, data: PartnershipData, app_minimum: int
) -> Partnership:
    _require_admin(scope)
    partnership = get_partnership(db, scope, partnership_id)
    _validate_partnership(db, data, app_minimum, partnership.id)
    _apply_partnership(partnership, data)
    flush_unique(db, PARTNERSHIP_NAME_INDEX, "name", NAME_TAKEN_PARTNERSHIP)
    return partnership


# ================================================================ organisations


@dataclass
class OrganisationFilters:
    partnership_id: int | None = None
    kind: OrganisationKind | None = None
    q: str = ""


@dataclass
class OrganisationRow:
    organisation: Organisation
    partnership_name: str
    board_name: str | None
    person_count: int
    school_count: int


def list_organisations(
    db: Session, scope: Scope, filters: OrganisationFilters, page: int = 1, page_size: int = 25
) -> Page:
    _require_manager(scope)
    ids = scope.filter(select(Organisation.id), Organisation.partnership_id)
    if filters.partnership_id is not None:
        ids = ids.where(Organisation.partnership_id == filters.partnership_id)
    if filters.kind is not None:
        ids = ids.where(Organisation.kind == filters.kind)
    if filters.q:
        ids = ids.where(_like(Organisation.name, filters.q))
    total = db.execute(select(func.count()).select_from(ids.subquery())).scalar_one()
    page = clamp_page(page, total, page_size)
    board = aliased(Organisation, name="board")
    school = aliased(Organisation, name="school")
    persons = (
        select(func.count()).where(Person.organisation_id == Organisation.id).correlate(Organisation)
    ).scalar_subquery()
    schools = (
        select(func.count())
        .select_from(school)
        .where(school.parent_id == Organisation.id)
        .correlate(Organisation)
    ).scalar_subquery()
    rows = db.execute(
        select(Organisation, Partnership.name, board.name, persons, schools)
        .join(Partnership, Partnership.id == Organisation.partnership_id)
        .outerjoin(board, board.id == Organisation.parent_id)
        .where(Organisation.id.in_(ids))
        # A board's schools follow it: sort by the board's name first, the board itself on top.
        .order_by(
            Partnership.name,
            func.coalesce(board.name, Organisation.name),
            board.name.is_not(None),
            Organisation.name,
            Organisation.id,
        )
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return Page([OrganisationRow(*r) for r in rows], total, page, page_size)


def get_organisation(db: Session, scope: Scope, organisation_id: int) -> Organisation:
    _require_manager(scope)
    organisation = db.get(Organisation, check_id(organisation_id))
    if organisation is None:
        raise NotFound()
    scope.check(organisation.partnership_id)
    return organisation


def boards_in_scope(db: Session, scope: Scope) -> list[tuple[Organisation, str]]:
    """Every board the caller may choose as a school's board, with its partnership's name."""
    return [
        (o, pname)
        for o, pname in db.execute(
            scope.filter(
                select(Organisation, Partnership.name)
                .join(Partnership, Partnership.id == Organisation.partnership_id)
                .where(Organisation.kind == OrganisationKind.BOARD),
                Organisation.partnership_id,
            ).order_by(Partnership.name, Organisation.name)
        ).all()
    ]


@dataclass
class OrganisationData:
    partnership_id: int | None
    name: str
    kind: OrganisationKind | None
    parent_id: int | None = None


NAME_TAKEN_ORGANISATION = "Er bestaat al een organisatie met deze naam in dit partnerschap."
SCHOOL_NEEDS_BOARD = "Een school hoort bij een bestuur: kies het bestuur van deze school."


def _validate_organisation(
    db: Session, scope: Scope, data: OrganisationData, current: Organisation | None
) -> None:
    errors: dict[str, str] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = "Vul de naam van de organisatie in."
    check_text(errors, "name", name, NAME)
    if data.kind is None:
        errors["kind"] = "Kies de soort organisatie."
    if data.partnership_id is None:
        errors["partnership_id"] = "Kies een partnerschap."
    elif not scope.allows(data.partnership_id) or find(db, Partnership, data.partnership_id) is None:
        errors["partnership_id"] = "Je kunt alleen organisaties van je eigen partnerschappen vastleggen."
    moved = current is not None and data.partnership_id != current.partnership_id
    if current is not None and moved and "partnership_id" not in errors and _organisation_in_use(db, current.id):
        errors["partnership_id"] = (
            "Deze organisatie heeft al personen, scholen of trainingen en kan daarom niet naar een "
            "ander partnerschap."
        )
    if data.kind is OrganisationKind.SCHOOL:
        if data.parent_id is None:
            errors["parent_id"] = SCHOOL_NEEDS_BOARD
        else:
            parent = find(db, Organisation, data.parent_id)
            if (
                parent is None
                or (current is not None and parent.id == current.id)  # a board turned school: not its own
                or parent.kind is not OrganisationKind.BOARD
                or parent.partnership_id != data.partnership_id
            ):
                errors["parent_id"] = "Kies een bestuur uit hetzelfde partnerschap als de school."
    elif data.parent_id is not None and data.kind is not None:
        errors["parent_id"] = "Alleen een school hoort bij een bestuur: laat dit veld leeg."
    if (
        current is not None
        and current.kind is OrganisationKind.BOARD
        and data.kind is not OrganisationKind.BOARD
        and db.scalar(select(func.count()).where(Organisation.parent_id == current.id))
    ):
        errors["kind"] = "Dit bestuur heeft scholen: het blijft een bestuur zolang er scholen onder vallen."
    if not errors:
        taken = select(func.count()).where(
            Organisation.partnership_id == data.partnership_id, func.lower(Organisation.name) == name.lower()
        )
        if current is not None:
            taken = taken.where(Organisation.id != current.id)
        if db.scalar(taken):
            errors["name"] = NAME_TAKEN_ORGANISATION
    if errors:
        raise ValidationError(errors)


def _organisation_in_use(db: Session, organisation_id: int) -> bool:
    return bool(
        db.scalar(
            select(
                exists().where(Person.organisation_id == organisation_id)
                | exists().where(Organisation.parent_id == organisation_id)
                | exists().where(training_organisation.c.organisation_id == organisation_id)
            )
        )
    )


def _apply_organisation(organisation: Organisation, data: OrganisationData) -> None:
    assert data.partnership_id is not None and data.kind is not None  # validated
    organisation.partnership_id = data.partnership_id
    organisation.name = data.name.strip()
    organisation.kind = data.kind
    organisation.parent_id = data.parent_id if data.kind is OrganisationKind.SCHOOL else None


def create_organisation(db: Session, scope: Scope, data: OrganisationData) -> Organisation:
    _require_manager(scope)
    _validate_organisation(db, scope, data, None)
    organisation = Organisation()
    _apply_organisation(organisation, data)
    db.add(organisation)
    flush_unique(db, ORGANISATION_NAME_INDEX, "name", NAME_TAKEN_ORGANISATION)
    return organisation


def update_organisation(
    db: Session, scope: Scope, organisation_id: int, data: OrganisationData
) -> Organisation:
    organisation = get_organisation(db, scope, organisation_id)
    _validate_organisation(db, scope, data, organisation)
    _apply_organisation(organisation, data)
    flush_unique(db, ORGANISATION_NAME_INDEX, "name", NAME_TAKEN_ORGANISATION)
    return organisation


def organisations_for_choice(db: Session, scope: Scope) -> list[tuple[Organisation, str]]:
    """Every organisation the caller may put a person in, with its partnership's name."""
    return [
        (o, name)
        for o, name in db.execute(
            scope.filter(
                select(Organisation, Partnership.name).join(
                    Partnership, Partnership.id == Organisation.partnership_id
                ),
                Organisation.partnership_id,
            ).order_by(Partnership.name, Organisation.name)
        ).all()
    ]


# ================================================================ persons


@dataclass
class PersonFilters:
    partnership_id: int | None = None
    role: PersonRole | None = None
    q: str = ""


@dataclass
class PersonRow:
    person: Person
    organisation_name: str
    partnership_name: str
    has_account: bool


def list_persons(
    db: Session, scope: Scope, filters: PersonFilters, page: int = 1, page_size: int = 25
) -> Page:
    _require_manager(scope)
    ids = scope.filter(
        select(Person.id).join(Organisation, Organisation.id == Person.organisation_id),
        Organisation.partnership_id,
    )
    if filters.partnership_id is not None:
        ids = ids.where(Organisation.partnership_id == filters.partnership_id)
    if filters.role is not None:
        ids = ids.where(
            exists().where(PersonRoleLink.person_id == Person.id, PersonRoleLink.role == filters.role)
        )
    if filters.q:
        ids = ids.where(_like(Person.name, filters.q) | _like(Person.email, filters.q))
    total = db.execute(select(func.count()).select_from(ids.subquery())).scalar_one()
    page = clamp_page(page, total, page_size)
    has_account = exists().where(User.person_id == Person.id).correlate(Person)
    rows = db.execute(
        select(Person, Organisation.name, Partnership.name, has_account)
        .join(Organisation, Organisation.id == Person.organisation_id)
        .join(Partnership, Partnership.id == Organisation.partnership_id)
        .where(Person.id.in_(ids))
        .options(selectinload(Person.role_links))
        .order_by(Person.name, Person.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return Page([PersonRow(p, o, pn, bool(a)) for p, o, pn, a in rows], total, page, page_size)


def get_person(db: Session, scope: Scope, person_id: int) -> Person:
    """A person of the caller's partnerships, for admins and coordinators."""
    _require_manager(scope)
    return person_in_scope(db, scope, person_id)


def person_in_scope(db: Session, scope: Scope, person_id: int) -> Person:
    """A person with organisation and roles loaded: 404 for no such person, 403 outside the scope.
    Checks no role: the caller does (managers: get_person; the register lets readers in)."""
    person = db.get(
        Person,
        check_id(person_id),
        options=[selectinload(Person.role_links), selectinload(Person.organisation)],
    )
    if person is None:
        raise NotFound()
    scope.check(person.organisation.partnership_id)
    return person


@dataclass
class PersonData:
    name: str
    email: str | None
    organisation_id: int | None
    roles: list[PersonRole] = field(default_factory=list)


EMAIL_TAKEN_PERSON = "Dit e-mailadres hoort al bij een andere persoon."


def _validate_person(db: Session, scope: Scope, data: PersonData, current: Person | None) -> None:
    errors: dict[str, str] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = "Vul de naam in."
    check_text(errors, "name", name, NAME)
    email = normalise_email(data.email)
    check_text(errors, "email", email, EMAIL)
    if email and "email" not in errors and ("@" not in email or " " in email):
        errors["email"] = "Dit is geen geldig e-mailadres."
    if email and "email" not in errors:
        taken = select(func.count()).where(func.lower(Person.email) == email)
        if current is not None:
            taken = taken.where(Person.id != current.id)
        if db.scalar(taken):
            errors["email"] = EMAIL_TAKEN_PERSON
    organisation = None
    if data.organisation_id is None:
        errors["organisation_id"] = "Kies een organisatie."
    else:
        organisation = find(db, Organisation, data.organisation_id)
        if organisation is None or not scope.allows(organisation.partnership_id):
            errors["organisation_id"] = "Kies een organisatie uit je eigen partnerschappen."
        elif current is not None and organisation.partnership_id != current.organisation.partnership_id:
            errors["organisation_id"] = (
                "Een persoon blijft in het eigen partnerschap: kies een organisatie uit "
                f"{current.organisation.partnership.name}."
            )
    if not data.roles:
        errors["roles"] = "Kies minstens één rol."
    elif (
        current is not None
        and not set(data.roles) & set(TRAINER_ROLES)
        and db.scalar(select(func.count()).where(User.person_id == current.id, User.role == Role.TRAINER))
    ):
        errors["roles"] = (
            "Deze persoon heeft een traineraccount en blijft daarom school- of instituutsopleider."
        )
    if errors:
        raise ValidationError(errors)


def _apply_person(person: Person, data: PersonData) -> None:
    assert data.organisation_id is not None  # validated
    person.name = data.name.strip()
    person.email = normalise_email(data.email) or None
    person.organisation_id = data.organisation_id
    keep = {link.role: link for link in person.role_links if link.role in data.roles}
    person.role_links = [keep.get(role) or PersonRoleLink(role=role) for role in dict.fromkeys(data.roles)]


def create_person(db: Session, scope: Scope, data: PersonData) -> Person:
    _require_manager(scope)
    _validate_person(db, scope, data, None)
    person = Person()
    _apply_person(person, data)
    db.add(person)
    flush_unique(db, PERSON_EMAIL_INDEX, "email", EMAIL_TAKEN_PERSON)
    return person


def update_person(db: Session, scope: Scope, person_id: int, data: PersonData) -> Person:
    person = get_person(db, scope, person_id)
    if person.anonymised_at is not None:
        # Anonymisation is final: no edit gives an anonymised row a real identity again.
        from kwaliteit.registry.privacy import ALREADY_ANONYMISED

        raise ValidationError({"name": ALREADY_ANONYMISED})
    _validate_person(db, scope, data, person)
    _apply_person(person, data)
    flush_unique(db, PERSON_EMAIL_INDEX, "email", EMAIL_TAKEN_PERSON)
    return person


# ================================================================ overview


@dataclass
class Overview:
    partnerships: int
    organisations: int
    persons: int
    users: int


def overview(db: Session, scope: Scope) -> Overview:
    """Counts for the /beheer page, within the caller's scope: one statement."""
    _require_manager(scope)
    from kwaliteit.accounts.users import manageable_condition

    partnerships = select(func.count()).select_from(Partnership).where(scope.condition(Partnership.id))
    organisations = (
        select(func.count()).select_from(Organisation).where(scope.condition(Organisation.partnership_id))
    )
    persons = (
        select(func.count())
        .select_from(Person)
        .join(Organisation, Organisation.id == Person.organisation_id)
        .where(scope.condition(Organisation.partnership_id))
    )
    users = select(func.count()).select_from(User).where(manageable_condition(scope))
    row = db.execute(
        select(
            partnerships.scalar_subquery(),
            organisations.scalar_subquery(),
            persons.scalar_subquery(),
            users.scalar_subquery(),
        )
    ).one()
    return Overview(*(int(v or 0) for v in row))
