"""A deterministic data generator for the benchmarks, at four sizes.

    python -m bench.generate --size region --url sqlite:///instance/region.db
    python -m bench.generate --size partnership --url postgresql+psycopg://postgres@127.0.0.1:5432/bench

Sizes (SIZES): `tiny` for tests, `partnership` about the demo's size (kwaliteit.demo), `region`
(3 partnerships, 8,000 mentors, 400 trainings, 19,828 sessions over 5 school years, 197,098
responses, about 1.76 million answers) and `country` (100 partnerships, 60,000 mentors, 3,000
trainings, 150,000 sessions, 1.5 million responses). The counts of partnerships, mentors,
trainings, sessions and responses are exact; the answers follow from the questionnaires and land
near the target.

Everything is drawn from one `random.Random(seed)` in a fixed order, and dates are anchored on
TODAY, so a fresh database gets the same rows on every run (ids may differ between databases).
Rows go in with Core bulk inserts in big batches, with explicit ids (so children need no
RETURNING round trip): COPY on PostgreSQL (kwaliteit.db.bulk_insert), executemany on SQLite. The
database should be migrated and hold no partnership yet; `generate` loads the framework and the
default questionnaires itself, commits, then runs ANALYZE.

What the rows look like: boards, schools and institutes; school- and institute-based trainers
with train-the-trainer qualifications; mentors with certificates, mentorships and attendance of
the mentor-training sessions; trainings of every kind linked to the four safeguards (a few to
none); sessions with one or two trainers (a few cancelled); per past session the trainer's
evaluation (most submitted, a few waived), participant links (one shared link or one link per
participant) and the participants' anonymous answers on the shipped default questionnaires; a
review cycle per training per school year with some improvement actions; an admin and one
coordinator per partnership (BENCH_PASSWORD).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session

from evaluaties.answers.models import (
    Answer,
    EvaluationRequest,
    LinkKind,
    ParticipantLink,
    Response,
    ResponseSource,
)
from evaluaties.demo import OPEN_REMARKS, TRAINER_REMARKS, _closed_value
from evaluaties.questionnaires import services as questionnaires
from evaluaties.questionnaires.models import Audience, QuestionType
from kwaliteit.accounts.models import Role, User, user_partnership
from kwaliteit.accounts.services import create_user
from kwaliteit.certification.models import (
    Attendance,
    Certificate,
    Issuer,
    Mentorship,
    StudentKind,
    TrainerQualification,
)
from kwaliteit.certification.policy import DEFAULTS
from kwaliteit.cycles.models import ActionStatus, ImprovementAction, ReviewCycle
from kwaliteit.db import bulk_insert, make_engine
from kwaliteit.demo import FIRST_NAMES, LAST_NAMES, SCHOOL_NAMES, _session_dates
from kwaliteit.framework.services import current_safeguards, load_framework
from kwaliteit.registry.models import (
    Organisation,
    OrganisationKind,
    Partnership,
    PartnershipSettings,
    Person,
    PersonRole,
    PersonRoleLink,
)
from kwaliteit.sqldates import school_year_of
from kwaliteit.trainings.models import (
    Training,
    TrainingForm,
    TrainingKind,
    TrainingSafeguard,
    TrainingSession,
    session_trainer,
    training_organisation,
)

SEED = 20261207
TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
DOMAIN = "bench.example"
BENCH_PASSWORD = "bench-wachtwoord-2026"
ADMIN_EMAIL = f"beheerder@{DOMAIN}"


def coordinator_email(n: int) -> str:
    """The coordinator of the n-th partnership (from 1)."""
    return f"coordinator{n}@{DOMAIN}"


@dataclass(frozen=True)
class Size:
    name: str
    partnerships: int
    mentors: int
    trainers: int  # per partnership
    trainings: int
    sessions: int
    responses: int  # trainer and participant responses together
    answers: int  # the target; the open answers' share is set to come near it
    years: tuple[int, ...]  # the school years (starting years) of the sessions


SIZES = {
    s.name: s
    for s in (
        Size("tiny", 2, 40, 4, 6, 36, 240, 2_140, (2025, 2026)),
        Size("partnership", 3, 600, 14, 30, 210, 1_300, 11_500, (2024, 2025, 2026)),
        Size("region", 3, 8_000, 100, 400, 19_828, 197_098, 1_760_000, (2022, 2023, 2024, 2025, 2026)),
        Size("country", 100, 60_000, 30, 3_000, 150_000, 1_500_000, 13_400_000, (2022, 2023, 2024, 2025, 2026)),
    )
}

TRAINING_TITLES = {
    TrainingKind.BASIC: ("Basistraining mentoren", "Basistraining begeleiden van startende leraren",
                         "Online basismodule mentorschap"),
    TrainingKind.ADVANCED: ("Verdiepingstraining feedback geven", "Verdiepingstraining beoordelen",
                            "Verdiepingstraining coachend begeleiden", "Verdiepingstraining onderzoekend begeleiden"),
    TrainingKind.REFRESHER: ("Opfrisbijeenkomst begeleidingsgesprekken", "Opfrisbijeenkomst kwaliteitskader"),
    TrainingKind.TRAIN_THE_TRAINER: ("Train-de-trainer mentortraining", "Train-de-trainer intervisie"),
}
KIND_WEIGHTS = {TrainingKind.BASIC: 35, TrainingKind.ADVANCED: 30, TrainingKind.REFRESHER: 25,
                TrainingKind.TRAIN_THE_TRAINER: 10}
MENTOR_KINDS = (TrainingKind.BASIC, TrainingKind.ADVANCED, TrainingKind.REFRESHER)
START_TIMES = (clock_time(9), clock_time(13, 30), clock_time(15, 30), clock_time(19, 30))
BATCH = 100_000  # rows per bulk insert


def _stamp(d: date, hour: int = 17) -> datetime:
    return datetime.combine(d, clock_time(hour), tzinfo=UTC)


class _Ids:
    """Explicit primary keys: the next free id of each table, handed out in order."""

    def __init__(self, db: Session):
        self.db = db
        self.next: dict[str, int] = {}

    def take(self, table: Table, n: int = 1) -> int:
        if table.name not in self.next:
            self.next[table.name] = (self.db.scalar(select(func.max(table.c.id))) or 0) + 1
        first = self.next[table.name]
        self.next[table.name] += n
        return first


def _load(db: Session, table: Table, columns: Sequence[str], rows: list[tuple]) -> None:
    """Bulk insert in batches. SQLite takes the rows of plain columns (integers, text) straight
    through the driver, which saves SQLAlchemy's per-row work on the million answer rows."""
    if db.get_bind().dialect.name == "sqlite" and table.name in ("answer", "response", "participant_link"):
        cursor = db.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        for first in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[first:first + BATCH])
        cursor.close()
        return
    for first in range(0, len(rows), BATCH):
        bulk_insert(db, table, columns, rows[first:first + BATCH])


