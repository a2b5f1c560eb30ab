"""The scheduler (scheduler/): `scheduler tick --today` over a school-year boundary, a second tick
the same day changing nothing, a failing job not stopping the others, a malformed date; the
single-instance lock (SQLite lease, PostgreSQL advisory lock), and two `scheduler run` processes
against the same database: one runs the jobs, the other waits and takes over when the first is
killed; the `make run` launcher."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from evaluaties.transfer.models import ImportDraft
from kwaliteit import db as kdb
from kwaliteit.certification.models import Mentorship, StudentKind
from kwaliteit.models import Base
from kwaliteit.notifications.models import SchedulerLock
from kwaliteit.registry.models import Person, PersonRole
from kwaliteit.registry.privacy import ANONYMOUS_NAME
from scheduler import jobs
from scheduler.launch import supervise
from scheduler.lock import AdvisoryLock, Heartbeat, LeaseLock, make_lock
from scheduler.runner import MISFIRE_GRACE_SECONDS, build_scheduler
from tests import factories
from tests.conftest import NOW, PG_URL, run_in_threads

ROOT = Path(__file__).resolve().parent.parent
# The jobs of the tests that look at retention and drafts alone; every job together (cycles,
# reminders over SMTP) is test_every_job_over_a_school_year_boundary_opens_cycles_once_and_mails_once.
TESTED_JOBS = ("retention", "cleanup_import_drafts")
ACTIVE = "Planner actief"
WAITING = "Er draait al een planner"


@pytest.fixture
def tested_jobs(monkeypatch):
    monkeypatch.setattr(jobs, "JOBS", [jobs.job_by_id(j) for j in TESTED_JOBS])


def _recorder(ran: list) -> jobs.Job:
    return jobs.Job("recorder", "Registreert", lambda today, _now: ran.append(today))


def _fresh(db) -> None:
    """Read what the tick committed in its own session: a new snapshot, no cached rows."""
    db.rollback()
    db.expire_all()


def _tick(app, *args):
    return app.test_cli_runner().invoke(args=["scheduler", "tick", *args])


def _snapshot(app) -> dict[str, list]:
    """Every row of every table, to compare before and after."""
    with kdb.engine_of(app).connect() as conn:
        return {
            t.name: sorted(tuple(map(repr, row)) for row in conn.execute(select(t)))
            for t in Base.metadata.sorted_tables
        }


def _mentor_until_july_2019(db, org) -> Person:
    """A mentor whose last activity is mentoring in school year 2018-2019 (until 31 July 2019):
    past the default 7 years' retention from 1 August 2026."""
    p = factories.person(db, org, PersonRole.MENTOR, name="Oude Mentor")
    p.created_at = datetime(2000, 1, 1, tzinfo=UTC)
    db.add(Mentorship(person=p, school_id=org.id, school_year=2018, student_kind=StudentKind.OTHER))
    db.flush()
    return p


def _draft(db, w, created_at: datetime) -> ImportDraft:
    d = ImportDraft(session_id=w.session1.id, user_id=w.coordinator.id, filename="antwoorden.csv",
                    content_hash="0" * 64, survey={}, created_at=created_at)
    db.add(d)
    db.flush()
    return d


# ------------------------------------------------------------------ tick


