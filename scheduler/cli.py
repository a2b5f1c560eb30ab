"""`flask --app wsgi scheduler run | tick`."""
from __future__ import annotations

import signal
import sys
from datetime import date

import click
from flask import Flask, current_app

# Exit code of a tick that found another scheduler (or tick) holding the lock: it ran nothing.
EXIT_LOCKED = 3


def parse_day(text: str) -> date:
    """The --today of `scheduler tick` and `retention`: a date within the bounds every date of the
    application keeps (a typed 2062 for 2026 would anonymise every person past retention)."""
    from kwaliteit.clock import today
    from kwaliteit.validation import check_date_bounds

    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(
            f"'{text}' is geen datum; gebruik JJJJ-MM-DD, bijvoorbeeld 2026-11-22.", param_hint="--today"
        ) from None
    if message := check_date_bounds(day, today()):
        raise click.BadParameter(f"'{text}': {message}", param_hint="--today")
    return day


def _stop(_signum, _frame):
    """Ctrl-C or SIGTERM: unwind the scheduler, which lets running jobs finish and releases the
    lock. Further signals are ignored meanwhile (`make run` sends SIGTERM after the terminal's
    SIGINT), so the clean-up is not cut short."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def init_cli(app: Flask) -> None:
    @app.cli.group("scheduler")
    def scheduler_group():
        """The scheduler: timed jobs (review cycles, reminders, retention, clean-up)."""

    @scheduler_group.command("run")
    def run_cmd():
        """Run the scheduler in this process until Ctrl-C or SIGTERM. Only one runs at a time: a
        second one waits until the first stops. Never start it inside a web worker."""
        from scheduler.runner import run_forever

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        try:
            run_forever(current_app._get_current_object())
        except KeyboardInterrupt:
            pass

    @scheduler_group.command("tick")
    @click.option("--today", "today_text", default=None, metavar="YYYY-MM-DD",
                  help="The reference date (default: today).")
    def tick_cmd(today_text):
        """Run every job once for a date, then stop (for cron instead of `run`, and for tests).
        Exit code 1 when a job failed (the others still ran), 3 when another scheduler or tick
        holds the lock (nothing ran)."""
        from kwaliteit.clock import now, today
        from scheduler.jobs import run_all
        from scheduler.lock import Heartbeat, make_lock, settings

        reference = today() if today_text is None else parse_day(today_text)
        app = current_app._get_current_object()
        lock = make_lock(app)
        if not lock.try_acquire():
            holder = lock.holder() or "houder onbekend"
            lock.release()
            click.echo(f"Er draait al een planner of een andere tick ({holder}); deze tick doet niets.",
                       err=True)
            sys.exit(EXIT_LOCKED)
        heartbeat = Heartbeat(lock, settings(app).heartbeat_seconds, on_lost=lambda: None).start()
        try:
            failed = run_all(app, reference, now(), keep_going=lambda: not heartbeat.lost)
        finally:
            heartbeat.stop()
            lock.release()
        if failed:
            click.echo(f"Taken voor {reference.isoformat()} mislukt: {', '.join(failed)} (zie het log).",
                       err=True)
            sys.exit(1)
        click.echo(f"Alle taken uitgevoerd voor {reference.isoformat()}.")
