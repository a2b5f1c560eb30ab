"""training_session.school_year (issue 12): stored with the date, so no query computes it per row;
kept right by every way a session is written. And the response rates of /respons: their SQL
statements do not grow with the data."""
from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import insert, select

from evaluaties.answers.models import LinkKind, ParticipantLink, Response, ResponseSource
from evaluaties.questionnaires.models import Audience
from evaluaties.questionnaires.services import applicable_version
from evaluaties.results import rates
from evaluaties.results.models import ALL_RESPONSES, LinkTally, ResponseTally
from evaluaties.results.services import result_years
from kwaliteit import db as kdb
from kwaliteit.models_base import utcnow
from kwaliteit.scope import Scope
from kwaliteit.sorting import Sort
from kwaliteit.sqldates import school_year_of
from kwaliteit.trainings import services
from kwaliteit.trainings.models import TrainingSession
from tests.api_support import API, call, make_token
from tests.conftest import TODAY, count_statements, login

LAST_DAY = date(2026, 7, 31)  # of school year 2025-2026
FIRST_DAY = date(2026, 8, 1)  # of school year 2026-2027


def _stored(app, session_id: int) -> tuple[date, int]:
    with kdb.new_session(app) as s:
        return s.execute(
            select(TrainingSession.date, TrainingSession.school_year).where(TrainingSession.id == session_id)
        ).one()


def _data(world, day: date) -> services.SessionData:
    return services.SessionData(date=day, start_time=time(9), location="Zaal", trainer_ids=[world.trainer_person.id])


def test_school_year_follows_the_date_across_1_august_in_the_service(app, world):
    with kdb.new_session(app) as s:
        scope = Scope.for_user(s.get(type(world.coordinator), world.coordinator.id))
        ts = services.create_session(s, scope, world.training1.id, _data(world, LAST_DAY), TODAY)
        s.commit()
        session_id = ts.id
    assert _stored(app, session_id) == (LAST_DAY, 2025)
    for day, year in ((FIRST_DAY, 2026), (LAST_DAY, 2025), (date(2027, 7, 31), 2026)):
        with kdb.new_session(app) as s:
            scope = Scope.for_user(s.get(type(world.coordinator), world.coordinator.id))
            services.update_session(s, scope, session_id, _data(world, day), TODAY)
            s.commit()
        assert _stored(app, session_id) == (day, year)
        with kdb.new_session(app) as s:
            assert year in result_years(s, Scope.everything(), TODAY)


def test_the_school_years_of_a_scope_reach_from_the_earliest_date_to_three_years_ahead(app, world):
    """The years a filter offers: those with a session within scope, from the first a session may
    have (EARLIEST_DATE) to the last (MAX_YEARS_AHEAD), each side of 1 August."""
    from kwaliteit.validation import EARLIEST_DATE, MAX_YEARS_AHEAD

    latest = TODAY + timedelta(days=365 * MAX_YEARS_AHEAD)
    with kdb.new_session(app) as s:
        scope = Scope.for_user(s.get(type(world.coordinator), world.coordinator.id))
        before = set(result_years(s, scope, TODAY))
        for day in (EARLIEST_DATE, date(2019, 7, 31), latest):
            services.create_session(s, scope, world.training1.id, _data(world, day), TODAY)
        s.commit()
        mine = result_years(s, scope, TODAY)
        assert mine == sorted(before | {2010, 2018, school_year_of(latest)}, reverse=True)
        # The other partnership's coordinator sees only its own sessions' years.
        other = Scope.for_user(s.get(type(world.other_coordinator), world.other_coordinator.id))
        assert result_years(s, other, TODAY) == [school_year_of(world.session2.date)]
        assert set(result_years(s, Scope.everything(), TODAY)) == set(mine) | {school_year_of(world.session2.date)}


def test_school_year_of_a_session_edited_on_the_page(app, client, world):
    login(client, world.coordinator)
    url = f"/bijeenkomsten/{world.session1.id}/bewerken"
    for day, year in ((LAST_DAY, 2025), (FIRST_DAY, 2026)):
        form = {"date": day.isoformat(), "start_time": "09:00", "location": "Zaal",
                "trainer_ids": [str(world.trainer_person.id)], "participant_count": "12"}
        response = client.post(url, data=form)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        assert _stored(app, world.session1.id) == (day, year)


def test_school_year_of_a_session_made_through_the_api(app, world):
    token = make_token(app, world.coordinator)
    client = app.test_client()
    url = API + f"/trainings/{world.training1.id}/sessions"
    for day, year in (("2026-07-31", 2025), ("2026-08-01", 2026)):
        body = {"date": day, "start_time": "09:30", "location": "Utrecht", "trainer_ids": [world.trainer_person.id]}
        created = call(app, client, "POST", url, token, body)
        assert created.status_code == 201, created.get_json()
        assert _stored(app, created.get_json()["id"]) == (date.fromisoformat(day), year)


