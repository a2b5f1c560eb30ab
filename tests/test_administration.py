"""Beheer in the app (issue 8): partnerships and their settings, organisations, persons, accounts by
invitation. Every rule and every bad input of the issue, through the services and the pages:
clear Dutch messages and nothing saved; a coordinator cannot escalate a role or reach another
partnership; invitation links work once, also when clicked twice at the same moment."""
from __future__ import annotations

import hashlib
import re
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, update

from evaluaties.answers.requests import session_status
from evaluaties.questionnaires.models import Audience, EvaluationSettings
from evaluaties.questionnaires.services import get_settings
from kwaliteit import db as kdb
from kwaliteit.accounts.invitations import (
    INVITATION_DAYS,
    InvitationRefused,
    InvitationState,
    accept_invitation,
    check_invitation,
    hash_token,
)
from kwaliteit.accounts.models import NO_PASSWORD, Invitation, Role, User
from kwaliteit.accounts.users import (
    LAST_ADMIN,
    AccountData,
    invite_user,
    set_user_enabled,
    update_user,
)
from kwaliteit.registry import services as registry
from kwaliteit.registry.models import (
    Organisation,
    OrganisationKind,
    Partnership,
    PartnershipSettings,
    Person,
    PersonRole,
)
from kwaliteit.scope import Forbidden, Scope
from kwaliteit.validation import ValidationError
from tests import factories
from tests.conftest import NOW, count_statements, login
from tests.smtp import Server, free_port

NEW_PASSWORD = "een lang nieuw wachtwoord"


def _client(app, user=None):
    client = app.test_client()
    if user is not None:
        login(client, user)
    return client


def _count(app, model, *where) -> int:
    with kdb.new_session(app) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def _body(response) -> str:
    return response.get_data(as_text=True)


def _scope(app, user) -> Scope:
    with kdb.new_session(app) as s:
        return Scope.for_user(s.get(User, user.id))


def _invite(app, email="nieuw@example.org", role=Role.COORDINATOR, partnership_ids=(), now=NOW, **kw):
    with kdb.new_session(app) as s:
        user, token = invite_user(
            s, Scope.everything(), AccountData(email, kw.pop("name", ""), role, list(partnership_ids), **kw), now
        )
        s.commit()
        return user.id, token


# ================================================================== partnerships and settings


def test_admin_creates_a_partnership_with_its_settings(app, world):
    client = _client(app, world.admin)
    response = client.post(
        "/beheer/partnerschappen/nieuw",
        data={"name": "Partnerschap Oost", "min_answers_shown": "8", "trainer_due_days": "10",
              "participant_window_days": "30"},
    )
    assert response.status_code == 302
    with kdb.new_session(app) as s:
        p = s.scalar(select(Partnership).where(Partnership.name == "Partnerschap Oost"))
        assert (p.settings.min_answers_shown, p.settings.trainer_due_days, p.settings.participant_window_days) == (
            8, 10, 30)
    body = _body(client.get("/beheer/partnerschappen"))
    assert "Partnerschap Oost" in body and "10 dagen" in body and "30 dagen" in body


def test_empty_settings_mean_the_application_defaults(app, world):
    client = _client(app, world.admin)
    response = client.post(f"/beheer/partnerschappen/{world.p1.id}/bewerken", data={"name": "Partnerschap Noord"})
    assert response.status_code == 302
    with kdb.new_session(app) as s:
        settings = s.get(PartnershipSettings, world.p1.id)
        assert (settings.min_answers_shown, settings.trainer_due_days, settings.participant_window_days) == (
            None, None, None)
        assert registry.partnership_threshold(s, world.p1.id, 5) == 5


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"name": "partnerschap zuid"}, "name", "Er bestaat al een partnerschap met deze naam."),
        ({"name": ""}, "name", "Vul de naam van het partnerschap in."),
        ({"name": "Oost", "min_answers_shown": "3"}, "min_answers_shown", "lager dan de drempel van de app (5)"),
        ({"name": "Oost", "min_answers_shown": "101"}, "min_answers_shown", "tot en met 100"),
        ({"name": "Oost", "trainer_due_days": "366"}, "trainer_due_days", "van 0 tot en met 365 dagen"),
        ({"name": "Oost", "participant_window_days": "0"}, "participant_window_days", "van 1 tot en met 365"),
        ({"name": "Oost", "trainer_due_days": "veertien"}, "trainer_due_days", ""),
        ({"name": "Oost\x00"}, "name", "ongeldige tekens"),
        ({"name": "O" * 201}, "name", "Hoogstens 200 tekens."),
    ],
    ids=["duplicate-name-any-case", "no-name", "threshold-below-app", "threshold-too-high", "due-days",
         "window-days", "not-a-number", "nul-byte", "too-long"],
)
def test_bad_partnership_input_is_refused_and_nothing_saved(app, world, data, field, message):
    before = _count(app, Partnership)
    response = _client(app, world.admin).post("/beheer/partnerschappen/nieuw", data=data)
    assert response.status_code == 400
    body = _body(response)
    assert message in body
    assert f'id="{field}-fout"' in body  # the message sits at its field
    assert _count(app, Partnership) == before
    assert _count(app, PartnershipSettings) == 0


def test_coordinators_read_their_own_partnership_settings_only(app, world):
    client = _client(app, world.coordinator)
    body = _body(client.get("/beheer/partnerschappen"))
    assert "Partnerschap Noord" in body and "Partnerschap Zuid" not in body
    assert "/bewerken" not in body
    assert client.get(f"/beheer/partnerschappen/{world.p1.id}/bewerken").status_code == 403
    assert client.post("/beheer/partnerschappen/nieuw", data={"name": "Eigen"}).status_code == 403
    assert _count(app, Partnership, Partnership.name == "Eigen") == 0


def test_partnership_services_are_for_admins(db, world):
    with pytest.raises(Forbidden):
        registry.create_partnership(db, Scope.for_user(world.coordinator), registry.PartnershipData("X"), 5)


def test_threshold_never_below_the_application_minimum(db, world):
    db.add(PartnershipSettings(partnership_id=world.p1.id, min_answers_shown=8))
    db.flush()
    assert registry.partnership_threshold(db, world.p1.id, 5) == 8
    assert registry.partnership_threshold(db, world.p2.id, 5) == 5  # no settings row
    # The application's minimum raised after the partnership set its own: the minimum holds.
    assert registry.partnership_threshold(db, world.p1.id, 10) == 10
    # The SQL expression for results over several partnerships agrees, in one statement.
    rows = dict(db.execute(
        select(Partnership.id, registry.threshold_expression(Partnership.id, 5))
    ).all())
    assert rows == {world.p1.id: 8, world.p2.id: 5}
    rows = dict(db.execute(
        select(Partnership.id, registry.threshold_expression(Partnership.id, 10))
    ).all())
    assert rows == {world.p1.id: 10, world.p2.id: 10}
    db.rollback()


def test_partnership_threshold_reads_the_app_minimum(app, world):
    with app.app_context(), kdb.new_session(app) as s:
        assert registry.partnership_threshold(s, world.p1.id) == app.config["MIN_ANSWERS_SHOWN"]


