"""The benchmark: generate a dataset (bench.generate), then measure it and print the figures.

    python -m bench                                   # partnership size, SQLite and PostgreSQL
    python -m bench.run --size region --db sqlite --db postgres --repeat 20
    python -m bench.run --size country --db postgres --skip load

Per size and database it prints:
- pages: median and p95 server time (the Flask test client, a logged-in session, wall time of
  the request in-process) of the dashboard, the results (all, one training, one school year, one
  safeguard), the response rates, the trainings list, the register flags and a cycle page, as the
  coordinator of the first partnership and as an admin (all partnerships); the SQL statements of
  one request; for the pages that show answer figures, the time of the same figures as one bare
  SQL query on the raw answers (the floor) and the ratio page / floor;
- load: anonymous answers per second through shared participant links, served by gunicorn (2
  workers) on loopback, sent by a second process (bench.load) with bounded concurrency; the errors
  and whether the stored responses equal the successes;
- tick: one scheduler tick (every job once) over the whole dataset;
- imports: 5,000 answers through the import wizard (bench.import_bench) and 5,000 mentors with a
  certificate each through the register import (kwaliteit.certification.importing).

SQLite runs in a new file in a temporary folder. PostgreSQL runs in the database `bench` (created
when missing; never `test`), in a schema per size, dropped and made anew at every run
(--pg-url names another server or database).
"""

from __future__ import annotations

import argparse
import csv
import importlib
import io
import json
import math
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Select, create_engine, event, func, insert, make_url, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bench import import_bench
from bench.generate import (
    ADMIN_EMAIL,
    BENCH_PASSWORD,
    NOW,
    SIZES,
    TODAY,
    coordinator_email,
)
from evaluaties.answers.links import new_token
from evaluaties.answers.models import Answer, LinkKind, ParticipantLink, Response
from evaluaties.questionnaires.models import Audience, Question, QuestionType
from kwaliteit import create_app
from kwaliteit import db as kdb
from kwaliteit.accounts.models import User
from kwaliteit.certification import importing as register_import
from kwaliteit.cycles.models import ReviewCycle
from kwaliteit.registry.models import Organisation, OrganisationKind, Partnership
from kwaliteit.scope import Scope
from kwaliteit.sqldates import school_year, school_year_bounds, school_year_of
from kwaliteit.trainings.models import Training, TrainingSession

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
SAFEGUARD = "LO"
YEAR = school_year_of(TODAY) - 1  # the last whole school year
REMARKS = ("Fijne bijeenkomst.", "", "Meer tijd om te oefenen graag.")


# ---------------------------------------------------------------- databases


def sqlite_url(folder: str, size: str) -> str:
    return f"sqlite:///{Path(folder) / f'bench-{size}.db'}"


def postgres_url(base: str, size: str) -> str:
    """A fresh schema `bench_<size>` in the database of `base` (the database is created when
    missing); the URL sets its search path."""
    url = make_url(base)
    assert url.database and url.database != "test", "the benchmark never uses the test database"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}):
            conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    server.dispose()
    return kdb.fresh_schema(url.render_as_string(hide_password=False), f"bench_{size}")


def database_version(engine: Engine) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return "SQLite " + conn.scalar(text("SELECT sqlite_version()"))
        return "PostgreSQL " + conn.scalar(text("SHOW server_version")).split()[0]


def bench_app(url: str, instance: str):
    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,  # the test client logs in with a plain POST
            "FIXED_TODAY": TODAY,
            "FIXED_NOW": NOW,
            "PAGE_SIZE": 25,
            "LOG_LEVEL": "WARNING",
            "BASE_URL": "http://127.0.0.1",
        },
        instance_path=instance,
    )


# ---------------------------------------------------------------- pages


@dataclass
class Target:
    """What the pages are measured on: the first partnership's busiest training, a cycle."""

    partnership_id: int
    training_id: int
    cycle_id: int


def pick_targets(db: Session) -> Target:
    pid = db.scalar(select(Partnership.id).where(Partnership.name.like("Benchpartnerschap%")).order_by(Partnership.id))
    assert pid is not None, "no generated data (bench.generate)"
    tid = db.scalar(
        select(Training.id).join(TrainingSession).where(Training.partnership_id == pid)
        .group_by(Training.id).order_by(func.count().desc(), Training.id).limit(1)
    )
    cid = db.scalar(
        select(ReviewCycle.id).where(ReviewCycle.training_id == tid).order_by(ReviewCycle.school_year.desc()).limit(1)
    )
    assert tid is not None and cid is not None
    return Target(pid, tid, cid)


