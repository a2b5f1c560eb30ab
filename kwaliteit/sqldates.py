"""Portable date arithmetic in SQL, so that date-derived status is computed by the database.

`add_days(date, n)` and `school_year(date)` compile for SQLite and PostgreSQL.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, case, extract
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class add_days(FunctionElement):
    """date + n days (n may be a column)."""

    type = Date()
    inherit_cache = True
    name = "add_days"


@compiles(add_days)
def _add_days_default(element, compiler, **kw):
    d, n = list(element.clauses)
    return f"({compiler.process(d, **kw)} + {compiler.process(n, **kw)})"


@compiles(add_days, "sqlite")
def _add_days_sqlite(element, compiler, **kw):
    d, n = list(element.clauses)
    return f"date({compiler.process(d, **kw)}, printf('%+d days', {compiler.process(n, **kw)}))"


def school_year(column):
    """The starting calendar year of the school year (1 August – 31 July) of a date column."""
    year = extract("year", column)
    return case((extract("month", column) >= 8, year), else_=year - 1).cast(Integer)


def school_year_of(d: date) -> int:
    return d.year if d.month >= 8 else d.year - 1


def school_year_label(start_year: int) -> str:
    return f"{start_year}-{start_year + 1}"


def school_year_bounds(start_year: int) -> tuple[date, date]:
    return date(start_year, 8, 1), date(start_year + 1, 7, 31)
