"""Keeping the tally and the rollup (evaluaties.results.models) true: every write of answers goes
through here.

`count` adds responses in the caller's transaction: three statements whatever their number, each
an INSERT .. ON CONFLICT DO UPDATE, so two answers at the same moment add up instead of failing on
the key. `change` replaces a trainer's evaluation by the net difference. `withdraw_session` and
`restore_session` move a session's answers out of and into the rollup (a new school year, a
cancellation). `count_links` keeps the links per session (LinkTally) with every link made.
`rebuild` and `differences` recompute everything from the raw answers and links
(`flask results verify [--repair]`).
"""
from __future__ import annotations

import functools
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, case, delete, distinct, func, literal, literal_column, select
from sqlalchemy.orm import Session

from evaluaties.answers.models import Answer, LinkKind, ParticipantLink, Response, ResponseSource
from evaluaties.questionnaires.models import Audience, Question, QuestionnaireVersion
from evaluaties.results.models import (
    ALL_RESPONSES,
    NO_VALUE,
    AnswerRollup,
    AnswerTally,
    LinkTally,
    ResponseTally,
)
from kwaliteit.db import conflict_insert
from kwaliteit.trainings.models import Training, TrainingSession

logger = logging.getLogger(__name__)

# (question_id, value_int) of one answer.
AnswerValue = tuple[int, int | None]


@dataclass(frozen=True)
class Group:
    """What the answers of one write share."""

    session: TrainingSession
    partnership_id: int  # the session's training's (the rollup's key)
    version: QuestionnaireVersion  # its questions say which safeguard each answer belongs to
    audience: Audience
    source: ResponseSource


def _counts(group: Group, responses: Iterable[Sequence[AnswerValue]]) -> tuple[Counter, Counter]:
    """Per safeguard code ('' for all) the responses, and per (question, value) the answers."""
    safeguards = {q.id: q.safeguard_code for q in group.version.questions if q.safeguard_code}
    per_safeguard: Counter[str] = Counter()
    per_value: Counter[tuple[int, int]] = Counter()
    for answers in responses:
        per_safeguard[ALL_RESPONSES] += 1
        per_safeguard.update({safeguards[qid] for qid, _v in answers if qid in safeguards})
        per_value.update((qid, NO_VALUE if v is None else v) for qid, v in answers)
    return per_safeguard, per_value


def _rows(group: Group, per_safeguard: dict, per_value: dict) -> list[tuple[Any, list[dict]]]:
    """The tally's and the rollup's rows for these counts, per table, in key order: every writer
    takes the rows' locks in this one order (tables, then keys), so two never wait on each other
    in a circle (PostgreSQL)."""
    ts = group.session
    key = dict(session_id=ts.id, version_id=group.version.id, source=group.source, audience=group.audience)
    rollup_key = dict(
        partnership_id=group.partnership_id, training_id=ts.training_id, school_year=ts.school_year,
        audience=group.audience,
    )
    values = sorted((k, n) for k, n in per_value.items() if n)
    return [
        (ResponseTally, [dict(key, safeguard=c, responses=n) for c, n in sorted(per_safeguard.items()) if n]),
        (AnswerTally, [dict(key, question_id=q, value=v, answers=n) for (q, v), n in values]),
        # A cancelled session is not part of the rollup (see AnswerRollup).
        (AnswerRollup, [] if ts.cancelled_at is not None else [
            dict(rollup_key, question_id=q, value=v, answers=n) for (q, v), n in values
        ]),
    ]


def count(db: Session, group: Group, responses: Iterable[Sequence[AnswerValue]]) -> None:
    """Add `responses` (each the (question_id, value_int) of its answers) to the tally and the
    rollup: three statements at most, whatever their number."""
    per_safeguard, per_value = _counts(group, responses)
    for model, rows in _rows(group, per_safeguard, per_value):
        _add(db, model, _COUNT[model], rows)


