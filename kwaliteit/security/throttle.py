"""Throttles: count events per subject (an account, a client address) in a window, and refuse the
subject for a while once it reached the limit.

The counts live in the database (table `throttle`), so they hold across gunicorn workers and app
instances that share it. Counting is one INSERT ... ON CONFLICT DO UPDATE (atomic on SQLite and
PostgreSQL: two workers never lose a hit), and the lock is set by a conditional UPDATE, so exactly
one request learns that it started a lock-out (`Hit.newly_locked`: one notice per lock-out).

A store is the small interface behind it (`Store`): `DatabaseStore` is the one shipped. A larger
set-up could plug in a store on Redis (INCR with EXPIRE, SET NX for the lock) by returning it from
`store_for`; nothing else would change.

Services take `now`; subjects are hashed, so no e-mail or IP address is stored.
"""

from __future__ import annotations

import functools
import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import bindparam, case, delete, null, or_, select, update
from sqlalchemy.orm import Session

from kwaliteit.db import conflict_insert, rowcount
from kwaliteit.models_base import Timestamp
from kwaliteit.security.models import ThrottleCounter


@dataclass(frozen=True)
class Rule:
    """`limit` hits in `window` lock the subject out for `lockout` from the hit that reached the
    limit (None: until the window ends, a plain rate limit)."""

    name: str
    limit: int
    window: timedelta
    lockout: timedelta | None = None


@dataclass(frozen=True)
class Hit:
    hits: int
    locked_until: datetime | None
    newly_locked: bool  # this hit started the lock-out


def aware(moment: datetime | None) -> datetime | None:
    """Moments come back naive from SQLite; they are stored in UTC."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def retry_after(until: datetime, now: datetime) -> int:
    """Whole seconds until `until` (at least 1), for the Retry-After header."""
    return max(1, math.ceil((until - now).total_seconds()))


def key_for(rule: Rule, subject: str) -> str:
    digest = hashlib.sha256(subject.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{rule.name}:{digest}"


class Store(Protocol):
    def locked_until(self, key: str, now: datetime) -> datetime | None: ...

    def hit(self, key: str, rule: Rule, now: datetime) -> Hit: ...

    def reset(self, key: str) -> None: ...

    def cleanup(self, now: datetime, horizon: timedelta) -> int: ...


@functools.cache
def _hit_statement(dialect: str):
    """The counter's upsert, with the key and the moments as parameters: built once per dialect
    and process, not per hit (it is on the path of every anonymous answer, where building it cost
    more CPU than running it)."""
    t = ThrottleCounter.__table__
    now = bindparam("now", type_=Timestamp)
    # A window that has passed starts again with this hit; a lock that has passed is cleared.
    # The SET expressions all read the row as it was (SQLite and PostgreSQL alike).
    ended = t.c.window_start <= bindparam("window_began", type_=Timestamp)
    return (
        conflict_insert(dialect, t)
        .values(key=bindparam("key"), window_start=now, hits=1, locked_until=None)
        .on_conflict_do_update(
            index_elements=["key"],
            set_={
                "hits": case((ended, 1), else_=t.c.hits + 1),
                "window_start": case((ended, now), else_=t.c.window_start),
                "locked_until": case((t.c.locked_until <= now, null()), else_=t.c.locked_until),
            },
        )
        .returning(t.c.hits, t.c.window_start, t.c.locked_until)
    )


class DatabaseStore:
    """The counters in the application's database, in the caller's transaction."""

    def __init__(self, db: Session):
        self.db = db

    def locked_until(self, key: str, now: datetime) -> datetime | None:
        until = self.db.scalar(
            select(ThrottleCounter.locked_until).where(
                ThrottleCounter.key == key, ThrottleCounter.locked_until > now
            )
        )
        return aware(until)

    def hit(self, key: str, rule: Rule, now: datetime) -> Hit:
        hits, window_start, locked = self.db.execute(
            _hit_statement(self.db.get_bind().dialect.name),
            {"key": key, "now": now, "window_began": now - rule.window},
        ).one()
        locked = aware(locked)
        if hits < rule.limit or locked is not None:
            return Hit(hits, locked, False)
        start = aware(window_start) or now
        until = now + rule.lockout if rule.lockout is not None else start + rule.window
        # Conditional: of two hits that both reached the limit, one starts the lock-out.
        newly = rowcount(self.db.execute(
            update(ThrottleCounter)
            .where(
                ThrottleCounter.key == key,
                or_(ThrottleCounter.locked_until.is_(None), ThrottleCounter.locked_until <= now),
            )
            .values(locked_until=until)
            .execution_options(synchronize_session=False)
        ))
        if newly != 1:
            until = self.locked_until(key, now) or until
        return Hit(hits, until, newly == 1)

    def reset(self, key: str) -> None:
        self.db.execute(
            delete(ThrottleCounter).where(ThrottleCounter.key == key).execution_options(synchronize_session=False)
        )

    def cleanup(self, now: datetime, horizon: timedelta) -> int:
        """Delete counters whose window began before `now - horizon` and that lock nothing."""
        return rowcount(self.db.execute(
            delete(ThrottleCounter)
            .where(
                ThrottleCounter.window_start < now - horizon,
                or_(ThrottleCounter.locked_until.is_(None), ThrottleCounter.locked_until <= now),
            )
            .execution_options(synchronize_session=False)
        ))


def store_for(db: Session) -> Store:
    """The store of the counters: the database's (the place where another store would plug in)."""
    return DatabaseStore(db)


def _utc(now: datetime) -> datetime:
    # Stored moments are UTC: SQLite compares them as text.
    return now.astimezone(UTC)


def check(db: Session, rule: Rule, subject: str, now: datetime) -> int | None:
    """Seconds until `subject` may try again under `rule`, or None when it may now."""
    now = _utc(now)
    until = store_for(db).locked_until(key_for(rule, subject), now)
    return retry_after(until, now) if until is not None else None


def locked_until(db: Session, rule: Rule, subject: str, now: datetime) -> datetime | None:
    now = _utc(now)
    return store_for(db).locked_until(key_for(rule, subject), now)


def hit(db: Session, rule: Rule, subject: str, now: datetime) -> Hit:
    """Count one event of `subject`; the result says whether it is (newly) locked out."""
    return store_for(db).hit(key_for(rule, subject), rule, _utc(now))


def reset(db: Session, rule: Rule, subject: str) -> None:
    store_for(db).reset(key_for(rule, subject))


# Counters older than this are of no use to any rule (the longest window and lock-out is shorter).
CLEANUP_HORIZON = timedelta(days=1)


def cleanup(db: Session, now: datetime) -> int:
    """Delete counters that no longer count or lock anything (the scheduler calls it hourly)."""
    return store_for(db).cleanup(_utc(now), CLEANUP_HORIZON)
