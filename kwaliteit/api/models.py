"""Personal API tokens: a bearer token per user and purpose, stored only as its SHA-256."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kwaliteit.accounts.models import User
from kwaliteit.db import Base
from kwaliteit.models_base import Timestamp, utcnow

# What the user calls a token ("Koppeling HR-systeem"), shown in the list of their tokens.
TOKEN_NAME = 100
# The first characters of the token ("kw_AbCd1234"), kept to tell tokens apart in the list; too
# few to guess the rest from (the rest holds 256 random bits).
TOKEN_PREFIX_LENGTH = 11


class ApiToken(Base):
    """A personal bearer token for the JSON API. Only the SHA-256 of the token is kept: the token
    is shown once, when it is made. It acts with its user's role and partnerships, and stops
    working when it is revoked, when it expires, or when the user's account is disabled."""

    __tablename__ = "api_token"
    __table_args__ = (CheckConstraint("length(trim(name)) > 0", name="name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(TOKEN_NAME))
    prefix: Mapped[str] = mapped_column(String(TOKEN_PREFIX_LENGTH))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(Timestamp)
    expires_at: Mapped[datetime | None] = mapped_column(Timestamp)  # None: until revoked
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp)

    user: Mapped[User] = relationship()

