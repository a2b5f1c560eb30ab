"""Fixtures: a real database (SQLite file, or PostgreSQL when KWALITEIT_TEST_DATABASE_URL is set),
migrated to head once per run and emptied before every test."""
from __future__ import annotations

import os
import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import create_engine, select, text

from evaluaties.questionnaires.services import load_default_questionnaires
from kwaliteit import create_app
from kwaliteit import db as kdb
from kwaliteit.cli import alembic_config
from kwaliteit.framework.services import load_framework
from kwaliteit.models import Base
from tests import factories

PG_URL = os.environ.get("KWALITEIT_TEST_DATABASE_URL")
# "Today" of every test, in services (the `today` fixture) and in requests (the app's FIXED_TODAY):
# no test reads the wall clock, so the suite gives the same answers on any day.
TODAY = date(2026, 11, 22)
# The moment of every request (the app's FIXED_NOW), for what expires by the hour: invitation links
# made at NOW must still open in a request, whatever day the suite runs.
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _private_schema_url(url: str):
    """A schema of this test run's own, so runs never disturb each other or `public`."""
    schema = f"kwaliteit_test_{os.getpid()}"
    return kdb.fresh_schema(url, schema), schema


def _drop_schema(url: str, schema: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if PG_URL:
        url, schema = _private_schema_url(PG_URL)
        yield url
        _drop_schema(PG_URL, schema)
        return
    yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    from alembic import command

    command.upgrade(alembic_config(database_url), "head")
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "PAGE_SIZE": 25,
            "FIXED_TODAY": TODAY,
            "FIXED_NOW": NOW,
        },
        instance_path=tmp_path_factory.mktemp("instance"),
    )
    yield app
    kdb.engine_of(app).dispose()


def empty_database(app) -> None:
    """Empty, holding only the shipped framework and default questionnaires."""
    from evaluaties.questionnaires.services import forget_published_versions

    forget_published_versions()  # ids of the emptied database may name other versions next
    _empty_all_tables(app)
    with kdb.new_session(app) as s:
        load_framework(s)
        load_default_questionnaires(s)
        s.commit()


def _empty_all_tables(app) -> None:
    engine = kdb.engine_of(app)
    tables = [t.name for t in Base.metadata.sorted_tables]
    # DELETE, children first, on both databases: a test leaves a few rows, and PostgreSQL's
    # TRUNCATE of every table costs 0.1-0.3 s per test (minutes over the suite).
    with engine.begin() as conn:
        for name in reversed(tables):
            conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Every test starts from an empty, migrated database holding the shipped framework and
    default questionnaires."""
    # A module that builds its world once (tests/snapshot.py) keeps the database between its tests.
    if "app" not in request.fixturenames or request.node.get_closest_marker("shared_world"):
        yield
        return
    app = request.getfixturevalue("app")
    empty_database(app)
    yield
    _check_tally(app)


def _check_tally(app) -> None:
    """After every test: the results' tally still equals the raw answers (issue 12), whatever the
    test wrote through the app. Tests that store answers by hand rebuild it, as an import would."""
    from evaluaties.answers.models import Response
    from evaluaties.results import tally
    from evaluaties.results.models import ResponseTally

    with kdb.new_session(app, write=False) as s:
        if s.scalar(select(Response.id).limit(1)) is None and s.scalar(select(ResponseTally.session_id).limit(1)) is None:
            return
        found = tally.differences(s)
    assert not found, "the tally differs from the answers: " + "; ".join(map(str, found[:5]))


@pytest.fixture
def db(app):
    """A database session of the test's own. No application context stays pushed, so every
    request of the test client gets its own context, `g`, scope and session, as in production."""
    with kdb.new_session(app, write=False) as s:
        yield s


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def today() -> date:
    return TODAY


@pytest.fixture
def world(db):
    """Two partnerships with organisations, trainers, trainings and one account per role."""
    w = factories.build_world(db)
    db.commit()
    return w


def login(client, user_or_email, password: str = factories.PASSWORD):
    email = getattr(user_or_email, "email", user_or_email)
    response = client.post("/inloggen", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def count_statements(app, client, url: str) -> tuple[list[str], str]:
    """The SQL statements one GET of `url` issues (after a warm-up request), and the page."""
    from sqlalchemy import event

    assert client.get(url).status_code == 200  # warm-up: templates compiled, caches filled
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = kdb.engine_of(app)
    event.listen(engine, "before_cursor_execute", before)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", before)
    assert response.status_code == 200
    return statements, response.get_data(as_text=True)


def run_in_threads(*targets, timeout=30):
    """Run each target in a thread of its own and wait: none may hang or raise (races on the real
    database; each target opens its own session)."""
    errors: list[BaseException] = []

    def wrap(fn):
        def run():
            try:
                fn()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
        return run

    threads = [threading.Thread(target=wrap(fn)) for fn in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a thread hangs"
    assert not errors, errors
