"""Managing user accounts: invite, edit, disable and enable.

Who may manage which account (one definition, `manageable_condition`, used by lists and checks):
- an admin: every account, any role, any partnership;
- a coordinator: trainer and coordinator accounts whose partnerships all belong to the
  coordinator's own partnerships. A coordinator grants no more than their own role (trainer or
  coordinator, never admin or steering) and only their own partnerships.
Nobody changes their own role or partnerships, or disables themselves; the last enabled admin
cannot be disabled or demoted (checked under a row lock, so two admins disabling each other at
the same moment cannot both succeed).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, exists, false, func, literal, not_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from kwaliteit.accounts.invitations import issue_invitation, open_condition
from kwaliteit.accounts.models import (
    EMAIL_UNIQUE_INDEX,
    NO_PASSWORD,
    Invitation,
    LinkPurpose,
    Role,
    User,
    user_partnership,
)
from kwaliteit.db import violates
from kwaliteit.limits import EMAIL, NAME
from kwaliteit.pagination import Page, clamp_page
from kwaliteit.registry.models import TRAINER_ROLES, Organisation, Partnership, Person, PersonRoleLink
from kwaliteit.registry.services import find, normalise_email
from kwaliteit.scope import MAX_ID, Forbidden, NotFound, Scope, check_id
from kwaliteit.validation import ValidationError, check_text

# The roles a coordinator may grant: not more than their own.
COORDINATOR_GRANTS = (Role.TRAINER, Role.COORDINATOR)
# Roles whose account belongs to chosen partnerships (an admin sees all; a trainer's partnership
# is that of their person in the registry).
PARTNERSHIP_ROLES = (Role.COORDINATOR, Role.STEERING)


def grantable_roles(scope: Scope) -> tuple[Role, ...]:
    if scope.role is Role.ADMIN:
        return tuple(Role)
    if scope.role is Role.COORDINATOR:
        return COORDINATOR_GRANTS
    return ()


def manageable_condition(scope: Scope) -> ColumnElement[bool]:
    """SQL condition on User: the caller may see and manage this account."""
    if scope.role is Role.ADMIN:
        return true()
    if scope.role is not Role.COORDINATOR or not scope.partnership_ids:
        return false()
    own = sorted(scope.partnership_ids)
    linked = exists().where(user_partnership.c.user_id == User.id)
    foreign = exists().where(
        user_partnership.c.user_id == User.id, user_partnership.c.partnership_id.not_in(own)
    )
    return and_(User.role.in_(COORDINATOR_GRANTS), linked, not_(foreign))


class AccountStatus(enum.Enum):
    ACTIVE = "actief"
    INVITED = "uitgenodigd"
    INVITATION_EXPIRED = "uitnodiging verlopen"
    DISABLED = "uitgeschakeld"

    @property
    def css(self) -> str:
        return {
            AccountStatus.ACTIVE: "badge-ok",
            AccountStatus.INVITATION_EXPIRED: "badge-warn",
            AccountStatus.DISABLED: "badge-bad",
        }.get(self, "")


def status_expression(now: datetime) -> ColumnElement[str]:
    """SQL: the status of an account, derived from its columns and its invitations at `now`."""
    open_invitation = exists().where(Invitation.user_id == User.id, open_condition(now)).correlate(User)
    return case(
        (User.is_enabled.is_(False), literal(AccountStatus.DISABLED.value)),
        (User.password_hash != NO_PASSWORD, literal(AccountStatus.ACTIVE.value)),
        (open_invitation, literal(AccountStatus.INVITED.value)),
        else_=literal(AccountStatus.INVITATION_EXPIRED.value),
    )


@dataclass
class UserFilters:
    partnership_id: int | None = None
    role: Role | None = None
    status: AccountStatus | None = None
    q: str = ""


@dataclass
class UserRow:
    user: User
    status: AccountStatus


def list_users(
    db: Session, scope: Scope, filters: UserFilters, now: datetime, page: int = 1, page_size: int = 25
) -> Page:
    if not grantable_roles(scope):
        raise Forbidden()
    status = status_expression(now)
    ids = select(User.id).where(manageable_condition(scope))
    if filters.partnership_id is not None:
        ids = ids.where(
            exists().where(
                user_partnership.c.user_id == User.id,
                user_partnership.c.partnership_id == filters.partnership_id,
            )
        )
    if filters.role is not None:
        ids = ids.where(User.role == filters.role)
    if filters.status is not None:
        ids = ids.where(status == filters.status.value)
    if filters.q:
        ids = ids.where(
            User.name.icontains(filters.q, autoescape=True) | User.email.icontains(filters.q, autoescape=True)
        )
    total = db.execute(select(func.count()).select_from(ids.subquery())).scalar_one()
    page = clamp_page(page, total, page_size)
    rows = db.execute(
        select(User, status)
        .where(User.id.in_(ids))
        .options(selectinload(User.partnerships))
        .order_by(func.lower(User.name), User.email, User.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return Page([UserRow(u, AccountStatus(s)) for u, s in rows], total, page, page_size)


def get_user(db: Session, scope: Scope, user_id: int) -> User:
    """An account the caller may manage: 404 when there is none, 403 when it is out of reach."""
    if not grantable_roles(scope):
        raise Forbidden()
    user = db.get(User, check_id(user_id), options=[selectinload(User.partnerships)])
    if user is None:
        raise NotFound()
    if not db.scalar(select(manageable_condition(scope)).where(User.id == user.id).select_from(User)):
        raise Forbidden()
    return user


def account_status(db: Session, user: User, now: datetime) -> AccountStatus:
    return AccountStatus(db.scalar(select(status_expression(now)).where(User.id == user.id)))


def partnerships_to_grant(db: Session, scope: Scope) -> list[Partnership]:
    return list(db.scalars(scope.filter(select(Partnership), Partnership.id).order_by(Partnership.name)))


def persons_for_account(db: Session, scope: Scope, user: User | None = None) -> list[tuple[Person, str]]:
    """Trainers (school- and institute-based educators) in scope without an account of their own
    (or with this account), with their organisation's name: the choices for a trainer account."""
    other_account = exists().where(
        User.person_id == Person.id, User.id != (user.id if user is not None else -1)
    )
    return [
        (p, name)
        for p, name in db.execute(
            scope.filter(
                select(Person, Organisation.name)
                .join(Organisation, Organisation.id == Person.organisation_id)
                .where(
                    exists().where(
                        PersonRoleLink.person_id == Person.id, PersonRoleLink.role.in_(TRAINER_ROLES)
                    ),
                    not_(other_account),
                    Person.anonymised_at.is_(None),  # an anonymised person gets no account again
                ),
                Organisation.partnership_id,
            ).order_by(Person.name, Person.id)
        ).all()
    ]


