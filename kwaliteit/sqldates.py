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


class add_years(FunctionElement):
    """date + n years (n may be a column). 29 February becomes 28 February in a year without it,
    on both databases and in Python's `plus_years`, so that a boundary never differs by one day."""

    type = Date()
    inherit_cache = True
    name = "add_years"


@compiles(add_years)
def _add_years_default(element, compiler, **kw):
    d, n = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST({d} + make_interval(years => {n}) AS DATE)"


@compiles(add_years, "sqlite")
def _add_years_sqlite(element, compiler, **kw):
    d, n = (compiler.process(c, **kw) for c in element.clauses)
    # SQLite rolls 29 February over to 1 March; step back a day in that one case.
    moved = f"date({d}, printf('%+d years', {n}))"
    return (
        f"(CASE WHEN strftime('%m-%d', {d}) = '02-29' AND strftime('%m-%d', {moved}) = '03-01' "
        f"THEN date({moved}, '-1 day') ELSE {moved} END)"
    )


def plus_years(d: date, years: int) -> date:
    """Python's twin of add_years."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February in a year without it
        return d.replace(year=d.year + years, day=28)
