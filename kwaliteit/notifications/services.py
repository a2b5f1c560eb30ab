"""A user's reminders, their preferences (weekly digest) and the secret of their calendar feed;
the outbox list for admins."""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from kwaliteit.accounts.models import Role, User
from kwaliteit.db import conflict_insert
from kwaliteit.notifications.models import OutboxMessage, UserPreferences
from kwaliteit.notifications.outbox import DIGEST_KIND
from kwaliteit.pagination import Page, clamp_page
from kwaliteit.scope import Forbidden, Scope

# ------------------------------------------------------------------------------ links in mail


def app_url(endpoint: str, **values) -> str | None:
    """The address of a page for an e-mail or a calendar: KWALITEIT_BASE_URL + path, or only the
    path when BASE_URL is not set (the mail then says so); None when the page does not exist."""
    try:
        path = current_app.url_map.bind("localhost").build(endpoint, values)
    except BuildError:
        return None
    base = current_app.config.get("BASE_URL")
    return base.rstrip("/") + path if base else path


def cycle_url(cycle_id: int) -> str | None:
    """The page of a review cycle."""
    return app_url("cycles.detail", cycle_id=cycle_id)


def has_base_url() -> bool:
    return bool(current_app.config.get("BASE_URL"))


# ------------------------------------------------------------------------------ preferences


def _upsert(db: Session, user_id: int, **values) -> None:
    """Insert or update the user's preferences in one statement (two requests at once: no error)."""
    stmt = conflict_insert(db, UserPreferences).values(user_id=user_id, **values)
    db.execute(stmt.on_conflict_do_update(index_elements=["user_id"], set_=values))


def preferences(db: Session, user_id: int) -> UserPreferences:
    """The user's preferences (defaults when none are stored; not added to the session)."""
    return db.get(UserPreferences, user_id) or UserPreferences(user_id=user_id, weekly_digest=False)


def set_weekly_digest(db: Session, user_id: int, enabled: bool) -> None:
    """Choose the weekly digest or single messages. Messages not yet sent follow the choice:
    single messages not yet tried go into the digest; digest messages waiting go out singly."""
    _upsert(db, user_id, weekly_digest=enabled)
    unsent = (
        update(OutboxMessage)
        .where(
            OutboxMessage.user_id == user_id,
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.kind != DIGEST_KIND,
        )
        .execution_options(synchronize_session=False)
    )
    if enabled:
        # attempts == 0: not claimed by a deliverer at this moment, nor waiting for a retry.
        db.execute(unsent.where(OutboxMessage.attempts == 0).values(in_digest=True))
    else:
        db.execute(unsent.values(in_digest=False))


# ------------------------------------------------------------------------------ calendar token

# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
TOKEN_BYTES = 32
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def renew_calendar_token(db: Session, user_id: int) -> str:
    """A new secret for the user's calendar feed; the old one stops working. Only its hash is
    stored, so the address can be shown only now."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    _upsert(db, user_id, calendar_token_hash=hash_token(token))
    return token


def user_for_calendar_token(db: Session, token: str) -> User | None:
    """The enabled account whose feed this is, or None. The lookup is by the SHA-256 of the token:
    how long the index search takes says something about the hash only, never about the secret,
    and the found hash is compared once more in constant time."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    digest = hash_token(token)
    row = db.execute(
        select(User, UserPreferences.calendar_token_hash)
        .join(UserPreferences, UserPreferences.user_id == User.id)
        .where(UserPreferences.calendar_token_hash == digest, User.is_enabled)
    ).first()
    if row is None or not hmac.compare_digest(row[1] or "", digest):
        return None
    return row[0]


# ------------------------------------------------------------------------------ lists


class OutboxState(enum.Enum):
    WAITING = "wacht"
    FAILED = "mislukt"
    SENT = "verstuurd"

    @property
    def label(self) -> str:
        return {
            "wacht": "Wacht op verzending",
            "mislukt": "Mislukt, wordt opnieuw geprobeerd",
            "verstuurd": "Verstuurd",
        }[self.value]


def _state_condition(state: OutboxState):
    unsent = OutboxMessage.sent_at.is_(None)
    return {
        OutboxState.WAITING: unsent & OutboxMessage.last_error.is_(None),
        OutboxState.FAILED: unsent & OutboxMessage.last_error.is_not(None),
        OutboxState.SENT: ~unsent,
    }[state]


def my_messages(db: Session, user_id: int, page: int = 1, page_size: int = 25) -> Page:
    """The user's own messages, newest first: two statements."""
    where = OutboxMessage.user_id == user_id
    total = db.execute(select(func.count()).select_from(OutboxMessage).where(where)).scalar_one()
    page = clamp_page(page, total, page_size)
    items = db.scalars(
        select(OutboxMessage)
        .where(where)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return Page(list(items), total, page, page_size)


@dataclass
class OutboxRow:
    message: OutboxMessage
    user_name: str | None


def outbox_list(
    db: Session, scope: Scope, state: OutboxState | None = None, page: int = 1, page_size: int = 25
) -> Page:
    """Every message, for admins only: reminders to a person who works in several partnerships
    may name things of each, so no partnership's coordinator reads another's (they read their
    own under Mijn herinneringen). Waiting and failed first, then the newest. Two statements."""
    if scope.role is not Role.ADMIN:
        raise Forbidden()
    where = [_state_condition(state)] if state else []
    total = db.execute(select(func.count()).select_from(OutboxMessage).where(*where)).scalar_one()
    page = clamp_page(page, total, page_size)
    rows = db.execute(
        select(OutboxMessage, User.name)
        .outerjoin(User, User.id == OutboxMessage.user_id)
        .where(*where)
        .order_by(
            OutboxMessage.sent_at.is_not(None),
            OutboxMessage.sent_at.desc(),
            OutboxMessage.created_at.desc(),
            OutboxMessage.id.desc(),
        )
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return Page([OutboxRow(m, n) for m, n in rows], total, page, page_size)
