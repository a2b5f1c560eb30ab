"""A partnership's register policy: how long qualifications and certificates are valid, whether a
valid qualification is required to give a mentor training, how often a mentor refreshes, how many
days ahead "expiring" starts, and how long personal data is kept. One definition of every default,
used by the form, the services and the SQL of the flags."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import ColumnElement, func, literal, select
from sqlalchemy.orm import Session

from kwaliteit.accounts.models import Role
from kwaliteit.certification.models import (
    EXPIRING_DAYS_RANGE,
    REFRESH_YEARS_RANGE,
    RETENTION_YEARS_RANGE,
    VALIDITY_YEARS_RANGE,
    QualificationRule,
    RegisterPolicy,
)
from kwaliteit.db import ensure_row
from kwaliteit.scope import Forbidden, Scope
from kwaliteit.sqldates import plus_years
from kwaliteit.validation import ValidationError


@dataclass(frozen=True)
class Policy:
    qualification_years: int = 4  # 0: no end date
    qualification_rule: QualificationRule = QualificationRule.ADVISED
    certificate_years: int = 5  # 0: no end date
    refresh_years: int = 5  # a refresher or deeper training every N years after the basic one
    expiring_days: int = 90  # "expiring" from this many days before the end date
    retention_years: int = 7  # personal data kept this long after a person's last activity

    def qualification_valid_until(self, completed_on: date) -> date | None:
        return plus_years(completed_on, self.qualification_years) if self.qualification_years else None

    def certificate_valid_until(self, issued_on: date) -> date | None:
        return plus_years(issued_on, self.certificate_years) if self.certificate_years else None

    @property
    def required(self) -> bool:
        return self.qualification_rule is QualificationRule.REQUIRED


DEFAULTS = Policy()
RANGES = {
    "qualification_years": VALIDITY_YEARS_RANGE,
    "certificate_years": VALIDITY_YEARS_RANGE,
    "refresh_years": REFRESH_YEARS_RANGE,
    "expiring_days": EXPIRING_DAYS_RANGE,
    "retention_years": RETENTION_YEARS_RANGE,
}


def _merge(row: RegisterPolicy | None) -> Policy:
    if row is None:
        return DEFAULTS
    values = {}
    for f in fields(Policy):
        own = getattr(row, f.name)
        values[f.name] = getattr(DEFAULTS, f.name) if own is None else own
    return Policy(**values)


def policy_for(db: Session, partnership_id: int) -> Policy:
    return _merge(db.get(RegisterPolicy, partnership_id))


def policies_for(db: Session, partnership_ids) -> dict[int, Policy]:
    """The policy of each of these partnerships (one statement); missing ones get the defaults."""
    ids = sorted(set(partnership_ids))
    rows = {r.partnership_id: r for r in db.scalars(select(RegisterPolicy).where(RegisterPolicy.partnership_id.in_(ids)))}
    return {pid: _merge(rows.get(pid)) for pid in ids}


def policy_column(name: str, partnership_id) -> ColumnElement:
    """SQL: a partnership's policy value `name` (`partnership_id` a column or value), or the default."""
    own = select(getattr(RegisterPolicy, name)).where(RegisterPolicy.partnership_id == partnership_id).scalar_subquery()
    default = getattr(DEFAULTS, name)
    return func.coalesce(own, literal(default.value if isinstance(default, QualificationRule) else default))


def joined_value(name: str) -> ColumnElement:
    """SQL: policy value `name` of a query that outer-joins RegisterPolicy on its partnership."""
    default = getattr(DEFAULTS, name)
    return func.coalesce(
        getattr(RegisterPolicy, name), literal(default.value if isinstance(default, QualificationRule) else default)
    )


@dataclass
class PolicyData:
    """What the form sends; None: the application's default."""

    qualification_years: int | None = None
    qualification_rule: QualificationRule | None = None
    certificate_years: int | None = None
    refresh_years: int | None = None
    expiring_days: int | None = None
    retention_years: int | None = None


def range_message(name: str) -> str:
    low, high = RANGES[name]
    unit = "dagen" if name == "expiring_days" else "jaar"
    extra = " (0: geen einddatum)" if low == 0 and unit == "jaar" else ""
    return f"Kies een waarde van {low} tot en met {high} {unit}{extra}. Laat het veld leeg voor de standaard."


def save_policy(db: Session, scope: Scope, partnership_id: int, data: PolicyData) -> RegisterPolicy:
    """Admins, and coordinators of the partnership, set its policy (one transaction at the edge)."""
    if scope.role not in (Role.ADMIN, Role.COORDINATOR):
        raise Forbidden()
    scope.check(partnership_id)
    errors = {}
    for name, (low, high) in RANGES.items():
        value = getattr(data, name)
        if value is not None and not low <= value <= high:
            errors[name] = range_message(name)
    if errors:
        raise ValidationError(errors)
    row = ensure_row(db, RegisterPolicy, partnership_id=partnership_id)
    for f in fields(PolicyData):
        setattr(row, f.name, getattr(data, f.name))
    db.flush()
    return row
