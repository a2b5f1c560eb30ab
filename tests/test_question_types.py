"""The question types grade (cijfer 1–10, stored in tenths) and multi (several options, stored as a
bitmask): parsing, the builder, the answer forms, results, exports, the database constraint and the
shipped participant questionnaire's new version (issue 6)."""
from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from evaluaties.answers import links
from evaluaties.answers.models import Answer, Response, ResponseSource
from evaluaties.answers.parsing import display_value, parse_answers, parse_value
from evaluaties.questionnaires import services as qs
from evaluaties.questionnaires.models import (
    GRADE_FACTOR,
    MAX_ANSWER_VALUE,
    MAX_MULTI_OPTIONS,
    Audience,
    EvaluationSettings,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
    multi_indexes,
    multi_mask,
)
from evaluaties.results import services as results
from evaluaties.results import tally
from evaluaties.results.services import ResultFilters
from evaluaties.transfer import exporting
from kwaliteit import db as kdb
from kwaliteit.models_base import utcnow
from kwaliteit.scope import Scope
from kwaliteit.validation import ValidationError
from tests.conftest import count_statements, login

D = date(2026, 10, 1)  # the date of world.session1
PARTS = ["Theorie", "Oefenen", "Uitwisseling", "Casussen"]
GRADE_ERROR = "Geef een cijfer van 1 tot en met 10, met hoogstens één decimaal (bijvoorbeeld 7 of 7,5)"


def grade_question(required=True) -> Question:
    return Question(code="cijfer", text="Welk cijfer?", type=QuestionType.GRADE, required=required, options=[])


def multi_question(options=PARTS, required=True) -> Question:
    return Question(code="onderdelen", text="Welke onderdelen?", type=QuestionType.MULTI, required=required,
                    options=list(options))


def make_version(db, partnership, audience=Audience.PARTICIPANT, title="Cijfers en keuzes", required=True,
                 safeguard="LO") -> QuestionnaireVersion:
    """A published version with a grade, a multi and a scale question (codes cijfer, onderdelen, schaal)."""
    q = Questionnaire(partnership=partnership, title=title, audience=audience)
    v = QuestionnaireVersion(number=1, published_at=utcnow())
    v.questions = [
        Question(code="cijfer", position=0, text="Welk cijfer geef je?", type=QuestionType.GRADE,
                 required=True, options=[], safeguard_code=safeguard),
        Question(code="onderdelen", position=1, text="Welke onderdelen hielpen je?", type=QuestionType.MULTI,
                 required=required, options=list(PARTS)),
        Question(code="schaal", position=2, text="Hoe tevreden ben je?", type=QuestionType.SCALE,
                 required=True, options=["a", "b", "c", "d", "e"], safeguard_code=safeguard),
    ]
    q.versions.append(v)
    db.add(q)
    db.flush()
    return v


def respond(db, ts, version, values: dict, audience=Audience.PARTICIPANT) -> Response:
    by_code = {q.code: q for q in version.questions}
    r = Response(session_id=ts.id, version_id=version.id, audience=audience,
                 source=ResponseSource.LINK if audience is Audience.PARTICIPANT else ResponseSource.TRAINER)
    r.answers = [Answer(question_id=by_code[code].id, value_int=v) for code, v in values.items()]
    db.add(r)
    db.flush()
    tally.rebuild(db, [ts.id])
    return r


def by_code(rs, code, qtype=None):
    [r] = [r for r in rs.results if r.code == code and (qtype is None or r.type is qtype)]
    return r


# ----------------------------------------------------------------- parsing: grade


@pytest.mark.parametrize(
    "raw, tenths",
    [("7", 70), ("7,5", 75), ("7.5", 75), (" 8 ", 80), ("1", 10), ("10", 100), ("10,0", 100), ("1,0", 10),
     ("5,5", 55), ("07", 70), ("6,50", 65), ("\u00a09,9\t", 99)],
)
def test_grade_accepts_one_to_ten_with_one_decimal(raw, tenths):
    assert parse_value(grade_question(), raw) == (tenths, None)


