"""The scoped rate figures use their indexes (issue 12), on SQLite and PostgreSQL: the statements
the rate list issues for one partnership, one training and one school year are run again under
EXPLAIN, and no plan reads all of link_tally, response_tally or training_session. The links are
counted ahead per session (link_tally, looked up by its key): no rate statement reads
participant_link at all.

PostgreSQL is asked with sequential scans discouraged (enable_seqscan off): on a test's few rows
it would rightly read whole tables, so the test asks whether an index can serve each lookup; a
table that has none is still read whole and shows as a Seq Scan.
"""
from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import event, text

from evaluaties.results import rates
from kwaliteit import db as kdb
from kwaliteit.scope import Scope
from kwaliteit.sorting import Sort
from tests.conftest import TODAY
from tests.test_school_year import grow

TABLES = ("link_tally", "response_tally", "training_session")
# A session's links by the key of link_tally (SQLite: its session_id is the rowid).
LINK_LOOKUP = re.compile(r"SEARCH link_tally USING INTEGER PRIMARY KEY|pk_link_tally")


def _statements(app, run: Callable) -> list[tuple[str, object]]:
    """The SELECT statements (with their parameters) that run() issues."""
    seen: list[tuple[str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    engine = kdb.engine_of(app)
    event.listen(engine, "before_cursor_execute", before)
    try:
        with kdb.new_session(app) as s:
            run(s)
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return seen


def _plan(app, statement: str, parameters) -> str:
    with kdb.engine_of(app).connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            return "\n".join(row[-1] for row in rows)
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        conn.rollback()
        return "\n".join(row[0] for row in rows)


def _full_scans(plan: str) -> list[str]:
    """The lines of a plan that read one of TABLES whole (SQLite: SCAN, PostgreSQL: Seq Scan)."""
    names = "|".join(TABLES)
    pattern = re.compile(rf"(^|\s)SCAN ({names})\b|Seq Scan on ({names})\b")
    return [line for line in plan.splitlines() if pattern.search(line)]


def _check(app, run: Callable, uses: tuple[str, ...]) -> None:
    statements = _statements(app, run)
    assert statements
    plans = [_plan(app, st, params) for st, params in statements]
    for (statement, _p), plan in zip(statements, plans, strict=True):
        assert not _full_scans(plan), f"{statement}\n{plan}"
    everything = "\n".join(plans)
    assert "response_tally" in everything, everything  # the answers are counted from the tally
    assert LINK_LOOKUP.search(everything) and "participant_link" not in everything, everything
    for index in uses:
        assert index in everything, everything


@pytest.fixture
def data(app, world):
    grow(app, world, 12)
    return world


def test_rates_of_one_partnership_use_indexes(app, data):
    with kdb.new_session(app) as s:
        scope = Scope.for_user(s.get(type(data.coordinator), data.coordinator.id))

    def run(s):
        rates.response_rates(s, scope, TODAY)
        rates.response_rates(s, scope, TODAY, sort=Sort("respons"))

    _check(app, run, ("ix_training_session_training_id_school_year",))


def test_rates_of_one_training_use_indexes(app, data):
    def run(s):
        rates.response_rates(s, Scope.everything(), TODAY, rates.RateFilters(training_id=data.training1.id))
        rates.training_session_rows(s, Scope.everything(), data.training1.id, TODAY)

    _check(app, run, ("ix_training_session_training_id_school_year",))


def test_rates_of_one_school_year_use_indexes(app, data):
    def run(s):
        rates.response_rates(s, Scope.everything(), TODAY, rates.RateFilters(school_year=2026))

    _check(app, run, ("ix_training_session_date",))


def test_one_session_and_low_response_use_indexes(app, data):
    def run(s):
        rates.session_rate(s, Scope.everything(), data.session1.id, TODAY)

    _check(app, run, ())