def pages(t: Target) -> list[tuple[str, str]]:
    return [
        ("dashboard", "/dashboard"),
        ("results: all", "/resultaten"),
        ("results: one training", f"/resultaten?training={t.training_id}"),
        ("results: one school year", f"/resultaten?schooljaar={YEAR}"),
        ("results: one safeguard", f"/resultaten?waarborg={SAFEGUARD}"),
        ("response rates", "/respons"),
        ("trainings list", "/trainingen"),
        ("register flags", "/register"),
        ("cycle page", f"/cycli/{t.cycle_id}"),
    ]


def _answers_from():
    return (
        select()
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(TrainingSession, TrainingSession.id == Response.session_id)
        .join(Training, Training.id == TrainingSession.training_id)
        .where(Response.audience == Audience.PARTICIPANT, Answer.value_int.is_not(None))
    )


def floors(t: Target, partnership_id: int | None) -> dict[str, Select]:
    """The same figures as the page, as one bare SQL query on the raw answers (and, for the
    response rates, the raw responses): per question and value the count; the dashboard's
    average grade per training and school year."""
    scoped = (lambda s: s.where(Training.partnership_id == partnership_id)) if partnership_id else (lambda s: s)
    counts = scoped(_answers_from().add_columns(Answer.question_id, Answer.value_int, func.count())
                    .group_by(Answer.question_id, Answer.value_int))
    first, last = school_year_bounds(YEAR)
    year = school_year(TrainingSession.date)
    return {
        "dashboard": scoped(
            _answers_from().join(Question, Question.id == Answer.question_id)
            .where(Question.type == QuestionType.GRADE)
            .add_columns(TrainingSession.training_id, year, func.avg(Answer.value_int), func.count())
            .group_by(TrainingSession.training_id, year)
        ),
        "results: all": counts,
        "results: one training": counts.where(TrainingSession.training_id == t.training_id),
        "results: one school year": counts.where(TrainingSession.date.between(first, last)),
        "results: one safeguard": counts.join(Question, Question.id == Answer.question_id).where(
            Question.safeguard_code == SAFEGUARD
        ),
        "response rates": scoped(
            select(TrainingSession.id, TrainingSession.participant_count, func.count(Response.id))
            .join(Training, Training.id == TrainingSession.training_id)
            .outerjoin(Response, (Response.session_id == TrainingSession.id)
                       & (Response.audience == Audience.PARTICIPANT))
            .where(TrainingSession.date <= TODAY)
            .group_by(TrainingSession.id, TrainingSession.participant_count)
        ),
    }


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


@dataclass
class PageFigure:
    page: str
    role: str
    median: float
    p95: float
    statements: int
    floor: float | None = None

    @property
    def ratio(self) -> float | None:
        return self.median / self.floor if self.floor else None


def login(client, email: str) -> None:
    response = client.post("/inloggen", data={"email": email, "password": BENCH_PASSWORD})
    assert response.status_code == 302, f"log-in of {email} failed: {response.status_code}"


def measure_pages(app, repeat: int, with_floors: bool = True,
                  report: Callable[[PageFigure], None] = lambda _f: None) -> list[PageFigure]:
    """Every page for both roles; `report` is told each figure as soon as it is measured."""
    engine = kdb.engine_of(app)
    with Session(engine) as db:
        t = pick_targets(db)
    figures = []
    for role, email, partnership_id in (
        ("coordinator", coordinator_email(1), t.partnership_id),
        ("admin", ADMIN_EMAIL, None),
    ):
        client = app.test_client()
        login(client, email)
        bare = floors(t, partnership_id) if with_floors else {}
        for name, url in pages(t):
            def get(url=url, client=client):
                response = client.get(url)
                assert response.status_code == 200, f"{url}: {response.status_code}"

            get()  # warm-up: templates compiled, caches filled
            count = 0

            def before(*_args):
                nonlocal count
                count += 1

            event.listen(engine, "before_cursor_execute", before)
            try:
                get()
            finally:
                event.remove(engine, "before_cursor_execute", before)
            times = timed(get, repeat)
            figure = PageFigure(name, role, statistics.median(times), percentile(times, 95), count)
            if name in bare:
                with engine.connect() as conn:
                    stmt = bare[name]

                    def query(conn=conn, stmt=stmt) -> None:
                        conn.execute(stmt).all()

                    query()  # warm-up
                    figure.floor = statistics.median(timed(query, repeat))
            figures.append(figure)
            report(figure)
    return figures


