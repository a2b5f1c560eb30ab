"""Reading the audit log (scoped, filtered, paged), its export, and its retention.

Admins read every entry. Coordinators read the entries of their partnerships and their own
(an export of theirs without a partnership); an entry without a partnership is otherwise for
admins only (accounts, the framework). Others: Forbidden.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, delete, false, func, or_, select
from sqlalchemy.orm import Session

from kwaliteit.accounts.models import Role, User
from kwaliteit.audit.models import Actor, AuditAction, AuditEntry
from kwaliteit.clock import TIMEZONE
from kwaliteit.db import rowcount
from kwaliteit.pagination import Page, clamp_page
from kwaliteit.registry.models import Partnership
from kwaliteit.scope import Forbidden, Scope

# The Dutch names of the audited object types (table names); an unknown one shows as it is.
OBJECT_LABELS = {
    "partnership": "partnerschap",
    "partnership_settings": "instellingen partnerschap",
    "organisation": "organisatie",
    "person": "persoon",
    "person_role": "rol van persoon",
    "app_user": "account",
    "training": "training",
    "training_safeguard": "waarborg van training",
    "training_session": "bijeenkomst",
    "questionnaire": "vragenlijst",
    "questionnaire_version": "versie van vragenlijst",
    "question": "vraag",
    "evaluation_settings": "evaluatie-instellingen",
    "evaluation_request": "evaluatie van bijeenkomst",
    "register_policy": "registerbeleid",
    "trainer_qualification": "registratie train-de-trainer",
    "professional_registration": "beroepsregistratie",
    "certificate": "certificaat",
    "attendance": "aanwezigheid",
    "mentorship": "begeleiding",
    "cycle_calendar": "kalender",
    "review_cycle": "kwaliteitscyclus",
    "cycle_goal": "doel",
    "improvement_action": "verbeteractie",
    "partnership_cycle": "partnerschapscyclus",
    "safeguard_summary": "samenvatting waarborg",
    "good_practice": "good practice",
    "framework": "kwaliteitskader",
    "safeguard": "waarborg",
    "criterion": "kenmerk",
    "export": "bestand",
}


def object_label(object_type: str) -> str:
    return OBJECT_LABELS.get(object_type, object_type)


@dataclass(frozen=True)
class AuditFilters:
    start: date | None = None  # from this day (Dutch time), inclusive
    end: date | None = None  # up to and including this day
    user_id: int | None = None
    action: AuditAction | None = None
    object_type: str | None = None
    partnership_id: int | None = None


@dataclass
class AuditRow:
    entry: AuditEntry
    user_name: str | None
    partnership_name: str | None

    @property
    def actor_label(self) -> str:
        if self.user_name is not None:
            return self.user_name
        return self.entry.actor.label

    @property
    def object_label(self) -> str:
        return object_label(self.entry.object_type)


def _require_reader(scope: Scope) -> None:
    if scope.role not in (Role.ADMIN, Role.COORDINATOR):
        raise Forbidden()


def _visible(scope: Scope):
    if scope.is_all:
        return None
    parts = [scope.condition(AuditEntry.partnership_id)]
    if scope.user_id is not None:
        parts.append(AuditEntry.user_id == scope.user_id)
    return or_(*parts) if parts else false()


def _day_start(day: date) -> datetime:
    """The first moment of a Dutch calendar day, in UTC: moments are stored in UTC, and SQLite
    compares them as text, so the bound must be in UTC too."""
    return datetime.combine(day, time.min, TIMEZONE).astimezone(UTC)


def _select(scope: Scope, f: AuditFilters) -> Select:
    _require_reader(scope)
    if f.partnership_id is not None:
        scope.check(f.partnership_id)  # another partnership's id: 403, as every filter
    conditions = []
    if (visible := _visible(scope)) is not None:
        conditions.append(visible)
    if f.start is not None:
        conditions.append(AuditEntry.at >= _day_start(f.start))
    if f.end is not None:
        conditions.append(AuditEntry.at < _day_start(f.end + timedelta(days=1)))
    if f.user_id is not None:
        conditions.append(AuditEntry.user_id == f.user_id)
    if f.action is not None:
        conditions.append(AuditEntry.action == f.action)
    if f.object_type is not None:
        conditions.append(AuditEntry.object_type == f.object_type)
    if f.partnership_id is not None:
        conditions.append(AuditEntry.partnership_id == f.partnership_id)
    return select(AuditEntry).where(*conditions)


def entries(db: Session, scope: Scope, f: AuditFilters, page: int = 1, page_size: int = 25) -> Page:
    """The entries, newest first. Two statements."""
    stmt = _select(scope, f)
    total = db.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    page = clamp_page(page, total, page_size)
    return Page(_rows(db, stmt.limit(page_size).offset((page - 1) * page_size)), total, page, page_size)


def _rows(db: Session, stmt: Select) -> list[AuditRow]:
    stmt = (
        stmt.outerjoin(User, User.id == AuditEntry.user_id)
        .outerjoin(Partnership, Partnership.id == AuditEntry.partnership_id)
        .add_columns(User.name, Partnership.name)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    return [AuditRow(e, user_name, partnership_name) for e, user_name, partnership_name in db.execute(stmt)]


# An export holds at most this many rows (the newest): a bound on memory, far above a year's log
# of a partnership. The file says when it was cut.
EXPORT_LIMIT = 100_000
EXPORT_HEADER = ["Tijdstip", "Door", "Handeling", "Soort", "Sleutel", "Partnerschap", "Toelichting"]


def export_rows(db: Session, scope: Scope, f: AuditFilters) -> list[list]:
    rows = _rows(db, _select(scope, f).limit(EXPORT_LIMIT))
    return [
        [
            _local(r.entry.at),
            r.actor_label,
            r.entry.action.label,
            r.object_label,
            r.entry.object_key or "",
            r.partnership_name or "",
            r.entry.summary or "",
        ]
        for r in rows
    ]


def _local(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite gives stored moments back without their zone: UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M:%S")


def users_in_log(db: Session, scope: Scope) -> list[tuple[int, str]]:
    """The accounts to offer in the filter: those with an entry the reader may see."""
    _require_reader(scope)
    ids = select(AuditEntry.user_id).where(AuditEntry.user_id.is_not(None))
    if (visible := _visible(scope)) is not None:
        ids = ids.where(visible)
    return [(uid, name) for uid, name in db.execute(
        select(User.id, User.name).where(User.id.in_(ids.distinct())).order_by(User.name, User.id)
    )]


def object_types() -> list[tuple[str, str]]:
    return sorted(OBJECT_LABELS.items(), key=lambda kv: kv[1])


# ---------------------------------------------------------------- retention


def purge(db: Session, today: date, retention_days: int) -> int:
    """Delete the entries from before the first day kept: `today` minus `retention_days`
    (Dutch days). Returns how many. A second run the same day deletes nothing."""
    first_kept = _day_start(today - timedelta(days=retention_days))
    return rowcount(db.execute(
        delete(AuditEntry).where(AuditEntry.at < first_kept).execution_options(synchronize_session=False)
    ))


__all__ = ["Actor", "AuditAction", "AuditFilters", "entries", "export_rows", "purge"]
