"""Errors that services raise for bad input, keyed by form field, so views can re-render; and the
checks every text passes before it is stored."""
from __future__ import annotations

import re
from datetime import date, timedelta

from kwaliteit.limits import too_long


class ValidationError(ValueError):
    def __init__(self, errors: dict[str, str] | str):
        if isinstance(errors, str):
            errors = {"": errors}
        self.errors = errors
        super().__init__("; ".join(errors.values()))


class Conflict(ValidationError):
    """Refused because of the state of what it acts on, not the input itself: a title another
    training has, an evaluation that is locked or already submitted. Pages treat it as any
    ValidationError; the API answers it with 409 instead of 422."""


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


# ---------------------------------------------------------------- texts

# Unicode category Cc is exactly U+0000-U+001F and U+007F-U+009F. PostgreSQL cannot store NUL at
# all, and no other control character is ever typed on purpose. Lone surrogates (category Cs)
# cannot be encoded as UTF-8, so they are refused as well. A multi-line text keeps tab, newline
# and carriage return (browsers send a textarea's line breaks as CR LF). The bidirectional
# overrides and isolates (U+202A-202E, U+2066-2069) are refused too: invisible, they make a name
# read differently from what it is ("Trojan source"); the plain marks U+200E/200F stay allowed.
# U+FFFE and U+FFFF are no characters at all (a byte-order mark read the wrong way round).
# The import reads files with the same definition.
_FORBIDDEN = "\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\ufffe\uffff"
FORBIDDEN_IN_TEXT = re.compile(f"[\x00-\x08\x0b\x0c{_FORBIDDEN}]")
FORBIDDEN_IN_LINE = re.compile(f"[\x00-\x0d{_FORBIDDEN}]")

CONTROL_CHARACTERS = "De tekst bevat ongeldige tekens (zoals een NUL-teken of een ander stuurteken)."
SINGLE_LINE = "De tekst mag geen tab, regeleinde of ander stuurteken bevatten."


def has_forbidden_characters(text: str, *, multiline: bool = False) -> bool:
    pattern = FORBIDDEN_IN_TEXT if multiline else FORBIDDEN_IN_LINE
    return pattern.search(text) is not None


def characters_error(text: str, *, multiline: bool = False) -> str | None:
    """The Dutch message for a text with characters that may not be stored, or None."""
    if has_forbidden_characters(text, multiline=True):
        return CONTROL_CHARACTERS
    if not multiline and has_forbidden_characters(text):
        return SINGLE_LINE  # only tabs or line breaks, in a one-line text
    return None


def text_error(text: str | None, limit: int, *, multiline: bool = False) -> str | None:
    """Why a text cannot be stored (forbidden characters, over its length limit), or None."""
    if text is None:
        return None
    if message := characters_error(text, multiline=multiline):
        return message
    if len(text) > limit:
        return too_long(limit)
    return None


def check_text(
    errors: dict[str, str], field: str, text: str | None, limit: int, *, multiline: bool = False
) -> None:
    """Add the field's message to `errors` when the text cannot be stored (first message wins)."""
    if field not in errors and (message := text_error(text, limit, multiline=multiline)):
        errors[field] = message


# ---------------------------------------------------------------- copies

COPY_SUFFIX = " (kopie)"


def copy_title(title: str, taken: set[str], limit: int) -> str:
    """The title of a copy: "Titel (kopie)", or "Titel (kopie 2)", "(kopie 3)"... when that is
    taken (`taken`: the titles in use, lowered). The original is cut so the suffix fits `limit`."""
    title = title.strip()
    n = 1
    while True:
        suffix = COPY_SUFFIX if n == 1 else f" (kopie {n})"
        candidate = title[: limit - len(suffix)].rstrip() + suffix
        if candidate.lower() not in taken:
            return candidate
        n += 1