@pytest.mark.parametrize(
    "raw",
    ["0", "0,9", "10,5", "10.1", "11", "100", "7,55", "7,", ",5", "abc", "1e1", "NaN", "nan", "inf", "-7", "+7",
     "7 ,5", "7,5,5", "٧", "７", "²", "7½", "", "7;8"],
)
def test_grade_refuses_anything_else_with_the_range_in_dutch(raw):
    with pytest.raises(ValueError) as exc:
        parse_value(grade_question(), raw)
    assert str(exc.value).startswith(GRADE_ERROR)


def test_a_quoted_value_is_cut():
    with pytest.raises(ValueError) as exc:
        parse_value(grade_question(), "9" * 1_000_000)
    assert len(str(exc.value)) < 250 and "…" in str(exc.value)


def test_grade_display_round_trip_for_every_value():
    q = grade_question()
    shown = {tenths: display_value(q, Answer(value_int=tenths)) for tenths in range(10, 101)}
    assert shown[75] == "7,5" and shown[80] == "8" and shown[10] == "1" and shown[100] == "10"
    assert all(parse_value(q, text) == (tenths, None) for tenths, text in shown.items())


# ----------------------------------------------------------------- parsing: multi


def test_multi_accepts_a_list_or_a_string_with_semicolons():
    q = multi_question()
    both = multi_mask([0, 2])
    assert parse_value(q, ["Theorie", "Uitwisseling"]) == (both, None)
    assert parse_value(q, "Theorie;Uitwisseling") == (both, None)
    assert parse_value(q, "  uitwisseling ; THEORIE ;; theorie ") == (both, None)  # case, spaces, twice
    assert parse_value(q, ["Casussen"]) == (1 << 3, None)
    assert multi_indexes(both) == [0, 2]


def test_multi_refuses_an_unknown_option_and_names_the_allowed_ones():
    q = multi_question()
    with pytest.raises(ValueError) as exc:
        parse_value(q, "Theorie; Lunch")
    message = str(exc.value)
    assert "‘Theorie’, ‘Oefenen’, ‘Uitwisseling’, ‘Casussen’" in message and "Lunch" in message
    many = multi_question([f"Optie {i}" for i in range(1, 26)])
    with pytest.raises(ValueError) as exc:
        parse_value(many, ["Optie 99"])
    assert "‘Optie 10’ en 15 meer" in str(exc.value) and "Optie 11’" not in str(exc.value)


def test_multi_display_round_trip():
    q = multi_question()
    for mask in range(1, 1 << len(PARTS)):
        text = display_value(q, Answer(value_int=mask))
        assert parse_value(q, text) == (mask, None)
    assert display_value(q, Answer(value_int=multi_mask([1, 3]))) == "Oefenen; Casussen"


def test_the_largest_multi_fits_the_constraint():
    q = multi_question([f"Optie {i}" for i in range(MAX_MULTI_OPTIONS)])
    mask, _ = parse_value(q, list(q.options))
    assert mask == MAX_ANSWER_VALUE < 2**31


def test_empty_multi_required_or_optional():
    version = QuestionnaireVersion(number=1)
    version.questions = [multi_question(required=True)]
    for empty in ([], [""], "", " ; ", None):
        answers, errors = parse_answers(version, {"q_onderdelen": empty})
        assert answers == [] and errors == {"q_onderdelen": "Deze vraag is verplicht."}
    version.questions = [multi_question(required=False)]
    answers, errors = parse_answers(version, {"q_onderdelen": []})
    assert answers == [] and errors == {}  # optional and nothing chosen: no Answer row
    answers, errors = parse_answers(version, {"q_onderdelen": ["Oefenen", ""]})
    assert [a.value_int for a in answers] == [2] and errors == {}


# ----------------------------------------------------------------- the database


