"""Query-string arguments, read through one bounded helper.

A value that is not what the argument expects is simply invalid and gives the default: "²" or
"1e3" for a number, a number no column can hold, a page below 1, a choice that is not offered.
Pages above the last one are clamped by the services (kwaliteit.pagination), which know the total.

Control characters anywhere in the path or the query string are refused once for every route (see
`refuse_control_characters`): 400 with a Dutch error page, before any view runs, so no view and
no service ever sees them. Links this application builds never contain them.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import overload

from flask import Flask, abort, request

from kwaliteit.validation import ValidationError, check_date_bounds, has_forbidden_characters

# 18 digits always fit a signed 64-bit integer (the largest id and the largest number any
# column holds); longer digit strings are invalid without converting them.
MAX_DIGITS = 18
PAGE = "pagina"
# No list has this many pages; the bound keeps OFFSET arithmetic far from any overflow.
MAX_PAGE = 1_000_000

INVALID_QUERY = "De zoekopdracht bevat ongeldige tekens."
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
REFERENCE = "peildatum"
INVALID_PATH = "Het adres bevat ongeldige tekens."


def reference_arg(today: date) -> date:
    """The reference date (peildatum, jjjj-mm-dd) of the dashboard, the register and the dossier:
    `today` unless given. Unlike a list filter, a malformed or out-of-bounds date is not silently
    replaced: it raises ValidationError with a Dutch message, because figures "as of" a date the
    reader did not ask for would mislead."""
    value = request.args.get(REFERENCE, "").strip()
    if not value:
        return today
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError(value)
        reference = date.fromisoformat(value)
    except ValueError:
        raise ValidationError({REFERENCE: "Vul de peildatum in als datum (dd-mm-jjjj)."}) from None
    if message := check_date_bounds(reference, today):
        raise ValidationError({REFERENCE: f"Peildatum: {message}"})
    return reference


# With a number as the default the result is always a number; the overloads let callers rely on it.
@overload
def int_arg(name: str, default: int, *, min: int = 0, max: int | None = None) -> int: ...
@overload
def int_arg(name: str, default: None = None, *, min: int = 0, max: int | None = None) -> int | None: ...
def int_arg(name: str, default: int | None = None, *, min: int = 0, max: int | None = None) -> int | None:
    """A whole number of at most MAX_DIGITS ASCII digits within [min, max]; otherwise `default`."""
    value = request.args.get(name, "")
    if not (0 < len(value) <= MAX_DIGITS and value.isascii() and value.isdigit()):
        return default
    number = int(value)
    if number < min or (max is not None and number > max):
        return default
    return number


def id_arg(name: str) -> int | None:
    """An id (of a partnership, training, session...) to filter on, or None (also for an id no
    table can hold)."""
    from kwaliteit.scope import MAX_ID

    return int_arg(name, None, min=1, max=MAX_ID)


def page_arg() -> int:
    """The page number of a list: 1 when absent or invalid, at most MAX_PAGE. Services clamp it
    to the last page, so a page past the end shows the last one."""
    return min(int_arg(PAGE, 1, min=1), MAX_PAGE)


def text_arg(name: str, max_length: int, default: str = "") -> str:
    """A short text (a search box), stripped and cut to `max_length` characters."""
    return request.args.get(name, default).strip()[:max_length]


@overload
def choice_arg(name: str, allowed: Iterable[str], default: str) -> str: ...
@overload
def choice_arg(name: str, allowed: Iterable[str], default: None = None) -> str | None: ...
def choice_arg(name: str, allowed: Iterable[str], default: str | None = None) -> str | None:
    """One of the allowed values, or `default`."""
    value = request.args.get(name)
    return value if value is not None and value in set(allowed) else default


def choice_args(name: str, allowed: Iterable[str]) -> list[str]:
    """The allowed values among a repeated argument (?status=a&status=b), in order, once each."""
    allowed = set(allowed)
    return list(dict.fromkeys(v for v in request.args.getlist(name) if v in allowed))


def refuse_control_characters():
    """before_request: a query string with a control character (NUL, tab, newline...) anywhere,
    in a name or a value, is refused as a whole. Tab and newline too: no query argument is
    multi-line. So is a path with one (%00 in a participant's link token reached PostgreSQL, which
    refuses NUL in any text: a 500 for anyone, without logging in)."""
    if has_forbidden_characters(request.path):
        abort(400, description=INVALID_PATH)
    for key, values in request.args.lists():
        if has_forbidden_characters(key) or any(has_forbidden_characters(v) for v in values):
            abort(400, description=INVALID_QUERY)


def init_app(app: Flask) -> None:
    app.before_request(refuse_control_characters)
