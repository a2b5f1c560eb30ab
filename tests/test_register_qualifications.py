"""Trainers in the register: train-the-trainer qualifications and professional registrations
(services, bad input, pages), who may teach a mentor training (required refuses, advised warns, on
the date's boundaries), the sessions given without a valid qualification per school year, and the
register policy form."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from kwaliteit import db as kdb
from kwaliteit.certification import qualifications as q
from kwaliteit.certification.flags import RegisterFilters
from kwaliteit.certification.models import (
    ProfessionalRegistration,
    QualificationRule,
    RegisterPolicy,
    TrainerQualification,
)
from kwaliteit.models_base import utcnow
from kwaliteit.registry.models import PersonRole
from kwaliteit.scope import Forbidden, NotFound, Scope
from kwaliteit.trainings import services as trainings
from kwaliteit.trainings.models import TrainingKind, TrainingSession
from kwaliteit.validation import ValidationError
from tests import factories
from tests.conftest import TODAY, count_statements, login

ENGLISH = ("This field is required", "Not a valid", "Invalid Choice", "is not a valid choice")


def _scope(user) -> Scope:
    return Scope.for_user(user)


def _count(app, model) -> int:
    with kdb.new_session(app) as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.fixture
def coordinator(app, world):
    client = app.test_client()
    login(client, world.coordinator)
    return client


def _ttt(db, p, title="Train-de-trainer Noord"):
    return factories.training(db, p, title, kind=TrainingKind.TRAIN_THE_TRAINER)


# ================================================================ qualifications: services


def test_valid_until_comes_from_the_policy_when_left_empty(db, world):
    scope = _scope(world.coordinator)
    data = q.QualificationData(completed_on=date(2024, 2, 29), external_name="  Train-de-trainer Pabo  ")
    made = q.add_qualification(db, scope, world.trainer_person.id, data, TODAY)
    assert (made.valid_until, made.external_name, made.training_id) == (date(2028, 2, 29), "Train-de-trainer Pabo", None)

    factories.register_policy(db, world.p1, qualification_years=3)
    made = q.add_qualification(db, scope, world.trainer_person.id, data, TODAY)
    assert made.valid_until == date(2027, 2, 28)  # 29 February: the same rule as in SQL

    factories.register_policy(db, world.p1, qualification_years=0)  # 0: no end date
    assert q.add_qualification(db, scope, world.trainer_person.id, data, TODAY).valid_until is None

    explicit = q.QualificationData(completed_on=date(2024, 2, 29), external_name="X", valid_until=date(2030, 1, 1))
    assert q.add_qualification(db, scope, world.trainer_person.id, explicit, TODAY).valid_until == date(2030, 1, 1)


def test_a_train_the_trainer_training_of_the_partnership(db, world):
    ttt = _ttt(db, world.p1)
    made = q.add_qualification(
        db, _scope(world.coordinator), world.trainer_person2.id,
        q.QualificationData(completed_on=TODAY, training_id=ttt.id, number=" TDT-1 "), TODAY,
    )
    assert (made.training_id, made.external_name, made.number, made.name) == (ttt.id, None, "TDT-1", ttt.title)


def _bad_cases(world, db):
    ttt_other = _ttt(db, world.p2, "Train-de-trainer Zuid")
    basic = world.training1
    ok = {"completed_on": date(2025, 1, 10), "external_name": "Extern"}
    return [
        ({**ok, "valid_until": date(2025, 1, 9)}, "valid_until", "vóór de begindatum"),
        ({**ok, "completed_on": TODAY + timedelta(days=1)}, "completed_on", "toekomst"),
        ({**ok, "completed_on": None}, "completed_on", "Vul de datum"),
        ({**ok, "completed_on": date(1999, 1, 1)}, "completed_on", "Kies een datum na"),
        ({**ok, "valid_until": date(2080, 1, 1)}, "valid_until", "hoogstens 50 jaar"),
        ({"completed_on": ok["completed_on"], "training_id": ttt_other.id}, "training_id", "partnerschap"),
        ({"completed_on": ok["completed_on"], "training_id": basic.id}, "training_id", "geen train-de-trainer"),
        ({"completed_on": ok["completed_on"], "training_id": 987654321}, "training_id", "partnerschap"),
        ({"completed_on": ok["completed_on"], "training_id": 2**70}, "training_id", "partnerschap"),
        ({**ok, "training_id": basic.id}, "external_name", "niet allebei"),
        ({"completed_on": ok["completed_on"]}, "training_id", "Kies de train-de-trainer"),
        ({**ok, "external_name": "Extern\x00"}, "external_name", "ongeldige tekens"),
        ({**ok, "external_name": "Ex\ntern"}, "external_name", "regeleinde"),
        ({**ok, "external_name": "x" * 201}, "external_name", "Hoogstens 200 tekens"),
        ({**ok, "number": "1" * 51}, "number", "Hoogstens 50 tekens"),
        ({**ok, "number": "\x1b[31m"}, "number", "ongeldige tekens"),
    ]


def test_bad_qualification_input_gives_dutch_field_errors_and_saves_nothing(db, world):
    scope = _scope(world.coordinator)
    for values, field, text in _bad_cases(world, db):
        with pytest.raises(ValidationError) as exc:
            q.add_qualification(db, scope, world.trainer_person.id, q.QualificationData(**values), TODAY)
        assert field in exc.value.errors and text in exc.value.errors[field], (values, exc.value.errors)
    assert db.scalar(select(func.count()).select_from(TrainerQualification)) == 0
    # Completion today is not in the future.
    q.add_qualification(db, scope, world.trainer_person.id, q.QualificationData(TODAY, external_name="X"), TODAY)


def test_only_a_trainer_has_a_qualification(db, world):
    with pytest.raises(ValidationError) as exc:
        q.add_qualification(db, _scope(world.coordinator), world.mentor.id,
                            q.QualificationData(TODAY, external_name="X"), TODAY)
    assert "school- of instituutsopleider" in exc.value.errors[""]
    with pytest.raises(ValidationError):
        q.add_registration(db, _scope(world.coordinator), world.mentor.id, q.RegistrationData("BRLO", TODAY), TODAY)


def test_scope_managers_of_the_partnership_write_steering_reads(db, world):
    data = q.QualificationData(TODAY, external_name="X")
    for user in (world.other_coordinator, world.steering, world.trainer):
        with pytest.raises(Forbidden):
            q.add_qualification(db, _scope(user), world.trainer_person.id, data, TODAY)
    with pytest.raises(NotFound):
        q.add_qualification(db, _scope(world.admin), 987654321, data, TODAY)
    made = q.add_qualification(db, _scope(world.admin), world.trainer_person.id, data, TODAY)
    for user in (world.other_coordinator, world.steering):
        with pytest.raises(Forbidden):
            q.update_qualification(db, _scope(user), made.id, data, TODAY)
        with pytest.raises(Forbidden):
            q.delete_qualification(db, _scope(user), made.id)
    page = q.trainer_page(db, _scope(world.steering), world.trainer_person.id, TODAY)
    assert [x.id for x in page.qualifications] == [made.id]
    with pytest.raises(Forbidden):
        q.trainer_page(db, _scope(world.steering), world.other_trainer.id, TODAY)
    with pytest.raises(Forbidden):
        q.trainer_page(db, _scope(world.trainer), world.trainer_person.id, TODAY)


def test_update_and_delete_a_qualification(db, world):
    scope = _scope(world.coordinator)
    made = factories.qualification(db, world.trainer_person, date(2023, 5, 1), date(2027, 5, 1))
    ttt = _ttt(db, world.p1)
    q.update_qualification(db, scope, made.id, q.QualificationData(date(2023, 6, 1), training_id=ttt.id), TODAY)
    assert (made.training_id, made.external_name, made.valid_until) == (ttt.id, None, date(2027, 6, 1))
    with pytest.raises(ValidationError):
        q.update_qualification(db, scope, made.id, q.QualificationData(date(2023, 6, 1), external_name=""), TODAY)
    assert q.delete_qualification(db, scope, made.id).id == world.trainer_person.id
    assert db.get(TrainerQualification, made.id) is None


def test_professional_registrations(db, world):
    scope = _scope(world.coordinator)
    r = q.add_registration(db, scope, world.trainer_person.id,
                           q.RegistrationData(" BRLO ", date(2024, 3, 1), date(2028, 3, 1), " 123 "), TODAY)
    assert (r.register, r.number, r.valid_until) == ("BRLO", "123", date(2028, 3, 1))
    q.update_registration(db, scope, r.id, q.RegistrationData("BRLO", date(2024, 3, 1)), TODAY)
    assert r.valid_until is None  # no end date
    bad = [
        (q.RegistrationData("", date(2024, 3, 1)), "register", "Vul het register"),
        (q.RegistrationData("BRLO", date(2024, 3, 1), date(2024, 2, 29)), "valid_until", "vóór de begindatum"),
        (q.RegistrationData("BRLO", TODAY + timedelta(days=1)), "registered_on", "toekomst"),
        (q.RegistrationData("BRLO", None), "registered_on", "Vul de datum"),
        (q.RegistrationData("BR\x00LO", date(2024, 3, 1)), "register", "ongeldige tekens"),
        (q.RegistrationData("B" * 201, date(2024, 3, 1)), "register", "Hoogstens 200"),
        (q.RegistrationData("BRLO", date(2024, 3, 1), number="9" * 51), "number", "Hoogstens 50"),
    ]
    for data, field, text in bad:
        with pytest.raises(ValidationError) as exc:
            q.add_registration(db, scope, world.trainer_person.id, data, TODAY)
        assert text in exc.value.errors[field]
    with pytest.raises(Forbidden):
        q.delete_registration(db, _scope(world.other_coordinator), r.id)
    q.delete_registration(db, scope, r.id)
    assert db.scalar(select(func.count()).select_from(ProfessionalRegistration)) == 0


def test_the_trainer_page_shows_the_state_today_and_each_session(db, world):
    factories.qualification(db, world.trainer_person, date(2022, 1, 1), date(2026, 12, 31))  # expires soon
    ttt = _ttt(db, world.p1)
    given_ttt = factories.session(db, ttt, trainers=[world.trainer_person], on=date(2021, 9, 1))
    page = q.trainer_page(db, _scope(world.coordinator), world.trainer_person.id, TODAY)
    assert page.state.value == "verloopt" and page.is_trainer
    by_id = {g.session.id: g for g in page.sessions}
    assert by_id[world.session1.id].qualified and by_id[world.session1.id].needs_qualification
    assert not by_id[given_ttt.id].qualified and not by_id[given_ttt.id].needs_qualification


# ================================================================ who may teach


def _session_data(world, on: date, *trainers) -> trainings.SessionData:
    return trainings.SessionData(on, time(15, 30), "Pabo Noord", [p.id for p in trainers] or [world.trainer_person.id], 10)


@pytest.mark.parametrize("valid_until_offset, allowed", [(0, True), (-1, False), (1, True)])
def test_required_policy_boundary_on_the_session_date(db, world, valid_until_offset, allowed):
    """valid_until equal to the session date is valid; the day after it is not."""
    on = date(2026, 12, 10)
    factories.register_policy(db, world.p1, qualification_rule=QualificationRule.REQUIRED)
    factories.qualification(db, world.trainer_person, date(2022, 12, 10), on + timedelta(days=valid_until_offset))
    scope = _scope(world.coordinator)
    if allowed:
        trainings.create_session(db, scope, world.training1.id, _session_data(world, on), TODAY)
        return
    with pytest.raises(ValidationError) as exc:
        trainings.create_session(db, scope, world.training1.id, _session_data(world, on), TODAY)
    message = exc.value.errors["trainer_ids"]
    assert world.trainer_person.name in message and "10 december 2026" in message


def test_a_qualification_completed_after_the_session_date_does_not_count(db, world):
    factories.register_policy(db, world.p1, qualification_rule=QualificationRule.REQUIRED)
    on = date(2026, 12, 10)
    factories.qualification(db, world.trainer_person, on + timedelta(days=1), None)
    with pytest.raises(ValidationError):
        trainings.create_session(db, _scope(world.coordinator), world.training1.id, _session_data(world, on), TODAY)
    factories.qualification(db, world.trainer_person, on, None)  # completed that day: valid
    trainings.create_session(db, _scope(world.coordinator), world.training1.id, _session_data(world, on), TODAY)


def test_required_policy_names_every_unqualified_trainer(db, world):
    factories.register_policy(db, world.p1, qualification_rule=QualificationRule.REQUIRED)
    data = _session_data(world, date(2026, 12, 10), world.trainer_person, world.trainer_person2)
    with pytest.raises(ValidationError) as exc:
        trainings.create_session(db, _scope(world.coordinator), world.training1.id, data, TODAY)
    message = exc.value.errors["trainer_ids"]
    assert world.trainer_person.name in message and world.trainer_person2.name in message
    assert "vereist" in message


def test_advised_policy_saves_and_warns(db, world):
    data = _session_data(world, date(2026, 12, 10), world.trainer_person)
    ts = trainings.create_session(db, _scope(world.coordinator), world.training1.id, data, TODAY)
    warning = q.teaching_warning(db, ts)
    assert world.trainer_person.name in warning and "adviseert" in warning and "10 december 2026" in warning
    factories.qualification(db, world.trainer_person, date(2025, 1, 1), None)
    assert q.teaching_warning(db, ts) is None


def test_a_train_the_trainer_session_needs_no_qualification(db, world):
    factories.register_policy(db, world.p1, qualification_rule=QualificationRule.REQUIRED)
    ttt = _ttt(db, world.p1)
    ts = trainings.create_session(db, _scope(world.coordinator), ttt.id, _session_data(world, date(2026, 12, 10)), TODAY)
    assert q.teaching_warning(db, ts) is None


def test_editing_under_the_required_policy(db, world):
    """A session already planned with an unqualified trainer can still be corrected (with a
    warning); a new unqualified trainer, or another date, is refused."""
    ts = world.session1  # 1 October 2026, both trainers without a qualification, saved while advised
    factories.register_policy(db, world.p1, qualification_rule=QualificationRule.REQUIRED)
    scope = _scope(world.coordinator)
    kept = trainings.SessionData(ts.date, time(15, 30), "Elders", [p.id for p in ts.trainers], 9)
    trainings.update_session(db, scope, ts.id, kept, TODAY)
    assert "vereist" in q.teaching_warning(db, ts)
    moved = trainings.SessionData(date(2026, 10, 2), time(15, 30), "Elders", [p.id for p in ts.trainers], 9)
    with pytest.raises(ValidationError) as exc:
        trainings.update_session(db, scope, ts.id, moved, TODAY)
    assert "2 oktober 2026" in exc.value.errors["trainer_ids"]
    # A session of one trainer gets a second, unqualified one: refused, naming only the new one.
    single = factories.session(db, world.training1, trainers=[world.trainer_person], on=date(2026, 12, 1))
    both = trainings.SessionData(single.date, time(15, 30), "X", [world.trainer_person.id, world.trainer_person2.id], 1)
    with pytest.raises(ValidationError) as exc:
        trainings.update_session(db, scope, single.id, both, TODAY)
    assert world.trainer_person2.name in exc.value.errors["trainer_ids"]
    assert world.trainer_person.name not in exc.value.errors["trainer_ids"]


def test_duplicating_a_session_is_checked_as_a_new_one(db, world):
    factories.register_policy(db, world.p1, qualification_rule=QualificationRule.REQUIRED)
    with pytest.raises(ValidationError) as exc:
        trainings.duplicate_session(db, _scope(world.coordinator), world.session1.id, date(2026, 12, 3), time(9), TODAY)
    assert "trainer_ids" in exc.value.errors


def test_one_statement_checks_all_chosen_trainers(app, db, world):
    from sqlalchemy import event

    statements = []
    engine = db.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        check = q.check_teachers(db, world.p1.id, TrainingKind.BASIC,
                                 [world.trainer_person.id, world.trainer_person2.id], date(2026, 12, 1))
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(check.unqualified) == 2
    assert len([s for s in statements if "trainer_qualification" in s]) == 1


# ================================================================ views: sessions


def _form(world, on: str, *trainers) -> dict:
    return {"date": on, "start_time": "15:30", "location": "Pabo Noord", "participant_count": "10",
            "trainer_ids": [str(p.id) for p in trainers]}


def test_planning_views_required_refuses_advised_warns(app, world, coordinator):
    url = f"/trainingen/{world.training1.id}/bijeenkomsten/nieuw"
    before = _count(app, TrainingSession)
    response = coordinator.post(url, data=_form(world, "2026-12-10", world.trainer_person), follow_redirects=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "alert-warn" in body and "Let op: geen geldige registratie" in body
    assert world.trainer_person.name in body
    assert _count(app, TrainingSession) == before + 1

    with kdb.new_session(app) as s:
        factories.register_policy(s, s.get(type(world.p1), world.p1.id), qualification_rule=QualificationRule.REQUIRED)
        s.commit()
    response = coordinator.post(url, data=_form(world, "2026-12-11", world.trainer_person))
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "11 december 2026" in body and "vereist" in body
    assert _count(app, TrainingSession) == before + 1
    # The copy has no trainers field: the message is on top of its form.
    response = coordinator.post(f"/bijeenkomsten/{world.session1.id}/kopie", data={"date": "2026-12-12", "start_time": "10:00"})
    assert response.status_code == 400 and "12 december 2026" in response.get_data(as_text=True)
    # Editing what was already saved: allowed, with the warning.
    response = coordinator.post(f"/bijeenkomsten/{world.session1.id}/bewerken",
                                data=_form(world, "2026-10-01", world.trainer_person, world.trainer_person2),
                                follow_redirects=True)
    assert response.status_code == 200 and "Let op: geen geldige registratie" in response.get_data(as_text=True)


def test_session_and_training_pages_show_each_trainers_qualification(app, world, coordinator):
    with kdb.new_session(app) as s:
        factories.qualification(s, s.get(type(world.trainer_person), world.trainer_person.id), date(2025, 1, 1), None)
        s.commit()
    for url in (f"/bijeenkomsten/{world.session1.id}/evaluatie", f"/trainingen/{world.training1.id}"):
        body = coordinator.get(url).get_data(as_text=True)
        assert body.count("geen geldige registratie train-de-trainer op deze datum") == 1, url
        assert "geregistreerd" in body


# ================================================================ sessions given without a qualification


def _year_world(db, world):
    """Sessions of partnership 1 in school years 2025-2026 and 2026-2027 (and 2's)."""
    anna, bram = (db.get(type(p), p.id) for p in (world.trainer_person, world.trainer_person2))
    basic = db.get(type(world.training1), world.training1.id)
    factories.qualification(db, anna, date(2026, 9, 1), date(2030, 9, 1))
    factories.qualification(db, bram, date(2020, 1, 1), date(2024, 1, 1))  # expired
    ttt = _ttt(db, db.get(type(world.p1), world.p1.id))
    s_old = factories.session(db, basic, trainers=[anna], on=date(2026, 7, 31))  # 2025-2026
    s_new = factories.session(db, basic, trainers=[anna], on=date(2026, 9, 1))  # qualified that day
    cancelled = factories.session(db, basic, trainers=[bram], on=date(2026, 9, 2))
    cancelled.cancelled_at, cancelled.cancel_reason = utcnow(), "Ziek"
    factories.session(db, ttt, trainers=[bram], on=date(2026, 9, 3))  # no qualification needed
    db.flush()
    return s_old, s_new


def test_unqualified_sessions_per_school_year(db, world):
    s_old, s_new = _year_world(db, world)
    scope = _scope(world.coordinator)
    page = q.list_unqualified(db, scope, RegisterFilters(), 2026)
    # 2026-2027: session1 (1 October 2026) by Bram, without a qualification; Anna's since
    # 1 September 2026 counts; the cancelled and the train-de-trainer sessions do not.
    assert [(r.session.id, r.person.name, r.last_valid_until) for r in page.items] == [
        (world.session1.id, world.trainer_person2.name, date(2024, 1, 1))
    ]
    last = q.list_unqualified(db, scope, RegisterFilters(), 2025)
    assert [(r.session.id, r.person.name) for r in last.items] == [(s_old.id, world.trainer_person.name)]
    assert q.list_unqualified(db, scope, RegisterFilters(q="Anna"), 2026).total == 0
    # The admin sees partnership 2 as well; the filter narrows it.
    admin = _scope(world.admin)
    assert q.list_unqualified(db, admin, RegisterFilters(), 2026).total == 2
    assert q.list_unqualified(db, admin, RegisterFilters(partnership_id=world.p2.id), 2026).total == 1
    assert q.list_unqualified(db, admin, RegisterFilters(q="Carla"), 2026).total == 1
    with pytest.raises(Forbidden):
        q.list_unqualified(db, _scope(world.trainer), RegisterFilters(), 2026)
    header, rows = q.export_unqualified(db, scope, RegisterFilters(), 2026)
    assert len(rows) == 1 and header[4] == "Trainer" and rows[0][4] == world.trainer_person2.name
    with pytest.raises(Forbidden):
        q.export_unqualified(db, _scope(world.steering), RegisterFilters(), 2026)


def test_unqualified_page_and_export(app, world, coordinator):
    with kdb.new_session(app) as s:
        _year_world(s, world)
        s.commit()
    body = coordinator.get("/register/onbevoegd").get_data(as_text=True)
    assert "2026-2027" in body and world.trainer_person2.name in body and "1 keer" in body
    body = coordinator.get("/register/onbevoegd?schooljaar=2025").get_data(as_text=True)
    assert "1 keer" in body and "31 juli 2026" in body
    response = coordinator.get("/register/onbevoegd.csv?schooljaar=2026")
    assert response.status_code == 200 and world.trainer_person2.name in response.get_data(as_text=True)
    assert coordinator.get("/register/onbevoegd.xlsx").status_code == 200


def test_unqualified_page_is_set_based(app, world, coordinator):
    url = "/register/onbevoegd"
    few, _ = count_statements(app, coordinator, url)
    with kdb.new_session(app) as s:
        t = s.get(type(world.training1), world.training1.id)
        trainers = [s.get(type(world.trainer_person), world.trainer_person.id),
                    s.get(type(world.trainer_person2), world.trainer_person2.id)]
        for day in range(40):
            factories.session(s, t, trainers=trainers, on=date(2026, 8, 1) + timedelta(days=day))
        s.commit()
    many, body = count_statements(app, coordinator, url)
    assert len(many) == len(few)
    assert "82 keer" in body


# ================================================================ views: trainers, forms, policy


def test_trainers_list_and_trainer_page(app, world, coordinator):
    with kdb.new_session(app) as s:
        factories.qualification(s, s.get(type(world.trainer_person), world.trainer_person.id),
                                date(2023, 1, 1), date(2026, 1, 1), number="TDT-9")
        factories.professional_registration(s, s.get(type(world.trainer_person), world.trainer_person.id))
        s.commit()
    body = coordinator.get("/register/trainers").get_data(as_text=True)
    assert world.trainer_person.name in body and world.trainer_person2.name in body
    assert world.other_trainer.name not in body
    body = coordinator.get("/register/trainers?status=verlopen").get_data(as_text=True)
    assert world.trainer_person.name in body and world.trainer_person2.name not in body
    body = coordinator.get(f"/register/trainers/{world.trainer_person.id}").get_data(as_text=True)
    assert "TDT-9" in body and "BRLO" in body and "Verlopen" in body and "1 januari 2026" in body


def test_qualification_form_errors_re_render_with_status_400(app, world, coordinator):
    url = f"/register/trainers/{world.trainer_person.id}/registraties/nieuw"
    assert coordinator.get(url).status_code == 200
    cases = [
        ({"completed_on": "2026-11-23", "external_name": "Extern"}, "toekomst"),
        ({"completed_on": "2025-01-10", "valid_until": "2025-01-09", "external_name": "Extern"}, "vóór de begindatum"),
        ({"completed_on": "2025-01-10", "external_name": "Ex\x00tern"}, "ongeldige tekens"),
        ({"completed_on": "2025-01-10", "external_name": "x" * 300}, "Hoogstens 200 tekens"),
        ({"completed_on": "2025-01-10"}, "Kies de train-de-trainer"),
        ({"completed_on": "2025-01-10", "training_id": str(world.training1.id)}, "geen train-de-trainer"),
        ({"completed_on": "geen datum", "external_name": "Extern"}, "datum"),
        ({"completed_on": "2025-01-10", "training_id": "9" * 30}, "partnerschap"),
    ]
    for data, text in cases:
        response = coordinator.post(url, data=data)
        body = response.get_data(as_text=True)
        assert response.status_code == 400, data
        assert text in body, (data, body[:2000])
        assert not any(e in body for e in ENGLISH)
    assert _count(app, TrainerQualification) == 0
    response = coordinator.post(url, data={"completed_on": "2025-01-10", "external_name": "Extern", "number": "A1"})
    assert response.status_code == 302
    with kdb.new_session(app) as s:
        made = s.scalars(select(TrainerQualification)).one()
        assert made.valid_until == date(2029, 1, 10)
    edit = f"/register/registraties/{made.id}/bewerken"
    assert "A1" in coordinator.get(edit).get_data(as_text=True)
    assert coordinator.post(edit, data={"completed_on": "2025-01-10", "external_name": "Extern",
                                        "valid_until": "2027-01-10"}).status_code == 302
    assert coordinator.post(f"/register/registraties/{made.id}/verwijderen").status_code == 302
    assert _count(app, TrainerQualification) == 0


def test_registration_form(app, world, coordinator):
    url = f"/register/trainers/{world.trainer_person.id}/beroepsregistraties/nieuw"
    assert 'value="BRLO"' in coordinator.get(url).get_data(as_text=True)
    response = coordinator.post(url, data={"register": "BRLO", "registered_on": "2026-01-01", "valid_until": "2025-01-01"})
    assert response.status_code == 400 and "vóór de begindatum" in response.get_data(as_text=True)
    response = coordinator.post(url, data={"register": "", "registered_on": "2026-01-01"})
    assert response.status_code == 400 and "Vul het register in" in response.get_data(as_text=True)
    assert coordinator.post(url, data={"register": "BRLO", "registered_on": "2026-01-01", "number": "7"}).status_code == 302
    with kdb.new_session(app) as s:
        r = s.scalars(select(ProfessionalRegistration)).one()
    assert coordinator.post(f"/register/beroepsregistraties/{r.id}/bewerken",
                            data={"register": "BRLO", "registered_on": "2026-01-02"}).status_code == 302
    assert coordinator.post(f"/register/beroepsregistraties/{r.id}/verwijderen").status_code == 302
    assert _count(app, ProfessionalRegistration) == 0


def test_adding_for_a_mentor_is_refused_on_the_form(app, world, coordinator):
    response = coordinator.post(f"/register/trainers/{world.mentor.id}/registraties/nieuw",
                                data={"completed_on": "2025-01-10", "external_name": "Extern"})
    assert response.status_code == 400 and "school- of instituutsopleider" in response.get_data(as_text=True)


def test_policy_form(app, world, coordinator):
    url = f"/register/beleid/{world.p1.id}"
    body = coordinator.get(url).get_data(as_text=True)
    assert "Standaard 4 jaar" in body and "Standaard 90 dagen" in body
    response = coordinator.post(url, data={"qualification_years": "51", "expiring_days": "-1", "refresh_years": "0"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Kies een waarde van 0 tot en met 50 jaar" in body and "0 tot en met 730 dagen" in body
    assert "1 tot en met 50 jaar" in body
    response = coordinator.post(url, data={"qualification_rule": "streng"})
    assert response.status_code == 400 and "Kies een regel uit de lijst" in response.get_data(as_text=True)
    assert _count(app, RegisterPolicy) == 0
    response = coordinator.post(url, data={"qualification_rule": "verplicht", "qualification_years": "3"})
    assert response.status_code == 302
    with kdb.new_session(app) as s:
        row = s.get(RegisterPolicy, world.p1.id)
        assert (row.qualification_rule, row.qualification_years, row.certificate_years) == (
            QualificationRule.REQUIRED, 3, None)
    body = coordinator.get(url).get_data(as_text=True)
    assert 'value="3"' in body and 'selected value="verplicht"' in body
    assert coordinator.post(url, data={}).status_code == 302  # all empty: the defaults again
    with kdb.new_session(app) as s:
        assert s.get(RegisterPolicy, world.p1.id).qualification_rule is None
    assert f"/register/beleid/{world.p1.id}" in coordinator.get("/register").get_data(as_text=True)
    assert f"/register/beleid/{world.p1.id}" in coordinator.get("/beheer/partnerschappen").get_data(as_text=True)


def test_person_roles_decide_who_is_listed(db, world):
    """A school-based educator who is also a mentor is a trainer; a mentor alone is not."""
    both = factories.person(db, world.school1, PersonRole.SCHOOL_EDUCATOR, PersonRole.MENTOR)
    q.add_qualification(db, _scope(world.coordinator), both.id, q.QualificationData(TODAY, external_name="X"), TODAY)
