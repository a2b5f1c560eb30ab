"""The single-instance lock: one scheduler (or one `scheduler tick`) runs jobs at a time, however
often it is started, on however many machines.

- PostgreSQL: a session-level advisory lock (pg_try_advisory_lock) on a connection of its own,
  held for the life of the process. The server releases it the moment that connection ends (the
  process stops, is killed, or loses the network), so a waiting scheduler takes over at once.
  The key is derived from the database and schema, so two apps (or test runs) in different
  schemas of one database never block each other.
- SQLite: a lease in the scheduler_lock table (holder, heartbeat_at). The holder renews it by a
  heartbeat; a lease whose heartbeat is older than the lease time is free. It is taken by one
  conditional UPDATE (free or already mine), else an INSERT of the row, in one IMMEDIATE
  transaction: of two processes only one can win. A killed holder leaves its row behind; the
  lease then expires.

Times of the lease are the machine's real clock (UTC), never the app's FIXED_NOW: a lease is about
processes, not about the day the app thinks it is.
"""
from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import create_engine, insert, or_, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.pool import NullPool

from kwaliteit import db as kdb
from kwaliteit.config import PREFIX
from kwaliteit.notifications.models import SchedulerLock

log = logging.getLogger(__name__)

LOCK_NAME = "scheduler"
HOLDER_LENGTH = 200


@dataclass(frozen=True)
class Settings:
    # SQLite: a lease not renewed for this long is free. Also how long a killed scheduler blocks.
    lease_seconds: float = 120.0
    # How often a waiting scheduler tries to take the lock.
    poll_seconds: float = 15.0

    @property
    def heartbeat_seconds(self) -> float:
        # Four renewals per lease: a slow write or two does not cost the lease.
        return self.lease_seconds / 4


def _number(app: Flask, key: str, default: float) -> float:
    raw = app.config.get(key)
    if raw is None:
        raw = os.environ.get(PREFIX + key)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{PREFIX}{key}={raw!r} is geen getal (seconden).") from None
    if not 0 < value <= 86400:
        raise ValueError(f"{PREFIX}{key}={raw!r}: kies een aantal seconden tussen 0 en 86400.")
    return value


def settings(app: Flask) -> Settings:
    """KWALITEIT_SCHEDULER_LEASE_SECONDS and KWALITEIT_SCHEDULER_POLL_SECONDS (or the same keys in
    the app config, which win)."""
    return Settings(
        lease_seconds=_number(app, "SCHEDULER_LEASE_SECONDS", Settings.lease_seconds),
        poll_seconds=_number(app, "SCHEDULER_POLL_SECONDS", Settings.poll_seconds),
    )


def holder_id() -> str:
    """This process, recognisably: host and pid, plus a random part (a pid is reused)."""
    return f"{socket.gethostname()} pid {os.getpid()} {uuid.uuid4().hex[:8]}"[:HOLDER_LENGTH]


def _wall_now() -> datetime:
    return datetime.now(UTC)


class Lock:
    """try_acquire() → bool; renew() → False once the lock is lost; release(); holder() describes
    who has it (for the message of the process that waits)."""

    me: str

    def try_acquire(self) -> bool:
        raise NotImplementedError

    def renew(self) -> bool:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError

    def holder(self) -> str | None:
        raise NotImplementedError


class LeaseLock(Lock):
    """The scheduler_lock row as a lease (SQLite; works on any database)."""

    def __init__(self, engine: Engine, lease: timedelta, name: str = LOCK_NAME):
        # IMMEDIATE: take SQLite's write lock at BEGIN, so the UPDATE-or-INSERT is one step.
        self.engine = engine.execution_options(sqlite_begin="IMMEDIATE")
        self.lease = lease
        self.name = name
        self.me = holder_id()
        self.table = SchedulerLock.__table__

    def try_acquire(self) -> bool:
        t = self.table
        now = _wall_now()
        with self.engine.begin() as conn:
            taken = conn.execute(
                update(t)
                .where(t.c.name == self.name, or_(t.c.holder == self.me, t.c.heartbeat_at < now - self.lease))
                .values(holder=self.me, heartbeat_at=now)
            ).rowcount
            if taken:
                return True
            try:
                with conn.begin_nested():
                    conn.execute(insert(t).values(name=self.name, holder=self.me, heartbeat_at=now))
            except IntegrityError:
                return False  # the row is there and its lease is alive: someone else holds it
            return True

    def renew(self) -> bool:
        t = self.table
        with self.engine.begin() as conn:
            return bool(
                conn.execute(
                    update(t)
                    .where(t.c.name == self.name, t.c.holder == self.me)
                    .values(heartbeat_at=_wall_now())
                ).rowcount
            )

    def release(self) -> None:
        t = self.table
        with self.engine.begin() as conn:
            conn.execute(t.delete().where(t.c.name == self.name, t.c.holder == self.me))

    def holder(self) -> str | None:
        t = self.table
        with self.engine.connect() as conn:
            row = conn.execute(select(t.c.holder, t.c.heartbeat_at).where(t.c.name == self.name)).first()
        if row is None:
            return None
        return f"{row.holder}, laatste hartslag {row.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC"


