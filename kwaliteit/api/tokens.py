"""Personal API tokens: making, listing, revoking, and recognising one in a request.

A token is `kw_` and 43 characters of secrets.token_urlsafe(32) (256 random bits). Only its
SHA-256 is stored, so a copy of the database lets nobody use the API; the token itself exists in
plain text once, when it is made (the page or the CLI shows it). A token acts with its user's
role and partnerships; it stops working when revoked, when it expires, or when the account is
disabled (checked on every request, like the log-in session of a disabled account).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from kwaliteit.accounts.models import User
from kwaliteit.api.models import TOKEN_NAME, TOKEN_PREFIX_LENGTH, ApiToken
from kwaliteit.limits import too_long
from kwaliteit.scope import NotFound, check_id
from kwaliteit.validation import ValidationError, characters_error

PREFIX = "kw_"
TOKEN_BYTES = 32
# No token this module makes is longer; a longer one is unknown without hashing megabytes.
MAX_TOKEN_LENGTH = 100
# How many tokens one account may hold that still work: enough for every system it connects.
MAX_ACTIVE_TOKENS = 20
# Days a token may be made to last at most (the form offers fewer); None: until revoked.
MAX_DAYS = 3 * 366
# last_used_at is written at most this often per token: a busy client must not turn every
# read into a write.
TOUCH_INTERVAL = timedelta(minutes=5)


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def working(now: datetime):
    """SQL: the token works at `now` (not revoked, not expired)."""
    return and_(ApiToken.revoked_at.is_(None), or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now))


def name_error(name: str | None) -> str | None:
    name = (name or "").strip()
    if not name:
        return "Geef het token een naam, zodat je later weet waarvoor het is."
    if message := characters_error(name):
        return message
    if len(name) > TOKEN_NAME:
        return too_long(TOKEN_NAME)
    return None


def issue_token(
    db: Session, user: User, name: str, now: datetime, days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user`, valid `days` days (None: until revoked). Returns the row and the
    token (the only moment it exists in plain text). Raises ValidationError."""
    errors: dict[str, str] = {}
    if message := name_error(name):
        errors["name"] = message
    if days is not None and not 1 <= days <= MAX_DAYS:
        errors["days"] = f"Kies een geldigheid van 1 tot en met {MAX_DAYS} dagen, of geen einddatum."
    if not user.is_enabled:
        errors[""] = "Dit account is uitgeschakeld."
    active = db.scalar(
        select(ApiToken.id).where(ApiToken.user_id == user.id, working(now)).offset(MAX_ACTIVE_TOKENS - 1).limit(1)
    )
    if active is not None:
        errors.setdefault("name", f"Je hebt al {MAX_ACTIVE_TOKENS} werkende tokens; trek er eerst een in.")
    if errors:
        raise ValidationError(errors)
    token = new_token()
    row = ApiToken(
        user_id=user.id,
        name=name.strip(),
        prefix=token[:TOKEN_PREFIX_LENGTH],
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + timedelta(days=days) if days is not None else None,
    )
    db.add(row)
    db.flush()
    return row, token


@dataclass
class TokenRow:
    token: ApiToken
    works: bool


def tokens_of(db: Session, user_id: int, now: datetime) -> list[TokenRow]:
    """The user's tokens, the newest first, with whether each still works."""
    rows = db.execute(
        select(ApiToken, working(now))
        .where(ApiToken.user_id == user_id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
    return [TokenRow(t, bool(w)) for t, w in rows]


def revoke_token(db: Session, user_id: int, token_id: int, now: datetime) -> ApiToken:
    """Revoke one of the user's own tokens (idempotent). Another user's token is NotFound: its
    existence is nobody else's business."""
    token = db.get(ApiToken, check_id(token_id))
    if token is None or token.user_id != user_id:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = now
        db.flush()
    return token


def user_for_token(db: Session, token: str, now: datetime) -> tuple[int, int, bool] | None:
    """(token id, user id, whether last_used_at is due for an update) of a working token of an
    enabled account, or None. One statement."""
    if not token.startswith(PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = db.execute(
        select(ApiToken.id, ApiToken.user_id, _touch_due(now))
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == hash_token(token), working(now), User.is_enabled.is_(True))
    ).first()
    if row is None:
        return None
    token_id, user_id, due = row
    return token_id, user_id, bool(due)


def _touch_due(now: datetime):
    """SQL: last_used_at is older than TOUCH_INTERVAL (or never set)."""
    return or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - TOUCH_INTERVAL)


def touch(db: Session, token_id: int, now: datetime) -> None:
    """Record that the token was used (at most once per TOUCH_INTERVAL, see user_for_token)."""
    db.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, _touch_due(now))
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
