"""The mentor register: certificates, attendance and issuing a session's certificates, mentorships,
the path per mentor, the HR list with its exports, and the printable certificate."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from kwaliteit import db as kdb
from kwaliteit.accounts.models import Role
from kwaliteit.certification import certificates as svc
from kwaliteit.certification import flags
from kwaliteit.certification.models import (
    Attendance,
    Certificate,
    Issuer,
    Mentorship,
    RegisterPolicy,
    StudentKind,
)
from kwaliteit.registry.models import OrganisationKind, PersonRole
from kwaliteit.scope import Forbidden, Scope
from kwaliteit.trainings.models import TrainingKind
from kwaliteit.validation import ValidationError
from tests import factories
from tests.conftest import count_statements, login, run_in_threads


def _scope(w, role=Role.COORDINATOR) -> Scope:
    return Scope(role, frozenset({w.p1.id}))


def _data(w, **kw) -> svc.CertificateData:
    values = dict(
        kind=TrainingKind.BASIC, issued_on=date(2026, 9, 1), issued_by=Issuer.JOINT,
        board_id=w.school1.parent_id, institute_id=w.institute1.id,
    )
    values.update(kw)
    return svc.CertificateData(**values)


def _errors(fn) -> dict[str, str]:
    with pytest.raises(ValidationError) as exc:
        fn()
    return exc.value.errors


# ================================================================ certificates


def test_add_certificate_fills_validity_and_number(db, world, today):
    cert = svc.add_certificate(db, _scope(world), world.mentor.id, _data(world), today)
    db.commit()
    assert cert.valid_until == date(2031, 9, 1)  # the default policy: five years
    assert re.fullmatch(r"2026-[A-Z2-9]{6}", cert.number)
    assert (cert.partnership_id, cert.board_id, cert.institute_id) == (world.p1.id, world.school1.parent_id,
                                                                       world.institute1.id)
    endless = svc.add_certificate(db, _scope(world), world.mentor.id, _data(world, no_end=True), today)
    assert endless.valid_until is None
    own = svc.add_certificate(
        db, _scope(world), world.mentor.id,
        _data(world, valid_until=date(2027, 9, 1), number=" N-1 ", issued_by=Issuer.BOARD, institute_id=None),
        today,
    )
    assert (own.valid_until, own.number, own.institute_id) == (date(2027, 9, 1), "N-1", None)


def test_policy_without_end_date_gives_no_end(db, world, today):
    db.add(RegisterPolicy(partnership_id=world.p1.id, certificate_years=0))
    db.flush()
    cert = svc.add_certificate(db, _scope(world), world.mentor.id, _data(world), today)
    assert cert.valid_until is None


def test_bad_certificate_input(db, world, today):
    scope = _scope(world)
    add = lambda **kw: lambda: svc.add_certificate(db, scope, world.mentor.id, _data(world, **kw), today)  # noqa: E731
    assert "valid_until" in _errors(add(valid_until=date(2026, 8, 31)))
    assert "issued_on" in _errors(add(issued_on=date(2026, 11, 23)))  # the day after today
    assert "issued_on" in _errors(add(issued_on=date(1999, 1, 1)))
    assert "issued_on" in _errors(add(issued_on=None))
    assert "kind" in _errors(add(kind=TrainingKind.TRAIN_THE_TRAINER))
    assert "number" in _errors(add(number="x\x00"))
    assert "number" in _errors(add(number="x" * 51))
    assert "issued_by" in _errors(add(issued_by=None))
    assert "board_id" in _errors(add(board_id=None))
    assert "institute_id" in _errors(add(issued_by=Issuer.INSTITUTE, institute_id=world.school1.id))
    other_board = factories.organisation(db, world.p2, OrganisationKind.BOARD)
    assert "board_id" in _errors(add(board_id=other_board.id))
    # A training of another partnership, or of another kind.
    assert "training_id" in _errors(add(training_id=world.training2.id))
    advanced = factories.training(db, world.p1, kind=TrainingKind.ADVANCED)
    assert "training_id" in _errors(add(training_id=advanced.id))
    assert "training_id" in _errors(add(training_id=2**40))
    # A duplicate number, whatever its case, in the same partnership; another partnership may use it.
    svc.add_certificate(db, scope, world.mentor.id, _data(world, number="abc-1"), today)
    assert _errors(add(number="ABC-1")) == {"number": svc.NUMBER_TAKEN}
    mentor2 = factories.person(db, world.school2, PersonRole.MENTOR)
    svc.add_certificate(db, Scope.everything(), mentor2.id, svc.CertificateData(
        TrainingKind.BASIC, date(2026, 9, 1), Issuer.INSTITUTE, number="ABC-1",
        institute_id=factories.organisation(db, world.p2, OrganisationKind.INSTITUTE).id), today)
    # A person of another partnership is out of scope; nothing was saved by the refusals.
    with pytest.raises(Forbidden):
        svc.add_certificate(db, scope, mentor2.id, _data(world), today)
    with pytest.raises(Forbidden):
        svc.add_certificate(db, Scope(Role.STEERING, frozenset({world.p1.id})), world.mentor.id, _data(world), today)
    assert db.scalar(select(func.count()).select_from(Certificate)) == 2


def test_edit_and_delete_certificate(db, world, today):
    scope = _scope(world)
    cert = svc.add_certificate(db, scope, world.mentor.id, _data(world, number="A-1"), today)
    other = svc.add_certificate(db, scope, world.mentor.id, _data(world, number="A-2"), today)
    assert _errors(lambda: svc.update_certificate(db, scope, other.id, _data(world, number="a-1"), today)) == {
        "number": svc.NUMBER_TAKEN
    }
    svc.update_certificate(db, scope, cert.id, _data(world, number="A-1", kind=TrainingKind.REFRESHER), today)
    assert cert.kind is TrainingKind.REFRESHER
    svc.delete_certificate(db, scope, cert.id)
    assert db.get(Certificate, cert.id) is None


def test_duplicate_number_at_the_same_moment_is_a_field_error(app, world, today):
    outcomes = []

    def add():
        with kdb.new_session(app) as s:
            try:
                svc.add_certificate(s, _scope(world), world.mentor.id, _data(world, number="RACE-1"), today)
                s.commit()
                outcomes.append("saved")
            except ValidationError as exc:
                outcomes.append(exc.errors)

    run_in_threads(add, add)
    assert sorted(map(str, outcomes)) == sorted(["saved", str({"number": svc.NUMBER_TAKEN})])


# ================================================================ attendance and issuing


@pytest.fixture
def attended(db, world):
    """Three mentors of partnership 1 and a past basic-training session they attended."""
    mentors = [factories.person(db, world.school1, PersonRole.MENTOR, name=f"Mentor {n}") for n in (1, 2, 3)]
    ts = factories.session(db, world.training1, trainers=[world.trainer_person], on=date(2026, 11, 2))
    svc.set_attendance(db, Scope.everything(), ts.id, [m.id for m in mentors], date(2026, 11, 22))
    db.commit()
    return ts, mentors


def test_attendance_is_a_set(db, world, today, attended):
    ts, mentors = attended
    scope = _scope(world)
    change = svc.set_attendance(db, scope, ts.id, [mentors[0].id, world.mentor.id], today)
    assert (change.added, change.removed) == (1, 2)
    assert set(db.scalars(select(Attendance.person_id).where(Attendance.session_id == ts.id))) == {
        mentors[0].id, world.mentor.id
    }
    foreign = factories.person(db, world.school2, PersonRole.MENTOR)
    assert "person_ids" in _errors(lambda: svc.set_attendance(db, scope, ts.id, [foreign.id], today))
    assert "person_ids" in _errors(lambda: svc.set_attendance(db, scope, ts.id, [2**40], today))
    future = factories.session(db, world.training1, on=date(2026, 12, 1))
    assert _errors(lambda: svc.set_attendance(db, scope, future.id, [mentors[0].id], today))
    with pytest.raises(Forbidden):
        svc.set_attendance(db, scope, world.session2.id, [], today)


def test_issue_certificates_once(db, world, today, attended):
    ts, mentors = attended
    scope = _scope(world)
    assert flags.mentor_path(db, scope, mentors[0].id, today).stage is flags.Stage.NO_BASIC
    result = svc.issue_certificates(db, scope, ts.id, today, Issuer.JOINT)
    db.commit()
    assert (result.issued, result.already) == (3, 0)
    certs = db.scalars(select(Certificate).where(Certificate.session_id == ts.id)).all()
    assert {c.person_id for c in certs} == {m.id for m in mentors}
    assert all(c.kind is TrainingKind.BASIC and c.issued_on == ts.date and c.valid_until == date(2031, 11, 2)
               and c.board_id == world.school1.parent_id and c.institute_id == world.institute1.id
               and c.training_id == world.training1.id for c in certs)
    assert len({c.number.lower() for c in certs}) == 3
    # The path moves on: basic training done, the refresher due five years later.
    path = flags.mentor_path(db, scope, mentors[0].id, today)
    assert path.stage is flags.Stage.ON_TRACK and path.next_step.on == date(2031, 11, 2)
    # A second click issues nothing; a new attendee gets one, the others not a second.
    assert (svc.issue_certificates(db, scope, ts.id, today).issued, 0) == (0, 0)
    svc.set_attendance(db, scope, ts.id, [m.id for m in mentors] + [world.mentor.id], today)
    result = svc.issue_certificates(db, scope, ts.id, today)
    assert (result.issued, result.already) == (1, 3)
    # A certified attendee stays on the list.
    assert "person_ids" in _errors(lambda: svc.set_attendance(db, scope, ts.id, [mentors[0].id], today))


def test_issue_certificates_refusals(db, world, today, attended):
    ts, _mentors = attended
    scope = _scope(world)
    assert _errors(lambda: svc.issue_certificates(db, scope, ts.id, date(2026, 11, 1)))  # before the session
    assert "issued_by" in _errors(lambda: svc.issue_certificates(db, scope, ts.id, today, None))
    factories.organisation(db, world.p1, OrganisationKind.INSTITUTE, "Tweede pabo")
    assert "institute_id" in _errors(lambda: svc.issue_certificates(db, scope, ts.id, today, Issuer.INSTITUTE))
    ttt = factories.session(db, factories.training(db, world.p1, kind=TrainingKind.TRAIN_THE_TRAINER),
                            on=date(2026, 11, 2))
    message = _errors(lambda: svc.issue_certificates(db, scope, ttt.id, today, Issuer.BOARD))[""]
    assert "train-de-trainer" in message
    empty = factories.session(db, world.training1, on=date(2026, 11, 3))
    assert "aanwezigheid" in _errors(lambda: svc.issue_certificates(db, scope, empty.id, today, Issuer.BOARD))[""]
    with pytest.raises(Forbidden):
        svc.issue_certificates(db, scope, world.session2.id, today)
    assert db.scalar(select(func.count()).select_from(Certificate)) == 0


def test_two_clicks_at_once_issue_once(app, world, today, attended):
    ts, mentors = attended
    results = []

    def click():
        with kdb.new_session(app) as s:
            try:
                results.append(svc.issue_certificates(s, _scope(world), ts.id, today).issued)
                s.commit()
            except ValidationError as exc:  # the constraint's safety net: a message, not a 500
                results.append(exc.errors)

    run_in_threads(click, click)
    with kdb.new_session(app) as s:
        assert s.scalar(select(func.count()).select_from(Certificate).where(Certificate.session_id == ts.id)) == 3
    assert 3 in results and all(r in (0, 3) or isinstance(r, dict) for r in results)


# ================================================================ mentorships


def test_mentorships(db, world, today):
    scope = _scope(world)
    data = svc.MentorshipData(world.school1.id, 2026, StudentKind.SIDE_ENTRANT, 2)
    newcomer = factories.person(db, world.school1, PersonRole.SCHOOL_EDUCATOR)
    assert flags.mentor_path(db, scope, newcomer.id, today) is None  # not a mentor yet
    m = svc.add_mentorship(db, scope, newcomer.id, data, today)
    path = flags.mentor_path(db, scope, newcomer.id, today)
    assert path.stage is flags.Stage.NO_BASIC and path.next_step.late  # mentoring without basic training
    assert _errors(lambda: svc.add_mentorship(db, scope, newcomer.id, data, today)) == {
        "student_kind": svc.MENTORSHIP_TAKEN
    }
    bad = {
        "school_id": svc.MentorshipData(world.school2.id, 2026, StudentKind.FIRST_YEAR),
        "school_year": svc.MentorshipData(world.school1.id, 2015, StudentKind.FIRST_YEAR),
        "student_kind": svc.MentorshipData(world.school1.id, 2026, None),
        "students": svc.MentorshipData(world.school1.id, 2026, StudentKind.FIRST_YEAR, 51),
    }
    for field, d in bad.items():
        assert field in _errors(lambda d=d: svc.add_mentorship(db, scope, newcomer.id, d, today))
    assert "school_id" in _errors(lambda: svc.add_mentorship(
        db, scope, newcomer.id, svc.MentorshipData(world.institute1.id, 2027, StudentKind.OTHER), today))
    svc.add_mentorship(db, scope, newcomer.id, svc.MentorshipData(world.school1.id, 2016, StudentKind.OTHER), today)
    svc.delete_mentorship(db, scope, m.id)
    assert db.get(Mentorship, m.id) is None


# ================================================================ pages


def test_mentor_page_forms_show_errors(client, world):
    login(client, world.coordinator)
    page = client.get(f"/register/mentoren/{world.mentor.id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Nog geen basistraining" in body and "Certificaat toevoegen" in body
    response = client.post(f"/register/mentoren/{world.mentor.id}/certificaten", data={
        "kind": "basistraining", "issued_on": "2026-09-01", "valid_until": "2026-08-01", "issued_by": "bestuur",
        "board_id": str(world.school1.parent_id),
    })
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "De geldigheid kan niet eindigen vóór de datum van uitgifte." in body and "<title>Fout:" in body
    response = client.post(f"/register/mentoren/{world.mentor.id}/begeleiding", data={
        "school_id": str(world.school1.id), "school_year": "2026", "student_kind": "eerstejaars", "students": "0",
    })
    assert response.status_code == 400 and "Vul een aantal van 1 tot en met 50 in." in response.get_data(as_text=True)
    response = client.post(f"/register/mentoren/{world.mentor.id}/certificaten", data={
        "kind": "basistraining", "issued_on": "2026-09-01", "issued_by": "bestuur", "board_id": str(world.school1.parent_id),
    })
    assert response.status_code == 302
    body = client.get(f"/register/mentoren/{world.mentor.id}").get_data(as_text=True)
    assert "Op koers" in body and "1 september 2031" in body


def test_steering_reads_without_forms(client, world, db):
    factories.certificate(db, world.mentor)
    db.commit()
    login(client, world.steering)
    body = client.get(f"/register/mentoren/{world.mentor.id}").get_data(as_text=True)
    assert "Dirk Bakker" in body and "<form method=\"post\" action=\"/register" not in body
    assert "Bewerken" not in body
    assert client.get("/register/gesprekkencyclus").status_code == 200
    assert client.get("/register/gesprekkencyclus.csv").status_code == 403


def test_attendance_page_issues_certificates(client, world, db):
    ts = factories.session(db, world.training1, on=date(2026, 11, 2))
    db.commit()
    login(client, world.coordinator)
    assert f"/register/bijeenkomsten/{ts.id}/aanwezigheid" in client.get(
        f"/trainingen/{world.training1.id}").get_data(as_text=True)
    response = client.post(f"/register/bijeenkomsten/{ts.id}/aanwezigheid", data={"person_ids": [str(world.mentor.id)]})
    assert response.status_code == 302
    response = client.post(f"/register/bijeenkomsten/{ts.id}/certificaten", data={"issued_by": "gezamenlijk"},
                           follow_redirects=True)
    assert "1 certificaat uitgereikt" in response.get_data(as_text=True)
    response = client.post(f"/register/bijeenkomsten/{ts.id}/certificaten", data={"issued_by": "gezamenlijk"},
                           follow_redirects=True)
    assert "Er is niets uitgereikt" in response.get_data(as_text=True)
    response = client.post(f"/register/bijeenkomsten/{ts.id}/aanwezigheid", data={"person_ids": ["abc"]})
    assert response.status_code == 400
    response = client.post(f"/register/bijeenkomsten/{ts.id}/aanwezigheid", data={})
    assert response.status_code == 400 and "heeft al een certificaat" in response.get_data(as_text=True)


def test_a_crafted_empty_value_does_not_clear_the_attendance(client, world, db):
    """An empty value first in the list (no browser sends one) once made the field pass over the
    whole list, errors and all: everyone's attendance was removed."""
    ts = factories.session(db, world.training1, on=date(2026, 11, 2))
    db.commit()
    login(client, world.coordinator)
    url = f"/register/bijeenkomsten/{ts.id}/aanwezigheid"
    assert client.post(url, data={"person_ids": [str(world.mentor.id)]}).status_code == 302
    for crafted in (["", str(world.mentor.id), "abc"], ["", "abc"], ["", "-5"]):
        assert client.post(url, data={"person_ids": crafted}).status_code == 400, crafted
    db.expire_all()
    attendees = svc.session_attendance(db, Scope.for_user(world.coordinator), ts.id).attendees
    assert [a.person.id for a in attendees] == [world.mentor.id]


