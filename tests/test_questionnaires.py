"""Questionnaires (vragenlijsten): versions, questions, who may edit, and per-training settings.

Every test goes through the real screens and a real database. Like tests/test_authz.py, the world
is built in a session of its own and every check reads the database in a new session, so requests
never share the test's application context (the logged-in user, the cached scope, the session).
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from evaluaties.answers.models import Response, ResponseSource
from evaluaties.questionnaires import services as qs
from evaluaties.questionnaires.models import (
    Audience,
    EvaluationSettings,
    Question,
    Questionnaire,
    QuestionType,
)
from evaluaties.results import tally
from kwaliteit import db as kdb
from kwaliteit.scope import Scope
from tests.conftest import login


def client_as(app, user):
    client = app.test_client()
    login(client, user)
    return client


def body(response) -> str:
    return response.get_data(as_text=True)


def flashed(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for _category, message in session.get("_flashes", [])]


def questionnaire_id_from(response) -> int:
    return int(re.fullmatch(r"/vragenlijsten/(\d+)", urlsplit(response.headers["Location"]).path)[1])


def load(app, questionnaire_id: int) -> dict:
    """The questionnaire's versions and questions as plain data, read in a new session."""
    with kdb.new_session(app) as s:
        q = qs.get_questionnaire(s, Scope.everything(), questionnaire_id)
        return {
            "title": q.title,
            "versions": [
                {
                    "id": v.id,
                    "number": v.number,
                    "published": v.is_published,
                    "intro": v.intro,
                    "questions": [
                        (x.id, x.code, x.text, x.type, x.required, list(x.options), x.safeguard_code)
                        for x in v.questions
                    ],
                }
                for v in q.versions
            ],
        }


def make_questionnaire(app, partnership, title="Eigen vragenlijst", audience=Audience.PARTICIPANT,
                       publish=True) -> int:
    """A questionnaire with two questions, built through the services."""
    with kdb.new_session(app) as s:
        scope = Scope.everything()
        q = qs.create_questionnaire(s, scope, partnership.id, title, audience, "Welkom.")
        version = q.versions[0]
        qs.add_question(s, scope, version.id, qs.QuestionData("Hoe was het?", QuestionType.SCALE))
        qs.add_question(s, scope, version.id, qs.QuestionData("Opmerkingen?", QuestionType.OPEN, required=False))
        if publish:
            qs.publish(s, scope, version.id)
        s.commit()
        return q.id


def draft_id(app, questionnaire_id: int) -> int:
    return next(v["id"] for v in load(app, questionnaire_id)["versions"] if not v["published"])


def question_ids(app, version_id: int) -> list[int]:
    with kdb.new_session(app) as s:
        return list(
            s.scalars(select(Question.id).where(Question.version_id == version_id).order_by(Question.position))
        )


ALL_TYPES = [
    {"text": "De bijeenkomst was nuttig.", "question_type": "scale", "required": "y",
     "options": "", "safeguard_code": "LO"},
    {"text": "Zou je de training aanraden?", "question_type": "yes_no", "required": "y",
     "options": "", "safeguard_code": ""},
    {"text": "Hoe hoorde je van de training?", "question_type": "choice", "required": "y",
     "options": "Via school\r\nVia de pabo\r\n\r\nAnders", "safeguard_code": "KC"},
    {"text": "Wat kan beter?", "question_type": "open", "options": "", "safeguard_code": ""},
]


# ------------------------------------------------------------------ the whole cycle


