"""Alembic environment. Run through `flask --app wsgi db ...`, which sets the database URL."""
from __future__ import annotations

import warnings
from contextlib import contextmanager, nullcontext

from alembic import context

from kwaliteit.db import make_engine
from kwaliteit.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    engine = make_engine(url)
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch mode rebuilds a table by DROP and RENAME; with foreign keys on, that DROP
            # would cascade into (delete) the rows that refer to it. The pragma only takes
            # effect outside a transaction, so it goes to the driver connection directly.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite cannot ALTER most things: batch mode copies the table instead.
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        quiet = _sqlite_expression_indexes() if connection.dialect.name == "sqlite" else nullcontext()
        with quiet, context.begin_transaction():
            context.run_migrations()
    engine.dispose()


@contextmanager
def _sqlite_expression_indexes():
    """SQLite cannot reflect an index on an expression (the unique lower(...) indexes), so
    SQLAlchemy skips it with a warning and `db check` cannot compare it there; PostgreSQL does
    compare it, and tests/test_migrations.py checks by name that every such index exists."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
        warnings.filterwarnings("ignore", message="autogenerate skipping metadata-specified expression-based")
        yield


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