def test_partnership_deadlines_apply_to_trainings_without_their_own(app, world, today):
    with kdb.new_session(app) as s:
        _status, due, _req = session_status(s, world.session1.id, Audience.TRAINER, today)
        assert due == world.session1.date + timedelta(days=14)  # the application's default
        s.add(PartnershipSettings(partnership_id=world.p1.id, trainer_due_days=60, participant_window_days=90))
        s.commit()
    with kdb.new_session(app) as s:
        _status, due, _req = session_status(s, world.session1.id, Audience.TRAINER, today)
        assert due == world.session1.date + timedelta(days=60)
        _status, closes, _req = session_status(s, world.session1.id, Audience.PARTICIPANT, today)
        assert closes == world.session1.date + timedelta(days=90)
        # The other partnership keeps the defaults.
        _status, due, _req = session_status(s, world.session2.id, Audience.TRAINER, today)
        assert due == world.session2.date + timedelta(days=14)
        # The training's settings form starts from the partnership's deadlines.
        settings = get_settings(s, world.training1.id)
        assert (settings.trainer_due_days, settings.participant_window_days) == (60, 90)
        # A training's own settings win.
        s.add(EvaluationSettings(training_id=world.training1.id, trainer_due_days=7, participant_window_days=10))
        s.commit()
        _status, due, _req = session_status(s, world.session1.id, Audience.TRAINER, today)
        assert due == world.session1.date + timedelta(days=7)


def test_partnership_deadlines_in_every_status_statement(app, world, today):
    """Both partnerships set their own deadlines: every statement that derives an evaluation's
    status looks them up per session's partnership (a lookup that lost its correlation would
    read every partnership's row: an error on PostgreSQL, the wrong deadline on SQLite)."""
    from evaluaties.answers import requests
    from evaluaties.results import rates
    from kwaliteit.dashboard import services as dashboard
    from kwaliteit.notifications import calendar, reminders
    from kwaliteit.trainings.models import TrainingSession

    with kdb.new_session(app) as s:
        s.add(PartnershipSettings(partnership_id=world.p1.id, trainer_due_days=60, participant_window_days=90))
        s.add(PartnershipSettings(partnership_id=world.p2.id, trainer_due_days=30, participant_window_days=45))
        s.commit()
    s1, s2 = world.session1, world.session2
    due = {s1.id: s1.date + timedelta(days=60), s2.id: s2.date + timedelta(days=30)}
    closes = {s1.id: s1.date + timedelta(days=90), s2.id: s2.date + timedelta(days=45)}
    admin = Scope.for_user(world.admin)
    with app.app_context(), kdb.new_session(app) as s:  # the mails and the calendar make links
        for sid in due:
            assert session_status(s, sid, Audience.TRAINER, today)[1] == due[sid]
            assert session_status(s, sid, Audience.PARTICIPANT, today)[1] == closes[sid]
        page = requests.trainer_evaluation_overview(s, admin, today)
        assert {r.session.id: r.due for r in page.items} == due
        q = rates.rate_query(admin, today)
        assert {r.session.id: r.closes_on for r in rates.rate_rows(s, q.stmt)} == closes
        trainer = rates.with_trainer(q.stmt, today)
        assert dict(s.execute(trainer.stmt.with_only_columns(TrainingSession.id, trainer.due)).all()) == due
        assert {r.session.id: r.trainer_due for r in rates.training_session_rows(s, admin, world.training2.id, today)} \
            == {s2.id: due[s2.id]}
        assert {r.session.id for r in requests.trainer_evaluations_of(s, world.trainer_person.id, today)} == {s1.id}
        reminders.trainer_evaluation_mails(s, today)  # the reminder job's statement runs
        trainer = s.get(User, world.trainer.id)
        calendar.due_events(s, trainer, today)
        for day in (s1.date, due[s1.id] - timedelta(days=1), due[s1.id] + timedelta(days=1)):
            d = dashboard.dashboard(s, admin, dashboard.Filters(reference=day), 5)
            assert sum(p.overdue for p in d.partnerships) == sum(
                1 for sid, on in due.items() if on < day and s.get(TrainingSession, sid).date <= day
            )


# ================================================================== organisations


def _board(app, partnership, name="Stichting Noord"):
    with kdb.new_session(app) as s:
        board = factories.organisation(s, s.get(Partnership, partnership.id), OrganisationKind.BOARD, name)
        s.commit()
        return board.id


def test_coordinator_adds_a_school_with_its_board(app, world):
    client = _client(app, world.coordinator)
    response = client.post(
        "/beheer/organisaties/nieuw",
        data={"partnership_id": world.p1.id, "name": "Stichting Kust", "kind": "bestuur", "parent_id": ""},
    )
    assert response.status_code == 302
    with kdb.new_session(app) as s:
        board = s.scalar(select(Organisation).where(Organisation.name == "Stichting Kust"))
    response = client.post(
        "/beheer/organisaties/nieuw",
        data={"partnership_id": world.p1.id, "name": "OBS De Duinen", "kind": "school", "parent_id": board.id},
    )
    assert response.status_code == 302
    with kdb.new_session(app) as s:
        school = s.scalar(select(Organisation).where(Organisation.name == "OBS De Duinen"))
        assert school.kind is OrganisationKind.SCHOOL and school.parent_id == board.id
        assert school.partnership_id == world.p1.id
    body = _body(client.get("/beheer/organisaties?q=duinen"))
    assert "OBS De Duinen" in body and "Stichting Kust" in body


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"name": "OBS Zonder Bestuur", "kind": "school"}, "parent_id",
         "Een school hoort bij een bestuur: kies het bestuur van deze school."),
        ({"name": "Basisschool de linde", "kind": "opleidingsinstituut"}, "name",
         "Er bestaat al een organisatie met deze naam in dit partnerschap."),
        ({"name": "Pabo", "kind": "opleidingsinstituut", "parent_id": "BOARD"}, "parent_id",
         "Alleen een school hoort bij een bestuur"),
        ({"name": "OBS", "kind": "school", "parent_id": "SCHOOL"}, "parent_id",
         "Kies een bestuur uit hetzelfde partnerschap"),
        ({"name": "OBS", "kind": "school", "parent_id": "99999999999999999999"}, "parent_id", ""),
        ({"name": "X", "kind": "school", "parent_id": "BOARD", "partnership_id": "P2"}, "partnership_id",
         "Je kunt alleen organisaties van je eigen partnerschappen vastleggen."),
        ({"name": "X", "kind": ""}, "kind", "Kies de soort organisatie."),
        ({"name": "X", "kind": "ziekenhuis"}, "kind", "Kies de soort organisatie."),
        ({"name": "", "kind": "bestuur"}, "name", "Vul de naam van de organisatie in."),
    ],
    ids=["school-without-board", "duplicate-name-any-case", "institute-with-board", "school-under-a-school",
         "absurd-board-id", "other-partnership", "no-kind", "unknown-kind", "no-name"],
)
def test_bad_organisation_input_is_refused_and_nothing_saved(app, world, data, field, message):
    board_id = _board(app, world.p1)
    values = {"SCHOOL": world.school1.id, "BOARD": board_id, "P2": world.p2.id}
    data = {"partnership_id": world.p1.id, "parent_id": "", **data}
    data = {k: values.get(v, v) if isinstance(v, str) else v for k, v in data.items()}
    before = _count(app, Organisation)
    response = _client(app, world.coordinator).post("/beheer/organisaties/nieuw", data=data)
    assert response.status_code == 400
    body = _body(response)
    assert message in body
    assert f'id="{field}-fout"' in body
    assert _count(app, Organisation) == before


