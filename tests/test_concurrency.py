"""Submissions at once, through the web app, on SQLite and PostgreSQL: every one is stored or
answered with a clear message; none is lost, none stored twice."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from evaluaties.answers import links
from evaluaties.answers.models import Response
from evaluaties.questionnaires.models import Audience
from kwaliteit import db as kdb
from kwaliteit.scope import Scope
from tests.conftest import login, run_in_threads
from tests.test_evaluations import D, full_participant_answers, full_trainer_answers

SHARED_USES = 3


def test_eight_threads_submit_trainer_evaluations_and_anonymous_answers_at_once(app, world, monkeypatch):
    """Four trainer submissions of one session's evaluation (a tandem, a double click) and four
    participants on a shared link with room for three, all released at the same moment."""
    monkeypatch.setitem(app.config, "FIXED_TODAY", D)  # the session day: both are open
    with kdb.new_session(app) as s:
        shared = links.create_shared_link(s, Scope.for_user(world.coordinator), world.session1.id, SHARED_USES)
        trainer_data = full_trainer_answers(s, world)
        participant_data = full_participant_answers(s, world)
        s.commit()
        token = shared.token

    trainers = []
    for _ in range(4):
        client = app.test_client()
        login(client, world.trainer)
        trainers.append(client)
    barrier = threading.Barrier(8)
    outcomes: dict[str, list[str]] = {"trainer": [], "participant": []}

    def trainer_submit(client, n):
        def run():
            data = dict(trainer_data) | {
                k: f"Antwoord {n}" for k, v in trainer_data.items() if v == "Goed gesprek."
            }
            barrier.wait(10)
            response = client.post(f"/bijeenkomsten/{world.session1.id}/trainersevaluatie", data=data)
            assert response.status_code == 302, response.get_data(as_text=True)[:300]
            outcomes["trainer"].append("saved")
        return run

    def participant_submit():
        client = app.test_client()
        barrier.wait(10)
        response = client.post(f"/e/{world.session1.id}/{token}", data=participant_data)
        if response.status_code == 302:
            assert response.headers["Location"].endswith("/e/bedankt")
            outcomes["participant"].append("saved")
        else:
            # The one too many is told the link is used up, in Dutch, not given an error.
            assert response.status_code == 200
            assert links.STATE_MESSAGES[links.LinkState.USED] in response.get_data(as_text=True)
            outcomes["participant"].append("refused")

    run_in_threads(*[trainer_submit(c, n) for n, c in enumerate(trainers)],
                   *[participant_submit for _ in range(4)], timeout=60)

    assert outcomes["trainer"] == ["saved"] * 4
    assert sorted(outcomes["participant"]) == ["refused"] + ["saved"] * SHARED_USES
    with kdb.new_session(app, write=False) as s:
        def responses(audience):
            return s.scalar(select(func.count()).select_from(Response).where(
                Response.session_id == world.session1.id, Response.audience == audience))

        # One trainer evaluation (the later submissions edit it), one response per admitted participant.
        assert responses(Audience.TRAINER) == 1
        assert responses(Audience.PARTICIPANT) == SHARED_USES
        assert s.get(type(shared), shared.id).used_count == SHARED_USES
