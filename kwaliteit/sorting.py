"""Sortable lists: ?sorteer=<column>&richting=op|af, read through kwaliteit.args.choice_arg.

Each list names its sortable columns in its service (a whitelist: key -> SQL expressions); any
other value, or none, gives the list's own default order, never an error. The order always ends
with the row's id, so pages never overlap or skip rows that tie.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kwaliteit.args import choice_arg

SORT = "sorteer"
DIRECTION = "richting"
UP, DOWN = "op", "af"

Columns = Mapping[str, Sequence]


@dataclass(frozen=True)
class Sort:
    """The column a list is sorted on (a key of its whitelist) and the direction."""

    column: str
    descending: bool = False
    # Asked for in the query string (filter forms then keep it), not the list's default.
    explicit: bool = False

    @property
    def aria(self) -> str:
        return "descending" if self.descending else "ascending"

    def order_by(self, columns: Columns) -> list:
        """ORDER BY expressions for this sort; [] when the column is not in the whitelist."""
        return [e.desc() if self.descending else e.asc() for e in columns.get(self.column, ())]


def sort_arg(columns: Iterable[str], default: str, descending: bool = False) -> Sort:
    """The sort asked for in the query string, or the list's default. Without a direction the
    column sorts ascending, as a first click on a column heading does."""
    column = choice_arg(SORT, columns)
    if column is None:
        return Sort(default, descending)
    return Sort(column, choice_arg(DIRECTION, (UP, DOWN), UP) == DOWN, explicit=True)
