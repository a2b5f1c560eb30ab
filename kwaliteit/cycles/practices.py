"""Good practices: what worked, recorded by coordinators and trainers, per safeguard, and read
across the partnerships a user may read (the exchange between boards, partnerships and trainers
that the research missed).

Who may do what:
- record: admins, coordinators and trainers, for a partnership within their scope;
- read and search: admins, coordinators, steering members and trainers, within their scope;
- change or delete: the author (while the partnership is in scope), the partnership's
  coordinators and admins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeGuard

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from kwaliteit import limits
from kwaliteit.accounts.models import Role
from kwaliteit.cycles.models import GoodPractice
from kwaliteit.framework.models import Framework, Safeguard
from kwaliteit.pagination import Page, clamp_page
from kwaliteit.registry.models import Partnership
from kwaliteit.scope import MAX_ID, Forbidden, NotFound, Scope
from kwaliteit.trainings.models import Training
from kwaliteit.validation import ValidationError, check_text

WRITERS = (Role.ADMIN, Role.COORDINATOR, Role.TRAINER)
READERS = (Role.ADMIN, Role.COORDINATOR, Role.STEERING, Role.TRAINER)

CHOOSE_PARTNERSHIP = "Kies een partnerschap uit de lijst."


@dataclass
class PracticeData:
    partnership_id: int | None
    title: str
    text: str
    training_id: int | None = None
    safeguard_id: int | None = None


def may_edit(scope: Scope, practice: GoodPractice) -> bool:
    if not scope.allows(practice.partnership_id):
        return False
    if scope.role in (Role.ADMIN, Role.COORDINATOR):
        return True
    return scope.role is Role.TRAINER and scope.user_id is not None and practice.author_id == scope.user_id


def _is_id(value: int | None) -> TypeGuard[int]:
    """A number some row could have (a crafted one beyond the columns is simply unknown)."""
    return value is not None and 0 < value <= MAX_ID


def _check(db: Session, scope: Scope, data: PracticeData) -> None:
    errors: dict[str, str] = {}
    if (
        not _is_id(data.partnership_id)
        or not scope.allows(data.partnership_id)
        or db.get(Partnership, data.partnership_id) is None
    ):
        errors["partnership_id"] = CHOOSE_PARTNERSHIP
    title = (data.title or "").strip()
    check_text(errors, "title", title, limits.TITLE)
    if not title and "title" not in errors:
        errors["title"] = "Vul een titel in."
    check_text(errors, "text", data.text, limits.DESCRIPTION, multiline=True)
    if not (data.text or "").strip() and "text" not in errors:
        errors["text"] = "Beschrijf de good practice."
    if data.training_id is not None:
        training = db.get(Training, data.training_id) if _is_id(data.training_id) else None
        if training is None or not scope.allows(training.partnership_id):
            errors["training_id"] = "Kies een training uit de lijst."
        elif "partnership_id" not in errors and training.partnership_id != data.partnership_id:
            errors["training_id"] = "Deze training hoort niet bij het gekozen partnerschap."
    if data.safeguard_id is not None:
        current = _is_id(data.safeguard_id) and db.scalar(
            select(Safeguard.id)
            .join(Framework, Framework.id == Safeguard.framework_id)
            .where(Safeguard.id == data.safeguard_id, Framework.is_current.is_(True))
        )
        if not current:
            errors["safeguard_id"] = "Kies een waarborg uit de lijst."
    if errors:
        raise ValidationError(errors)


def _apply(practice: GoodPractice, data: PracticeData) -> None:
    assert data.partnership_id is not None  # validated
    practice.partnership_id = data.partnership_id
    practice.title = data.title.strip()
    practice.text = data.text.strip()
    practice.training_id = data.training_id
    practice.safeguard_id = data.safeguard_id


def create_practice(db: Session, scope: Scope, data: PracticeData) -> GoodPractice:
    if scope.role not in WRITERS:
        raise Forbidden()
    _check(db, scope, data)
    practice = GoodPractice(author_id=scope.user_id)
    _apply(practice, data)
    db.add(practice)
    db.flush()
    return practice


def get_practice(db: Session, scope: Scope, practice_id: int, *, edit: bool = False) -> GoodPractice:
    practice = db.get(GoodPractice, practice_id)
    if practice is None:
        raise NotFound()
    if edit and not may_edit(scope, practice):
        raise Forbidden()
    if scope.role not in READERS or not scope.allows(practice.partnership_id):
        raise Forbidden()
    return practice


def update_practice(db: Session, scope: Scope, practice_id: int, data: PracticeData) -> GoodPractice:
    practice = get_practice(db, scope, practice_id, edit=True)
    _check(db, scope, data)
    _apply(practice, data)
    if not may_edit(scope, practice):  # a trainer cannot move his own out of reach, nor anyone's
        raise ValidationError({"partnership_id": CHOOSE_PARTNERSHIP})
    db.flush()
    return practice


def delete_practice(db: Session, scope: Scope, practice_id: int) -> str:
    practice = get_practice(db, scope, practice_id, edit=True)
    title = practice.title
    db.delete(practice)
    db.flush()
    return title


# ================================================================ the list


@dataclass
class PracticeFilters:
    q: str = ""
    safeguard_id: int | None = None
    partnership_id: int | None = None
    mine: bool = False  # only the reader's own


@dataclass
class PracticeRow:
    practice: GoodPractice
    may_edit: bool


def _filtered(scope: Scope, f: PracticeFilters) -> Select:
    stmt = scope.filter(select(GoodPractice), GoodPractice.partnership_id)
    if f.partnership_id is not None:
        stmt = stmt.where(GoodPractice.partnership_id == f.partnership_id)
    if f.safeguard_id is not None:
        stmt = stmt.where(GoodPractice.safeguard_id == f.safeguard_id)
    if f.mine:
        stmt = stmt.where(GoodPractice.author_id == scope.user_id)
    for word in f.q.split()[:10]:
        # autoescape: a typed "%" or "_" is searched for, not a wildcard. Every word must occur.
        stmt = stmt.where(
            or_(
                GoodPractice.title.icontains(word, autoescape=True),
                GoodPractice.text.icontains(word, autoescape=True),
            )
        )
    return stmt


def list_practices(db: Session, scope: Scope, f: PracticeFilters, page: int = 1, page_size: int = 25) -> Page:
    """Good practices within scope, per safeguard (in the framework's order; without a safeguard
    last), newest first within each: two statements, whatever the data size."""
    if scope.role not in READERS:
        raise Forbidden()
    stmt = _filtered(scope, f)
    total = db.execute(select(func.count()).select_from(stmt.with_only_columns(GoodPractice.id).subquery())).scalar_one()
    page = clamp_page(page, total, page_size)
    practices = db.scalars(
        stmt.outerjoin(Safeguard, Safeguard.id == GoodPractice.safeguard_id)
        .options(
            joinedload(GoodPractice.safeguard),
            joinedload(GoodPractice.training),
            joinedload(GoodPractice.partnership),
            joinedload(GoodPractice.author),
        )
        .order_by(
            Safeguard.position.is_(None),
            Safeguard.position,
            GoodPractice.created_at.desc(),
            GoodPractice.id.desc(),
        )
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return Page([PracticeRow(p, may_edit(scope, p)) for p in practices], total, page, page_size)


def training_choices(db: Session, scope: Scope) -> list[tuple[int, str, str]]:
    """Active trainings within scope: (id, title, partnership name)."""
    return [
        tuple(row)
        for row in db.execute(
            scope.filter(
                select(Training.id, Training.title, Partnership.name).join(
                    Partnership, Partnership.id == Training.partnership_id
                ),
                Training.partnership_id,
            )
            .where(Training.active.is_(True))
            .order_by(Training.title, Partnership.name)
        )
    ]


def by_safeguard(rows: list[PracticeRow]) -> list[tuple[Safeguard | None, list[PracticeRow]]]:
    """A page's rows grouped by safeguard, in the list's order."""
    groups: list[tuple[Safeguard | None, list[PracticeRow]]] = []
    for row in rows:
        if not groups or groups[-1][0] is not row.practice.safeguard:
            groups.append((row.practice.safeguard, []))
        groups[-1][1].append(row)
    return groups
