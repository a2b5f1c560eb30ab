"""The JSON API (/api/v1): tokens, roles and scope, every endpoint, every error status, the
OpenAPI description, hostile bodies, and trainer evaluations submitted at the same moment.

Every request goes through tests.api_support.call, which validates the response against the
OpenAPI description: its status must be documented for the operation and its body must match.
"""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from flask import g
from sqlalchemy import func, select

from evaluaties.answers.models import EvaluationRequest, Response
from evaluaties.questionnaires.models import Audience
from evaluaties.questionnaires.services import applicable_version
from kwaliteit import create_app
from kwaliteit import db as kdb
from kwaliteit.accounts.models import User
from kwaliteit.api import openapi
from kwaliteit.api.errors import ApiError, handle_api_error
from kwaliteit.api.models import ApiToken
from kwaliteit.api.tokens import hash_token
from kwaliteit.trainings.models import Training, TrainingSession
from tests import factories
from tests.api_support import API, bearer, call, check, make_token
from tests.conftest import NOW, empty_database, login, run_in_threads
from tests.snapshot import Snapshot
from tests.test_authz import _build_world

ROLES = ("admin", "coordinator", "other_coordinator", "trainer", "steering")
MISSING = 987654321

# The authorization matrix's world (questionnaires, links, register, cycles) and a token per role,
# built once for the module and restored after every test that wrote (tests/snapshot.py).
pytestmark = pytest.mark.shared_world


@pytest.fixture(scope="module")
def _api_world(app):
    empty_database(app)
    world = _build_world(app)
    tokens = {role: make_token(app, getattr(world, role)) for role in ROLES}
    client = app.test_client()
    for token in tokens.values():  # the first use is recorded now, so reading tests write nothing
        client.get(f"{API}/safeguards", headers=bearer(token))
    snapshot = Snapshot(app)
    yield world, tokens, snapshot
    snapshot.close()


@pytest.fixture
def world(_api_world):
    world, _tokens, snapshot = _api_world
    yield world
    snapshot.restore_if_written()


@pytest.fixture
def tokens(_api_world):
    return _api_world[1]


def trainer_answers(app, world) -> dict:
    with kdb.new_session(app) as s:
        version = applicable_version(s, world.training1.id, Audience.TRAINER)
        return {
            q.code: {"open": "Goed gesprek.", "scale": 4, "yes_no": True}.get(q.type.value) or q.options[0]
            for q in version.questions
        }


# ---------------------------------------------------------------- the token role matrix


def row(admin, coordinator, other_coordinator, trainer, steering) -> dict[str, int]:
    return dict(zip(ROLES, (admin, coordinator, other_coordinator, trainer, steering), strict=True))


