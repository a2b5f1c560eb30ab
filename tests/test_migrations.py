"""Migrations: an empty database upgrades to head and agrees with the models (`db check`); down to
base and up again works too. Runs on a database of its own: a new SQLite file, or a separate
schema when KWALITEIT_TEST_DATABASE_URL points at PostgreSQL.

This module deliberately uses neither the `app` nor the `db` fixture: the CLI runner would reuse
a pushed application context of the main test app, and with it that app's database URL.
"""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, inspect, text

from kwaliteit import create_app
from kwaliteit import db as kdb
from kwaliteit.models import Base

PG_URL = os.environ.get("KWALITEIT_TEST_DATABASE_URL")


@pytest.fixture
def empty_database_url(tmp_path):
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    # Unique per run: other test runs may share the PostgreSQL database.
    schema = f"migrations_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _app(url, tmp_path):
    return create_app(
        {"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "migrations-test"},
        instance_path=tmp_path / "instance",
    )


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    output = result.output + (result.stderr if result.stderr_bytes else "")
    return result.exit_code, output, result


def _tables(url) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_check_downgrade_upgrade(empty_database_url, tmp_path):
    url = empty_database_url
    assert _tables(url) == set(), "the database must start empty"
    app = _app(url, tmp_path)
    try:
        code, out, res = _run(app, "db", "upgrade")
        assert code == 0, (out, res.exception)
        model_tables = {t.name for t in Base.metadata.sorted_tables}
        assert _tables(url) == model_tables | {"alembic_version"}

        code, out, res = _run(app, "db", "check")
        assert code == 0, (out, res.exception)
        assert "Models and migrations agree" in out

        code, out, res = _run(app, "db", "downgrade", "base")
        assert code == 0, (out, res.exception)
        assert _tables(url) <= {"alembic_version"}, "downgrade to base leaves tables behind"

        code, out, res = _run(app, "db", "upgrade")
        assert code == 0, (out, res.exception)
        assert _tables(url) == model_tables | {"alembic_version"}
        code, out, res = _run(app, "db", "check")
        assert code == 0, (out, res.exception)

        # The migrated database is usable: the shipped framework loads.
        code, out, res = _run(app, "load-framework")
        assert code == 0, (out, res.exception)
    finally:
        kdb.engine_of(app).dispose()


def test_check_fails_when_models_and_database_differ(empty_database_url, tmp_path):
    """`db check` really compares: a database missing its last table is reported, exit 1."""
    app = _app(empty_database_url, tmp_path)
    try:
        assert _run(app, "db", "upgrade")[0] == 0
        engine = kdb.engine_of(app)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE user_partnership"))
        code, out, _ = _run(app, "db", "check")
        assert code == 1
        assert "differ" in out
    finally:
        kdb.engine_of(app).dispose()


@pytest.mark.skipif(bool(PG_URL), reason="SQLite connection settings")
def test_sqlite_connection_settings(tmp_path):
    app = _app(f"sqlite:///{tmp_path / 'pragmas.db'}", tmp_path)
    engine = kdb.engine_of(app)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar().lower() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    finally:
        engine.dispose()


@pytest.mark.skipif(bool(PG_URL), reason="SQLite connection settings")
def test_sqlite_enforces_foreign_keys(tmp_path):
    url = f"sqlite:///{tmp_path / 'fk.db'}"
    app = _app(url, tmp_path)
    try:
        assert _run(app, "db", "upgrade")[0] == 0
        from sqlalchemy.exc import IntegrityError

        with pytest.raises(IntegrityError):
            with kdb.engine_of(app).begin() as conn:
                conn.execute(text("INSERT INTO organisation (partnership_id, name, kind) VALUES (424242, 'x', 'school')"))
    finally:
        kdb.engine_of(app).dispose()