def change(
    db: Session, group: Group, removed: Iterable[Sequence[AnswerValue]], added: Iterable[Sequence[AnswerValue]]
) -> None:
    """Replace counted responses by others (a trainer's evaluation that is edited): only the net
    change per row, a row at a time in the one order of _rows, then the emptied rows go."""
    old_safeguard, old_value = _counts(group, removed)
    new_safeguard, new_value = _counts(group, added)
    per_safeguard = {k: new_safeguard[k] - old_safeguard[k] for k in old_safeguard | new_safeguard}
    per_value = {k: new_value[k] - old_value[k] for k in old_value | new_value}
    for model, rows in _rows(group, per_safeguard, per_value):
        column = _COUNT[model]
        for row in rows:
            # Taking away: the row exists (it was counted), so a plain UPDATE; an INSERT .. ON
            # CONFLICT would not do, as SQLite checks `>= 0` on the row to insert before the conflict.
            if row[column] > 0:
                _add(db, model, column, [row])
            else:
                _take(db, model, column, [dict(row, **{column: -row[column]})])
    _drop_empty(db, group.session.id, group.partnership_id, group.session.training_id)


def count_links(db: Session, session_id: int, links: int, single: int) -> None:
    """Add links made for a session (`single` of them single-use) to its LinkTally row: one
    upsert, so two coordinators making links at the same moment add up."""
    stmt = conflict_insert(db, LinkTally).values(session_id=session_id, links=links, single=single)
    db.execute(
        stmt.on_conflict_do_update(
            index_elements=["session_id"],
            set_={"links": LinkTally.links + stmt.excluded.links, "single": LinkTally.single + stmt.excluded.single},
        )
    )


def _drop_empty(db: Session, session_id: int, partnership_id: int, training_id: int) -> None:
    """An emptied row says nothing: leave the tally as rebuild would make it."""
    for model, column in ((ResponseTally, ResponseTally.responses), (AnswerTally, AnswerTally.answers)):
        db.execute(
            delete(model).where(model.session_id == session_id, column == 0).execution_options(synchronize_session=False)
        )
    db.execute(
        delete(AnswerRollup)
        .where(
            AnswerRollup.partnership_id == partnership_id,
            AnswerRollup.training_id == training_id,
            AnswerRollup.answers == 0,
        )
        .execution_options(synchronize_session=False)
    )


def _session_rollup_rows(session_id: int):
    """The rollup rows one session contributes, from its tally."""
    return (
        select(
            Training.partnership_id, TrainingSession.training_id, TrainingSession.school_year, AnswerTally.audience,
            AnswerTally.question_id, AnswerTally.value, func.sum(AnswerTally.answers).label("answers"),
        )
        .join(TrainingSession, TrainingSession.id == AnswerTally.session_id)
        .join(Training, Training.id == TrainingSession.training_id)
        .where(AnswerTally.session_id == session_id)
        .group_by(
            Training.partnership_id, TrainingSession.training_id, TrainingSession.school_year, AnswerTally.audience,
            AnswerTally.question_id, AnswerTally.value,
        )
    )


def withdraw_session(db: Session, session_id: int) -> None:
    """Take a session's answers out of the rollup: before its school year changes or when it is
    cancelled (the caller then calls restore_session when it counts again)."""
    rows = _sorted_rows(db, session_id)
    if not rows:
        return
    _take(db, AnswerRollup, "answers", rows)
    db.execute(
        delete(AnswerRollup)
        .where(
            AnswerRollup.partnership_id == rows[0]["partnership_id"],
            AnswerRollup.training_id == rows[0]["training_id"],
            AnswerRollup.answers == 0,
        )
        .execution_options(synchronize_session=False)
    )


def restore_session(db: Session, session_id: int) -> None:
    """Put a session's answers (back) into the rollup, under its current school year."""
    _add(db, AnswerRollup, "answers", _sorted_rows(db, session_id))


