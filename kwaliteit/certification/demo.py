"""The demo's mentor register: certificates across every stage of the path, attendance of past
sessions (most with their certificates issued, the latest few not yet, so the button has work),
and who mentors student teachers this school year and the last.

Called by kwaliteit.demo.seed_demo after the sessions exist. Drawn from a random generator of its
own, so the rest of the demo stays as it was. Flagged on purpose: certificates expired and not
renewed, refreshers overdue or due soon, and mentors guiding a student without a basic training.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kwaliteit.certification.models import (
    CERTIFICATE_KINDS,
    REFRESH_KINDS,
    Attendance,
    Certificate,
    Issuer,
    Mentorship,
    StudentKind,
)
from kwaliteit.certification.policy import DEFAULTS
from kwaliteit.registry.models import Organisation, OrganisationKind, Person, PersonRole, PersonRoleLink
from kwaliteit.sqldates import plus_years, school_year_of
from kwaliteit.trainings.models import Training, TrainingKind, TrainingSession

SEED_OFFSET = 9
SESSIONS_WITH_ATTENDANCE = 6  # per partnership, the latest past sessions of mentor trainings
NOT_YET_ISSUED = 1  # of those, the most recent ones wait for their certificates


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


def seed_demo_register(db: Session, reference: date, seed: int) -> None:
    rng = random.Random(seed + SEED_OFFSET)
    mentors = db.execute(
        select(Person, Organisation)
        .join(Organisation, Organisation.id == Person.organisation_id)
        .join(PersonRoleLink, PersonRoleLink.person_id == Person.id)
        .where(PersonRoleLink.role == PersonRole.MENTOR, Organisation.kind == OrganisationKind.SCHOOL)
        .order_by(Person.id)
    ).all()
    institutes = {
        o.partnership_id: o
        for o in db.scalars(
            select(Organisation).where(Organisation.kind == OrganisationKind.INSTITUTE).order_by(Organisation.id)
        )
    }
    trainings = defaultdict(list)  # (partnership, kind) -> trainings
    for t in db.scalars(select(Training).where(Training.kind.in_(CERTIFICATE_KINDS)).order_by(Training.id)):
        trainings[t.partnership_id, t.kind].append(t)
    numbers = iter(range(1, 1_000_000))
    certificates: list[Certificate] = []

    def certify(person: Person, school: Organisation, kind: TrainingKind, on: date, session=None, training=None):
        if training is None and trainings[school.partnership_id, kind] and rng.random() < 0.7:
            training = rng.choice(trainings[school.partnership_id, kind])
        cert = Certificate(
            partnership_id=school.partnership_id,
            person_id=person.id,
            kind=kind,
            training_id=training.id if training else None,
            session_id=session.id if session else None,
            issued_on=on,
            valid_until=DEFAULTS.certificate_valid_until(on),
            number=f"{on.year}-D{next(numbers):05d}",
            issued_by=Issuer.JOINT,
            board_id=school.parent_id,
            institute_id=institutes[school.partnership_id].id,
        )
        certificates.append(cert)

    # 1. Each mentor's history, by the stage it leads to on the reference date.
    refresh = DEFAULTS.refresh_years
    no_basic: dict[int, list[tuple[Person, Organisation]]] = defaultdict(list)
    basic_on: dict[int, date] = {}
    for person, school in mentors:
        r = rng.random()
        if r < 0.14:  # no basic training yet (some of them mentor already: flagged below)
            no_basic[school.partnership_id].append((person, school))
            continue
        if r < 0.30:  # basic training long ago, no refresher since: overdue, certificate expired
            first = _day(rng, date(2014, 9, 1), plus_years(reference, -refresh) - timedelta(days=30))
            certify(person, school, TrainingKind.BASIC, first)
        elif r < 0.38:  # the refresher falls due within the policy's days: due soon, certificate expiring
            first = _day(rng, plus_years(reference, -refresh) + timedelta(days=5),
                         plus_years(reference, -refresh) + timedelta(days=DEFAULTS.expiring_days - 5))
            certify(person, school, TrainingKind.BASIC, first)
        elif r < 0.62:  # basic training, then a refresher or deeper training since: on track
            first = _day(rng, date(2015, 9, 1), plus_years(reference, -3))
            certify(person, school, TrainingKind.BASIC, first)
            later = _day(rng, max(first + timedelta(days=365), plus_years(reference, -4)), reference - timedelta(days=30))
            certify(person, school, rng.choice(REFRESH_KINDS), later)
        else:  # a recent basic training: on track
            first = _day(rng, plus_years(reference, -refresh) + timedelta(days=DEFAULTS.expiring_days + 10),
                         reference - timedelta(days=60))
            certify(person, school, TrainingKind.BASIC, first)
        basic_on[person.id] = first

    # 2. Attendance of the latest past mentor-training sessions of each partnership; the mentors
    #    attending a basic training are among those without one, the others have had theirs.
    past = db.execute(
        select(TrainingSession, Training)
        .join(Training, Training.id == TrainingSession.training_id)
        .where(
            TrainingSession.date <= reference,
            TrainingSession.cancelled_at.is_(None),
            Training.kind.in_(CERTIFICATE_KINDS),
            Training.active.is_(True),
        )
        .order_by(TrainingSession.date.desc(), TrainingSession.id)
    ).all()
    by_partnership: defaultdict[int, list] = defaultdict(list)
    for ts, training in past:
        if len(by_partnership[training.partnership_id]) < SESSIONS_WITH_ATTENDANCE:
            by_partnership[training.partnership_id].append((ts, training))
    attendance: list[Attendance] = []
    mentors_of = defaultdict(list)
    for person, school in mentors:
        mentors_of[school.partnership_id].append((person, school))
    for partnership_id, sessions in sorted(by_partnership.items()):
        for n, (ts, training) in enumerate(sessions):
            size = min(ts.participant_count or 8, 12)
            if training.kind is TrainingKind.BASIC:
                pool = no_basic[partnership_id]
                group = pool[:size]
                del pool[:size]  # each basic-training attendee once
            else:
                pool = [(p, s) for p, s in mentors_of[partnership_id] if basic_on.get(p.id, reference) < ts.date]
                group = rng.sample(pool, min(size, len(pool)))
            issue = n >= NOT_YET_ISSUED  # the latest session(s) still wait for their certificates
            for person, school in group:
                attendance.append(Attendance(session_id=ts.id, person_id=person.id))
                if issue:
                    certify(person, school, training.kind, ts.date, session=ts, training=training)

    # 3. Who mentors student teachers: this school year and the last; among them mentors without a
    #    basic training (a flag), the rest mostly certified.
    year = school_year_of(reference)
    without = {p.id for pairs in no_basic.values() for p, _school in pairs}
    mentorships: list[Mentorship] = []
    for person, school in mentors:
        chance = 0.5 if person.id in without else 0.45
        for school_year in (year, year - 1):
            if rng.random() < chance:
                mentorships.append(
                    Mentorship(
                        person_id=person.id,
                        school_id=school.id,
                        school_year=school_year,
                        student_kind=rng.choices(list(StudentKind), weights=(5, 4, 2, 2, 2, 1))[0],
                        students=rng.choices((1, 2, 3), weights=(8, 3, 1))[0],
                    )
                )
    db.add_all(certificates)
    db.add_all(attendance)
    db.add_all(mentorships)
    db.flush()