def test_school_without_board_refused_by_the_service(db, world):
    with pytest.raises(ValidationError) as info:
        registry.create_organisation(
            db, Scope.for_user(world.admin),
            registry.OrganisationData(world.p1.id, "OBS Los", OrganisationKind.SCHOOL, None),
        )
    assert info.value.errors == {"parent_id": registry.SCHOOL_NEEDS_BOARD}
    db.rollback()


def test_a_board_with_schools_stays_a_board(app, world):
    board = world.school1.parent_id
    response = _client(app, world.coordinator).post(
        f"/beheer/organisaties/{board}/bewerken",
        data={"partnership_id": world.p1.id, "name": "Bestuur Noord", "kind": "opleidingsinstituut"},
    )
    assert response.status_code == 400
    assert "Dit bestuur heeft scholen" in _body(response)
    with kdb.new_session(app) as s:
        assert s.get(Organisation, board).kind is OrganisationKind.BOARD


def test_an_organisation_in_use_does_not_move_to_another_partnership(app, world):
    client = _client(app, world.admin)
    response = client.post(
        f"/beheer/organisaties/{world.institute1.id}/bewerken",
        data={"partnership_id": world.p2.id, "name": "Pabo Noord", "kind": "opleidingsinstituut"},
    )
    assert response.status_code == 400
    assert "kan daarom niet naar een ander partnerschap" in _body(response)
    # An organisation nobody uses yet may move.
    with kdb.new_session(app) as s:
        empty = factories.organisation(s, s.get(Partnership, world.p1.id), OrganisationKind.INSTITUTE, "Leeg")
        s.commit()
    response = client.post(
        f"/beheer/organisaties/{empty.id}/bewerken",
        data={"partnership_id": world.p2.id, "name": "Leeg", "kind": "opleidingsinstituut"},
    )
    assert response.status_code == 302
    with kdb.new_session(app) as s:
        assert s.get(Organisation, empty.id).partnership_id == world.p2.id


def test_a_school_changes_board_and_an_edit_keeps_the_name(app, world):
    board_id = _board(app, world.p1, "Stichting Twee")
    client = _client(app, world.coordinator)
    page = _body(client.get(f"/beheer/organisaties/{world.school1.id}/bewerken"))
    assert 'value="Basisschool De Linde"' in page
    response = client.post(
        f"/beheer/organisaties/{world.school1.id}/bewerken",
        data={"partnership_id": world.p1.id, "name": "Basisschool De Linde", "kind": "school", "parent_id": board_id},
    )
    assert response.status_code == 302
    with kdb.new_session(app) as s:
        assert s.get(Organisation, world.school1.id).parent_id == board_id


def test_a_board_turned_school_is_not_its_own_board(app, world):
    board_id = _board(app, world.p1, "Stichting Zonder Scholen")
    response = _client(app, world.coordinator).post(
        f"/beheer/organisaties/{board_id}/bewerken",
        data={"partnership_id": world.p1.id, "name": "Stichting Zonder Scholen", "kind": "school",
              "parent_id": board_id},
    )
    assert response.status_code == 400
    assert 'id="parent_id-fout"' in _body(response)
    with kdb.new_session(app) as s:
        board = s.get(Organisation, board_id)
        assert board.kind is OrganisationKind.BOARD and board.parent_id is None


def test_coordinator_cannot_reach_another_partnerships_organisations(app, world):
    client = _client(app, world.coordinator)
    body = _body(client.get("/beheer/organisaties"))
    assert "Basisschool De Linde" in body and "Basisschool Het Anker" not in body and "Pabo Zuid" not in body
    body = _body(client.get(f"/beheer/organisaties?partnerschap={world.p2.id}"))
    assert "Het Anker" not in body
    response = client.post(
        f"/beheer/organisaties/{world.school2.id}/bewerken",
        data={"partnership_id": world.p2.id, "name": "Overgenomen", "kind": "opleidingsinstituut"},
    )
    assert response.status_code == 403
    with kdb.new_session(app) as s:
        assert s.get(Organisation, world.school2.id).name == "Basisschool Het Anker"
    # Nor choose another partnership's board for an own school.
    with kdb.new_session(app) as s:
        foreign_board = factories.organisation(s, s.get(Partnership, world.p2.id), OrganisationKind.BOARD, "Zuidbestuur")
        s.commit()
    response = client.post(
        "/beheer/organisaties/nieuw",
        data={"partnership_id": world.p1.id, "name": "OBS Grens", "kind": "school", "parent_id": foreign_board.id},
    )
    assert response.status_code == 400
    assert "Zuidbestuur" not in _body(response)


# ================================================================== persons


def test_coordinator_adds_a_trainer(app, world):
    client = _client(app, world.coordinator)
    response = client.post(
        "/beheer/personen/nieuw",
        data={"name": "Eva Mulder", "email": " Eva.Mulder@Example.org ", "organisation_id": world.school1.id,
              "roles": ["schoolopleider", "mentor"]},
    )
    assert response.status_code == 302
    with kdb.new_session(app) as s:
        person = s.scalar(select(Person).where(Person.name == "Eva Mulder"))
        assert person.email == "eva.mulder@example.org"
        assert person.roles == {PersonRole.SCHOOL_EDUCATOR, PersonRole.MENTOR}
    # A trainer of the partnership: offered when a session is planned.
    page = _body(client.get(f"/trainingen/{world.training1.id}/bijeenkomsten/nieuw"))
    assert "Eva Mulder" in page


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"email": "ANNA@example.org"}, "email", "Dit e-mailadres hoort al bij een andere persoon."),
        ({"roles": []}, "roles", "Kies minstens één rol."),
        ({"roles": ["directeur"]}, "roles", "Kies alleen rollen uit de lijst."),
        ({"organisation_id": "FOREIGN"}, "organisation_id", "Kies een organisatie uit je eigen partnerschappen."),
        ({"organisation_id": ""}, "organisation_id", "Kies een organisatie."),
        ({"name": "  "}, "name", "Vul de naam in."),
        ({"email": "geen-adres"}, "email", "Dit is geen geldig e-mailadres."),
    ],
    ids=["email-in-use-any-case", "no-role", "unknown-role", "other-partnership", "no-organisation", "no-name",
         "invalid-email"],
)
def test_bad_person_input_is_refused_and_nothing_saved(app, world, data, field, message):
    with kdb.new_session(app) as s:
        s.get(Person, world.trainer_person.id).email = "anna@example.org"
        s.commit()
    data = {"name": "Nieuwe Trainer", "email": "nieuw@example.org", "organisation_id": world.school1.id,
            "roles": ["schoolopleider"], **data}
    if data["organisation_id"] == "FOREIGN":
        data["organisation_id"] = world.school2.id
    before = _count(app, Person)
    response = _client(app, world.coordinator).post("/beheer/personen/nieuw", data=data)
    assert response.status_code == 400
    body = _body(response)
    assert message in body
    assert f'id="{field}-fout"' in body
    assert _count(app, Person) == before