def _sorted_rows(db: Session, session_id: int) -> list[dict]:
    """A session's rollup rows in key order (see _rows: one order of locks for every writer)."""
    keys = [c.name for c in AnswerRollup.__table__.primary_key.columns]
    rows = [dict(r._mapping) for r in db.execute(_session_rollup_rows(session_id))]
    return sorted(rows, key=lambda row: tuple(_plain(row[k]) for k in keys))


def _add(db: Session, model, column: str, rows: list[dict]) -> None:
    if not rows:  # a response without answers adds to the responses only
        return
    db.execute(_add_statement(db.get_bind().dialect.name, model, column), rows)


@functools.cache
def _add_statement(dialect: str, model, column: str):
    """_add's upsert, built once per dialect, table and column and process: on the path of every
    anonymous answer, building it (`excluded` copies every column) cost more CPU than running it."""
    table = model.__table__
    stmt = conflict_insert(dialect, table)
    keys = [c.name for c in table.primary_key.columns]
    return stmt.on_conflict_do_update(index_elements=keys, set_={column: table.c[column] + stmt.excluded[column]})


def _take(db: Session, model, column: str, rows: list[dict]) -> None:
    if not rows:
        return
    table = model.__table__
    keys = [c.name for c in table.primary_key.columns]
    stmt = (
        table.update()
        .where(*(table.c[k] == bindparam(f"k_{k}") for k in keys))
        .values({column: table.c[column] - bindparam(f"k_{column}")})
    )
    db.connection().execute(stmt, [{f"k_{k}": v for k, v in row.items()} for row in rows])


_COUNT = {ResponseTally: "responses", AnswerTally: "answers", AnswerRollup: "answers"}


# ================================================================ from the raw answers


def _expected_answers(session_ids: Sequence[int] | None = None):
    stmt = (
        select(
            Response.session_id, Response.version_id, Response.source, Answer.question_id,
            func.coalesce(Answer.value_int, literal_column(str(NO_VALUE))).label("value"), Response.audience,
            func.count().label("answers"),
        )
        .join(Response, Response.id == Answer.response_id)
        .group_by(
            Response.session_id, Response.version_id, Response.source, Answer.question_id,
            func.coalesce(Answer.value_int, literal_column(str(NO_VALUE))), Response.audience,
        )
    )
    return stmt if session_ids is None else stmt.where(Response.session_id.in_(session_ids))


def _expected_responses(session_ids: Sequence[int] | None = None):
    """Every response per group, and per safeguard the responses that answered one of its questions."""
    group = (Response.session_id, Response.version_id, Response.source)
    every = select(*group, literal(ALL_RESPONSES).label("safeguard"), Response.audience, func.count().label("n"))
    tagged = (
        select(*group, Question.safeguard_code.label("safeguard"), Response.audience,
               func.count(distinct(Response.id)).label("n"))
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(Question.safeguard_code.is_not(None))
    )
    if session_ids is not None:
        every = every.where(Response.session_id.in_(session_ids))
        tagged = tagged.where(Response.session_id.in_(session_ids))
    every = every.group_by(*group, Response.audience)
    tagged = tagged.group_by(*group, Question.safeguard_code, Response.audience)
    return every.union_all(tagged)


def _expected_rollup():
    """The rollup from the raw answers: every session that is not cancelled."""
    value = func.coalesce(Answer.value_int, literal_column(str(NO_VALUE)))
    columns = (Training.partnership_id, TrainingSession.training_id, TrainingSession.school_year, Response.audience,
               Answer.question_id, value)
    return (
        select(*columns, func.count().label("answers"))
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(TrainingSession, TrainingSession.id == Response.session_id)
        .join(Training, Training.id == TrainingSession.training_id)
        .where(TrainingSession.cancelled_at.is_(None))
        .group_by(*columns)
    )


def _expected_links(session_ids: Sequence[int] | None = None):
    stmt = select(
        ParticipantLink.session_id,
        func.count().label("links"),
        func.sum(case((ParticipantLink.kind == LinkKind.SINGLE, 1), else_=0)).label("single"),
    ).group_by(ParticipantLink.session_id)
    return stmt if session_ids is None else stmt.where(ParticipantLink.session_id.in_(session_ids))


