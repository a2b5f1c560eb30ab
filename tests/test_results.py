"""Response rates, the low-response list and results (aggregates) of evaluations."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, insert, select

from evaluaties.answers import links
from evaluaties.answers.models import (
    Answer,
    EvaluationRequest,
    Response,
    ResponseSource,
)
from evaluaties.answers.status import Status
from evaluaties.questionnaires.models import (
    GRADE_FACTOR,
    Audience,
    EvaluationSettings,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
)
from evaluaties.questionnaires.services import applicable_version
from evaluaties.results import rates, tally
from evaluaties.results import services as results
from evaluaties.results.services import ResultFilters
from kwaliteit import db as kdb
from kwaliteit.models_base import utcnow
from kwaliteit.scope import Forbidden, NotFound, Scope
from tests import factories
from tests.conftest import TODAY, count_statements, login

SCALE = ["Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens"]


# ----------------------------------------------------------------- helpers


def make_questionnaire(db, partnership, title="Eigen vragenlijst", audience=Audience.PARTICIPANT, number=1,
                       questionnaire=None, texts=None) -> QuestionnaireVersion:
    """A published version with one question of each type (codes: schaal, janee, keuze, open)."""
    texts = texts or {}
    q = questionnaire or Questionnaire(partnership=partnership, title=title, audience=audience)
    v = QuestionnaireVersion(number=number, published_at=utcnow())
    v.questions = [
        Question(code="schaal", position=0, text=texts.get("schaal", "Hoe tevreden ben je?"),
                 type=QuestionType.SCALE, required=True, options=SCALE, safeguard_code="LO"),
        Question(code="janee", position=1, text="Zou je de training aanraden?", type=QuestionType.YES_NO,
                 required=True, options=[], safeguard_code="LL"),
        Question(code="keuze", position=2, text="Welk onderdeel was het nuttigst?", type=QuestionType.CHOICE,
                 required=True, options=["Theorie", "Oefenen", "Uitwisseling"]),
        Question(code="open", position=3, text="Opmerkingen", type=QuestionType.OPEN, required=False, options=[]),
    ]
    q.versions.append(v)
    db.add(q)
    db.flush()
    return v


def answer(db, ts, version, values: dict, audience=Audience.PARTICIPANT, source=None) -> Response:
    """One response; values maps a question code to value_int (int) or value_text (str)."""
    by_code = {q.code: q for q in version.questions}
    r = Response(session_id=ts.id, version_id=version.id, audience=audience,
                 source=source or (ResponseSource.LINK if audience is Audience.PARTICIPANT
                                   else ResponseSource.TRAINER))
    r.answers = [
        Answer(question_id=by_code[code].id, value_int=v if isinstance(v, int) else None,
               value_text=v if isinstance(v, str) else None)
        for code, v in values.items()
    ]
    db.add(r)
    db.flush()
    tally.rebuild(db, [ts.id])
    return r


def scope_of(user) -> Scope:
    return Scope.for_user(user)


def by_code(rs, code):
    [r] = [r for r in rs.results if r.code == code]
    return r


# ----------------------------------------------------------------- results


def test_mean_distribution_yes_no_choice_and_open(db, world):
    v = make_questionnaire(db, world.p1)
    scale = [1, 2, 3, 4, 5, 5]
    yes = [1, 1, 1, 1, 0, 0]
    choice = [0, 1, 1, 2, 2, 2]
    for i in range(6):
        answer(db, world.session1, v, {"schaal": scale[i], "janee": yes[i], "keuze": choice[i],
                                        **({"open": f"Opmerking {i}"} if i % 2 == 0 else {})})
    db.commit()

    rs = results.results(db, scope_of(world.coordinator), ResultFilters(training_id=world.training1.id), min_shown=5)
    assert rs.responses == 6 and rs.sessions == 1

    s = by_code(rs, "schaal")
    assert s.count == 6 and s.shown
    assert s.mean == pytest.approx(20 / 6)
    assert [(b.label, b.count) for b in s.distribution] == [
        ("1 Helemaal oneens", 1), ("2 Oneens", 1), ("3 Neutraal", 1), ("4 Eens", 1), ("5 Helemaal eens", 2)]
    assert s.distribution[4].pct == pytest.approx(100 * 2 / 6)

    yn = by_code(rs, "janee")
    assert yn.yes_pct == pytest.approx(100 * 4 / 6) and yn.no_pct == pytest.approx(100 * 2 / 6)
    assert yn.mean is None

    ch = by_code(rs, "keuze")
    assert [(b.label, b.count) for b in ch.distribution] == [("Theorie", 1), ("Oefenen", 2), ("Uitwisseling", 3)]

    op = by_code(rs, "open")
    assert op.count == 3
    # Too few open answers (3 < 5): only their count, not the texts.
    assert not op.shown and op.open_answers == []

    rs3 = results.results(db, scope_of(world.coordinator), ResultFilters(training_id=world.training1.id), min_shown=3)
    texts = sorted(a.text for a in by_code(rs3, "open").open_answers)
    assert texts == ["Opmerking 0", "Opmerking 2", "Opmerking 4"]


def test_fewer_than_threshold_shows_only_the_count(db, world):
    v = make_questionnaire(db, world.p1)
    for i in range(4):
        answer(db, world.session1, v, {"schaal": 5, "janee": 1, "keuze": 0, "open": f"Geheim {i}"})
    db.commit()
    # A session below the threshold releases nothing, not even per-question counts: only the
    # number of responses left out (the session page shows that number anyway).
    rs = results.results(db, scope_of(world.admin), ResultFilters(session_id=world.session1.id), min_shown=5)
    assert rs.results == [] and rs.responses == 0 and rs.sessions == 0 and rs.withheld == 4
    assert rs.safeguard_summaries() == []
    assert rs.withheld_message.startswith("4 antwoorden worden niet getoond")

    # Released, a question with fewer answers than the threshold still shows only its count; so
    # does a safeguard summary.
    for _ in range(2):
        answer(db, world.session1, v, {"schaal": 4, "janee": 0, "keuze": 1})
    answer(db, world.session1, v, {"janee": 0, "keuze": 1})
    db.commit()
    rs = results.results(db, scope_of(world.admin), ResultFilters(session_id=world.session1.id), min_shown=5)
    assert rs.responses == 7 and rs.withheld == 0 and rs.withheld_message is None
    op = by_code(rs, "open")
    assert op.count == 4 and not op.shown and op.open_answers == []
    assert by_code(rs, "schaal").shown
    rs8 = results.results(db, scope_of(world.admin), ResultFilters(session_id=world.session1.id), min_shown=7)
    scale = by_code(rs8, "schaal")
    assert scale.count == 6 and not scale.shown
    assert scale.mean is None and scale.distribution == []
    summaries = {s.code: s for s in rs8.safeguard_summaries()}
    assert summaries["LO"].scale_count == 6 and summaries["LO"].scale_mean is None
    assert summaries["LL"].yes_no_count == 7 and summaries["LL"].yes_pct is not None


def test_results_add_up_over_versions_by_code(db, world):
    v1 = make_questionnaire(db, world.p1, texts={"schaal": "Oude tekst"})
    v2 = make_questionnaire(db, world.p1, questionnaire=v1.questionnaire, number=2,
                            texts={"schaal": "Nieuwe tekst"})
    for value in (1, 2, 3):
        answer(db, world.session1, v1, {"schaal": value, "janee": 1, "keuze": 0})
    for value in (4, 5, 5):
        answer(db, world.session1, v2, {"schaal": value, "janee": 0, "keuze": 1})
    db.commit()
    # Each version's answers are a group of their own (anonymity): three per version, threshold 3.
    rs = results.results(db, scope_of(world.coordinator), ResultFilters(session_id=world.session1.id), min_shown=3)
    scale = by_code(rs, "schaal")
    assert scale.count == 6 and scale.text == "Nieuwe tekst"
    assert scale.mean == pytest.approx(20 / 6)
    assert by_code(rs, "janee").yes_pct == pytest.approx(50)
    assert len(rs.questionnaires) == 1


def test_a_draft_version_does_not_lend_its_wording(db, world):
    v1 = make_questionnaire(db, world.p1, texts={"schaal": "Gepubliceerd"})
    draft = make_questionnaire(db, world.p1, questionnaire=v1.questionnaire, number=2, texts={"schaal": "Concept"})
    draft.published_at = None
    for _ in range(5):
        answer(db, world.session1, v1, {"schaal": 4, "janee": 1, "keuze": 0})
    db.commit()
    rs = results.results(db, scope_of(world.coordinator), ResultFilters(session_id=world.session1.id))
    assert by_code(rs, "schaal").text == "Gepubliceerd"


def test_per_safeguard_across_questionnaires_and_audiences(db, world):
    participant = applicable_version(db, world.training1.id, Audience.PARTICIPANT)
    trainer = applicable_version(db, world.training1.id, Audience.TRAINER)
    scale_codes = [q.code for q in participant.questions if q.type is QuestionType.SCALE]
    for value in (3, 4, 5, 4, 4):
        answer(db, world.session1, participant, {c: value for c in scale_codes})
    answer(db, world.session1, trainer, {"goed_ging": "Veel", "anders": "Niets", "opkomst": 0, "doelen_bereikt": 4,
                                         "thema_lerende_leraar": 1, "thema_leeromgeving": 1,
                                         "thema_organisatie": 0, "thema_kwaliteitscultuur": 1},
           audience=Audience.TRAINER)
    db.commit()
    scope = scope_of(world.coordinator)

    lo = results.results(db, scope, ResultFilters(training_id=world.training1.id, safeguard_code="LO"))
    assert {r.code for r in lo.results} == {"bruikbaarheid", "feedback", "gesprekstechnieken"}
    assert all(r.count == 5 and r.mean == pytest.approx(4.0) for r in lo.results)

    both = results.results(db, scope, ResultFilters(training_id=world.training1.id, safeguard_code="LO", audience=None))
    assert {r.code for r in both.results} == {"bruikbaarheid", "feedback", "gesprekstechnieken", "thema_leeromgeving"}
    assert by_code(both, "thema_leeromgeving").count == 1  # one trainer answer: only the count
    summary = {s.code: s for s in both.safeguard_summaries()}["LO"]
    assert summary.scale_count == 15 and summary.scale_mean == pytest.approx(4.0)
    assert summary.yes_no_count == 1 and summary.yes_pct is None

    trainers_only = results.results(db, scope, ResultFilters(training_id=world.training1.id, audience=Audience.TRAINER))
    assert {r.audience for r in trainers_only.results} == {Audience.TRAINER}


def test_school_year_runs_from_1_august_to_31_july(db, world):
    july = factories.session(db, world.training1, on=date(2026, 7, 31))
    august = factories.session(db, world.training1, on=date(2026, 8, 1))
    v = applicable_version(db, world.training1.id, Audience.PARTICIPANT)
    # `totaal` is a grade, stored in tenths.
    for value in (60, 60, 60, 60, 60):
        answer(db, july, v, {"totaal": value})
    for value in (80, 80, 80, 80, 75):
        answer(db, august, v, {"totaal": value})
    db.commit()
    scope = scope_of(world.steering)

    y2025 = results.results(db, scope, ResultFilters(training_id=world.training1.id, school_year=2025))
    assert by_code(y2025, "totaal").count == 5 and by_code(y2025, "totaal").mean == 6.0
    y2026 = results.results(db, scope, ResultFilters(school_year=2026))  # the whole partnership
    assert by_code(y2026, "totaal").mean == pytest.approx(7.9)

    everything = results.results(db, scope, ResultFilters(training_id=world.training1.id))
    assert everything.years == [2025, 2026]
    [row] = [r for r in everything.by_year if r.result.code == "totaal"]
    assert row.cells[2025].count == 5 and row.cells[2025].mean == 6.0
    assert row.cells[2026].mean == pytest.approx(7.9)
    assert results.result_years(db, scope, TODAY) == [2026, 2025]


def test_results_stay_within_scope(db, world):
    v = applicable_version(db, world.training2.id, Audience.PARTICIPANT)
    for _ in range(5):
        answer(db, world.session2, v, {"totaal": 20})
    db.commit()
    own = results.results(db, scope_of(world.coordinator), ResultFilters())
    assert own.results == [] and own.responses == 0
    assert by_code(results.results(db, scope_of(world.other_coordinator), ResultFilters()), "totaal").count == 5
    with pytest.raises(Forbidden):
        results.results(db, scope_of(world.coordinator), ResultFilters(training_id=world.training2.id))
    with pytest.raises(Forbidden):
        results.results(db, scope_of(world.steering), ResultFilters(session_id=world.session2.id))
    with pytest.raises(NotFound):
        results.results(db, scope_of(world.admin), ResultFilters(session_id=987654))


# ----------------------------------------------------------------- response rates


def _links_and_answers(db, ts, singles: int, answered: int, today: date):
    made = links.create_single_links(db, Scope.everything(), ts.id, singles)
    for link in made[:answered]:
        links.submit_participant_answers(db, ts.id, link.token, {"q_totaal": "4", **{
            f"q_{c}": "4" for c in ("bruikbaarheid", "feedback", "gesprekstechnieken", "zelfvertrouwen",
                                    "uitwisseling", "trainer", "vorm_locatie")}}, today)
    db.flush()


def test_rates_count_links_answers_and_imports(db, world, today):
    ts = world.session1  # 1 October 2026, 12 participants
    _links_and_answers(db, ts, singles=10, answered=3, today=date(2026, 10, 2))
    v = applicable_version(db, ts.training_id, Audience.PARTICIPANT)
    imported = answer(db, ts, v, {"totaal": 70})
    imported.source = ResponseSource.IMPORT
    answer(db, ts, applicable_version(db, ts.training_id, Audience.TRAINER), {"doelen_bereikt": 4},
           audience=Audience.TRAINER)  # a trainer's answer is no participant response
    db.commit()

    row = rates.session_rate(db, scope_of(world.coordinator), ts.id, date(2026, 10, 5))
    assert (row.links, row.invited, row.answers) == (10, 12, 4)
    assert row.rate == pytest.approx(4 / 12) and row.rate_pct == 33
    assert row.closes_on == date(2026, 10, 22)
    assert row.status is Status.OPEN

    # No participant count: the single-use links are the invited.
    ts.participant_count = 0
    db.commit()
    row = rates.session_rate(db, scope_of(world.coordinator), ts.id, date(2026, 10, 5))
    assert row.invited == 10 and row.rate == pytest.approx(0.4)

    page = rates.response_rates(db, scope_of(world.coordinator), today)
    assert [r.session.id for r in page.items] == [ts.id]  # the other partnership's session is not listed
    with pytest.raises(Forbidden):
        rates.session_rate(db, scope_of(world.coordinator), world.session2.id, today)


def test_low_response_list(db, world):
    today = date(2026, 10, 18)  # session1 (1 October) closes on 22 October: due soon
    t = world.training1
    low = world.session1  # 12 participants, 2 answers
    good = factories.session(db, t, on=date(2026, 10, 1), participants=4)  # 3 of 4
    later = factories.session(db, t, on=date(2026, 10, 10), participants=10)  # closes 31 Oct
    closed = factories.session(db, t, on=date(2026, 9, 1), participants=10)  # closed 22 Sept
    factories.session(db, t, on=date(2026, 11, 1), participants=10)  # upcoming
    factories.session(db, t, on=date(2026, 10, 1), participants=0)  # no one invited
    cancelled = factories.session(db, t, on=date(2026, 10, 1), participants=10)
    cancelled.cancelled_at = utcnow()
    waived = factories.session(db, t, on=date(2026, 10, 1), participants=10)
    db.add(EvaluationRequest(session_id=waived.id, audience=Audience.PARTICIPANT, waived_at=utcnow(),
                             waived_reason="Geen deelnemers bereikbaar"))
    v = applicable_version(db, t.id, Audience.PARTICIPANT)
    for ts, n in ((low, 2), (good, 3), (later, 0), (closed, 1)):
        for _ in range(n):
            answer(db, ts, v, {"totaal": 80})
    db.commit()
    scope = scope_of(world.coordinator)

    rows = rates.low_response(db, scope, today)
    assert [r.session.id for r in rows] == [low.id]
    assert rows[0].status is Status.DUE_SOON and rows[0].rate_pct == 17

    # Within 14 days, "later" (closing 31 October) is listed too, soonest first.
    assert [r.session.id for r in rates.low_response(db, scope, today, days=14)] == [low.id, later.id]
    # With a threshold of 80%, "good" (75%) is low as well.
    assert {r.session.id for r in rates.low_response(db, scope, today, threshold_pct=80)} == {low.id, good.id}
    # A window can be just open (not yet "due soon") and still be listed.
    rows = rates.low_response(db, scope, date(2026, 10, 15), days=7)
    assert [r.session.id for r in rows] == [low.id] and rows[0].status is Status.OPEN
    # Another partnership sees only its own session.
    other = rates.low_response(db, scope_of(world.other_coordinator), today, days=60, threshold_pct=100)
    assert [r.session.id for r in other] == [world.session2.id]
    # Settings move the closing date: a 30-day window closes on 31 October.
    db.add(EvaluationSettings(training_id=t.id, participant_window_days=30))
    db.commit()
    assert rates.low_response(db, scope, today) == []


# ----------------------------------------------------------------- pages


@pytest.fixture
def web_world(app):
    """The world in a session of its own, so requests do not share the test's context."""
    with kdb.new_session(app) as s:
        w = factories.build_world(s)
        s.commit()
    return w


