"""Database: declarative base, engine and the per-request session.

Services take a `Session` argument; only the edges (views, CLI, jobs) obtain one here.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, ClassVar, cast

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import MetaData, Table, create_engine, event, insert, make_url
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

# Named constraints let Alembic's SQLite batch mode alter and drop them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    if TYPE_CHECKING:
        # Every model is mapped to one Table (none to a join or a select); SQLAlchemy types
        # __table__ as any FromClause, which has no insert(), delete() or Column columns.
        __table__: ClassVar[Table]


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            # The driver's own transaction handling would defer BEGIN; we want
            # SQLAlchemy to emit it so that locks are taken where we expect.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=15000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # pragma: no cover - trivial
            # A writing session begins IMMEDIATE: it takes the write lock up front, so two
            # writers queue on the busy timeout instead of one failing half-way (a deferred
            # transaction cannot upgrade a stale read snapshot). Readers stay DEFERRED and, in
            # WAL mode, never block anyone.
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    # No JIT: a page's statements are short, and PostgreSQL would compile a dashboard query whose
    # estimated cost (many correlated subqueries) passes jit_above_cost for longer than it runs.
    # Added to any options the URL gives (a search_path, say), which connect_args would replace.
    given = make_url(url).query.get("options")
    options = " ".join([*(given if isinstance(given, tuple) else [given] if given else []), "-c jit=off"])
    return create_engine(url, pool_pre_ping=True, connect_args={"options": options})


def rowcount(result: Result) -> int:
    """The rows an UPDATE or DELETE touched. Session.execute types its result as Result; for these
    statements it is a CursorResult, which has the count."""
    return cast(CursorResult, result).rowcount


def violates(exc: IntegrityError, constraint: str) -> bool:
    """Whether an IntegrityError is the violation of the named constraint or unique index.
    PostgreSQL names it in the diagnostics; SQLite in its message ("UNIQUE constraint failed:
    index 'uq_...'" for an index on an expression)."""
    diag = getattr(exc.orig, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return diag.constraint_name == constraint
    return constraint in str(exc.orig)


def flush_unique(db: Session, index: str, field: str, message: str) -> None:
    """Flush in a savepoint. When another transaction took the same value since the service
    checked (two saves at the same moment), the database's unique `index` refuses this one: that
    becomes a field error (a ValidationError: Conflict) instead of a 500, and the caller's transaction stays
    usable. Any other violation is still an error."""
    from kwaliteit.validation import Conflict

    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError as exc:
        if not violates(exc, index):
            raise
        raise Conflict({field: message}) from exc


# Requests with these methods only read; every other request may write.
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def conflict_insert(db: Session | str, table):
    """An INSERT of the session's dialect (or of the dialect named) that can say ON CONFLICT
    (SQLite and PostgreSQL both can): for writes that skip or update a row that exists, so that
    two requests or jobs at the same moment never fail on a key."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = db if isinstance(db, str) else db.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


def ensure_row(db: Session, model, **key):
    """The row of `model` with this primary key, made empty when missing: two first saves at
    once both find it, where a read-then-insert would fail one of them on the key."""
    db.execute(conflict_insert(db, model).values(**key).on_conflict_do_nothing())
    return db.get(model, tuple(key.values()) if len(key) > 1 else next(iter(key.values())))


def bulk_insert(db: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert many plain rows in the session's transaction, as cheaply as the database allows.

    PostgreSQL takes them with COPY: an executemany sends one INSERT per row, and for an import
    of 5,000 responses (some 40,000 answers) that is most of the time the write lock is held.
    Elsewhere (SQLite, in-process) executemany is already cheap.
    """
    if not rows:
        return
    connection = db.connection()
    if connection.dialect.name == "postgresql":
        names = ", ".join(columns)
        driver = connection.connection.driver_connection
        assert driver is not None  # a live connection has its driver's
        with driver.cursor() as cursor:
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    connection.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["kwaliteit.engine"] = engine
    app.extensions["kwaliteit.sessionmaker"] = {
        False: sessionmaker(engine, expire_on_commit=False),
        True: sessionmaker(engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False),
    }
    from kwaliteit.audit.recording import listen

    for factory in app.extensions["kwaliteit.sessionmaker"].values():
        listen(factory, app)

    @app.teardown_appcontext
    def _close_session(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def fresh_schema(url: str, schema: str) -> str:
    """A PostgreSQL schema made anew (dropped first, with all it holds) in the database of `url`,
    and the URL whose connections use it (their search path): for a test run or a benchmark of
    its own, beside whatever else the database holds."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine.dispose()
    return make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


def engine_of(app: Flask) -> Engine:
    return app.extensions["kwaliteit.engine"]


def engine() -> Engine:
    return engine_of(current_app)


def session() -> Session:
    """The session of the current request or CLI command (a CLI command may write)."""
    if "db_session" not in g:
        writes = not has_request_context() or request.method not in READ_ONLY_METHODS
        g.db_session = current_app.extensions["kwaliteit.sessionmaker"][writes]()
    return g.db_session


@contextmanager
def new_session(app: Flask | None = None, *, write: bool = True) -> Iterator[Session]:
    """A session of its own, for jobs and threads outside a request."""
    app = app or current_app
    with app.extensions["kwaliteit.sessionmaker"][write]() as s:
        yield s
