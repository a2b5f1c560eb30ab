"""`scheduler run`: wait for the single-instance lock, then run a BlockingScheduler with the jobs
until stopped; when the lock is lost, stop the jobs and wait for it again."""
from __future__ import annotations

import logging
import time
from datetime import datetime
from functools import partial

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask
from sqlalchemy.exc import DBAPIError

from kwaliteit import clock
from scheduler import jobs as registry
from scheduler.lock import Heartbeat, Lock, make_lock, settings

log = logging.getLogger(__name__)

# A run that starts up to an hour late (the process was busy or briefly down) still runs; later
# than that, the next run catches up anyway (every job works from the state as of today).
MISFIRE_GRACE_SECONDS = 3600


def _scheduled(app: Flask, job: registry.Job) -> None:
    with app.app_context():
        today, now = clock.today(), clock.now()
    registry.run_job(app, job, today, now)


def build_scheduler(app: Flask) -> BlockingScheduler:
    """Every job of the registry by its explicit id, in Europe/Amsterdam, one instance at a time,
    missed runs coalesced into one. Each also runs once at start: catching up after downtime."""
    scheduler = BlockingScheduler(timezone=clock.TIMEZONE)
    start = datetime.now(clock.TIMEZONE)
    for job in registry.JOBS:
        scheduler.add_job(
            _scheduled,
            CronTrigger(timezone=clock.TIMEZONE, **job.cron),
            args=(app, job),
            id=job.id,
            name=job.title,
            next_run_time=start,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
        )
    return scheduler


def _try(lock: Lock) -> bool:
    try:
        return lock.try_acquire()
    except DBAPIError:
        # SQLite busy for longer than its time-out, or the database briefly away: try again.
        log.warning("Planner: het slot kon niet worden gecontroleerd; later opnieuw.", exc_info=True)
        return False


def _wait_for(lock: Lock, poll_seconds: float) -> None:
    announced = False
    while not _try(lock):
        if not announced:
            try:
                holder = lock.holder() or "houder onbekend"
            except DBAPIError:
                holder = "houder onbekend"
            log.warning(
                "Er draait al een planner (%s). Deze planner wacht tot die stopt en neemt het dan over.",
                holder,
            )
            announced = True
        time.sleep(poll_seconds)


def run_forever(app: Flask) -> None:
    """Blocks until interrupted (Ctrl-C, SIGTERM); always releases the lock on the way out."""
    cfg = settings(app)
    lock = make_lock(app)
    try:
        while True:
            _wait_for(lock, cfg.poll_seconds)
            log.info("Planner actief (%s); taken: %s.", lock.me, ", ".join(j.id for j in registry.JOBS))
            scheduler = build_scheduler(app)
            # On a lost lock: stop, letting running jobs finish, before anyone else may start them.
            heartbeat = Heartbeat(
                lock, cfg.heartbeat_seconds, on_lost=partial(scheduler.shutdown, wait=True)
            )
            heartbeat.start()
            try:
                scheduler.start()
            finally:
                heartbeat.stop()
                if scheduler.running:
                    scheduler.shutdown(wait=True)
            if not heartbeat.lost:
                return
    finally:
        lock.release()
        log.info("Planner gestopt (%s).", lock.me)
