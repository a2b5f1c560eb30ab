"""The jobs: thin functions that open a session, call a service with `today` (and `now`), commit
and say what they did. Each works from the state as of `today` (what is owed and not yet done),
never from "since the last run": a run missed during downtime is caught up by the next one, and a
second run the same day finds nothing left to do.

JOBS is the registry: `scheduler run` schedules each by its cron fields (Europe/Amsterdam) and
`scheduler tick` runs each once. A job that raises is logged and the others still run.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import Flask, current_app

from kwaliteit import db as kdb

log = logging.getLogger(__name__)


def _count(result) -> str:
    """What a service returned, as a number for the log (a list of ids, a count, or nothing)."""
    if isinstance(result, int) and not isinstance(result, bool):
        return str(result)
    try:
        return str(len(result))
    except TypeError:
        return "-"


def open_cycles(today: date, now: datetime) -> str:
    """Open the review cycles of the trainings and the partnership cycles that are due by `today`
    (each partnership's opening date, default 1 August); a cycle that exists is left alone."""
    from kwaliteit.cycles.partnership import open_partnership_cycles
    from kwaliteit.cycles.services import open_cycles as open_training_cycles

    with kdb.new_session() as s:
        opened = open_training_cycles(s, today)
        partnerships = open_partnership_cycles(s, today)
        s.commit()
    return f"{_count(opened)} cycli geopend, {_count(partnerships)} partnerschapscycli"


def send_reminders(today: date, now: datetime) -> str:
    """Queue every reminder owed on `today` (the outbox's unique keys drop what was queued before),
    then deliver what is due in the outbox. Queued reminders are committed before delivery, so a
    crash while sending loses nothing and sends nothing twice. Without SMTP settings the mail is
    kept in the outbox (and logged); a broken setting fails this job, not the others."""
    from kwaliteit.mail import MailSettings
    from kwaliteit.notifications.outbox import deliver
    from kwaliteit.notifications.reminders import queue_reminders

    settings = MailSettings.from_config(current_app.config)
    with kdb.new_session() as s:
        queued = queue_reminders(s, today)
        s.commit()
        report = deliver(s, now, settings)
        s.commit()
    return (
        f"{_count(queued)} herinneringen klaargezet, {report.sent} verstuurd, {report.failed} mislukt, "
        f"{report.held} bewaard"
    )


def retention(today: date, now: datetime) -> str:
    """Anonymise every person past the retention period on `today` (AVG)."""
    from kwaliteit.registry.privacy import apply_retention

    with kdb.new_session() as s:
        ids = apply_retention(s, today, now)
        s.commit()
    return f"{len(ids)} personen geanonimiseerd"


def cleanup_import_drafts(today: date, now: datetime) -> str:
    """Delete abandoned import drafts (older than their lifetime, a day): they hold answers of a
    file nobody confirmed."""
    from evaluaties.transfer.importing import delete_expired_drafts

    with kdb.new_session() as s:
        deleted = delete_expired_drafts(s, now)
        s.commit()
    return f"{deleted} importconcepten verwijderd"


def purge_audit(today: date, now: datetime) -> str:
    """Delete audit log entries older than KWALITEIT_AUDIT_RETENTION_DAYS before `today`."""
    from kwaliteit.audit.services import purge

    with kdb.new_session() as s:
        deleted = purge(s, today, int(current_app.config["AUDIT_RETENTION_DAYS"]))
        s.commit()
    return f"{deleted} logboekregels verwijderd"


def cleanup_throttles(today: date, now: datetime) -> str:
    """Delete log-in and rate-limit counters that no longer count or lock anything."""
    from kwaliteit.security.throttle import cleanup

    with kdb.new_session() as s:
        deleted = cleanup(s, now)
        s.commit()
    return f"{deleted} tellers verwijderd"


@dataclass(frozen=True)
class Job:
    id: str
    title: str
    func: Callable[[date, datetime], str]
    # APScheduler CronTrigger fields, in Europe/Amsterdam.
    cron: dict = field(default_factory=dict)


JOBS: list[Job] = [
    # Daily: the service opens what is due by today, so a missed 1 August is caught up on the 2nd.
    Job("open_cycles", "Kwaliteitscycli openen", open_cycles, {"hour": 1, "minute": 30}),
    # Often: queueing is idempotent, and delivery retries failed mail with back-off.
    Job("send_reminders", "Herinneringen versturen", send_reminders, {"minute": "*/15"}),
    Job("retention", "Bewaartermijn toepassen", retention, {"hour": 3, "minute": 15}),
    Job("cleanup_import_drafts", "Verlopen importconcepten opruimen", cleanup_import_drafts, {"minute": 45}),
    Job("purge_audit", "Oude logboekregels verwijderen", purge_audit, {"hour": 3, "minute": 40}),
    Job("cleanup_throttles", "Verlopen inlog- en snelheidstellers opruimen", cleanup_throttles, {"minute": 50}),
]


def job_by_id(job_id: str) -> Job:
    for job in JOBS:
        if job.id == job_id:
            return job
    raise KeyError(job_id)


def run_job(app: Flask, job: Job, today: date, now: datetime) -> bool:
    """Run one job in an app context of its own. An exception is logged (with its traceback) and
    reported as False; it never reaches the caller, so the other jobs still run."""
    started = time.monotonic()
    from kwaliteit.audit.models import Actor
    from kwaliteit.audit.recording import acting_as

    with app.app_context(), acting_as(Actor.SCHEDULER):
        try:
            summary = job.func(today, now)
        except Exception:
            log.exception("Taak %s (%s) voor %s mislukt.", job.id, job.title, today.isoformat())
            return False
    elapsed = time.monotonic() - started
    log.info("Taak %s voor %s klaar in %.1f s: %s.", job.id, today.isoformat(), elapsed, summary)
    return True


def run_all(
    app: Flask,
    today: date,
    now: datetime,
    jobs: Sequence[Job] | None = None,
    keep_going: Callable[[], bool] = lambda: True,
) -> list[str]:
    """Run every job once for `today`, in order; returns the ids of those that failed or did not
    run (because `keep_going` said stop: the lock was lost)."""
    failed: list[str] = []
    for job in JOBS if jobs is None else jobs:
        if not keep_going():
            log.error("Taak %s niet uitgevoerd: het slot van de planner is kwijt.", job.id)
            failed.append(job.id)
        elif not run_job(app, job, today, now):
            failed.append(job.id)
    return failed