def _spread(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder): the parts sum to `total`."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    parts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: parts[i] - shares[i])
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _has(module: str) -> Any:
    """The module when this version of the application has it (it may come with a later merge)."""
    return importlib.import_module(module) if importlib.util.find_spec(module) is not None else None


def generate(
    db: Session, size: str | Size, seed: int = SEED, today: date = TODAY, statistics: bool = True
) -> dict[str, int]:
    """Fill the database with a dataset of `size`; commits, runs ANALYZE (unless not
    `statistics`) and returns summary(db)."""
    spec = SIZES[size] if isinstance(size, str) else size
    rng = random.Random(seed)
    now = _stamp(today, 12)
    load_framework(db)
    questionnaires.load_default_questionnaires(db)
    db.flush()
    safeguards = [(sg.id, sg.code) for sg in current_safeguards(db)]
    versions = {}
    for audience in (Audience.PARTICIPANT, Audience.TRAINER):
        qid = questionnaires.default_questionnaire_id(db, audience)
        assert qid is not None  # loaded above
        vid = questionnaires.current_version_id(db, qid)
        assert vid is not None
        versions[audience] = questionnaires.load_version(db, vid)
    ids = _Ids(db)
    table_of = {m: m.__table__ for m in (Partnership, Organisation, Person, Training, TrainingSession)}

    # ------------------------------------------------------------------ partnerships, organisations
    partnership_rows: list[tuple] = []
    org_rows: list[tuple] = []
    p_first = ids.take(table_of[Partnership], spec.partnerships)
    mentors_per_p = _spread(spec.mentors, [1.0] * spec.partnerships)
    schools_of: dict[int, list[tuple[int, int]]] = {}  # partnership -> (school id, board id)
    institute_of: dict[int, int] = {}
    for n in range(spec.partnerships):
        pid = p_first + n
        partnership_rows.append((pid, f"Benchpartnerschap {n + 1:03d}", now))
        n_schools = max(3, mentors_per_p[n] // 40)
        n_boards = max(2, n_schools // 12)
        boards = []
        for b in range(n_boards):
            oid = ids.take(table_of[Organisation])
            org_rows.append((oid, pid, f"Stichting Onderwijs {n + 1}-{b + 1}", OrganisationKind.BOARD.value, None))
            boards.append(oid)
        oid = ids.take(table_of[Organisation])
        org_rows.append((oid, pid, f"Pabo Benchhogeschool {n + 1}", OrganisationKind.INSTITUTE.value, None))
        institute_of[pid] = oid
        schools_of[pid] = []
        for s in range(n_schools):
            board = boards[s % n_boards]
            oid = ids.take(table_of[Organisation])
            name = f"{('OBS', 'CBS', 'KBS', 'IKC')[s % 4]} {SCHOOL_NAMES[s % len(SCHOOL_NAMES)]} {s + 1}"
            org_rows.append((oid, pid, name, OrganisationKind.SCHOOL.value, board))
            schools_of[pid].append((oid, board))
    _load(db, table_of[Partnership], ("id", "name", "created_at"), partnership_rows)
    # The second partnership raised its anonymity threshold (as some do): every figure looks it up
    # per partnership. No draw from rng, so the rest of the data stays as it was.
    if spec.partnerships > 1:
        _load(db, PartnershipSettings.__table__, ("partnership_id", "min_answers_shown"), [(p_first + 1, 7)])
    # Boards and institutes before the schools that point at them.
    org_rows.sort(key=lambda r: r[4] is not None)
    _load(db, table_of[Organisation], ("id", "partnership_id", "name", "kind", "parent_id"), org_rows)

    # ------------------------------------------------------------------ persons
    person_rows, role_rows = [], []
    trainers_of: dict[int, list[int]] = {}
    mentors_of: dict[int, list[tuple[int, int, int]]] = {}  # partnership -> (person, school, board)

    def person(org: int, role: PersonRole) -> int:
        pid = ids.take(table_of[Person])
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        person_rows.append((pid, name, f"p{pid}@{DOMAIN}", org, now, None))
        role_rows.append((pid, role.value))
        return pid

    for n in range(spec.partnerships):
        p = p_first + n
        schools = schools_of[p]
        trainers_of[p] = [
            person(rng.choice(schools)[0], PersonRole.SCHOOL_EDUCATOR) if rng.random() < 0.6
            else person(institute_of[p], PersonRole.INSTITUTE_EDUCATOR)
            for _ in range(spec.trainers)
        ]
        mentors_of[p] = []
        for _ in range(mentors_per_p[n]):
            school, board = rng.choice(schools)
            mentors_of[p].append((person(school, PersonRole.MENTOR), school, board))
    _load(db, table_of[Person], ("id", "name", "email", "organisation_id", "created_at", "anonymised_at"), person_rows)
    _load(db, PersonRoleLink.__table__, ("person_id", "role"), role_rows)
    person_rows.clear()
    role_rows.clear()

    # ------------------------------------------------------------------ trainings
    training_rows: list[tuple] = []
    link_rows: list[tuple] = []
    org_link_rows: list[tuple] = []
    trainings_of: dict[int, list[tuple[int, TrainingKind, bool]]] = {}
    per_p = _spread(spec.trainings, [1.0] * spec.partnerships)
    kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    for n in range(spec.partnerships):
        p = p_first + n
        trainings_of[p] = []
        for k in range(per_p[n]):
            kind = TrainingKind.TRAIN_THE_TRAINER if k == 0 else rng.choices(kinds, weights)[0]
            tid = ids.take(table_of[Training])
            titles = TRAINING_TITLES[kind]
            title = f"{titles[k % len(titles)]} {k + 1}"
            active = k < 2 or rng.random() < 0.9
            form = rng.choice(list(TrainingForm))
            training_rows.append((tid, p, title, kind.value, form.value, Decimal(rng.choice((2, 3, 6, 8, 12, 24))),
                                  "", active, now))
            trainings_of[p].append((tid, kind, active))
            org_link_rows.append((tid, institute_of[p]))
            if rng.random() < 0.6:
                org_link_rows.append((tid, rng.choice(schools_of[p])[1]))
            if rng.random() >= 0.08:  # a few serve no safeguard: a gap for the coverage screens
                for sg_id, code in rng.sample(safeguards, rng.randint(1, 3)):
                    link_rows.append((tid, sg_id, f"Deze training draagt bij aan waarborg {code}."))
    _load(db, table_of[Training], ("id", "partnership_id", "title", "kind", "form", "contact_hours", "description",
                                   "active", "created_at"), training_rows)
    _load(db, training_organisation, ("training_id", "organisation_id"), org_link_rows)
    _load(db, TrainingSafeguard.__table__, ("training_id", "safeguard_id", "rationale"), link_rows)

    # ------------------------------------------------------------------ sessions
    # (training, year) pairs; an inactive training has sessions only in the earlier years.
    pairs = [
        (p, tid, kind, year)
        for p in trainings_of for tid, kind, active in trainings_of[p]
        for year in (spec.years if active else spec.years[: max(1, len(spec.years) - 2)])
    ]
    counts = _spread(spec.sessions, [rng.uniform(0.5, 1.5) for _ in pairs])
    session_table = table_of[TrainingSession]
    with_year = "school_year" in session_table.c  # stored by a later migration, when present
    sessions: list[dict] = []
    for (p, tid, kind, year), count in zip(pairs, counts, strict=True):
        if not count:
            continue
        for day in sorted(_session_dates(rng, year, count)):
            cancelled = rng.random() < 0.02
            sessions.append(dict(
                id=ids.take(session_table), partnership=p, training_id=tid, kind=kind, date=day,
                start_time=rng.choice(START_TIMES), location=rng.choice(("Zaal 1", "Online (Teams)", "Aula")),
                cancelled=cancelled,
                trainers=rng.sample(trainers_of[p], 2 if rng.random() < 0.6 else 1),
            ))
    past = [ts for ts in sessions if ts["date"] <= today and not ts["cancelled"]]

    # The trainers' evaluations (as in evaluaties.demo): most in, recent ones often not yet, a few waived.
    trainer_v, participant_v = versions[Audience.TRAINER], versions[Audience.PARTICIPANT]
    level: dict[int, float] = {}
    for ts in past:
        age = (today - ts["date"]).days
        roll = rng.random()
        if roll < 0.04 and age > 30:
            ts["trainer"] = "waived"
        elif (age > 21 and roll < 0.88) or (age <= 21 and roll < 0.4):
            ts["trainer"] = "done"
    trainer_done = sum(1 for ts in past if ts.get("trainer") == "done")
    participant_total = spec.responses - trainer_done
    answered = _spread(participant_total, [rng.uniform(0.3, 1.0) for _ in past])
    for ts, n in zip(past, answered, strict=True):
        ts["answered"] = n
        ts["participant_count"] = n + rng.randint(0, max(1, n // 2))
    for ts in sessions:
        ts.setdefault("answered", 0)
        ts.setdefault("participant_count", rng.randint(8, 20))
    columns = ["id", "training_id", "date", "start_time", "location", "participant_count", "cancelled_at",
               "cancel_reason", "created_at"]
    session_rows = [
        (ts["id"], ts["training_id"], ts["date"], ts["start_time"], ts["location"], ts["participant_count"],
         _stamp(ts["date"] - timedelta(days=3)) if ts["cancelled"] else None,
         "Te weinig aanmeldingen." if ts["cancelled"] else None, now)
        + ((school_year_of(ts["date"]),) if with_year else ())
        for ts in sessions
    ]
    _load(db, session_table, columns + (["school_year"] if with_year else []), session_rows)
    _load(db, session_trainer, ("session_id", "person_id"),
          [(ts["id"], person_id) for ts in sessions for person_id in ts["trainers"]])
    del session_rows

    # ------------------------------------------------------------------ responses and answers
    open_q = [q for q in participant_v.questions if q.type is QuestionType.OPEN]
    closed_p = [q for q in participant_v.questions if q.type is not QuestionType.OPEN]
    trainer_answers = sum(
        1 for q in trainer_v.questions if q.type is not QuestionType.OPEN or q.required
    ) * trainer_done
    # The share of participants who write a remark, so that the answers come near the target.
    open_share = (spec.answers - trainer_answers * 1.05) / max(1, participant_total) - len(closed_p)
    open_share = min(1.0, max(0.0, open_share / max(1, len(open_q))))
    response_rows: list[tuple] = []
    answer_rows: list[tuple] = []
    request_rows: list[tuple] = []
    answer_table, response_table = Answer.__table__, Response.__table__
    answer_id = ids.take(answer_table, 0)
    def flush_answers() -> None:
        """Responses, then their answers, a batch at a time: the country's answers never sit in
        memory all at once."""
        _load(db, response_table, ("id", "session_id", "version_id", "audience", "source"), response_rows)
        _load(db, answer_table, ("id", "response_id", "question_id", "value_int", "value_text"), answer_rows)
        response_rows.clear()
        answer_rows.clear()

    for ts in past:
        if len(answer_rows) >= BATCH:
            flush_answers()
        base = level.setdefault(ts["training_id"], rng.uniform(3.2, 4.3))
        year_gain = 0.1 * (school_year_of(ts["date"]) - spec.years[0])
        if ts.get("trainer") == "done":
            rid = ids.take(response_table)
            response_rows.append((rid, ts["id"], trainer_v.id, Audience.TRAINER.value, ResponseSource.TRAINER.value))
            went_well, change = rng.choice(TRAINER_REMARKS)
            for q in trainer_v.questions:
                if q.type is QuestionType.OPEN:
                    remark = {"goed_ging": went_well, "anders": change}.get(q.code)
                    if remark is None and rng.random() < 0.3:
                        remark = "Geen bijzonderheden."
                    if remark is not None:
                        answer_rows.append((answer_id, rid, q.id, None, remark))
                        answer_id += 1
                else:
                    answer_rows.append((answer_id, rid, q.id, _closed_value(rng, q, base + year_gain, 0.7), None))
                    answer_id += 1
            request_rows.append((ts["id"], None, None, rid, _stamp(ts["date"] + timedelta(days=3)), ts["trainers"][0]))
        elif ts.get("trainer") == "waived":
            request_rows.append((ts["id"], _stamp(ts["date"]), "Bijeenkomst gegeven door een invaller.", None, None,
                                 None))
        for _ in range(ts["answered"]):
            rid = ids.take(response_table)
            response_rows.append((rid, ts["id"], participant_v.id, Audience.PARTICIPANT.value,
                                  ResponseSource.LINK.value))
            for q in closed_p:
                answer_rows.append((answer_id, rid, q.id, _closed_value(rng, q, base + year_gain, 0.8), None))
                answer_id += 1
            for q in open_q:
                if rng.random() < open_share:
                    answer_rows.append((answer_id, rid, q.id, None, rng.choice(OPEN_REMARKS)))
                    answer_id += 1
    ids.next[answer_table.name] = answer_id
    flush_answers()
    request_table = EvaluationRequest.__table__
    _load(db, request_table, ("id", "session_id", "audience", "waived_at", "waived_reason", "waived_by_id",
                              "response_id", "submitted_at", "submitted_by_id", "locked_at"),
          [(ids.take(request_table), sid, Audience.TRAINER.value, w_at, w_why, None, rid, s_at, by, None)
           for sid, w_at, w_why, rid, s_at, by in request_rows])

    # Participant links: one shared link for the group, or one link per participant.
    link_table = ParticipantLink.__table__
    participant_links: list[tuple] = []
    for ts in past:
        if rng.random() < 0.5:
            participant_links.append((ids.take(link_table), ts["id"], f"{rng.getrandbits(144):036x}", LinkKind.SHARED.value,
                              ts["participant_count"], ts["answered"], None, now))
        else:
            for i in range(ts["participant_count"]):
                participant_links.append((ids.take(link_table), ts["id"], f"{rng.getrandbits(144):036x}",
                                  LinkKind.SINGLE.value, 1, 1 if i < ts["answered"] else 0, None, now))
    _load(db, link_table, ("id", "session_id", "token", "kind", "max_uses", "used_count", "closed_at", "created_at"),
          participant_links)
    participant_links.clear()

    # ------------------------------------------------------------------ the register
    qualification_rows = []
    for p, trainers in trainers_of.items():
        ttt = [tid for tid, kind, _a in trainings_of[p] if kind is TrainingKind.TRAIN_THE_TRAINER]
        for person_id in trainers:
            if rng.random() < 0.85:
                on = today - timedelta(days=rng.randint(30, 8 * 365))
                internal = ttt and rng.random() < 0.7
                qualification_rows.append((
                    ids.take(TrainerQualification.__table__), person_id, rng.choice(ttt) if internal else None,
                    None if internal else "Train-de-trainer (extern)", on, DEFAULTS.qualification_valid_until(on),
                    None, now))
    _load(db, TrainerQualification.__table__, ("id", "person_id", "training_id", "external_name", "completed_on",
                                               "valid_until", "number", "created_at"), qualification_rows)

    certificate_rows, attendance_rows, mentorship_rows = [], [], []
    year = school_year_of(today)
    numbers: dict[int, int] = {}

    def certify(p: int, by_kind: dict[TrainingKind, list[int]], person_id: int, board: int, kind: TrainingKind,
                on: date) -> None:
        numbers[p] = numbers.get(p, 0) + 1
        training_id = rng.choice(by_kind[kind]) if by_kind[kind] and rng.random() < 0.7 else None
        certificate_rows.append((
            ids.take(Certificate.__table__), p, person_id, kind.value, training_id, None, on,
            DEFAULTS.certificate_valid_until(on), f"{on.year}-B{numbers[p]:06d}", Issuer.JOINT.value, board,
            institute_of[p], now))

    for p, mentors in mentors_of.items():
        by_kind: dict[TrainingKind, list[int]] = {k: [] for k in MENTOR_KINDS}
        for tid, kind, _a in trainings_of[p]:
            if kind in by_kind:
                by_kind[kind].append(tid)
        for person_id, school, board in mentors:
            r = rng.random()
            if r < 0.86:  # the rest have no basic training yet
                first = today - timedelta(days=rng.randint(60, 12 * 365))
                certify(p, by_kind, person_id, board, TrainingKind.BASIC, first)
                if r < 0.4 and (today - first).days > 400:
                    later = first + timedelta(days=rng.randint(365, (today - first).days))
                    certify(p, by_kind, person_id, board,
                            rng.choice((TrainingKind.ADVANCED, TrainingKind.REFRESHER)), later)
            for school_year in (year, year - 1):
                if rng.random() < 0.45:
                    mentorship_rows.append((
                        ids.take(Mentorship.__table__), person_id, school, school_year,
                        rng.choices(list(StudentKind), weights=(5, 4, 2, 2, 2, 1))[0].value,
                        rng.choices((1, 2, 3), weights=(8, 3, 1))[0], now))
    # Attendance of the past mentor-training sessions, by mentors of the partnership.
    for ts in past:
        if ts["kind"] in MENTOR_KINDS:
            for person_id, _school, _board in rng.sample(mentors_of[ts["partnership"]],
                                                          min(ts["participant_count"], len(mentors_of[ts["partnership"]]))):
                attendance_rows.append((ts["id"], person_id, now))
    _load(db, Certificate.__table__, ("id", "partnership_id", "person_id", "kind", "training_id", "session_id",
                                      "issued_on", "valid_until", "number", "issued_by", "board_id", "institute_id",
                                      "created_at"), certificate_rows)
    _load(db, Attendance.__table__, ("session_id", "person_id", "created_at"), attendance_rows)
    _load(db, Mentorship.__table__, ("id", "person_id", "school_id", "school_year", "student_kind", "students",
                                     "created_at"), mentorship_rows)

    # ------------------------------------------------------------------ accounts
    admin = create_user(db, ADMIN_EMAIL, Role.ADMIN, BENCH_PASSWORD, name="Bench Beheerder")
    first = create_user(db, coordinator_email(1), Role.COORDINATOR, BENCH_PASSWORD, name="Bench Coördinator 1",
                        partnership_names=[f"Benchpartnerschap {1:03d}"])
    db.flush()
    owner_of = {p_first: first.id}
    user_table = User.__table__
    user_rows, member_rows = [], []
    for n in range(1, spec.partnerships):  # the others share the first one's password hash
        uid = ids.take(user_table)
        user_rows.append((uid, coordinator_email(n + 1), f"Bench Coördinator {n + 1}", first.password_hash,
                          Role.COORDINATOR.value, True, None, now, 0))
        member_rows.append((uid, p_first + n))
        owner_of[p_first + n] = uid
    _load(db, user_table, ("id", "email", "name", "password_hash", "role", "is_enabled", "person_id", "created_at",
                           "session_version"), user_rows)
    _load(db, user_partnership, ("user_id", "partnership_id"), member_rows)

    # ------------------------------------------------------------------ review cycles
    cycle_rows, action_rows = [], []
    for p, trainings in trainings_of.items():
        for tid, _kind, active in trainings:
            for y in spec.years if active else spec.years[: max(1, len(spec.years) - 2)]:
                cid = ids.take(ReviewCycle.__table__)
                done = y < year
                cycle_rows.append((
                    cid, tid, y, date(y, 10, 1), date(y + 1, 7, 1), date(y + 1, 7, 31), owner_of[p],
                    "Doelen voor dit schooljaar.", "", "", "", "",
                    _stamp(date(y, 9, 28)) if done or rng.random() < 0.6 else None,
                    _stamp(date(y + 1, 6, 28)) if done else None,
                    _stamp(date(y + 1, 7, 25)) if done and rng.random() < 0.9 else None, now))
                if rng.random() < 0.3:
                    status = ActionStatus.DONE if done else rng.choice((ActionStatus.OPEN, ActionStatus.IN_PROGRESS))
                    action_rows.append((
                        ids.take(ImprovementAction.__table__), cid, "Meer tijd voor oefenen in tweetallen.",
                        "Deelnemers vroegen om meer oefentijd.", owner_of[p], date(y + 1, 3, 1),
                        rng.choice(safeguards)[0], status.value, rng.random() < 0.3,
                        date(y + 1, 2, 1) if status is ActionStatus.DONE else None, now))
    _load(db, ReviewCycle.__table__, (
        "id", "training_id", "school_year", "plan_due", "check_due", "act_due", "owner_id", "plan_text",
        "analysis_right_things", "analysis_things_right", "analysis_how_we_know", "analysis_others_agree",
        "plan_done_at", "check_done_at", "act_done_at", "created_at"), cycle_rows)
    _load(db, ImprovementAction.__table__, ("id", "cycle_id", "description", "finding", "owner_id", "due_on",
                                            "safeguard_id", "status", "public", "done_on", "created_at"),
          action_rows)

    # ------------------------------------------------------------------ sequences, tallies, statistics
    if db.get_bind().dialect.name == "postgresql":
        for name in ids.next:
            db.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"(SELECT coalesce(max(id), 1) FROM {name}))"))
    tally = _has("evaluaties.results.tally")
    if tally is not None:  # pre-aggregated results, when this version has them
        tally.rebuild(db)
    del admin
    db.commit()
    if statistics:
        analyze(db)
    return summary(db)


def analyze(db: Session) -> None:
    """Fresh planner statistics after the load (ANALYZE is allowed in a transaction on both)."""
    db.execute(text("ANALYZE"))
    db.commit()


SUMMARY_TABLES = (Partnership, Organisation, Person, Training, TrainingSession, Response, Answer, EvaluationRequest,
                  ParticipantLink, TrainerQualification, Certificate, Attendance, Mentorship, ReviewCycle,
                  ImprovementAction, User)


def summary(db: Session) -> dict[str, int]:
    """Row counts of the generated tables and checksums that do not depend on the ids: equal for
    two runs of the same size and seed."""
    out = {m.__tablename__: db.scalar(select(func.count()).select_from(m)) or 0 for m in SUMMARY_TABLES}
    out["session_trainer"] = db.scalar(select(func.count()).select_from(session_trainer)) or 0
    out["sum answer.value_int"] = db.scalar(select(func.coalesce(func.sum(Answer.value_int), 0))) or 0
    out["open answers"] = db.scalar(select(func.count()).where(Answer.value_text.is_not(None))) or 0
    out["sum session days"] = int(db.scalar(select(func.sum(
        func.extract("day", TrainingSession.date) + 31 * func.extract("month", TrainingSession.date)))) or 0)
    out["sum participant_count"] = db.scalar(select(func.coalesce(func.sum(TrainingSession.participant_count), 0))) or 0
    out["sum used_count"] = db.scalar(select(func.coalesce(func.sum(ParticipantLink.used_count), 0))) or 0
    out["sum name lengths"] = db.scalar(select(func.coalesce(func.sum(func.length(Person.name)), 0))) or 0
    return out


def generate_url(url: str, size: str, seed: int = SEED, statistics: bool = True) -> tuple[dict[str, int], float]:
    """Migrate the database at `url` to head, fill it; the summary and the seconds it took."""
    from bench.results_bench import migrate

    started = time.perf_counter()
    migrate(url)
    engine = make_engine(url)
    try:
        with Session(engine) as db:
            counts = generate(db, size, seed, statistics=statistics)
    finally:
        engine.dispose()
    return counts, time.perf_counter() - started


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=list(SIZES), default="partnership")
    parser.add_argument("--url", required=True, help="an empty database (migrated to head here)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-analyze", action="store_true", help="leave the query planner without statistics")
    args = parser.parse_args(argv)
    counts, seconds = generate_url(args.url, args.size, args.seed, statistics=not args.no_analyze)
    print(f"generated {args.size} in {seconds:.1f} s")
    for name, value in counts.items():
        print(f"  {name:24} {value:>12,}")


if __name__ == "__main__":
    main()
