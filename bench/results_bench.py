"""Benchmark of the results and response-rate queries; run by hand, prints figures.

    python -m bench.results_bench                 # 50,000 answers in a fresh SQLite file
    python -m bench.results_bench --answers 200000 --repeat 7
    python -m bench.results_bench --url postgresql+psycopg://postgres@127.0.0.1:5432/bench

With --url the database must be empty (or hold only an earlier run of this benchmark): the
schema is migrated to head and the data are added with bulk INSERTs.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from evaluaties.answers.models import Answer, Response, ResponseSource
from evaluaties.questionnaires.models import GRADE_FACTOR, Audience, QuestionType
from evaluaties.questionnaires.services import applicable_version, load_default_questionnaires
from evaluaties.results import rates, tally
from evaluaties.results import services as results
from evaluaties.results.services import ResultFilters
from kwaliteit.db import make_engine
from kwaliteit.framework.services import load_framework
from kwaliteit.registry.models import Partnership
from kwaliteit.scope import Scope
from kwaliteit.trainings.models import Training, TrainingForm, TrainingKind, TrainingSession

TODAY = date(2026, 11, 22)


def migrate(url: str) -> None:
    from alembic import command

    from kwaliteit.cli import alembic_config

    command.upgrade(alembic_config(url), "head")


def build(s: Session, answers: int, trainings: int = 30, sessions_per_training: int = 12) -> dict:
    """Partnerships, trainings over three school years, sessions, and about `answers` answers."""
    load_framework(s)
    load_default_questionnaires(s)
    p = Partnership(name=f"Bench {time.time_ns()}")
    s.add(p)
    s.flush()
    s.execute(
        insert(Training),
        [dict(partnership_id=p.id, title=f"Benchtraining {p.id}-{i}", kind=TrainingKind.BASIC,
              form=TrainingForm.PHYSICAL, contact_hours=Decimal("6"), description="", active=True)
         for i in range(trainings)],
    )
    training_ids = s.scalars(select(Training.id).where(Training.partnership_id == p.id).order_by(Training.id)).all()
    start = date(2024, 9, 1)
    s.execute(
        insert(TrainingSession),
        [dict(training_id=tid, date=start + timedelta(days=(k * 75 + i * 3) % 1000), start_time=clock_time(14),
              location="Zaal", participant_count=15)
         for i, tid in enumerate(training_ids) for k in range(sessions_per_training)],
    )
    session_rows = s.execute(
        select(TrainingSession.id, TrainingSession.training_id, TrainingSession.date)
        .where(TrainingSession.training_id.in_(training_ids))
    ).all()
    version = applicable_version(s, training_ids[0], Audience.PARTICIPANT)
    assert version is not None  # the default questionnaires are loaded above
    questions = [(q.id, q.type) for q in version.questions]
    n_responses = max(1, answers // len(questions))
    response_ids: list[int] = []
    batch = 5000
    for first in range(0, n_responses, batch):
        rows = [
            dict(session_id=session_rows[j % len(session_rows)][0], version_id=version.id,
                 audience=Audience.PARTICIPANT, source=ResponseSource.LINK)
            for j in range(first, min(n_responses, first + batch))
        ]
        response_ids += s.scalars(insert(Response).returning(Response.id), rows).all()
    answer_rows = []
    for i, rid in enumerate(response_ids):
        for k, (qid, qtype) in enumerate(questions):
            if qtype is QuestionType.OPEN:
                if i % 3 == 0:
                    answer_rows.append(dict(response_id=rid, question_id=qid, value_int=None,
                                            value_text=f"Opmerking {i}"))
            else:
                value = 1 + (i * 7 + k) % 5
                if qtype is QuestionType.GRADE:  # the overall `totaal`: 2..10, stored in tenths
                    value *= 2 * GRADE_FACTOR
                answer_rows.append(dict(response_id=rid, question_id=qid, value_int=value, value_text=None))
        if len(answer_rows) >= 20000:
            s.execute(insert(Answer), answer_rows)
            answer_rows = []
    if answer_rows:
        s.execute(insert(Answer), answer_rows)
    tally.rebuild(s, [row[0] for row in session_rows])
    s.commit()
    return {
        "partnership_id": p.id,
        "training_id": training_ids[0],
        "session_id": session_rows[0][0],
        "responses": len(response_ids),
    }


def timed(engine, fn, repeat: int) -> tuple[float, float, int]:
    """Median and best wall time in ms, and the number of SQL statements of one call."""
    count = 0

    def before(*_args):
        nonlocal count
        count += 1

    fn()  # warm-up
    event.listen(engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), min(times), count


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answers", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--url", help="database URL (default: a new SQLite file in a temporary folder)")
    args = parser.parse_args(argv)

    tmp = None
    url = args.url
    if url is None:
        tmp = tempfile.TemporaryDirectory(prefix="kwaliteit-bench-")
        url = f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    print(f"database: {url.split('@')[-1]}")
    t0 = time.perf_counter()
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as s:
        ids = build(s, args.answers)
    with Session(engine) as s:
        total = s.scalar(select(Answer.id).order_by(Answer.id.desc()).limit(1))
    print(f"built {ids['responses']:,} responses, ~{args.answers:,} answers (highest answer id {total:,}) "
          f"in {time.perf_counter() - t0:.1f} s\n")

    scope = Scope.everything()
    cases = {
        "whole partnership, all years (+ per year)": ResultFilters(partnership_id=ids["partnership_id"]),
        "one training, all years (+ per year)": ResultFilters(training_id=ids["training_id"]),
        "one school year": ResultFilters(school_year=2025),
        "one session": ResultFilters(session_id=ids["session_id"]),
        "safeguard LO": ResultFilters(safeguard_code="LO"),
        "participants and trainers": ResultFilters(audience=None),
    }
    print(f"{'query':48} {'median ms':>10} {'best ms':>9} {'statements':>11}")
    with Session(engine) as s:
        for label, f in cases.items():
            med, best, n = timed(engine, lambda f=f: results.results(s, scope, f, 5), args.repeat)
            print(f"results: {label:39} {med:10.1f} {best:9.1f} {n:11d}")
        for label, fn in {
            "response rates, first page": lambda: rates.response_rates(s, scope, TODAY, page_size=25),
            "low response (30 days, 60%)": lambda: rates.low_response(s, scope, TODAY, 30, 60),
        }.items():
            med, best, n = timed(engine, fn, args.repeat)
            print(f"{label:48} {med:10.1f} {best:9.1f} {n:11d}")
    engine.dispose()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