def add_answers(app, session_id: int, training_id: int, responses: int, first_text: int = 0) -> int:
    """Bulk-insert participant responses answering every question of the applicable version;
    returns the number of answers added."""
    with kdb.new_session(app) as s:
        v = applicable_version(s, training_id, Audience.PARTICIPANT)
        questions = [(q.id, q.type) for q in v.questions]
        # 1..5; a grade (the overall `totaal`) gets 2..10, in tenths.
        factor = {QuestionType.GRADE: 2 * GRADE_FACTOR}
        ids = s.scalars(
            insert(Response).returning(Response.id),
            [dict(session_id=session_id, version_id=v.id, audience=Audience.PARTICIPANT,
                  source=ResponseSource.LINK) for _ in range(responses)],
        ).all()
        rows = [
            dict(response_id=rid, question_id=qid,
                 value_int=None if qtype is QuestionType.OPEN else (1 + (i + k) % 5) * factor.get(qtype, 1),
                 value_text=f"Open antwoord {first_text + i}" if qtype is QuestionType.OPEN else None)
            for i, rid in enumerate(ids)
            for k, (qid, qtype) in enumerate(questions)
        ]
        s.execute(insert(Answer), rows)
        tally.rebuild(s, [session_id])
        s.commit()
        return len(rows)