def test_tick_over_a_school_year_boundary_and_again_the_same_day(app, db, world, tested_jobs, caplog):
    caplog.set_level(logging.INFO, logger="scheduler")
    old = _mentor_until_july_2019(db, world.school1)
    # Drafts expire by the moment (the app's clock; FIXED_NOW in the tests), not by --today.
    stale = _draft(db, world, NOW - timedelta(hours=25))
    fresh = _draft(db, world, NOW - timedelta(hours=23))
    db.commit()
    old_id, stale_id, fresh_id = old.id, stale.id, fresh.id

    result = _tick(app, "--today", "2026-07-31")
    assert result.exit_code == 0, result.output
    assert "Alle taken uitgevoerd voor 2026-07-31" in result.output
    _fresh(db)
    assert db.get(Person, old_id).anonymised_at is None  # the last day of school year 2025-2026
    assert db.get(ImportDraft, stale_id) is None and db.get(ImportDraft, fresh_id) is not None

    result = _tick(app, "--today", "2026-08-01")
    assert result.exit_code == 0, result.output
    _fresh(db)
    assert db.get(Person, old_id).name == ANONYMOUS_NAME  # the first day of 2026-2027
    assert "Taak retention voor 2026-08-01 klaar" in caplog.text
    assert "1 personen geanonimiseerd" in caplog.text

    before = _snapshot(app)
    caplog.clear()
    result = _tick(app, "--today", "2026-08-01")
    assert result.exit_code == 0, result.output
    assert _snapshot(app) == before
    assert "0 personen geanonimiseerd" in caplog.text and "0 importconcepten verwijderd" in caplog.text
    # The lock is released after every tick.
    assert db.scalar(select(SchedulerLock.holder)) is None


def test_every_job_over_a_school_year_boundary_opens_cycles_once_and_mails_once(app, db, world, monkeypatch):
    """All jobs, with a real SMTP server on loopback: on 31 July a trainer is reminded of an
    evaluation due soon; on 1 August the year's cycles open; the reminder is not sent again, and a
    second tick on the same day changes nothing and sends nothing."""
    from kwaliteit.cycles.models import PartnershipCycle, ReviewCycle
    from tests.smtp import Server

    server = Server()
    server.start()
    try:
        for key, value in (("MAIL_SERVER", "127.0.0.1"), ("MAIL_PORT", server.port),
                           ("MAIL_FROM", "kwaliteit@example.org"), ("MAIL_SECURITY", "none")):
            monkeypatch.setitem(app.config, key, value)
        # Due 3 August: soon on 31 July.
        factories.session(db, world.training1, trainers=[world.trainer_person], on=date(2026, 7, 20))
        db.commit()

        result = _tick(app, "--today", "2026-07-31")
        assert result.exit_code == 0, result.output
        # The cycles of the school year of 31 July (2025-2026), which had none yet.
        assert set(db.scalars(select(ReviewCycle.school_year))) == {2025}
        trainer_mails = [e for e in server.inbox.messages if e.rcpt_tos == ["trainer@example.org"]]
        assert len(trainer_mails) == 1, server.inbox.subjects()
        sent = len(server.inbox.messages)  # also the coordinators' late 2025-2026 phases

        result = _tick(app, "--today", "2026-08-01")
        assert result.exit_code == 0, result.output
        _fresh(db)
        opened = db.execute(
            select(ReviewCycle.training_id, ReviewCycle.school_year).where(ReviewCycle.school_year == 2026)
        ).all()
        assert sorted(opened) == sorted([(world.training1.id, 2026), (world.training2.id, 2026)])
        assert set(db.execute(select(PartnershipCycle.partnership_id, PartnershipCycle.school_year))) == {
            (world.p1.id, 2025), (world.p2.id, 2025), (world.p1.id, 2026), (world.p2.id, 2026)
        }
        # Nothing is sent again: only what became due on 1 August (the 2025-2026 Act, due 31 July,
        # now late); the new cycles' first due date (Plan, 1 October) is not yet near.
        new = server.inbox.subjects()[sent:]
        assert new and all(s.startswith("Te laat: Act van de kwaliteitscyclus") for s in new), new
        assert len([e for e in server.inbox.messages if e.rcpt_tos == ["trainer@example.org"]]) == 1
        sent = len(server.inbox.messages)

        before = _snapshot(app)
        result = _tick(app, "--today", "2026-08-01")
        assert result.exit_code == 0, result.output
        assert _snapshot(app) == before
        assert len(server.inbox.messages) == sent
    finally:
        server.stop()


def test_tick_without_a_date_uses_the_apps_today(app, tested_jobs):
    result = _tick(app)
    assert result.exit_code == 0, result.output
    assert "2026-11-22" in result.output  # FIXED_TODAY of the tests


