"""The partnership calendar of the review cycle: when cycles open and when the phases are due.

A calendar keeps month and day ("10-01"), so one calendar serves every school year (1 August –
31 July): a month from August on falls in the school year's first calendar year, January to July
in the second ("10-01" of school year 2026 is 1 October 2026, "07-01" is 1 July 2027). The
settings form lives elsewhere (the dossier); this module only reads the calendar.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kwaliteit.cycles.models import CycleCalendar

MONTH_DAY = re.compile(r"(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Calendar:
    opens_on: str = "08-01"
    plan_due: str = "10-01"
    check_due: str = "07-01"
    act_due: str = "07-31"
    peer_review_years: int = 6
    last_peer_review: date | None = None


DEFAULTS = Calendar()

# The calendar's month-day fields, in school-year order: each must come after the one before.
DAY_FIELDS = ("opens_on", "plan_due", "check_due", "act_due")


def parse_month_day(value: str) -> tuple[int, int]:
    """("10-01") -> (10, 1); ValueError for anything that is not a day of the year (29 February
    is one)."""
    match = MONTH_DAY.fullmatch(value or "")
    if not match:
        raise ValueError(value)
    month, day = int(match[1]), int(match[2])
    date(2024, month, day)  # a leap year: every real month-day is valid
    return month, day


def date_in_school_year(month_day: str, school_year: int) -> date:
    """The date of "MM-DD" within the school year that starts on 1 August of `school_year`.
    29 February becomes 28 February in a year without it (as kwaliteit.sqldates.plus_years)."""
    month, day = parse_month_day(month_day)
    year = school_year if month >= 8 else school_year + 1
    try:
        return date(year, month, day)
    except ValueError:
        return date(year, month, 28)


def from_row(row: CycleCalendar | None) -> Calendar:
    if row is None:
        return DEFAULTS
    values = {
        name: getattr(row, name)
        for name in ("opens_on", "plan_due", "check_due", "act_due", "peer_review_years", "last_peer_review")
        if getattr(row, name) is not None
    }
    calendar = replace(DEFAULTS, **values)
    # A stored value that is no day of the year (written around the form) falls back to the default.
    for name in ("opens_on", "plan_due", "check_due", "act_due"):
        try:
            parse_month_day(getattr(calendar, name))
        except ValueError:
            calendar = replace(calendar, **{name: getattr(DEFAULTS, name)})
    return calendar


def calendar_for(db: Session, partnership_id: int) -> Calendar:
    """The partnership's calendar; an empty column (or no row) is the default."""
    return from_row(db.get(CycleCalendar, partnership_id))


def calendars_for(db: Session, partnership_ids: Iterable[int]) -> dict[int, Calendar]:
    """The calendars of many partnerships in one statement."""
    ids = sorted(set(partnership_ids))
    if not ids:
        return {}
    rows = {r.partnership_id: r for r in db.scalars(select(CycleCalendar).where(CycleCalendar.partnership_id.in_(ids)))}
    return {pid: from_row(rows.get(pid)) for pid in ids}


@dataclass(frozen=True)
class DueDates:
    opens_on: date
    plan_due: date
    check_due: date
    act_due: date


def due_dates(calendar: Calendar, school_year: int) -> DueDates:
    """The calendar's concrete dates inside the school year `school_year` (1 August – 31 July)."""
    return DueDates(
        opens_on=date_in_school_year(calendar.opens_on, school_year),
        plan_due=date_in_school_year(calendar.plan_due, school_year),
        check_due=date_in_school_year(calendar.check_due, school_year),
        act_due=date_in_school_year(calendar.act_due, school_year),
    )


__all__ = [
    "DAY_FIELDS", "DEFAULTS", "Calendar", "DueDates", "calendar_for", "calendars_for", "date_in_school_year",
    "due_dates", "from_row",
]