def test_a_person_stays_in_their_partnership(app, world):
    response = _client(app, world.admin).post(
        f"/beheer/personen/{world.trainer_person.id}/bewerken",
        data={"name": "Anna de Vries", "organisation_id": world.school2.id, "roles": ["schoolopleider"]},
    )
    assert response.status_code == 400
    assert "Een persoon blijft in het eigen partnerschap" in _body(response)
    with kdb.new_session(app) as s:
        assert s.get(Person, world.trainer_person.id).organisation_id == world.school1.id


def test_edit_person_roles(app, world):
    response = _client(app, world.coordinator).post(
        f"/beheer/personen/{world.mentor.id}/bewerken",
        data={"name": "Dirk Bakker", "email": world.mentor.email, "organisation_id": world.school1.id,
              "roles": ["mentor", "schoolopleider"]},
    )
    assert response.status_code == 302
    with kdb.new_session(app) as s:
        assert s.get(Person, world.mentor.id).roles == {PersonRole.MENTOR, PersonRole.SCHOOL_EDUCATOR}


def test_a_person_with_a_trainer_account_stays_a_trainer(app, world):
    response = _client(app, world.coordinator).post(
        f"/beheer/personen/{world.trainer_person.id}/bewerken",
        data={"name": "Anna de Vries", "organisation_id": world.school1.id, "roles": ["mentor"]},
    )
    assert response.status_code == 400
    assert "heeft een traineraccount" in _body(response)
    with kdb.new_session(app) as s:
        assert s.get(Person, world.trainer_person.id).roles == {PersonRole.SCHOOL_EDUCATOR}


def test_coordinator_cannot_reach_another_partnerships_persons(app, world):
    client = _client(app, world.coordinator)
    body = _body(client.get("/beheer/personen"))
    assert "Anna de Vries" in body and "Carla Smit" not in body
    response = client.post(
        f"/beheer/personen/{world.other_trainer.id}/bewerken",
        data={"name": "Overgenomen", "organisation_id": world.school1.id, "roles": ["mentor"]},
    )
    assert response.status_code == 403
    with kdb.new_session(app) as s:
        assert s.get(Person, world.other_trainer.id).name == "Carla Smit"


# ================================================================== accounts: invitation


def _invitation_url(body: str) -> str:
    match = re.search(r'id="uitnodigingslink"[^>]*value="([^"]+)"', body)
    assert match, body[:2000]
    return match.group(1)


def test_admin_invites_a_coordinator_who_sets_a_password(app, world):
    admin = _client(app, world.admin)
    response = admin.post(
        "/beheer/gebruikers/nieuw",
        data={"email": "Nieuwe.Coordinator@Example.org", "name": "Noor Visser", "role": "coordinator",
              "partnership_ids": [world.p1.id, world.p2.id]},
    )
    assert response.status_code == 302
    link_page = admin.get(response.headers["Location"])
    url = _invitation_url(_body(link_page))
    token = url.rsplit("/", 1)[1]
    # The link sets a password: no browser or proxy keeps a copy of a page that shows it.
    assert link_page.headers["Cache-Control"] == "no-store"
    with kdb.new_session(app) as s:
        user = s.scalar(select(User).where(User.email == "nieuwe.coordinator@example.org"))
        assert user.role is Role.COORDINATOR and user.password_hash == NO_PASSWORD
        assert sorted(p.name for p in user.partnerships) == ["Partnerschap Noord", "Partnerschap Zuid"]
        invitation = s.scalar(select(Invitation).where(Invitation.user_id == user.id))
        # Only the hash of the token is stored.
        assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in invitation.token_hash
        assert invitation.created_by_id == world.admin.id
    # The link is shown once: the next visit has none.
    again = _body(admin.get(response.headers["Location"]))
    assert token not in again and "maar één keer getoond" in again
    # Nobody can log in before the password is set.
    assert _client(app).post("/inloggen", data={"email": "nieuwe.coordinator@example.org",
                                                "password": NO_PASSWORD}).status_code == 400

    invited = app.test_client()
    page = invited.get(urlsplit(url).path)
    assert page.status_code == 200 and "Wachtwoord kiezen" in _body(page)
    assert page.headers["Cache-Control"] == "no-store"
    refused = invited.post(urlsplit(url).path, data={"password": "kort", "confirm": "kort"})
    assert refused.status_code == 400 and refused.headers["Cache-Control"] == "no-store"
    response = invited.post(urlsplit(url).path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert invited.get("/trainingen").status_code == 200  # logged in
    login(app.test_client(), "nieuwe.coordinator@example.org", NEW_PASSWORD)
    # The link has been used.
    response = app.test_client().get(urlsplit(url).path)
    assert response.status_code == 410 and "Link al gebruikt" in _body(response)
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"password": "kort", "confirm": "kort"}, "password", "minstens 12 tekens"),
        ({"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"}, "confirm", "niet gelijk"),
        ({"password": "", "confirm": ""}, "password", "Kies een wachtwoord."),
        ({"password": " " * 14, "confirm": " " * 14}, "password", "alleen spaties"),
        ({"password": "x" * 201, "confirm": "x" * 201}, "password", "hoogstens 200 tekens"),
        ({"password": "wachtwoord\x00nul", "confirm": "wachtwoord\x00nul"}, "password", ""),
    ],
    ids=["too-short", "not-equal", "empty", "only-spaces", "too-long", "nul-byte"],
)
def test_bad_new_password_keeps_the_link_open(app, world, data, field, message):
    user_id, token = _invite(app, partnership_ids=[world.p1.id])
    response = app.test_client().post(f"/uitnodiging/{token}", data=data)
    assert response.status_code == 400
    body = _body(response)
    assert message in body and f'id="{field}-fout"' in body
    if data["password"]:
        assert f'value="{data["password"]}"' not in body  # a password is never sent back
    with kdb.new_session(app) as s:
        assert s.get(User, user_id).password_hash == NO_PASSWORD
        assert check_invitation(s, token, NOW).state is InvitationState.OK


