"""One row per audited event. It holds who (an account id, or the kind of actor for the scheduler
and the command line), what (action, object type and key, the names of the changed fields) and
when, never a value: no name, no e-mail address, no answer. So anonymising a person leaves
nothing of them here but an account id that becomes NULL when the account is deleted."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kwaliteit.db import Base
from kwaliteit.models_base import Timestamp, str_enum


class AuditAction(enum.Enum):
    CREATED = "created"
    CHANGED = "changed"
    DELETED = "deleted"
    IMPORTED = "imported"
    EXPORTED = "exported"
    WAIVED = "waived"
    UNWAIVED = "unwaived"
    LOCKED = "locked"
    UNLOCKED = "unlocked"
    ANONYMISED = "anonymised"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    AuditAction.CREATED: "aangemaakt",
    AuditAction.CHANGED: "gewijzigd",
    AuditAction.DELETED: "verwijderd",
    AuditAction.IMPORTED: "ingelezen",
    AuditAction.EXPORTED: "geëxporteerd",
    AuditAction.WAIVED: "vrijgesteld",
    AuditAction.UNWAIVED: "vrijstelling ingetrokken",
    AuditAction.LOCKED: "vergrendeld",
    AuditAction.UNLOCKED: "ontgrendeld",
    AuditAction.ANONYMISED: "geanonimiseerd",
}


class Actor(enum.Enum):
    """Who acted when no account did (or with the account, USER)."""

    USER = "user"
    VISITOR = "visitor"  # a request without a log-in (accepting an invitation)
    SCHEDULER = "scheduler"
    COMMAND_LINE = "cli"
    SYSTEM = "system"

    @property
    def label(self) -> str:
        return {
            "user": "verwijderd account",  # shown only when the account is gone
            "visitor": "bezoeker zonder account",
            "scheduler": "planner",
            "cli": "opdrachtregel",
            "system": "systeem",
        }[self.value]


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_partnership_at", "partnership_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(Timestamp, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"), index=True)
    actor: Mapped[Actor] = mapped_column(str_enum(Actor, "audit_actor"))
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnership.id", ondelete="SET NULL"))
    action: Mapped[AuditAction] = mapped_column(str_enum(AuditAction, "audit_action"))
    # The table of the object ("training_session"), and its key ("12", or "12/7" for a pair).
    object_type: Mapped[str] = mapped_column(String(40))
    object_key: Mapped[str | None] = mapped_column(String(40))
    # Names of the changed fields, or a count ("25 antwoorden"), or an export's file name: never a value.
    summary: Mapped[str | None] = mapped_column(String(500))