def test_hr_export_csv_and_xlsx(client, world, db):
    factories.certificate(db, world.mentor, issued_on=date(2021, 1, 4), valid_until=date(2026, 1, 4))
    late = factories.person(db, world.school1, PersonRole.MENTOR, name="Zara Zonder")
    factories.mentorship(db, late, world.school1)
    db.commit()
    login(client, world.coordinator)
    page = client.get(f"/register/gesprekkencyclus?school={world.school1.id}").get_data(as_text=True)
    assert "Opfrissen te laat" in page and "was uiterlijk 4 januari 2026" in page
    response = client.get(f"/register/gesprekkencyclus.csv?school={world.school1.id}")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8-sig")
    assert "School;Basisschool De Linde" in text
    assert (
        "Bestuur Noord;Basisschool De Linde;Dirk Bakker;Opfrissen te laat;Opfris- of verdiepingstraining volgen;"
        "04-01-2026;04-01-2021"
    ) in text
    assert "Zara Zonder;Nog geen basistraining;Basistraining volgen: begeleidt al een student;;;;ja" in text
    response = client.get("/register/gesprekkencyclus.xlsx?fase=geen-basistraining")
    sheet = load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    rows = list(sheet.values)
    assert rows[0][:4] == ("Bestuur", "School", "Naam", "Fase")
    assert [r[2] for r in rows[1:]] == ["Zara Zonder"]