class AdvisoryLock(Lock):
    """A PostgreSQL session-level advisory lock on a connection of its own (no pool: the
    connection, and with it the lock, lives exactly as long as this object holds it)."""

    def __init__(self, url: str, name: str = LOCK_NAME):
        # TCP keepalives: a holder cut off from the server notices (renew fails) within about a
        # minute, about when the server drops its session and so the lock.
        self.engine = create_engine(
            url, poolclass=NullPool,
            connect_args={
                "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3
            },
        )
        self.name = name
        self.me = holder_id()
        self.conn: Connection | None = None
        self.key: int | None = None
        self.held = False

    def _connect(self) -> Connection:
        if self.conn is None:
            conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            # The holder's description, for whoever waits (pg_stat_activity.application_name).
            conn.execute(text("SELECT set_config('application_name', :n, false)"),
                         {"n": f"kwaliteit-scheduler {self.me}"[:63]})
            where = conn.execute(text("SELECT current_database(), current_schema()")).one()
            digest = hashlib.sha256(f"kwaliteit:{self.name}:{where[0]}:{where[1]}".encode()).digest()
            self.key = int.from_bytes(digest[:8], "big", signed=True)
            self.conn = conn
        return self.conn

    def _drop(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except DBAPIError:  # pragma: no cover - the connection is gone already
                pass
        self.conn = None
        self.held = False

    def try_acquire(self) -> bool:
        try:
            conn = self._connect()
            self.held = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar())
        except DBAPIError:
            # The server went away while we waited: a new connection next time.
            log.warning("Planner: geen verbinding met de database; later opnieuw.", exc_info=True)
            self._drop()
            return False
        return self.held

    def renew(self) -> bool:
        """The lock lives as long as its connection: check that the connection does."""
        if not self.held or self.conn is None:
            return False
        try:
            self.conn.execute(text("SELECT 1"))
        except DBAPIError:
            self._drop()
            return False
        return True

    def release(self) -> None:
        if self.held and self.conn is not None:
            try:
                self.conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
            except DBAPIError:  # pragma: no cover - closing the connection releases it anyway
                pass
        self._drop()
        self.engine.dispose()

    def holder(self) -> str | None:
        # An advisory lock on a bigint key shows in pg_locks as classid (high half), objid (low half).
        key = self.key or 0
        unsigned = key & 0xFFFFFFFFFFFFFFFF
        try:
            conn = self._connect()
            row = conn.execute(
                text(
                    "SELECT a.application_name, a.pid FROM pg_locks l "
                    "JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
                    "AND l.classid = CAST(:hi AS oid) AND l.objid = CAST(:lo AS oid) "
                    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                ),
                {"hi": unsigned >> 32, "lo": unsigned & 0xFFFFFFFF},
            ).first()
        except DBAPIError:
            self._drop()
            return None
        if row is None:
            return None
        return f"{row.application_name or 'onbekend'} (PostgreSQL-proces {row.pid})"


def make_lock(app: Flask) -> Lock:
    url = app.config["DATABASE_URL"]
    if url.startswith("postgresql"):
        return AdvisoryLock(url)
    return LeaseLock(kdb.engine_of(app), timedelta(seconds=settings(app).lease_seconds))


class Heartbeat:
    """Renews the lock every `interval` seconds in a thread of its own (not a job: a busy job
    pool must not cost the lease). Calls `on_lost` once when the lock turns out to be gone."""

    def __init__(self, lock: Lock, interval: float, on_lost: Callable[[], None]):
        self.lock = lock
        self.interval = interval
        self.on_lost = on_lost
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduler-heartbeat", daemon=True)

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        # No time-out: after a lost lock the thread is stopping the scheduler, which waits for
        # the running jobs; nobody else may run them meanwhile.
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                alive = self.lock.renew()
            except DBAPIError:
                # SQLite busy for longer than its timeout (a long job writing): try again soon; the
                # lease outlasts several missed beats.
                log.warning("Planner: hartslag mislukt; volgende poging over %.0f s.", self.interval,
                            exc_info=True)
                continue
            if not alive:
                self.lost = True
                log.error("Planner: het slot is kwijt (een ander proces heeft het); de taken stoppen.")
                self.on_lost()
                return