@dataclass
class AccountData:
    email: str
    name: str = ""
    role: Role | None = None
    partnership_ids: list[int] = field(default_factory=list)
    person_id: int | None = None


EMAIL_TAKEN = "Er bestaat al een account met dit e-mailadres."
PERSON_TAKEN = "Deze persoon heeft al een account."
LAST_ADMIN = "Dit is de laatste actieve beheerder: maak eerst een andere beheerder, dan kan dit."


@dataclass
class _Checked:
    email: str
    name: str
    role: Role
    partnerships: list[Partnership]
    person: Person | None


def _check_account(db: Session, scope: Scope, data: AccountData, current: User | None) -> _Checked:
    errors: dict[str, str] = {}
    email = normalise_email(data.email)
    name = (data.name or "").strip()
    if not email:
        errors["email"] = "Vul een e-mailadres in."
    check_text(errors, "email", email, EMAIL)
    if "email" not in errors and ("@" not in email or " " in email):
        errors["email"] = "Dit is geen geldig e-mailadres."
    if "email" not in errors:
        taken = select(func.count()).where(func.lower(User.email) == email)
        if current is not None:
            taken = taken.where(User.id != current.id)
        if db.scalar(taken):
            errors["email"] = EMAIL_TAKEN
    check_text(errors, "name", name, NAME)

    role = data.role
    if role is None:
        errors["role"] = "Kies een rol."
    elif role not in grantable_roles(scope):
        errors["role"] = (
            "Als coördinator maak je alleen trainer- en coördinatoraccounts; beheerders- en "
            "stuurgroepaccounts maakt een beheerder."
            if scope.role is Role.COORDINATOR
            else "Deze rol kun je niet toekennen."
        )

    partnerships: list[Partnership] = []
    if role in PARTNERSHIP_ROLES:
        ids = list(dict.fromkeys(data.partnership_ids))
        # An id no table can hold (a crafted POST) is simply not found, never sent to the database.
        storable = [pid for pid in ids if 0 < pid <= MAX_ID]
        found = (
            {p.id: p for p in db.scalars(select(Partnership).where(Partnership.id.in_(storable)))}
            if storable
            else {}
        )
        if not ids:
            errors["partnership_ids"] = "Kies minstens één partnerschap."
        elif len(found) != len(ids) or not all(scope.allows(pid) for pid in ids):
            errors["partnership_ids"] = "Je kunt een account alleen aan je eigen partnerschappen koppelen."
        else:
            partnerships = [found[pid] for pid in ids]

    person = None
    if role is Role.TRAINER:
        person = find(db, Person, data.person_id)
        if data.person_id is None:
            errors["person_id"] = "Kies de persoon (trainer) bij dit account."
        elif person is None or not scope.allows(person.organisation.partnership_id):
            errors["person_id"] = "Kies een persoon uit je eigen partnerschappen."
        elif person.anonymised_at is not None:
            errors["person_id"] = "Deze persoon is geanonimiseerd en krijgt geen account meer."
        elif not person.may_be_trainer:
            errors["person_id"] = (
                "Deze persoon is geen school- of instituutsopleider en kan geen trainer zijn."
            )
        elif db.scalar(
            select(func.count()).where(
                User.person_id == person.id, User.id != (current.id if current is not None else -1)
            )
        ):
            errors["person_id"] = PERSON_TAKEN
        else:
            partnerships = [person.organisation.partnership]

    if current is not None and current.id == scope.user_id and "role" not in errors:
        same_partnerships = {p.id for p in partnerships} == {p.id for p in current.partnerships}
        if role is not current.role or (role is not Role.ADMIN and not same_partnerships):
            errors["role"] = "Je eigen rol en partnerschappen wijzig je niet zelf: vraag een beheerder."
    if errors:
        raise ValidationError(errors)
    assert role is not None  # else an error above
    return _Checked(email, name or (person.name if person else ""), role, partnerships, person)