# endpoint: (method, url, missing url or None, body, statuses per role). Objects of partnership 1.
MATRIX = {
    "safeguards": ("GET", lambda w: "/safeguards", None, None, row(200, 200, 200, 403, 200)),
    "list_trainings": ("GET", lambda w: "/trainings", None, None, row(200, 200, 200, 403, 200)),
    "get_training": ("GET", lambda w: f"/trainings/{w.training1.id}", "/trainings/{}", None,
                         row(200, 200, 403, 403, 200)),
    "create_training": ("POST", lambda w: "/trainings", None, {}, row(422, 422, 422, 403, 403)),
    "update_training": ("PATCH", lambda w: f"/trainings/{w.training1.id}", "/trainings/{}", {},
                            row(200, 200, 403, 403, 403)),
    "training_sessions": ("GET", lambda w: f"/trainings/{w.training1.id}/sessions", "/trainings/{}/sessions",
                              None, row(200, 200, 403, 403, 200)),
    "create_session": ("POST", lambda w: f"/trainings/{w.training1.id}/sessions", "/trainings/{}/sessions", {},
                           row(422, 422, 403, 403, 403)),
    "get_session": ("GET", lambda w: f"/sessions/{w.session1.id}", "/sessions/{}", None,
                        row(200, 200, 403, 403, 200)),
    "evaluation_requests": ("GET", lambda w: "/evaluation-requests", None, None, row(200, 200, 200, 200, 200)),
    "submit_trainer_evaluation": ("POST", lambda w: f"/sessions/{w.session1.id}/trainer-evaluation",
                                      "/sessions/{}/trainer-evaluation", {"answers": {}},
                                      row(422, 422, 403, 422, 403)),
    "dashboard": ("GET", lambda w: "/dashboard", None, None, row(200, 200, 200, 403, 200)),
    "trainer_qualifications": ("GET", lambda w: "/trainer-qualifications", None, None,
                                   row(200, 200, 200, 403, 200)),
    "certificates": ("GET", lambda w: "/certificates", None, None, row(200, 200, 200, 403, 200)),
    "cycles": ("GET", lambda w: "/cycles", None, None, row(200, 200, 200, 403, 200)),
    "cycle_actions": ("GET", lambda w: f"/cycles/{w.cycle1.id}/actions", "/cycles/{}/actions", None,
                          row(200, 200, 403, 403, 200)),
}
# The same routes with an object of partnership 2: forbidden to partnership 1's accounts.
FOREIGN = {
    "get_training": lambda w: f"/trainings/{w.training2.id}",
    "update_training": lambda w: f"/trainings/{w.training2.id}",
    "training_sessions": lambda w: f"/trainings/{w.training2.id}/sessions",
    "create_session": lambda w: f"/trainings/{w.training2.id}/sessions",
    "get_session": lambda w: f"/sessions/{w.session2.id}",
    "submit_trainer_evaluation": lambda w: f"/sessions/{w.session2.id}/trainer-evaluation",
    "cycle_actions": lambda w: f"/cycles/{w.cycle2.id}/actions",
    "list_trainings": lambda w: f"/trainings?partnership_id={w.p2.id}",
    "evaluation_requests": lambda w: f"/evaluation-requests?partnership_id={w.p2.id}",
    "trainer_qualifications": lambda w: f"/trainer-qualifications?partnership_id={w.p2.id}",
    "certificates": lambda w: f"/certificates?partnership_id={w.p2.id}",
    "cycles": lambda w: f"/cycles?partnership_id={w.p2.id}",
    "dashboard": lambda w: f"/dashboard?partnership_id={w.p2.id}",
}