def test_the_answer_check_allows_the_mask_and_nothing_beyond(db, world):
    v = make_version(db, world.p1)
    respond(db, world.session1, v, {"onderdelen": MAX_ANSWER_VALUE, "cijfer": 100})
    db.commit()
    assert db.scalar(select(func.max(Answer.value_int))) == MAX_ANSWER_VALUE
    for bad in (MAX_ANSWER_VALUE + 1, -1):
        with pytest.raises(IntegrityError):
            respond(db, world.session1, v, {"onderdelen": bad})
        db.rollback()


# ----------------------------------------------------------------- the questionnaire builder


def test_builder_offers_grade_and_multi(app, world):
    client = app.test_client()
    login(client, world.coordinator)
    with kdb.new_session(app) as s:
        q = qs.create_questionnaire(s, Scope.everything(), world.p1.id, "Nieuwe typen", Audience.PARTICIPANT)
        s.commit()
        qid, vid = q.id, q.versions[0].id
    url = f"/vragenlijsten/versies/{vid}/vragen/nieuw"
    form = client.get(url).get_data(as_text=True)
    assert '<option value="grade">Cijfer 1–10</option>' in form
    assert '<option value="multi">Meerdere keuzes uit een lijst</option>' in form

    def post(**data):
        return client.post(url, data={"required": "y", **data})

    too_many = "\n".join(f"Optie {i}" for i in range(MAX_MULTI_OPTIONS + 1))
    for options, message in [
        ("Alleen deze", "Geef minstens twee keuzemogelijkheden"),
        (too_many, f"Geef hoogstens {MAX_MULTI_OPTIONS} keuzemogelijkheden."),
        ("Ja\nja", "Geef elke keuzemogelijkheid maar één keer."),
        ("Theorie; praktijk\nAnders", "mag geen ‘;’ bevatten"),
    ]:
        response = post(text="Welke?", question_type="multi", options=options)
        assert response.status_code == 400 and message in response.get_data(as_text=True), message
    assert post(text="Welke onderdelen?", question_type="multi",
                options="\n".join(f"Optie {i}" for i in range(MAX_MULTI_OPTIONS))).status_code == 302
    # A grade has no options: whatever is typed there is dropped.
    assert post(text="Welk cijfer?", question_type="grade", options="iets").status_code == 302
    with kdb.new_session(app) as s:
        questions = qs.load_version(s, vid).questions
        assert [(x.type, len(x.options)) for x in questions] == [
            (QuestionType.MULTI, MAX_MULTI_OPTIONS), (QuestionType.GRADE, 0)]
        qs.publish(s, Scope.everything(), vid)
        s.commit()
    page = client.get(f"/vragenlijsten/{qid}").get_data(as_text=True)
    assert "Cijfer 1–10" in page and "Meerdere keuzes uit een lijst" in page and "Optie 29" in page


# ----------------------------------------------------------------- answer forms


@pytest.fixture
def on_session_day(app, monkeypatch):
    monkeypatch.setitem(app.config, "FIXED_TODAY", D)


def _use(db, training, version, audience=Audience.PARTICIPANT):
    field = "participant_questionnaire_id" if audience is Audience.PARTICIPANT else "trainer_questionnaire_id"
    db.add(EvaluationSettings(training_id=training.id, **{field: version.questionnaire_id}))
    db.commit()