_ROLLUP_COLUMNS = ("partnership_id", "training_id", "school_year", "audience", "question_id", "value", "answers")
_ANSWER_COLUMNS = ("session_id", "version_id", "source", "question_id", "value", "audience", "answers")
_RESPONSE_COLUMNS = ("session_id", "version_id", "source", "safeguard", "audience", "responses")
_LINK_COLUMNS = ("session_id", "links", "single")


def rebuild(db: Session, session_ids: Sequence[int] | None = None) -> None:
    """Recompute the tally, the rollup and the link counts (of some sessions, or all) from the raw
    answers and links."""
    cancelled: set[int] = set()
    if session_ids is not None:
        cancelled = set(db.scalars(
            select(TrainingSession.id)
            .where(TrainingSession.id.in_(session_ids), TrainingSession.cancelled_at.is_not(None))
        ))
    # The rollup first, while the tally still says what it holds (a cancelled session has no rows there).
    if session_ids is not None:
        for session_id in session_ids:
            if session_id not in cancelled:
                withdraw_session(db, session_id)
    else:
        db.execute(delete(AnswerRollup).execution_options(synchronize_session=False))
    for model in (AnswerTally, ResponseTally, LinkTally):
        stmt = delete(model)
        if session_ids is not None:
            stmt = stmt.where(model.session_id.in_(session_ids))
        db.execute(stmt.execution_options(synchronize_session=False))
    db.execute(AnswerTally.__table__.insert().from_select(_ANSWER_COLUMNS, _expected_answers(session_ids)))
    db.execute(ResponseTally.__table__.insert().from_select(_RESPONSE_COLUMNS, _expected_responses(session_ids)))
    db.execute(LinkTally.__table__.insert().from_select(_LINK_COLUMNS, _expected_links(session_ids)))
    if session_ids is None:
        db.execute(AnswerRollup.__table__.insert().from_select(_ROLLUP_COLUMNS, _expected_rollup()))
        logger.info("tally and rollup rebuilt from the answers")
        return
    for session_id in session_ids:
        if session_id not in cancelled:
            restore_session(db, session_id)


@dataclass(frozen=True)
class Difference:
    table: str
    key: tuple
    stored: int
    expected: int

    def __str__(self) -> str:
        return f"{self.table} {self.key}: opgeslagen {self.stored}, berekend {self.expected}"


def _by_key(rows) -> dict[tuple, int]:
    return {tuple(_plain(v) for v in row[:-1]): int(row[-1]) for row in rows}


def _plain(v):
    return v.value if hasattr(v, "value") else v


def differences(db: Session) -> list[Difference]:
    """Every row where the stored tally and the raw answers (or links) disagree (nothing when it
    is true). The link counts are compared column by column: each difference names its count."""
    found: list[Difference] = []
    checks: list[tuple] = [
        ("answer_tally", AnswerTally, _ANSWER_COLUMNS, _expected_answers()),
        ("response_tally", ResponseTally, _RESPONSE_COLUMNS, _expected_responses()),
        ("answer_rollup", AnswerRollup, _ROLLUP_COLUMNS, _expected_rollup()),
    ]
    links = _expected_links().subquery()
    checks += [
        (f"link_tally.{column}", LinkTally, ("session_id", column), select(links.c.session_id, links.c[column]))
        for column in ("links", "single")
    ]
    for name, model, columns, expected_stmt in checks:
        stored = _by_key(db.execute(select(*(model.__table__.c[c] for c in columns))))
        expected = _by_key(db.execute(expected_stmt))
        for key in sorted(stored.keys() | expected.keys(), key=repr):
            if stored.get(key, 0) != expected.get(key, 0):
                found.append(Difference(name, key, stored.get(key, 0), expected.get(key, 0)))
    return found