def test_a_failing_job_does_not_stop_the_others(app, db, world, monkeypatch, caplog):
    ran = []

    def broken(today, now):
        raise RuntimeError("kapot")

    def recorder(today, now):
        ran.append(today)
        return "genoteerd"

    stale_id = _draft(db, world, NOW - timedelta(days=3)).id
    db.commit()
    monkeypatch.setattr(jobs, "JOBS", [
        jobs.Job("broken", "Kapotte taak", broken),
        jobs.job_by_id("cleanup_import_drafts"),
        jobs.Job("broken_too", "Nog een kapotte taak", broken),
        jobs.Job("recorder", "Registreert", recorder),
    ])
    result = _tick(app, "--today", "2026-11-23")
    assert result.exit_code == 1
    assert "mislukt: broken, broken_too" in result.output
    assert ran == [date(2026, 11, 23)]
    _fresh(db)
    assert db.get(ImportDraft, stale_id) is None
    assert "RuntimeError: kapot" in caplog.text  # the traceback is in the log
    assert db.scalar(select(SchedulerLock.holder)) is None


@pytest.mark.parametrize(
    "bad", ["2026-13-01", "23-11-2026", "gisteren", "", "2026-02-30", "\x00", "9" * 5000]
)
def test_tick_refuses_a_malformed_date(app, monkeypatch, bad):
    ran = []
    monkeypatch.setattr(jobs, "JOBS", [_recorder(ran)])
    result = _tick(app, "--today", bad)
    assert result.exit_code == 2
    assert "JJJJ-MM-DD" in result.output and "geen datum" in result.output
    assert ran == []


def test_tick_refuses_while_another_holds_the_lock(app, monkeypatch):
    ran = []
    monkeypatch.setattr(jobs, "JOBS", [_recorder(ran)])
    other = make_lock(app)
    assert other.try_acquire()
    try:
        result = _tick(app, "--today", "2026-11-22")
        assert result.exit_code == 3
        assert "Er draait al een planner of een andere tick" in result.output
        assert "pid" in result.output
        assert ran == []
    finally:
        other.release()
    assert _tick(app, "--today", "2026-11-22").exit_code == 0
    assert ran == [date(2026, 11, 22)]


def test_the_scheduler_has_explicit_ids_and_the_agreed_defaults(app):
    scheduler = build_scheduler(app)
    scheduled = {j.id: j for j in scheduler.get_jobs()}
    assert set(scheduled) == {
        "open_cycles", "send_reminders", "retention", "cleanup_import_drafts", "purge_audit", "cleanup_throttles",
    }
    assert str(scheduler.timezone) == "Europe/Amsterdam"
    for job in scheduled.values():
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time == MISFIRE_GRACE_SECONDS
        assert str(job.trigger.timezone) == "Europe/Amsterdam"
    # Daily jobs at night; a missed run is caught up at start (next_run_time: now).
    assert str(scheduled["open_cycles"].trigger) == "cron[hour='1', minute='30']"
    assert str(scheduled["retention"].trigger) == "cron[hour='3', minute='15']"


# ------------------------------------------------------------------ the lock


def _age_lease(app, seconds: float) -> None:
    with kdb.engine_of(app).begin() as conn:
        aged = datetime.now(UTC) - timedelta(seconds=seconds)
        conn.execute(update(SchedulerLock).values(heartbeat_at=aged))


def test_the_lease_has_one_holder_and_is_free_once_it_expires(app):
    engine = kdb.engine_of(app)
    a, b = LeaseLock(engine, timedelta(seconds=60)), LeaseLock(engine, timedelta(seconds=60))
    assert a.try_acquire()
    assert not b.try_acquire()
    assert a.try_acquire() and a.renew()  # the holder may take it again
    assert a.me in b.holder()
    _age_lease(app, 59)
    assert not b.try_acquire()  # almost expired is not expired
    _age_lease(app, 61)
    assert b.try_acquire()
    assert not a.renew()  # a has lost it and knows
    a.release()  # releases only its own
    assert not a.try_acquire()
    b.release()
    assert a.try_acquire()
    a.release()


