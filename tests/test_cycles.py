"""Review cycles (issue 10, items 1 and 2): opening over the school-year boundary, idempotent and
race-safe; phase status on its boundaries; carry-over of open actions; Check locks the trainer
evaluations; bad input with Dutch field errors; "you said, we did" for participants."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from evaluaties.answers import links, requests
from evaluaties.answers.models import EvaluationRequest
from evaluaties.questionnaires.models import Audience
from kwaliteit import db as kdb
from kwaliteit.accounts.models import Role
from kwaliteit.cycles import services
from kwaliteit.cycles.calendar import DEFAULTS, Calendar, calendar_for, date_in_school_year, due_dates
from kwaliteit.cycles.models import ActionStatus, CycleCalendar, ImprovementAction, ReviewCycle
from kwaliteit.cycles.status import Phase, PhaseStatus, phase_status
from kwaliteit.scope import Forbidden, Scope
from kwaliteit.validation import ValidationError
from tests import factories
from tests.conftest import TODAY, count_statements, login, run_in_threads
from tests.test_evaluations import full_participant_answers, full_trainer_answers

EVERYTHING = Scope.everything()


def scope_of(user):
    return Scope.for_user(user)


def cycles_of(db, training):
    return {c.school_year: c for c in db.scalars(select(ReviewCycle).where(ReviewCycle.training_id == training.id))}


# ---------------------------------------------------------------- calendar


def test_due_dates_fall_inside_the_school_year():
    d = due_dates(DEFAULTS, 2026)
    assert (d.opens_on, d.plan_due, d.check_due, d.act_due) == (
        date(2026, 8, 1), date(2026, 10, 1), date(2027, 7, 1), date(2027, 7, 31)
    )
    assert date_in_school_year("02-29", 2026) == date(2027, 2, 28)
    assert date_in_school_year("02-29", 2027) == date(2028, 2, 29)
    assert DEFAULTS.peer_review_years == 6


def test_calendar_for_uses_the_partnership_row_and_defaults(db, world):
    assert calendar_for(db, world.p1.id) == DEFAULTS
    db.add(CycleCalendar(partnership_id=world.p1.id, plan_due="11-15", peer_review_years=4))
    db.flush()
    assert calendar_for(db, world.p1.id) == Calendar(plan_due="11-15", peer_review_years=4)


# ---------------------------------------------------------------- opening


@pytest.fixture
def later_opening(db, world):
    """Partnership 2 opens its cycles on 15 September."""
    db.add(CycleCalendar(partnership_id=world.p2.id, opens_on="09-15"))
    factories.training(db, world.p1, "Oude training", active=False)
    db.commit()


def test_open_cycles_over_the_school_year_boundary(db, world, later_opening):
    # 31 July 2026 is still school year 2025: its cycles open (late, but once).
    assert services.open_cycles(db, date(2026, 7, 31)) == 2
    db.commit()
    assert set(cycles_of(db, world.training1)) == {2025}
    # 1 August: school year 2026 opens for partnership 1 only (2 opens on 15 September).
    assert services.open_cycles(db, date(2026, 8, 1)) == 1
    db.commit()
    assert set(cycles_of(db, world.training1)) == {2025, 2026}
    assert set(cycles_of(db, world.training2)) == {2025}
    assert services.open_cycles(db, date(2026, 9, 14)) == 0
    assert services.open_cycles(db, date(2026, 9, 15)) == 1
    db.commit()
    c = cycles_of(db, world.training1)[2026]
    assert (c.plan_due, c.check_due, c.act_due) == (date(2026, 10, 1), date(2027, 7, 1), date(2027, 7, 31))
    assert c.owner_id == world.coordinator.id  # the partnership's first coordinator
    assert cycles_of(db, world.training2)[2026].owner_id == world.other_coordinator.id
    # The inactive training has none.
    assert db.scalar(select(func.count()).select_from(ReviewCycle)) == 4


def test_open_cycles_twice_changes_nothing(db, world):
    assert services.open_cycles(db, TODAY) == 2
    db.commit()
    before = db.execute(select(ReviewCycle.id, ReviewCycle.training_id, ReviewCycle.school_year)).all()
    assert services.open_cycles(db, TODAY) == 0
    db.commit()
    assert db.execute(select(ReviewCycle.id, ReviewCycle.training_id, ReviewCycle.school_year)).all() == before


def test_open_cycles_concurrently_opens_each_once(app, db, world):
    opened = []

    def job():
        with kdb.new_session(app) as s:
            opened.append(services.open_cycles(s, TODAY))
            s.commit()

    run_in_threads(job, job)
    assert sorted(opened) in ([0, 2], [1, 1])
    assert db.scalar(select(func.count()).select_from(ReviewCycle)) == 2


def test_open_cycle_by_hand(db, world, today):
    coord = scope_of(world.coordinator)
    cycle = services.open_cycle(db, coord, world.training1.id, 2025, today)
    assert cycle.school_year == 2025 and cycle.plan_due == date(2025, 10, 1)
    with pytest.raises(ValidationError) as e:
        services.open_cycle(db, coord, world.training1.id, 2025, today)
    assert e.value.errors == {"school_year": services.TAKEN}
    with pytest.raises(ValidationError) as e:
        services.open_cycle(db, coord, world.training1.id, 2028, today)
    assert "Kies een schooljaar van 2021-2022 tot en met 2027-2028" in e.value.errors["school_year"]
    with pytest.raises(ValidationError) as e:
        services.open_cycle(db, coord, None, 2026, today)
    assert e.value.errors["training_id"] == "Kies een training."
    with pytest.raises(Forbidden):
        services.open_cycle(db, coord, world.training2.id, 2026, today)
    with pytest.raises(Forbidden):
        services.open_cycle(db, scope_of(world.steering), world.training1.id, 2026, today)


# ---------------------------------------------------------------- phase status


@pytest.fixture
def cycle(db, world):
    c = factories.cycle(db, world.training1, 2026, owner=world.coordinator)
    db.commit()
    return c


@pytest.mark.parametrize(
    ("day", "expected"),
    [(date(2026, 10, 1), PhaseStatus.IN_PROGRESS), (date(2026, 10, 2), PhaseStatus.OVERDUE)],
)
def test_plan_is_overdue_the_day_after_its_due_date(db, cycle, day, expected):
    assert phase_status(cycle, Phase.PLAN, day) is expected
    page = services.list_cycles(db, EVERYTHING, services.CycleFilters(overdue=True), day)
    assert page.total == (1 if expected is PhaseStatus.OVERDUE else 0)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 7, 31), PhaseStatus.NOT_STARTED),
        (date(2026, 8, 1), PhaseStatus.IN_PROGRESS),
        (date(2027, 7, 31), PhaseStatus.IN_PROGRESS),
        (date(2027, 8, 1), PhaseStatus.DONE),
    ],
)
def test_do_runs_through_the_school_year(cycle, day, expected):
    assert phase_status(cycle, Phase.DO, day) is expected


def test_check_and_act_follow_completion_and_due_dates(db, world, cycle):
    coord = scope_of(world.coordinator)
    day = date(2026, 9, 1)
    assert phase_status(cycle, Phase.CHECK, day) is PhaseStatus.NOT_STARTED
    with pytest.raises(ValidationError, match="Rond eerst Plan af"):
        services.complete_phase(db, coord, cycle.id, Phase.CHECK, day)
    services.complete_phase(db, coord, cycle.id, Phase.PLAN, day)
    assert phase_status(cycle, Phase.PLAN, date(2027, 1, 1)) is PhaseStatus.DONE
    assert phase_status(cycle, Phase.CHECK, date(2027, 7, 1)) is PhaseStatus.IN_PROGRESS
    assert phase_status(cycle, Phase.CHECK, date(2027, 7, 2)) is PhaseStatus.OVERDUE
    with pytest.raises(ValidationError, match="vier vragen"):
        services.complete_phase(db, coord, cycle.id, Phase.CHECK, day)
    with pytest.raises(ValidationError, match="Rond eerst Check af"):
        services.complete_phase(db, coord, cycle.id, Phase.ACT, day)
    services.save_analysis(db, coord, cycle.id, dict.fromkeys(services.ANALYSIS_FIELDS, "Ja."))
    services.complete_phase(db, coord, cycle.id, Phase.CHECK, day)
    # A completed Check keeps its four answers: they may change, not be emptied.
    emptied = {**dict.fromkeys(services.ANALYSIS_FIELDS, "Ja, nog steeds."), "analysis_how_we_know": " "}
    with pytest.raises(ValidationError) as refused:
        services.save_analysis(db, coord, cycle.id, emptied)
    assert "Heropen Check" in refused.value.errors["analysis_how_we_know"]
    assert cycle.analysis_how_we_know == "Ja."
    services.save_analysis(db, coord, cycle.id, dict.fromkeys(services.ANALYSIS_FIELDS, "Ja, nog steeds."))
    assert phase_status(cycle, Phase.ACT, date(2027, 7, 31)) is PhaseStatus.IN_PROGRESS
    assert phase_status(cycle, Phase.ACT, date(2027, 8, 1)) is PhaseStatus.OVERDUE
    with pytest.raises(ValidationError, match="Heropen eerst Check"):
        services.reopen_phase(db, coord, cycle.id, Phase.PLAN)
    services.reopen_phase(db, coord, cycle.id, Phase.CHECK)
    assert cycle.check_done_at is None
    services.save_analysis(db, coord, cycle.id, emptied)  # reopened: a draft again


# ---------------------------------------------------------------- carry-over


def test_open_actions_of_last_year_show_in_the_plan_and_can_be_closed(db, world, cycle, today):
    coord = scope_of(world.coordinator)
    last = factories.cycle(db, world.training1, 2025)
    open_one = factories.improvement_action(db, last, world.coordinator, "Open actie", due_on=date(2026, 6, 1))
    factories.improvement_action(db, last, world.coordinator, "Klaar", status=ActionStatus.DONE)
    factories.improvement_action(db, cycle, world.coordinator, "Van dit jaar")
    db.commit()
    page = services.cycle_page(db, coord, cycle.id, today, 5)
    assert [a.description for a, _state in page.carried] == ["Open actie"]
    assert page.carried[0][1].value == "te-laat"
    assert [a.description for a, _state in page.actions] == ["Van dit jaar"]
    # Re-dated into this year, then closed.
    data = services.ActionData("Open actie", world.coordinator.id, date(2027, 2, 1), status=ActionStatus.IN_PROGRESS)
    services.update_action(db, coord, open_one.id, data, today)
    assert services.cycle_page(db, coord, cycle.id, today, 5).carried[0][1].value == "open"
    data.status = ActionStatus.DONE
    services.update_action(db, coord, open_one.id, data, today)
    assert open_one.done_on == today
    assert services.cycle_page(db, coord, cycle.id, today, 5).carried == []


# ---------------------------------------------------------------- Check locks


def test_completing_check_locks_the_trainer_evaluations_of_the_year(db, world, cycle, today):
    trainer, coord = scope_of(world.trainer), scope_of(world.coordinator)
    raw = full_trainer_answers(db, world)
    requests.submit_trainer_evaluation(db, trainer, world.session1.id, raw, today)  # 1 October 2026
    unsubmitted = factories.session(db, world.training1, [world.trainer_person], on=date(2026, 11, 1))
    last_year = factories.session(db, world.training1, [world.trainer_person], on=date(2026, 7, 1))
    future = factories.session(db, world.training1, [world.trainer_person], on=date(2027, 1, 10))
    other = factories.session(db, world.training2, [world.other_trainer], on=date(2026, 10, 5))
    db.commit()
    services.complete_phase(db, coord, cycle.id, Phase.PLAN, today)
    services.save_analysis(db, coord, cycle.id, dict.fromkeys(services.ANALYSIS_FIELDS, "Ja."))
    services.complete_phase(db, coord, cycle.id, Phase.CHECK, today)
    db.commit()
    locked = dict(
        db.execute(
            select(EvaluationRequest.session_id, EvaluationRequest.locked_at.is_not(None)).where(
                EvaluationRequest.audience == Audience.TRAINER
            )
        ).all()
    )
    assert locked == {world.session1.id: True, unsubmitted.id: True}
    assert last_year.id not in locked and future.id not in locked and other.id not in locked
    for ts in (world.session1, unsubmitted):
        with pytest.raises(ValidationError, match="vergrendeld"):
            requests.submit_trainer_evaluation(db, trainer, ts.id, raw, today)
        db.rollback()
    # Reopening Check leaves them locked.
    services.reopen_phase(db, coord, cycle.id, Phase.CHECK)
    db.commit()
    with pytest.raises(ValidationError, match="vergrendeld"):
        requests.submit_trainer_evaluation(db, trainer, world.session1.id, raw, today)


def test_trainer_cannot_edit_a_locked_evaluation_in_the_app(app, client, db, world, cycle, today):
    requests.submit_trainer_evaluation(db, scope_of(world.trainer), world.session1.id,
                                       full_trainer_answers(db, world), today)
    cycle.plan_done_at = cycle.created_at
    for name in services.ANALYSIS_FIELDS:
        setattr(cycle, name, "Ja.")
    db.commit()
    login(client, world.coordinator)
    r = client.post(f"/cycli/{cycle.id}/check/afronden")
    assert r.status_code == 302
    assert "vergrendeld" in client.get(r.headers["Location"]).get_data(as_text=True)
    client.post("/uitloggen")
    login(client, world.trainer)
    r = client.post(f"/bijeenkomsten/{world.session1.id}/trainersevaluatie", data=full_trainer_answers(db, world))
    assert r.status_code == 400 and "vergrendeld" in r.get_data(as_text=True)


# ---------------------------------------------------------------- bad input


def action_data(world, **values):
    data = dict(description="Intervisie toevoegen.", owner_id=world.coordinator.id, due_on=date(2027, 3, 1))
    data.update(values)
    return services.ActionData(**data)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"owner_id": None}, "owner_id", "Kies een eigenaar van de verbeteractie."),
        ({"owner_id": "trainer"}, "owner_id", "Kies een eigenaar met toegang tot dit partnerschap."),
        ({"owner_id": "other_coordinator"}, "owner_id", "Kies een eigenaar met toegang tot dit partnerschap."),
        ({"owner_id": 2**40}, "owner_id", "Kies een eigenaar met toegang tot dit partnerschap."),
        ({"description": "  "}, "description", "Beschrijf de verbeteractie."),
        ({"description": "a\x00b"}, "description", "De tekst bevat ongeldige tekens"),
        ({"description": "x" * 2001}, "description", "Hoogstens 2000 tekens."),
        ({"finding": "\x1b[31m"}, "finding", "De tekst bevat ongeldige tekens"),
        ({"due_on": None}, "due_on", "Vul de uiterste datum in."),
        ({"due_on": date(2026, 7, 31)}, "due_on", "Kies een datum vanaf het begin van het schooljaar 2026-2027"),
        ({"due_on": date(2040, 1, 1)}, "due_on", "Kies een datum vóór"),
        ({"safeguard_id": "unlinked"}, "safeguard_id", "Kies een waarborg die deze training dient."),
        ({"status": None}, "status", "Kies een status."),
    ],
)
def test_bad_action_input_gives_a_dutch_field_error(db, world, cycle, today, values, field, message):
    if values.get("owner_id") in ("trainer", "other_coordinator"):
        values["owner_id"] = getattr(world, values["owner_id"]).id
    if values.get("safeguard_id") == "unlinked":
        values["safeguard_id"] = world.safeguards[3].id  # training1 serves the first two
    with pytest.raises(ValidationError) as e:
        services.add_action(db, scope_of(world.coordinator), cycle.id, action_data(world, **values), today)
    assert e.value.errors[field].startswith(message)


def test_steering_member_may_own_an_action(db, world, cycle, today):
    action = services.add_action(db, scope_of(world.coordinator), cycle.id,
                                 action_data(world, owner_id=world.steering.id), today)
    assert action.owner_id == world.steering.id


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"plan_due": date(2026, 7, 31)}, "plan_due", "Kies een datum binnen het schooljaar 2026-2027 (01-08-2026"),
        ({"act_due": date(2027, 8, 1)}, "act_due", "Kies een datum binnen het schooljaar 2026-2027"),
        ({"check_due": None}, "check_due", "Vul een datum in."),
        ({"check_due": date(2026, 9, 1)}, "check_due", "Check kan niet eerder klaar moeten zijn dan Plan."),
        ({"owner_id": "trainer"}, "owner_id", "Kies een eigenaar met toegang tot dit partnerschap."),
    ],
)
def test_bad_due_dates_give_a_dutch_field_error(db, world, cycle, values, field, message):
    if values.get("owner_id") == "trainer":
        values["owner_id"] = world.trainer.id
    data = dict(plan_due=date(2026, 10, 15), check_due=date(2027, 6, 1), act_due=date(2027, 7, 15), owner_id=None)
    data.update(values)
    with pytest.raises(ValidationError) as e:
        services.save_settings(db, scope_of(world.coordinator), cycle.id, services.CycleSettings(**data))
    assert e.value.errors[field].startswith(message)


def test_due_dates_editable_within_the_school_year(db, world, cycle):
    data = services.CycleSettings(date(2026, 8, 1), date(2027, 7, 31), date(2027, 7, 31), world.steering.id)
    services.save_settings(db, scope_of(world.coordinator), cycle.id, data)
    assert (cycle.plan_due, cycle.act_due, cycle.owner_id) == (date(2026, 8, 1), date(2027, 7, 31), world.steering.id)


def test_bad_input_over_http_shows_field_errors(client, db, world, cycle):
    login(client, world.coordinator)
    r = client.post(f"/cycli/{cycle.id}/acties/nieuw", data={"description": "Iets\x00", "due_on": "2026-07-01"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "De tekst bevat ongeldige tekens" in html
    r = client.post(f"/cycli/{cycle.id}/acties/nieuw", data={"description": "Iets", "due_on": "2026-07-01"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Kies een eigenaar van de verbeteractie." in html and "Kies een datum vanaf het begin" in html
    r = client.post(f"/cycli/{cycle.id}/instellingen",
                    data={"plan_due": "2027-08-01", "check_due": "2027-06-01", "act_due": "2027-07-01"})
    assert r.status_code == 400 and "Kies een datum binnen het schooljaar 2026-2027" in r.get_data(as_text=True)
    r = client.post(f"/cycli/{cycle.id}/analyse", data={"analysis_right_things": "x" * 10001})
    assert r.status_code == 400 and "Hoogstens 10000 tekens." in r.get_data(as_text=True)
    r = client.post(f"/cycli/{cycle.id}/plan", data={f"goal_{world.safeguards[0].id}": "Doel\x07"})
    assert r.status_code == 400 and "ongeldige tekens" in r.get_data(as_text=True)
    r = client.post("/cycli/openen", data={"training_id": str(world.training1.id), "school_year": "1999"})
    assert r.status_code == 400 and "Kies een schooljaar van" in r.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(ImprovementAction)) == 0


# ---------------------------------------------------------------- pages


def test_coordinator_works_through_a_cycle(client, db, world, cycle):
    login(client, world.coordinator)
    sg = world.safeguards[0]
    r = client.post(f"/cycli/{cycle.id}/plan", data={"plan_text": "Meer oefenen.", f"goal_{sg.id}": "Doel A"})
    assert r.status_code == 302
    r = client.post(f"/cycli/{cycle.id}/acties/nieuw", data={
        "description": "Rollenspel toevoegen", "finding": "Deelnemers willen oefenen", "owner_id": world.coordinator.id,
        "due_on": "2027-03-01", "safeguard_id": sg.id, "status": "bezig", "public": "y",
    })
    assert r.status_code == 302
    html = client.get(f"/cycli/{cycle.id}").get_data(as_text=True)
    assert "Meer oefenen." in html and "Doel A" in html and "Rollenspel toevoegen" in html
    action = db.scalar(select(ImprovementAction))
    assert action.public and action.status is ActionStatus.IN_PROGRESS and action.safeguard_id == sg.id
    html = client.get("/cycli").get_data(as_text=True)
    assert world.training1.title in html and world.training2.title not in html
    assert "Rollenspel toevoegen" in client.get("/cycli/acties").get_data(as_text=True)
    assert client.post(f"/cycli/acties/{action.id}/verwijderen").status_code == 302
    db.rollback()  # a new snapshot
    assert db.scalar(select(func.count()).select_from(ImprovementAction)) == 0


def test_steering_reads_and_trainer_sees_nothing(client, db, world, cycle):
    login(client, world.steering)
    assert client.get(f"/cycli/{cycle.id}").status_code == 200
    assert client.get(f"/cycli/{cycle.id}/plan").status_code == 403
    client.post("/uitloggen")
    login(client, world.trainer)
    assert client.get("/cycli").status_code == 403
    assert client.get(f"/cycli/{cycle.id}").status_code == 403


def test_check_shows_this_year_beside_last_year_within_the_threshold(app, client, db, world, cycle, monkeypatch):
    """Four answers in 2026 (below the threshold of 5: withheld), five in 2025 (shown)."""
    old = factories.session(db, world.training1, [world.trainer_person], on=date(2025, 10, 1), participants=10)
    coord = scope_of(world.coordinator)
    answers = {}
    for ts, n in ((world.session1, 4), (old, 5)):
        for link in links.create_single_links(db, coord, ts.id, n):
            answers.setdefault(ts.id, []).append(link)
    db.commit()
    for ts in (world.session1, old):
        monkeypatch.setitem(app.config, "FIXED_TODAY", ts.date)
        for link in answers[ts.id]:
            assert client.post(f"/e/{ts.id}/{link.token}", data=full_participant_answers(db, world, "8")).status_code == 302
    monkeypatch.setitem(app.config, "FIXED_TODAY", TODAY)
    db.rollback()  # a new snapshot
    page = services.cycle_page(db, coord, cycle.id, TODAY, 5)
    overall = [c for c in page.comparisons if c.is_grade]
    assert len(overall) == 1
    assert overall[0].this_mean is None and overall[0].last_mean == pytest.approx(8)
    assert page.this_year.withheld == 4
    login(client, world.coordinator)
    assert "4 antwoorden worden niet getoond" in client.get(f"/cycli/{cycle.id}").get_data(as_text=True)


# ---------------------------------------------------------------- you said, we did


def test_public_actions_of_the_last_year_show_to_participants(app, client, db, world, cycle, monkeypatch):
    last = factories.cycle(db, world.training1, 2025)
    older = factories.cycle(db, world.training1, 2024)
    other = factories.cycle(db, world.training2, 2026)
    owner = world.coordinator
    factories.improvement_action(db, cycle, owner, "Dit jaar gedaan", status=ActionStatus.DONE, public=True)
    factories.improvement_action(db, last, owner, "Vorig jaar bezig", status=ActionStatus.IN_PROGRESS, public=True)
    factories.improvement_action(db, last, owner, "Nog open", status=ActionStatus.OPEN, public=True)
    factories.improvement_action(db, last, owner, "Intern", status=ActionStatus.DONE, public=False)
    factories.improvement_action(db, older, owner, "Te oud", status=ActionStatus.DONE, public=True)
    factories.improvement_action(db, other, world.other_coordinator, "Andere training", status=ActionStatus.DONE,
                                 public=True)
    [link] = links.create_single_links(db, scope_of(world.coordinator), world.session1.id, 1)
    db.commit()
    assert [a.description for a in services.public_actions(db, world.session1.id)] == [
        "Dit jaar gedaan", "Vorig jaar bezig"
    ]
    monkeypatch.setitem(app.config, "FIXED_TODAY", world.session1.date)
    url = f"/e/{world.session1.id}/{link.token}"
    html = client.get(url).get_data(as_text=True)
    assert "Wat we met jullie feedback deden" in html and "Vorig jaar bezig" in html
    for hidden in ("Nog open", "Intern", "Te oud", "Andere training"):
        assert hidden not in html
    # Before answering, the thank-you page names nothing; after, this training's actions.
    assert "Wat we met jullie feedback deden" not in client.get("/e/bedankt").get_data(as_text=True)
    r = client.post(url, data=full_participant_answers(db, world))
    assert r.status_code == 302
    html = client.get("/e/bedankt").get_data(as_text=True)
    assert "Dit jaar gedaan" in html and "Andere training" not in html


# ---------------------------------------------------------------- lists and dashboard


def test_dashboard_counts_overdue_phases_and_actions(client, db, world, cycle):
    """On 22 November 2026 Plan (due 1 October) is overdue; one action overdue, one not."""
    factories.improvement_action(db, cycle, world.coordinator, "Te laat", due_on=date(2026, 11, 1))
    factories.improvement_action(db, cycle, world.coordinator, "Op tijd", due_on=date(2027, 1, 1))
    factories.cycle(db, world.training2, 2026)  # partnership 2: not in the coordinator's figures
    db.commit()
    login(client, world.coordinator)
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'fasen te laat' in html and 'verbeteracties te laat' in html
    assert "Te laat" in html and "Op tijd" not in html
    d = services.dashboard_cycles(db, scope_of(world.coordinator), TODAY, [Scope.for_user(world.coordinator)
                                  .condition(factories.Training.partnership_id)], None, 5)
    assert (d.overdue_phases, d.overdue_actions) == (1, 1)
    assert [phases for _c, _t, phases in d.overdue_cycles] == [[Phase.PLAN]]
    d = services.dashboard_cycles(db, EVERYTHING, TODAY, [], None, 5)
    assert d.overdue_phases == 2


def add_many_cycles(app, world, start: int, stop: int) -> None:
    with kdb.new_session(app) as s:
        for k in range(start, stop):
            t = factories.training(s, s.merge(world.p1, load=False), f"Bulk {k:03d}")
            c = factories.cycle(s, t, 2026 - k % 3)
            owner = s.merge(world.coordinator, load=False)
            factories.improvement_action(s, c, owner, due_on=date(2026, 8, 1) + timedelta(days=30 * (k % 10)))
        s.commit()


def test_cycle_lists_have_a_fixed_statement_count(app, client, world):
    login(client, world.coordinator)
    urls = ["/cycli", "/cycli?status=te-laat&schooljaar=2026", "/cycli/acties?status=alle", "/dashboard"]
    add_many_cycles(app, world, 0, 3)
    before = {url: len(count_statements(app, client, url)[0]) for url in urls}
    add_many_cycles(app, world, 3, 43)
    after = {url: count_statements(app, client, url) for url in urls}
    assert {url: len(statements) for url, (statements, _html) in after.items()} == before
    assert "43 cycli" in after["/cycli"][1]


def test_open_cycles_is_set_based(app, db, world):
    for k in range(30):
        factories.training(db, world.p1, f"Extra {k}")
    db.commit()
    statements = []
    from sqlalchemy import event

    engine = kdb.engine_of(app)

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with kdb.new_session(app) as s:
        event.listen(engine, "before_cursor_execute", before)
        try:
            assert services.open_cycles(s, TODAY) == 32
        finally:
            event.remove(engine, "before_cursor_execute", before)
        s.commit()
    assert len([st for st in statements if not st.startswith(("BEGIN", "SAVEPOINT", "RELEASE"))]) <= 5


def test_role_of_owner_choices(db, world):
    roles = {u.role for u in services.owner_choices(db, world.p1.id)}
    assert Role.TRAINER not in roles and {Role.ADMIN, Role.COORDINATOR, Role.STEERING} <= roles
    assert world.other_coordinator not in services.owner_choices(db, world.p1.id)


def test_anonymising_the_owner_of_an_action_keeps_the_action_without_owner(db, world, cycle):
    """Anonymising the person whose account owns an action removes the account; the action stays,
    without owner, until a coordinator chooses another."""
    from kwaliteit.cycles.models import ImprovementAction
    from kwaliteit.registry.models import PersonRole
    from kwaliteit.registry.privacy import anonymise_person
    from tests.conftest import NOW

    person = factories.person(db, world.school1, PersonRole.SCHOOL_EDUCATOR, name="Olga Eigenaar")
    owner = factories.user(db, Role.COORDINATOR, [world.p1], person=person)
    action = factories.improvement_action(db, cycle, owner)
    owner_id, action_id, user_class = owner.id, action.id, type(owner)
    db.commit()
    anonymise_person(db, EVERYTHING, person.id, NOW)
    db.commit()
    db.expire_all()
    assert db.get(user_class, owner_id) is None
    kept = db.get(ImprovementAction, action_id)
    assert kept is not None and kept.owner_id is None
