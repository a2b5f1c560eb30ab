"""Errors that services raise for bad input, keyed by form field, so views can re-render."""
from __future__ import annotations

from datetime import date, timedelta


class ValidationError(ValueError):
    def __init__(self, errors: dict[str, str] | str):
        if isinstance(errors, str):
            errors = {"": errors}
        self.errors = errors
        super().__init__("; ".join(errors.values()))


# Dates earlier than this are typing errors, not history this application keeps.
EARLIEST_DATE = date(2010, 8, 1)
MAX_YEARS_AHEAD = 3


def check_date_bounds(value: date, today: date) -> str | None:
    latest = today + timedelta(days=365 * MAX_YEARS_AHEAD)
    if value < EARLIEST_DATE:
        return f"Kies een datum na {EARLIEST_DATE:%d-%m-%Y}."
    if value > latest:
        return f"Kies een datum vóór {latest:%d-%m-%Y} (hoogstens {MAX_YEARS_AHEAD} jaar vooruit)."
    return None
