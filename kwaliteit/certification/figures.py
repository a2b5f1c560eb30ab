"""Register figures for the dashboard: certified mentors (a valid basic certificate on `today`)
per board and per school, and the register's counts. Derived like the flags (certification.flags);
the mentors are read once, grouped per board and school, for both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from kwaliteit.certification.flags import (
    RegisterCounts,
    RegisterFilters,
    _mentor_base,
    _require_reader,
    mentor_count_columns,
    register_counts,
)
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


def mentor_figures(
    db: Session, scope: Scope, filters: RegisterFilters, today: date
) -> tuple[RegisterCounts, CertifiedFigures]:
    """The register's counts (certification.flags.register_counts) and the certified mentors per
    board and school, with one pass over the mentors: one GROUP BY per (board, school), whose
    rows add up to the mentors' counts, then the trainers and certificates (three statements)."""
    _require_reader(scope)
    m = _mentor_base(scope, filters, today, materialized=True)
    board, school = aliased(Organisation, name="board_o"), aliased(Organisation, name="school_o")
    counts = mentor_count_columns(m)
    rows = db.execute(
        select(
            m.c.board_id,
            board.name,
            m.c.school_id,
            school.name,
            Partnership.name,
            func.count(case((m.c.basic_valid == 1, 1))),
            *counts,
        )
        .select_from(m)
        .outerjoin(board, board.id == m.c.board_id)
        .outerjoin(school, school.id == m.c.school_id)
        .join(Partnership, Partnership.id == m.c.partnership_id)
        .group_by(m.c.board_id, board.name, m.c.school_id, school.name, Partnership.name)
        .order_by(
            Partnership.name, board.name.is_(None), board.name, m.c.board_id, school.name, m.c.school_id
        )
    ).all()
    totals = [sum(int(row[6 + i]) for row in rows) for i in range(len(counts))]
    boards: dict[int, Certified] = {}
    schools = []
    for board_id, board_name, school_id, school_name, partnership_name, certified, mentors, *_ in rows:
        # Mentors at an institute belong to no school or board: in the counts, not in these lists.
        if board_id is not None:
            b = boards.setdefault(board_id, Certified(board_id, board_name, partnership_name, None))
            b.mentors += int(mentors)
            b.certified += int(certified)
        if school_id is not None:
            schools.append(
                Certified(school_id, school_name, partnership_name, board_name, int(mentors), int(certified))
            )
    register = register_counts(db, scope, filters, today, mentor_row=totals)
    return register, CertifiedFigures(list(boards.values()), schools)