def test_expired_unknown_and_replaced_links(app, world):
    old_id, old_token = _invite(app, partnership_ids=[world.p1.id], now=NOW - timedelta(days=8))
    client = app.test_client()
    response = client.get(f"/uitnodiging/{old_token}")
    assert response.status_code == 410
    body = _body(response)
    assert "Link verlopen" in body and f"{INVITATION_DAYS} dagen geldig" in body
    response = client.post(f"/uitnodiging/{old_token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 410
    with kdb.new_session(app) as s:
        assert s.get(User, old_id).password_hash == NO_PASSWORD

    response = client.get("/uitnodiging/bestaat-niet")
    assert response.status_code == 404 and "Onbekende link" in _body(response)
    assert client.get("/uitnodiging/" + "x" * 5000).status_code == 404

    # The inviter makes a new link: it works, and it ends the account's earlier, still valid link.
    user_id, token = _invite(app, "tweede@example.org", partnership_ids=[world.p1.id])
    admin = _client(app, world.admin)
    response = admin.post(f"/beheer/gebruikers/{user_id}/uitnodiging")
    assert response.status_code == 302
    new_url = _invitation_url(_body(admin.get(response.headers["Location"])))
    response = client.get(f"/uitnodiging/{token}")
    assert response.status_code == 410 and "nieuwere" in _body(response)
    assert client.get(urlsplit(new_url).path).status_code == 200
    # And so does a link for the expired invitation.
    response = admin.post(f"/beheer/gebruikers/{old_id}/uitnodiging")
    renewed = _invitation_url(_body(admin.get(response.headers["Location"])))
    response = client.post(urlsplit(renewed).path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302


def test_a_link_of_a_disabled_account_does_not_work(app, world):
    user_id, token = _invite(app, partnership_ids=[world.p1.id])
    with kdb.new_session(app) as s:
        s.get(User, user_id).is_enabled = False
        s.commit()
    response = app.test_client().post(f"/uitnodiging/{token}", data={"password": NEW_PASSWORD,
                                                                     "confirm": NEW_PASSWORD})
    assert response.status_code == 410 and "uitgeschakeld" in _body(response)
    with kdb.new_session(app) as s:
        assert s.get(User, user_id).password_hash == NO_PASSWORD


def test_two_simultaneous_uses_of_one_link_exactly_one_wins(app, world):
    """Two browsers post the same link at the same moment, each request with its own session."""
    user_id, token = _invite(app, partnership_ids=[world.p1.id])
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    passwords = ["eerste wachtwoord!!", "tweede wachtwoord!!"]

    def use(password):
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/uitnodiging/{token}", data={"password": password, "confirm": password})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=use, args=(pw,)) for pw in passwords]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(statuses) == [302, 410], statuses
    with kdb.new_session(app) as s:
        assert s.scalar(select(func.count()).select_from(Invitation).where(Invitation.used_at.is_not(None))) == 1
        email = s.get(User, user_id).email
    logins = [app.test_client().post("/inloggen", data={"email": email, "password": pw}).status_code
              for pw in passwords]
    assert sorted(logins) == [302, 400]


def test_two_simultaneous_claims_in_the_service(app, world):
    """The claiming UPDATE itself: two sessions that both passed the check, one commit wins."""
    _user_id, token = _invite(app, partnership_ids=[world.p1.id])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def claim():
        with kdb.new_session(app) as s:
            barrier.wait()
            try:
                accept_invitation(s, token, NEW_PASSWORD, NEW_PASSWORD, NOW)
                s.commit()
                outcomes.append("ok")
            except InvitationRefused as exc:
                s.rollback()
                outcomes.append(exc.check.state.value)

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ok", "used"]


# ================================================================== accounts: rules


def test_email_in_use_gives_a_field_message(app, world):
    before = _count(app, User)
    response = _client(app, world.admin).post(
        "/beheer/gebruikers/nieuw",
        data={"email": "COORDINATOR@example.org", "role": "coordinator", "partnership_ids": [world.p1.id]},
    )
    assert response.status_code == 400
    body = _body(response)
    assert "Er bestaat al een account met dit e-mailadres." in body and 'id="email-fout"' in body
    assert _count(app, User) == before
    # Also when editing another account.
    response = _client(app, world.admin).post(
        f"/beheer/gebruikers/{world.steering.id}/bewerken",
        data={"email": "trainer@example.org", "role": "steering", "partnership_ids": [world.p1.id]},
    )
    assert response.status_code == 400 and "bestaat al een account" in _body(response)
    with kdb.new_session(app) as s:
        assert s.get(User, world.steering.id).email == "steering@example.org"


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"role": "admin"}, "role", "Als coördinator maak je alleen trainer- en coördinatoraccounts"),
        ({"role": "steering", "partnership_ids": ["P1"]}, "role", "alleen trainer- en coördinatoraccounts"),
        ({"partnership_ids": ["P2"]}, "partnership_ids", "alleen aan je eigen partnerschappen koppelen"),
        ({"partnership_ids": ["P1", "P2"]}, "partnership_ids", "alleen aan je eigen partnerschappen koppelen"),
        ({"partnership_ids": ["987654321"]}, "partnership_ids", "alleen aan je eigen partnerschappen koppelen"),
        ({"partnership_ids": []}, "partnership_ids", "Kies minstens één partnerschap."),
        ({"role": "trainer", "person_id": "FOREIGN"}, "person_id", "Kies een persoon uit je eigen partnerschappen."),
        ({"role": "trainer", "person_id": "MENTOR"}, "person_id", "geen school- of instituutsopleider"),
        ({"role": "trainer", "person_id": "TAKEN"}, "person_id", "Deze persoon heeft al een account."),
        ({"role": "trainer"}, "person_id", "Kies de persoon (trainer) bij dit account."),
        ({"role": ""}, "role", "Kies een rol."),
        ({"role": "superuser"}, "role", "Kies een rol."),
    ],
    ids=["grant-admin", "grant-steering", "other-partnership", "own-and-other-partnership", "unknown-partnership",
         "no-partnership", "person-of-other-partnership", "person-not-a-trainer", "person-with-account",
         "trainer-without-person", "no-role", "unknown-role"],
)
def test_coordinator_cannot_grant_more_than_their_own(app, world, data, field, message):
    values = {"P1": world.p1.id, "P2": world.p2.id, "FOREIGN": world.other_trainer.id, "MENTOR": world.mentor.id,
              "TAKEN": world.trainer_person.id}
    data = {"email": "nieuw@example.org", "role": "coordinator", "partnership_ids": [world.p1.id], **data}
    data = {k: ([values.get(x, x) for x in v] if isinstance(v, list) else values.get(v, v)) for k, v in data.items()}
    before = _count(app, User)
    response = _client(app, world.coordinator).post("/beheer/gebruikers/nieuw", data=data)
    assert response.status_code == 400
    body = _body(response)
    assert message in body and f'id="{field}-fout"' in body
    assert _count(app, User) == before
    assert _count(app, Invitation) == 0


@pytest.mark.parametrize("bad_id", ["9" * 30, "2147483648", "0", "-1"])
def test_a_partnership_id_no_table_can_hold_is_refused(app, world, bad_id):
    """A crafted POST with an absurd partnership id: the field's message, not a 500."""
    for user, url in ((world.coordinator, "/beheer/gebruikers/nieuw"),
                      (world.admin, "/beheer/gebruikers/nieuw"),
                      (world.admin, f"/beheer/gebruikers/{world.coordinator.id}/bewerken")):
        response = _client(app, user).post(url, data={
            "email": "absurd@example.org", "name": "A", "role": "coordinator",
            "partnership_ids": [world.p1.id, bad_id], "person_id": ""})
        assert response.status_code == 400, url
        assert 'id="partnership_ids-fout"' in _body(response)
    assert _count(app, User, User.email == "absurd@example.org") == 0
    assert _count(app, Invitation) == 0