def test_matrix_covers_every_api_operation(app):
    """Every route and method under api.* is documented, and every documented operation is in the
    token matrix (by its operationId)."""
    documented = {(op.endpoint, op.method) for op in openapi.OPERATIONS}
    routed = {
        (r.endpoint, m) for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")
        for m in r.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == routed
    assert {op.operation_id for op in openapi.OPERATIONS} == set(MATRIX)


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_token_role_matrix(app, world, tokens, endpoint):
    method, url, missing, body, expected = MATRIX[endpoint]
    client = app.test_client()
    for role in ROLES:
        response = call(app, client, method, API + url(world), tokens[role], body)
        assert response.status_code == expected[role], f"{method} {url(world)} as {role}: {response.get_data(as_text=True)[:300]}"
        text = response.get_data(as_text=True)
        if role in ("coordinator", "trainer", "steering"):
            assert world.training2.title not in text and world.other_trainer.name not in text
        if role == "other_coordinator":
            assert world.training1.title not in text
    # Without a token: 401, whatever the object.
    assert call(app, client, method, API + url(world), None, body).status_code == 401
    if missing:
        for role in ROLES:
            response = call(app, client, method, API + missing.format(MISSING), tokens[role], body)
            assert response.status_code == (404 if expected[role] != 403 or role == "other_coordinator" else 403)
        out_of_range = call(app, client, method, API + missing.format(2**70), tokens["admin"], body)
        assert out_of_range.status_code == 404


@pytest.mark.parametrize("endpoint", sorted(FOREIGN))
@pytest.mark.parametrize("role", ["coordinator", "steering", "trainer"])
def test_partnership_1_cannot_reach_partnership_2(app, world, tokens, endpoint, role):
    method, _url, _missing, body, _expected = MATRIX[endpoint]
    response = call(app, app.test_client(), method, API + FOREIGN[endpoint](world), tokens[role], body)
    assert response.status_code == 403
    assert world.training2.title not in response.get_data(as_text=True)


def test_lists_hold_only_the_own_partnership(app, world, tokens):
    client = app.test_client()
    for url in ("/trainings", "/evaluation-requests", "/trainer-qualifications", "/certificates", "/cycles"):
        text = call(app, client, "GET", API + url, tokens["coordinator"]).get_data(as_text=True)
        assert world.training2.title not in text and world.other_trainer.name not in text and "Eva Zuidema" not in text
    admin = call(app, client, "GET", API + "/trainings", tokens["admin"]).get_json()
    assert {t["title"] for t in admin["items"]} >= {world.training1.title, world.training2.title}


def test_trainer_sees_only_the_sessions_he_gave(app, world, tokens):
    with kdb.new_session(app) as s:
        other = factories.session(s, s.get(Training, world.training1.id),
                                  trainers=[s.get(type(world.trainer_person2), world.trainer_person2.id)])
        s.commit()
        other_id = other.id
    client = app.test_client()
    body = call(app, client, "GET", API + "/evaluation-requests", tokens["trainer"]).get_json()
    assert [item["session_id"] for item in body["items"]] == [world.session1.id]
    response = call(app, client, "POST", API + f"/sessions/{other_id}/trainer-evaluation", tokens["trainer"],
                    {"answers": trainer_answers(app, world)})
    assert response.status_code == 403


# ---------------------------------------------------------------- tokens


def test_no_token_bad_token_and_cookie_only_are_401(app, world):
    client = app.test_client()
    for headers in ({}, {"Authorization": "Basic YWRtaW46eA=="}, {"Authorization": "Bearer"},
                    {"Authorization": "Bearer kw_onbekend"}, {"Authorization": "Bearer " + "x" * 10000}):
        response = call(app, client, "GET", API + "/trainings", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith('Bearer realm="kwaliteit"')
    # Logged in with the session cookie, but no token: the API does not take the cookie.
    login(client, world.coordinator)
    assert client.get("/trainingen").status_code == 200
    for method, url in (("GET", "/trainings"), ("POST", "/trainings"), ("PATCH", f"/trainings/{world.training1.id}")):
        assert call(app, client, method, API + url, body={"title": "x"}).status_code == 401


def test_revoked_expired_and_disabled_tokens_are_refused(app, world):
    client = app.test_client()
    revoked = make_token(app, world.coordinator, "Ingetrokken")
    expiring = make_token(app, world.coordinator, "Verloopt", days=1)
    steering = make_token(app, world.steering, "Stuurgroep")
    for token in (revoked, expiring, steering):
        assert call(app, client, "GET", API + "/trainings", token).status_code == 200
    with kdb.new_session(app) as s:
        row = s.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(revoked)))
        row.revoked_at = NOW
        s.get(User, world.steering.id).is_enabled = False
        s.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(expiring))).expires_at = NOW
        s.commit()
    for token in (revoked, expiring, steering):
        response = call(app, client, "GET", API + "/trainings", token)
        assert response.status_code == 401
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_token_is_stored_hashed_and_records_its_use(app, world):
    token = make_token(app, world.coordinator)
    assert token.startswith("kw_") and len(token) == 46
    with kdb.new_session(app) as s:
        row = s.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
        assert row.prefix == token[:11] and row.last_used_at is None
        stored = [v for r in s.execute(select(ApiToken.token_hash, ApiToken.prefix, ApiToken.name)) for v in r]
        assert token not in stored
    call(app, app.test_client(), "GET", API + "/safeguards", token)
    with kdb.new_session(app) as s:
        assert s.scalar(select(ApiToken.last_used_at).where(ApiToken.token_hash == hash_token(token))) is not None