def test_create_publish_and_version_a_questionnaire(app, world):
    client = client_as(app, world.coordinator)
    assert client.get("/vragenlijsten/nieuw").status_code == 200
    response = client.post(
        "/vragenlijsten/nieuw",
        data={"partnership_id": world.p1.id, "title": "  Terugblik mentoren  ",
              "audience": "participant", "intro": "Fijn dat je meedoet."},
    )
    assert response.status_code == 302
    qid = questionnaire_id_from(response)
    data = load(app, qid)
    assert data["title"] == "Terugblik mentoren"
    assert [(v["number"], v["published"], v["intro"]) for v in data["versions"]] == [(1, False, "Fijn dat je meedoet.")]
    v1 = data["versions"][0]["id"]

    # Questions of all four types, two of them tagged with a safeguard.
    assert client.get(f"/vragenlijsten/versies/{v1}/vragen/nieuw").status_code == 200
    for form in ALL_TYPES:
        response = client.post(f"/vragenlijsten/versies/{v1}/vragen/nieuw", data=form)
        assert response.status_code == 302, body(response)[:2000]
    questions = load(app, qid)["versions"][0]["questions"]
    assert [(q[3], q[4], q[5], q[6]) for q in questions] == [
        (QuestionType.SCALE, True, qs.SCALE_LABELS, "LO"),
        (QuestionType.YES_NO, True, [], None),
        (QuestionType.CHOICE, True, ["Via school", "Via de pabo", "Anders"], "KC"),
        (QuestionType.OPEN, False, [], None),
    ]
    codes_v1 = [q[1] for q in questions]
    assert len(set(codes_v1)) == 4

    # The draft page shows the questions, their types, options and safeguards by name.
    page = body(client.get(f"/vragenlijsten/{qid}"))
    for text in ("Hoe hoorde je van de training?", "Via de pabo", "Eén keuze uit een lijst", "Ja/nee",
                 "Leeromgeving", "Kwaliteitscultuur", "concept", "Publiceren"):
        assert text in page, text

    # Publish: a confirmation page first, then the POST.
    confirm = client.get(f"/vragenlijsten/versies/{v1}/publiceren")
    assert confirm.status_code == 200
    assert "niet meer worden gewijzigd" in body(confirm)
    assert client.post(f"/vragenlijsten/versies/{v1}/publiceren").status_code == 302
    published = load(app, qid)
    assert published["versions"][0]["published"]
    page = body(client.get(f"/vragenlijsten/{qid}"))
    assert "Nieuwe versie maken" in page and "gepubliceerd op" in page
    assert "wordt niet meer gewijzigd" in page

    # The published version is refused for every edit, with a Dutch message, and stays as it was.
    first = questions[0][0]
    attempts = [
        ("get", f"/vragenlijsten/vragen/{first}/bewerken", None),
        ("post", f"/vragenlijsten/vragen/{first}/bewerken", {**ALL_TYPES[1], "text": "Gewijzigd"}),
        ("get", f"/vragenlijsten/versies/{v1}/vragen/nieuw", None),
        ("post", f"/vragenlijsten/versies/{v1}/vragen/nieuw", ALL_TYPES[3]),
        ("post", f"/vragenlijsten/versies/{v1}/inleiding", {"intro": "Anders"}),
        ("post", f"/vragenlijsten/vragen/{first}/verwijderen", {}),
        ("post", f"/vragenlijsten/vragen/{first}/verplaatsen", {"richting": "omlaag"}),
        ("get", f"/vragenlijsten/versies/{v1}/publiceren", None),
        ("post", f"/vragenlijsten/versies/{v1}/publiceren", {}),
    ]
    for method, url, form in attempts:
        response = getattr(client, method)(url, data=form)
        assert response.status_code == 302, f"{method} {url}"
        assert urlsplit(response.headers["Location"]).path == f"/vragenlijsten/{qid}"
        assert any("gepubliceerde versie wordt niet meer gewijzigd" in m for m in flashed(client)), url
        client.get(f"/vragenlijsten/{qid}")  # shows (and so clears) the message
    assert load(app, qid) == published

    # The service refuses it too, whoever calls it.
    with kdb.new_session(app) as s:
        with pytest.raises(qs.ValidationError, match="gepubliceerde versie"):
            qs.update_question(s, Scope.everything(), first, qs.QuestionData("X", QuestionType.OPEN))

    # A new version: a draft copy with the same questions and codes.
    response = client.post(f"/vragenlijsten/{qid}/nieuwe-versie")
    assert response.status_code == 302
    data = load(app, qid)
    assert [(v["number"], v["published"]) for v in data["versions"]] == [(1, True), (2, False)]
    v2 = data["versions"][1]
    assert [q[1:] for q in v2["questions"]] == [q[1:] for q in questions]
    assert v2["intro"] == "Fijn dat je meedoet."
    # A second click returns the same draft instead of a third version.
    client.post(f"/vragenlijsten/{qid}/nieuwe-versie")
    assert len(load(app, qid)["versions"]) == 2

    # Edit the draft: change a text, the intro, move, delete, add.
    q_scale, q_yes, q_choice, q_open = [q[0] for q in v2["questions"]]
    edit = client.get(f"/vragenlijsten/vragen/{q_choice}/bewerken")
    assert edit.status_code == 200 and "Via de pabo" in body(edit)
    response = client.post(
        f"/vragenlijsten/vragen/{q_choice}/bewerken",
        # New options after the earlier ones (those keep their places: see the test below).
        data={**ALL_TYPES[2], "text": "Hoe hoorde je van deze training?",
              "options": "Via school\nVia de pabo\nAnders\nVia een collega"},
    )
    assert response.status_code == 302
    assert client.post(f"/vragenlijsten/versies/{v2['id']}/inleiding", data={"intro": "Versie twee."}).status_code == 302
    assert client.post(f"/vragenlijsten/vragen/{q_open}/verplaatsen", data={"richting": "omhoog"}).status_code == 302
    assert client.post(f"/vragenlijsten/vragen/{q_yes}/verwijderen").status_code == 302
    response = client.post(
        f"/vragenlijsten/versies/{v2['id']}/vragen/nieuw",
        data={"text": "Was de locatie goed bereikbaar?", "question_type": "yes_no", "required": "y",
              "safeguard_code": "OR"},
    )
    assert response.status_code == 302
    assert client.post(f"/vragenlijsten/versies/{v2['id']}/publiceren").status_code == 302

    data = load(app, qid)
    assert [(v["number"], v["published"]) for v in data["versions"]] == [(1, True), (2, True)]
    new = data["versions"][1]
    assert new["intro"] == "Versie twee."
    assert [(q[1], q[2]) for q in new["questions"]] == [
        (codes_v1[0], "De bijeenkomst was nuttig."),
        (codes_v1[3], "Wat kan beter?"),
        (codes_v1[2], "Hoe hoorde je van deze training?"),
        (new["questions"][3][1], "Was de locatie goed bereikbaar?"),
    ]
    assert new["questions"][2][5] == ["Via school", "Via de pabo", "Anders", "Via een collega"]
    # The new question does not take the code of the deleted one (their answers would mix).
    assert new["questions"][3][1] not in codes_v1
    # Version 1 is exactly as it was published; version 2 is the current one.
    assert data["versions"][0] == published["versions"][0]
    with kdb.new_session(app) as s:
        assert qs.current_version_id(s, qid) == new["id"]
    page = body(client.get(f"/vragenlijsten/{qid}"))
    assert "Versie 2" in page and "in gebruik" in page
    old = client.get(f"/vragenlijsten/{qid}?versie=1")
    assert old.status_code == 200 and "Via de pabo" in body(old) and "niet meer in gebruik" in body(old)
    assert client.get(f"/vragenlijsten/{qid}?versie=7").status_code == 404


