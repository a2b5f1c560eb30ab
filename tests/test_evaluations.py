"""Evaluation requests, trainer evaluations and anonymous participant answers."""
from __future__ import annotations

import re
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import Date, DateTime, Time, func, inspect, select

from evaluaties.answers import links, requests
from evaluaties.answers.models import Answer, ParticipantLink, Response
from evaluaties.answers.status import Status
from evaluaties.questionnaires.models import Audience, EvaluationSettings
from evaluaties.questionnaires.services import applicable_version
from kwaliteit import db as kdb
from kwaliteit.models import Base
from kwaliteit.scope import Forbidden, Scope
from kwaliteit.trainings.services import set_session_cancelled
from kwaliteit.validation import ValidationError
from tests.conftest import login

D = date(2026, 10, 1)  # the date of world.session1 and session2


def trainer_status(db, world, today):
    return requests.session_status(db, world.session1.id, Audience.TRAINER, today)[0]


def participant_status(db, world, today):
    return requests.session_status(db, world.session1.id, Audience.PARTICIPANT, today)[0]


def full_trainer_answers(db, world):
    version = applicable_version(db, world.training1.id, Audience.TRAINER)
    raw = {}
    for q in version.questions:
        raw[f"q_{q.code}"] = {"open": "Goed gesprek.", "scale": "4", "yes_no": "ja"}.get(q.type.value) or q.options[0]
    return raw


def full_participant_answers(db, world, overall="7,5"):
    version = applicable_version(db, world.training1.id, Audience.PARTICIPANT)
    raw = {f"q_{q.code}": ("4" if q.type.value == "scale" else "Prima") for q in version.questions}
    raw["q_totaal"] = overall
    return raw


# ---------------------------------------------------------------- derived status


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (-1, Status.UPCOMING),
        (0, Status.OPEN),
        (8, Status.OPEN),
        (9, Status.DUE_SOON),  # five days before the due date
        (14, Status.DUE_SOON),  # the due date itself
        (15, Status.OVERDUE),  # one day after
        (400, Status.OVERDUE),
    ],
)
def test_trainer_status_around_the_due_date(db, world, offset, expected):
    assert trainer_status(db, world, D + timedelta(days=offset)) is expected


def test_due_date_is_fourteen_days_by_default_and_follows_the_training(db, world):
    _s, due, _r = requests.session_status(db, world.session1.id, Audience.TRAINER, D)
    assert due == D + timedelta(days=14)
    db.add(EvaluationSettings(training_id=world.training1.id, trainer_due_days=7, participant_window_days=10))
    db.commit()
    _s, due, _r = requests.session_status(db, world.session1.id, Audience.TRAINER, D)
    assert due == D + timedelta(days=7)
    assert trainer_status(db, world, D + timedelta(days=8)) is Status.OVERDUE
    _s, closes, _r = requests.session_status(db, world.session1.id, Audience.PARTICIPANT, D)
    assert closes == D + timedelta(days=10)


def test_moving_a_session_moves_its_due_date(db, world):
    today = D + timedelta(days=20)
    assert trainer_status(db, world, today) is Status.OVERDUE
    world.session1.date = D + timedelta(days=10)
    db.commit()
    assert trainer_status(db, world, today) is Status.DUE_SOON  # due D+24, within 5 days
    assert requests.session_status(db, world.session1.id, Audience.TRAINER, today)[1] == D + timedelta(days=24)