def test_create_token_cli(app, world):
    result = app.test_cli_runner().invoke(args=["create-token", "Coordinator@example.org", "--name", "HR"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("kw_")
    body = call(app, app.test_client(), "GET", API + "/trainings", token).get_json()
    assert [t["title"] for t in body["items"]] == [world.training1.title]
    unknown = app.test_cli_runner().invoke(args=["create-token", "niemand@example.org"])
    assert unknown.exit_code != 0 and "Geen account" in unknown.output


# ---------------------------------------------------------------- the token page


def test_token_page_makes_shows_once_and_revokes(app, world):
    client = app.test_client()
    login(client, world.trainer)
    page = client.get("/api-tokens")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert 'href="/api-tokens"' in page.get_data(as_text=True)  # in the account menu
    response = client.post("/api-tokens", data={"name": "Mijn spreadsheet", "days": "90"})
    assert response.status_code == 302
    shown = client.get("/api-tokens").get_data(as_text=True)
    token = shown.split('<code class="break">')[1].split("</code>")[0]
    assert token.startswith("kw_")
    assert token not in client.get("/api-tokens").get_data(as_text=True)  # only once
    assert call(app, app.test_client(), "GET", API + "/evaluation-requests", token).status_code == 200
    with kdb.new_session(app) as s:
        row = s.scalar(select(ApiToken).where(ApiToken.user_id == world.trainer.id,
                                              ApiToken.name == "Mijn spreadsheet"))
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
        assert expires == NOW + timedelta(days=90)
        token_id = row.id
    # Another user cannot revoke it (nor learn that it exists).
    other = app.test_client()
    login(other, world.coordinator)
    assert other.post(f"/api-tokens/{token_id}/intrekken").status_code == 404
    assert client.post(f"/api-tokens/{token_id}/intrekken").status_code == 302
    assert call(app, app.test_client(), "GET", API + "/evaluation-requests", token).status_code == 401
    assert "ingetrokken" in client.get("/api-tokens").get_data(as_text=True)


@pytest.mark.parametrize("name", ["", "   ", "a\x00b", "x" * 101, "regel\nregel"])
def test_token_page_refuses_a_bad_name(app, world, name):
    client = app.test_client()
    login(client, world.trainer)

    def count():
        with kdb.new_session(app) as s:
            return s.scalar(select(func.count()).where(ApiToken.user_id == world.trainer.id))

    before = count()  # the trainer's token of the module's world
    response = client.post("/api-tokens", data={"name": name, "days": ""})
    assert response.status_code == 400
    assert "Het formulier is niet opgeslagen" in response.get_data(as_text=True)
    assert count() == before


def test_token_page_needs_a_log_in(app):
    assert app.test_client().get("/api-tokens").status_code == 302


# ---------------------------------------------------------------- the endpoints


def test_safeguards(app, world, tokens):
    body = call(app, app.test_client(), "GET", API + "/safeguards", tokens["steering"]).get_json()
    assert [s["code"] for s in body["items"]] == [s.code for s in world.safeguards]


def test_trainings_list_filters_and_pages(app, world, tokens):
    client = app.test_client()
    with kdb.new_session(app) as s:
        p1 = s.get(type(world.p1), world.p1.id)
        for n in range(3):
            factories.training(s, p1, f"Extra {n}", active=n != 0)
        s.commit()
    token = tokens["coordinator"]
    body = call(app, client, "GET", API + "/trainings?per_page=2&page=2", token).get_json()
    assert (body["page"], body["per_page"], body["total"], body["pages"]) == (2, 2, 4, 2)
    assert call(app, client, "GET", API + "/trainings?active=false", token).get_json()["total"] == 1
    assert call(app, client, "GET", API + "/trainings?q=extra&active=true", token).get_json()["total"] == 2
    assert call(app, client, "GET", API + "/trainings?kind=train-de-trainer", token).get_json()["total"] == 0
    # A page past the end is the last page.
    assert call(app, client, "GET", API + "/trainings?per_page=2&page=99", token).get_json()["page"] == 2


def test_create_read_and_update_a_training(app, world, tokens):
    client, token = app.test_client(), tokens["coordinator"]
    sg = world.safeguards
    body = {
        "title": "Verdieping begeleiden",
        "kind": "verdiepingstraining",
        "form": "blended",
        "contact_hours": 7.5,
        "description": "Twee middagen.",
        "organisation_ids": [world.school1.id],
        "safeguards": [{"code": sg[0].code, "rationale": "Leren van de mentor."}],
    }
    created = call(app, client, "POST", API + "/trainings", token, body)
    assert created.status_code == 201, created.get_json()
    training = created.get_json()
    assert training["partnership_id"] == world.p1.id  # the coordinator's only partnership
    assert (training["contact_hours"], training["organisation_ids"]) == (7.5, [world.school1.id])
    assert training["safeguards"] == [{"code": sg[0].code, "name": sg[0].name, "rationale": "Leren van de mentor."}]
    url = API + f"/trainings/{training['id']}"
    assert call(app, client, "GET", url, tokens["steering"]).get_json() == training
    # PATCH: only what is given changes; safeguards replace the links.
    patched = call(app, client, "PATCH", url, token, {
        "title": "Verdieping begeleiden 2", "active": False,
        "safeguards": [{"code": sg[1].code, "rationale": "Een rijke leeromgeving."},
                       {"code": sg[2].code, "rationale": "Samen organiseren."}],
    })
    assert patched.status_code == 200, patched.get_json()
    result = patched.get_json()
    assert (result["title"], result["active"], result["kind"], result["contact_hours"]) == (
        "Verdieping begeleiden 2", False, "verdiepingstraining", 7.5)
    assert [s["code"] for s in result["safeguards"]] == [sg[1].code, sg[2].code]
    # The same title again is a conflict (409), as the form says.
    again = call(app, client, "POST", API + "/trainings", token, {**body, "title": "VERDIEPING BEGELEIDEN 2"})
    assert again.status_code == 409
    assert "title" in again.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "a\x00b"}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": 12}, "title"),
        ({"kind": "cursus"}, "kind"),
        ({"contact_hours": 501}, "contact_hours"),
        ({"contact_hours": -1}, "contact_hours"),
        ({"contact_hours": 1e308}, "contact_hours"),
        ({"contact_hours": "veel"}, "contact_hours"),
        ({"contact_hours": True}, "contact_hours"),
        ({"contact_hours": 7.55}, "contact_hours"),  # the column keeps one decimal
        ({"contact_hours": "0,05"}, "contact_hours"),
        ({"contact_hours": 1e-320}, "contact_hours"),
        ({"partnership_id": 2**40}, "partnership_id"),
        ({"organisation_ids": ["1"]}, "organisation_ids"),
        ({"organisation_ids": [10**30]}, "organisation_ids"),
        ({"safeguards": [{"code": "ZZZ", "rationale": "x"}]}, "safeguards"),
        ({"safeguards": [{"code": "W1"}]}, "safeguards"),
        ({"safeguards": "W1"}, "safeguards"),
        ({"description": "x" * 5001}, "description"),
        ({"onbekend": 1}, "onbekend"),
    ],
)
def test_invalid_training_is_422_with_the_field(app, world, tokens, change, field):
    body = {"title": "Nieuw", "kind": "basistraining", "form": "fysiek", "contact_hours": 3} | change
    response = call(app, app.test_client(), "POST", API + "/trainings", tokens["coordinator"], body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"], response.get_json()
    with kdb.new_session(app) as s:
        assert s.scalar(select(func.count()).select_from(Training)) == 2


@pytest.mark.parametrize("given, kept", [("7,50", 7.5), ("-0", 0.0), (12, 12.0)])
def test_contact_hours_are_kept_as_shown(app, world, tokens, given, kept):
    """One decimal, as the column keeps it and every page shows it: 7,50 is 7,5 and -0 is 0."""
    import math

    body = {"title": f"Uren {given}", "kind": "basistraining", "form": "fysiek", "contact_hours": given}
    created = call(app, app.test_client(), "POST", API + "/trainings", tokens["coordinator"], body)
    assert created.status_code == 201, created.get_json()
    hours = created.get_json()["contact_hours"]
    assert hours == kept and math.copysign(1, hours) == 1
    with kdb.new_session(app) as s:
        assert s.get(Training, created.get_json()["id"]).contact_hours == Decimal(str(kept))


def test_missing_rationale_names_the_safeguard(app, world, tokens):
    code = world.safeguards[0].code
    body = {"title": "Nieuw", "kind": "basistraining", "form": "fysiek", "contact_hours": 3,
            "safeguards": [{"code": code, "rationale": "  "}]}
    response = call(app, app.test_client(), "POST", API + "/trainings", tokens["coordinator"], body)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {f"safeguards.{code}": "Licht toe hoe de training deze waarborg dient."}


def test_sessions(app, world, tokens):
    client, token = app.test_client(), tokens["coordinator"]
    url = API + f"/trainings/{world.training1.id}/sessions"
    body = {"date": "2026-12-10", "start_time": "09:30", "location": "Utrecht",
            "trainer_ids": [world.trainer_person.id], "participant_count": 14}
    created = call(app, client, "POST", url, token, body)
    assert created.status_code == 201, created.get_json()
    session = created.get_json()
    assert (session["date"], session["start_time"], session["trainers"]) == (
        "2026-12-10", "09:30", [{"id": world.trainer_person.id, "name": world.trainer_person.name}])
    assert call(app, client, "GET", API + f"/sessions/{session['id']}", tokens["steering"]).get_json() == session
    listed = call(app, client, "GET", url, token).get_json()
    assert [s["id"] for s in listed["items"]] == [session["id"], world.session1.id]  # the newest first
    for change, field in (({"trainer_ids": [world.other_trainer.id]}, "trainer_ids"), ({"date": "10-12-2026"}, "date"),
                          ({"date": "2099-01-01"}, "date"), ({"start_time": "25:00"}, "start_time"),
                          ({"participant_count": 10**20}, "participant_count"), ({"location": None}, "location")):
        refused = call(app, client, "POST", url, token, body | change)
        assert refused.status_code == 422 and field in refused.get_json()["error"]["fields"], (change, refused.get_json())


def test_evaluation_requests_with_derived_status(app, world, tokens):
    client, token = app.test_client(), tokens["coordinator"]
    with kdb.new_session(app) as s:
        training = s.get(Training, world.training1.id)
        person = s.get(type(world.trainer_person), world.trainer_person.id)
        soon = factories.session(s, training, [person], on=NOW.date() - timedelta(days=12))  # due in 2 days
        s.commit()
        soon_id = soon.id
    overdue = call(app, client, "GET", API + "/evaluation-requests?status=overdue", token).get_json()
    assert [(r["session_id"], r["status"]) for r in overdue["items"]] == [(world.session1.id, "overdue")]
    assert overdue["items"][0]["due"] == "2026-10-15"
    # On an earlier reference date the same evaluation was not yet overdue.
    earlier = call(app, client, "GET", API + "/evaluation-requests?today=2026-10-05", token).get_json()
    assert {r["session_id"]: r["status"] for r in earlier["items"]}[world.session1.id] == "open"
    both = call(app, client, "GET", API + "/evaluation-requests?status=overdue,due_soon", token).get_json()
    assert {r["session_id"] for r in both["items"]} == {world.session1.id, soon_id}
    trainer = call(app, client, "GET", API + "/evaluation-requests?status=due_soon", tokens["trainer"]).get_json()
    assert [r["session_id"] for r in trainer["items"]] == [soon_id]


def test_submit_trainer_evaluation_once(app, world, tokens):
    client = app.test_client()
    url = API + f"/sessions/{world.session1.id}/trainer-evaluation"
    answers = trainer_answers(app, world)
    response = call(app, client, "POST", url, tokens["trainer"], {"answers": answers})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["answers"]["doelen_bereikt"] == "4" and body["answers"]["thema_organisatie"] == "ja"
    status = call(app, client, "GET", API + "/evaluation-requests?status=submitted", tokens["coordinator"]).get_json()
    assert [r["session_id"] for r in status["items"]] == [world.session1.id]
    again = call(app, client, "POST", url, tokens["coordinator"], {"answers": answers})
    assert again.status_code == 409
    assert again.get_json()["error"]["message"] == "Deze evaluatie is al ingediend."


def test_trainer_evaluation_validation_and_state(app, world, tokens):
    client, token = app.test_client(), tokens["trainer"]
    url = API + f"/sessions/{world.session1.id}/trainer-evaluation"
    answers = trainer_answers(app, world)
    for body, field in (
        ({"answers": answers | {"doelen_bereikt": 9}}, "answers.doelen_bereikt"),
        ({"answers": answers | {"opkomst": "Niemand"}}, "answers.opkomst"),
        ({"answers": answers | {"goed_ging": "a\x00"}}, "answers.goed_ging"),
        ({"answers": answers | {"bestaat_niet": "x"}}, "answers.bestaat_niet"),
        ({"answers": answers | {"goed_ging": {"x": 1}}}, "answers.goed_ging"),
        ({"answers": []}, "answers"),
        ({}, "answers"),
    ):
        response = call(app, client, "POST", url, token, body)
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"], (body, response.get_json())
    # A session still to come, or a locked evaluation: 409.
    with kdb.new_session(app) as s:
        future = factories.session(s, s.get(Training, world.training1.id),
                                   [s.get(type(world.trainer_person), world.trainer_person.id)],
                                   on=NOW.date() + timedelta(days=3))
        s.add(EvaluationRequest(session_id=world.session1.id, audience=Audience.TRAINER, locked_at=NOW))
        s.commit()
        future_id = future.id
    for session_id in (future_id, world.session1.id):
        response = call(app, client, "POST", API + f"/sessions/{session_id}/trainer-evaluation", token, {"answers": answers})
        assert response.status_code == 409


def test_dashboard_headline(app, world, tokens):
    client = app.test_client()
    body = call(app, client, "GET", API + "/dashboard", tokens["coordinator"]).get_json()
    assert body["today"] == "2026-11-22"
    assert body["headline"]["overdue"] == 1
    assert [p["name"] for p in body["partnerships"]] == ["Partnerschap Noord"]
    earlier = call(app, client, "GET", API + "/dashboard?today=2026-10-05", tokens["coordinator"]).get_json()
    assert earlier["headline"]["overdue"] == 0
    region = call(app, client, "GET", API + "/dashboard", tokens["admin"]).get_json()
    assert region["headline"]["overdue"] == 2 and len(region["partnerships"]) == 2
    unknown = call(app, client, "GET", API + f"/dashboard?partnership_id={MISSING}", tokens["admin"])
    assert unknown.status_code == 400 and "partnership_id" in unknown.get_json()["error"]["fields"]


def test_register_and_cycles(app, world, tokens):
    client, token = app.test_client(), tokens["steering"]
    qualifications = call(app, client, "GET", API + "/trainer-qualifications", token).get_json()
    states = {r["name"]: r["state"] for r in qualifications["items"]}
    assert states[world.trainer_person.name] == "geldig" and states[world.trainer_person2.name] == "geen"
    none = call(app, client, "GET", API + "/trainer-qualifications?state=geen", token).get_json()
    assert [r["name"] for r in none["items"]] == [world.trainer_person2.name]
    certificates = call(app, client, "GET", API + "/certificates", token).get_json()
    assert [(c["number"], c["valid"]) for c in certificates["items"]] == [("2024-1", True)]
    assert call(app, client, "GET", API + "/certificates?today=2030-01-01", tokens["admin"]).status_code == 400
    cycles = call(app, client, "GET", API + "/cycles", token).get_json()
    assert [c["id"] for c in cycles["items"]] == [world.cycle1.id]
    assert set(cycles["items"][0]["phases"]) == {"plan", "do", "check", "act"}
    actions = call(app, client, "GET", API + f"/cycles/{world.cycle1.id}/actions", token).get_json()
    assert [a["id"] for a in actions["items"]] == [world.action1.id]
    assert call(app, client, "GET", API + f"/cycles/{world.cycle1.id}/actions?filter=te-laat", token).get_json()["total"] == 0


# ---------------------------------------------------------------- error statuses


@pytest.mark.parametrize(
    "query",
    ["page=0", "page=abc", "page=" + "9" * 30, "per_page=101", "per_page=0", "status=late", "today=2026-13-01",
     "today=22-11-2026", "today=1999-01-01", "partnership_id=-1", "partnership_id=x", "training_id=1e3"],
)
def test_bad_query_arguments_are_400(app, world, tokens, query):
    response = call(app, app.test_client(), "GET", API + f"/evaluation-requests?{query}", tokens["admin"])
    assert response.status_code == 400
    assert query.split("=")[0] in response.get_json()["error"]["fields"]


def test_control_characters_in_the_query_are_400_json(app, world, tokens):
    response = call(app, app.test_client(), "GET", API + "/trainings?q=a%00b", tokens["admin"])
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    "data",
    [b"{", b"[1, 2]", b'"tekst"', b"null", b'{"title": NaN}', b'{"contact_hours": Infinity}', b"\xff\xfe{}",
     b'{"contact_hours": ' + b"9" * 5000 + b"}", b"[" * 100000 + b"]" * 100000],
)
def test_malformed_json_is_400(app, world, tokens, data):
    response = call(app, app.test_client(), "POST", API + "/trainings", tokens["coordinator"],
                    data=data, content_type="application/json")
    assert response.status_code in (400, 413)


