"""TEMPORARY stand-ins for what the "hardening" branch adds (kwaliteit.limits, kwaliteit.args,
kwaliteit.pagination, kwaliteit.validation.check_text), with the same names and signatures.
When that branch is on main, import from there and delete this module."""

from __future__ import annotations

import re

from flask import request

from kwaliteit.trainings.services import Page  # noqa: F401  (kwaliteit.pagination.Page)

NAME = 200
EMAIL = 254
PASSWORD = 200
SEARCH = 100

_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def too_long(limit: int) -> str:
    return f"Hoogstens {limit} tekens."


def text_error(text: str | None, limit: int, *, multiline: bool = False) -> str | None:
    if text is None:
        return None
    if _FORBIDDEN.search(text):
        return "De tekst bevat ongeldige tekens (zoals een NUL-teken of een ander stuurteken)."
    if len(text) > limit:
        return too_long(limit)
    return None


def check_text(
    errors: dict[str, str], field: str, text: str | None, limit: int, *, multiline: bool = False
) -> None:
    if field not in errors and (message := text_error(text, limit, multiline=multiline)):
        errors[field] = message


def int_arg(name: str, default: int | None = None, *, min: int = 0, max: int | None = None) -> int | None:
    value = request.args.get(name, "")
    if not (0 < len(value) <= 18 and value.isascii() and value.isdigit()):
        return default
    number = int(value)
    if number < min or (max is not None and number > max):
        return default
    return number


def id_arg(name: str) -> int | None:
    return int_arg(name, None, min=1)


def page_arg() -> int:
    return int_arg("pagina", 1, min=1, max=1_000_000)


def text_arg(name: str, max_length: int, default: str = "") -> str:
    return request.args.get(name, default).strip()[:max_length]


def choice_arg(name: str, allowed, default: str | None = None) -> str | None:
    value = request.args.get(name)
    return value if value is not None and value in set(allowed) else default


def clamp_page(page: int, total: int, page_size: int) -> int:
    return max(1, min(page, max(1, -(-total // page_size))))