def test_waived_and_submitted_and_cancelled(db, world):
    today = D + timedelta(days=30)
    scope = Scope.for_user(world.coordinator)
    with pytest.raises(ValidationError):
        requests.waive(db, scope, world.session1.id, Audience.TRAINER, "  ", world.coordinator.id)
    db.rollback()
    assert trainer_status(db, world, today) is Status.OVERDUE
    requests.waive(db, scope, world.session1.id, Audience.TRAINER, "Trainer ziek", world.coordinator.id)
    db.commit()
    assert trainer_status(db, world, today) is Status.WAIVED
    requests.unwaive(db, scope, world.session1.id, Audience.TRAINER)
    db.commit()
    assert trainer_status(db, world, today) is Status.OVERDUE

    trainer_scope = Scope.for_user(world.trainer)
    requests.submit_trainer_evaluation(db, trainer_scope, world.session1.id, full_trainer_answers(db, world), today)
    db.commit()
    assert trainer_status(db, world, today) is Status.SUBMITTED

    set_session_cancelled(db, Scope.for_user(world.coordinator), world.session1.id, "Zieke trainer.")
    db.commit()
    assert trainer_status(db, world, today) is Status.CANCELLED
    assert participant_status(db, world, today) is Status.CANCELLED


@pytest.mark.parametrize(
    ("offset", "expected"),
    [(-1, Status.UPCOMING), (0, Status.OPEN), (16, Status.DUE_SOON), (21, Status.DUE_SOON), (22, Status.CLOSED)],
)
def test_participant_window(db, world, offset, expected):
    assert participant_status(db, world, D + timedelta(days=offset)) is expected


def test_waiving_needs_a_coordinator_in_scope(db, world):
    with pytest.raises(Forbidden):
        requests.waive(db, Scope.for_user(world.other_coordinator), world.session1.id, Audience.TRAINER, "x", 1)
    with pytest.raises(Forbidden):
        requests.waive(db, Scope.for_user(world.trainer), world.session1.id, Audience.TRAINER, "x", 1)


# ---------------------------------------------------------------- trainer evaluation


def test_only_a_trainer_of_the_session_or_a_coordinator_may_submit(db, world, today):
    raw = full_trainer_answers(db, world)
    other = kdb_user_for_person(db, world.other_trainer)
    with pytest.raises(Forbidden):
        requests.submit_trainer_evaluation(db, Scope.for_user(other), world.session1.id, raw, today)
    with pytest.raises(Forbidden):
        requests.submit_trainer_evaluation(db, Scope.for_user(world.other_coordinator), world.session1.id, raw, today)
    req = requests.submit_trainer_evaluation(db, Scope.for_user(world.coordinator), world.session1.id, raw, today)
    db.commit()
    assert req.submitted_at is not None


def kdb_user_for_person(db, person):
    from kwaliteit.accounts.models import Role
    from tests import factories

    user = factories.user(db, Role.TRAINER, [person.organisation.partnership], person=person)
    db.commit()
    return user


def test_trainer_edits_until_locked(db, world, today):
    scope = Scope.for_user(world.trainer)
    raw = full_trainer_answers(db, world)
    requests.submit_trainer_evaluation(db, scope, world.session1.id, raw, today)
    db.commit()
    raw["q_goed_ging"] = "Nog beter dan gedacht."
    req = requests.submit_trainer_evaluation(db, scope, world.session1.id, raw, today)
    db.commit()
    texts = [a.value_text for a in req.response.answers if a.value_text]
    assert "Nog beter dan gedacht." in texts
    assert db.scalar(select(func.count()).select_from(Response)) == 1

    requests.set_locked(db, Scope.for_user(world.coordinator), world.session1.id, True)
    db.commit()
    with pytest.raises(ValidationError, match="vergrendeld"):
        requests.submit_trainer_evaluation(db, scope, world.session1.id, raw, today)


def test_trainer_evaluation_refused_before_the_session_and_with_bad_answers(db, world):
    scope = Scope.for_user(world.trainer)
    raw = full_trainer_answers(db, world)
    with pytest.raises(ValidationError, match="pas evalueren"):
        requests.submit_trainer_evaluation(db, scope, world.session1.id, raw, D - timedelta(days=1))
    bad = dict(raw, q_doelen_bereikt="6")
    del bad["q_goed_ging"]
    with pytest.raises(ValidationError) as exc:
        requests.submit_trainer_evaluation(db, scope, world.session1.id, bad, D)
    assert exc.value.errors["q_doelen_bereikt"].startswith("Kies een waarde van 1 tot en met 5")
    assert exc.value.errors["q_goed_ging"] == "Deze vraag is verplicht."
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Response)) == 0