def test_a_response_stays_tied_to_the_version_it_answered(app, world):
    qid = make_questionnaire(app, world.p1)
    with kdb.new_session(app) as s:
        v1 = qs.current_version_id(s, qid)
        response = Response(session_id=world.session1.id, version_id=v1, audience=Audience.PARTICIPANT,
                            source=ResponseSource.LINK)
        s.add(response)
        s.flush()
        tally.rebuild(s, [world.session1.id])
        s.commit()
        response_id = response.id

    client = client_as(app, world.coordinator)
    client.post(f"/vragenlijsten/{qid}/nieuwe-versie")
    v2 = draft_id(app, qid)
    first = question_ids(app, v2)[0]
    client.post(f"/vragenlijsten/vragen/{first}/bewerken",
                data={"text": "Hoe was de bijeenkomst?", "question_type": "scale", "required": "y"})
    client.post(f"/vragenlijsten/versies/{v2}/publiceren")

    with kdb.new_session(app) as s:
        assert qs.current_version_id(s, qid) == v2
        stored = s.get(Response, response_id)
        assert stored.version_id == v1
        assert [q.text for q in stored.version.questions] == ["Hoe was het?", "Opmerkingen?"]


# ------------------------------------------------------------------ validation


def test_choice_needs_two_options_and_scale_five_labels(app, world):
    qid = make_questionnaire(app, world.p1, publish=False)
    version = draft_id(app, qid)
    client = client_as(app, world.coordinator)
    url = f"/vragenlijsten/versies/{version}/vragen/nieuw"
    before = load(app, qid)

    response = client.post(url, data={"text": "Kies", "question_type": "choice", "options": "Alleen deze"})
    assert response.status_code == 400
    assert "Geef minstens twee keuzemogelijkheden" in body(response)
    assert "De vraag is niet opgeslagen" in body(response)

    response = client.post(url, data={"text": "Schaal", "question_type": "scale", "options": "Slecht\nGoed\nTop"})
    assert response.status_code == 400
    assert "precies vijf labels" in body(response)

    response = client.post(url, data={"text": "Kies", "question_type": "choice",
                                      "options": "\n".join(f"Optie {i}" for i in range(60))})
    assert response.status_code == 400
    assert "hoogstens" in body(response)

    response = client.post(url, data={"text": "", "question_type": "betoverd", "safeguard_code": "XX"})
    assert response.status_code == 400
    page = body(response)
    assert "Vul de vraag in." in page and "Ongeldige keuze." in page
    assert load(app, qid) == before

    # Editing an existing question into an invalid one changes nothing either.
    first = question_ids(app, version)[0]
    response = client.post(f"/vragenlijsten/vragen/{first}/bewerken",
                           data={"text": "Nu een keuze", "question_type": "choice", "options": ""})
    assert response.status_code == 400
    assert load(app, qid) == before

    # Five labels of one's own are kept as given.
    labels = "Nooit\nSoms\nRegelmatig\nVaak\nAltijd"
    assert client.post(url, data={"text": "Hoe vaak?", "question_type": "scale", "options": labels}).status_code == 302
    assert load(app, qid)["versions"][0]["questions"][-1][5] == labels.split("\n")