def test_the_persons_list_offers_an_account_to_trainers_only(app, world):
    body = _body(_client(app, world.coordinator).get("/beheer/personen"))
    assert f"/beheer/gebruikers/nieuw?persoon={world.trainer_person2.id}" in body  # educator, no account
    assert f"persoon={world.mentor.id}" not in body  # a mentor gives no sessions
    assert f"persoon={world.trainer_person.id}" not in body  # has an account already


def test_coordinator_invites_a_trainer_of_their_own_partnership(app, world):
    client = _client(app, world.coordinator)
    # From the persons list: "Account aanmaken" prefills the trainer account.
    page = _body(client.get(f"/beheer/gebruikers/nieuw?persoon={world.trainer_person2.id}"))
    assert 'value="Bram Jansen"' in page
    response = client.post(
        "/beheer/gebruikers/nieuw",
        data={"email": "bram@example.org", "role": "trainer", "person_id": world.trainer_person2.id,
              "partnership_ids": [world.p2.id]},  # ignored: a trainer belongs to their person's partnership
    )
    assert response.status_code == 302
    with kdb.new_session(app) as s:
        user = s.scalar(select(User).where(User.email == "bram@example.org"))
        assert user.role is Role.TRAINER and user.person_id == world.trainer_person2.id
        assert [p.id for p in user.partnerships] == [world.p1.id]
        assert user.name == "Bram Jansen"


def test_coordinator_cannot_escalate_an_existing_account(app, world):
    client = _client(app, world.coordinator)
    for data in (
        {"email": world.trainer.email, "role": "admin"},
        {"email": world.trainer.email, "role": "coordinator", "partnership_ids": [world.p1.id, world.p2.id]},
    ):
        response = client.post(f"/beheer/gebruikers/{world.trainer.id}/bewerken", data=data)
        assert response.status_code == 400
    # Not even their own account.
    response = client.post(
        f"/beheer/gebruikers/{world.coordinator.id}/bewerken",
        data={"email": world.coordinator.email, "role": "coordinator", "partnership_ids": [world.p1.id, world.p2.id]},
    )
    assert response.status_code == 400
    with kdb.new_session(app) as s:
        trainer = s.get(User, world.trainer.id)
        assert trainer.role is Role.TRAINER and [p.id for p in trainer.partnerships] == [world.p1.id]
        assert [p.id for p in s.get(User, world.coordinator.id).partnerships] == [world.p1.id]


def test_coordinator_cannot_reach_other_accounts(app, world):
    client = _client(app, world.coordinator)
    body = _body(client.get("/beheer/gebruikers"))
    assert world.trainer.email in body and world.coordinator.email in body
    for hidden in (world.admin.email, world.steering.email, world.other_coordinator.email):
        assert hidden not in body
    # Another partnership's coordinator, an admin, a steering member of the own partnership.
    for user in (world.other_coordinator, world.admin, world.steering):
        assert client.get(f"/beheer/gebruikers/{user.id}/bewerken").status_code == 403
        assert client.post(f"/beheer/gebruikers/{user.id}/actief", data={"actief": "0"}).status_code == 403
        assert client.post(f"/beheer/gebruikers/{user.id}/uitnodiging").status_code == 403
        response = client.post(f"/beheer/gebruikers/{user.id}/bewerken",
                               data={"email": "x@example.org", "role": "trainer"})
        assert response.status_code == 403
    with kdb.new_session(app) as s:
        assert all(s.get(User, u.id).is_enabled for u in (world.other_coordinator, world.admin, world.steering))
        assert s.scalar(select(func.count()).select_from(Invitation)) == 0


def test_an_account_in_two_partnerships_is_out_of_reach_of_a_one_partnership_coordinator(app, world):
    with kdb.new_session(app) as s:
        both = factories.user(s, Role.COORDINATOR, [s.get(Partnership, world.p1.id), s.get(Partnership, world.p2.id)],
                              email="beide@example.org")
        s.commit()
    client = _client(app, world.coordinator)
    assert "beide@example.org" not in _body(client.get("/beheer/gebruikers"))
    assert client.get(f"/beheer/gebruikers/{both.id}/bewerken").status_code == 403
    assert "beide@example.org" in _body(_client(app, world.admin).get("/beheer/gebruikers"))


def test_disable_and_enable_an_account(app, world):
    trainer = _client(app, world.trainer)
    assert trainer.get("/mijn-evaluaties").status_code == 200
    coordinator = _client(app, world.coordinator)
    response = coordinator.post(f"/beheer/gebruikers/{world.trainer.id}/actief", data={"actief": "0"})
    assert response.status_code == 302
    assert "is uitgeschakeld" in _body(coordinator.get(response.headers["Location"]))
    # The open session stops working, and a new log-in is refused.
    response = trainer.get("/mijn-evaluaties")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/inloggen"
    assert app.test_client().post("/inloggen", data={"email": world.trainer.email,
                                                     "password": factories.PASSWORD}).status_code == 400
    assert world.trainer.email in _body(coordinator.get("/beheer/gebruikers?status=uitgeschakeld"))
    # No new link for a disabled account.
    response = coordinator.post(f"/beheer/gebruikers/{world.trainer.id}/uitnodiging")
    assert response.status_code == 302
    assert "schakel het eerst weer in" in _body(coordinator.get(response.headers["Location"]))
    # Enabled again.
    coordinator.post(f"/beheer/gebruikers/{world.trainer.id}/actief", data={"actief": "1"})
    login(app.test_client(), world.trainer)


def test_nobody_disables_themselves(app, world):
    client = _client(app, world.coordinator)
    response = client.post(f"/beheer/gebruikers/{world.coordinator.id}/actief", data={"actief": "0"})
    assert response.status_code == 302
    assert "Je kunt je eigen account niet uitschakelen." in _body(client.get(response.headers["Location"]))
    assert client.get("/trainingen").status_code == 200


def test_the_last_admin_cannot_be_disabled_or_demoted(app, world):
    client = _client(app, world.admin)
    response = client.post(f"/beheer/gebruikers/{world.admin.id}/actief", data={"actief": "0"})
    assert response.status_code == 302
    assert LAST_ADMIN in _body(client.get(response.headers["Location"]))
    with kdb.new_session(app) as s:
        assert s.get(User, world.admin.id).is_enabled
        # Through the services (the CLI acts as the system), the same rule.
        with pytest.raises(ValidationError) as info:
            set_user_enabled(s, Scope.everything(), world.admin.id, False)
        assert info.value.errors == {"actief": LAST_ADMIN}
        s.rollback()
        with pytest.raises(ValidationError) as info:
            update_user(s, Scope.everything(), world.admin.id,
                        AccountData(world.admin.email, "", Role.COORDINATOR, [world.p1.id]))
        assert info.value.errors == {"role": LAST_ADMIN}
        s.rollback()
    with kdb.new_session(app) as s:
        admin = s.get(User, world.admin.id)
        assert admin.role is Role.ADMIN and admin.is_enabled
    # With a second admin, the first may be disabled by the second.
    with kdb.new_session(app) as s:
        second = factories.user(s, Role.ADMIN, email="admin2@example.org")
        s.commit()
    response = _client(app, second).post(f"/beheer/gebruikers/{world.admin.id}/actief", data={"actief": "0"})
    assert response.status_code == 302
    with kdb.new_session(app) as s:
        assert not s.get(User, world.admin.id).is_enabled