def test_participant_form_with_grade_and_multi(client, db, world, on_session_day):
    v = make_version(db, world.p1)
    _use(db, world.training1, v)
    [link] = links.create_single_links(db, Scope.for_user(world.coordinator), world.session1.id, 1)
    db.commit()
    url = f"/e/{world.session1.id}/{link.token}"
    page = client.get(url).get_data(as_text=True)
    # The grade: a text box for a decimal comma, with its hint tied to it.
    grade = re.search(r"<input[^>]*name=\"q_cijfer\"[^>]*>", page)[0]
    assert 'inputmode="decimal"' in grade and 'type="text"' in grade and 'aria-describedby="q_cijfer-hint"' in grade
    assert '<p class="hint" id="q_cijfer-hint">Een cijfer van 1 tot en met 10, bijvoorbeeld 7 of 7,5.</p>' in page
    # The multi: a fieldset with a legend and a labelled checkbox per option.
    fieldset = page[page.index('<fieldset id="q_onderdelen"'):]
    fieldset = fieldset[: fieldset.index("</fieldset>")]
    assert "<legend>2. Welke onderdelen hielpen je?" in fieldset
    for i, option in enumerate(PARTS):
        assert f'<input id="q_onderdelen-{i}" name="q_onderdelen" type="checkbox" value="{option}">' in fieldset
        assert f'<label for="q_onderdelen-{i}">{option}</label>' in fieldset

    # Errors keep what was entered: the grade text and the ticked boxes.
    response = client.post(url, data={"q_cijfer": "7,55", "q_onderdelen": ["Oefenen", "Casussen"]})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert GRADE_ERROR in page and 'value="7,55"' in page and "Deze vraag is verplicht." in page
    assert 'checked id="q_onderdelen-1"' in page or re.search(r'id="q_onderdelen-1"[^>]*checked', page)
    assert not re.search(r'id="q_onderdelen-0"[^>]*checked', page)

    response = client.post(url, data={"q_cijfer": " 7,5 ", "q_onderdelen": ["Oefenen", "Casussen", "Oefenen"],
                                      "q_schaal": "4"})
    assert response.status_code == 302
    db.rollback()
    answers = {a.question.code: a.value_int for a in db.scalars(select(Answer))}
    assert answers == {"cijfer": 75, "onderdelen": multi_mask([1, 3]), "schaal": 4}


def test_the_questions_kept_per_version_are_the_questions_rendered_in_full(app, client, db, world, on_session_day):
    """The answer page keeps the rendered questions of an empty form per published version
    (views._empty_questions); with templates reloaded (debug) it renders them each time. Both give
    the same page, but for the CSRF token."""
    v = make_version(db, world.p1)
    _use(db, world.training1, v)
    [link] = links.create_single_links(db, Scope.for_user(world.coordinator), world.session1.id, 1)
    db.commit()
    url = f"/e/{world.session1.id}/{link.token}"

    def page():
        response = client.get(url)
        assert response.status_code == 200
        return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", response.get_data(as_text=True))

    kept = [page(), page()]
    app.jinja_env.auto_reload = True
    try:
        in_full = page()
    finally:
        app.jinja_env.auto_reload = False
    assert kept[0] == kept[1] == in_full
    assert 'id="q_onderdelen-0"' in in_full and 'name="q_cijfer"' in in_full


def test_participant_form_refuses_an_unknown_option_and_an_empty_required_multi(client, db, world, on_session_day):
    v = make_version(db, world.p1)
    _use(db, world.training1, v)
    [link] = links.create_single_links(db, Scope.for_user(world.coordinator), world.session1.id, 1)
    db.commit()
    url = f"/e/{world.session1.id}/{link.token}"
    response = client.post(url, data={"q_cijfer": "8", "q_onderdelen": ["Lunch"], "q_schaal": "4"})
    assert response.status_code == 400
    assert "Kies uit de mogelijkheden ‘Theorie’" in response.get_data(as_text=True)
    response = client.post(url, data={"q_cijfer": "8", "q_schaal": "4"})
    assert response.status_code == 400 and "Deze vraag is verplicht." in response.get_data(as_text=True)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Response)) == 0


@pytest.mark.parametrize(
    "grade, chosen",
    [("7\x00", ["Theorie"]), ("8", ["Theorie\x00"]), ("9" * 100_000, ["Oefenen"]), ("8", ["x" * 1_000_000]),
     ("1e309", ["Theorie"]), ("8", [f"Optie {i}" for i in range(2000)]), ("\u202e8", ["Theorie"])],
)
def test_hostile_grade_and_multi_input_is_refused_and_saves_nothing(client, db, world, on_session_day, grade, chosen):
    v = make_version(db, world.p1)
    _use(db, world.training1, v)
    [link] = links.create_single_links(db, Scope.for_user(world.coordinator), world.session1.id, 1)
    db.commit()
    response = client.post(f"/e/{world.session1.id}/{link.token}",
                           data={"q_cijfer": grade, "q_onderdelen": chosen, "q_schaal": "4"})
    assert response.status_code == 400
    assert len(response.get_data()) < 100_000  # the value is quoted cut, not whole
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Response)) == 0