def test_create_refuses_bad_input_and_saves_nothing(app, world):
    client = client_as(app, world.coordinator)
    with kdb.new_session(app) as s:
        count = s.scalar(select(func.count()).select_from(Questionnaire))
    response = client.post("/vragenlijsten/nieuw", data={"partnership_id": world.p2.id, "title": "", "audience": "x"})
    assert response.status_code == 400
    page = body(response)
    assert "Vul een titel in." in page and "Ongeldige keuze." in page
    make_questionnaire(app, world.p1, title="Dubbel")
    response = client.post("/vragenlijsten/nieuw",
                           data={"partnership_id": world.p1.id, "title": "dubbel", "audience": "trainer"})
    assert response.status_code == 400
    assert "al een vragenlijst met deze titel" in body(response)
    with kdb.new_session(app) as s:
        assert s.scalar(select(func.count()).select_from(Questionnaire)) == count + 1


def test_publishing_an_empty_draft_is_refused(app, world):
    client = client_as(app, world.coordinator)
    response = client.post("/vragenlijsten/nieuw",
                           data={"partnership_id": world.p1.id, "title": "Leeg", "audience": "trainer"})
    qid = questionnaire_id_from(response)
    version = draft_id(app, qid)
    response = client.post(f"/vragenlijsten/versies/{version}/publiceren")
    assert response.status_code == 302
    assert any("zonder vragen" in m for m in flashed(client))
    assert not load(app, qid)["versions"][0]["published"]


