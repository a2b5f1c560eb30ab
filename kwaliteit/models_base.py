"""Column helpers shared by the domain models."""
from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import CheckConstraint, DateTime, Enum


def utcnow() -> datetime:
    return datetime.now(UTC)


def str_enum(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: VARCHAR plus a named CHECK constraint, storing the value."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


Timestamp = DateTime(timezone=True)


def max_length_check(column: str, limit: int) -> CheckConstraint:
    """The database's copy of a text limit (kwaliteit.limits) for a Text column; String(N)
    columns carry theirs in the type. Named ck_<table>_<column>_length by the convention."""
    return CheckConstraint(f"length({column}) <= {limit}", name=f"{column}_length")