def test_optional_multi_left_empty_gives_no_answer_row(client, db, world, on_session_day):
    v = make_version(db, world.p1, required=False)
    _use(db, world.training1, v)
    [link] = links.create_single_links(db, Scope.for_user(world.coordinator), world.session1.id, 1)
    db.commit()
    response = client.post(f"/e/{world.session1.id}/{link.token}", data={"q_cijfer": "6", "q_schaal": "3"})
    assert response.status_code == 302
    db.rollback()
    assert {a.question.code for a in db.scalars(select(Answer))} == {"cijfer", "schaal"}


def test_trainer_form_shows_saved_grade_and_multi_again(client, db, world, on_session_day):
    v = make_version(db, world.p1, audience=Audience.TRAINER, title="Trainer met cijfer")
    _use(db, world.training1, v, Audience.TRAINER)
    login(client, world.trainer)
    url = f"/bijeenkomsten/{world.session1.id}/trainersevaluatie"
    data = {"q_cijfer": "8,5", "q_onderdelen": ["Theorie", "Uitwisseling"], "q_schaal": "5"}
    assert client.post(url, data=data).status_code == 302
    # A submitted evaluation opens read-only; its form is one explicit step away (issue 8).
    page = client.get(url).get_data(as_text=True)
    assert "8,5" in page and 'name="q_cijfer"' not in page
    page = client.get(url + "?bewerken=1").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="q_cijfer"[^>]*value="8,5"', page)
    checked = {int(i) for i in re.findall(r'<input checked id="q_onderdelen-(\d)"', page)}
    assert checked == {0, 2}
    # Sending the form back as shown changes nothing.
    db.rollback()
    before = sorted((a.question_id, a.value_int) for a in db.scalars(select(Answer)))
    assert client.post(url, data={"q_cijfer": "8,5", "q_onderdelen": ["Theorie", "Uitwisseling"],
                                  "q_schaal": "5"}).status_code == 302
    db.rollback()
    assert sorted((a.question_id, a.value_int) for a in db.scalars(select(Answer))) == before
    assert (v.questions[0].id, 85) in before and (v.questions[1].id, 0b101) in before


# ----------------------------------------------------------------- results


GRADES = [55, 60, 70, 75, 90, 44]  # 5,5 6 7 7,5 9 4,4
MASKS = [0b0001, 0b0011, 0b0111, 0b0011, 0b1000, 0b0001]  # Theorie 5 of 6, Oefenen 3, Uitwisseling 1, Casussen 1


def _six_responses(db, world):
    v = make_version(db, world.p1)
    for grade, mask in zip(GRADES, MASKS, strict=True):
        respond(db, world.session1, v, {"cijfer": grade, "onderdelen": mask, "schaal": 4})
    db.commit()
    return v


def test_grade_results_mean_distribution_and_sufficient(db, world):
    _six_responses(db, world)
    rs = results.results(db, Scope.for_user(world.coordinator), ResultFilters(session_id=world.session1.id))
    grade = by_code(rs, "cijfer")
    assert grade.count == 6 and grade.shown
    assert grade.mean == pytest.approx(sum(GRADES) / 6 / GRADE_FACTOR)  # 6,57
    assert grade.sufficient_pct == pytest.approx(100 * 5 / 6)  # all but the 4,4
    assert [(b.label, b.count) for b in grade.distribution] == [
        ("1", 0), ("2", 0), ("3", 0), ("4", 1), ("5", 0), ("6", 2), ("7", 1), ("8", 1), ("9", 1), ("10", 0)]
    assert grade.yes_pct is None