def test_moving_questions_up_and_down(app, world):
    qid = make_questionnaire(app, world.p1, publish=False)
    version = draft_id(app, qid)
    client = client_as(app, world.coordinator)
    client.post(f"/vragenlijsten/versies/{version}/vragen/nieuw", data=ALL_TYPES[1])
    a, b, c = question_ids(app, version)
    assert client.post(f"/vragenlijsten/vragen/{c}/verplaatsen", data={"richting": "omhoog"}).status_code == 302
    assert question_ids(app, version) == [a, c, b]
    client.post(f"/vragenlijsten/vragen/{a}/verplaatsen", data={"richting": "omlaag"})
    assert question_ids(app, version) == [c, a, b]
    client.post(f"/vragenlijsten/vragen/{c}/verplaatsen", data={"richting": "omhoog"})  # already first
    assert question_ids(app, version) == [c, a, b]
    assert client.post(f"/vragenlijsten/vragen/{a}/verplaatsen", data={"richting": "opzij"}).status_code == 400
    # The page offers the buttons as real (keyboard) buttons in POST forms.
    page = body(client.get(f"/vragenlijsten/{qid}"))
    assert page.count('name="richting" value="omhoog"') == 2
    assert page.count('name="richting" value="omlaag"') == 2


# ------------------------------------------------------------------ who may do what


def test_list_shows_defaults_and_own_questionnaires_only(app, world):
    make_questionnaire(app, world.p1, title="Vragenlijst Noord")
    make_questionnaire(app, world.p2, title="Vragenlijst Zuid", publish=False)
    for user in (world.coordinator, world.steering):
        page = body(client_as(app, user).get("/vragenlijsten"))
        assert "Vragenlijst Noord" in page and "Vragenlijst Zuid" not in page
        assert "Deelnemersevaluatie mentortraining" in page and "Sessie-evaluatie trainer" in page
        assert "Trainersevaluatie" in page and "versie 1" in page
    page = body(client_as(app, world.admin).get("/vragenlijsten"))
    assert "Vragenlijst Noord" in page and "Vragenlijst Zuid" in page and "nog niet gepubliceerd" in page
    assert "Nieuwe vragenlijst" in page
    assert "Nieuwe vragenlijst" not in body(client_as(app, world.steering).get("/vragenlijsten"))
    assert client_as(app, world.trainer).get("/vragenlijsten").status_code == 403


def _edit_urls(app, qid: int) -> list[tuple[str, str, dict | None]]:
    data = load(app, qid)
    published = next(v for v in data["versions"] if v["published"])
    question = published["questions"][0][0]
    return [
        ("post", f"/vragenlijsten/{qid}/nieuwe-versie", {}),
        ("get", f"/vragenlijsten/versies/{published['id']}/vragen/nieuw", None),
        ("post", f"/vragenlijsten/versies/{published['id']}/vragen/nieuw", ALL_TYPES[3]),
        ("get", f"/vragenlijsten/vragen/{question}/bewerken", None),
        ("post", f"/vragenlijsten/vragen/{question}/bewerken", ALL_TYPES[3]),
        ("post", f"/vragenlijsten/vragen/{question}/verwijderen", {}),
        ("post", f"/vragenlijsten/vragen/{question}/verplaatsen", {"richting": "omlaag"}),
        ("get", f"/vragenlijsten/versies/{published['id']}/inleiding", None),
        ("get", f"/vragenlijsten/versies/{published['id']}/publiceren", None),
    ]


def test_other_partnership_trainer_and_steering_cannot_edit(app, world):
    qid = make_questionnaire(app, world.p1, title="Vragenlijst Noord")
    before = load(app, qid)
    for user in (world.other_coordinator, world.trainer, world.steering):
        client = client_as(app, user)
        for method, url, form in _edit_urls(app, qid):
            response = getattr(client, method)(url, data=form)
            assert response.status_code == 403, f"{user.email}: {method} {url}"
            assert "Geen toegang" in body(response)
            assert "Vragenlijst Noord" not in body(response)
    assert load(app, qid) == before
    # Viewing: the other coordinator and the trainer get 403, the own steering member may read.
    assert client_as(app, world.other_coordinator).get(f"/vragenlijsten/{qid}").status_code == 403
    assert client_as(app, world.trainer).get(f"/vragenlijsten/{qid}").status_code == 403
    page = client_as(app, world.steering).get(f"/vragenlijsten/{qid}")
    assert page.status_code == 200
    assert "Nieuwe versie maken" not in body(page) and "Bewerken" not in body(page)