def test_print_certificate(client, world, db, today):
    cert = svc.add_certificate(db, Scope.everything(), world.mentor.id, _data(world), today)
    db.commit()
    login(client, world.coordinator)
    body = client.get(f"/register/certificaten/{cert.id}/afdrukken").get_data(as_text=True)
    assert "Certificaat basistraining" in body and "Dirk Bakker" in body and cert.number in body
    assert "Namens het bestuur: <strong>Bestuur Noord</strong>" in body
    assert "Namens het opleidingsinstituut: <strong>Pabo Noord</strong>" in body
    assert "data-print" in body and "1 september 2031" in body


def test_mentor_page_statements_do_not_grow(app, client, world, db):
    login(client, world.coordinator)
    url = f"/register/mentoren/{world.mentor.id}"
    few, _ = count_statements(app, client, url)
    for n in range(6):
        ts = factories.session(db, world.training1, on=date(2026, 1, 5 + n))
        db.add(Attendance(session_id=ts.id, person_id=world.mentor.id))
        factories.certificate(db, world.mentor, issued_on=date(2025, 1, 5 + n), session=ts)
        factories.mentorship(db, world.mentor, world.school1, school_year=2020 + n)
    db.commit()
    many, body = count_statements(app, client, url)
    assert len(many) == len(few) and body.count("certificaat C-") >= 6


