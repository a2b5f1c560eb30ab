"""The results' tally (issue 12): kept in the same transaction as every write of answers, read by
every figure, checked by `flask results verify`, and lean: an anonymous answer in few statements."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import event, func, select, update

from evaluaties.answers import links, requests
from evaluaties.answers.models import Answer, Response
from evaluaties.questionnaires.models import Audience
from evaluaties.results import rates, tally
from evaluaties.results import services as results
from evaluaties.results.models import AnswerRollup, AnswerTally, LinkTally, ResponseTally
from evaluaties.results.services import ResultFilters
from kwaliteit import db as kdb
from kwaliteit.scope import Scope
from kwaliteit.trainings.models import TrainingSession
from kwaliteit.trainings.services import SessionData, set_session_cancelled, update_session
from tests.conftest import count_statements, login, run_in_threads
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


def test_the_anonymous_answer_page_takes_three_statements(app, client, db, world, on_session_day):
    """The GET of a link: the throttle's count, the link with its session, training, status and
    version, the public actions. The page's title reads the session's training, which that one
    statement loaded: no statement of its own."""
    [link] = links.create_single_links(db, Scope.for_user(world.coordinator), world.session1.id, 1)
    db.commit()
    statements, page = count_statements(app, client, f"/e/{world.session1.id}/{link.token}")
    counted = [s for s in statements if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))]
    assert len(counted) <= 3, "\n".join(counted)
    assert world.session1.training.title in page


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


def test_links_are_counted_per_session_as_they_are_made(app, client, db, world, on_session_day):
    """Response rates read a session's links from its LinkTally row: single links, a shared one,
    two coordinators making links at the same moment, and the rate showing the counts."""
    coord = Scope.for_user(world.coordinator)
    session_id = world.session1.id
    assert db.get(LinkTally, session_id) is None  # no links, no row
    links.create_single_links(db, coord, session_id, 3)
    links.create_shared_link(db, coord, session_id, 30)
    db.commit()
    row = db.get(LinkTally, session_id)
    assert (row.links, row.single) == (4, 3)

    def make(n: int):
        def run():
            with kdb.new_session(app) as s:
                links.create_single_links(s, coord, session_id, n)
                s.commit()
        return run

    db.rollback()  # end the read: the threads write
    run_in_threads(make(2), make(5))
    row = db.get(LinkTally, session_id)
    assert (row.links, row.single) == (11, 10)
    assert tally.differences(db) == []
    rate = rates.session_rate(db, coord, session_id, D)
    participants = db.get(TrainingSession, session_id).participant_count
    assert (rate.links, rate.invited) == (11, participants or 10)


def test_results_verify_finds_and_mends_wrong_link_counts(app, db, world):
    coord = Scope.for_user(world.coordinator)
    links.create_single_links(db, coord, world.session1.id, 2)
    db.commit()
    db.execute(update(LinkTally).values(links=LinkTally.links + 1).execution_options(synchronize_session=False))
    db.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["results", "verify"])
    assert result.exit_code == 1
    assert f"link_tally.links ({world.session1.id},): opgeslagen 3, berekend 2" in result.output
    assert "link_tally.single" not in result.output  # only the count that is wrong
    result = runner.invoke(args=["results", "verify", "--repair"])
    assert result.exit_code == 0 and "nu 0 verschillen" in result.output
    db.rollback()
    assert (db.get(LinkTally, world.session1.id).links, db.get(LinkTally, world.session1.id).single) == (2, 2)


def test_the_demo_keeps_the_tally_true(app, db):
    # Imports: every test of the import wizard ends with conftest's check of the tally.
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


def _answered_session(db, world, n: int = 6):
    coord = Scope.for_user(world.coordinator)
    shared = links.create_shared_link(db, coord, world.session1.id, n)
    db.commit()
    for _ in range(n):
        links.submit_participant_answers(db, world.session1.id, shared.token, full_participant_answers(db, world), D)
    db.commit()
    return coord


def _rollup_years(db) -> dict[int, int]:
    return {
        year: int(n)
        for year, n in db.execute(
            select(AnswerRollup.school_year, func.sum(AnswerRollup.answers)).group_by(AnswerRollup.school_year)
        )
    }


def test_a_session_moved_to_another_school_year_takes_its_answers_along(db, world):
    coord = _answered_session(db, world)
    answers = db.scalar(select(func.count()).select_from(Answer))
    assert _rollup_years(db) == {2026: answers}
    ts = world.session1
    data = SessionData(date=date(2026, 7, 20), start_time=ts.start_time, location=ts.location,
                       trainer_ids=[p.id for p in ts.trainers], participant_count=ts.participant_count)
    update_session(db, coord, ts.id, data, date(2026, 6, 1))
    db.commit()
    assert _rollup_years(db) == {2025: answers}
    assert tally.differences(db) == []
    rs = results.results(db, coord, ResultFilters(school_year=2025), 5)
    assert rs.responses == 6 and by_code(rs, "totaal").count == 6
    assert results.results(db, coord, ResultFilters(school_year=2026), 5).responses == 0


def test_a_cancelled_session_leaves_the_results_above_it_and_comes_back(db, world):
    coord = _answered_session(db, world)
    set_session_cancelled(db, coord, world.session1.id, "Zaal onder water.")
    db.commit()
    assert _rollup_years(db) == {} and tally.differences(db) == []
    training = results.results(db, coord, ResultFilters(training_id=world.training1.id), 5)
    assert training.responses == 0 and training.results == []
    # The session's own page still shows what its participants said.
    own = results.results(db, coord, ResultFilters(session_id=world.session1.id), 5)
    assert own.responses == 6 and by_code(own, "totaal").count == 6
    set_session_cancelled(db, coord, world.session1.id, None)
    db.commit()
    assert tally.differences(db) == []
    assert results.results(db, coord, ResultFilters(training_id=world.training1.id), 5).responses == 6


def test_a_reader_with_a_higher_threshold_sees_less_of_the_rollup(db, world):
    """The rollup counts every group; what the release rule withholds is subtracted per reader."""
    coord = _answered_session(db, world, n=6)
    assert by_code(results.results(db, coord, ResultFilters(), 6), "totaal").count == 6
    rs = results.results(db, coord, ResultFilters(), 7)
    assert rs.responses == 0 and rs.withheld == 6
    assert [r for r in rs.results if r.audience is Audience.PARTICIPANT] == []


def by_code(rs, code):
    [r] = [r for r in rs.results if r.code == code]
    return r


def test_postgresql_connections_keep_their_options_and_run_without_jit(app):
    engine = kdb.engine_of(app)
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    from sqlalchemy import text

    with engine.connect() as c:
        assert c.execute(text("SHOW jit")).scalar() == "off"
        # The URL's own options (the test schema) still hold beside it.
        options = engine.url.query.get("options")
        if options and "search_path" in str(options):
            assert c.execute(text("SELECT current_schema()")).scalar() != "public"


def test_open_answers_come_a_page_at_a_time_for_one_training(app, client, db, world):
    coord = Scope.for_user(world.coordinator)
    shared = links.create_shared_link(db, coord, world.session1.id, 6)
    db.commit()
    for i in range(6):
        raw = full_participant_answers(db, world)
        raw.update({k: f"Opmerking {i}" for k, v in raw.items() if v == "Prima"})
        links.submit_participant_answers(db, world.session1.id, shared.token, raw, D)
    db.commit()
    f = ResultFilters(training_id=world.training1.id)
    pages = [results.results(db, coord, f, 5, open_per_question=4, open_page=p) for p in (1, 2, 3)]
    remarks = [[a.text for r in rs.results if r.type.value == "open" for a in r.open_answers][:6] for rs in pages]
    first_question = [[a.text for a in next(r for r in rs.results if r.type.value == "open").open_answers]
                      for rs in pages]
    assert first_question == [[f"Opmerking {i}" for i in range(4)], ["Opmerking 4", "Opmerking 5"], []]
    assert remarks[0]
    # Above a training: counted, never read.
    everything = results.results(db, coord, ResultFilters(), 5)
    assert not everything.open_answers_read
    assert all(r.open_answers == [] for r in everything.results)
    login(client, world.coordinator)
    for bad in ("0", "-1", "abc", "9" * 40, "2.5"):
        r = client.get(f"/resultaten?training={world.training1.id}&open-pagina={bad}")
        assert r.status_code == 200, bad
    # A control character in a query string is refused with a message (kwaliteit.args), never a 500.
    assert client.get(f"/resultaten?training={world.training1.id}&open-pagina=1%00").status_code == 400
    page = client.get(f"/resultaten?training={world.training1.id}&open-pagina=2").get_data(as_text=True)
    assert "Geen antwoorden meer op deze pagina." in page


def test_answers_while_the_session_moves_and_is_cancelled_keep_the_rollup_true(app, db, world):
    """Answers arrive while a coordinator moves the session to another school year and cancels and
    restores it: each answer is counted under the session as it is when the answer commits."""
    coord = Scope.for_user(world.coordinator)
    shared = links.create_shared_link(db, coord, world.session1.id, 40)
    db.commit()
    raw = full_participant_answers(db, world)
    session_id, token = world.session1.id, shared.token

    def answer():
        for _ in range(3):
            with kdb.new_session(app) as s:
                try:
                    links.submit_participant_answers(s, session_id, token, dict(raw), D)
                    s.commit()
                except links.LinkRefused:
                    s.rollback()

    def move_and_cancel():
        for day, reason in ((date(2026, 7, 30), "Verzet."), (date(2026, 8, 2), None)):
            with kdb.new_session(app) as s:
                ts = s.get(TrainingSession, session_id)
                data = SessionData(date=day, start_time=ts.start_time, location=ts.location,
                                   trainer_ids=[p.id for p in ts.trainers], participant_count=ts.participant_count)
                update_session(s, coord, session_id, data, date(2026, 6, 1))
                s.commit()
            with kdb.new_session(app) as s:
                set_session_cancelled(s, coord, session_id, reason)
                s.commit()

    run_in_threads(answer, answer, answer, answer, move_and_cancel)
    db.rollback()
    assert tally.differences(db) == []


def test_each_link_gets_the_questionnaire_of_its_own_training(db, world):
    """The version is chosen inside the link's one statement: per session's training, never
    another training's own questionnaire (a correlation two levels down)."""
    from evaluaties.questionnaires.models import EvaluationSettings
    from evaluaties.questionnaires.services import applicable_version
    from tests.test_results import make_questionnaire

    own = make_questionnaire(db, world.training2.partnership)
    db.add(EvaluationSettings(training_id=world.training2.id, participant_questionnaire_id=own.questionnaire_id))
    default = applicable_version(db, world.training1.id, Audience.PARTICIPANT)
    [first] = links.create_single_links(db, Scope.for_user(world.coordinator), world.session1.id, 1)
    [second] = links.create_single_links(db, Scope.for_user(world.other_coordinator), world.session2.id, 1)
    db.commit()
    assert links.check_link(db, world.session1.id, first.token, D).version.id == default.id
    assert links.check_link(db, world.session2.id, second.token, world.session2.date).version.id == own.id