def test_shipped_defaults_only_admin_may_change(app, world):
    with kdb.new_session(app) as s:
        default_id = qs.default_questionnaire_id(s, Audience.PARTICIPANT)
    before = load(app, default_id)
    coordinator = client_as(app, world.coordinator)
    page = coordinator.get(f"/vragenlijsten/{default_id}")
    assert page.status_code == 200
    assert "Nieuwe versie maken" not in body(page) and "alleen een beheerder" in body(page)
    for method, url, form in _edit_urls(app, default_id):
        assert getattr(coordinator, method)(url, data=form).status_code == 403, url
    assert load(app, default_id) == before

    admin = client_as(app, world.admin)
    assert "Nieuwe versie maken" in body(admin.get(f"/vragenlijsten/{default_id}"))
    assert admin.post(f"/vragenlijsten/{default_id}/nieuwe-versie").status_code == 302
    data = load(app, default_id)
    # The shipped participant questionnaire is at the version its file says (2: `totaal` is a grade).
    shipped = before["versions"][-1]["number"]
    assert [(v["number"], v["published"]) for v in data["versions"]] == [(shipped, True), (shipped + 1, False)]
    assert [q[1] for q in data["versions"][1]["questions"]] == [q[1] for q in before["versions"][0]["questions"]]
    # The draft of a default is still the admin's alone.
    question = data["versions"][1]["questions"][0][0]
    assert coordinator.post(f"/vragenlijsten/vragen/{question}/verwijderen").status_code == 403
    assert admin.post(f"/vragenlijsten/vragen/{question}/verwijderen").status_code == 302


def test_coordinator_creates_only_for_own_partnership(app, world):
    client = client_as(app, world.coordinator)
    form = body(client.get("/vragenlijsten/nieuw"))
    assert "Partnerschap Noord" in form and "Partnerschap Zuid" not in form
    response = client.post("/vragenlijsten/nieuw",
                           data={"partnership_id": world.p2.id, "title": "Stiekem", "audience": "trainer"})
    assert response.status_code == 400
    with kdb.new_session(app) as s:
        assert s.scalar(select(func.count()).where(Questionnaire.title == "Stiekem")) == 0
    with kdb.new_session(app) as s, pytest.raises(qs.Forbidden):
        qs.create_questionnaire(s, Scope.for_user(s.merge(world.coordinator)), world.p2.id, "Stiekem",
                                Audience.TRAINER)


# ------------------------------------------------------------------ per training


def settings_url(training) -> str:
    return f"/trainingen/{training.id}/evaluatie-instellingen"


def stored_settings(app, training_id: int):
    with kdb.new_session(app) as s:
        row = s.get(EvaluationSettings, training_id)
        return None if row is None else (
            row.trainer_questionnaire_id, row.participant_questionnaire_id,
            row.trainer_due_days, row.participant_window_days,
        )


