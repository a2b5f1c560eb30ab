"""Personal data (AVG, issue 9 item 8): the person page and its JSON export, anonymisation (no
table keeps the name or e-mail address; every count per training and school year stays), the
retention period on its boundaries, and the retention CLI."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import JSON, String, Text, cast, func, or_, select, text

from evaluaties.answers.models import Answer, EvaluationRequest, Response, ResponseSource
from evaluaties.questionnaires.models import (
    Audience,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
)
from evaluaties.results import tally
from evaluaties.transfer.models import ImportDraft, ImportMapping
from kwaliteit import db as kdb
from kwaliteit.accounts.invitations import issue_invitation
from kwaliteit.accounts.models import Invitation, Role, User
from kwaliteit.certification.models import (
    Attendance,
    Certificate,
    Issuer,
    Mentorship,
    ProfessionalRegistration,
    RegisterPolicy,
    StudentKind,
    TrainerQualification,
)
from kwaliteit.models import Base
from kwaliteit.registry import privacy
from kwaliteit.registry.models import Person, PersonRole, PersonRoleLink
from kwaliteit.registry.services import PersonData, update_person
from kwaliteit.scope import Forbidden, NotFound, Scope
from kwaliteit.sqldates import school_year
from kwaliteit.trainings.models import Training, TrainingKind, TrainingSession, session_trainer
from kwaliteit.validation import ValidationError
from tests import factories
from tests.conftest import count_statements, login

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
EVERYTHING = Scope.everything()


def _fresh(db) -> None:
    """Read what requests committed in their own sessions: a new snapshot, no cached rows."""
    db.rollback()
    db.expire_all()


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


def _version(s, audience: Audience) -> QuestionnaireVersion:
    """The published version of the shipped questionnaire for `audience`."""
    return s.scalars(
        select(QuestionnaireVersion)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(Questionnaire.audience == audience, Questionnaire.partnership_id.is_(None),
               QuestionnaireVersion.published_at.is_not(None))
        .order_by(QuestionnaireVersion.id)
    ).first()


def _answer(s, session, audience, person=None, open_text="", scale=4):
    """A response for the session: a scale answer and an open answer. A trainer's is submitted
    by `person`; a participant's is anonymous."""
    version = _version(s, audience)
    questions = {q.type: q for q in reversed(version.questions)}
    response = Response(session_id=session.id, version_id=version.id, audience=audience,
                        source=ResponseSource.TRAINER if person else ResponseSource.LINK)
    response.answers = [Answer(question_id=questions[QuestionType.OPEN].id, value_text=open_text)]
    if QuestionType.SCALE in questions:
        response.answers.append(Answer(question_id=questions[QuestionType.SCALE].id, value_int=scale))
    s.add(response)
    s.flush()
    tally.rebuild(s, [session.id])
    if person is not None:
        s.add(EvaluationRequest(session_id=session.id, audience=Audience.TRAINER, response_id=response.id,
                                submitted_at=datetime(2026, 10, 3, 9, 0, tzinfo=UTC), submitted_by_id=person.id))
        s.flush()
    return response


