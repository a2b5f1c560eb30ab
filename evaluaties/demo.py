"""Evaluations for the demo region: what the sessions before the reference date would have
collected, so that statuses, response rates and results have something to show.

Deterministic (its own random.Random) and fast (bulk inserts). Called by kwaliteit.demo.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from evaluaties.answers.links import new_token
from evaluaties.answers.models import (
    Answer,
    EvaluationRequest,
    LinkKind,
    ParticipantLink,
    Response,
    ResponseSource,
)
from evaluaties.questionnaires import services as questionnaires
from evaluaties.questionnaires.models import GRADE_FACTOR, Audience, QuestionType, multi_mask
from evaluaties.results import tally
from kwaliteit.registry.models import OrganisationKind, Person
from kwaliteit.trainings.models import TrainingSession

SEED = 31415
OPEN_REMARKS = [
    "Fijne bijeenkomst, veel geleerd over feedback geven.",
    "Graag meer tijd voor het oefenen van gesprekken.",
    "De casussen uit de praktijk waren erg herkenbaar.",
    "Locatie was lastig te bereiken met het OV.",
    "Goede afwisseling tussen theorie en oefenen.",
    "Ik had graag meer voorbeelden uit het speciaal onderwijs gezien.",
]
TRAINER_REMARKS = [
    (
        "Actieve groep, goede uitwisseling over begeleidingsgesprekken.",
        "Meer tijd voor de oefening met de observatietool.",
    ),
    ("De tandem werkte goed: praktijk en theorie sloten aan.", "Het theoriedeel inkorten."),
    ("Deelnemers brachten eigen casussen mee.", "Vooraf de verwachtingen van deelnemers uitvragen."),
]


# The finding the dashboard's composition split is about: mentors rate a session lower when only
# institute-based educators give it than when a tandem of a school- and an institute-based
# educator does. Added to the level of the participants' answers (it draws no random numbers, so
# the rest of the demo stays the same).
COMPOSITION_EFFECT = {"tandem": 0.25, "school": 0.05, "institute": -0.4}


def _composition(ts: TrainingSession) -> str:
    kinds = {p.organisation.kind for p in ts.trainers}
    school = bool(kinds & {OrganisationKind.SCHOOL, OrganisationKind.BOARD})
    institute = OrganisationKind.INSTITUTE in kinds
    return "tandem" if school and institute else "institute" if institute else "school"


def _stamp(d: date) -> datetime:
    return datetime.combine(d, time(17, 0), tzinfo=UTC)


def _closed_value(rng: random.Random, q, level: float, spread: float) -> int:
    """A plausible value_int for a closed question around `level` (on the scale 1-5)."""
    if q.type is QuestionType.SCALE:
        return max(1, min(5, round(rng.gauss(level, spread))))
    if q.type is QuestionType.GRADE:
        # The same level as a grade, in halves as people give them (7, 7,5, 8): 4 on 1-5 is about 7,5.
        grade = 2.5 + 1.25 * rng.gauss(level, spread)
        return max(GRADE_FACTOR, min(10 * GRADE_FACTOR, round(grade * 2) * GRADE_FACTOR // 2))
    if q.type is QuestionType.YES_NO:
        return 1 if rng.random() < 0.6 else 0
    if q.type is QuestionType.MULTI:
        k = rng.randint(1, min(3, len(q.options)))
        return multi_mask(rng.sample(range(len(q.options)), k))
    return rng.choice(range(len(q.options)))


def seed_demo_evaluations(db: Session, reference: date) -> None:
    rng = random.Random(SEED)
    trainer_q = questionnaires.default_questionnaire_id(db, Audience.TRAINER)
    participant_q = questionnaires.default_questionnaire_id(db, Audience.PARTICIPANT)
    assert trainer_q is not None and participant_q is not None  # loaded before the demo data
    trainer_vid = questionnaires.current_version_id(db, trainer_q)
    participant_vid = questionnaires.current_version_id(db, participant_q)
    assert trainer_vid is not None and participant_vid is not None  # published when loaded
    trainer_v = questionnaires.load_version(db, trainer_vid)
    participant_v = questionnaires.load_version(db, participant_vid)
    sessions = list(
        db.scalars(
            select(TrainingSession)
            .where(TrainingSession.date <= reference)
            .order_by(TrainingSession.id)
            .options(selectinload(TrainingSession.trainers).selectinload(Person.organisation))
        )
    )
    # A per-training level and a gentle improvement over the school years: trends to look at.
    level: dict[int, float] = {}
    responses: list[dict] = []
    answers_per_response: list[dict[int, tuple[int | None, str | None]]] = []
    links: list[dict] = []
    requests: list[dict[str, Any]] = []
    for ts in sessions:
        base = level.setdefault(ts.training_id, rng.uniform(3.2, 4.3))
        year_gain = 0.15 * (ts.date.year - 2024)
        age = (reference - ts.date).days

        # The trainer's evaluation: most are in; recent ones often not yet; a few waived.
        roll = rng.random()
        if roll < 0.04 and age > 30:
            requests.append(
                dict(
                    session_id=ts.id,
                    audience=Audience.TRAINER,
                    waived_at=_stamp(ts.date),
                    waived_reason="Bijeenkomst gegeven door een invaller.",
                )
            )
        elif (age > 21 and roll < 0.88) or (age <= 21 and roll < 0.4):
            went_well, change = rng.choice(TRAINER_REMARKS)
            raw: dict[int, tuple[int | None, str | None]] = {}
            for q in trainer_v.questions:
                if q.type is QuestionType.OPEN:
                    raw[q.id] = (None, {"goed_ging": went_well, "anders": change}.get(q.code))
                else:
                    raw[q.id] = (_closed_value(rng, q, base + year_gain, 0.7), None)
            responses.append(
                dict(
                    session_id=ts.id,
                    version_id=trainer_v.id,
                    audience=Audience.TRAINER,
                    source=ResponseSource.TRAINER,
                )
            )
            answers_per_response.append(raw)
            submitted_by = ts.trainers[0].id if ts.trainers else None
            requests.append(
                dict(
                    session_id=ts.id,
                    audience=Audience.TRAINER,
                    _response=len(responses) - 1,
                    submitted_at=_stamp(ts.date + timedelta(days=3)),
                    submitted_by_id=submitted_by,
                )
            )

        # Participants: one link each; a share of them answered.
        n_links = ts.participant_count
        answered = round(n_links * rng.uniform(0.25, 0.9))
        for i in range(n_links):
            links.append(
                dict(
                    session_id=ts.id,
                    token=new_token(),
                    kind=LinkKind.SINGLE,
                    max_uses=1,
                    used_count=1 if i < answered else 0,
                )
            )
        effect = COMPOSITION_EFFECT[_composition(ts)]
        for _ in range(answered):
            raw = {}
            for q in participant_v.questions:
                if q.type is QuestionType.OPEN:
                    if rng.random() < 0.3:
                        raw[q.id] = (None, rng.choice(OPEN_REMARKS))
                elif q.required or rng.random() < 0.8:
                    raw[q.id] = (_closed_value(rng, q, base + year_gain + effect, 0.8), None)
            responses.append(
                dict(
                    session_id=ts.id,
                    version_id=participant_v.id,
                    audience=Audience.PARTICIPANT,
                    source=ResponseSource.LINK,
                )
            )
            answers_per_response.append(raw)

    ids = list(db.scalars(insert(Response).returning(Response.id, sort_by_parameter_order=True), responses))
    db.execute(
        insert(Answer),
        [
            dict(response_id=rid, question_id=qid, value_int=vi, value_text=vt)
            for rid, raw in zip(ids, answers_per_response, strict=True)
            for qid, (vi, vt) in raw.items()
        ],
    )
    for r in requests:
        if "_response" in r:
            r["response_id"] = ids[r.pop("_response")]
    db.execute(
        insert(EvaluationRequest),
        [
            dict(
                dict(
                    waived_at=None,
                    waived_reason=None,
                    response_id=None,
                    submitted_at=None,
                    submitted_by_id=None,
                ),
                **r,
            )
            for r in requests
        ],
    )
    db.execute(insert(ParticipantLink), links)
    # The tally and the link counts of what was just inserted, as the services keep them.
    tally.rebuild(db, sorted({r["session_id"] for r in responses} | {link["session_id"] for link in links}))
    db.flush()
