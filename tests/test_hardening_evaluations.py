"""Hostile input in evaluaties (issue 6, item 3), on SQLite and PostgreSQL: control characters and
length limits in every text, case-insensitive questionnaire titles under concurrent saves, and
two simultaneous submits of one trainer evaluation."""
from __future__ import annotations

import html
import threading
import time

import pytest
from sqlalchemy import func, select

from evaluaties.answers import requests
from evaluaties.answers.models import Answer, EvaluationRequest, Response
from evaluaties.answers.parsing import MAX_OPEN_LENGTH
from evaluaties.questionnaires import services as qs
from evaluaties.questionnaires.models import (
    Audience,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
)
from evaluaties.questionnaires.services import applicable_version
from kwaliteit import db as kdb
from kwaliteit import limits
from kwaliteit.scope import Scope
from kwaliteit.validation import CONTROL_CHARACTERS, SINGLE_LINE, ValidationError
from tests.conftest import login, run_in_threads

NUL = "\x00"


@pytest.fixture
def coordinator(app, world):
    client = app.test_client()
    login(client, world.coordinator)
    return client


@pytest.fixture
def trainer(app, world):
    client = app.test_client()
    login(client, world.trainer)
    return client


def _body(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _count(app, model, *where) -> int:
    with kdb.new_session(app) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def trainer_answers(app, world, open_text="Goed gesprek.") -> dict[str, str]:
    with kdb.new_session(app, write=False) as s:
        version = applicable_version(s, world.training1.id, Audience.TRAINER)
        return {
            f"q_{q.code}": {"open": open_text, "scale": "4", "yes_no": "ja"}.get(q.type.value) or q.options[0]
            for q in version.questions
        }


# ================================================================ texts


@pytest.mark.parametrize("value, message", [
    (f"Goed{NUL}", CONTROL_CHARACTERS),
    ("\x1b[2J", CONTROL_CHARACTERS),
    ("x" * (MAX_OPEN_LENGTH + 1), f"Hoogstens {MAX_OPEN_LENGTH} tekens."),
])
def test_bad_open_answer_of_a_trainer_is_a_field_error(app, trainer, world, value, message):
    data = trainer_answers(app, world, open_text=value)
    response = trainer.post(f"/bijeenkomsten/{world.session1.id}/trainersevaluatie", data=data)
    assert response.status_code == 400
    assert message in _body(response)
    assert _count(app, Response) == 0


def test_open_answers_keep_line_breaks_and_tabs(app, trainer, world):
    data = trainer_answers(app, world, open_text="Eén\r\n\ttwee")
    response = trainer.post(f"/bijeenkomsten/{world.session1.id}/trainersevaluatie", data=data)
    assert response.status_code == 302
    with kdb.new_session(app) as s:
        version = applicable_version(s, world.training1.id, Audience.TRAINER)
        open_questions = sum(q.type is QuestionType.OPEN for q in version.questions)
    assert _count(app, Answer, Answer.value_text == "Eén\r\n\ttwee") == open_questions


def test_the_answer_parser_refuses_control_characters_for_every_caller(app, world):
    """The import and the participant form use the same parser as the trainer's form."""
    raw = trainer_answers(app, world, open_text=f"a{NUL}b")
    with kdb.new_session(app) as s:
        version = applicable_version(s, world.training1.id, Audience.TRAINER)
        with pytest.raises(ValidationError) as caught:
            requests.submit_trainer_evaluation(s, Scope.for_user(world.trainer), world.session1.id, raw,
                                               world.session1.date)
        open_codes = {f"q_{q.code}" for q in version.questions if q.type is QuestionType.OPEN}
        assert {k: v for k, v in caught.value.errors.items() if k in open_codes} == dict.fromkeys(
            open_codes, CONTROL_CHARACTERS)


@pytest.mark.parametrize("reason, message", [
    (f"Ziek{NUL}", CONTROL_CHARACTERS),
    ("x" * (4 * 1024 * 1024), f"Hoogstens {limits.REASON} tekens."),
])
def test_bad_waiver_reason_is_refused(app, coordinator, world, reason, message):
    response = coordinator.post(f"/bijeenkomsten/{world.session1.id}/evaluatie/vrijstellen",
                                data={"audience": "trainer", "reason": reason}, follow_redirects=True)
    assert response.status_code == 200
    assert message in _body(response)
    assert _count(app, EvaluationRequest, EvaluationRequest.waived_at.is_not(None)) == 0
    with kdb.new_session(app) as s, pytest.raises(ValidationError) as caught:
        requests.waive(s, Scope.for_user(world.coordinator), world.session1.id, Audience.TRAINER, reason,
                       world.coordinator.id)
    assert message in caught.value.errors["reason"]


@pytest.mark.parametrize("field, value, message", [
    ("title", f"Titel{NUL}", CONTROL_CHARACTERS),
    ("title", "Twee\nregels", SINGLE_LINE),
    ("title", "x" * (limits.TITLE + 1), f"Hoogstens {limits.TITLE} tekens."),
    ("intro", f"Inleiding{NUL}", CONTROL_CHARACTERS),
    ("intro", "x" * (limits.INTRO + 1), f"Hoogstens {limits.INTRO} tekens."),
])
def test_bad_text_in_a_new_questionnaire(app, coordinator, world, field, value, message):
    data = {"partnership_id": str(world.p1.id), "title": "Eigen vragenlijst", "audience": "participant",
            "intro": "Welkom."}
    data[field] = value
    before = _count(app, Questionnaire)
    response = coordinator.post("/vragenlijsten/nieuw", data=data)
    assert response.status_code == 400
    assert message in _body(response)
    assert _count(app, Questionnaire) == before


def _draft(app, world) -> int:
    with kdb.new_session(app) as s:
        q = qs.create_questionnaire(s, Scope.for_user(world.coordinator), world.p1.id, "Concept", Audience.PARTICIPANT)
        s.commit()
        return q.versions[0].id


@pytest.mark.parametrize("overrides, field, message", [
    ({"text": f"Vraag{NUL}"}, "text", CONTROL_CHARACTERS),
    ({"text": "x" * (limits.QUESTION + 1)}, "text", f"Hoogstens {limits.QUESTION} tekens."),
    ({"options": ["Een", f"Twee{NUL}"]}, "options", CONTROL_CHARACTERS),
    ({"options": ["Een", "x" * (limits.OPTION + 1)]}, "options", f"Hoogstens {limits.OPTION} tekens."),
    ({"code": "c" * (limits.QUESTION_CODE + 1)}, "code", f"Hoogstens {limits.QUESTION_CODE} tekens."),
])
def test_questions_are_checked_by_the_service(app, world, overrides, field, message):
    version_id = _draft(app, world)
    data = {"text": "Hoe was het?", "type": QuestionType.CHOICE, "options": ["Een", "Twee"]} | overrides
    with kdb.new_session(app) as s, pytest.raises(ValidationError) as caught:
        qs.add_question(s, Scope.for_user(world.coordinator), version_id, qs.QuestionData(**data))
    assert caught.value.errors[field] == message


def test_question_and_intro_forms_refuse_control_characters(app, coordinator, world):
    version_id = _draft(app, world)
    response = coordinator.post(f"/vragenlijsten/versies/{version_id}/vragen/nieuw",
                                data={"text": f"Vraag{NUL}", "question_type": "open"})
    assert response.status_code == 400 and CONTROL_CHARACTERS in _body(response)
    response = coordinator.post(f"/vragenlijsten/versies/{version_id}/inleiding", data={"intro": f"a{NUL}"})
    assert response.status_code == 400 and CONTROL_CHARACTERS in _body(response)
    assert _count(app, Question, Question.version_id == version_id) == 0
    with kdb.new_session(app) as s:
        assert s.get(QuestionnaireVersion, version_id).intro == ""
        with pytest.raises(ValidationError):
            qs.update_intro(s, Scope.for_user(world.coordinator), version_id, "x" * (limits.INTRO + 1))


# ================================================================ questionnaire titles


def test_questionnaire_titles_differing_in_case_saved_at_once(app, world):
    outcomes: dict[str, object] = {}
    flushed = threading.Event()
    scope = Scope.for_user(world.coordinator)

    def first():
        with kdb.new_session(app) as s:
            qs.create_questionnaire(s, scope, world.p1.id, "Race", Audience.PARTICIPANT)
            flushed.set()
            time.sleep(0.5)
            s.commit()
            outcomes["Race"] = "saved"

    def second():
        assert flushed.wait(10)
        with kdb.new_session(app) as s:
            try:
                qs.create_questionnaire(s, scope, world.p1.id, "RACE", Audience.PARTICIPANT)
                s.commit()
                outcomes["RACE"] = "saved"
            except ValidationError as exc:
                s.rollback()
                outcomes["RACE"] = exc.errors

    run_in_threads(first, second)
    assert outcomes == {"Race": "saved", "RACE": {"title": qs.TITLE_TAKEN}}
    assert _count(app, Questionnaire, func.lower(Questionnaire.title) == "race") == 1


# ================================================================ concurrent trainer submits


@pytest.mark.parametrize("existing_request", [False, True], ids=["first-submit", "request-exists"])
@pytest.mark.parametrize("attempt", range(4))
def test_two_simultaneous_submits_of_one_trainer_evaluation(app, world, attempt, existing_request):
    """Two trainers of a tandem (or a double click) submit at the same moment, each in its own
    transaction: never an error, exactly one response, holding the answers of the later one."""
    if existing_request:
        # A request row without a response (a lock that was lifted): both find it and update it.
        with kdb.new_session(app) as s:
            coordinator = Scope.for_user(world.coordinator)
            requests.set_locked(s, coordinator, world.session1.id, True)
            requests.set_locked(s, coordinator, world.session1.id, False)
            s.commit()
    barrier = threading.Barrier(2)
    committed: dict[str, float] = {}
    scopes = {"A": Scope.for_user(world.trainer), "B": Scope.for_user(world.coordinator)}

    def submit(label):
        raw = trainer_answers(app, world, open_text=f"Antwoord van {label}")

        def run():
            with kdb.new_session(app) as s:
                barrier.wait(10)
                requests.submit_trainer_evaluation(s, scopes[label], world.session1.id, raw, world.session1.date)
                committed[label] = time.monotonic()  # B waited for A's commit (or the reverse)
                s.commit()
        return run

    run_in_threads(submit("A"), submit("B"))
    later = max(committed, key=committed.get)
    with kdb.new_session(app) as s:
        responses = s.scalars(select(Response).where(Response.session_id == world.session1.id)).all()
        assert len(responses) == 1
        texts = {a.value_text for a in responses[0].answers if a.value_text}
        assert texts == {f"Antwoord van {later}"}
        version = applicable_version(s, world.training1.id, Audience.TRAINER)
        assert len(responses[0].answers) == len(version.questions)
        request = s.scalar(select(EvaluationRequest).where(EvaluationRequest.session_id == world.session1.id))
        assert request.response_id == responses[0].id


def test_questionnaire_list_is_paged_and_clamped(app, coordinator, world):
    with kdb.new_session(app) as s:
        scope = Scope.for_user(world.coordinator)
        for i in range(30):
            qs.create_questionnaire(s, scope, world.p1.id, f"Lijst {i:02d}", Audience.PARTICIPANT)
        s.commit()
    first = _body(coordinator.get("/vragenlijsten"))
    assert "Pagina 1 van 2" in first
    for page in ("2", "99", "999999999999999999"):
        body = _body(coordinator.get("/vragenlijsten", query_string={"pagina": page}))
        assert "Pagina 2 van 2" in body and "Lijst 29" in body and "Lijst 00" not in body
