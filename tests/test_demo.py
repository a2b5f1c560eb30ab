from __future__ import annotations

from sqlalchemy import func, select

from kwaliteit.accounts.models import Role, User
from kwaliteit.demo import DEMO_ACCOUNTS, DEMO_REFERENCE_DATE, P_NOORD, seed_demo
from kwaliteit.framework.services import current_safeguards
from kwaliteit.models import Base
from kwaliteit.registry.models import (
    Organisation,
    OrganisationKind,
    Partnership,
    Person,
    PersonRole,
    PersonRoleLink,
)
from kwaliteit.trainings.models import (
    Training,
    TrainingForm,
    TrainingKind,
    TrainingSafeguard,
    TrainingSession,
    session_trainer,
)
from tests.conftest import login


def _counts(db) -> dict[str, int]:
    return {
        t.name: db.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables
    }


def _count(db, stmt) -> int:
    return db.scalar(select(func.count()).select_from(stmt.subquery()))


def _school_year(d) -> int:
    return d.year if d.month >= 8 else d.year - 1


def test_seed_demo_is_idempotent(db):
    assert seed_demo(db) is True
    db.commit()
    before = _counts(db)
    assert seed_demo(db) is False
    db.commit()
    assert _counts(db) == before


def test_seed_demo_is_deterministic(app, db):
    from kwaliteit import db as kdb
    from kwaliteit.framework.services import load_framework
    from tests.conftest import _empty_all_tables

    def snapshot():
        people = db.execute(select(Person.name, Person.email).order_by(Person.id)).all()
        sessions = db.execute(
            select(Training.title, TrainingSession.date, TrainingSession.start_time,
                   TrainingSession.location, TrainingSession.participant_count)
            .join(Training).order_by(TrainingSession.id)
        ).all()
        return people, sessions

    seed_demo(db)
    db.commit()
    first = snapshot()
    db.close()
    _empty_all_tables(app)
    with kdb.new_session(app) as s:
        load_framework(s)
        s.commit()
    seed_demo(db)
    db.commit()
    assert snapshot() == first


def test_seed_demo_contents(db):
    seed_demo(db)
    db.commit()

    assert db.scalar(select(func.count()).select_from(Partnership)) == 3
    by_kind = dict(
        db.execute(select(Organisation.kind, func.count()).group_by(Organisation.kind)).all()
    )
    assert by_kind[OrganisationKind.INSTITUTE] == 3
    assert 6 <= by_kind[OrganisationKind.BOARD] <= 9
    assert 24 <= by_kind[OrganisationKind.SCHOOL] <= 36
    # Every school belongs to a board of its own partnership.
    parent = Organisation.__table__.alias("parent")
    assert _count(
        db,
        select(Organisation.id)
        .join(parent, parent.c.id == Organisation.parent_id)
        .where(Organisation.kind == OrganisationKind.SCHOOL,
               parent.c.kind == OrganisationKind.BOARD.value,
               parent.c.partnership_id == Organisation.partnership_id),
    ) == by_kind[OrganisationKind.SCHOOL]

    roles = dict(
        db.execute(select(PersonRoleLink.role, func.count()).group_by(PersonRoleLink.role)).all()
    )
    trainers = roles[PersonRole.SCHOOL_EDUCATOR] + roles[PersonRole.INSTITUTE_EDUCATOR]
    assert 35 <= trainers <= 45
    assert 550 <= roles[PersonRole.MENTOR] <= 650
    assert db.scalar(select(func.count(func.distinct(Person.email)))) == db.scalar(
        select(func.count()).select_from(Person)
    )

    trainings = db.scalars(select(Training)).all()
    assert 25 <= len(trainings) <= 35
    assert {t.kind for t in trainings} == set(TrainingKind)
    assert {t.form for t in trainings} == set(TrainingForm)
    assert 1 <= sum(not t.active for t in trainings) <= 2
    assert all(t.organisations for t in trainings)
    assert all(link.rationale.strip() for t in trainings for link in t.safeguard_links)
    unlinked = [t for t in trainings if not t.safeguard_links]
    assert 2 <= len(unlinked) <= 3

    # A partnership with a current safeguard that no active training serves.
    current = {sg.id for sg in current_safeguards(db)}
    gaps = {}
    for p in db.scalars(select(Partnership)):
        served = set(
            db.scalars(
                select(TrainingSafeguard.safeguard_id)
                .join(Training)
                .where(Training.partnership_id == p.id, Training.active.is_(True))
            )
        )
        gaps[p.name] = current - served
    assert any(gaps.values())
    assert {sg.code for sg in current_safeguards(db) if sg.id in gaps[P_NOORD]} == {"OR"}

    sessions = db.scalars(select(TrainingSession)).all()
    assert len({_school_year(s.date) for s in sessions}) == 3
    assert all(s.date.weekday() < 5 for s in sessions)
    assert all(6 <= s.participant_count <= 20 for s in sessions)
    assert all(1 <= len(s.trainers) <= 2 for s in sessions)
    per_training_year = db.execute(
        select(TrainingSession.training_id, TrainingSession.date)
    ).all()
    counts: dict = {}
    for tid, d in per_training_year:
        counts[tid, _school_year(d)] = counts.get((tid, _school_year(d)), 0) + 1
    assert all(1 <= n <= 4 for n in counts.values())
    # Trainers come from the training's partnership.
    assert _count(
        db,
        select(session_trainer.c.person_id)
        .join(TrainingSession, TrainingSession.id == session_trainer.c.session_id)
        .join(Training)
        .join(Person, Person.id == session_trainer.c.person_id)
        .join(Organisation, Organisation.id == Person.organisation_id)
        .where(Organisation.partnership_id != Training.partnership_id),
    ) == 0


