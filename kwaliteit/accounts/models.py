from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, String, Table, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kwaliteit import limits
from kwaliteit.db import Base
from kwaliteit.models_base import Timestamp, str_enum, utcnow
from kwaliteit.registry.models import Partnership, Person


class Role(enum.Enum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    TRAINER = "trainer"
    STEERING = "steering"

    @property
    def label(self) -> str:
        return {
            "admin": "Beheerder",
            "coordinator": "Kwaliteitscoördinator",
            "trainer": "Trainer",
            "steering": "Stuurgroep",
        }[self.value]


user_partnership = Table(
    "user_partnership",
    Base.metadata,
    Column("user_id", ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
    Column("partnership_id", ForeignKey("partnership.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, Base):
    # "user" is a reserved word in PostgreSQL.
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(limits.EMAIL))
    name: Mapped[str] = mapped_column(String(limits.NAME), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"))
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # A trainer account is linked to its Person, whose sessions it may see.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    # Part of every session's identity (get_id): raising it ends every session and remember-me
    # cookie of the account (log-out, a new password, "overal uitloggen").
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Two-step log-in (TOTP, RFC 6238): the base32 secret when switched on, and the last time step
    # whose code was accepted, so that a code works once.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    person: Mapped[Person | None] = relationship()
    partnerships: Mapped[list[Partnership]] = relationship(
        secondary=user_partnership, order_by=Partnership.name
    )

    # The random part of the identity of this log-in (not a column): set when a log-in starts and
    # read back from the session cookie, so that every log-in has its own remember-me cookie.
    login_nonce: str = ""

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts
        return self.is_enabled

    def get_id(self) -> str:
        """The identity Flask-Login keeps in the session and the remember-me cookie (Flask-Login's
        "alternative tokens"): id, session version and the log-in's nonce. The user loader refuses
        an identity whose version is no longer the account's."""
        return f"{self.id}:{self.session_version}:{self.login_nonce}"

    @property
    def two_step(self) -> bool:
        return self.totp_secret is not None

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __str__(self) -> str:
        return self.name or self.email


# One account per address whatever its case (the services also store addresses lower-cased).
EMAIL_UNIQUE_INDEX = "uq_app_user_email_lower"
Index(EMAIL_UNIQUE_INDEX, func.lower(User.email), unique=True)


# The password hash of an account whose owner has not set a password yet (invited): no password
# hashes to it, so nobody can log in with it (werkzeug's check refuses a hash without "$").
NO_PASSWORD = "!"


class LinkPurpose(enum.Enum):
    INVITATION = "invitation"  # shown to the inviter and e-mailed; sets the first password
    RESET = "reset"  # a password reset: only e-mailed to the account's address, valid for a day


class Invitation(Base):
    """A one-time link to set the password of an account. Only the SHA-256 of the token is kept:
    the link itself is shown to the inviter once and e-mailed, never stored."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[LinkPurpose] = mapped_column(
        str_enum(LinkPurpose, "link_purpose"), default=LinkPurpose.INVITATION, server_default="invitation"
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(Timestamp)
    used_at: Mapped[datetime | None] = mapped_column(Timestamp)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