def test_multi_results_count_respondents_per_option(db, world):
    _six_responses(db, world)
    rs = results.results(db, Scope.for_user(world.coordinator), ResultFilters(session_id=world.session1.id))
    multi = by_code(rs, "onderdelen")
    assert multi.count == 6 and multi.mean is None
    assert [(b.label, b.count) for b in multi.distribution] == [
        ("Theorie", 5), ("Oefenen", 3), ("Uitwisseling", 1), ("Casussen", 1)]
    assert [round(b.pct) for b in multi.distribution] == [83, 50, 17, 17]
    assert sum(b.pct for b in multi.distribution) > 100


def test_below_the_threshold_only_the_count(db, world):
    v = make_version(db, world.p1)
    for grade, mask in zip(GRADES[:4], MASKS[:4], strict=True):
        respond(db, world.session1, v, {"cijfer": grade, "onderdelen": mask, "schaal": 4})
    db.commit()
    scope, f = Scope.for_user(world.coordinator), ResultFilters(session_id=world.session1.id)
    # A session under the threshold releases nothing at all (evaluaties.results.anonymity).
    rs = results.results(db, scope, f)
    assert rs.results == [] and rs.withheld == 4
    # Released session, but only 4 of its 6 answers hold a grade and a choice: only their count.
    for _ in range(2):
        respond(db, world.session1, v, {"schaal": 4})
    db.commit()
    rs = results.results(db, scope, f)
    for code in ("cijfer", "onderdelen"):
        r = by_code(rs, code)
        assert r.count == 4 and not r.shown
        assert r.mean is None and r.sufficient_pct is None and r.distribution == []
    assert {s.code: s for s in rs.safeguard_summaries()}["LO"].grade_mean is None


def test_years_and_safeguards_keep_grades_apart_from_scales(client, db, world):
    from tests import factories

    v = _six_responses(db, world)
    last_year = factories.session(db, world.training1, on=date(2025, 10, 1))
    for _ in range(5):
        respond(db, last_year, v, {"cijfer": 80, "schaal": 2})
    db.commit()
    rs = results.results(db, Scope.for_user(world.coordinator), ResultFilters(training_id=world.training1.id))
    rows = {row.result.code: row for row in rs.by_year}
    assert rows["cijfer"].cells[2025].mean == pytest.approx(8.0)
    assert rows["cijfer"].cells[2026].mean == pytest.approx(sum(GRADES) / 60)
    assert rows["schaal"].cells[2025].mean == pytest.approx(2.0)
    lo = {s.code: s for s in rs.safeguard_summaries()}["LO"]
    assert lo.scale_count == 11 and lo.scale_mean == pytest.approx((6 * 4 + 5 * 2) / 11)
    assert lo.grade_count == 11 and lo.grade_mean == pytest.approx((sum(GRADES) + 5 * 80) / 11 / 10)
    login(client, world.coordinator)
    page = client.get(f"/resultaten?training={world.training1.id}").get_data(as_text=True)
    assert re.search(r"<th scope=\"row\">Welk cijfer geef je\?</th>\s*<td>cijfer 1–10</td>", page)
    assert re.search(r"<th scope=\"row\">Hoe tevreden ben je\?</th>\s*<td>1–5</td>", page)


def test_results_page_shows_grade_and_multi(app, client, db, world):
    _six_responses(db, world)
    login(client, world.coordinator)
    page = client.get(f"/bijeenkomsten/{world.session1.id}/resultaten").get_data(as_text=True)
    assert "gemiddeld cijfer <strong>6,6</strong> (op 1–10)" in page
    assert "<strong>83%</strong> voldoende" in page
    assert "een 5,5 telt als 6" in page
    assert "samen is dat meer dan 100%" in page
    assert re.search(r"<th scope=\"row\">Theorie</th>\s*<td class=\"num\">5</td>\s*<td class=\"num\">83%</td>", page)
    assert "Gemiddeld cijfer (1–10)" in page  # the safeguard table has grade columns
    assert 'id="vraag-' in page and "-cijfer-grade" in page


