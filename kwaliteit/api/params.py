"""The API's input: query arguments and JSON bodies, strictly bounded.

The pages read query arguments through kwaliteit.args, where a malformed value silently gives the
default (a menu shows what it shows). An API client gets 400 instead, naming the argument: these
helpers call the same kwaliteit.args readers and refuse a value they did not accept.

Bodies are JSON objects only (415 for another type), at most MAX_BODY bytes (413), valid UTF-8
JSON without NaN or Infinity and without numbers of thousands of digits (400).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

from flask import current_app, request

from kwaliteit import args
from kwaliteit.api.errors import ApiError
from kwaliteit.scope import MAX_ID
from kwaliteit.validation import check_date_bounds

MAX_BODY = 64 * 1024  # bytes; the largest body (a training with its rationales) is far below it
MAX_PER_PAGE = 100
PAGE, PER_PAGE = "page", "per_page"


def _given(name: str) -> bool:
    return name in request.args


def _refuse(name: str, message: str):
    raise ApiError(400, f"Ongeldige waarde voor ‘{name}’.", {name: message})


def int_param(name: str, default: int | None = None, *, min: int = 0, max: int | None = None) -> int | None:
    value = args.int_arg(name, None, min=min, max=max)
    if value is None and _given(name):
        bound = f" van {min} tot en met {max}" if max is not None else f" vanaf {min}"
        _refuse(name, f"Geef een geheel getal{bound}.")
    return default if value is None else value


def id_param(name: str) -> int | None:
    return int_param(name, None, min=1, max=MAX_ID)


def choice_param(name: str, allowed: Iterable[str]) -> str | None:
    allowed = list(allowed)
    value = args.choice_arg(name, allowed)
    if value is None and _given(name):
        _refuse(name, "Kies uit: " + ", ".join(allowed) + ".")
    return value


def choices_param(name: str, allowed: Iterable[str]) -> list[str]:
    """A repeatable argument (?status=a&status=b); also one value with commas (?status=a,b)."""
    allowed = list(allowed)
    given = [part for value in request.args.getlist(name) for part in value.split(",")]
    if any(part not in allowed for part in given):
        _refuse(name, "Kies uit: " + ", ".join(allowed) + ".")
    return list(dict.fromkeys(given))


def text_param(name: str, max_length: int) -> str:
    value = request.args.get(name, "")
    if len(value) > max_length:
        _refuse(name, f"Hoogstens {max_length} tekens.")
    return value.strip()


def bool_param(name: str) -> bool | None:
    value = choice_param(name, ("true", "false"))
    return None if value is None else value == "true"


def date_param(name: str, today: date) -> date:
    """A date (jjjj-mm-dd) within the application's bounds, `today` when absent."""
    value = request.args.get(name)
    if value is None:
        return today
    try:
        if len(value) != 10:
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        _refuse(name, "Geef een datum als jjjj-mm-dd.")
    if message := check_date_bounds(day, today):
        _refuse(name, message)
    return day


def paging() -> tuple[int, int]:
    """(page, per_page): page 1 and the application's page size unless given."""
    page = int_param(PAGE, 1, min=1, max=args.MAX_PAGE)
    per_page = int_param(PER_PAGE, min(current_app.config["PAGE_SIZE"], MAX_PER_PAGE), min=1, max=MAX_PER_PAGE)
    assert page is not None and per_page is not None  # a number as the default: never None
    return page, per_page


# ---------------------------------------------------------------- bodies


def _no_constants(name: str):
    raise ValueError(name)


def json_body() -> dict:
    """The request's JSON object, or ApiError 413/415/400."""
    if request.mimetype != "application/json":
        raise ApiError(415)
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise ApiError(413, f"Het verzoek is te groot: hoogstens {MAX_BODY // 1024} kB.")
    raw = request.stream.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        raise ApiError(413, f"Het verzoek is te groot: hoogstens {MAX_BODY // 1024} kB.")
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError(400, "De inhoud is geen geldige JSON (UTF-8, zonder NaN of Infinity).") from None
    if not isinstance(data, dict):
        raise ApiError(400, "Stuur een JSON-object ({...}).")
    return data


class Fields:
    """Type checks of a body's properties, collecting one message per property (422)."""

    def __init__(self, data: dict, allowed: Iterable[str]):
        self.data = data
        self.errors: dict[str, str] = {}
        for key in data:
            if key not in set(allowed):
                self.errors[str(key)[:50]] = "Onbekend veld."

    def has(self, name: str) -> bool:
        return name in self.data

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.data.get(name)
        if value is None:
            if required:
                self.errors[name] = "Dit veld is verplicht."
            return None
        if not isinstance(value, str):
            self.errors[name] = "Geef een tekst."
            return None
        return value

    def number(self, name: str, *, required: bool = False) -> str | None:
        """A number as text for a form field (JSON numbers and numeric strings alike)."""
        value = self.data.get(name)
        if value is None:
            if required:
                self.errors[name] = "Dit veld is verplicht."
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.errors[name] = "Geef een getal."
            return None
        return str(value)

    def integer(self, name: str, *, required: bool = False) -> int | None:
        value = self.data.get(name)
        if value is None:
            if required:
                self.errors[name] = "Dit veld is verplicht."
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.errors[name] = "Geef een geheel getal."
            return None
        return value

    def ids(self, name: str, *, required: bool = False) -> list[int] | None:
        value = self.data.get(name)
        if value is None:
            if required:
                self.errors[name] = "Dit veld is verplicht."
            return None
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and 0 < v <= MAX_ID for v in value
        ):
            self.errors[name] = "Geef een lijst van ids (gehele getallen vanaf 1)."
            return None
        if len(value) > 1000:
            self.errors[name] = "Hoogstens 1000 ids."
            return None
        return list(dict.fromkeys(value))

    def check(self) -> None:
        if self.errors:
            raise ApiError(422, None, self.errors)
