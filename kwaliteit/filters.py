"""Jinja filters for Dutch formatting."""
from __future__ import annotations

from datetime import date, datetime, time

from flask import Flask

from kwaliteit import limits
from kwaliteit.forms import option_labels

MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december"]


def nl_date(value: date | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def nl_time(value: time | None) -> str:
    return "" if value is None else value.strftime("%H:%M")


def nl_datetime(value: datetime | None) -> str:
    """A moment in Dutch time: "22 november 2026 13:00"."""
    if value is None:
        return ""
    from datetime import UTC

    from kwaliteit.clock import TIMEZONE

    # SQLite gives stored moments back without a zone: they are UTC.
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(TIMEZONE)
    return f"{nl_date(local.date())} {local.strftime('%H:%M')}"


def nl_number(value, digits: int = 1) -> str:
    """A number with a decimal comma and always `digits` decimals: 4,0 beside 4,1, never "4"."""
    if value is None:
        return ""
    return f"{float(value):.{digits}f}".replace(".", ",")


def combine(a: dict, b: dict) -> dict:
    return {**a, **b}


def init_app(app: Flask) -> None:
    # Templates take text limits from the one definition (e.g. maxlength="{{ limits.REASON }}").
    app.jinja_env.globals["limits"] = limits
    app.add_template_filter(combine)
    app.add_template_filter(option_labels)
    app.add_template_filter(nl_date)
    app.add_template_filter(nl_time)
    app.add_template_filter(nl_datetime)
    app.add_template_filter(nl_number)