def test_trainer_pages(client, db, world, on_session_day):
    login(client, world.trainer)
    body = client.get("/mijn-evaluaties").get_data(as_text=True)
    assert "Basistraining mentoren Noord" in body
    assert "Evaluatie invullen" in body
    assert "Basistraining mentoren Zuid" not in body
    url = f"/bijeenkomsten/{world.session1.id}/trainersevaluatie"
    assert client.get(url).status_code == 200
    r = client.post(url, data={"q_doelen_bereikt": "9"})
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "Deze vraag is verplicht." in page and "Kies een waarde van 1 tot en met 5" in page
    r = client.post(url, data=full_trainer_answers(db, world))
    assert r.status_code == 302
    assert "ingediend" in client.get("/mijn-evaluaties").get_data(as_text=True)
    assert client.get(f"/bijeenkomsten/{world.session2.id}/trainersevaluatie").status_code == 403


# ---------------------------------------------------------------- anonymous answers


@pytest.fixture
def on_session_day(app, monkeypatch):
    """The views read the clock through kwaliteit.clock; pin it to the session date."""
    monkeypatch.setitem(app.config, "FIXED_TODAY", D)


def test_one_time_link_flow(client, db, world, app, on_session_day):
    coord = Scope.for_user(world.coordinator)
    [link, other] = links.create_single_links(db, coord, world.session1.id, 2)
    [foreign] = links.create_single_links(db, Scope.for_user(world.other_coordinator), world.session2.id, 1)
    db.commit()
    url = f"/e/{world.session1.id}/{link.token}"
    r = client.get(url)
    assert r.status_code == 200
    assert "anoniem" in r.get_data(as_text=True).lower()
    r = client.post(url, data={"q_totaal": "11"})  # `totaal` is a grade 1-10
    assert r.status_code == 400
    assert "Geef een cijfer van 1 tot en met 10" in r.get_data(as_text=True)
    r = client.post(url, data=full_participant_answers(db, world))
    assert r.status_code == 302 and r.headers["Location"].endswith("/e/bedankt")
    r = client.post(url, data=full_participant_answers(db, world))
    assert r.status_code == 200 and "al ingevuld" in r.get_data(as_text=True)
    assert client.get(f"/e/{world.session1.id}/{foreign.token}").get_data(as_text=True).count("andere bijeenkomst") == 1
    r = client.get(f"/e/{world.session1.id}/bestaat-niet")
    assert r.status_code == 404 and "bestaat niet" in r.get_data(as_text=True)
    db.rollback()  # a fresh snapshot: the requests wrote in their own sessions
    assert db.scalar(select(func.count()).select_from(Response)) == 1


def test_answers_after_the_window_are_refused(db, world):
    [link] = links.create_single_links(db, Scope.for_user(world.coordinator), world.session1.id, 1)
    db.commit()
    raw = full_participant_answers(db, world)
    with pytest.raises(links.LinkRefused) as exc:
        links.submit_participant_answers(db, world.session1.id, link.token, raw, D + timedelta(days=22))
    assert exc.value.check.state is links.LinkState.WINDOW_CLOSED
    links.submit_participant_answers(db, world.session1.id, link.token, raw, D + timedelta(days=21))
    db.commit()