# ---------------------------------------------------------------- answers through gunicorn


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LoadFigure:
    answers: int
    successes: int
    errors: int
    seconds: float
    stored: int
    statements: float | None = None
    statuses: dict = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.successes / self.seconds if self.seconds else 0.0


def open_session(db: Session, partnership_id: int) -> int | None:
    """The latest session of the partnership whose participants may answer on TODAY."""
    return db.scalar(
        select(TrainingSession.id).join(Training)
        .where(Training.partnership_id == partnership_id, TrainingSession.cancelled_at.is_(None),
               TrainingSession.date <= TODAY, TrainingSession.date > TODAY - timedelta(days=14))
        .order_by(TrainingSession.date.desc(), TrainingSession.id).limit(1)
    )


def shared_links(db: Session, session_id: int, tokens: list[str], max_uses: int) -> None:
    """Shared links for the load, counted per session as evaluaties.answers.links does (when this
    version keeps link counts)."""
    db.execute(insert(ParticipantLink), [
        dict(session_id=session_id, token=tok, kind=LinkKind.SHARED, max_uses=max_uses, used_count=0)
        for tok in tokens
    ])
    tally = importlib.import_module("evaluaties.results.tally")
    if hasattr(tally, "count_links"):
        tally.count_links(db, session_id, links=len(tokens), single=0)


def measure_load(url: str, answers: int, concurrency: int) -> LoadFigure:
    """`answers` anonymous answers (a GET of the form and a POST each) through shared links of a
    recent session, served by gunicorn with 2 workers, sent by a second process."""
    engine = kdb.make_engine(url)
    with Session(engine) as db:
        t = pick_targets(db)
        session_id = open_session(db, t.partnership_id)
        assert session_id is not None, "no session whose answer window is open"
        tokens = [new_token() for _ in range(math.ceil(answers / 500))]
        shared_links(db, session_id, tokens, max_uses=500)
        db.commit()
        before = db.scalar(select(func.count()).select_from(Response).where(Response.session_id == session_id)) or 0
    port = _free_port()
    env = dict(
        os.environ,
        KWALITEIT_DATABASE_URL=url,
        KWALITEIT_SECRET_KEY="bench",
        KWALITEIT_FIXED_TODAY=TODAY.isoformat(),
        KWALITEIT_ANSWER_LINK_PER_MINUTE="100000",  # one address sends everything
        KWALITEIT_LOG_LEVEL="WARNING",
        KWALITEIT_BASE_URL=f"http://127.0.0.1:{port}",
        PYTHONPATH=str(ROOT),
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "wsgi:app"],
        cwd=ROOT, env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        _warm_up(port)
        paths = [f"/e/{session_id}/{tok}" for tok in tokens]
        out = subprocess.run(
            [sys.executable, "-m", "bench.load", "--base", f"http://127.0.0.1:{port}", "--answers", str(answers),
             "--concurrency", str(concurrency), *paths],
            cwd=ROOT, env=env, capture_output=True, text=True, check=True,
        )
        result = json.loads(out.stdout)
    finally:
        server.terminate()
        server.wait(30)
    with Session(engine) as db:
        after = db.scalar(select(func.count()).select_from(Response).where(Response.session_id == session_id)) or 0
    engine.dispose()
    return LoadFigure(answers, result["successes"], result["errors"], result["seconds"], after - before,
                      statuses=result["statuses"])


