from __future__ import annotations

import secrets

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from kwaliteit import limits
from kwaliteit.accounts.models import Role, User
from kwaliteit.accounts.passwords import MIN_PASSWORD_LENGTH, password_error
from kwaliteit.registry.models import Partnership, Person
from kwaliteit.validation import text_error

__all__ = ["MIN_PASSWORD_LENGTH", "AccountError", "authenticate", "create_user", "end_sessions"]
# Compared against when the e-mail is unknown, so that timing does not reveal accounts.
_DUMMY_HASH = generate_password_hash("not-a-password", method="scrypt")


class AccountError(ValueError):
    pass


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def end_sessions(db: Session, user: User) -> None:
    """End every session and remember-me cookie of the account: its identities carry the session
    version, which goes up here (one atomic UPDATE, so two at once both count)."""
    db.execute(
        update(User)
        .where(User.id == user.id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    )
    db.refresh(user, ["session_version"])


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
    """Create an account with a password (CLI, demo): the account rules of the Beheer pages
    (kwaliteit.accounts.users), acting as the system. Partnerships by name; a trainer's person by
    e-mail address (default: the account's)."""
    from kwaliteit.accounts.users import AccountData, create_account
    from kwaliteit.scope import Scope
    from kwaliteit.validation import ValidationError

    if message := password_error(password, email):
        raise AccountError(f"Wachtwoord: {message}")
    partnership_ids = []
    for pname in partnership_names:
        pid = db.scalar(select(Partnership.id).where(func.lower(Partnership.name) == pname.strip().lower()))
        if pid is None:
            raise AccountError(f"Partnerschap '{pname}' bestaat niet.")
        partnership_ids.append(pid)
    person_id = None
    if role is Role.TRAINER:
        wanted = normalise_email(person_email or email)
        person_id = (
            None
            if text_error(wanted, limits.EMAIL)
            else db.scalar(select(Person.id).where(func.lower(Person.email) == wanted))
        )
        if person_id is None:
            raise AccountError(
                "Een traineraccount hoort bij een persoon in het register met hetzelfde e-mailadres."
            )
    data = AccountData(email, name, role, partnership_ids, person_id)
    try:
        return create_account(db, Scope.everything(), data, hash_password(password))
    except ValidationError as exc:
        raise AccountError(" ".join(exc.errors.values())) from exc
