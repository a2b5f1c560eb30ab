"""Small builders for test data; every object is real and goes through the real database."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from itertools import count

from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from kwaliteit.accounts.models import Role, User
from kwaliteit.framework.services import current_safeguards
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
)

PASSWORD = "wachtwoord-123"
_seq = count(1)
# Production hashes with scrypt's default cost (~50 ms per check). Test users get a cheaper
# scrypt hash: every log-in of the suite checks one, and the check reads its cost from the hash.
_HASH = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")


def partnership(db: Session, name: str | None = None) -> Partnership:
    p = Partnership(name=name or f"Partnerschap {next(_seq)}")
    db.add(p)
    db.flush()
    return p


def organisation(db: Session, p: Partnership, kind: OrganisationKind, name: str | None = None, parent=None) -> Organisation:
    o = Organisation(partnership=p, kind=kind, name=name or f"{kind.label} {next(_seq)}", parent=parent)
    db.add(o)
    db.flush()
    return o


def person(db: Session, org: Organisation, *roles: PersonRole, name: str | None = None) -> Person:
    n = next(_seq)
    p = Person(name=name or f"Persoon {n}", email=f"persoon{n}@example.org", organisation=org)
    p.role_links = [PersonRoleLink(role=r) for r in roles]
    db.add(p)
    db.flush()
    return p


def user(db: Session, role: Role, partnerships=(), person: Person | None = None, email: str | None = None) -> User:
    u = User(
        email=email or f"{role.value}{next(_seq)}@example.org",
        name=f"{role.label} {next(_seq)}",
        password_hash=_HASH,
        role=role,
        person=person,
        partnerships=list(partnerships),
    )
    db.add(u)
    db.flush()
    return u


def training(db: Session, p: Partnership, title: str | None = None, safeguards=(), active=True,
             kind=TrainingKind.BASIC) -> Training:
    t = Training(
        partnership=p,
        title=title or f"Training {next(_seq)}",
        kind=kind,
        form=TrainingForm.PHYSICAL,
        contact_hours=Decimal("12"),
        description="",
        active=active,
    )
    t.safeguard_links = [TrainingSafeguard(safeguard=s, rationale=f"Dient {s.name}.") for s in safeguards]
    db.add(t)
    db.flush()
    return t


def session(db: Session, t: Training, trainers=(), on: date = date(2026, 10, 1), participants: int = 12) -> TrainingSession:
    ts = TrainingSession(training=t, date=on, start_time=time(15, 30), location="Amsterdam",
                         participant_count=participants, trainers=list(trainers))
    db.add(ts)
    db.flush()
    return ts


@dataclass
class World:
    p1: Partnership
    p2: Partnership
    school1: Organisation
    institute1: Organisation
    school2: Organisation
    trainer_person: Person
    trainer_person2: Person
    other_trainer: Person
    mentor: Person
    admin: User
    coordinator: User
    other_coordinator: User
    trainer: User
    steering: User
    training1: Training
    training2: Training
    session1: TrainingSession
    session2: TrainingSession
    safeguards: list


def build_world(db: Session) -> World:
    sgs = current_safeguards(db)
    p1, p2 = partnership(db, "Partnerschap Noord"), partnership(db, "Partnerschap Zuid")
    board1 = organisation(db, p1, OrganisationKind.BOARD, "Bestuur Noord")
    school1 = organisation(db, p1, OrganisationKind.SCHOOL, "Basisschool De Linde", parent=board1)
    institute1 = organisation(db, p1, OrganisationKind.INSTITUTE, "Pabo Noord")
    school2 = organisation(db, p2, OrganisationKind.SCHOOL, "Basisschool Het Anker")
    institute2 = organisation(db, p2, OrganisationKind.INSTITUTE, "Pabo Zuid")
    tp = person(db, school1, PersonRole.SCHOOL_EDUCATOR, name="Anna de Vries")
    tp2 = person(db, institute1, PersonRole.INSTITUTE_EDUCATOR, name="Bram Jansen")
    other = person(db, institute2, PersonRole.INSTITUTE_EDUCATOR, name="Carla Smit")
    mentor = person(db, school1, PersonRole.MENTOR, name="Dirk Bakker")
    t1 = training(db, p1, "Basistraining mentoren Noord", safeguards=sgs[:2])
    t2 = training(db, p2, "Basistraining mentoren Zuid", safeguards=sgs[:1])
    s1 = session(db, t1, trainers=[tp, tp2])
    s2 = session(db, t2, trainers=[other])
    return World(
        p1=p1, p2=p2, school1=school1, institute1=institute1, school2=school2,
        trainer_person=tp, trainer_person2=tp2, other_trainer=other, mentor=mentor,
        admin=user(db, Role.ADMIN, email="admin@example.org"),
        coordinator=user(db, Role.COORDINATOR, [p1], email="coordinator@example.org"),
        other_coordinator=user(db, Role.COORDINATOR, [p2], email="coordinator2@example.org"),
        trainer=user(db, Role.TRAINER, [p1], person=tp, email="trainer@example.org"),
        steering=user(db, Role.STEERING, [p1], email="steering@example.org"),
        training1=t1, training2=t2, session1=s1, session2=s2, safeguards=sgs,
    )


# ---------------------------------------------------------------- register: trainers


def qualification(db: Session, person: Person, completed_on: date = date(2024, 9, 1),
                  valid_until: date | None = date(2028, 9, 1), training: Training | None = None,
                  name: str | None = "Train-de-trainer extern", number: str | None = None):
    """A train-the-trainer qualification (given in kwaliteit when `training` is given, else by name)."""
    from kwaliteit.certification.models import TrainerQualification

    q = TrainerQualification(person=person, training=training, external_name=None if training else name,
                             completed_on=completed_on, valid_until=valid_until, number=number)
    db.add(q)
    db.flush()
    return q


def professional_registration(db: Session, person: Person, register: str = "BRLO",
                              registered_on: date = date(2023, 1, 15), valid_until: date | None = date(2027, 1, 15)):
    from kwaliteit.certification.models import ProfessionalRegistration

    r = ProfessionalRegistration(person=person, register=register, number=f"BRLO-{next(_seq)}",
                                 registered_on=registered_on, valid_until=valid_until)
    db.add(r)
    db.flush()
    return r


def register_policy(db: Session, p: Partnership, **values):
    """The partnership's register policy with these values (others: the defaults)."""
    from kwaliteit.certification.models import RegisterPolicy

    row = db.get(RegisterPolicy, p.id) or RegisterPolicy(partnership_id=p.id)
    for name, value in values.items():
        setattr(row, name, value)
    db.add(row)
    db.flush()
    return row