@pytest.mark.parametrize("stale_row", [False, True])
def test_of_many_processes_taking_the_lease_at_once_one_wins(app, stale_row):
    if stale_row:
        with kdb.engine_of(app).begin() as conn:
            conn.execute(SchedulerLock.__table__.insert().values(
                name="scheduler", holder="gestopt", heartbeat_at=datetime.now(UTC) - timedelta(hours=1)))
    locks = [LeaseLock(kdb.engine_of(app), timedelta(seconds=60)) for _ in range(6)]
    won = []
    run_in_threads(*[lambda lock=lock: won.append(lock.try_acquire()) for lock in locks])
    assert sorted(won) == [False] * 5 + [True]


def test_the_heartbeat_renews_the_lease_and_reports_its_loss(app):
    engine = kdb.engine_of(app)
    mine, thief = LeaseLock(engine, timedelta(seconds=1)), LeaseLock(engine, timedelta(seconds=1))
    assert mine.try_acquire()
    lost = []
    beat = Heartbeat(mine, 0.1, on_lost=lambda: lost.append(True)).start()
    try:
        time.sleep(1.5)
        assert not thief.try_acquire()  # renewed: still alive after more than a lease
        assert not lost
        _age_lease(app, 5)
        assert thief.try_acquire()
        deadline = time.monotonic() + 5
        while not lost and time.monotonic() < deadline:
            time.sleep(0.05)
        assert lost == [True] and beat.lost
    finally:
        beat.stop()
        thief.release()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL advisory lock")
def test_the_advisory_lock_has_one_holder_per_schema(app):
    url = app.config["DATABASE_URL"]
    assert isinstance(make_lock(app), AdvisoryLock)
    a, b, elsewhere = AdvisoryLock(url), AdvisoryLock(url), AdvisoryLock(PG_URL)
    try:
        assert a.try_acquire()
        assert not b.try_acquire()
        assert a.me in b.holder() and "PostgreSQL-proces" in b.holder()
        assert a.renew()
        # Another schema (another app, another test run) has a lock of its own.
        assert elsewhere.try_acquire()
        a.release()
        assert b.try_acquire()
        assert not a.renew()
    finally:
        for lock in (a, b, elsewhere):
            lock.release()


# ------------------------------------------------------------------ two scheduler processes


class _Scheduler:
    """`flask --app wsgi scheduler run` in a process of its own, its log in a file."""

    def __init__(self, tmp_path: Path, name: str, env: dict):
        self.log = tmp_path / f"{name}.log"
        self._fh = open(self.log, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"],
            stdout=self._fh, stderr=subprocess.STDOUT, cwd=ROOT, env=env,
        )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._fh.close()


def _wait_until(condition, timeout: float, what: str, procs=()) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            logs = "\n---\n".join(p.text()[-3000:] for p in procs)
            raise AssertionError(f"timed out waiting for {what}:\n{logs}")
        time.sleep(0.05)


