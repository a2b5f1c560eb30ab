"""The notice e-mail to an account whose log-in was locked out: queued in the outbox in the same
transaction as the lock (its key names the lock-out, so it is queued once), never in a weekly
digest, and sent at once by the request after its commit; when that fails, the scheduler's
delivery retries it."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app, render_template
from sqlalchemy.orm import Session

from kwaliteit.accounts.models import User
from kwaliteit.filters import nl_datetime
from kwaliteit.mail import MailError, MailSettings
from kwaliteit.notifications import outbox

log = logging.getLogger(__name__)

LOCKOUT_KIND = "security-lockout"


def queue_lockout_notice(db: Session, user: User, until: datetime, address: str) -> str | None:
    """Queue the notice; returns its outbox key (None when it was queued before)."""
    key = f"{LOCKOUT_KIND}:user {user.id}:{until.isoformat()}"
    context = {"user": user, "until": nl_datetime(until), "address": address}
    queued = outbox.queue(
        db,
        key,
        LOCKOUT_KIND,
        user,
        "Inloggen op je account tijdelijk geblokkeerd",
        render_template("mail/lockout.txt", **context),
        render_template("mail/lockout.html", **context),
        digestible=False,
    )
    return key if queued else None


def send_now(db: Session, key: str, now: datetime) -> None:
    """Deliver this one queued message now (after the commit that queued it). A failure is logged
    and left to the scheduler's delivery; the request goes on."""
    try:
        settings = MailSettings.from_config(current_app.config)
    except MailError as exc:
        log.warning("Mailinstellingen onjuist: %s", exc)
        return
    report = outbox.deliver(db, now, settings, keys=[key])
    if report.failed:
        log.warning("Melding %s niet meteen verstuurd; de planner probeert het opnieuw", key)