def test_two_admins_disabling_each_other_at_once_leave_one(app, world):
    with kdb.new_session(app) as s:
        second = factories.user(s, Role.ADMIN, email="admin2@example.org")
        s.commit()
    pairs = [(_scope(app, world.admin), second.id), (_scope(app, second), world.admin.id)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def disable(scope, target):
        with kdb.new_session(app) as s:
            barrier.wait()
            try:
                set_user_enabled(s, scope, target, False)
                s.commit()
                outcomes.append("ok")
            except ValidationError as exc:
                s.rollback()
                outcomes.append(exc.errors["actief"])

    threads = [threading.Thread(target=disable, args=pair) for pair in pairs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == sorted(["ok", LAST_ADMIN]), outcomes
    assert _count(app, User, User.role == Role.ADMIN, User.is_enabled.is_(True)) == 1


def test_admin_changes_a_role_and_nobody_their_own(app, world):
    client = _client(app, world.admin)
    response = client.post(
        f"/beheer/gebruikers/{world.steering.id}/bewerken",
        data={"email": world.steering.email, "name": "Regionale stuurgroep", "role": "steering",
              "partnership_ids": [world.p1.id, world.p2.id]},
    )
    assert response.status_code == 302
    with kdb.new_session(app) as s:
        assert len(s.get(User, world.steering.id).partnerships) == 2
    response = client.post(
        f"/beheer/gebruikers/{world.admin.id}/bewerken",
        data={"email": world.admin.email, "role": "coordinator", "partnership_ids": [world.p1.id]},
    )
    assert response.status_code == 400
    assert "Je eigen rol en partnerschappen wijzig je niet zelf" in _body(response)
    # Changing one's own name and address is fine.
    response = client.post(
        f"/beheer/gebruikers/{world.admin.id}/bewerken",
        data={"email": "Beheer@Example.org", "name": "Ada Admin", "role": "admin"},
    )
    assert response.status_code == 302
    with kdb.new_session(app) as s:
        admin = s.get(User, world.admin.id)
        assert (admin.email, admin.name, admin.role) == ("beheer@example.org", "Ada Admin", Role.ADMIN)


def test_account_status_in_the_list(app, world):
    _invite(app, "open@example.org", partnership_ids=[world.p1.id], name="Open Uitnodiging")
    _invite(app, "oud@example.org", partnership_ids=[world.p1.id], name="Oude Uitnodiging",
            now=NOW - timedelta(days=30))
    client = _client(app, world.admin)
    body = _body(client.get("/beheer/gebruikers?status=uitgenodigd"))
    assert "open@example.org" in body and "oud@example.org" not in body and world.trainer.email not in body
    body = _body(client.get("/beheer/gebruikers?status=uitnodiging+verlopen"))
    assert "oud@example.org" in body and "open@example.org" not in body
    body = _body(client.get("/beheer/gebruikers?status=actief&q=TRAINER"))
    assert world.trainer.email in body and world.coordinator.email not in body


# ================================================================== mail


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""
    server = Server()
    server.start()
    try:
        yield server.port, server.inbox
    finally:
        server.stop()


@pytest.fixture
def mail_config(app):
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_FROM", "MAIL_SECURITY", "BASE_URL")}

    def configure(**values):
        app.config.update(values)

    yield configure
    app.config.update(saved)


def test_invitation_is_emailed_when_mail_is_configured(app, world, smtp_server, mail_config):
    port, inbox = smtp_server
    mail_config(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_FROM="kwaliteit@example.org",
                MAIL_SECURITY="none", BASE_URL="https://kwaliteit.example.org/")
    admin = _client(app, world.admin)
    response = admin.post("/beheer/gebruikers/nieuw",
                          data={"email": "gemaild@example.org", "name": "Gijs Gemaild", "role": "coordinator",
                                "partnership_ids": [world.p1.id]})
    assert response.status_code == 302
    page = _body(admin.get(response.headers["Location"]))
    assert "De uitnodiging is gemaild naar gemaild@example.org." in page
    shown = _invitation_url(page)
    assert shown.startswith("https://kwaliteit.example.org/uitnodiging/")  # BASE_URL, not the Host header
    [envelope] = inbox.messages
    assert envelope.mail_from == "kwaliteit@example.org" and envelope.rcpt_tos == ["gemaild@example.org"]
    text = envelope.content.decode("utf-8")
    assert "Subject: Uitnodiging voor kwaliteit" in text
    assert shown in text and f"{INVITATION_DAYS} dagen geldig" in text
    # The e-mailed link works.
    response = app.test_client().post(urlsplit(shown).path, data={"password": NEW_PASSWORD,
                                                                   "confirm": NEW_PASSWORD})
    assert response.status_code == 302


def test_failing_mail_keeps_the_invitation_and_shows_the_link(app, world, mail_config):
    mail_config(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_FROM="kwaliteit@example.org",
                MAIL_SECURITY="none")
    admin = _client(app, world.admin)
    response = admin.post("/beheer/gebruikers/nieuw",
                          data={"email": "nietgemaild@example.org", "role": "coordinator",
                                "partnership_ids": [world.p1.id]})
    assert response.status_code == 302
    page = _body(admin.get(response.headers["Location"]))
    assert "kon niet worden verstuurd" in page
    assert "/uitnodiging/" in _invitation_url(page)
    assert _count(app, User, User.email == "nietgemaild@example.org") == 1


def test_without_mail_the_link_is_only_shown(app, world):
    admin = _client(app, world.admin)
    response = admin.post("/beheer/gebruikers/nieuw",
                          data={"email": "zonder@example.org", "role": "coordinator", "partnership_ids": [world.p1.id]})
    page = _body(admin.get(response.headers["Location"]))
    assert "gemaild" not in page and "/uitnodiging/" in _invitation_url(page)


# ================================================================== CLI


def test_invite_user_cli_prints_a_working_link(app, world):
    result = app.test_cli_runner().invoke(
        args=["invite-user", "Cli@Example.org", "--role", "coordinator", "--partnership", "partnerschap noord"]
    )
    assert result.exit_code == 0, result.output
    match = re.search(r"(https?://\S+/uitnodiging/\S+)", result.output)
    assert match, result.output
    response = app.test_client().post(urlsplit(match.group(1)).path,
                                      data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    login(app.test_client(), "cli@example.org", NEW_PASSWORD)


@pytest.mark.parametrize(
    "args, message",
    [
        (["coordinator@example.org", "--role", "coordinator", "--partnership", "Partnerschap Noord"], "bestaat al een account"),
        (["x@example.org", "--role", "coordinator"], "minstens één partnerschap"),
        (["x@example.org", "--role", "trainer"], "Geen persoon met e-mailadres"),
        (["x@example.org", "--role", "steering", "--partnership", "Bestaat Niet"], "bestaat niet"),
    ],
)
def test_invite_user_cli_errors(app, world, args, message):
    before = _count(app, User)
    result = app.test_cli_runner().invoke(args=["invite-user", *args])
    assert result.exit_code != 0 and message in result.output, result.output
    assert _count(app, User) == before


# ================================================================== lists


def _grow(app, world, n: int) -> None:
    with kdb.new_session(app) as s:
        p1 = s.get(Partnership, world.p1.id)
        board = s.get(Organisation, world.school1.parent_id)
        for _ in range(n):
            school = factories.organisation(s, p1, OrganisationKind.SCHOOL, parent=board)
            person = factories.person(s, school, PersonRole.SCHOOL_EDUCATOR, PersonRole.MENTOR)
            factories.user(s, Role.TRAINER, [p1], person=person)
            factories.partnership(s)
        s.commit()


@pytest.mark.parametrize("url", ["/beheer", "/beheer/partnerschappen", "/beheer/organisaties", "/beheer/personen",
                                 "/beheer/gebruikers", "/beheer/gebruikers/nieuw", "/beheer/personen/nieuw",
                                 "/beheer/organisaties/nieuw"])
def test_pages_issue_a_fixed_number_of_statements(app, world, url):
    client = _client(app, world.admin)
    _grow(app, world, 3)
    few, _ = count_statements(app, client, url)
    _grow(app, world, 12)
    many, _ = count_statements(app, client, url)
    assert len(many) == len(few), f"{url}: {len(few)} statements with few rows, {len(many)} with more"


@pytest.mark.parametrize("url", ["/beheer/organisaties", "/beheer/personen", "/beheer/gebruikers",
                                 "/beheer/partnerschappen"])
@pytest.mark.parametrize("page", ["99999999999999999999", "²", "-1", "0", "5"])
def test_list_pages_clamp_the_page(app, world, url, page):
    response = _client(app, world.coordinator).get(f"{url}?pagina={page}&partnerschap=99999999999999999999&q=%25")
    assert response.status_code == 200


def test_list_pages_paginate(app, world):
    _grow(app, world, 30)
    client = _client(app, world.coordinator)
    body = _body(client.get("/beheer/personen?pagina=9"))
    assert "Pagina 2 van 2" in body  # clamped to the last page
    assert "Pagina 1 van 2" in _body(client.get("/beheer/personen"))


def test_menu_shows_beheer_to_admins_and_coordinators_only(app, world):
    for user, shown in ((world.admin, True), (world.coordinator, True), (world.steering, False),
                        (world.trainer, False)):
        body = _body(_client(app, user).get("/overzicht" if user is not world.trainer else "/mijn-evaluaties"))
        assert ('href="/beheer"' in body) is shown, user.email


def test_overview_counts_are_scoped(app, world):
    body = _body(_client(app, world.coordinator).get("/beheer"))
    assert "1 partnerschap." in body
    assert "3 personen" in body  # Anna, Bram and Dirk of Noord, not Carla of Zuid
    body = _body(_client(app, world.admin).get("/beheer"))
    assert "2 partnerschappen" in body and "4 personen" in body


def test_stored_invitation_never_matches_the_token(db, world):
    user, token = invite_user(db, Scope.everything(), AccountData("h@example.org", "", Role.ADMIN), NOW)
    stored = db.scalar(select(Invitation.token_hash).where(Invitation.user_id == user.id))
    assert stored == hash_token(token) and len(token) >= 24
    db.execute(update(Invitation).values(used_at=NOW))
    assert check_invitation(db, token, NOW).state is InvitationState.USED
    db.rollback()


# ================================================================== hostile input

HOSTILE = ["nul\x00byte", "regel\neinde", "stuur\x1bteken", "x" * 1_000_000, "😀" * 300, "9" * 5000]


def _hostile_forms(world):
    """(url, the fields of the form) for every form of Beheer, as the coordinator of partnership 1."""
    return [
        ("/beheer/organisaties/nieuw", {"partnership_id": world.p1.id, "name": "N", "kind": "bestuur",
                                        "parent_id": ""}),
        (f"/beheer/organisaties/{world.institute1.id}/bewerken",
         {"partnership_id": world.p1.id, "name": "Pabo Noord", "kind": "opleidingsinstituut", "parent_id": ""}),
        ("/beheer/personen/nieuw", {"name": "N", "email": "n@example.org", "organisation_id": world.school1.id,
                                    "roles": "mentor"}),
        (f"/beheer/personen/{world.mentor.id}/bewerken",
         {"name": "Dirk Bakker", "email": "", "organisation_id": world.school1.id, "roles": "mentor"}),
        ("/beheer/gebruikers/nieuw", {"email": "n@example.org", "name": "N", "role": "coordinator",
                                      "partnership_ids": world.p1.id, "person_id": ""}),
        (f"/beheer/gebruikers/{world.trainer.id}/bewerken",
         {"email": world.trainer.email, "name": "T", "role": "trainer", "partnership_ids": world.p1.id,
          "person_id": world.trainer_person.id}),
    ]


@pytest.mark.parametrize("value", HOSTILE, ids=["nul", "newline", "escape", "1mb", "emoji", "digits"])
def test_hostile_input_in_every_beheer_form_is_refused_without_error(app, world, value):
    client = _client(app, world.coordinator)
    for url, fields in _hostile_forms(world):
        for name in fields:
            response = client.post(url, data={**fields, name: value})
            assert response.status_code in (302, 400), f"{url} {name}: {response.status_code}"
    # Whatever was accepted is storable text: no control characters, within the limits.
    with kdb.new_session(app) as s:
        texts = [*s.scalars(select(Organisation.name)), *s.scalars(select(Person.name)),
                 *s.scalars(select(Person.email)), *s.scalars(select(User.name)), *s.scalars(select(User.email))]
    for text in filter(None, texts):
        assert len(text) <= 254 and not re.search("[\x00-\x1f\x7f-\x9f\ud800-\udfff]", text), repr(text[:50])


@pytest.mark.parametrize("value", HOSTILE[:4], ids=["nul", "newline", "escape", "1mb"])
def test_hostile_partnership_and_password_input(app, world, value):
    client = _client(app, world.admin)
    for field in ("name", "min_answers_shown", "trainer_due_days", "participant_window_days"):
        data = {"name": "Oost", field: value}
        assert client.post("/beheer/partnerschappen/nieuw", data=data).status_code == 400
    _user_id, token = _invite(app, partnership_ids=[world.p1.id])
    response = app.test_client().post(f"/uitnodiging/{token}", data={"password": value, "confirm": value})
    assert response.status_code == 400
    assert _count(app, Partnership) == 2


def test_invalid_utf8_in_a_form_is_refused_without_error(app, world):
    """Bytes that are no UTF-8 at all (a lone surrogate's encoding): a message, no 500."""
    client = _client(app, world.coordinator)
    body = f"partnership_id={world.p1.id}&kind=bestuur&name=%ED%A0%80%FF".encode()
    response = client.post("/beheer/organisaties/nieuw", data=body,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code in (302, 400)
    with kdb.new_session(app) as s:
        for name in s.scalars(select(Organisation.name)):
            name.encode("utf-8")  # whatever was stored is valid text