def test_the_statement_count_does_not_depend_on_the_types(app, client, db, world):
    _six_responses(db, world)
    login(client, world.coordinator)
    url = f"/resultaten?training={world.training1.id}"
    few, _ = count_statements(app, client, url)
    v = db.scalars(select(QuestionnaireVersion).join(Questionnaire).where(Questionnaire.partnership_id == world.p1.id)).one()
    ids = db.scalars(insert(Response).returning(Response.id), [
        {"session_id": world.session1.id, "version_id": v.id, "audience": Audience.PARTICIPANT,
         "source": ResponseSource.LINK} for _ in range(300)]).all()
    values = {QuestionType.GRADE: lambda i: 10 + i % 91, QuestionType.MULTI: lambda i: 1 + i % 15}
    db.execute(insert(Answer), [
        {"response_id": rid, "question_id": q.id, "value_int": values.get(q.type, lambda i: 3)(i)}
        for i, rid in enumerate(ids) for q in v.questions])
    tally.rebuild(db, [world.session1.id])
    db.commit()
    many, _ = count_statements(app, client, url)
    assert len(few) == len(many)


# ----------------------------------------------------------------- exports


def test_exports_write_grades_as_numbers_and_multi_as_text(db, world):
    _six_responses(db, world)
    scope = Scope.for_user(world.coordinator)
    table = exporting.answers_table(db, scope, session_id=world.session1.id)
    grade_col = table.header.index("Welk cijfer geef je?")
    multi_col = table.header.index("Welke onderdelen hielpen je?")
    assert sorted(row[grade_col] for row in table.rows) == [4.4, 5.5, 6.0, 7.0, 7.5, 9.0]
    assert sorted(row[multi_col] for row in table.rows) == sorted(
        ["Theorie", "Theorie; Oefenen", "Theorie; Oefenen; Uitwisseling", "Theorie; Oefenen", "Casussen", "Theorie"])
    text = exporting.answers_csv(table).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert sorted(r[grade_col] for r in rows[1:]) == ["4,4", "5,5", "6", "7", "7,5", "9"]

    rs = results.results(db, scope, ResultFilters(session_id=world.session1.id))
    data = exporting.results_csv(rs).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data), delimiter=";"))
    body = {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert body["cijfer"]["Gemiddelde"] == "6,57" and body["cijfer"]["Voldoende (%)"] == "83,3"
    assert body["cijfer"]["Verdeling"].startswith("1: 0; 2: 0; 3: 0; 4: 1; 5: 0; 6: 2")
    assert body["onderdelen"]["Verdeling"] == "Theorie: 5 (83%); Oefenen: 3 (50%); Uitwisseling: 1 (17%); Casussen: 1 (17%)"
    assert "meer dan 100%" in body["onderdelen"]["Opmerking"]
    assert body["onderdelen"]["Gemiddelde"] == "" and body["schaal"]["Voldoende (%)"] == ""


# ----------------------------------------------------------------- the shipped participant questionnaire


def _as_before_issue_6(db) -> Questionnaire:
    """Turn the freshly loaded default participant questionnaire into what databases held before:
    only version 1, with `totaal` a scale 1–5."""
    q = db.get(Questionnaire, qs.default_questionnaire_id(db, Audience.PARTICIPANT))
    [version] = q.versions
    version.number = 1
    totaal = next(x for x in version.questions if x.code == "totaal")
    totaal.type, totaal.options = QuestionType.SCALE, ["Slecht", "Matig", "Voldoende", "Goed", "Uitstekend"]
    db.commit()
    return q


def test_fresh_database_holds_the_shipped_version_and_loading_again_changes_nothing(db):
    q = db.get(Questionnaire, qs.default_questionnaire_id(db, Audience.PARTICIPANT))
    assert [(v.number, v.is_published) for v in q.versions] == [(2, True)]
    assert next(x for x in q.versions[0].questions if x.code == "totaal").type is QuestionType.GRADE
    before = db.scalar(select(func.count()).select_from(QuestionnaireVersion))
    assert qs.load_default_questionnaires(db) == 0
    db.commit()
    assert db.scalar(select(func.count()).select_from(QuestionnaireVersion)) == before


def test_a_database_with_version_1_gets_version_2(db, world):
    q = _as_before_issue_6(db)
    v1 = q.versions[0]
    codes = [x.code for x in v1.questions]
    for value in (4, 5, 3, 4, 4):
        respond(db, world.session1, v1, {"totaal": value})
    db.commit()

    assert qs.load_default_questionnaires(db) == 1
    db.commit()
    assert qs.load_default_questionnaires(db) == 0  # and only once
    db.commit()
    db.expire_all()
    versions = db.scalars(
        select(QuestionnaireVersion).where(QuestionnaireVersion.questionnaire_id == q.id)
        .order_by(QuestionnaireVersion.number)).all()
    assert [(v.number, v.is_published) for v in versions] == [(1, True), (2, True)]
    assert [x.code for x in versions[1].questions] == codes
    assert {x.code: x.type for x in versions[1].questions}["totaal"] is QuestionType.GRADE
    assert qs.applicable_version(db, world.training1.id, Audience.PARTICIPANT).id == versions[1].id

    # Version 1's answers stay as they were; the results keep the scale and the grade apart.
    v2 = versions[1]
    for grade in (75, 80, 60, 90, 85):
        respond(db, world.session1, v2, {"totaal": grade})
    db.commit()
    rs = results.results(db, Scope.for_user(world.coordinator), ResultFilters(session_id=world.session1.id))
    assert by_code(rs, "totaal", QuestionType.SCALE).mean == pytest.approx(4.0)
    assert by_code(rs, "totaal", QuestionType.GRADE).mean == pytest.approx(7.8)
    assert len(rs.questionnaires) == 1


def test_a_draft_of_the_admin_moves_after_the_shipped_version(db):
    q = _as_before_issue_6(db)
    draft = qs.start_new_version(db, Scope.everything(), q.id)
    assert draft.number == 2
    db.commit()
    assert qs.load_default_questionnaires(db) == 1
    db.commit()
    db.expire_all()
    numbers = db.execute(
        select(QuestionnaireVersion.number, QuestionnaireVersion.published_at.is_not(None))
        .where(QuestionnaireVersion.questionnaire_id == q.id).order_by(QuestionnaireVersion.number)).all()
    assert [tuple(n) for n in numbers] == [(1, True), (2, True), (3, False)]
    assert qs.draft_of(db.get(Questionnaire, q.id)).id == draft.id


def test_load_questionnaires_command_adds_the_new_version(app, db):
    _as_before_issue_6(db)
    db.close()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["load-questionnaires"])
    assert result.exit_code == 0, result.output
    assert "1 toegevoegd" in result.output
    result = runner.invoke(args=["load-questionnaires"])
    assert "0 toegevoegd" in result.output


def test_a_link_answer_with_the_new_version_gives_a_grade(db, world):
    version = qs.applicable_version(db, world.training1.id, Audience.PARTICIPANT)
    raw = {f"q_{q.code}": "4" for q in version.questions if q.type is QuestionType.SCALE}
    raw["q_totaal"] = "8,5"
    [link] = links.create_single_links(db, Scope.for_user(world.coordinator), world.session1.id, 1)
    links.submit_participant_answers(db, world.session1.id, link.token, raw, D)
    db.commit()
    totaal = next(q for q in version.questions if q.code == "totaal")
    assert db.scalar(select(Answer.value_int).where(Answer.question_id == totaal.id)) == 85
    with pytest.raises(ValidationError):
        [other] = links.create_single_links(db, Scope.for_user(world.coordinator), world.session1.id, 1)
        links.submit_participant_answers(db, world.session1.id, other.token, {**raw, "q_totaal": "4,44"}, D)
