"""The one place the edges (views, CLI, jobs) read the clock; services get `today` as an argument.

`FIXED_TODAY` in the app config (KWALITEIT_FIXED_TODAY, an ISO date) pins the date, for tests
and for a demo that should look the same on any day. `FIXED_NOW` (KWALITEIT_FIXED_NOW, an ISO
moment with a time zone) pins the moment, for tests of what expires by the hour. Production
leaves both unset.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

TIMEZONE = ZoneInfo("Europe/Amsterdam")


def today() -> date:
    if has_app_context() and (fixed := current_app.config.get("FIXED_TODAY")):
        return fixed if isinstance(fixed, date) else date.fromisoformat(fixed)
    return datetime.now(TIMEZONE).date()


def now() -> datetime:
    """The current moment (UTC), for what expires by the hour, such as an invitation link.
    Not pinned by FIXED_TODAY (a demo's link made now must stay valid for its real seven days),
    only by FIXED_NOW."""
    if has_app_context() and (fixed := current_app.config.get("FIXED_NOW")):
        moment = fixed if isinstance(fixed, datetime) else datetime.fromisoformat(fixed)
        return moment.astimezone(UTC)
    return datetime.now(UTC)