def test_demo_accounts(db):
    seed_demo(db)
    db.commit()
    users = {u.email: u for u in db.scalars(select(User))}
    assert [users[email].role for email, *_ in DEMO_ACCOUNTS] == list(Role)
    for email, _role, password, partnership in DEMO_ACCOUNTS:
        assert len(password) >= 10
        u = users[email]
        assert [p.name for p in u.partnerships] == ([partnership] if partnership else [])

    trainer = next(users[e] for e, role, *_ in DEMO_ACCOUNTS if role is Role.TRAINER)
    assert trainer.person is not None and trainer.person.email == trainer.email
    assert trainer.person.organisation.partnership.name == P_NOORD
    dates = db.scalars(
        select(TrainingSession.date)
        .join(session_trainer, session_trainer.c.session_id == TrainingSession.id)
        .where(session_trainer.c.person_id == trainer.person_id)
    ).all()
    assert len(dates) >= 6
    assert any(d < DEMO_REFERENCE_DATE for d in dates)
    assert sum(d > DEMO_REFERENCE_DATE for d in dates) >= 2


def test_cli_seed_demo(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Demodata geladen." in result.output
    for email, _role, password, _p in DEMO_ACCOUNTS:
        assert email in result.output and password in result.output
    assert db.scalar(select(func.count()).select_from(Partnership)) == 3

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "niets veranderd" in again.output

    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert skipped.exit_code == 0, skipped.output
    assert "geen demodata geladen" in skipped.output


def test_cli_seed_demo_if_empty_loads_into_empty_database(app, db):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "Demodata geladen." in result.output
    assert db.scalar(select(func.count()).select_from(Partnership)) == 3


def test_coordinator_demo_account_can_log_in(db, client):
    seed_demo(db)
    db.commit()
    email, _role, password, _p = next(a for a in DEMO_ACCOUNTS if a[1] is Role.COORDINATOR)
    login(client, email, password)
    r = client.get("/trainingen")
    assert r.status_code == 200
    assert "Basistraining mentoren" in r.get_data(as_text=True)


def test_demo_has_evaluations_to_show(db):
    from evaluaties.answers import requests as req_service
    from evaluaties.answers.models import Response
    from evaluaties.answers.status import Status
    from evaluaties.questionnaires.models import Audience
    from kwaliteit.scope import Scope

    seed_demo(db)
    db.commit()
    counts = dict(
        db.execute(select(Response.audience, func.count()).group_by(Response.audience)).all()
    )
    assert counts[Audience.PARTICIPANT] > 500 and counts[Audience.TRAINER] > 50
    page = req_service.trainer_evaluation_overview(db, Scope.everything(), DEMO_REFERENCE_DATE, page_size=1000)
    statuses = {row.status for row in page.items}
    assert {Status.SUBMITTED, Status.OVERDUE, Status.UPCOMING, Status.WAIVED} <= statuses


def test_demo_answers_the_overall_grade(db):
    """The demo answers with the shipped participant questionnaire's current version, where the
    overall rating `totaal` is a grade 1-10 (issue 6): realistic grades, stored in tenths."""
    from evaluaties.answers.models import Answer, Response
    from evaluaties.questionnaires.models import Audience, Question, QuestionType
    from evaluaties.results import services as results
    from evaluaties.results.services import ResultFilters
    from kwaliteit.scope import Scope

    seed_demo(db)
    db.commit()
    grades = db.execute(
        select(func.count(), func.min(Answer.value_int), func.max(Answer.value_int), func.avg(Answer.value_int))
        .join(Question, Question.id == Answer.question_id)
        .where(Question.code == "totaal", Question.type == QuestionType.GRADE)
    ).one()
    participant_responses = db.scalar(
        select(func.count()).select_from(Response).where(Response.audience == Audience.PARTICIPANT)
    )
    assert grades[0] == participant_responses > 500
    assert 10 <= grades[1] and grades[2] <= 100 and 65 <= float(grades[3]) <= 85
    rs = results.results(db, Scope.everything(), ResultFilters())
    [totaal] = [r for r in rs.results if r.code == "totaal"]
    assert totaal.type is QuestionType.GRADE and 6.5 <= totaal.mean <= 8.5
    assert sum(b.count for b in totaal.distribution) == totaal.count