def _flush_account(db: Session) -> None:
    """Flush in a savepoint: an account saved with the same address (or person) by another request
    in the meantime becomes the field message, not a 500."""
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError as exc:
        if violates(exc, EMAIL_UNIQUE_INDEX):
            raise ValidationError({"email": EMAIL_TAKEN}) from exc
        # SQLite names the columns of a plain unique constraint, not the constraint: the only
        # other unique value of an account is its person.
        raise ValidationError({"person_id": PERSON_TAKEN}) from exc


def _enabled_admin_ids(db: Session) -> set[int]:
    """The enabled admins, their rows locked until the transaction ends (PostgreSQL; SQLite's
    writing transactions are serialised already), so that the last-admin rule holds when two
    requests act at once."""
    return set(
        db.scalars(
            select(User.id)
            .where(User.role == Role.ADMIN, User.is_enabled.is_(True))
            .order_by(User.id)  # one lock order for everyone: no deadlock
            .with_for_update()
        )
    )


def _keep_an_admin(db: Session, user: User) -> None:
    if user.role is Role.ADMIN and user.is_enabled and not (_enabled_admin_ids(db) - {user.id}):
        raise ValidationError({"role": LAST_ADMIN})


def create_account(db: Session, scope: Scope, data: AccountData, password_hash: str) -> User:
    """A new account with this password hash (NO_PASSWORD: it waits for an invitation)."""
    if not grantable_roles(scope):
        raise Forbidden()
    checked = _check_account(db, scope, data, None)
    user = User(
        email=checked.email,
        name=checked.name,
        role=checked.role,
        password_hash=password_hash,
        is_enabled=True,
        person=checked.person,
        partnerships=checked.partnerships,
    )
    db.add(user)
    _flush_account(db)
    return user


def invite_user(db: Session, scope: Scope, data: AccountData, now: datetime) -> tuple[User, str]:
    """A new account without a password, and its invitation. Returns the user and the link's token."""
    user = create_account(db, scope, data, NO_PASSWORD)
    _invitation, token = issue_invitation(db, user, now, scope.user_id)
    return user, token


def update_user(db: Session, scope: Scope, user_id: int, data: AccountData) -> User:
    user = get_user(db, scope, user_id)
    checked = _check_account(db, scope, data, user)
    if user.role is Role.ADMIN and checked.role is not Role.ADMIN:
        _keep_an_admin(db, user)
    user.email = checked.email
    user.name = checked.name
    user.role = checked.role
    user.person = checked.person
    user.partnerships = checked.partnerships
    _flush_account(db)
    return user


def set_user_enabled(db: Session, scope: Scope, user_id: int, enabled: bool) -> User:
    """Disable (or enable again) an account. A disabled account cannot log in, its open sessions
    stop at the next request, and its invitation links no longer work."""
    user = get_user(db, scope, user_id)
    if not enabled:
        try:
            _keep_an_admin(db, user)
        except ValidationError as exc:
            raise ValidationError({"actief": LAST_ADMIN}) from exc
        if user.id == scope.user_id:
            raise ValidationError({"actief": "Je kunt je eigen account niet uitschakelen."})
    user.is_enabled = enabled
    db.flush()
    return user


def new_invitation(db: Session, scope: Scope, user_id: int, now: datetime) -> tuple[User, str]:
    """A new link for an account: for an invitation that expired, or to let someone who forgot their
    password set a new one. Earlier links of the account stop working."""
    user = get_user(db, scope, user_id)
    if not user.is_enabled:
        raise ValidationError({"actief": "Dit account is uitgeschakeld: schakel het eerst weer in."})
    _invitation, token = issue_invitation(db, user, now, scope.user_id)
    return user, token


def new_password_reset(db: Session, scope: Scope, user_id: int, now: datetime) -> tuple[User, str]:
    """A password reset link for an account the caller manages (valid RESET_HOURS, once; only
    e-mailed to the account's own address, never shown to the caller). Earlier links of the
    account stop working; the current password works until the link is used."""
    user = get_user(db, scope, user_id)
    if not user.is_enabled:
        raise ValidationError({"actief": "Dit account is uitgeschakeld: schakel het eerst weer in."})
    if user.password_hash == NO_PASSWORD:
        raise ValidationError(
            {"wachtwoord": "Dit account heeft nog geen wachtwoord: stuur een nieuwe uitnodiging."}
        )
    _invitation, token = issue_invitation(db, user, now, scope.user_id, LinkPurpose.RESET)
    return user, token