def test_school_year_of_sessions_inserted_in_bulk(app, world):
    """A Core insert names the date only (as bench/ and the bulk tests do); the column's default
    fills the year from each row's own date."""
    days = [LAST_DAY, FIRST_DAY, date(2025, 1, 15), date(2027, 12, 31)]
    with kdb.new_session(app) as s:
        ids = s.scalars(
            insert(TrainingSession).returning(TrainingSession.id, sort_by_parameter_order=True),
            [dict(training_id=world.training1.id, date=d, start_time=time(9), location="Zaal", participant_count=0)
             for d in days],
        ).all()
        s.execute(
            insert(TrainingSession.__table__),
            [dict(training_id=world.training2.id, date=d, start_time=time(9), location="Zaal", participant_count=0,
                  created_at=utcnow()) for d in days],
        )
        s.commit()
        assert s.scalars(select(TrainingSession.school_year).where(TrainingSession.id.in_(ids))
                         .order_by(TrainingSession.id)).all() == [2025, 2026, 2024, 2027]
        assert sorted(s.scalars(select(TrainingSession.school_year)
                                .where(TrainingSession.training_id == world.training2.id,
                                       TrainingSession.id != world.session2.id))) == [2024, 2025, 2026, 2027]


def test_demo_sessions_have_their_school_year(app):
    from kwaliteit.demo import seed_demo

    with kdb.new_session(app) as s:
        assert seed_demo(s)
        s.commit()
        rows = s.execute(select(TrainingSession.date, TrainingSession.school_year)).all()
    assert len(rows) > 10
    assert all(year == (d.year if d.month >= 8 else d.year - 1) for d, year in rows)
    assert len({year for _d, year in rows}) >= 2


# ---------------------------------------------------------------- /respons at ten times the data


def grow(app, world, sessions: int) -> None:
    """Sessions of training1 (in bulk), each with links and participant responses in the tally."""
    with kdb.new_session(app) as s:
        version = applicable_version(s, world.training1.id, Audience.PARTICIPANT)
        ids = s.scalars(
            insert(TrainingSession).returning(TrainingSession.id, sort_by_parameter_order=True),
            [dict(training_id=world.training1.id, date=TODAY - timedelta(days=3 * k + 1), start_time=time(9),
                  location=f"Zaal {k}", participant_count=k % 3 * 10) for k in range(sessions)],
        ).all()
        s.execute(
            insert(ParticipantLink),
            [dict(session_id=sid, token=f"t{sid}-{j}", kind=LinkKind.SINGLE if j else LinkKind.SHARED,
                  max_uses=1 if j else 30, used_count=0) for sid in ids for j in range(3)],
        )
        s.execute(insert(LinkTally), [dict(session_id=sid, links=3, single=2) for sid in ids])
        s.execute(
            insert(Response),
            [dict(session_id=sid, version_id=version.id, audience=Audience.PARTICIPANT, source=ResponseSource.LINK)
             for k, sid in enumerate(ids) for _ in range(k % 4)],
        )
        # Responses without answers: the tally's row for all responses is all they make.
        s.execute(
            insert(ResponseTally),
            [dict(session_id=sid, version_id=version.id, source=ResponseSource.LINK, safeguard=ALL_RESPONSES,
                  audience=Audience.PARTICIPANT, responses=k % 4) for k, sid in enumerate(ids) if k % 4],
        )
        s.commit()


def test_rate_pages_issue_as_many_statements_at_ten_times_the_data(app, client, world):
    grow(app, world, 6)
    login(client, world.admin)
    urls = [
        "/respons",
        "/respons?sorteer=respons",
        f"/respons?training={world.training1.id}&schooljaar=2026&sorteer=ingevuld",
        f"/respons?partnerschap={world.p1.id}&periode=alle",
        "/respons/laag",
    ]
    before = {url: count_statements(app, client, url) for url in urls}
    with kdb.new_session(app) as s:
        small = rates.response_rates(s, Scope.everything(), TODAY).total
    grow(app, world, 60)
    after = {url: count_statements(app, client, url) for url in urls}
    assert {url: len(st) for url, (st, _b) in after.items()} == {url: len(st) for url, (st, _b) in before.items()}
    assert after["/respons"][1] != before["/respons"][1]
    with kdb.new_session(app) as s:
        assert rates.response_rates(s, Scope.everything(), TODAY).total == small + 60


def test_a_page_of_rates_equals_the_whole_list_cut(app, world):
    """The page's sessions are chosen first: every sort and page gives what sorting the whole
    list and cutting it would."""
    grow(app, world, 23)
    with kdb.new_session(app) as s:
        scope = Scope.everything()
        for key in rates.RATE_SORT_KEYS:
            for descending in (False, True):
                sort = Sort(key, descending=descending)
                whole = rates.response_rates(s, scope, TODAY, page_size=1000, sort=sort).items
                cut = [row for page in (1, 2, 3) for row in rates.response_rates(s, scope, TODAY, page=page,
                                                                                  page_size=10, sort=sort).items]
                assert [(r.session.id, r.links, r.invited, r.answers) for r in cut] == [
                    (r.session.id, r.links, r.invited, r.answers) for r in whole
                ], key
