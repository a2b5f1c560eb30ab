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
from sqlalchemy import Column, create_engine, inspect, text

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


def _index_names(engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")).scalars())
        return set(conn.execute(text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")).scalars())


def test_every_index_on_an_expression_exists_at_head(empty_database_url, tmp_path):
    """`db check` cannot compare an index on an expression on SQLite (it cannot be reflected), and
    a later batch migration (a table copy) would drop it silently: check them by name."""
    app = _app(empty_database_url, tmp_path)
    try:
        assert _run(app, "db", "upgrade")[0] == 0
        expected = {
            index.name
            for table in Base.metadata.sorted_tables
            for index in table.indexes
            if any(not isinstance(e, Column) for e in index.expressions)
        }
        assert "uq_training_partnership_title_lower" in expected
        assert expected <= _index_names(kdb.engine_of(app))
    finally:
        kdb.engine_of(app).dispose()


def _insert(conn, table, **values):
    cols = ", ".join(values)
    conn.execute(text(f"INSERT INTO {table} ({cols}) VALUES ({', '.join(':' + c for c in values)})"), values)
    return conn.execute(text(f"SELECT max(id) FROM {table}")).scalar()


def _seed_before_0003(conn, *, user_emails=("a@example.org",)):
    now = "2026-01-01 00:00:00+00:00"
    p = _insert(conn, "partnership", name="Noord", created_at=now)
    _insert(conn, "partnership", name="NOORD", created_at=now)
    training = {"partnership_id": p, "kind": "basistraining", "form": "fysiek", "contact_hours": 3,
                "description": "", "active": True, "created_at": now}
    first = _insert(conn, "training", title="Race", **training)
    _insert(conn, "training", title="RACE", **training)
    _insert(conn, "training", title="race", **training)
    _insert(conn, "training", title="Race (2)", **training)  # the first free suffix is taken
    _insert(conn, "training", title="x" * 200, **training)
    _insert(conn, "training", title="X" * 200, **training)
    _insert(conn, "training_session", training_id=first, date="2026-10-01", start_time="10:00:00",
            location="Zaal", participant_count=0, created_at=now, cancelled_at=now, cancel_reason="r" * 50_000)
    for email in user_emails:
        _insert(conn, "app_user", email=email, name="", password_hash="x", role="admin", is_enabled=True,
                created_at=now)


def test_0003_keeps_existing_data(empty_database_url, tmp_path):
    """Names that differ only in case are renamed (all rows kept), over-long texts shortened; the
    migration does not fail on the data it meets, and the constraints hold afterwards."""
    from sqlalchemy.exc import IntegrityError

    app = _app(empty_database_url, tmp_path)
    engine = kdb.engine_of(app)
    try:
        assert _run(app, "db", "upgrade", "0002")[0] == 0
        with engine.begin() as conn:
            _seed_before_0003(conn)
        code, out, res = _run(app, "db", "upgrade", "0003")
        assert code == 0, (out, res.exception)
        with engine.connect() as conn:
            titles = conn.execute(text("SELECT title FROM training ORDER BY id")).scalars().all()
            names = conn.execute(text("SELECT name FROM partnership ORDER BY id")).scalars().all()
            reason = conn.execute(text("SELECT cancel_reason FROM training_session")).scalar()
        assert titles == ["Race", "RACE (3)", "race (4)", "Race (2)", "x" * 200, "X" * 196 + " (2)"]
        assert names == ["Noord", "NOORD (2)"]
        assert len(reason) == 2000 and reason.endswith("…")
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text("UPDATE training SET title = 'RACE' WHERE title = 'Race (2)'"))
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text("UPDATE training_session SET cancel_reason = :r"), {"r": "r" * 2001})
        # And back: the plain unique constraints return, the data stays.
        code, out, res = _run(app, "db", "downgrade", "0002")
        assert code == 0, (out, res.exception)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM training")).scalar() == 6
    finally:
        engine.dispose()


def test_0003_stops_on_email_addresses_that_differ_only_in_case(empty_database_url, tmp_path):
    app = _app(empty_database_url, tmp_path)
    engine = kdb.engine_of(app)
    try:
        assert _run(app, "db", "upgrade", "0002")[0] == 0
        with engine.begin() as conn:
            _seed_before_0003(conn, user_emails=("a@example.org", "A@example.org"))
        code, _out, res = _run(app, "db", "upgrade", "0003")
        assert code != 0
        assert "a@example.org" in str(res.exception) and "niets veranderd" in str(res.exception)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0002"
            assert "RACE" in conn.execute(text("SELECT title FROM training")).scalars().all()
    finally:
        engine.dispose()


def test_0004_widens_the_answer_check_and_keeps_the_rows(empty_database_url, tmp_path):
    """0004 lets question.type be grade or multi and answer.value_int hold a multi's bitmask;
    SQLite's batch mode recreates both tables, and their rows stay. Down again restores the old
    checks, but not while grade or multi questions exist."""
    from alembic import command
    from sqlalchemy.exc import IntegrityError

    from kwaliteit.cli import alembic_config

    url = empty_database_url
    config = alembic_config(url)
    command.upgrade(config, "0003")
    engine = create_engine(url)
    rows = {
        "partnership": "(id, name, created_at) VALUES (1, 'P', '2026-01-01')",
        "training": "(id, partnership_id, title, kind, form, contact_hours, description, active, created_at) "
                    "VALUES (1, 1, 'T', 'basistraining', 'fysiek', 12, '', true, '2026-01-01')",
        "training_session": "(id, training_id, date, start_time, location, participant_count, created_at) "
                            "VALUES (1, 1, '2026-10-01', '15:30', 'A', 10, '2026-01-01')",
        "questionnaire": "(id, title, audience, created_at) VALUES (1, 'V', 'participant', '2026-01-01')",
        "questionnaire_version": "(id, questionnaire_id, number, intro, published_at, created_at) "
                                 "VALUES (1, 1, 1, '', '2026-01-01', '2026-01-01')",
        "question": "(id, version_id, code, position, text, type, required, options) "
                    "VALUES (1, 1, 'totaal', 0, 'Hoe?', 'scale', true, '[]')",
        "response": "(id, session_id, version_id, audience, source, submitted_on) "
                    "VALUES (1, 1, 1, 'participant', 'link', '2026-10-02')",
        "answer": "(id, response_id, question_id, value_int) VALUES (1, 1, 1, 4)",
    }

    def answers():
        with engine.connect() as conn:
            return conn.execute(text("SELECT id, response_id, question_id, value_int FROM answer ORDER BY id")).all()

    def refused(statement: str) -> bool:
        try:
            with engine.begin() as conn:
                conn.execute(text(statement))
        except IntegrityError:
            return True
        return False

    try:
        with engine.begin() as conn:
            for table, values in rows.items():
                conn.execute(text(f"INSERT INTO {table} {values}"))
        grade = (
            "INSERT INTO question (id, version_id, code, position, text, type, required, options) "
            "VALUES (2, 1, 'cijfer', 1, 'Cijfer?', 'grade', true, '[]')"
        )
        mask = "UPDATE answer SET value_int = 1073741823 WHERE id = 1"
        assert refused(grade) and refused(mask)

        command.upgrade(config, "0004")
        assert answers() == [(1, 1, 1, 4)]
        assert not refused(grade) and not refused(mask)
        assert refused("UPDATE answer SET value_int = 1073741824 WHERE id = 1")
        assert refused("INSERT INTO answer (id, response_id, question_id, value_int) VALUES (2, 1, 1, 5)"), \
            "one answer per question of a response"
        index_names = {ix["name"] for ix in inspect(engine).get_indexes("answer")}
        assert {"ix_answer_question_id", "ix_answer_response_id"} <= index_names

        with pytest.raises(RuntimeError, match="grade or multi"):
            command.downgrade(config, "0003")
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM question WHERE id = 2"))
            conn.execute(text("UPDATE answer SET value_int = 5 WHERE id = 1"))
        command.downgrade(config, "0003")
        assert answers() == [(1, 1, 1, 5)]
        assert refused(grade) and refused("UPDATE answer SET value_int = 101 WHERE id = 1")
    finally:
        engine.dispose()


def test_0014_fills_the_school_year_from_the_date(empty_database_url, tmp_path):
    """0014 stores each session's school year (1 August - 31 July) from its date, on both sides of
    1 August, and makes the column required; down again drops it and keeps the sessions."""
    from sqlalchemy.exc import IntegrityError

    app = _app(empty_database_url, tmp_path)
    engine = kdb.engine_of(app)
    try:
        assert _run(app, "db", "upgrade", "0013")[0] == 0
        now = "2026-01-01 00:00:00+00:00"
        days = {"2026-07-31": 2025, "2026-08-01": 2026, "2025-01-01": 2024, "2027-12-31": 2027}
        with engine.begin() as conn:
            p = _insert(conn, "partnership", name="Noord", created_at=now)
            t = _insert(conn, "training", partnership_id=p, title="Race", kind="basistraining", form="fysiek",
                        contact_hours=3, description="", active=True, created_at=now)
            for day in days:
                _insert(conn, "training_session", training_id=t, date=day, start_time="10:00:00", location="Zaal",
                        participant_count=0, created_at=now)
        code, out, res = _run(app, "db", "upgrade", "0014")
        assert code == 0, (out, res.exception)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT date, school_year FROM training_session")).all()
        assert {str(d): y for d, y in rows} == days
        assert {"ix_training_session_training_id_school_year", "ix_participant_link_session_id_kind"} <= _index_names(engine)
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text("INSERT INTO training_session (training_id, date, start_time, location, participant_count, "
                              "created_at) VALUES (:t, '2026-09-01', '10:00:00', 'Zaal', 0, :now)"), {"t": t, "now": now})
        code, out, res = _run(app, "db", "downgrade", "0013")
        assert code == 0, (out, res.exception)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM training_session")).scalar() == 4
        assert "ix_training_session_training_id" in _index_names(engine)
    finally:
        engine.dispose()
