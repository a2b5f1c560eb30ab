from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kwaliteit import limits
from kwaliteit.accounts.models import User
from kwaliteit.db import Base
from kwaliteit.models_base import Timestamp, utcnow


class OutboxMessage(Base):
    """One e-mail to send. `key` says what it is about and for whom (e.g.
    "trainer-due:request 12:user 3"): unique, so queueing the same reminder twice adds nothing."""

    __tablename__ = "outbox_message"
    __table_args__ = (CheckConstraint("attempts >= 0", name="attempts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(limits.OUTBOX_KEY), unique=True)
    kind: Mapped[str] = mapped_column(String(50), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    recipient: Mapped[str] = mapped_column(String(limits.EMAIL))
    subject: Mapped[str] = mapped_column(String(limits.TITLE))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # Kept for the user's weekly digest instead of being sent on its own.
    in_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(Timestamp, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(Timestamp)
    last_error: Mapped[str | None] = mapped_column(String(500))

    user: Mapped[User | None] = relationship()


class UserPreferences(Base):
    """A user's choices for reminders and the secret of their calendar feed (stored hashed)."""

    __tablename__ = "user_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    weekly_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    user: Mapped[User] = relationship()


class SchedulerLock(Base):
    """The single-instance lock of the scheduler on SQLite (PostgreSQL uses an advisory lock):
    the holder renews `heartbeat_at`; a lock whose heartbeat is older than the lease is free."""

    __tablename__ = "scheduler_lock"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    heartbeat_at: Mapped[datetime] = mapped_column(Timestamp)
