"""Builders for register data in tests: certificates, qualifications, mentorships, policies, and a
bulk builder of thousands of mentors (for the statement-count tests)."""
from __future__ import annotations

from datetime import date, timedelta
from itertools import count

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from kwaliteit.certification.models import (
    Certificate,
    Issuer,
    Mentorship,
    RegisterPolicy,
    StudentKind,
    TrainerQualification,
)
from kwaliteit.db import bulk_insert
from kwaliteit.models_base import utcnow
from kwaliteit.registry.models import Organisation, Person, PersonRole, PersonRoleLink
from kwaliteit.trainings.models import TrainingKind

_seq = count(1)


def certificate(
    s: Session,
    person: Person,
    issued_on: date,
    valid_until: date | None = None,
    kind: TrainingKind = TrainingKind.BASIC,
) -> Certificate:
    c = Certificate(
        partnership_id=person.organisation.partnership_id,
        person_id=person.id,
        kind=kind,
        issued_on=issued_on,
        valid_until=valid_until,
        number=f"C-{next(_seq)}",
        issued_by=Issuer.JOINT,
    )
    s.add(c)
    s.flush()
    return c


def qualification(
    s: Session, person: Person, completed_on: date, valid_until: date | None
) -> TrainerQualification:
    q = TrainerQualification(
        person_id=person.id,
        external_name="Train-de-trainer extern",
        completed_on=completed_on,
        valid_until=valid_until,
    )
    s.add(q)
    s.flush()
    return q


def mentorship(s: Session, person: Person, school: Organisation, school_year: int) -> Mentorship:
    m = Mentorship(
        person_id=person.id,
        school_id=school.id,
        school_year=school_year,
        student_kind=StudentKind.FIRST_YEAR,
        students=1,
    )
    s.add(m)
    s.flush()
    return m


def policy(s: Session, partnership_id: int, **values) -> RegisterPolicy:
    row = s.get(RegisterPolicy, partnership_id) or RegisterPolicy(partnership_id=partnership_id)
    for name, value in values.items():
        setattr(row, name, value)
    s.add(row)
    s.flush()
    return row


def bulk_mentors(s: Session, schools: list[Organisation], n: int, today: date, prefix: str = "bulk") -> None:
    """`n` mentors spread over `schools`, each in a different situation: no certificate, a basic
    certificate (recent, old, expired, expiring), a refresher, a mentorship this school year.
    Bulk inserts (COPY on PostgreSQL): 5,000 mentors in about a second."""
    now = utcnow()
    tag = f"{prefix}{next(_seq)}"
    bulk_insert(
        s,
        Person.__table__,
        ("name", "email", "organisation_id", "created_at"),
        [
            (f"Mentor {tag} {i:05d}", f"{tag}.{i}@example.org", schools[i % len(schools)].id, now)
            for i in range(n)
        ],
    )
    rows = s.execute(
        select(Person.id, Person.organisation_id).where(Person.email.like(f"{tag}.%")).order_by(Person.id)
    ).all()
    partnership_of = {o.id: o.partnership_id for o in schools}
    roles = [(pid, PersonRole.MENTOR.value) for pid, _ in rows]
    bulk_insert(s, PersonRoleLink.__table__, ("person_id", "role"), roles)
    certificates, mentorships = [], []
    for i, (pid, org) in enumerate(rows):
        kind = i % 6
        if kind == 0:
            continue  # no certificate
        issued = today - timedelta(days=400 * kind + i % 50)  # 1 to 5.6 years ago
        valid = None if kind == 5 else issued + timedelta(days=365 * (kind % 3 + 1))  # some expired
        certificates.append(
            (partnership_of[org], pid, TrainingKind.BASIC.value, issued, valid, f"{tag}-{i}",
             Issuer.BOARD.value, now)
        )
        if kind == 3:
            certificates.append(
                (partnership_of[org], pid, TrainingKind.REFRESHER.value, issued + timedelta(days=100), None,
                 f"{tag}-{i}-r", Issuer.JOINT.value, now)
            )
        if i % 4 == 0:
            year = today.year if today.month >= 8 else today.year - 1
            mentorships.append((pid, org, year, StudentKind.FIRST_YEAR.value, 1, now))
    bulk_insert(
        s,
        Certificate.__table__,
        ("partnership_id", "person_id", "kind", "issued_on", "valid_until", "number", "issued_by",
         "created_at"),
        certificates,
    )
    bulk_insert(
        s,
        Mentorship.__table__,
        ("person_id", "school_id", "school_year", "student_kind", "students", "created_at"),
        mentorships,
    )
    if s.bind.dialect.name == "postgresql":
        # As autovacuum would soon after such growth: without statistics the planner takes the
        # tables for a few rows and may loop over the certificates per mentor (15 s at 5,000).
        for table in ("person", "person_role", "certificate", "mentorship"):
            s.execute(text(f"ANALYZE {table}"))