def test_demo_register_has_every_stage_and_flag(db):
    from kwaliteit.demo import DEMO_REFERENCE_DATE, seed_demo

    seed_demo(db)
    db.commit()
    counts = flags.register_counts(db, Scope.everything(), flags.RegisterFilters(), DEMO_REFERENCE_DATE)
    assert all(counts.stages[s] > 0 for s in flags.Stage), counts.stages
    for flag in flags.MENTOR_FLAGS:
        assert counts.flags[flag] > 0, flag
    # Sessions with attendees still waiting for their certificates: the button has work to do.
    waiting = db.scalar(
        select(func.count(func.distinct(Attendance.session_id))).where(
            ~select(Certificate.id).where(Certificate.session_id == Attendance.session_id).exists()
        )
    )
    issued = db.scalar(select(func.count(func.distinct(Certificate.session_id))))
    assert waiting >= 3 and issued >= 9
    assert db.scalar(select(func.count()).select_from(Mentorship)) > 200


def test_two_first_saves_at_once_of_attendance_and_policy_both_succeed(app, world, today):
    """Two coordinators saving the same first attendance, or a partnership's first register
    policy, at the same moment: both saves succeed and each row exists once (an INSERT that skips
    what the other just made, instead of a key error)."""
    from kwaliteit.certification.models import Attendance, RegisterPolicy
    from kwaliteit.certification.policy import PolicyData, save_policy

    with kdb.new_session(app) as s:
        mentor = factories.person(s, s.merge(world.school1), PersonRole.MENTOR, name="Mentor Gelijktijdig")
        ts = factories.session(s, s.merge(world.training1), on=date(2026, 11, 2))
        s.commit()
        mentor_id, session_id = mentor.id, ts.id

    def attend():
        with kdb.new_session(app) as s:
            svc.set_attendance(s, _scope(world), session_id, [mentor_id], today)
            s.commit()

    def policy():
        with kdb.new_session(app) as s:
            save_policy(s, _scope(world), world.p1.id, PolicyData(refresh_years=4))
            s.commit()

    run_in_threads(attend, attend, policy, policy)
    with kdb.new_session(app) as s:
        assert s.scalar(select(func.count()).select_from(Attendance).where(Attendance.session_id == session_id)) == 1
        assert s.get(RegisterPolicy, world.p1.id).refresh_years == 4
