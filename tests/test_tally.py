"""The results' tally (issue 12): kept in the same transaction as every write of answers, read by
every figure, checked by `flask results verify`, and lean: an anonymous answer in few statements."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import event, func, select, update

from evaluaties.answers import links, requests
from evaluaties.answers.models import Response
from evaluaties.results import tally
from evaluaties.results.models import AnswerTally, ResponseTally
from kwaliteit import db as kdb
from kwaliteit.scope import Scope
from tests.conftest import count_statements, login
from tests.test_evaluations import full_participant_answers, full_trainer_answers

D = date(2026, 10, 1)  # the date of world.session1


@pytest.fixture
def on_session_day(app, monkeypatch):
    monkeypatch.setitem(app.config, "FIXED_TODAY", D)


class Statements:
    """Every SQL statement the app's engine runs while active."""

    def __init__(self, app):
        self.engine = kdb.engine_of(app)
        self.seen: list[str] = []

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self.seen.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._before)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._before)


def test_an_anonymous_answer_takes_at_most_eight_statements(app, client, db, world, on_session_day):
    [link] = links.create_single_links(db, Scope.for_user(world.coordinator), world.session1.id, 1)
    db.commit()
    url = f"/e/{world.session1.id}/{link.token}"
    data = full_participant_answers(db, world)
    assert client.get(url).status_code == 200  # warm-up: templates compiled
    with Statements(app) as st:
        r = client.post(url, data=data)
    assert r.status_code == 302, r.get_data(as_text=True)
    counted = [s for s in st.seen if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))]
    assert len(counted) <= 8, "\n".join(counted)
    assert tally.differences(db) == []


def test_every_kind_of_write_keeps_the_tally_true(app, client, db, world, on_session_day, today):
    coord = Scope.for_user(world.coordinator)
    single = links.create_single_links(db, coord, world.session1.id, 3)
    shared = links.create_shared_link(db, coord, world.session1.id, 3)
    db.commit()
    # Answers through single and shared links.
    for token in [single[0].token, single[1].token, shared.token, shared.token]:
        assert client.post(f"/e/{world.session1.id}/{token}", data=full_participant_answers(db, world)).status_code == 302
    assert tally.differences(db) == []
    db.rollback()  # a fresh snapshot before writing here (SQLite)
    # A trainer's evaluation, then its edit with other values and one answer fewer.
    trainer = Scope.for_user(world.trainer)
    raw = full_trainer_answers(db, world)
    raw["q_opmerkingen"] = "Een opmerking."
    requests.submit_trainer_evaluation(db, trainer, world.session1.id, raw, D)
    db.commit()
    assert tally.differences(db) == []
    raw.update(q_opmerkingen="", q_doelen_bereikt="2")  # one answer fewer, another value
    requests.submit_trainer_evaluation(db, trainer, world.session1.id, raw, D)
    db.commit()
    assert tally.differences(db) == []
    responses = db.scalar(select(func.sum(ResponseTally.responses)).where(ResponseTally.safeguard == ""))
    assert responses == db.scalar(select(func.count()).select_from(Response)) == 5


def test_results_verify_reports_and_repairs(app, db, world, on_session_day):
    coord = Scope.for_user(world.coordinator)
    [link] = links.create_single_links(db, coord, world.session1.id, 1)
    db.commit()
    links.submit_participant_answers(db, world.session1.id, link.token, full_participant_answers(db, world), D)
    db.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["results", "verify"])
    assert result.exit_code == 0 and "geen verschillen" in result.output
    # Spoil it: one count too many, one row missing.
    db.execute(update(AnswerTally).where(AnswerTally.answers > 0).values(answers=AnswerTally.answers + 1)
               .execution_options(synchronize_session=False))
    db.execute(ResponseTally.__table__.delete().where(ResponseTally.safeguard == ""))
    db.commit()
    result = runner.invoke(args=["results", "verify"])
    assert result.exit_code == 1
    assert "verschillen tussen de telling en de antwoorden" in result.output
    assert "response_tally" in result.output and "opgeslagen 0, berekend 1" in result.output
    result = runner.invoke(args=["results", "verify", "--repair"])
    assert result.exit_code == 0 and "nu 0 verschillen" in result.output
    assert tally.differences(db) == []


def test_the_demo_and_an_import_keep_the_tally_true(app, db):
    from kwaliteit.demo import seed_demo

    seed_demo(db)
    db.commit()
    assert tally.differences(db) == []
    assert db.scalar(select(func.count()).select_from(AnswerTally)) > 0


ANSWER_TABLE = re.compile(r"\banswer\b(?!_)", re.IGNORECASE)


def _reads_answers(statements: list[str]) -> list[str]:
    return [s for s in statements if ANSWER_TABLE.search(s)]


def test_no_figure_reads_the_answer_rows(app, client, db, world, on_session_day):
    """Results of every selection, the dashboard, the response rates and the dossier read the
    tally; only the open answers of one training or session are read from the answers."""
    coord = Scope.for_user(world.coordinator)
    [shared] = [links.create_shared_link(db, coord, world.session1.id, 6)]
    db.commit()
    for _ in range(6):
        links.submit_participant_answers(db, world.session1.id, shared.token, full_participant_answers(db, world), D)
    db.commit()
    login(client, world.coordinator)
    t, sid = world.training1.id, world.session1.id
    for url in ["/resultaten", "/resultaten?schooljaar=2026", "/resultaten?waarborg=LO",
                f"/resultaten?partnerschap={world.p1.id}", "/dashboard", "/respons",
                f"/kwaliteitszorg/partnerschappen/{world.p1.id}/dossier"]:
        statements, _page = count_statements(app, client, url)
        assert _reads_answers(statements) == [], url
    for url in [f"/resultaten?training={t}", f"/bijeenkomsten/{sid}/resultaten"]:
        statements, page = count_statements(app, client, url)
        read = _reads_answers(statements)
        assert len(read) == 1 and "value_text" in read[0], url  # the one page of open answers
        assert "Prima" in page