@pytest.mark.parametrize("page", ["training", "partnership", "session", "safeguard"])
def test_statement_count_is_the_same_at_50_and_5000_answers(app, web_world, page):
    w = web_world
    urls = {
        "training": f"/resultaten?training={w.training1.id}",
        "partnership": "/resultaten?doelgroep=alle",
        "session": f"/bijeenkomsten/{w.session1.id}/resultaten",
        "safeguard": "/resultaten?waarborg=LO&schooljaar=2026",
    }
    client = app.test_client()
    login(client, w.coordinator)

    small_answers = add_answers(app, w.session1.id, w.training1.id, 6)  # 6 responses × 9 questions
    assert 50 <= small_answers <= 60
    small, small_body = count_statements(app, client, urls[page])

    with kdb.new_session(app) as s:
        other = factories.session(s, s.merge(w.training1, load=False), on=date(2025, 10, 1))
        s.commit()
        other_id = other.id
    large_answers = small_answers + add_answers(app, w.session1.id, w.training1.id, 350, 6)
    large_answers += add_answers(app, other_id, w.training1.id, 200, 356)
    assert large_answers >= 5000
    large, large_body = count_statements(app, client, urls[page])

    assert len(small) == len(large), (
        f"{urls[page]}: {len(small)} statements at {small_answers} answers, {len(large)} at {large_answers}"
    )
    assert large_body != small_body  # the page really shows the larger numbers
    with kdb.new_session(app) as s:
        assert s.scalar(select(func.count()).select_from(Answer)) == large_answers