def _warm_up(port: int, rounds: int = 3, parallel: int = 8) -> None:
    """Rounds of parallel requests for the log-in page until every one is answered: gunicorn opens
    its port before its workers have loaded the app (about a second of CPU each), and that
    start-up is not part of answering. The figure is the steady state of a running server."""
    from concurrent.futures import ThreadPoolExecutor
    from urllib.request import urlopen

    def get(_n):
        with urlopen(f"http://127.0.0.1:{port}/inloggen", timeout=30) as response:
            return response.status

    with ThreadPoolExecutor(parallel) as pool:
        for _ in range(rounds):
            assert set(pool.map(get, range(parallel))) == {200}, "gunicorn does not answer"


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def statements_per_answer(app) -> int:
    """The SQL statements of one anonymous answer (the POST), in-process."""
    from bench.load import form_data

    engine = kdb.engine_of(app)
    with Session(engine) as db:
        t = pick_targets(db)
        session_id = open_session(db, t.partnership_id)
        assert session_id is not None, "no session whose answer window is open"
        token = new_token()
        shared_links(db, session_id, [token], max_uses=5)
        db.commit()
    client = app.test_client()
    path = f"/e/{session_id}/{token}"
    assert client.post(path, data=form_data(0)).status_code == 302  # warm-up
    count = 0

    def before(_conn, _cursor, statement, *_args):
        # Transaction control (SQLite's BEGIN IMMEDIATE; PostgreSQL's driver sends its own
        # unseen) is not counted: the statements that do the work, as tests/test_tally.py counts them.
        nonlocal count
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            count += 1

    event.listen(engine, "before_cursor_execute", before)
    try:
        assert client.post(path, data=form_data(1)).status_code == 302
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return count


# ---------------------------------------------------------------- the scheduler and the imports


def measure_tick(app) -> tuple[float, list[str]]:
    from scheduler.jobs import run_all

    t0 = time.perf_counter()
    failed = run_all(app, TODAY, NOW)
    return time.perf_counter() - t0, failed


def mentor_file(db: Session, partnership_id: int, rows: int, batch: int) -> bytes:
    """A board's file of `rows` new mentors, each with a basic-training certificate."""
    schools = db.execute(
        select(Organisation.name, Organisation.parent_id)
        .where(Organisation.partnership_id == partnership_id, Organisation.kind == OrganisationKind.SCHOOL)
        .order_by(Organisation.id)
    ).all()
    boards = dict(db.execute(select(Organisation.id, Organisation.name)
                             .where(Organisation.partnership_id == partnership_id)).all())
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Naam", "E-mailadres", "School", "Bestuur", "Training", "Datum", "Certificaatnummer"])
    for i in range(rows):
        school, board = schools[i % len(schools)]
        assert board is not None  # a school has its board
        issued = TODAY - timedelta(days=30 + i % 1500)
        writer.writerow([f"Import Mentor {batch}-{i}", f"import{batch}.{i}@bench.example", school, boards[board],
                         "Basistraining", issued.isoformat(), f"IMP{batch}-{i:05d}"])
    return out.getvalue().encode()


def measure_mentor_import(url: str, rows: int, repeat: int) -> dict[str, list[float]]:
    engine = kdb.make_engine(url)
    figures: dict[str, list[float]] = {"upload": [], "preview": [], "save": []}
    try:
        for batch in range(repeat):
            with Session(engine) as db:
                t = pick_targets(db)
                user = db.scalar(select(User).where(User.email == coordinator_email(1)))
                assert user is not None
                scope = Scope.for_user(user)
                data = mentor_file(db, t.partnership_id, rows, batch)
                t0 = time.perf_counter()
                upload = register_import.read_upload(db, scope, t.partnership_id, user.id, "mentoren.csv", data,
                                                     50 * 2**20)
                mapping = register_import.propose_mapping(upload.headings)
                t1 = time.perf_counter()
                pv = register_import.preview(db, scope, upload, mapping, TODAY)
                assert pv.ok, pv.errors[:3]
                t2 = time.perf_counter()
                result = register_import.confirm(db, scope, upload, mapping, TODAY, NOW)
                db.commit()
                t3 = time.perf_counter()
                assert result.counts.new_persons == rows, result.counts
                figures["upload"].append(t1 - t0)
                figures["preview"].append(t2 - t1)
                figures["save"].append(t3 - t2)
    finally:
        engine.dispose()
    return figures


# ---------------------------------------------------------------- one size on one database


