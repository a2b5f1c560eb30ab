"""The personal calendar feed: a secret, renewable address without log-in; parses with icalendar
and holds the user's due dates."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar

from kwaliteit import db as kdb
from kwaliteit.cycles.models import ImprovementAction, ReviewCycle
from kwaliteit.notifications.models import UserPreferences
from kwaliteit.notifications.services import hash_token, renew_calendar_token
from tests import factories
from tests.conftest import TODAY, count_statements, login


@pytest.fixture
def world(app):
    with kdb.new_session(app) as s:
        w = factories.build_world(s)
        s.commit()
    return w


def _feed_path(client) -> str:
    """Make a new address through the page, and read it from the page (shown once)."""
    response = client.post("/herinneringen/agenda")
    assert response.status_code == 302
    page = client.get("/herinneringen").get_data(as_text=True)
    match = re.search(r"(https?://\S+/agenda/[A-Za-z0-9_-]{43}\.ics)", page)
    assert match, page
    assert "alleen nu zichtbaar" in page
    # Shown once: the next visit no longer shows it.
    assert match.group(1) not in client.get("/herinneringen").get_data(as_text=True)
    return urlsplit(match.group(1)).path


def _events(response) -> dict[str, date]:
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert response.headers["Cache-Control"] == "no-store"
    cal = Calendar.from_ical(response.data)
    return {str(e["SUMMARY"]): e.decoded("DTSTART") for e in cal.walk("VEVENT")}


def test_trainer_feed_holds_own_evaluation_due_dates(app, world):
    with kdb.new_session(app) as s:
        t1 = s.get(type(world.training1), world.training1.id)
        tp2 = s.get(type(world.trainer_person2), world.trainer_person2.id)
        factories.session(s, t1, trainers=[tp2], on=TODAY + timedelta(days=3))  # not the trainer's
        s.commit()
    client = app.test_client()
    login(client, world.trainer)
    path = _feed_path(client)
    events = _events(app.test_client().get(path))  # no log-in needed
    assert events == {"Trainersevaluatie Basistraining mentoren Noord (01-10-2026)": date(2026, 10, 15)}


def test_coordinator_feed_holds_cycles_of_own_partnerships_and_own_actions(app, world):
    with kdb.new_session(app) as s:
        t1 = s.get(type(world.training1), world.training1.id)
        t2 = s.get(type(world.training2), world.training2.id)
        cycle = ReviewCycle(
            training_id=t1.id,
            school_year=2026,
            plan_due=date(2026, 10, 1),
            check_due=date(2027, 7, 1),
            act_due=date(2027, 7, 31),
            plan_done_at=None,
        )
        done = ReviewCycle(
            training_id=t1.id,
            school_year=2025,
            plan_due=date(2025, 10, 1),
            check_due=date(2026, 7, 1),
            act_due=date(2026, 7, 31),
        )
        foreign = ReviewCycle(
            training_id=t2.id,
            school_year=2026,
            plan_due=date(2026, 10, 1),
            check_due=date(2027, 7, 1),
            act_due=date(2027, 7, 31),
        )
        s.add_all([cycle, done, foreign])
        s.flush()
        s.add(
            ImprovementAction(
                cycle_id=cycle.id,
                description="Feedback",
                owner_id=world.coordinator.id,
                due_on=date(2027, 3, 1),
            )
        )
        s.add(
            ImprovementAction(
                cycle_id=foreign.id,
                description="Elders",
                owner_id=world.other_coordinator.id,
                due_on=date(2027, 3, 2),
            )
        )
        token = renew_calendar_token(s, world.coordinator.id)
        s.commit()
    events = _events(app.test_client().get(f"/agenda/{token}.ics"))
    title = "kwaliteitscyclus Basistraining mentoren Noord 2026-2027"
    # Plan (1 October) lies within the 90 days before today and is not done: still shown.
    assert events == {
        f"Plan {title}": date(2026, 10, 1),
        f"Check {title}": date(2027, 7, 1),
        f"Act {title}": date(2027, 7, 31),
        "Verbeteractie Basistraining mentoren Noord": date(2027, 3, 1),
    }
    body = app.test_client().get(f"/agenda/{token}.ics").get_data(as_text=True)
    assert "Zuid" not in body and "Elders" not in body


def test_renewal_stops_the_old_address(app, world):
    client = app.test_client()
    login(client, world.trainer)
    old = _feed_path(client)
    new = _feed_path(client)
    assert old != new
    anonymous = app.test_client()
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200
    with kdb.new_session(app) as s:
        stored = s.get(UserPreferences, world.trainer.id).calendar_token_hash
    token = new.rsplit("/", 1)[1].removesuffix(".ics")
    assert stored == hash_token(token) and token not in stored  # only the hash is kept


@pytest.mark.parametrize("token", ["x", "a" * 43, "a" * 44, "%00" * 5, "../" * 15])
def test_unknown_or_malformed_token_is_404(app, world, token):
    assert app.test_client().get(f"/agenda/{token}.ics").status_code in (400, 404)


def test_disabled_account_has_no_feed(app, world):
    from kwaliteit.accounts.models import User

    with kdb.new_session(app) as s:
        token = renew_calendar_token(s, world.trainer.id)
        s.get(User, world.trainer.id).is_enabled = False
        s.commit()
    assert app.test_client().get(f"/agenda/{token}.ics").status_code == 404


def test_feed_is_set_based(app, world):
    with kdb.new_session(app) as s:
        token = renew_calendar_token(s, world.coordinator.id)
        s.commit()
    client = app.test_client()
    small, _ = count_statements(app, client, f"/agenda/{token}.ics")
    with kdb.new_session(app) as s:
        t1 = s.get(type(world.training1), world.training1.id)
        for year in range(2000, 2020):
            c = ReviewCycle(
                training_id=t1.id, school_year=year, plan_due=TODAY, check_due=TODAY, act_due=TODAY
            )
            s.add(c)
            s.flush()
            s.add(
                ImprovementAction(cycle_id=c.id, description="x", owner_id=world.coordinator.id, due_on=TODAY)
            )
        s.commit()
    large, body = count_statements(app, client, f"/agenda/{token}.ics")
    assert len(large) == len(small) and body.count("BEGIN:VEVENT") == 80
