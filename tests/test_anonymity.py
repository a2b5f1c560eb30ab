"""Anonymity against a coordinator (issue 6): each attack from the issue, on the real database
(SQLite, or PostgreSQL with KWALITEIT_TEST_DATABASE_URL).

- a session below the threshold shows nowhere: not at session, training, school year, safeguard or
  partnership level, not in an answers or results export, not inside a larger list;
- imported rows never unlock answers given through links (each source reaches the threshold alone);
- no export or page says which source a row came from;
- a response stores no moment of submission, and rows and open answers are listed in an order
  that follows from their values, so the per-link counter ("0 van 1" → "1 van 1") does not point
  at a row.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from evaluaties.answers import links
from evaluaties.answers.models import Answer, ParticipantLink, Response, ResponseSource
from evaluaties.answers.parsing import field_name, parse_value
from evaluaties.questionnaires.models import Audience, QuestionType
from evaluaties.questionnaires.services import applicable_version
from evaluaties.results import anonymity, tally
from evaluaties.results import services as results
from evaluaties.results.services import OpenAnswer, QuestionResult, ResultFilters
from evaluaties.transfer import exporting
from kwaliteit.scope import Scope
from tests import factories
from tests.conftest import login

FEEDBACK = "Ik kan beter feedback geven aan een aankomend leraar."
REMARKS = "Heb je nog opmerkingen of tips?"
BASE_HEADER = ["Training", "Datum bijeenkomst", "Schooljaar", "Vragenlijst", "Versie"]


# ----------------------------------------------------------------- helpers


def link_answers(db, ts, answers: list[tuple[int, str | None]]) -> list[ParticipantLink]:
    """Answers through personal links, given in this order: (value of every closed question, remark)."""
    version = applicable_version(db, ts.training_id, Audience.PARTICIPANT)
    made = links.create_single_links(db, Scope.everything(), ts.id, len(answers))
    for link, (value, remark) in zip(made, answers, strict=True):
        raw = {field_name(q): str(value) for q in version.questions if q.type is not QuestionType.OPEN}
        if remark:
            raw[field_name(next(q for q in version.questions if q.code == "opmerkingen"))] = remark
        links.submit_participant_answers(db, ts.id, link.token, raw, ts.date + timedelta(days=1))
    db.commit()
    return made


def stored_answers(db, ts, answers: list[tuple[int, str | None]], source=ResponseSource.IMPORT,
                   audience=Audience.PARTICIPANT) -> None:
    """Responses inserted as the import stores them (or with another source/audience): every
    closed question that takes the value gets it as the online form would store it."""
    version = applicable_version(db, ts.training_id, audience)
    for value, remark in answers:
        r = Response(session_id=ts.id, version_id=version.id, audience=audience, source=source)
        for q in version.questions:
            if q.type is QuestionType.OPEN:
                continue
            try:
                value_int, _text = parse_value(q, str(value))
            except ValueError:
                continue  # e.g. a trainer's choice question: not needed for these tests
            r.answers.append(Answer(question_id=q.id, value_int=value_int))
        if remark:
            [open_q] = [q for q in version.questions if q.type is QuestionType.OPEN][:1]
            r.answers.append(Answer(question_id=open_q.id, value_text=remark))
        db.add(r)
    db.flush()
    tally.rebuild(db, [ts.id])  # stored as the import does, tally included
    db.commit()


def by_code(rs, code) -> QuestionResult:
    [r] = [r for r in rs.results if r.code == code]
    return r


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def xlsx_cells(data: bytes) -> list:
    book = load_workbook(io.BytesIO(data))
    return [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]


def column(table, text) -> list:
    i = table.header.index(text)
    return [row[i] for row in table.rows]


@pytest.fixture
def two_sessions(db, world):
    """Training 1: a session of 6 answers (1 October 2026) and one of 2 (10 March 2026, the school
    year before), whose answers are recognisable: value 1 and remarks 'Klein geheim'."""
    big = world.session1
    small = factories.session(db, world.training1, on=date(2026, 3, 10))
    db.commit()
    link_answers(db, big, [(4 + i % 2, f"Groot {i}") for i in range(6)])
    link_answers(db, small, [(1, "Klein geheim A"), (1, "Klein geheim B")])
    return big, small


# ----------------------------------------------------------------- the threshold at every level


LEVELS = {
    "training": lambda w: ResultFilters(training_id=w.training1.id),
    "training, participants and trainers": lambda w: ResultFilters(training_id=w.training1.id, audience=None),
    "partnership": lambda w: ResultFilters(partnership_id=w.p1.id),
    "everything in scope": lambda w: ResultFilters(),
    "safeguard": lambda w: ResultFilters(safeguard_code="LO"),
    "school year 2026": lambda w: ResultFilters(school_year=2026),
}


@pytest.mark.parametrize("level", LEVELS)
def test_a_small_session_shows_at_no_level(db, world, two_sessions, level):
    big, small = two_sessions
    rs = results.results(db, Scope.for_user(world.coordinator), LEVELS[level](world), min_shown=5)
    assert (rs.responses, rs.sessions) == (6, 1)
    assert rs.withheld == (0 if level == "school year 2026" else 2)
    feedback = by_code(rs, "feedback")
    assert feedback.count == 6 and 1 not in feedback.counts
    if level != "safeguard":  # the remarks question has no safeguard
        remarks = by_code(rs, "opmerkingen")
        assert remarks.count == 6  # counted at every level, from the tally
        if level.startswith("training"):
            assert sorted(a.text for a in remarks.open_answers) == [f"Groot {i}" for i in range(6)]
            assert {a.session_date for a in remarks.open_answers} == {big.date}
        else:  # the texts are read per training or session only (a page at a time)
            assert not rs.open_answers_read and remarks.open_answers == []
    # The school-year table holds no cell of the small session's year.
    assert 2025 not in rs.years and all(2025 not in row.cells for row in rs.by_year)
    lo = {s.code: s for s in rs.safeguard_summaries()}["LO"]
    assert lo.scale_count == 3 * 6


def test_the_small_session_alone_and_its_school_year_release_nothing(db, world, two_sessions):
    _big, small = two_sessions
    scope = Scope.for_user(world.coordinator)
    for f in (ResultFilters(session_id=small.id), ResultFilters(school_year=2025),
              ResultFilters(session_id=small.id, audience=None)):
        rs = results.results(db, scope, f, min_shown=5)
        assert rs.results == [] and rs.responses == 0 and rs.by_year == [] and rs.safeguard_summaries() == []
        assert rs.withheld == 2
        assert rs.withheld_message == (
            "2 antwoorden worden niet getoond: ze horen bij een bijeenkomst met minder dan 5 antwoorden "
            "(antwoorden via links en ingelezen antwoorden tellen apart, net als de antwoorden per versie van de "
            "vragenlijst)."
        )
    with pytest.raises(exporting.TooFewAnswers, match="vanaf 5 antwoorden per bijeenkomst"):
        exporting.answers_table(db, scope, session_id=small.id, min_shown=5)
    # With a lower threshold the same session is released: the rule, not the data, withholds it.
    assert results.results(db, scope, ResultFilters(session_id=small.id), min_shown=2).responses == 2


def test_exports_of_a_training_hold_nothing_of_the_small_session(db, world, two_sessions):
    big, small = two_sessions
    scope = Scope.for_user(world.coordinator)
    table = exporting.answers_table(db, scope, training_id=world.training1.id, min_shown=5)
    assert len(table.rows) == 6
    assert {row[1] for row in table.rows} == {big.date}
    assert 1 not in column(table, FEEDBACK)
    assert not any("Klein" in str(cell) for row in table.rows for cell in row)
    for data in (exporting.answers_csv(table), exporting.answers_xlsx(table)):
        text = data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else repr(xlsx_cells(data))
        assert "Klein" not in text and "10-03-2026" not in text and "2026, 3, 10" not in text

    rs = results.results(db, scope, ResultFilters(training_id=world.training1.id), min_shown=5,
                         with_years=False)
    cells = xlsx_cells(exporting.results_xlsx(rs))
    assert not any("Klein" in str(c) for c in cells)
    assert datetime(2026, 3, 10) not in cells and small.date not in cells
    assert datetime(2026, 10, 1) in cells  # the open answers of the big session, with its date
    rows = csv_rows(exporting.results_csv(rs))
    feedback = dict(zip(rows[0], next(r for r in rows if r[1] == "feedback"), strict=True))
    assert feedback["Aantal antwoorden"] == "6" and feedback["Aantal 1"] == "0"


def test_pages_and_downloads_hold_nothing_of_the_small_session(app, db, world, two_sessions, client):
    _big, small = two_sessions
    login(client, world.coordinator)
    t = world.training1.id
    for url in (f"/resultaten?training={t}", "/resultaten", "/resultaten?waarborg=LO",
                "/resultaten?schooljaar=2025",
                f"/resultaten?training={t}&doelgroep=alle", f"/bijeenkomsten/{small.id}/resultaten"):
        body = client.get(url).get_data(as_text=True)
        assert "Klein geheim" not in body, url
        assert "2 antwoorden worden niet getoond" in body, url
        if "bijeenkomsten" not in url:
            assert "10 maart 2026" not in body, url
    body = client.get(f"/bijeenkomsten/{small.id}/resultaten").get_data(as_text=True)
    assert "<meter" not in body and "gemiddelde" not in body

    for url in (f"/trainingen/{t}/antwoorden.csv", f"/trainingen/{t}/antwoorden.xlsx",
                f"/resultaten/export.csv?training={t}", f"/resultaten/export.xlsx?training={t}",
                "/resultaten/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        data = response.get_data()
        text = repr(xlsx_cells(data)) if ".xlsx" in url else data.decode("utf-8-sig")
        assert "Klein" not in text and "10-03-2026" not in text and "2026, 3, 10" not in text, url
    response = client.get(f"/bijeenkomsten/{small.id}/antwoorden.csv")
    assert response.status_code == 302  # no file: back to the page with the message


def test_a_safeguard_filter_says_nothing_about_what_a_small_session_answered(db, world, two_sessions):
    """The withheld count of a safeguard's results is that of the whole selection: counted only over
    responses with an answer to one of the safeguard's questions, it would tell whether the people of a
    small session skipped those questions (an optional question of a coordinator's own questionnaire)."""
    _big, small = two_sessions
    # A third person of the small session answered only the open question.
    stored_answers(db, small, [("geen antwoord", "Alleen een opmerking")], source=ResponseSource.LINK)
    scope = Scope.for_user(world.coordinator)
    whole = results.results(db, scope, ResultFilters(training_id=world.training1.id), min_shown=5)
    assert (whole.responses, whole.withheld) == (6, 3)
    for code in ("LO", "LL", "KC", "OR", "XX"):
        rs = results.results(
            db, scope, ResultFilters(training_id=world.training1.id, safeguard_code=code), min_shown=5
        )
        assert rs.withheld == 3, code
        assert rs.responses == (0 if code == "XX" else 6), code


# ----------------------------------------------------------------- padding by import


def test_imported_rows_do_not_unlock_link_answers(db, world):
    ts = world.session1
    scope = Scope.for_user(world.coordinator)
    link_answers(db, ts, [(1, "Echt A"), (1, "Echt B")])
    stored_answers(db, ts, [(3, "Dummy")] * 3)  # 2 + 3 = 5, but not of one source

    rs = results.results(db, scope, ResultFilters(session_id=ts.id), min_shown=5)
    assert rs.results == [] and rs.withheld == 5
    with pytest.raises(exporting.TooFewAnswers):
        exporting.answers_table(db, scope, session_id=ts.id, min_shown=5)
    with pytest.raises(exporting.TooFewAnswers):
        exporting.answers_table(db, scope, training_id=world.training1.id, min_shown=5)

    # Five imported rows are released on their own; the two link answers still are not.
    stored_answers(db, ts, [(3, "Dummy")] * 2)
    rs = results.results(db, scope, ResultFilters(session_id=ts.id), min_shown=5)
    assert (rs.responses, rs.withheld) == (5, 2)
    assert by_code(rs, "feedback").counts == {3: 5}
    assert [a.text for a in by_code(rs, "opmerkingen").open_answers] == ["Dummy"] * 5
    table = exporting.answers_table(db, scope, training_id=world.training1.id, min_shown=5)
    assert column(table, FEEDBACK) == [3] * 5 and column(table, REMARKS) == ["Dummy"] * 5

    # Three more link answers: now the link group reaches 5 too, and both are released.
    link_answers(db, ts, [(2, None)] * 3)
    rs = results.results(db, scope, ResultFilters(session_id=ts.id), min_shown=5)
    assert (rs.responses, rs.withheld) == (10, 0)
    assert by_code(rs, "feedback").counts == {1: 2, 2: 3, 3: 5}


def test_trainer_evaluations_never_count_towards_a_participant_group(db, world):
    ts = world.session1
    scope = Scope.for_user(world.coordinator)
    link_answers(db, ts, [(1, "Echt A"), (1, "Echt B")])
    stored_answers(db, ts, [(4, None)] * 3, source=ResponseSource.TRAINER, audience=Audience.TRAINER)
    # A row that claims to be a participant's but came in as a trainer's is never released either.
    stored_answers(db, ts, [(4, None)] * 5, source=ResponseSource.TRAINER)

    participants = results.results(db, scope, ResultFilters(session_id=ts.id), min_shown=5)
    assert participants.results == [] and participants.withheld == 7
    # Trainer evaluations are named: shown as before (their own questionnaire, their own count).
    both = results.results(db, scope, ResultFilters(session_id=ts.id, audience=None), min_shown=5)
    assert {r.audience for r in both.results} == {Audience.TRAINER}
    assert both.responses == 3 and both.withheld == 7
    trainers = exporting.answers_table(db, scope, session_id=ts.id, audience=Audience.TRAINER, min_shown=5)
    assert len(trainers.rows) == 3


# ----------------------------------------------------------------- no source, no moment


def test_no_export_or_result_says_where_a_row_came_from(db, world):
    ts = world.session1
    scope = Scope.for_user(world.coordinator)
    same = [(4, "Goed"), (5, "Prima"), (3, None), (4, "Goed"), (2, "Matig")]
    link_answers(db, ts, same)
    stored_answers(db, ts, same)

    table = exporting.answers_table(db, scope, session_id=ts.id, min_shown=5)
    questions = [q.text for q in applicable_version(db, ts.training_id, Audience.PARTICIPANT).questions]
    assert table.header == BASE_HEADER + questions  # no "Bron", no "Ingevuld op"
    assert len(table.rows) == 10
    # A link answer and the imported copy of it are the same row: nothing tells them apart.
    for i in range(0, 10, 2):
        assert table.rows[i] == table.rows[i + 1]
    csv_cells = [c for row in csv_rows(exporting.answers_csv(table)) for c in row]
    for cells in (csv_cells, xlsx_cells(exporting.answers_xlsx(table))):
        assert not {"Bron", "Ingevuld op", "link", "import", "trainer"} & {str(c) for c in cells}

    rs = results.results(db, scope, ResultFilters(session_id=ts.id), min_shown=5)
    assert "source" not in QuestionResult.__dataclass_fields__
    assert "source" not in OpenAnswer.__dataclass_fields__
    cells = xlsx_cells(exporting.results_xlsx(rs))
    assert not {"link", "import"} & {str(c).casefold() for c in cells}


def test_a_response_has_no_moment_of_submission(db, world):
    assert not hasattr(Response, "submitted_on")
    [link] = link_answers(db, world.session1, [(4, None)])
    db.refresh(link)
    assert link.used_count == 1
    response = db.query(Response).one()
    # What a response holds: where it belongs and how it came in, never when.
    assert {c.name for c in Response.__table__.columns} >= {"session_id", "version_id", "audience", "source"}
    assert not [c.name for c in Response.__table__.columns if c.name.endswith(("_on", "_at"))]
    assert response.session_id == world.session1.id


# ----------------------------------------------------------------- order


def test_export_rows_follow_their_values_not_their_insertion(db, world):
    ts = world.session1
    scope = Scope.for_user(world.coordinator)
    given = [(5, "zeer goed"), (5, "Prima"), (4, None), (3, "Matig"), (2, "Aardig"), (1, "Slecht")]
    link_answers(db, ts, given)  # in descending order of value
    table = exporting.answers_table(db, scope, session_id=ts.id, min_shown=5)
    values = column(table, FEEDBACK)
    assert values == [1, 2, 3, 4, 5, 5]
    assert values != [v for v, _ in given]
    # Equal values: then the next columns, texts casefolded ("Prima" before "zeer goed").
    assert column(table, REMARKS)[-2:] == ["Prima", "zeer goed"]

    # A training's rows: first by session date, whatever was answered first.
    earlier = factories.session(db, world.training1, on=date(2026, 9, 1))
    db.commit()
    link_answers(db, earlier, [(5, None)] * 5)
    table = exporting.answers_table(db, scope, training_id=world.training1.id, min_shown=5)
    assert [row[1] for row in table.rows] == [earlier.date] * 5 + [ts.date] * 6
    assert column(table, FEEDBACK) == [5] * 5 + [1, 2, 3, 4, 5, 5]


def test_open_answers_are_listed_by_their_text_never_newest_first(db, world):
    ts = world.session1
    scope = Scope.for_user(world.coordinator)
    given = ["Midden", "zeer goed", "Aardig", "boeiend", "Prima", "Échte aanrader"]
    link_answers(db, ts, [(4, text) for text in given])
    rs = results.results(db, scope, ResultFilters(session_id=ts.id), min_shown=5)
    shown = [a.text for a in by_code(rs, "opmerkingen").open_answers]
    assert shown == sorted(given, key=str.casefold)
    assert shown == ["Aardig", "boeiend", "Midden", "Prima", "zeer goed", "Échte aanrader"]
    assert shown not in (given, given[::-1])  # neither first-given nor newest first

    # Cut to a few per question: the first by text, not the newest.
    rs = results.results(db, scope, ResultFilters(session_id=ts.id), min_shown=5, open_per_question=3)
    assert [a.text for a in by_code(rs, "opmerkingen").open_answers] == ["Aardig", "boeiend", "Midden"]

    rows = load_workbook(io.BytesIO(exporting.results_xlsx(
        results.results(db, scope, ResultFilters(session_id=ts.id), min_shown=5))))["Open antwoorden"]
    assert [r[5].value for r in rows.iter_rows(min_row=2)] == shown


def test_a_new_version_does_not_point_at_the_answers_given_after_it(db, world):
    """Rows of a later version of the questionnaire were given later: its number, its new questions,
    a changed type all show in a row. A coordinator who publishes a version just before X uses their
    link could point at X's row. So the answers on each version of a session form a group of their
    own (per source), released only from the threshold on."""
    from evaluaties.questionnaires import services as qs

    ts = world.session1
    scope = Scope.for_user(world.coordinator)
    link_answers(db, ts, [(4, "Eerder")] * 4)
    v1 = applicable_version(db, ts.training_id, Audience.PARTICIPANT)
    v2 = qs.start_new_version(db, Scope.everything(), v1.questionnaire_id)
    qs.publish(db, Scope.everything(), v2.id)
    db.commit()
    link_answers(db, ts, [(1, "X")])  # 5 answers through links, but 4 + 1 per version

    rs = results.results(db, scope, ResultFilters(session_id=ts.id), min_shown=5)
    assert rs.results == [] and (rs.responses, rs.withheld) == (0, 5)
    with pytest.raises(exporting.TooFewAnswers, match="per versie van de vragenlijst"):
        exporting.answers_table(db, scope, session_id=ts.id, min_shown=5)
    assert rs.withheld_message.endswith("tellen apart, net als de antwoorden per versie van de vragenlijst).")

    # Four more on the new version: that group is released; the four on the old one still are not.
    link_answers(db, ts, [(2, "Later")] * 4)
    table = exporting.answers_table(db, scope, session_id=ts.id, min_shown=5)
    assert column(table, "Versie") == [v2.number] * 5 and sorted(column(table, FEEDBACK)) == [1, 2, 2, 2, 2]
    rs = results.results(db, scope, ResultFilters(training_id=world.training1.id), min_shown=5)
    assert (rs.responses, rs.withheld) == (5, 4)
    assert "Eerder" not in [a.text for a in by_code(rs, "opmerkingen").open_answers]


def test_the_link_counter_does_not_point_at_a_row(db, world):
    """A coordinator sees per personal link "0 van 1" → "1 van 1". Whoever answered first, the
    export of a session is the same: it depends on the answers, not on the order they came in."""
    scope = Scope.for_user(world.coordinator)
    first = world.session1
    second = factories.session(db, world.training1, on=date(2026, 10, 8))
    db.commit()
    for ts in (first, second):
        link_answers(db, ts, [(5, "Top")] * 5)
    before = exporting.answers_table(db, scope, session_id=first.id, min_shown=5)

    # In the first session X (value 3) answers before Y (value 1); in the second, Y before X.
    [x1] = link_answers(db, first, [(3, "X")])
    db.refresh(x1)
    assert (x1.used_count, x1.max_uses) == (1, 1)  # the page now shows "1 van 1" for X's link
    after_x = exporting.answers_table(db, scope, session_id=first.id, min_shown=5)
    link_answers(db, first, [(1, "Y")])
    link_answers(db, second, [(1, "Y")])
    link_answers(db, second, [(3, "X")])

    tables = [exporting.answers_table(db, scope, session_id=ts.id, min_shown=5) for ts in (first, second)]
    question_columns = [[row[len(BASE_HEADER):] for row in t.rows] for t in tables]
    assert question_columns[0] == question_columns[1]
    # The newest answer is not the last row; it sits where its values put it.
    assert [row[-1] for row in tables[0].rows] == ["Y", "X"] + ["Top"] * 5
    assert after_x.rows[-1] == before.rows[-1] and after_x.rows[0][-1] == "X"


# ----------------------------------------------------------------- the per-question layer


def test_a_question_with_few_answers_in_a_released_session_shows_only_its_count(db, world):
    ts = world.session1
    scope = Scope.for_user(world.coordinator)
    link_answers(db, ts, [(4, "Een"), (4, "Twee")] + [(5, None)] * 4)
    rs = results.results(db, scope, ResultFilters(session_id=ts.id), min_shown=5)
    remarks = by_code(rs, "opmerkingen")
    assert rs.responses == 6 and remarks.count == 2 and not remarks.shown and remarks.open_answers == []
    rows = csv_rows(exporting.results_csv(rs))
    row = dict(zip(rows[0], next(r for r in rows if r[1] == "opmerkingen"), strict=True))
    assert row["Aantal antwoorden"] == "2"
    assert row["Opmerking"] == "Minder dan 5 antwoorden: alleen het aantal."
    assert load_workbook(io.BytesIO(exporting.results_xlsx(rs)))["Open antwoorden"].max_row == 1


def test_the_threshold_comes_from_the_configuration(app):
    assert anonymity.threshold({}) == anonymity.DEFAULT_MIN_SHOWN == 5
    assert anonymity.threshold({"MIN_ANSWERS_SHOWN": 8}) == 8
    assert anonymity.threshold({"MIN_ANSWERS_SHOWN": 0}) == 1  # never "release everything"
    assert anonymity.threshold(app.config) == app.config["MIN_ANSWERS_SHOWN"]


# ----------------------------------------------------------------- a partnership's own threshold


def test_a_partnership_with_a_higher_threshold_is_held_to_it(client, db, world):
    """Beheer lets a partnership raise the threshold (7 here): its sessions of 6 answers stay
    withheld, while another partnership with the application's 5 shows its session of 6."""
    from kwaliteit.registry.models import PartnershipSettings

    db.add(PartnershipSettings(partnership_id=world.p1.id, min_answers_shown=7))
    db.commit()
    six = [(4, f"Opmerking {i}") for i in range(6)]
    link_answers(db, world.session1, six)
    link_answers(db, world.session2, six)
    everything = Scope.everything()

    # The rule itself, with the application's minimum of 5: each partnership by its own.
    p1 = results.results(db, everything, ResultFilters(training_id=world.training1.id), min_shown=5)
    p2 = results.results(db, everything, ResultFilters(training_id=world.training2.id), min_shown=5)
    assert p1.results == [] and p1.withheld == 6
    assert p2.responses == 6 and p2.withheld == 0
    with pytest.raises(exporting.TooFewAnswers):
        exporting.answers_table(db, everything, session_id=world.session1.id, min_shown=5)
    assert len(exporting.answers_table(db, everything, session_id=world.session2.id, min_shown=5).rows) == 6

    # Above a training (the rollup less the withheld groups): each partnership by its own
    # threshold, whoever reads; one partnership's raised threshold withholds nothing elsewhere.
    for scope, shown in (
        (everything, 6), (Scope.for_user(world.coordinator), 0), (Scope.for_user(world.other_coordinator), 6),
    ):
        rs = results.results(db, scope, ResultFilters(), min_shown=5)
        counts = {r.code: r.count for r in rs.results}
        assert rs.responses == shown and bool(counts) == bool(shown), (scope, counts)
        assert all(n == shown for n in counts.values()), (scope, counts)

    # A page applies the reader's strictest threshold and says so.
    assert anonymity.scope_threshold(db, Scope.for_user(world.coordinator), 5) == 7
    assert anonymity.scope_threshold(db, Scope.for_user(world.other_coordinator), 5) == 5
    assert anonymity.scope_threshold(db, everything, 5) == 7
    login(client, world.coordinator)
    body = client.get(f"/resultaten?training={world.training1.id}").get_data(as_text=True)
    assert "minder dan 7 antwoorden" in body and "Opmerking 3" not in body
