"""Trainings and sessions: services, forms, pages, filters, and what bad input does.

Bad input must give the form back (status 400) with a Dutch message and the values entered, and
save nothing; never a 500.
"""
from __future__ import annotations

import html
import re
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from kwaliteit import db as kdb
from kwaliteit.clock import today as real_today
from kwaliteit.scope import Forbidden, NotFound, Scope
from kwaliteit.trainings import services
from kwaliteit.trainings.models import (
    Training,
    TrainingForm,
    TrainingKind,
    TrainingSession,
)
from kwaliteit.validation import ValidationError
from tests import factories
from tests.conftest import login

ENGLISH = ("This field is required", "Not a valid", "Invalid Choice", "is not a valid choice", "Invalid input")


@pytest.fixture
def coordinator(app, world):
    client = app.test_client()
    login(client, world.coordinator)
    return client


@pytest.fixture
def admin(app, world):
    client = app.test_client()
    login(client, world.admin)
    return client


def _count(app, model, *where) -> int:
    with kdb.new_session(app) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def _training(app, training_id) -> Training:
    with kdb.new_session(app) as s:
        t = s.get(Training, training_id)
        _ = t.safeguard_links, t.organisations, t.sessions
        for ts in t.sessions:
            _ = ts.trainers
        return t


def _body(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _field_value(body: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', body)
    if not match:
        return None
    value = re.search(r'\bvalue="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def _assert_dutch_form_error(response, message: str):
    body = _body(response)
    assert response.status_code == 400, body[:3000]
    # The summary says what was not saved, and the page title starts with "Fout:" (issue 8).
    assert re.search(r"De (training|bijeenkomst) is niet opgeslagen\.", body)
    assert "<title>Fout: " in body
    assert message in body, body[body.find("formulierfouten"):][:2000]
    for english in ENGLISH:
        assert english not in body, f"English message {english!r} on a Dutch form"
    return body


def training_data(world, **overrides) -> dict:
    sg = world.safeguards
    data = {
        "partnership_id": str(world.p1.id),
        "title": "Verdiepingstraining begeleiden",
        "kind": "verdiepingstraining",
        "form": "blended",
        "contact_hours": "7,5",
        "description": "Voor ervaren mentoren.",
        "organisation_ids": [str(world.school1.id)],
        f"sg_{sg[1].id}": "y",
        f"rationale_{sg[1].id}": "Mentoren leren de leeromgeving inrichten.",
        f"sg_{sg[3].id}": "y",
        f"rationale_{sg[3].id}": "Afsluitende evaluatie per bijeenkomst.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def session_data(world, **overrides) -> dict:
    data = {
        "date": (real_today() + timedelta(days=30)).isoformat(),
        "start_time": "15:30",
        "location": "Pabo Noord, lokaal 2",
        "trainer_ids": [str(world.trainer_person.id), str(world.trainer_person2.id)],
        "participant_count": "14",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# ================================================================ services


def test_service_create_edit_deactivate(app, world):
    sgs = world.safeguards
    with kdb.new_session(app) as s:
        user = s.get(type(world.coordinator), world.coordinator.id)
        scope = Scope.for_user(user)
        data = services.TrainingData(
            partnership_id=world.p1.id, title="  Opfrissen 2027 ", kind=TrainingKind.REFRESHER,
            form=TrainingForm.ONLINE, contact_hours=Decimal("3"), description="",
            organisation_ids=[world.institute1.id], safeguards={sgs[0].id: " Reflectie op eigen handelen. "},
        )
        t = services.create_training(s, scope, data)
        s.commit()
        assert t.title == "Opfrissen 2027" and t.active
        assert [(link.safeguard_id, link.rationale) for link in t.safeguard_links] == [
            (sgs[0].id, "Reflectie op eigen handelen.")
        ]

        data.title = "Opfrissen 2027-2028"
        data.safeguards = {sgs[0].id: "Aangepast.", sgs[2].id: "Afspraken tussen partners."}
        services.update_training(s, scope, t.id, data)
        s.commit()
        services.set_training_active(s, scope, t.id, False)
        s.commit()
        tid = t.id
    t = _training(app, tid)
    assert t.title == "Opfrissen 2027-2028" and t.active is False
    assert {(link.safeguard_id, link.rationale) for link in t.safeguard_links} == {
        (sgs[0].id, "Aangepast."), (sgs[2].id, "Afspraken tussen partners.")}
    assert [o.id for o in t.organisations] == [world.institute1.id]


def test_service_refuses_out_of_scope_and_readers(app, world):
    with kdb.new_session(app) as s:
        coordinator = Scope.for_user(s.get(type(world.coordinator), world.coordinator.id))
        steering = Scope.for_user(s.get(type(world.steering), world.steering.id))
        data = services.TrainingData(partnership_id=world.p2.id, title="Elders", kind=TrainingKind.BASIC,
                                     form=TrainingForm.PHYSICAL, contact_hours=Decimal("1"))
        with pytest.raises(ValidationError) as err:
            services.create_training(s, coordinator, data)
        assert "partnership_id" in err.value.errors
        with pytest.raises(Forbidden):
            services.create_training(s, steering, data)
        with pytest.raises(Forbidden):
            services.get_training(s, coordinator, world.training2.id)
        with pytest.raises(Forbidden):
            services.set_training_active(s, coordinator, world.training2.id, False)
        with pytest.raises(NotFound):
            services.get_training(s, coordinator, 10**9)
        with pytest.raises(NotFound):
            services.get_training(s, coordinator, 10**30)
        s.rollback()
    assert _count(app, Training) == 2


def test_service_checks_session_dates_against_the_given_today(app, world, today):
    with kdb.new_session(app) as s:
        scope = Scope.for_user(s.get(type(world.coordinator), world.coordinator.id))
        ok = services.SessionData(date=today + timedelta(days=3 * 365 - 1), start_time=time(9), location="x",
                                  trainer_ids=[world.trainer_person.id])
        services.create_session(s, scope, world.training1.id, ok, today)
        for bad in (date(2010, 7, 31), today + timedelta(days=3 * 365 + 1)):
            with pytest.raises(ValidationError) as err:
                services.create_session(s, scope, world.training1.id,
                                        services.SessionData(bad, ok.start_time, "x", [world.trainer_person.id]),
                                        today)
            assert "date" in err.value.errors
        s.rollback()


# ============================================================ create / edit


def test_create_form_preselects_the_only_partnership(coordinator, world):
    response = coordinator.get("/trainingen/nieuw")
    assert response.status_code == 200
    body = _body(response)
    assert re.search(rf'<option selected value="{world.p1.id}">|<option value="{world.p1.id}" selected', body)
    assert world.p2.name not in body  # not even as a choice
    for sg in world.safeguards:
        assert sg.name in body


def test_create_training_and_its_page(app, coordinator, world):
    response = coordinator.post("/trainingen/nieuw", data=training_data(world))
    assert response.status_code == 302, _body(response)[:3000]
    tid = int(response.headers["Location"].rstrip("/").split("/")[-1])
    t = _training(app, tid)
    assert t.title == "Verdiepingstraining begeleiden" and t.kind is TrainingKind.ADVANCED
    assert t.contact_hours == Decimal("7.5") and t.partnership_id == world.p1.id
    assert {link.safeguard_id for link in t.safeguard_links} == {world.safeguards[1].id, world.safeguards[3].id}

    # A session, then the page shows safeguards with rationales and the sessions with trainers.
    response = coordinator.post(f"/trainingen/{tid}/bijeenkomsten/nieuw", data=session_data(world))
    assert response.status_code == 302, _body(response)[:3000]
    body = _body(coordinator.get(f"/trainingen/{tid}"))
    assert "Leeromgeving" in body and "Mentoren leren de leeromgeving inrichten." in body
    assert "Kwaliteitscultuur" in body and "Afsluitende evaluatie per bijeenkomst." in body
    assert "Lerende leraar" not in body
    assert "Pabo Noord, lokaal 2" in body
    assert world.trainer_person.name in body and world.trainer_person2.name in body
    assert "7,5" in body  # Dutch decimal comma
    assert world.school1.name in body


def test_edit_training(app, coordinator, world):
    response = coordinator.get(f"/trainingen/{world.training1.id}/bewerken")
    assert response.status_code == 200
    body = _body(response)
    assert _field_value(body, "title") == world.training1.title
    assert "Dient Lerende leraar." in body  # current rationales are filled in
    sg = world.safeguards
    response = coordinator.post(
        f"/trainingen/{world.training1.id}/bewerken",
        data=training_data(world, title="Basistraining Noord (nieuw)",
                           **{f"sg_{sg[3].id}": None, f"rationale_{sg[3].id}": None}),
    )
    assert response.status_code == 302, _body(response)[:3000]
    t = _training(app, world.training1.id)
    assert t.title == "Basistraining Noord (nieuw)"
    # Lerende leraar unchecked, Leeromgeving kept with the new rationale.
    assert {(link.safeguard_id, link.rationale) for link in t.safeguard_links} == {
        (sg[1].id, "Mentoren leren de leeromgeving inrichten.")}


def test_deactivate_and_reactivate(app, coordinator, world):
    r = coordinator.post(f"/trainingen/{world.training1.id}/actief", data={"actief": "0"})
    assert r.status_code == 302
    assert _training(app, world.training1.id).active is False
    body = _body(coordinator.get(f"/trainingen/{world.training1.id}"))
    assert "gedeactiveerd" in body
    r = coordinator.post(f"/trainingen/{world.training1.id}/actief", data={"actief": "1"})
    assert r.status_code == 302
    assert _training(app, world.training1.id).active is True


def test_same_title_in_another_partnership_is_fine(app, admin, world):
    r = admin.post("/trainingen/nieuw", data=training_data(world, partnership_id=str(world.p2.id),
                                                           title=world.training1.title, organisation_ids=None))
    assert r.status_code == 302, _body(r)[:3000]
    assert _count(app, Training, Training.title == world.training1.title) == 2


# ================================================================ bad input


DUPLICATE_TITLE = "Er bestaat al een training met deze titel in dit partnerschap."
BAD_TRAINING = {
    "empty-title": ({"title": ""}, "Vul een titel in."),
    "blank-title": ({"title": "   "}, "Vul een titel in."),
    "long-title": ({"title": "x" * 201}, "Hoogstens 200 tekens."),
    "missing-partnership": ({"partnership_id": None}, "Kies een partnerschap."),
    "empty-partnership": ({"partnership_id": ""}, "Kies een partnerschap."),
    "partnership-not-a-number": ({"partnership_id": "noord"}, "Ongeldige keuze"),
    "hours-negative": ({"contact_hours": "-1"}, "Vul een aantal tussen 0 en 500 in."),
    "hours-too-many": ({"contact_hours": "500,5"}, "Vul een aantal tussen 0 en 500 in."),
    "hours-not-a-number": ({"contact_hours": "twaalf"}, "Ongeldige decimale waarde."),
    "hours-empty": ({"contact_hours": ""}, "Vul het aantal contacturen in."),
    "hours-nan": ({"contact_hours": "NaN"}, "Ongeldige decimale waarde."),
    "hours-snan": ({"contact_hours": "sNaN"}, "Ongeldige decimale waarde."),
    "hours-infinite": ({"contact_hours": "Infinity"}, "Ongeldige decimale waarde."),
    "hours-huge-exponent": ({"contact_hours": "1e999999"}, "Vul een aantal tussen 0 en 500 in."),
    "hours-two-decimals": ({"contact_hours": "7,55"}, "hoogstens één cijfer achter de komma"),
    "hours-tiny": ({"contact_hours": "1e-320"}, "hoogstens één cijfer achter de komma"),
    "unknown-kind": ({"kind": "masterclass"}, "Ongeldige keuze"),
    "rationale-missing": ({"rationale_SG1": ""}, "Licht toe hoe de training deze waarborg dient."),
    "rationale-blank": ({"rationale_SG1": "   "}, "Licht toe hoe de training deze waarborg dient."),
    "duplicate-title": ({"title": "Basistraining mentoren Noord"}, DUPLICATE_TITLE),
    "duplicate-title-case": ({"title": " basistraining MENTOREN noord "}, DUPLICATE_TITLE),
    "organisation-of-other-partnership": ({"organisation_ids": "SCHOOL2"}, "ongeldige keuze"),
}


def _resolve(world, overrides: dict) -> dict:
    out = {}
    for key, value in overrides.items():
        key = key.replace("SG1", str(world.safeguards[1].id))
        if value == "SCHOOL2":
            value = [str(world.school2.id)]
        out[key] = value
    return out


@pytest.mark.parametrize("case", sorted(BAD_TRAINING))
def test_bad_training_input(app, coordinator, world, case):
    overrides, message = BAD_TRAINING[case]
    data = training_data(world, **_resolve(world, overrides))
    before = _count(app, Training)
    response = coordinator.post("/trainingen/nieuw", data=data)
    body = _assert_dutch_form_error(response, message)
    assert _count(app, Training) == before
    # What was entered comes back (so nothing has to be typed again).
    if "title" in data and "title" not in overrides:
        assert _field_value(body, "title") == data["title"]
    if case.startswith("hours") and data.get("contact_hours"):
        assert _field_value(body, "contact_hours") == data["contact_hours"]
    assert "Voor ervaren mentoren." in body
    if not case.startswith("rationale"):
        assert "Mentoren leren de leeromgeving inrichten." in body
    sg_box = re.search(rf'<input[^>]*name="sg_{world.safeguards[1].id}"[^>]*>', body).group(0)
    assert "checked" in sg_box


@pytest.mark.parametrize("action", ["create", "edit"])
def test_duplicate_title_caught_by_the_database_is_a_form_error(app, coordinator, world, monkeypatch, action):
    """Two coordinators saving the same title at once: the check passes for both, the unique
    constraint stops the second, and that is still a form error, not a 500."""
    monkeypatch.setattr(services, "_title_taken", lambda *a, **k: False)
    with kdb.new_session(app) as s:
        other_id = factories.training(s, s.merge(world.p1), "Tweede training Noord").id
        s.commit()
    url = "/trainingen/nieuw" if action == "create" else f"/trainingen/{other_id}/bewerken"
    before = _count(app, Training)
    response = coordinator.post(url, data=training_data(world, title=world.training1.title))
    _assert_dutch_form_error(response, "Er bestaat al een training met deze titel in dit partnerschap.")
    assert _count(app, Training) == before
    assert _training(app, other_id).title == "Tweede training Noord"


def test_partnership_outside_scope_is_refused(app, coordinator, world):
    before = _count(app, Training)
    response = coordinator.post("/trainingen/nieuw",
                                data=training_data(world, partnership_id=str(world.p2.id), organisation_ids=None))
    _assert_dutch_form_error(response, "Ongeldige keuze")
    assert _count(app, Training) == before
    assert _count(app, Training, Training.partnership_id == world.p2.id) == 1


def test_organisation_of_another_partnership_than_the_chosen_one(app, admin, world):
    """The admin sees every organisation as a choice; the service still refuses a mix."""
    response = admin.post("/trainingen/nieuw",
                          data=training_data(world, organisation_ids=[str(world.school1.id), str(world.school2.id)]))
    _assert_dutch_form_error(response, "Kies alleen organisaties uit het gekozen partnerschap.")
    assert _count(app, Training) == 2


def test_bad_input_on_edit_changes_nothing(app, coordinator, world):
    with kdb.new_session(app) as s:
        other = factories.training(s, s.merge(world.p1), "Tweede training Noord")
        s.commit()
        other_id = other.id
    before = _training(app, other_id)
    response = coordinator.post(f"/trainingen/{other_id}/bewerken",
                                data=training_data(world, title=world.training1.title, contact_hours="3"))
    body = _assert_dutch_form_error(response, "Er bestaat al een training met deze titel in dit partnerschap.")
    assert _field_value(body, "title") == world.training1.title
    after = _training(app, other_id)
    assert (after.title, after.contact_hours, len(after.safeguard_links)) == (
        before.title, before.contact_hours, len(before.safeguard_links))


def test_moving_a_training_with_sessions_to_another_partnership_is_refused(app, admin, world):
    response = admin.post(f"/trainingen/{world.training1.id}/bewerken",
                          data=training_data(world, partnership_id=str(world.p2.id), organisation_ids=None))
    _assert_dutch_form_error(response, "Een training met bijeenkomsten kan niet naar een ander partnerschap.")
    assert _training(app, world.training1.id).partnership_id == world.p1.id


# ================================================================ sessions


def test_create_and_edit_session(app, coordinator, world):
    response = coordinator.get(f"/trainingen/{world.training1.id}/bijeenkomsten/nieuw")
    assert response.status_code == 200
    body = _body(response)
    assert world.trainer_person.name in body and world.trainer_person2.name in body
    assert world.other_trainer.name not in body and world.mentor.name not in body

    before = _count(app, TrainingSession)
    response = coordinator.post(f"/trainingen/{world.training1.id}/bijeenkomsten/nieuw",
                                data=session_data(world, trainer_ids=[str(world.trainer_person.id)]))
    assert response.status_code == 302, _body(response)[:3000]
    assert _count(app, TrainingSession) == before + 1

    response = coordinator.get(f"/bijeenkomsten/{world.session1.id}/bewerken")
    assert response.status_code == 200
    response = coordinator.post(f"/bijeenkomsten/{world.session1.id}/bewerken",
                                data=session_data(world, location="Basisschool De Linde", participant_count="9"))
    assert response.status_code == 302, _body(response)[:3000]
    with kdb.new_session(app) as s:
        ts = s.get(TrainingSession, world.session1.id)
        assert (ts.location, ts.participant_count) == ("Basisschool De Linde", 9)


BAD_SESSION = {
    "date-before-2010": ({"date": "2009-12-31"}, "Kies een datum na 01-08-2010."),
    "date-year-one": ({"date": "0001-01-01"}, "Kies een datum na 01-08-2010."),
    "date-too-far-ahead": ("FAR", "Kies een datum vóór"),
    "date-not-a-date": ({"date": "31-02-2026"}, "Ongeldige datum."),
    "date-empty": ({"date": ""}, "Vul een geldige datum in."),
    "time-not-a-time": ({"start_time": "25:99"}, "Ongeldige waarde voor tijd."),
    "no-location": ({"location": "  "}, "Vul een locatie in."),
    "no-trainers": ({"trainer_ids": None}, "Kies minstens één trainer."),
    "trainer-of-other-partnership": ("OTHER", "ongeldige keuze"),
    "mentor-is-no-trainer": ("MENTOR", "ongeldige keuze"),
    "trainer-not-a-number": ({"trainer_ids": ["anna"]}, "Kies minstens één trainer."),
    "participants-negative": ({"participant_count": "-1"}, "Vul een aantal tussen 0 en 1000 in."),
    "participants-too-many": ({"participant_count": "100000000000000000000000"}, "Vul een aantal tussen 0 en 1000 in."),
    "participants-not-a-number": ({"participant_count": "veel"}, "Ongeldig getal."),
}


def _session_overrides(world, spec):
    if spec == "FAR":
        return {"date": (real_today() + timedelta(days=3 * 365 + 10)).isoformat()}
    if spec == "OTHER":
        return {"trainer_ids": [str(world.trainer_person.id), str(world.other_trainer.id)]}
    if spec == "MENTOR":
        return {"trainer_ids": [str(world.mentor.id)]}
    return spec


@pytest.mark.parametrize("case", sorted(BAD_SESSION))
@pytest.mark.parametrize("action", ["create", "edit"])
def test_bad_session_input(app, coordinator, world, case, action):
    spec, message = BAD_SESSION[case]
    data = session_data(world, **_session_overrides(world, spec))
    url = (f"/trainingen/{world.training1.id}/bijeenkomsten/nieuw" if action == "create"
           else f"/bijeenkomsten/{world.session1.id}/bewerken")
    before = _count(app, TrainingSession)
    response = coordinator.post(url, data=data)
    body = _assert_dutch_form_error(response, message)
    assert _count(app, TrainingSession) == before
    if "location" not in (spec if isinstance(spec, dict) else {}):
        assert _field_value(body, "location") == data["location"]
    with kdb.new_session(app) as s:
        ts = s.get(TrainingSession, world.session1.id)
        assert (ts.location, ts.date, ts.participant_count) == ("Amsterdam", date(2026, 10, 1), 12)
        assert sorted(p.id for p in ts.trainers) == sorted([world.trainer_person.id, world.trainer_person2.id])


# ================================================================ 403 / 404


@pytest.mark.parametrize("url", [
    "/trainingen/{t2}", "/trainingen/{t2}/bewerken", "/trainingen/{t2}/bijeenkomsten/nieuw",
    "/bijeenkomsten/{s2}/bewerken",
])
def test_other_partnerships_objects_are_403(coordinator, world, url):
    url = url.format(t2=world.training2.id, s2=world.session2.id)
    response = coordinator.get(url)
    assert response.status_code == 403
    assert world.training2.title not in _body(response)
    if "bewerken" in url or "nieuw" in url:  # the detail page has no POST
        response = coordinator.post(url, data=session_data(world) if "bijeenkomst" in url else training_data(world))
        assert response.status_code == 403


@pytest.mark.parametrize("url", [
    "/trainingen/{n}", "/trainingen/{n}/bewerken", "/trainingen/{n}/bijeenkomsten/nieuw",
    "/bijeenkomsten/{n}/bewerken", "/waarborgen/{n}",
])
@pytest.mark.parametrize("n", [424242, 2**64])
def test_unknown_ids_are_404(coordinator, url, n):
    response = coordinator.get(url.format(n=n))
    assert response.status_code == 404
    assert "Niet gevonden" in _body(response)


# ================================================================ list page


def _titles(response) -> list[str]:
    return re.findall(r'<th scope="row" data-label="Titel"><a href="[^"]+">([^<]+)</a>', _body(response))


@pytest.fixture
def many(app, world):
    """30 more trainings in partnership 1 (10 advanced, 5 inactive) and 3 in partnership 2."""
    with kdb.new_session(app) as s:
        p1, p2 = s.merge(world.p1), s.merge(world.p2)
        for i in range(30):
            factories.training(s, p1, f"Noord {i:02d}", active=i % 6 != 5,
                               kind=TrainingKind.ADVANCED if i % 3 == 0 else TrainingKind.BASIC)
        for i in range(3):
            factories.training(s, p2, f"Zuid {i:02d}", kind=TrainingKind.REFRESHER)
        s.commit()


def test_list_filters(admin, coordinator, world, many):
    assert len(_titles(admin.get("/trainingen?status=alle&pagina=1"))) == 25
    # partnership
    titles = _titles(admin.get(f"/trainingen?partnerschap={world.p2.id}"))
    assert titles == ["Basistraining mentoren Zuid", "Zuid 00", "Zuid 01", "Zuid 02"]
    # kind
    titles = _titles(admin.get("/trainingen?soort=verdiepingstraining&status=alle"))
    assert titles == [f"Noord {i:02d}" for i in range(0, 30, 3)]
    # active / inactive / all / unknown status (treated as active, as the menu shows)
    inactive = [f"Noord {i:02d}" for i in range(30) if i % 6 == 5]
    assert _titles(coordinator.get("/trainingen?status=inactief")) == inactive
    body = _body(coordinator.get("/trainingen?status=actief"))
    assert "26 trainingen" in body  # 25 active of 30, plus the world's training
    assert "26 trainingen" in _body(coordinator.get("/trainingen?status=onzin"))
    assert "31 trainingen" in _body(coordinator.get("/trainingen?status=alle"))
    # title search, also with LIKE wildcards typed as text
    assert _titles(coordinator.get("/trainingen?q=noord 1&status=alle")) == [f"Noord {i}" for i in range(10, 20)]
    # combined
    assert _titles(coordinator.get("/trainingen?soort=verdiepingstraining&status=inactief")) == [
        f"Noord {i:02d}" for i in range(30) if i % 3 == 0 and i % 6 == 5] == []
    assert _titles(coordinator.get("/trainingen?soort=basistraining&status=inactief&q=2")) == ["Noord 23", "Noord 29"]


def test_list_pagination(coordinator, world, many):
    first = _titles(coordinator.get("/trainingen?status=alle"))
    second = _titles(coordinator.get("/trainingen?status=alle&pagina=2"))
    assert len(first) == 25 and len(second) == 6
    assert not set(first) & set(second)
    body = _body(coordinator.get("/trainingen?status=alle&pagina=2"))
    assert "Pagina 2 van 2" in body and 'rel="prev"' in body and 'rel="next"' not in body
    # Out of range or nonsense: the nearest page, never an error.
    assert _titles(coordinator.get("/trainingen?status=alle&pagina=99")) == second
    assert _titles(coordinator.get("/trainingen?status=alle&pagina=0")) == first
    for junk in ("abc", "-1", "²", "1e3", "99999999999999999999999999"):
        response = coordinator.get("/trainingen", query_string={"status": "alle", "pagina": junk})
        assert response.status_code == 200, junk
    for junk in ("abc", "²", "99999999999999999999999999", "-3"):
        response = coordinator.get("/trainingen", query_string={"partnerschap": junk})
        assert response.status_code == 200, junk


def test_search_treats_wildcards_as_text(app, coordinator, world):
    with kdb.new_session(app) as s:
        factories.training(s, s.merge(world.p1), "100% praktijk")
        factories.training(s, s.merge(world.p1), "Mentor_dag")
        s.commit()
    assert _titles(coordinator.get("/trainingen", query_string={"q": "%"})) == ["100% praktijk"]
    assert _titles(coordinator.get("/trainingen", query_string={"q": "_"})) == ["Mentor_dag"]


# ================================================================ overview


def _section(body: str, heading: str) -> str:
    start = body.index(f"<h2>{heading}</h2>")
    end = body.find("<h2>", start + 1)
    return body[start:end if end != -1 else None]


def test_overview_marks_unlinked_trainings_and_uncovered_safeguards(app, coordinator, world):
    with kdb.new_session(app) as s:
        factories.training(s, s.merge(world.p1), "Training zonder waarborg")
        s.commit()
    body = _body(coordinator.get("/overzicht"))
    unlinked = _section(body, "Trainingen zonder waarborg")
    assert "Training zonder waarborg" in unlinked and world.training1.title not in unlinked
    uncovered = _section(body, "Waarborgen zonder actieve training")
    assert "Organisatie" in uncovered and "Kwaliteitscultuur" in uncovered
    assert "Lerende leraar" not in uncovered and "Leeromgeving" not in uncovered

    # Deactivating the only training that serves Lerende leraar and Leeromgeving (in this
    # coordinator's scope) leaves both uncovered.
    assert coordinator.post(f"/trainingen/{world.training1.id}/actief", data={"actief": "0"}).status_code == 302
    body = _body(coordinator.get("/overzicht"))
    uncovered = _section(body, "Waarborgen zonder actieve training")
    for name in ("Lerende leraar", "Leeromgeving", "Organisatie", "Kwaliteitscultuur"):
        assert name in uncovered
    coverage = _section(body, "Dekking per waarborg")
    assert coverage.count("geen actieve training") == 4


def test_overview_counts_only_the_users_scope(app, world):
    with kdb.new_session(app) as s:
        admin = services.overview(s, Scope.everything())
        own = services.overview(s, Scope.for_user(s.get(type(world.coordinator), world.coordinator.id)))

    def by_code(o):
        return {c.safeguard.code: (c.active_trainings, c.all_trainings) for c in o.coverage}

    assert by_code(admin) == {"LL": (2, 2), "LO": (1, 1), "OR": (0, 0), "KC": (0, 0)}
    assert by_code(own) == {"LL": (1, 1), "LO": (1, 1), "OR": (0, 0), "KC": (0, 0)}
    assert [s.code for s in own.uncovered] == ["OR", "KC"]


def test_safeguard_page_lists_trainings_with_rationales(app, coordinator, world):
    body = _body(coordinator.get(f"/waarborgen/{world.safeguards[0].id}"))
    assert "Lerende leraar" in body and world.training1.title in body and "Dient Lerende leraar." in body
    assert world.training2.title not in body
    for criterion in ("LL.1", "LL.2"):
        assert criterion in body
