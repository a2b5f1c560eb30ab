from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kwaliteit.db import Base
from kwaliteit.models_base import Timestamp

THROTTLE_KEY = 100  # a rule name and the SHA-256 of what it counts


class ThrottleCounter(Base):
    """One counter per rule and subject (an account, an address): the hits in the window that
    began at `window_start`, and until when the subject is refused once it reached the limit.
    The subject is stored hashed: no e-mail or IP address in this table."""

    __tablename__ = "throttle"
    __table_args__ = (CheckConstraint("hits >= 0", name="hits"),)

    key: Mapped[str] = mapped_column(String(THROTTLE_KEY), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(Timestamp)
    hits: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime | None] = mapped_column(Timestamp)


class RecoveryCode(Base):
    """A one-time code that replaces the authenticator's code at log-in (stored as SHA-256)."""

    __tablename__ = "recovery_code"
    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(Timestamp)
