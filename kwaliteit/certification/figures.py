"""Register figures for the dashboard: certified mentors (a valid basic certificate on `today`)
per board and per school. Derived like the flags (certification.flags), in one statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from kwaliteit.certification.flags import RegisterFilters, _mentor_base, _require_reader
from kwaliteit.registry.models import Organisation, Partnership
from kwaliteit.scope import Scope


@dataclass
class Certified:
    """Mentors of a board or school, and how many of them hold a valid basic certificate."""

    id: int
    name: str
    partnership_name: str
    board_name: str | None  # a school's board
    mentors: int = 0
    certified: int = 0

    @property
    def share(self) -> float | None:
        return self.certified / self.mentors if self.mentors else None


@dataclass
class CertifiedFigures:
    boards: list[Certified]  # by partnership and name; a board counts its schools' mentors and its own
    schools: list[Certified]  # by partnership, board and name (a school without a board last)


def certified_mentors(db: Session, scope: Scope, filters: RegisterFilters, today: date) -> CertifiedFigures:
    """Mentors and certified mentors per (board, school) in one GROUP BY; the boards' figures are
    the sums of their schools' and of the mentors who work at the board itself. Mentors at an
    institute belong to no school or board and are left out."""
    _require_reader(scope)
    m = _mentor_base(scope, filters, today)
    board, school = aliased(Organisation, name="board_o"), aliased(Organisation, name="school_o")
    rows = db.execute(
        select(
            m.c.board_id,
            board.name,
            m.c.school_id,
            school.name,
            Partnership.name,
            func.count(),
            func.count(case((m.c.basic_valid == 1, 1))),
        )
        .select_from(m)
        .outerjoin(board, board.id == m.c.board_id)
        .outerjoin(school, school.id == m.c.school_id)
        .join(Partnership, Partnership.id == m.c.partnership_id)
        .where((m.c.board_id.is_not(None)) | (m.c.school_id.is_not(None)))
        .group_by(m.c.board_id, board.name, m.c.school_id, school.name, Partnership.name)
        .order_by(
            Partnership.name, board.name.is_(None), board.name, m.c.board_id, school.name, m.c.school_id
        )
    ).all()
    boards: dict[int, Certified] = {}
    schools = []
    for board_id, board_name, school_id, school_name, partnership_name, mentors, certified in rows:
        if board_id is not None:
            b = boards.setdefault(board_id, Certified(board_id, board_name, partnership_name, None))
            b.mentors += int(mentors)
            b.certified += int(certified)
        if school_id is not None:
            schools.append(
                Certified(school_id, school_name, partnership_name, board_name, int(mentors), int(certified))
            )
    return CertifiedFigures(list(boards.values()), schools)