def test_other_media_types_are_415_and_large_bodies_413(app, world, tokens):
    client, token = app.test_client(), tokens["coordinator"]
    form = call(app, client, "POST", API + "/trainings", token, data={"title": "x"})
    assert form.status_code == 415 and form.get_json()["error"]["code"] == "unsupported_media_type"
    big = call(app, client, "POST", API + "/trainings", token, {"title": "x" * 70_000})
    assert big.status_code == 413 and big.get_json()["error"]["code"] == "payload_too_large"
    huge = call(app, client, "POST", API + "/trainings", token, data=b"x" * (6 * 1024 * 1024),
                content_type="application/json")
    assert huge.status_code == 413


def test_unknown_path_and_wrong_method_are_json(app, world, tokens):
    client = app.test_client()
    unknown = call(app, client, "GET", API + "/bestaat-niet", tokens["admin"])
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "not_found"
    wrong = call(app, client, "DELETE", API + f"/trainings/{world.training1.id}", tokens["admin"])
    assert wrong.status_code == 405 and wrong.get_json()["error"]["code"] == "method_not_allowed"
    assert set(wrong.headers["Allow"].split(", ")) >= {"GET", "PATCH"}


def test_guessing_tokens_is_throttled_per_address_and_recovers(app, world, tokens, monkeypatch):
    """Refused tokens count against the client address: the one that reaches the limit is 429 with
    Retry-After, then even a good token is refused until the lock-out ends."""
    from kwaliteit.security import guard

    client = app.test_client()
    path = API + "/safeguards"
    for n in range(guard.API_TOKEN.limit - 1):
        assert call(app, client, "GET", path, f"kw_geraden{n}").status_code == 401
    limited = call(app, client, "GET", path, "kw_nog-een")
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == str(int(guard.API_TOKEN.lockout.total_seconds()))
    assert "te veel ongeldige API-tokens" in limited.get_json()["error"]["message"]
    assert call(app, client, "GET", path, tokens["admin"]).status_code == 429
    # Another address is not locked; and once the lock-out is over, the good token works again.
    other = client.get(path, headers=bearer(tokens["admin"]), environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert other.status_code == 200
    monkeypatch.setitem(app.config, "FIXED_NOW", NOW + guard.API_TOKEN.lockout + timedelta(seconds=1))
    assert call(app, client, "GET", path, tokens["admin"]).status_code == 200


def test_429_and_500_bodies(app):
    """An ApiError(429) (kwaliteit.api.auth's throttle of refused tokens) and a 500 under /api/
    have the one error body, the 500 with an error id."""
    from werkzeug.exceptions import InternalServerError

    from kwaliteit.errors import internal_error

    with app.test_request_context(API + "/trainings"):
        limited = handle_api_error(ApiError(429, headers={"Retry-After": "60"}))
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "60"
        check(app, limited, "GET", API + "/trainings")
        g.error_id = "abcd1234"
        response, status = internal_error(InternalServerError()), 500
        assert response.status_code == status
        body = check(app, response, "GET", API + "/trainings")
        assert body["error"]["error_id"] == "abcd1234" and body["error"]["code"] == "internal_error"


def test_no_csrf_token_needed_with_a_bearer_token(app, world, tmp_path):
    """The real CSRF check on (the test app has it off): the API's writes need only the token,
    while the pages still refuse a form without one."""
    strict = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "csrf", "FIXED_TODAY": NOW.date(),
                         "FIXED_NOW": NOW, "TESTING": True}, instance_path=tmp_path)
    try:
        token = make_token(app, world.coordinator)
        client = strict.test_client()
        response = client.patch(API + f"/trainings/{world.training1.id}", json={"description": "Nieuw."},
                                headers=bearer(token))
        assert response.status_code == 200, response.get_json()
        assert client.post("/api-tokens", data={"name": "x"}).status_code in (302, 400)
    finally:
        kdb.engine_of(strict).dispose()