def test_results_page_shows_numbers_in_tables(app, web_world):
    w = web_world
    add_answers(app, w.session1.id, w.training1.id, 5)
    client = app.test_client()
    login(client, w.steering)
    body = client.get(f"/resultaten?training={w.training1.id}").get_data(as_text=True)
    assert "<caption" in body and 'scope="col"' in body and 'scope="row"' in body
    assert "5 ingevulde vragenlijsten" in body
    assert "Open antwoord 0" in body  # five open answers: shown
    assert "gemiddelde" in body and "<meter" in body
    assert w.training2.title not in body


def test_small_group_on_the_page(app, web_world):
    w = web_world
    add_answers(app, w.session1.id, w.training1.id, 4)
    client = app.test_client()
    login(client, w.coordinator)
    body = client.get(f"/bijeenkomsten/{w.session1.id}/resultaten").get_data(as_text=True)
    assert "Open antwoord" not in body
    assert "4 antwoorden worden niet getoond: ze horen bij een bijeenkomst met minder dan 5" in body
    assert "<meter" not in body
    # The threshold is a setting.
    app.config["MIN_ANSWERS_SHOWN"] = 3
    try:
        body = client.get(f"/bijeenkomsten/{w.session1.id}/resultaten").get_data(as_text=True)
    finally:
        app.config["MIN_ANSWERS_SHOWN"] = 5
    assert "Open antwoord 0" in body and "<meter" in body


def test_rate_pages(app, web_world):
    w = web_world
    add_answers(app, w.session1.id, w.training1.id, 3)
    client = app.test_client()
    login(client, w.coordinator)
    body = client.get(f"/bijeenkomsten/{w.session1.id}/resultaten").get_data(as_text=True)
    assert "25%" in body  # 3 of 12
    body = client.get("/respons").get_data(as_text=True)
    assert w.training1.title in body and "25%" in body and w.training2.title not in body
    body = client.get("/respons/laag?dagen=abc&drempel=500").get_data(as_text=True)
    assert "binnen 7 dagen" in body and "onder 50%" in body  # bad input: the defaults
