"""Set-based queries: a page issues the same number of SQL statements for 10 trainings and for 300.

The data are added with bulk INSERTs in a session of their own; the page is requested once to warm
up, then counted with a `before_cursor_execute` listener on the application's engine.
"""
from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from kwaliteit import db as kdb
from kwaliteit.models_base import utcnow
from kwaliteit.trainings.models import (
    Training,
    TrainingForm,
    TrainingKind,
    TrainingSafeguard,
    TrainingSession,
    session_trainer,
    training_organisation,
)
from tests import factories
from tests.conftest import count_statements, login

SMALL, LARGE = 10, 300


@pytest.fixture
def world(app):
    """The conftest world in a session of its own, so that requests do not share the test's
    application context (see tests/test_authz.py)."""
    with kdb.new_session(app) as s:
        w = factories.build_world(s)
        s.commit()
    return w


def add_trainings(app, world, start: int, stop: int) -> None:
    """Trainings number start..stop-1, spread over both partnerships, with links and sessions."""
    kinds = list(TrainingKind)
    sg_ids = [s.id for s in world.safeguards]
    with kdb.new_session(app) as s:
        s.execute(
            insert(Training),
            [
                dict(
                    partnership_id=world.p1.id if i % 5 else world.p2.id,
                    title=f"Bulktraining {i:04d}",
                    kind=kinds[i % len(kinds)],
                    form=TrainingForm.BLENDED,
                    contact_hours=Decimal("7.5"),
                    description="",
                    active=i % 7 != 0,
                    created_at=utcnow(),
                )
                for i in range(start, stop)
            ],
        )
        titles = [f"Bulktraining {i:04d}" for i in range(start, stop)]
        ids = dict(s.execute(select(Training.title, Training.id).where(Training.title.in_(titles))).all())
        links = [
            dict(training_id=ids[f"Bulktraining {i:04d}"], safeguard_id=sg_ids[(i + k) % len(sg_ids)],
                 rationale=f"Toelichting {i}-{k}")
            for i in range(start, stop)
            if i % 2 == 0
            for k in range(1 + i % 3)
        ]
        s.execute(insert(TrainingSafeguard), links)
        s.execute(
            insert(TrainingSession),
            [
                dict(training_id=ids[f"Bulktraining {i:04d}"], date=date(2026, 9, 1) + timedelta(days=k),
                     start_time=time(9), location=f"Locatie {i}", participant_count=10, created_at=utcnow())
                for i in range(start, stop)
                if i % 3 == 0
                for k in range(2)
            ],
        )
        session_ids = s.scalars(
            select(TrainingSession.id).where(TrainingSession.training_id.in_(list(ids.values())))
        ).all()
        trainers = [world.trainer_person.id, world.trainer_person2.id]
        s.execute(
            insert(session_trainer),
            [dict(session_id=sid, person_id=trainers[sid % 2]) for sid in session_ids],
        )
        s.commit()


def grow_training1(app, world, sessions: int) -> None:
    """More of everything the detail page shows: sessions with trainers, links, organisations."""
    with kdb.new_session(app) as s:
        for k in range(sessions):
            ts = TrainingSession(training_id=world.training1.id, date=date(2025, 1, 1) + timedelta(days=k),
                                 start_time=time(13), location=f"Zaal {k}", participant_count=k)
            ts.trainers = [s.merge(world.trainer_person, load=False), s.merge(world.trainer_person2, load=False)]
            s.add(ts)
        linked = {sg.id for sg in world.safeguards[:2]}
        s.execute(
            insert(TrainingSafeguard),
            [dict(training_id=world.training1.id, safeguard_id=sg.id, rationale="Later gekoppeld.")
             for sg in world.safeguards if sg.id not in linked],
        )
        s.execute(
            insert(training_organisation),
            [dict(training_id=world.training1.id, organisation_id=o.id)
             for o in (world.school1, world.institute1)],
        )
        s.commit()


PAGES = {
    "trainings": lambda w: "/trainingen?status=alle",
    "trainings-filtered": lambda w: f"/trainingen?status=actief&soort=basistraining&partnerschap={w.p1.id}&pagina=2",
    "overview": lambda w: "/overzicht",
    "detail": lambda w: f"/trainingen/{w.training1.id}",
    "safeguard": lambda w: f"/waarborgen/{w.safeguards[0].id}",
}


@pytest.mark.parametrize("account", ["admin", "coordinator", "steering"])
@pytest.mark.parametrize("page", sorted(PAGES))
def test_statement_count_does_not_grow_with_the_data(app, world, page, account):
    client = app.test_client()
    login(client, getattr(world, account))
    url = PAGES[page](world)

    add_trainings(app, world, 0, SMALL)
    small, small_body = count_statements(app, client, url)

    add_trainings(app, world, SMALL, LARGE)
    grow_training1(app, world, sessions=40)
    large, large_body = count_statements(app, client, url)

    assert len(small) == len(large), (
        f"{url}: {len(small)} statements with {SMALL} trainings, {len(large)} with {LARGE}.\n"
        + "\n---\n".join(large)
    )
    # The large run really showed more data, so the comparison means something.
    assert len(large_body) > len(small_body)


def test_counted_pages_show_the_bulk_data(app, world):
    """The bulk rows are real: the list counts them all, the overview names unlinked ones."""
    add_trainings(app, world, 0, LARGE)
    client = app.test_client()
    login(client, world.admin)
    body = client.get("/trainingen?status=alle").get_data(as_text=True)
    assert f"{LARGE + 2} trainingen" in body
    body = client.get("/overzicht").get_data(as_text=True)
    assert "Bulktraining 0001" in body  # odd numbers have no link
    assert "Bulktraining 0002" not in body
