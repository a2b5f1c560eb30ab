"""The one place the edges read the clock; services get `today` as an argument."""
from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Europe/Amsterdam")


def today() -> date:
    from datetime import datetime

    return datetime.now(TIMEZONE).date()
