"""The partnership calendar of the review cycle: one definition of the defaults, the calendar
of a partnership with the defaults filled in, and the due dates of a school year.

Dates within the school year are month and day ("MM-DD"); a school year runs 1 August – 31 July,
so "10-01" of school year 2026 is 1 October 2026 and "07-01" is 1 July 2027.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.orm import Session

from kwaliteit.cycles.models import CycleCalendar


@dataclass(frozen=True)
class Calendar:
    opens: str  # MM-DD: the cycles of a school year open on this day
    plan_due: str
    check_due: str
    act_due: str
    peer_review_years: int
    last_peer_review: date | None = None


DEFAULTS = Calendar(opens="08-01", plan_due="10-01", check_due="07-01", act_due="07-31", peer_review_years=6)

# The calendar's month-day fields, in school-year order: each must come after the one before.
DAY_FIELDS = ("opens", "plan_due", "check_due", "act_due")


def from_row(row: CycleCalendar | None) -> Calendar:
    """The calendar of a stored row (None: no row), an empty column taking the default."""
    if row is None:
        return DEFAULTS
    return replace(
        DEFAULTS,
        opens=row.opens_on or DEFAULTS.opens,
        plan_due=row.plan_due or DEFAULTS.plan_due,
        check_due=row.check_due or DEFAULTS.check_due,
        act_due=row.act_due or DEFAULTS.act_due,
        peer_review_years=row.peer_review_years or DEFAULTS.peer_review_years,
        last_peer_review=row.last_peer_review,
    )


def calendar_for(db: Session, partnership_id: int) -> Calendar:
    return from_row(db.get(CycleCalendar, partnership_id))


def day_in_school_year(month_day: str, school_year: int) -> date:
    """The date of "MM-DD" in the school year that starts in August of `school_year`."""
    month, day = int(month_day[:2]), int(month_day[3:])
    return date(school_year if month >= 8 else school_year + 1, month, day)


@dataclass(frozen=True)
class DueDates:
    opens: date
    plan_due: date
    check_due: date
    act_due: date


def due_dates(calendar: Calendar, school_year: int) -> DueDates:
    return DueDates(*(day_in_school_year(getattr(calendar, name), school_year) for name in DAY_FIELDS))