def _rich_world(app):
    """The conftest world, with everything the app can hold about Anna de Vries (trainer of
    partnership 1 with an account), and her name and e-mail address typed in other places."""
    with kdb.new_session(app) as s:
        w = factories.build_world(s)
        anna = w.trainer_person
        w.anna_email, w.account_email, w.account_name = anna.email, w.trainer.email, w.trainer.name
        anna.role_links.append(PersonRoleLink(role=PersonRole.MENTOR))
        earlier = factories.session(s, w.training1, trainers=[w.trainer_person2], on=date(2025, 10, 1))
        earlier.cancel_reason = None
        cancelled = factories.session(s, w.training1, trainers=[anna], on=date(2026, 3, 1))
        cancelled.cancelled_at = NOW
        cancelled.cancel_reason = f"Anna de Vries is ziek; mail {anna.email} voor een nieuwe datum."
        s.add(TrainerQualification(person=anna, external_name="Train-de-trainer Hogeschool", number="TDT-77",
                                   completed_on=date(2022, 3, 1), valid_until=date(2026, 3, 1)))
        s.add(ProfessionalRegistration(person=anna, register="BRLO", number="BRLO-12345",
                                       registered_on=date(2023, 1, 15), valid_until=date(2027, 1, 15)))
        s.add(Certificate(partnership_id=w.p1.id, person=anna, kind=TrainingKind.BASIC, training=w.training1,
                          session=earlier, issued_on=date(2025, 10, 1), valid_until=date(2030, 10, 1),
                          number="CERT-2025-001", issued_by=Issuer.JOINT))
        s.add(Attendance(session=earlier, person=anna))
        s.add(Attendance(session=earlier, person=w.mentor))
        s.add(Certificate(partnership_id=w.p1.id, person=w.mentor, kind=TrainingKind.BASIC, training=w.training1,
                          session=earlier, issued_on=date(2025, 10, 1), number="CERT-2025-002",
                          issued_by=Issuer.BOARD))
        s.add(Mentorship(person=anna, school_id=w.school1.id, school_year=2025,
                         student_kind=StudentKind.FIRST_YEAR, students=2))
        s.add(Mentorship(person=w.mentor, school_id=w.school1.id, school_year=2025,
                         student_kind=StudentKind.SIDE_ENTRANT, students=1))
        _answer(s, w.session1, Audience.TRAINER, person=anna,
                open_text="Samen met Bram Jansen gegeven. Groet, ANNA DE VRIES")
        for n in range(6):
            _answer(s, w.session1, Audience.PARTICIPANT, scale=3 + n % 2,
                    open_text="Anna de Vries legde het goed uit." if n == 0 else "Goed.")
        issue_invitation(s, w.trainer, NOW, created_by_id=w.admin.id)
        s.add(ImportDraft(session_id=w.session1.id, user_id=w.coordinator.id, filename="antwoorden.csv",
                          content_hash="0" * 64, created_at=NOW,
                          survey={"rows": [[2, ["4", anna.email]]], "note": "Anna de Vries"}))
        s.add(ImportDraft(session_id=w.session1.id, user_id=w.coordinator.id, filename="ander.csv",
                          content_hash="1" * 64, created_at=NOW, survey={"rows": [[2, ["5"]]]}))
        questionnaire = s.scalar(select(Questionnaire).where(Questionnaire.audience == Audience.PARTICIPANT))
        s.add(ImportMapping(partnership_id=w.p1.id, questionnaire_id=questionnaire.id, name="Formulier Noord",
                            signature="2" * 64, columns={"v1": {"name": "Trainer", "position": 1}},
                            values={"v1": {"Anna de Vries": "Bram Jansen"}}, updated_on=date(2026, 1, 1)))
        s.commit()
    return w


def _figures(s, today) -> dict:
    """The counts the dashboard, results and register are made of, per training and school year."""
    def rows(stmt):
        return sorted((tuple(getattr(v, "value", v) for v in r) for r in s.execute(stmt).all()), key=repr)

    def grouped(*columns, joins=(), summed=()):
        """Rows (and sums of `summed`) per the given columns: a subquery first, so that PostgreSQL
        groups by the same expression it selects."""
        inner = select(*(c.label(f"g{i}") for i, c in enumerate(columns)),
                       *(m.label(f"m{i}") for i, m in enumerate(summed)))
        for target, on in joins:
            inner = inner.join(target, on)
        sub = inner.subquery()
        keys = [sub.c[f"g{i}"] for i in range(len(columns))]
        sums = [func.sum(sub.c[f"m{i}"]) for i in range(len(summed))]
        return rows(select(*keys, func.count(), *sums).group_by(*keys))

    year = school_year(TrainingSession.date)
    return {
        "sessions": grouped(TrainingSession.training_id, year),
        "trainers": grouped(TrainingSession.training_id, year,
                            joins=[(session_trainer, session_trainer.c.session_id == TrainingSession.id)]),
        "certificates": grouped(Certificate.training_id, Certificate.kind, school_year(Certificate.issued_on)),
        "attendance": grouped(TrainingSession.training_id, year,
                              joins=[(Attendance, Attendance.session_id == TrainingSession.id)]),
        "mentorships": rows(select(Mentorship.school_year, func.sum(Mentorship.students)).group_by(Mentorship.school_year)),
        "answers": grouped(TrainingSession.training_id, year, Response.audience,
                           joins=[(Response, Response.session_id == TrainingSession.id),
                                  (Answer, Answer.response_id == Response.id)],
                           summed=(Answer.value_int,)),
        "trainer_evaluations": rows(select(EvaluationRequest.session_id, func.count())
                                    .where(EvaluationRequest.submitted_by_id.is_not(None))
                                    .group_by(EvaluationRequest.session_id)),
        "persons": rows(select(PersonRoleLink.role, func.count()).group_by(PersonRoleLink.role)),
        "qualifications": rows(select(func.count()).select_from(TrainerQualification)),
    }