def test_training_settings_choose_questionnaire_and_periods(app, world):
    own = make_questionnaire(app, world.p1, title="Deelnemers Noord")
    own_trainer = make_questionnaire(app, world.p1, title="Trainers Noord", audience=Audience.TRAINER)
    make_questionnaire(app, world.p1, title="Concept Noord", publish=False)
    make_questionnaire(app, world.p2, title="Deelnemers Zuid")
    client = client_as(app, world.coordinator)

    page = client.get(settings_url(world.training1))
    assert page.status_code == 200
    html = body(page)
    assert 'value="14"' in html and 'value="21"' in html  # the defaults
    assert "Standaard: Deelnemersevaluatie mentortraining" in html
    assert "Deelnemers Noord (versie 1)" in html and "Trainers Noord (versie 1)" in html
    assert "Concept Noord" not in html and "Deelnemers Zuid" not in html
    for label in ("Vragenlijst voor de trainersevaluatie", "Termijn trainersevaluatie"):
        assert label in html

    with kdb.new_session(app) as s:
        assert qs.applicable_version(s, world.training1.id, Audience.PARTICIPANT).questionnaire.default_key == "deelnemer"

    response = client.post(settings_url(world.training1), data={
        "trainer_questionnaire_id": own_trainer, "participant_questionnaire_id": own,
        "trainer_due_days": "10", "participant_window_days": "30",
    })
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == f"/trainingen/{world.training1.id}"
    assert stored_settings(app, world.training1.id) == (own_trainer, own, 10, 30)
    html = body(client.get(settings_url(world.training1)))
    assert re.search(rf'<option selected value="{own}">|<option value="{own}" selected>', html), "choice shown"

    with kdb.new_session(app) as s:
        version = qs.applicable_version(s, world.training1.id, Audience.PARTICIPANT)
        assert version.questionnaire_id == own and version.number == 1
        assert qs.get_settings(s, world.training1.id).trainer_due_days == 10

    # A new published version of the chosen questionnaire applies from then on.
    client.post(f"/vragenlijsten/{own}/nieuwe-versie")
    v2 = draft_id(app, own)
    with kdb.new_session(app) as s:
        assert qs.applicable_version(s, world.training1.id, Audience.PARTICIPANT).number == 1
    client.post(f"/vragenlijsten/versies/{v2}/publiceren")
    with kdb.new_session(app) as s:
        version = qs.applicable_version(s, world.training1.id, Audience.PARTICIPANT)
        assert (version.id, version.number) == (v2, 2)

    # Back to the standard questionnaire.
    client.post(settings_url(world.training1), data={
        "trainer_questionnaire_id": "", "participant_questionnaire_id": "",
        "trainer_due_days": "14", "participant_window_days": "21",
    })
    assert stored_settings(app, world.training1.id) == (None, None, 14, 21)


@pytest.mark.parametrize(
    "change, field_message",
    [
        ({"trainer_due_days": "-1"}, "Kies een termijn tussen 0 en 365 dagen."),
        ({"trainer_due_days": "366"}, "Kies een termijn tussen 0 en 365 dagen."),
        ({"trainer_due_days": "veertien"}, "Ongeldig getal."),
        ({"trainer_due_days": ""}, "Vul een aantal dagen in."),
        ({"participant_window_days": "0"}, "Kies een periode tussen 1 en 365 dagen."),
        ({"participant_window_days": "99999999999999999999999"}, "Kies een periode tussen 1 en 365 dagen."),
        ({"participant_questionnaire_id": "WRONG_AUDIENCE"}, "Kies een vragenlijst van de juiste soort uit dit partnerschap."),
        ({"participant_questionnaire_id": "OTHER_PARTNERSHIP"}, "Kies een vragenlijst van de juiste soort uit dit partnerschap."),
        ({"participant_questionnaire_id": "UNPUBLISHED"}, "Deze vragenlijst heeft nog geen gepubliceerde versie."),
        ({"participant_questionnaire_id": "987654321"}, "Kies een vragenlijst van de juiste soort uit dit partnerschap."),
        ({"participant_questionnaire_id": str(2**70)}, "Kies een vragenlijst van de juiste soort uit dit partnerschap."),
        ({"trainer_questionnaire_id": "abc"}, "Ongeldige keuze"),
    ],
)
def test_invalid_training_settings_give_400_and_save_nothing(app, world, change, field_message):
    ids = {
        "WRONG_AUDIENCE": make_questionnaire(app, world.p1, title="Trainers Noord", audience=Audience.TRAINER),
        "OTHER_PARTNERSHIP": make_questionnaire(app, world.p2, title="Deelnemers Zuid"),
        "UNPUBLISHED": make_questionnaire(app, world.p1, title="Concept Noord", publish=False),
    }
    own = make_questionnaire(app, world.p1, title="Deelnemers Noord")
    client = client_as(app, world.coordinator)
    valid = {"trainer_questionnaire_id": "", "participant_questionnaire_id": own,
             "trainer_due_days": "7", "participant_window_days": "14"}
    form = {**valid, **{k: str(ids.get(v, v)) for k, v in change.items()}}
    response = client.post(settings_url(world.training1), data=form)
    assert response.status_code == 400
    html = body(response)
    assert field_message in html
    assert "De instellingen zijn niet opgeslagen" in html
    assert "Deelnemers Zuid" not in html
    assert stored_settings(app, world.training1.id) is None