def test_the_list_of_links_says_what_the_answer_page_would(client, db, world, app, monkeypatch):
    """One definition (links.link_state): a link whose evaluation has closed, or not opened yet, is
    not listed as "open" while its page refuses answers."""
    coord = Scope.for_user(world.coordinator)
    [used, closed, fresh] = links.create_single_links(db, coord, world.session1.id, 3)
    links.close_link(db, coord, closed.id)
    db.commit()
    links.submit_participant_answers(db, world.session1.id, used.token, full_participant_answers(db, world), D)
    db.commit()
    login(client, world.coordinator)
    url = f"/bijeenkomsten/{world.session1.id}/evaluatie"

    def statuses(on):
        monkeypatch.setitem(app.config, "FIXED_TODAY", on)
        page = client.get(url).get_data(as_text=True)
        state = links.check_link(db, world.session1.id, fresh.token, on).state
        return re.findall(r'<td data-label="Status">([^<]*)</td>', page), state

    assert statuses(D - timedelta(days=1)) == (
        ["gebruikt", "gesloten", "open vanaf 1 oktober 2026"], links.LinkState.NOT_YET_OPEN
    )
    assert statuses(D) == (["gebruikt", "gesloten", "open"], links.LinkState.OK)
    assert statuses(D + timedelta(days=22)) == (
        ["gebruikt", "gesloten", "gesloten (termijn voorbij)"], links.LinkState.WINDOW_CLOSED
    )


def test_shared_link_takes_up_to_its_limit_and_a_closed_link_takes_none(db, world):
    coord = Scope.for_user(world.coordinator)
    shared = links.create_shared_link(db, coord, world.session1.id, 2)
    db.commit()
    raw = full_participant_answers(db, world)
    for _ in range(2):
        links.submit_participant_answers(db, world.session1.id, shared.token, raw, D)
        db.commit()
    with pytest.raises(links.LinkRefused):
        links.submit_participant_answers(db, world.session1.id, shared.token, raw, D)
    db.rollback()
    [single] = links.create_single_links(db, coord, world.session1.id, 1)
    links.close_link(db, coord, single.id)
    db.commit()
    with pytest.raises(links.LinkRefused) as exc:
        links.submit_participant_answers(db, world.session1.id, single.token, raw, D)
    assert exc.value.check.state is links.LinkState.CLOSED


def test_bad_link_requests(db, world):
    coord = Scope.for_user(world.coordinator)
    with pytest.raises(ValidationError):
        links.create_single_links(db, coord, world.session1.id, 0)
    with pytest.raises(ValidationError):
        links.create_shared_link(db, coord, world.session1.id, 10_000)
    with pytest.raises(Forbidden):
        links.create_single_links(db, Scope.for_user(world.other_coordinator), world.session1.id, 1)


def test_the_same_link_submitted_twice_at_once_stores_one_answer(app, db, world):
    [link] = links.create_single_links(db, Scope.for_user(world.coordinator), world.session1.id, 1)
    db.commit()
    raw = full_participant_answers(db, world)
    session_id, token, link_id = world.session1.id, link.token, link.id
    db.rollback()  # end this session's transaction, as a finished request would (SQLite locks)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit():
        with app.app_context(), kdb.new_session(app) as s:
            barrier.wait()
            try:
                links.submit_participant_answers(s, session_id, token, raw, D)
                s.commit()
                outcomes.append("stored")
            except links.LinkRefused:
                s.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["refused", "stored"]
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Response)) == 1
    assert db.scalar(select(ParticipantLink.used_count).where(ParticipantLink.id == link_id)) == 1


def test_no_column_or_join_ties_an_answer_to_a_token_or_person():
    """Participant answers live in response/answer; neither refers to a link, person or user,
    no table refers from a link to them, and they hold no time finer than a day."""
    tables = Base.metadata.tables
    identifying = {"participant_link", "person", "app_user", "user_partnership"}
    for name in ("response", "answer"):
        table = tables[name]
        targets = {fk.column.table.name for fk in table.foreign_keys}
        assert not targets & identifying, (name, targets)
        for column in table.columns:
            assert "token" not in column.name and "person" not in column.name and "user" not in column.name
            assert not str(column.type).upper().startswith(("DATETIME", "TIMESTAMP")), (name, column.name)
    link_targets = {fk.column.table.name for fk in tables["participant_link"].foreign_keys}
    assert link_targets == {"training_session"}
    # Only the trainer's own evaluation (not anonymous) is reachable from a person, via the request.
    for table in tables.values():
        for fk in table.foreign_keys:
            if fk.column.table.name in ("response", "answer"):
                assert table.name in ("answer", "evaluation_request"), table.name