def test_no_cookie_is_set_by_the_api(app, world, tokens):
    client = app.test_client()
    response = call(app, client, "GET", API + "/trainings", tokens["admin"])
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


# ---------------------------------------------------------------- the description


def test_openapi_document_and_page(app, world):
    client = app.test_client()
    document = client.get(API + "/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    operations = [(p, m) for p, ms in document["paths"].items() for m in ms]
    assert len(operations) == len(MATRIX)
    page = client.get(API + "/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="nl">' in html
    for path, method in operations:
        assert f"{method.upper()} {path}" in html
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    assert "<script" not in html.replace('<script src="/static/page.js" defer></script>', "")
    json.dumps(document)  # plain JSON


# ---------------------------------------------------------------- two at once


def test_eight_trainer_evaluations_at_once_store_exactly_one(app, world):
    """8 submits of the same session's trainer evaluation at the same moment (a tandem, a double
    click, a retrying client): one 201, seven 409, one response with its answers."""
    token = make_token(app, world.trainer)
    answers = trainer_answers(app, world)
    url = API + f"/sessions/{world.session1.id}/trainer-evaluation"
    statuses: list[int] = []

    def submit():
        response = app.test_client().post(url, json={"answers": answers}, headers=bearer(token))
        statuses.append(response.status_code)
        if response.status_code == 409:
            assert response.get_json()["error"]["message"] == "Deze evaluatie is al ingediend."

    run_in_threads(*[submit] * 8, timeout=60)
    assert sorted(statuses) == [201] + [409] * 7
    with kdb.new_session(app) as s:
        responses = s.scalars(select(Response).where(Response.session_id == world.session1.id)).all()
        assert len(responses) == 1
        assert len(responses[0].answers) == len(answers)
        assert s.scalar(select(func.count()).select_from(EvaluationRequest)) == 1
        assert s.get(TrainingSession, world.session1.id) is not None
