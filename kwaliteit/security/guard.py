"""The throttles of the application, one definition each, and what the edges ask of them.

Log-in: failed attempts count per account (the e-mail address as typed, lower-cased, whether an
account has it or not: an unknown address is locked out with the same words as a known one, so the
lock-out reveals no account) and per client address (a higher limit: many people may share an
office's address). A locked subject is refused before its password is checked, so a lock-out also
ends the cost of hashing. The hit that starts an account's lock-out reports the account, for the
one notice e-mail per lock-out.

Two-step log-in codes count per account; API tokens per client address; the anonymous answer
links per client address (a generous rate limit: a class answering from one school's address).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kwaliteit import limits
from kwaliteit.accounts.models import User
from kwaliteit.security import throttle
from kwaliteit.security.throttle import Rule, retry_after
from kwaliteit.validation import text_error

LOGIN_ACCOUNT = Rule("login-account", limit=5, window=timedelta(minutes=15), lockout=timedelta(minutes=15))
LOGIN_ADDRESS = Rule("login-address", limit=30, window=timedelta(minutes=15), lockout=timedelta(minutes=15))
LOGIN_CODE = Rule("login-code", limit=5, window=timedelta(minutes=15), lockout=timedelta(minutes=15))
API_TOKEN = Rule("api-token", limit=20, window=timedelta(minutes=15), lockout=timedelta(minutes=15))
# Thirty phones of a class on one school network answer within the same minute or two (a page and a
# post each, a reload or a correction); tokens are unguessable, so the limit only stops a flood.
ANSWER_LINK = Rule("answer-link", limit=300, window=timedelta(minutes=1))


@dataclass(frozen=True)
class Lockout:
    until: datetime
    retry_after: int
    by_address: bool  # the client address is locked (not the account)


@dataclass(frozen=True)
class LoginFailure:
    lockout: Lockout | None
    notify: User | None  # the account whose lock-out began now (once per lock-out)


def _account(email: str) -> str:
    return email.strip().lower()


def login_lockout(db: Session, email: str, address: str, now: datetime) -> Lockout | None:
    """Is this log-in refused now (account or address locked)? The later of both locks counts."""
    locks = [
        (until, by_address)
        for rule, subject, by_address in (
            (LOGIN_ACCOUNT, _account(email), False),
            (LOGIN_ADDRESS, address, True),
        )
        if (until := throttle.locked_until(db, rule, subject, now)) is not None
    ]
    if not locks:
        return None
    until, by_address = max(locks)
    return Lockout(until, retry_after(until, now), by_address)


def login_failed(db: Session, email: str, address: str, now: datetime) -> LoginFailure:
    """Count a failed log-in against the account and the address."""
    account = throttle.hit(db, LOGIN_ACCOUNT, _account(email), now)
    throttle.hit(db, LOGIN_ADDRESS, address, now)
    notify = None
    if account.newly_locked:
        email = _account(email)
        if not text_error(email, limits.EMAIL):
            notify = db.scalar(select(User).where(func.lower(User.email) == email, User.is_enabled))
    lockout = login_lockout(db, email, address, now)
    return LoginFailure(lockout, notify)


def login_succeeded(db: Session, email: str) -> None:
    """A right password ends the account's count of failures (not the address's)."""
    throttle.reset(db, LOGIN_ACCOUNT, _account(email))


def code_lockout(db: Session, user_id: int, now: datetime) -> int | None:
    """Seconds until this account may enter a two-step code again, or None."""
    return throttle.check(db, LOGIN_CODE, f"user {user_id}", now)


def code_failed(db: Session, user_id: int, now: datetime) -> int | None:
    """Count a wrong code; seconds of the lock-out when this made one, else None."""
    throttle.hit(db, LOGIN_CODE, f"user {user_id}", now)
    return code_lockout(db, user_id, now)


def code_succeeded(db: Session, user_id: int) -> None:
    throttle.reset(db, LOGIN_CODE, f"user {user_id}")


def token_lockout(db: Session, address: str, now: datetime) -> int | None:
    """For the API: seconds until this client address may present a bearer token again, or None.
    Ask before checking a token; answer 429 with Retry-After when it is a number."""
    return throttle.check(db, API_TOKEN, address, now)


def throttle_failed_token(db: Session, address: str, now: datetime) -> int | None:
    """For the API: count a refused bearer token from this address (unknown, revoked, malformed).
    Returns the seconds of the lock-out when the address is now locked, else None. The caller
    commits (also when it answers 401)."""
    throttle.hit(db, API_TOKEN, address, now)
    return token_lockout(db, address, now)


def answer_link_limited(
    db: Session, address: str, now: datetime, per_minute: int = ANSWER_LINK.limit
) -> int | None:
    """Count one request to an anonymous answer link from this address; seconds to wait when the
    address is over the rate limit. One statement (the counter's upsert), as it is on the path of
    every answer: a refused request is counted too, which changes nothing, as the window is fixed.
    `per_minute` is the app's ANSWER_LINK_PER_MINUTE (KWALITEIT_ANSWER_LINK_PER_MINUTE), raised for
    a load test."""
    rule = ANSWER_LINK if per_minute == ANSWER_LINK.limit else replace(ANSWER_LINK, limit=per_minute)
    hit = throttle.hit(db, rule, address, now)
    if hit.hits > rule.limit and hit.locked_until is not None:
        return throttle.retry_after(hit.locked_until, throttle.aware(now) or now)
    return None