def test_training_settings_of_another_partnership_are_forbidden(app, world):
    client = client_as(app, world.other_coordinator)
    assert client.get(settings_url(world.training1)).status_code == 403
    response = client.post(settings_url(world.training1), data={
        "trainer_questionnaire_id": "", "participant_questionnaire_id": "",
        "trainer_due_days": "1", "participant_window_days": "1"})
    assert response.status_code == 403
    assert stored_settings(app, world.training1.id) is None
    for user in (world.trainer, world.steering):
        assert client_as(app, user).get(settings_url(world.training1)).status_code == 403
    assert client_as(app, world.admin).get(settings_url(world.training1)).status_code == 200
    assert client_as(app, world.coordinator).get("/trainingen/987654321/evaluatie-instellingen").status_code == 404


def test_a_new_version_keeps_the_earlier_options_in_place(app, world):
    """An answer to a choice is the option's place in the list, and results add the versions of
    a question up under the newest labels: a new version may add options after the earlier ones,
    not reorder, reword or drop them (reversed, every earlier answer counted under another one)."""
    with kdb.new_session(app) as s:
        scope = Scope.everything()
        q = qs.create_questionnaire(s, scope, world.p1.id, "Opkomst", Audience.TRAINER, "")
        v1 = q.versions[0]
        qs.add_question(s, scope, v1.id, qs.QuestionData("Opkomst", QuestionType.CHOICE, options=["Allen", "Enkelen", "Weinig"]))
        qs.add_question(s, scope, v1.id, qs.QuestionData("Sfeer", QuestionType.SCALE))
        qs.publish(s, scope, v1.id)
        s.commit()
        qid = q.id
    client = client_as(app, world.coordinator)
    assert client.post(f"/vragenlijsten/{qid}/nieuwe-versie").status_code == 302
    choice, scale = question_ids(app, draft_id(app, qid))
    before = load(app, qid)
    for options in ("Weinig\nEnkelen\nAllen", "Allen\nWeinig", "Allen\nSommigen\nWeinig"):
        response = client.post(f"/vragenlijsten/vragen/{choice}/bewerken",
                               data={"text": "Opkomst", "question_type": "choice", "required": "y", "options": options})
        assert response.status_code == 400 and "Eerdere antwoorden tellen op hun plaats" in body(response), options
    reversed_labels = "\n".join(reversed(qs.SCALE_LABELS))
    response = client.post(f"/vragenlijsten/vragen/{scale}/bewerken",
                           data={"text": "Sfeer", "question_type": "scale", "required": "y", "options": reversed_labels})
    assert response.status_code == 400 and "Eerdere antwoorden tellen op hun plaats" in body(response)
    assert load(app, qid) == before
    # Options after the earlier ones, and another case or spacing, are fine; so is another type
    # (its answers never add up with the choice's).
    response = client.post(f"/vragenlijsten/vragen/{choice}/bewerken",
                           data={"text": "Opkomst", "question_type": "choice", "required": "y",
                                 "options": "allen\nEnkelen \nWeinig\nNiemand"})
    assert response.status_code == 302
    draft = next(v for v in load(app, qid)["versions"] if not v["published"])
    assert draft["questions"][0][5] == ["allen", "Enkelen", "Weinig", "Niemand"]
    response = client.post(f"/vragenlijsten/vragen/{choice}/bewerken",
                           data={"text": "Opkomst", "question_type": "multi", "required": "y", "options": "Ja\nNee"})
    assert response.status_code == 302