DASHBOARD_TABLES = ("kerncijfers", "regio", "dekking", "oordeel", "respons", "waarborgen", "samenstelling")


def _dashboard(client) -> dict[str, bytes]:
    """The dashboard's tables as its CSV exports (figures per training and school year)."""
    out = {}
    for name in DASHBOARD_TABLES:
        response = client.get(f"/dashboard/export/{name}.csv")
        assert response.status_code == 200, name
        out[name] = response.data
    return out


def _mentions(s, needles) -> list[str]:
    """Every table.column of the whole schema holding one of the needles (any case; JSON also
    in its escaped spelling)."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, (String, Text, JSON)):
                continue
            value = cast(column, Text)  # also enumerations, JSON
            spellings = {x for n in needles for x in (n, json.dumps(n)[1:-1])}
            hit = s.scalar(select(func.count()).select_from(table).where(
                or_(*(value.icontains(x, autoescape=True) for x in spellings))))
            if hit:
                found.append(f"{table.name}.{column.name}")
    return found


# ------------------------------------------------------------------ the person page and export


def test_person_page_shows_everything_the_app_holds(app, today):
    w = _rich_world(app)
    body = _client(app, w.coordinator).get(f"/beheer/personen/{w.trainer_person.id}").get_data(as_text=True)
    for expected in ("Anna de Vries", w.anna_email, w.account_email, "Basisschool De Linde", "Bestuur Noord",
                     "Partnerschap Noord", "Schoolopleider", "Mentor", "Basistraining mentoren Noord",
                     "Train-de-trainer Hogeschool", "TDT-77", "BRLO-12345", "CERT-2025-001",
                     "Eerstejaars student", "2025-2026", "Samen met Bram Jansen gegeven",
                     "geannuleerd"):
        assert expected in body, expected
    # Participants' answers are anonymous: never on a person's page.
    assert "legde het goed uit" not in body
    # The coordinator reads it; exporting and anonymising are the admin's.
    assert "gegevens.json" not in body and "anonimiseren" not in body


def test_person_page_issues_a_fixed_number_of_statements(app):
    """However much a person has: the same statements (one per kind of data)."""
    w = _rich_world(app)
    client = _client(app, w.admin)
    url = f"/beheer/personen/{w.trainer_person.id}"
    few, _ = count_statements(app, client, url)
    with kdb.new_session(app) as s:
        anna = s.get(Person, w.trainer_person.id)
        for n in range(10):
            on = date(2024, 1, 1) + timedelta(days=n)
            for kind in ("session", "certificate", "attendance", "qualification", "registration"):
                _activity(s, w, kind, anna, on, suffix=str(n))
            s.add(Mentorship(person=anna, school_id=w.school1.id, school_year=2010 + n,
                             student_kind=StudentKind.OTHER))
        s.commit()
    many, body = count_statements(app, client, url)
    assert len(few) == len(many)
    assert "CERT-2025-001" in body and f"C-{w.trainer_person.id}-9" in body


def test_json_export_holds_everything_and_is_not_cached(app, today):
    w = _rich_world(app)
    response = _client(app, w.admin).get(f"/beheer/personen/{w.trainer_person.id}/gegevens.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="persoonsgegevens-{w.trainer_person.id}-{today.isoformat()}.json"'
    )
    data = json.loads(response.get_data(as_text=True))
    person = data["person"]
    assert (person["name"], person["email"], person["partnership"]) == ("Anna de Vries", w.anna_email, "Partnerschap Noord")
    assert person["roles"] == ["mentor", "schoolopleider"]
    assert person["organisation"] == {"name": "Basisschool De Linde", "kind": "school"}
    assert person["board"] == "Bestuur Noord" and person["anonymised_at"] is None
    assert data["account"]["email"] == w.account_email and data["account"]["role"] == "trainer"
    assert data["account"]["partnerships"] == ["Partnerschap Noord"]
    assert len(data["account"]["invitations"]) == 1
    assert [(x["date"], x["cancelled"]) for x in data["sessions_given"]] == [("2026-03-01", True), ("2026-10-01", False)]
    [evaluation] = data["trainer_evaluations"]
    assert evaluation["session_date"] == "2026-10-01"
    assert "Samen met Bram Jansen gegeven. Groet, ANNA DE VRIES" in [a["answer"] for a in evaluation["answers"]]
    assert data["trainer_qualifications"] == [{"name": "Train-de-trainer Hogeschool", "completed_on": "2022-03-01",
                                               "valid_until": "2026-03-01", "number": "TDT-77"}]
    assert data["professional_registrations"][0]["number"] == "BRLO-12345"
    [certificate] = data["certificates"]
    assert (certificate["number"], certificate["kind"], certificate["issued_by"]) == (
        "CERT-2025-001", "basistraining", "gezamenlijk"
    )
    assert data["attendance"] == [{"training": "Basistraining mentoren Noord", "date": "2025-10-01"}]
    assert data["mentorships"] == [{"school": "Basisschool De Linde", "school_year": "2025-2026",
                                    "student_kind": "eerstejaars", "students": 2}]
    assert data["retention"]["retention_years"] == 7
    # No participant's answer: they are anonymous.
    assert "legde het goed uit" not in response.get_data(as_text=True)


def test_export_and_anonymise_are_for_admins_only(app, db):
    w = _rich_world(app)
    with pytest.raises(Forbidden):
        privacy.export_person(db, Scope.for_user(db.get(User, w.coordinator.id)), w.trainer_person.id)
    with pytest.raises(Forbidden):
        privacy.anonymise_person(db, Scope.for_user(db.get(User, w.coordinator.id)), w.trainer_person.id, NOW)
    with pytest.raises(NotFound):
        privacy.anonymise_person(db, EVERYTHING, 987654, NOW)
    with pytest.raises(NotFound):
        privacy.person_record(db, EVERYTHING, 2**40)
    client = _client(app, w.coordinator)
    assert client.get(f"/beheer/personen/{w.other_trainer.id}").status_code == 403
    assert client.post(f"/beheer/personen/{w.trainer_person.id}/anonimiseren", data={"confirm": "y"}).status_code == 403
    assert db.get(Person, w.trainer_person.id).anonymised_at is None


# ------------------------------------------------------------------ anonymising


def test_anonymising_leaves_no_name_or_email_and_keeps_every_count(app, db, today):
    w = _rich_world(app)
    needles = ["Anna de Vries", w.anna_email, w.account_email, w.account_name]
    assert _mentions(db, needles)  # the test's own check finds them before
    before = _figures(db, today)
    db.close()
    client = _client(app, w.admin)
    tables = _dashboard(client)
    assert b"2026-2027;2;6;24;25" in tables["respons"] and b"Tandem" in tables["samenstelling"]

    unconfirmed = client.post(f"/beheer/personen/{w.trainer_person.id}/anonimiseren", data={})
    assert unconfirmed.status_code == 400 and "Vink aan" in unconfirmed.get_data(as_text=True)
    response = client.post(f"/beheer/personen/{w.trainer_person.id}/anonimiseren", data={"confirm": "y"})
    assert response.status_code == 302

    # A reading session: one that writes would hold SQLite's write lock, and the dashboard's
    # exports below write their audit entry.
    with kdb.new_session(app, write=False) as s:
        assert _mentions(s, needles) == []
        assert _figures(s, today) == before
        assert _dashboard(client) == tables
        anna = s.get(Person, w.trainer_person.id)
        assert (anna.name, anna.email) == (privacy.ANONYMOUS_NAME, None)
        assert anna.anonymised_at is not None
        assert anna.roles == {PersonRole.SCHOOL_EDUCATOR, PersonRole.MENTOR}
        # The account is gone with its invitations; the draft that named her too, the other stays.
        assert s.get(User, w.trainer.id) is None
        assert s.scalar(select(func.count()).select_from(Invitation)) == 0
        assert s.scalars(select(ImportDraft.filename)).all() == ["ander.csv"]
        # Texts keep their other words; the answers keep counting.
        texts = set(s.scalars(select(Answer.value_text).where(Answer.value_text.is_not(None))))
        assert {"Samen met Bram Jansen gegeven. Groet, ***", "*** legde het goed uit."} <= texts
        reason = s.scalar(select(TrainingSession.cancel_reason).where(TrainingSession.cancel_reason.is_not(None)))
        assert reason == "*** is ziek; mail *** voor een nieuwe datum."
        assert s.scalar(select(ImportMapping.values)) == {"v1": {"***": "Bram Jansen"}}
        # Other people are untouched.
        assert s.get(Person, w.trainer_person2.id).name == "Bram Jansen"
        assert s.get(Person, w.mentor.id).email is not None
    # She can no longer log in.
    fresh = app.test_client()
    assert fresh.post("/inloggen", data={"email": w.account_email, "password": factories.PASSWORD}).status_code != 302
    # The page and the export say so; the person list marks her.
    page = client.get(f"/beheer/personen/{w.trainer_person.id}").get_data(as_text=True)
    assert "geanonimiseerd" in page and "Anna" not in page
    assert "geanonimiseerd" in client.get("/beheer/personen").get_data(as_text=True)
    exported = json.loads(client.get(f"/beheer/personen/{w.trainer_person.id}/gegevens.json").get_data(as_text=True))
    assert exported["person"]["email"] is None and exported["account"] is None


def test_anonymising_twice_changes_nothing_and_the_identity_cannot_come_back(app, db, today):
    w = _rich_world(app)
    first = privacy.anonymise_person(db, EVERYTHING, w.trainer_person.id, NOW)
    db.commit()
    stamp = first.anonymised_at
    before = _figures(db, today)
    again = privacy.anonymise_person(db, EVERYTHING, w.trainer_person.id, NOW + timedelta(days=3))
    db.commit()
    assert again.anonymised_at == stamp
    assert _figures(db, today) == before
    # No edit gives the row a real identity again, and it gets no account.
    with pytest.raises(ValidationError) as refused:
        update_person(db, EVERYTHING, w.trainer_person.id,
                      PersonData("Anna de Vries", "anna@example.org", w.school1.id, [PersonRole.MENTOR]))
    assert "geanonimiseerd" in refused.value.errors["name"]
    db.rollback()
    client = _client(app, w.admin)
    response = client.post(f"/beheer/personen/{w.trainer_person.id}/bewerken",
                           data={"name": "Anna de Vries", "organisation_id": w.school1.id, "roles": ["mentor"]})
    assert response.status_code == 302
    _fresh(db)
    assert db.get(Person, w.trainer_person.id).name == privacy.ANONYMOUS_NAME
    from kwaliteit.accounts.users import persons_for_account

    assert w.trainer_person.id not in {p.id for p, _org in persons_for_account(db, EVERYTHING)}
    assert privacy.ANONYMOUS_NAME not in client.get("/beheer/gebruikers/nieuw").get_data(as_text=True)


def test_a_name_with_accents_is_found_in_json_too(app, db):
    w = _rich_world(app)
    jose = factories.person(db, w.school1, PersonRole.MENTOR, name="José Müller")
    db.add(ImportDraft(session_id=w.session1.id, user_id=w.coordinator.id, filename="x.csv", content_hash="3" * 64,
                       created_at=NOW, survey={"note": "José Müller"}))
    db.add(ImportMapping(partnership_id=w.p1.id, questionnaire_id=db.scalar(select(Questionnaire.id)),
                         name="Zuid", signature="4" * 64, columns={}, values={"v1": {"josé müller": "1"}},
                         updated_on=date(2026, 1, 1)))
    db.commit()
    privacy.anonymise_person(db, EVERYTHING, jose.id, NOW)
    db.commit()
    assert _mentions(db, ["José Müller"]) == []
    assert db.scalar(select(func.count()).select_from(ImportDraft).where(ImportDraft.filename == "x.csv")) == 0


def test_short_names_and_parts_of_words_are_not_redacted(app, db):
    w = _rich_world(app)
    bo = factories.person(db, w.school1, PersonRole.MENTOR, name="Bo")
    db.execute(text("UPDATE training SET description = 'Bo en Anna; Annabel en bob.'"))
    db.commit()
    privacy.anonymise_person(db, EVERYTHING, bo.id, NOW)
    privacy.anonymise_person(db, EVERYTHING, w.trainer_person.id, NOW)
    db.commit()
    # "Bo" is too short to look for; Anna de Vries is her full name, so "Anna" alone stays.
    assert set(db.scalars(select(Training.description))) == {"Bo en Anna; Annabel en bob."}


# ------------------------------------------------------------------ retention


def _old_person(s, org, created=date(2000, 1, 1), name="Oud"):
    p = factories.person(s, org, PersonRole.MENTOR, name=name)
    p.created_at = datetime.combine(created, time(10, 0), tzinfo=UTC)
    s.flush()
    return p


def _activity(s, w, kind: str, person, on: date, suffix: str = ""):
    """Give `person` one activity of `kind` on day `on`."""
    if kind == "created":
        person.created_at = datetime.combine(on, time(10, 0), tzinfo=UTC)
    elif kind == "session":
        factories.session(s, w.training1, trainers=[person], on=on)
    elif kind == "certificate":
        s.add(Certificate(partnership_id=w.p1.id, person=person, kind=TrainingKind.BASIC, issued_on=on,
                          number=f"C-{person.id}-{suffix}", issued_by=Issuer.BOARD))
    elif kind == "attendance":
        s.add(Attendance(session=factories.session(s, w.training1, on=on), person=person))
    elif kind == "qualification":
        s.add(TrainerQualification(person=person, external_name="Extern", completed_on=on))
    elif kind == "registration":
        s.add(ProfessionalRegistration(person=person, register="BRLO", registered_on=on))
    elif kind == "evaluation":
        ts = factories.session(s, w.training1, on=date(2000, 1, 1))
        s.add(EvaluationRequest(session_id=ts.id, audience=Audience.TRAINER, submitted_by_id=person.id,
                                submitted_at=datetime.combine(on, time(10, 0), tzinfo=UTC)))
    elif kind == "account":
        u = factories.user(s, Role.TRAINER, [w.p1], person=person)
        u.created_at = datetime.combine(on, time(10, 0), tzinfo=UTC)
    s.flush()


@pytest.mark.parametrize(
    "kind", ["created", "session", "certificate", "attendance", "qualification", "registration", "evaluation",
             "account"],
)
def test_retention_counts_from_each_kind_of_activity(app, db, kind):
    """Exactly seven years (the default) after the last activity is not yet past; a day more is."""
    w = factories.build_world(db)
    person = _old_person(db, w.school1)
    _activity(db, w, kind, person, date(2019, 11, 22))
    db.commit()
    assert person.id not in privacy.past_retention_ids(db, EVERYTHING, date(2026, 11, 22))
    assert person.id in privacy.past_retention_ids(db, EVERYTHING, date(2026, 11, 23))


def test_mentoring_counts_until_the_end_of_the_school_year(app, db):
    w = factories.build_world(db)
    person = _old_person(db, w.school1)
    db.add(Mentorship(person=person, school_id=w.school1.id, school_year=2018, student_kind=StudentKind.OTHER))
    db.commit()
    assert person.id not in privacy.past_retention_ids(db, EVERYTHING, date(2026, 7, 31))  # 31 July 2019 + 7
    assert person.id in privacy.past_retention_ids(db, EVERYTHING, date(2026, 8, 1))


def test_the_latest_activity_counts_and_the_partnership_sets_the_period(app, db):
    w = factories.build_world(db)
    early = _old_person(db, w.school1, name="Vroeg")
    _activity(db, w, "certificate", early, date(2012, 5, 1))
    _activity(db, w, "registration", early, date(2020, 2, 29))  # the latest: counts
    south = _old_person(db, w.school2, name="Zuid")
    _activity(db, w, "qualification", south, date(2023, 11, 22))
    db.add(RegisterPolicy(partnership_id=w.p2.id, retention_years=3))
    db.commit()
    # 29 February + 7 years: 28 February 2027 (add_years); after it, past.
    assert early.id not in privacy.past_retention_ids(db, EVERYTHING, date(2027, 2, 28))
    assert early.id in privacy.past_retention_ids(db, EVERYTHING, date(2027, 3, 1))
    assert south.id not in privacy.past_retention_ids(db, EVERYTHING, date(2026, 11, 22))
    assert south.id in privacy.past_retention_ids(db, EVERYTHING, date(2026, 11, 23))
    # A coordinator of partnership 1 does not see partnership 2's persons.
    coordinator = Scope.for_user(db.get(User, w.coordinator.id))
    assert privacy.past_retention_ids(db, coordinator, date(2030, 1, 1)) == [early.id]
    assert [r.person.id for r in privacy.persons_past_retention(db, coordinator, date(2030, 1, 1)).items] == [early.id]


def test_apply_retention_anonymises_everyone_past_it_once(app, db):
    w = factories.build_world(db)
    gone = [_old_person(db, w.school1, name=f"Oud {n}") for n in range(3)]
    kept = _old_person(db, w.school1, name="Recent")
    _activity(db, w, "session", kept, date(2026, 1, 1))
    db.commit()
    ids = privacy.apply_retention(db, date(2026, 11, 22), NOW)
    db.commit()
    assert sorted(ids) == sorted(p.id for p in gone)
    _fresh(db)
    assert {db.get(Person, p.id).name for p in gone} == {privacy.ANONYMOUS_NAME}
    assert db.get(Person, kept.id).name == "Recent"
    assert privacy.apply_retention(db, date(2026, 11, 22), NOW) == []
    with pytest.raises(Forbidden):
        privacy.apply_retention(db, date(2026, 11, 22), NOW, Scope.for_user(db.get(User, w.coordinator.id)))


def test_retention_page_lists_and_the_admin_confirms(app, db):
    w = factories.build_world(db)
    old = _old_person(db, w.school1, name="Oude Mentor")
    db.commit()
    page = _client(app, w.coordinator).get("/beheer/bewaartermijn").get_data(as_text=True)
    assert "Oude Mentor" in page and "anonimiseren</button>" not in page
    client = _client(app, w.admin)
    assert "Oude Mentor" in client.get("/beheer/bewaartermijn").get_data(as_text=True)
    # The list changed since the page was shown (it showed 2): nothing happens.
    stale = client.post("/beheer/bewaartermijn/anonimiseren", data={"confirm": "y", "aantal": "2"})
    assert stale.status_code == 400 and "veranderd" in stale.get_data(as_text=True)
    assert client.post("/beheer/bewaartermijn/anonimiseren", data={"aantal": "1"}).status_code == 400
    _fresh(db)
    assert db.get(Person, old.id).anonymised_at is None
    done = client.post("/beheer/bewaartermijn/anonimiseren", data={"confirm": "y", "aantal": "1"})
    assert done.status_code == 302
    _fresh(db)
    assert db.get(Person, old.id).name == privacy.ANONYMOUS_NAME
    assert "Niemand" in client.get("/beheer/bewaartermijn").get_data(as_text=True)


def test_retention_list_issues_a_fixed_number_of_statements(app, db):
    w = factories.build_world(db)
    _old_person(db, w.school1)
    db.commit()
    client = _client(app, w.admin)
    few, _ = count_statements(app, client, "/beheer/bewaartermijn")
    for n in range(30):
        _old_person(db, w.school1, name=f"Oud {n}")
    db.commit()
    many, body = count_statements(app, client, "/beheer/bewaartermijn")
    assert len(few) == len(many)
    assert "31 personen" in body


# ------------------------------------------------------------------ CLI


def test_retention_cli(app, db):
    w = factories.build_world(db)
    old = _old_person(db, w.school1, name="Oude Mentor")
    _activity(db, w, "certificate", old, date(2019, 11, 22))
    db.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["retention", "--today", "2026-11-22"])
    assert result.exit_code == 0 and "0 personen geanonimiseerd" in result.output
    dry = runner.invoke(args=["retention", "--today", "2026-11-23", "--dry-run"])
    assert dry.exit_code == 0 and "1 personen" in dry.output and "Niets gewijzigd" in dry.output
    assert "Oude Mentor" not in dry.output  # no personal data in logs
    _fresh(db)
    assert db.get(Person, old.id).anonymised_at is None
    done = runner.invoke(args=["retention", "--today", "2026-11-23"])
    assert done.exit_code == 0 and "1 personen geanonimiseerd" in done.output
    _fresh(db)
    assert db.get(Person, old.id).name == privacy.ANONYMOUS_NAME
    assert "0 personen" in runner.invoke(args=["retention", "--today", "2026-11-23"]).output
    # Without --today: the app's clock (FIXED_TODAY in the tests).
    assert "2026-11-22" in runner.invoke(args=["retention", "--dry-run"]).output


@pytest.mark.parametrize("bad", ["2026-13-01", "23-11-2026", "gisteren", "", "2026-02-30", "\x00"])
def test_retention_cli_refuses_a_malformed_date(app, bad):
    result = app.test_cli_runner().invoke(args=["retention", "--today", bad])
    assert result.exit_code == 2
    assert "JJJJ-MM-DD" in result.output


def test_an_anonymised_trainer_is_no_longer_offered_for_a_new_session(db, world):
    """Planning offers living trainers only; a session that had the anonymised trainer keeps
    them choosable, so it can still be edited."""
    from kwaliteit.models_base import utcnow
    from kwaliteit.trainings.services import trainers_for_partnership

    world.trainer_person2.anonymised_at = utcnow()
    db.commit()
    offered = {p.id for p in trainers_for_partnership(db, world.p1.id)}
    assert world.trainer_person2.id not in offered and world.trainer_person.id in offered
    kept = {p.id for p in trainers_for_partnership(db, world.p1.id, [world.trainer_person2.id])}
    assert world.trainer_person2.id in kept


def test_retention_cli_refuses_a_date_out_of_bounds(app, db):
    """A typo of 2062 for 2026 would anonymise everyone: refused, nothing changed."""
    w = factories.build_world(db)
    old = _old_person(db, w.school1, name="Oude Mentor")
    _activity(db, w, "certificate", old, date(2019, 11, 22))
    db.commit()
    for far in ("2062-11-22", "9999-12-31", "0001-01-01"):
        result = app.test_cli_runner().invoke(args=["retention", "--today", far])
        assert result.exit_code == 2 and "Kies een datum" in result.output
    _fresh(db)
    assert db.get(Person, old.id).anonymised_at is None