def test_database_matches_the_anonymity_rules(db):
    """The migrated database, not just the models, has no such reference."""
    insp = inspect(db.get_bind())
    for name in ("response", "answer"):
        refs = {fk["referred_table"] for fk in insp.get_foreign_keys(name)}
        assert not refs & {"participant_link", "person", "app_user"}
    assert {fk["referred_table"] for fk in insp.get_foreign_keys("participant_link")} == {"training_session"}


def test_participant_answers_store_no_identity(db, world):
    [link] = links.create_single_links(db, Scope.for_user(world.coordinator), world.session1.id, 1)
    db.commit()
    response_id = links.submit_participant_answers(db, world.session1.id, link.token, full_participant_answers(db, world), D)
    db.commit()
    # No moment of submission either: the session's date says the school year.
    insp = inspect(db.get_bind())
    for name in ("response", "answer"):
        columns = insp.get_columns(name)
        assert not [c["name"] for c in columns if isinstance(c["type"], (Date, DateTime, Time))], name
    assert "submitted_on" not in {c["name"] for c in insp.get_columns("response")}
    assert db.scalar(select(func.count()).select_from(Answer).where(Answer.response_id == response_id)) >= 8


def test_coordinator_overview_shows_what_is_owed_by_default(client, db, world, app, monkeypatch):
    from tests import factories

    monkeypatch.setitem(app.config, "FIXED_TODAY", D + timedelta(days=30))
    upcoming = factories.session(db, world.training1, trainers=[world.trainer_person], on=D + timedelta(days=60))
    db.commit()
    login(client, world.coordinator)
    body = client.get("/evaluaties").get_data(as_text=True)
    assert f"/bijeenkomsten/{world.session1.id}/evaluatie" in body  # overdue
    assert f"/bijeenkomsten/{upcoming.id}/evaluatie" not in body
    assert f"/bijeenkomsten/{world.session2.id}/evaluatie" not in body  # other partnership
    body = client.get("/evaluaties?status=").get_data(as_text=True)
    assert f"/bijeenkomsten/{upcoming.id}/evaluatie" in body
    body = client.get("/evaluaties?status=upcoming").get_data(as_text=True)
    assert f"/bijeenkomsten/{world.session1.id}/evaluatie" not in body


def test_cancelling_a_session_cancels_what_it_owes(client, db, world, app, on_session_day):
    [link] = links.create_single_links(db, Scope.for_user(world.coordinator), world.session1.id, 1)
    db.commit()
    login(client, world.coordinator)
    url = f"/bijeenkomsten/{world.session1.id}/annuleren"
    r = client.post(url, data={"reden": "  "})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/bijeenkomsten/{world.session1.id}/bewerken")
    db.rollback()
    assert trainer_status(db, world, D) is Status.OPEN

    assert client.post(url, data={"reden": "Te weinig aanmeldingen"}).status_code == 302
    db.rollback()
    assert trainer_status(db, world, D) is Status.CANCELLED
    assert participant_status(db, world, D) is Status.CANCELLED
    page = client.get(f"/e/{world.session1.id}/{link.token}").get_data(as_text=True)
    assert "geannuleerd" in page
    assert "geannuleerd" in client.get(f"/trainingen/{world.training1.id}").get_data(as_text=True)

    assert client.post(url, data={"herstellen": "1"}).status_code == 302
    db.rollback()
    assert trainer_status(db, world, D) is Status.OPEN
    assert client.post(f"/bijeenkomsten/{world.session2.id}/annuleren", data={"reden": "x"}).status_code == 403
