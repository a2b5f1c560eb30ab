"""The user's own account: change the password, end every session, and the two-step log-in
(TOTP, RFC 6238, with one-time recovery codes) for admins and coordinators.

A code works once: the time step of the last accepted code is kept, and accepting one is a
conditional UPDATE (only a later step), so a code seen over someone's shoulder, or sent twice at
once, logs in once. Recovery codes are stored as SHA-256 and claimed the same way.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from kwaliteit.accounts.auth import MANAGERS
from kwaliteit.accounts.models import User
from kwaliteit.accounts.passwords import password_errors
from kwaliteit.accounts.services import end_sessions, hash_password
from kwaliteit.db import rowcount
from kwaliteit.limits import PASSWORD
from kwaliteit.security.models import RecoveryCode
from kwaliteit.validation import ValidationError

ISSUER = "kwaliteit"
RECOVERY_CODES = 10
CODE_LENGTH = 6
# A code of the step before or after the current one is accepted too (a phone's clock may be off
# by some seconds; the code on screen may have just rolled over).
VALID_WINDOW = 1
# Only the characters a recovery code can have (lower case; no 0/o, 1/l confusion).
RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def two_step_allowed(user: User) -> bool:
    """Two-step log-in is offered to admins and coordinators."""
    return user.role in MANAGERS


def _check_current(user: User, current: str | None) -> None:
    current = current or ""
    if len(current) > PASSWORD or not check_password_hash(user.password_hash, current):
        raise ValidationError({"current": "Je huidige wachtwoord klopt niet."})


def change_password(db: Session, user: User, current: str, password: str, confirm: str) -> None:
    """Set a new password (the current one required). Ends every session of the account; the
    caller starts a new one for the browser that made the change."""
    _check_current(user, current)
    if errors := password_errors(password, confirm, user.email):
        raise ValidationError(errors)
    if check_password_hash(user.password_hash, password):
        raise ValidationError({"password": "Kies een ander wachtwoord dan je huidige."})
    user.password_hash = hash_password(password)
    db.flush()
    end_sessions(db, user)


# ------------------------------------------------------------------------ two-step log-in


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _normalise_code(code: str | None) -> str:
    return "".join((code or "").split()).replace("-", "").lower()[:64]


def _step_of(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code this is (within VALID_WINDOW of `now`), or None."""
    # ASCII digits only: str.isdigit() also takes "١٢٣٤٥٦" or "²²²²²²", which compare_digest refuses.
    if len(code) != CODE_LENGTH or not (code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def enable_two_step(db: Session, user: User, secret: str, code: str | None, now: datetime) -> list[str]:
    """Switch the two-step log-in on with `secret` once a code from the app proves it was set up.
    Returns the new recovery codes (the only moment they exist in plain text)."""
    if not two_step_allowed(user):
        raise ValidationError({"code": "Inloggen in twee stappen is er voor beheerders en coördinatoren."})
    if user.two_step:
        raise ValidationError({"code": "Inloggen in twee stappen staat al aan."})
    try:
        valid_secret = len(secret) <= 64 and len(pyotp.TOTP(secret).byte_secret()) >= 16
    except (ValueError, TypeError):  # not base32 (binascii.Error is a ValueError): refused
        valid_secret = False
    step = _step_of(secret, _normalise_code(code), now) if valid_secret else None
    if step is None:
        raise ValidationError({"code": "Deze code klopt niet. Typ de zes cijfers die de app nu toont."})
    user.totp_secret = secret
    user.totp_last_step = step
    db.flush()
    return new_recovery_codes(db, user)


def disable_two_step(db: Session, user: User, current: str, code: str | None, now: datetime) -> None:
    """Switch it off: the password and a code (or a recovery code) are both required."""
    _check_current(user, current)
    if not user.two_step:
        return
    if not verify_code(db, user, code, now):
        raise ValidationError({"code": "Deze code klopt niet."})
    user.totp_secret = None
    user.totp_last_step = None
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.flush()


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def new_recovery_codes(db: Session, user: User) -> list[str]:
    """Replace the account's recovery codes; returns the new ones in plain text (shown once)."""
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)
    ]
    db.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_code(c)) for c in codes)
    db.flush()
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def unused_recovery_codes(db: Session, user: User) -> int:
    return len(
        db.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
    )


def verify_code(db: Session, user: User, code: str | None, now: datetime) -> bool:
    """Whether `code` (from the app, or a recovery code) lets this account in now; a code that is
    accepted is used up (conditional UPDATEs: of two requests with the same code, one wins)."""
    if not user.two_step or user.totp_secret is None:
        return False
    code = _normalise_code(code)
    step = _step_of(user.totp_secret, code, now)
    if step is not None:
        return (
            rowcount(db.execute(
                update(User)
                .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
                .values(totp_last_step=step)
                .execution_options(synchronize_session=False)
            ))
            == 1
        )
    if len(code) != 10:
        return False
    return (
        rowcount(db.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == _hash_code(code),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        ))
        == 1
    )