def test_two_schedulers_one_runs_the_jobs_the_other_waits_and_takes_over(app, db, world, tmp_path):
    postgres = app.config["DATABASE_URL"].startswith("postgresql")
    old_id = _mentor_until_july_2019(db, world.school1).id
    db.commit()
    env = {
        **os.environ,
        "KWALITEIT_DATABASE_URL": app.config["DATABASE_URL"],
        "KWALITEIT_SECRET_KEY": "scheduler-test",
        "KWALITEIT_FIXED_TODAY": "2026-11-22",
        "KWALITEIT_LOG_LEVEL": "INFO",
        # SQLite: a killed holder blocks for the lease (2 s). PostgreSQL needs no lease: with 60 s
        # a take-over within seconds shows that the lock went with the killed process.
        "KWALITEIT_SCHEDULER_LEASE_SECONDS": "60" if postgres else "2",
        "KWALITEIT_SCHEDULER_POLL_SECONDS": "0.1",
    }
    a, b = _Scheduler(tmp_path, "a", env), _Scheduler(tmp_path, "b", env)
    try:
        _wait_until(lambda: ACTIVE in a.text() or ACTIVE in b.text(), 60, "a scheduler to start", (a, b))
        first, second = (a, b) if ACTIVE in a.text() else (b, a)
        _wait_until(lambda: WAITING in second.text(), 60, "the second to wait", (a, b))
        # The jobs run side by side (a thread each): wait for the one whose effect is checked.
        _wait_until(lambda: "Taak retention voor 2026-11-22 klaar" in first.text(), 30,
                    "the first to run its jobs", (a, b))
        assert "1 personen geanonimiseerd" in first.text()
        time.sleep(1)  # several polls and (SQLite) heartbeats: the second keeps waiting
        assert ACTIVE not in second.text() and "Taak" not in second.text()
        assert first.proc.poll() is None and second.proc.poll() is None

        killed = time.monotonic()
        first.proc.send_signal(signal.SIGKILL)  # no clean-up: the lock must free itself
        first.proc.wait()
        _wait_until(lambda: ACTIVE in second.text(), 30, "the second to take over", (a, b))
        took = time.monotonic() - killed
        if postgres:
            assert took < 10, took  # at once, not after the lease
        else:
            assert took >= 1.0, took  # not before the lease (2 s since the last heartbeat)
        _wait_until(lambda: "Taak retention voor 2026-11-22 klaar" in second.text(), 30,
                    "the second to run the jobs", (a, b))
        assert "0 personen geanonimiseerd" in second.text()  # the first did it already

        second.proc.send_signal(signal.SIGTERM)
        assert second.proc.wait(30) == 0
        assert "Planner gestopt" in second.text()
    finally:
        a.stop()
        b.stop()
    _fresh(db)
    assert db.get(Person, old_id).name == ANONYMOUS_NAME
    # A clean stop releases the lease at once (the killed first left its row, now taken over).
    assert db.scalar(select(SchedulerLock.holder)) is None


# ------------------------------------------------------------------ make run


def _sleeper(pidfile: Path) -> list[str]:
    code = "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(60)"
    return [sys.executable, "-c", code, str(pidfile)]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_launcher_stops_the_other_when_one_stops(tmp_path):
    started = time.monotonic()
    # The second stops once the first has started (wrote its pid), so the test never races it.
    stops = (
        "import pathlib, sys, time; p = pathlib.Path(sys.argv[1]); deadline = time.monotonic() + 30\n"
        "while not (p.exists() and p.read_text()) and time.monotonic() < deadline: time.sleep(0.01)\n"
        "sys.exit(4)"
    )
    code = supervise([_sleeper(tmp_path / "web.pid"), [sys.executable, "-c", stops, str(tmp_path / "web.pid")]],
                     poll=0.05)
    assert code == 4
    assert time.monotonic() - started < 30
    pid = int((tmp_path / "web.pid").read_text())
    assert not _alive(pid)


def test_the_launcher_stops_both_on_sigterm(tmp_path):
    script = (
        "import sys; from scheduler.launch import supervise; "
        "sys.exit(supervise([{a}, {b}], poll=0.05))"
    ).format(a=_sleeper(tmp_path / "a.pid"), b=_sleeper(tmp_path / "b.pid"))
    launcher = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    try:
        files = [tmp_path / "a.pid", tmp_path / "b.pid"]
        _wait_until(lambda: all(f.exists() and f.read_text() for f in files), 30, "both children")
        pids = [int(f.read_text()) for f in files]
        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(30) == 0
        _wait_until(lambda: not any(_alive(p) for p in pids), 10, "both children to stop")
    finally:
        if launcher.poll() is None:
            launcher.kill()



@pytest.mark.parametrize("far", ["9999-12-31", "0001-01-01", "2062-11-22", "2009-12-31"])
def test_tick_refuses_a_date_out_of_bounds(app, monkeypatch, far):
    ran = []
    monkeypatch.setattr(jobs, "JOBS", [_recorder(ran)])
    result = _tick(app, "--today", far)
    assert result.exit_code == 2 and "Kies een datum" in result.output
    assert ran == []
