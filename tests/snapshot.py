"""A database snapshot for modules that run many tests against one expensive world.

The authorization matrix runs some two thousand requests against the same world. Building that
world for every case (and logging in again) cost minutes per database; instead a module builds it
once, takes a Snapshot, and puts it back after every test that wrote to the database. Most cases
only read (a GET, or a POST that is refused), so most need no restore at all.
"""
from __future__ import annotations

from sqlalchemy import event, text

from kwaliteit import db as kdb
from kwaliteit.models import Base

# Statements that cannot change a row. Anything else (INSERT, UPDATE, DELETE, upserts, DDL) marks
# the database as written, so an unknown kind of statement errs on the side of a restore.
_READ_ONLY = ("SELECT", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SHOW", "SET ")


class Snapshot:
    def __init__(self, app):
        self.engine = kdb.engine_of(app)
        self.tables = [t.name for t in Base.metadata.sorted_tables]
        self.written = False
        self._memory = None
        self._take()
        event.listen(self.engine, "before_cursor_execute", self._watch)

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._watch)
        if self._memory is not None:
            self._memory.close()
        else:
            with self.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {self._schema} CASCADE"))

    def _watch(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith(_READ_ONLY):
            self.written = True

    def restore_if_written(self) -> None:
        if not self.written:
            return
        from evaluaties.questionnaires.services import forget_published_versions

        forget_published_versions()  # a version the test made may have an id that comes again
        if self.engine.dialect.name == "sqlite":
            self._copy_sqlite(into_memory=False)
        else:
            self._restore_postgresql()
        self.written = False

    # SQLite: the online backup API copies every page, into memory and back (a few milliseconds).
    def _take(self) -> None:
        if self.engine.dialect.name == "sqlite":
            import sqlite3

            self._memory = sqlite3.connect(":memory:", check_same_thread=False)
            self._copy_sqlite(into_memory=True)
            return
        # PostgreSQL: a copy of every table in a schema beside the test schema.
        with self.engine.begin() as conn:
            current = conn.execute(text("SELECT current_schema()")).scalar_one()
            self._schema = f"{current}_snapshot"
            conn.execute(text(f"DROP SCHEMA IF EXISTS {self._schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {self._schema}"))
            for name in self.tables:
                conn.execute(text(f'CREATE TABLE {self._schema}."{name}" AS SELECT * FROM "{name}"'))

    def _copy_sqlite(self, into_memory: bool) -> None:
        raw = self.engine.raw_connection()
        try:
            live = raw.driver_connection
            if into_memory:
                live.backup(self._memory)
            else:
                self._memory.backup(live)
        finally:
            raw.close()

    def _restore_postgresql(self) -> None:
        # Children first out, parents first in; sequences keep counting up, so new rows never take
        # an id of the snapshot.
        with self.engine.begin() as conn:
            for name in reversed(self.tables):
                conn.execute(text(f'DELETE FROM "{name}"'))
            for name in self.tables:
                conn.execute(text(f'INSERT INTO "{name}" SELECT * FROM {self._schema}."{name}"'))