# ---------------------------------------------------------------- the mentor register


def certificate(db: Session, person: Person, kind: TrainingKind = TrainingKind.BASIC, issued_on: date = date(2024, 9, 1),
                valid_until: date | None = None, number: str | None = None, session: TrainingSession | None = None):
    from kwaliteit.certification.models import Certificate, Issuer

    c = Certificate(partnership_id=person.organisation.partnership_id, person_id=person.id, kind=kind,
                    issued_on=issued_on, valid_until=valid_until, number=number or f"C-{next(_seq)}",
                    issued_by=Issuer.INSTITUTE, session_id=session.id if session else None,
                    training_id=session.training_id if session else None)
    db.add(c)
    db.flush()
    return c


def mentorship(db: Session, person: Person, school: Organisation, school_year: int = 2026, students: int = 1):
    from kwaliteit.certification.models import Mentorship, StudentKind

    m = Mentorship(person_id=person.id, school_id=school.id, school_year=school_year,
                   student_kind=StudentKind.FIRST_YEAR, students=students)
    db.add(m)
    db.flush()
    return m


# ---------------------------------------------------------------- review cycles


def cycle(db: Session, t: Training, school_year: int = 2026, owner: User | None = None, **values):
    """A review cycle with the default calendar's due dates (cycles.calendar.DEFAULTS)."""
    from kwaliteit.cycles.calendar import DEFAULTS, due_dates
    from kwaliteit.cycles.models import ReviewCycle

    dates = due_dates(DEFAULTS, school_year)
    c = ReviewCycle(training=t, school_year=school_year, plan_due=dates.plan_due, check_due=dates.check_due,
                    act_due=dates.act_due, owner=owner, **values)
    db.add(c)
    db.flush()
    return c


def improvement_action(db: Session, c, owner: User, description: str = "Meer oefenen met feedbackgesprekken.",
                       due_on: date = date(2027, 3, 1), safeguard=None, **values):
    from kwaliteit.cycles.models import ImprovementAction

    a = ImprovementAction(cycle=c, description=description, owner=owner, due_on=due_on,
                          safeguard_id=safeguard.id if safeguard else None, **values)
    db.add(a)
    db.flush()
    return a


def good_practice(db: Session, p: Partnership, author: User | None, title: str = "Good practice", text: str = "Tekst",
                  safeguard=None, training: Training | None = None):
    from kwaliteit.cycles.models import GoodPractice

    g = GoodPractice(partnership_id=p.id, title=title, text=text, author_id=author.id if author else None,
                     safeguard_id=safeguard.id if safeguard else None, training_id=training.id if training else None)
    db.add(g)
    db.flush()
    return g
