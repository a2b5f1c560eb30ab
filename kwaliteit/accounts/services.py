from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from kwaliteit import limits
from kwaliteit.accounts.models import EMAIL_UNIQUE_INDEX, Role, User
from kwaliteit.db import violates
from kwaliteit.registry.models import Partnership, Person
from kwaliteit.validation import text_error

MIN_PASSWORD_LENGTH = 12
# Compared against when the e-mail is unknown, so that timing does not reveal accounts.
_DUMMY_HASH = generate_password_hash("not-a-password", method="scrypt")


class AccountError(ValueError):
    pass


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def authenticate(db: Session, email: str, password: str) -> User | None:
    """The enabled account with this address and password, or None. An address no account can
    have (too long, control characters: PostgreSQL refuses NUL even in a query) is not looked up."""
    email = normalise_email(email)
    if text_error(email, limits.EMAIL) or text_error(password, limits.PASSWORD):
        check_password_hash(_DUMMY_HASH, "not-a-password")
        return None
    # lower(email): the expression the unique index is on, so the index serves the look-up.
    user = db.scalar(select(User).where(func.lower(User.email) == email))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_enabled:
        return None
    return user


def create_user(
    db: Session,
    email: str,
    role: Role,
    password: str,
    *,
    name: str = "",
    partnership_names: list[str] | tuple[str, ...] = (),
    person_email: str | None = None,
) -> User:
    """Create an account; coordinators and steering need a partnership, trainers a person."""
    email = normalise_email(email)
    if message := text_error(email, limits.EMAIL):
        raise AccountError(f"E-mailadres: {message}")
    if "@" not in email:
        raise AccountError(f"'{email}' is geen geldig e-mailadres.")
    if message := text_error(name, limits.NAME):
        raise AccountError(f"Naam: {message}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Het wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens lang zijn.")
    if message := text_error(password, limits.PASSWORD):
        raise AccountError(f"Wachtwoord: {message}")
    if db.scalar(select(func.count()).where(func.lower(User.email) == email)):
        raise AccountError(f"Er bestaat al een account met e-mailadres {email}.")
    partnerships = []
    for pname in partnership_names:
        p = db.scalar(select(Partnership).where(Partnership.name == pname))
        if p is None:
            raise AccountError(f"Partnerschap '{pname}' bestaat niet.")
        partnerships.append(p)
    if role in (Role.COORDINATOR, Role.STEERING) and not partnerships:
        raise AccountError("Een coördinator of stuurgroeplid hoort bij minstens één partnerschap.")
    person = None
    if role is Role.TRAINER:
        person = db.scalar(
            select(Person).where(func.lower(Person.email) == normalise_email(person_email or email))
        )
        if person is None:
            raise AccountError(
                "Een traineraccount hoort bij een persoon in het register met hetzelfde e-mailadres."
            )
        if not partnerships:
            partnerships = [person.organisation.partnership]
    user = User(
        email=email,
        name=name or (person.name if person else ""),
        password_hash=hash_password(password),
        role=role,
        person=person,
        partnerships=partnerships,
    )
    db.add(user)
    try:
        with db.begin_nested():  # a savepoint: the caller's transaction stays usable
            db.flush()
    except IntegrityError as exc:
        if not violates(exc, EMAIL_UNIQUE_INDEX):
            raise
        # Another transaction made the same account since the check above.
        raise AccountError(f"Er bestaat al een account met e-mailadres {email}.") from exc
    return user