def run_one(size: str, database: str, url: str, repeat: int, skip: set[str], answers: int, concurrency: int,
            instance: str, analyse: bool = True) -> None:
    print(f"== size {size}, {database} ==")
    from bench.generate import generate_url

    counts, seconds = generate_url(url, size, statistics=analyse)
    app = bench_app(url, instance)
    engine = kdb.engine_of(app)
    print(f"{database_version(engine)}; generated in {seconds:.1f} s: {counts['partnership']:,} partnerships, "
          f"{counts['person']:,} persons, {counts['training']:,} trainings, {counts['training_session']:,} sessions, "
          f"{counts['response']:,} responses, {counts['answer']:,} answers"
          + ("" if analyse else "; no ANALYZE"), flush=True)
    if "pages" not in skip:
        print(f"\npages (ms, {repeat} requests each after a warm-up; floor: the same figures in one bare SQL query)")
        print(f"{'page':26} {'role':12} {'median':>8} {'p95':>8} {'SQL':>5} {'floor':>8} {'ratio':>7}", flush=True)

        def row(f: PageFigure) -> None:
            floor = f"{f.floor:8.1f}" if f.floor is not None else f"{'-':>8}"
            ratio = f"{f.ratio:7.1f}" if f.ratio is not None else f"{'-':>7}"
            print(f"{f.page:26} {f.role:12} {f.median:8.1f} {f.p95:8.1f} {f.statements:5d} {floor} {ratio}",
                  flush=True)

        measure_pages(app, repeat, report=row)
    if "imports" not in skip:
        print(f"\nimports (s, median of {min(repeat, 3)}; save: every row checked and inserted, up to the commit)")
        saved, _answers, steps = import_bench.measure(url, 5000, min(repeat, 3))
        line = "  ".join(f"{k} {statistics.median(v):.3f}" for k, v in steps.items())
        print(f"5,000 answers (1 file of 5,000 rows): {line}")
        steps = measure_mentor_import(url, 5000, min(repeat, 3))
        line = "  ".join(f"{k} {statistics.median(v):.3f}" for k, v in steps.items())
        print(f"5,000 mentors with a certificate:     {line}")
    if "load" not in skip:
        n = statements_per_answer(app)
        load = measure_load(url, answers, concurrency)
        check = "equal" if load.stored == load.successes else f"DIFFERENT ({load.stored:,} stored)"
        print(f"\nanswers through shared links (gunicorn, 2 workers; {concurrency} concurrent participants, "
              f"a GET and a POST each): {load.per_second:.0f} answers/s, {load.successes:,} of {load.answers:,} "
              f"in {load.seconds:.1f} s, {load.errors} errors {load.statuses}; stored responses {check} to successes; "
              f"{n} SQL statements per answer (POST, in-process)")
    if "tick" not in skip:
        seconds, failed = measure_tick(app)
        print(f"\nscheduler tick (every job once, {TODAY}): {seconds:.2f} s" + (f", FAILED: {failed}" if failed else ""))
    engine.dispose()
    print()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", action="append", choices=list(SIZES), help="repeatable; default partnership")
    parser.add_argument("--db", action="append", choices=("sqlite", "postgres"),
                        help="repeatable; default both")
    parser.add_argument("--repeat", type=int, default=10, help="timed requests per page (default 10)")
    parser.add_argument("--pg-url", default=os.environ.get("KWALITEIT_BENCH_PG_URL", PG_DEFAULT))
    parser.add_argument("--answers", type=int, default=500, help="answers sent in the load test")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--no-analyze", action="store_true",
                        help="no ANALYZE after loading: the planner without statistics, as a SQLite database "
                             "that nobody analysed (PostgreSQL's autovacuum analyses on its own)")
    parser.add_argument("--skip", action="append", default=[], choices=("pages", "imports", "load", "tick"))
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # figures as they come, also into a file
    print(f"kwaliteit benchmark, {time.strftime('%Y-%m-%d %H:%M %Z')}; {os.cpu_count()} cores; "
          f"Python {platform.python_version()}; {platform.platform()}; "
          "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    for size in args.size or ["partnership"]:
        for database in args.db or ["sqlite", "postgres"]:
            with tempfile.TemporaryDirectory(prefix="kwaliteit-bench-") as tmp:
                try:
                    url = sqlite_url(tmp, size) if database == "sqlite" else postgres_url(args.pg_url, size)
                except OperationalError as exc:
                    print(f"== size {size}, {database}: not run, no server at {make_url(args.pg_url)!r} "
                          f"({type(exc.orig).__name__}) ==\n")
                    continue
                run_one(size, database, url, args.repeat, set(args.skip), args.answers, args.concurrency, tmp,
                        analyse=not args.no_analyze)


if __name__ == "__main__":
    main()
