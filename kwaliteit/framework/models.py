from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kwaliteit import limits
from kwaliteit.db import Base
from kwaliteit.models_base import Timestamp, max_length_check, utcnow


class Framework(Base):
    """One version of the Landelijk Kwaliteitskader, loaded from a YAML file."""

    __tablename__ = "framework"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(limits.NAME))
    version: Mapped[str] = mapped_column(String(limits.VERSION))
    # Exactly one version is current; older ones keep their safeguards and links.
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    loaded_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    safeguards: Mapped[list[Safeguard]] = relationship(
        back_populates="framework", order_by="Safeguard.position"
    )

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class Safeguard(Base):
    """Waarborg."""

    __tablename__ = "safeguard"
    __table_args__ = (
        UniqueConstraint("framework_id", "code"),
        max_length_check("description", limits.DESCRIPTION),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"), index=True)
    code: Mapped[str] = mapped_column(String(limits.CODE))
    name: Mapped[str] = mapped_column(String(limits.NAME))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    framework: Mapped[Framework] = relationship(back_populates="safeguards")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="safeguard", order_by="Criterion.position"
    )

    def __str__(self) -> str:
        return self.name


class Criterion(Base):
    """Kenmerk basiskwaliteit."""

    __tablename__ = "criterion"
    __table_args__ = (
        UniqueConstraint("safeguard_id", "code"),
        max_length_check("text", limits.CRITERION),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    safeguard_id: Mapped[int] = mapped_column(ForeignKey("safeguard.id"), index=True)
    code: Mapped[str] = mapped_column(String(limits.CODE))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)

    safeguard: Mapped[Safeguard] = relationship(back_populates="criteria")
