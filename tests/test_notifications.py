"""Reminders through the outbox, against a real SMTP server on loopback (aiosmtpd): each reminder
arrives once, also when queued and delivered twice, with the server down, after a failure halfway,
after a crash after the claim, and with two deliverers at once; the weekly digest; the pages."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from kwaliteit import db as kdb
from kwaliteit.cycles.models import ImprovementAction, ReviewCycle
from kwaliteit.mail import MailSettings
from kwaliteit.notifications import outbox
from kwaliteit.notifications.models import OutboxMessage, UserPreferences
from kwaliteit.notifications.outbox import CLAIM_LEASE, Mail, backoff, deliver, queue_many
from kwaliteit.notifications.reminders import queue_reminders
from kwaliteit.notifications.services import set_weekly_digest
from tests import factories
from tests.conftest import NOW, TODAY, login, run_in_threads
from tests.smtp import Server


@pytest.fixture
def smtp():
    server = Server()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def world(app):
    with kdb.new_session(app) as s:
        w = factories.build_world(s)
        s.commit()
    return w


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def _session(app):
    return kdb.new_session(app)


def _queue(app, today=TODAY) -> int:
    with app.app_context(), _session(app) as s:
        n = queue_reminders(s, today)
        s.commit()
        return n


def _deliver(app, now=NOW, settings=None, **kw):
    with app.app_context(), _session(app) as s:
        return deliver(s, now, settings, **kw)


def _mails(n: int, user_id: int, prefix: str = "test") -> list[Mail]:
    return [
        Mail(
            f"{prefix}:{i}:user {user_id}",
            "test",
            user_id,
            f"ontvanger{i}@example.org",
            f"Bericht {i}",
            f"Tekst {i}",
            f"<p>Tekst {i}</p>",
        )
        for i in range(n)
    ]


def _queue_mails(app, mails) -> int:
    with app.app_context(), _session(app) as s:
        n = queue_many(s, mails)
        s.commit()
        return n


def _rows(app) -> list[OutboxMessage]:
    with _session(app) as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


# ================================================================== reminders arrive once


def _due_soon_session(app, w):
    """A session of training 1 given by the trainer 12 days ago: its evaluation is due in 2 days."""
    with _session(app) as s:
        t = s.get(type(w.training1), w.training1.id)
        tp = s.get(type(w.trainer_person), w.trainer_person.id)
        ts = factories.session(s, t, trainers=[tp], on=TODAY - timedelta(days=12), participants=0)
        s.commit()
        return ts.id


def test_expected_reminders_arrive_once(app, world, smtp):
    soon_id = _due_soon_session(app, world)
    assert _queue(app) == 2  # session1 overdue (due 15 October), the new one due soon
    report = _deliver(app, settings=smtp.settings)
    assert (report.sent, report.failed) == (2, 0)
    assert sorted(e.rcpt_tos[0] for e in smtp.inbox.messages) == ["trainer@example.org"] * 2
    subjects = sorted(smtp.inbox.subjects())
    assert subjects[0].startswith("Herinnering: je trainersevaluatie van Basistraining mentoren Noord")
    assert subjects[1].startswith(
        "Te laat: je trainersevaluatie van Basistraining mentoren Noord (01-10-2026)"
    )
    # Plain text and HTML, in Dutch, with a link to the evaluation (relative: no BASE_URL set).
    message = next(m for m in smtp.inbox.parsed() if str(m["Subject"]).strip().startswith("Herinnering"))
    parts = {p.get_content_type(): p.get_content() for p in message.walk() if not p.is_multipart()}
    assert set(parts) == {"text/plain", "text/html"}
    assert f"/bijeenkomsten/{soon_id}/trainersevaluatie" in parts["text/plain"]
    assert "KWALITEIT_BASE_URL" in parts["text/plain"]
    assert f'href="/bijeenkomsten/{soon_id}/trainersevaluatie"' in parts["text/html"]
    # A second queue and delivery, the same day and the next: nothing twice.
    assert _queue(app) == 0
    assert _deliver(app, settings=smtp.settings).sent == 0
    assert _queue(app, TODAY + timedelta(days=1)) == 0
    assert _deliver(app, NOW + timedelta(days=1), settings=smtp.settings).sent == 0
    assert len(smtp.inbox.messages) == 2
    # When it becomes overdue, the overdue stage is reminded once.
    assert _queue(app, TODAY + timedelta(days=3)) == 1
    assert _deliver(app, NOW + timedelta(days=3), settings=smtp.settings).sent == 1
    assert len(smtp.inbox.messages) == 3


def test_links_use_base_url(app, world, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://kwaliteit.example.org/")
    _queue(app)
    _deliver(app, settings=smtp.settings)
    [message] = smtp.inbox.parsed()
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_content()
    assert f"https://kwaliteit.example.org/bijeenkomsten/{world.session1.id}/trainersevaluatie" in text
    assert "KWALITEIT_BASE_URL" not in text


def test_submitted_waived_locked_or_disabled_get_nothing(app, world):
    from evaluaties.answers.models import EvaluationRequest
    from evaluaties.questionnaires.models import Audience
    from kwaliteit.accounts.models import User

    with _session(app) as s:
        s.add(EvaluationRequest(session_id=world.session1.id, audience=Audience.TRAINER, locked_at=NOW))
        s.commit()
    assert _queue(app) == 0
    with _session(app) as s:
        s.execute(EvaluationRequest.__table__.delete())
        s.get(User, world.trainer.id).is_enabled = False
        s.commit()
    assert _queue(app) == 0


def test_queue_is_idempotent_and_concurrent(app, world):
    mails = _mails(30, world.trainer.id)
    counts = []
    run_in_threads(*(lambda: counts.append(_queue_mails(app, mails)) for _ in range(2)))
    assert sum(counts) == 30  # every key once, whichever thread inserted it
    assert _queue_mails(app, mails) == 0
    assert len(_rows(app)) == 30


# ================================================================== faults


def test_server_down_keeps_mail_and_retries_after_back_off(app, world):
    server = Server()  # not started
    _queue_mails(app, _mails(3, world.trainer.id))
    report = _deliver(app, settings=server.settings)
    assert (report.sent, report.failed, report.stopped) == (0, 1, True)
    first = _rows(app)[0]
    assert first.attempts == 1 and first.sent_at is None and first.last_error
    assert first.next_attempt_at.replace(tzinfo=UTC) == NOW + backoff(1)
    server.start()
    try:
        # Before the back-off only the two untried messages go.
        assert _deliver(app, NOW + timedelta(minutes=1), settings=server.settings).sent == 2
        assert _deliver(app, NOW + timedelta(minutes=2), settings=server.settings).sent == 0
        assert _deliver(app, NOW + backoff(1), settings=server.settings).sent == 1
        assert len(server.inbox.messages) == 3
        assert all(r.sent_at is not None for r in _rows(app))
        assert sorted(e.rcpt_tos[0] for e in server.inbox.messages) == [
            f"ontvanger{i}@example.org" for i in range(3)
        ]
    finally:
        server.stop()


def test_back_off_doubles_up_to_a_day():
    assert [backoff(n) for n in (1, 2, 3)] == [
        timedelta(minutes=5),
        timedelta(minutes=10),
        timedelta(minutes=20),
    ]
    assert backoff(20) == backoff(1000) == timedelta(days=1)


def test_refused_message_is_retried_and_the_others_go(app, world, smtp):
    _queue_mails(app, _mails(3, world.trainer.id))
    smtp.inbox.refuse = {2}
    report = _deliver(app, settings=smtp.settings)
    assert (report.sent, report.failed, report.stopped) == (2, 1, False)
    assert "451" in report.errors[0]
    assert _deliver(app, settings=smtp.settings).sent == 0  # again at once: nothing twice
    assert _deliver(app, NOW + backoff(1), settings=smtp.settings).sent == 1
    keys = [m["Subject"] for m in smtp.inbox.parsed()]
    assert sorted(keys) == ["Bericht 0", "Bericht 1", "Bericht 2"]


class Crash(BaseException):
    """The process dies (killed): not an Exception, so nothing in deliver catches it."""


def test_crash_after_claim_then_rerun_sends_no_duplicate(app, world, smtp, monkeypatch):
    _queue_mails(app, _mails(3, world.trainer.id))
    real = outbox.build_message
    calls = []

    def crashing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise Crash()
        return real(*args, **kwargs)

    monkeypatch.setattr(outbox, "build_message", crashing)
    with pytest.raises(Crash):
        _deliver(app, settings=smtp.settings)
    monkeypatch.setattr(outbox, "build_message", real)
    assert len(smtp.inbox.messages) == 1
    rows = _rows(app)
    assert rows[0].sent_at is not None
    assert rows[1].sent_at is None and rows[1].attempts == 1  # claimed when the process died
    # Run again at once: the third goes, the claimed one waits for its lease, nothing twice.
    assert _deliver(app, NOW + timedelta(minutes=1), settings=smtp.settings).sent == 1
    assert _deliver(app, NOW + CLAIM_LEASE, settings=smtp.settings).sent == 1
    assert _deliver(app, NOW + timedelta(days=2), settings=smtp.settings).sent == 0
    assert sorted(m["Subject"] for m in smtp.inbox.parsed()) == ["Bericht 0", "Bericht 1", "Bericht 2"]
    # A stable Message-ID per message, so a copy could be recognised.
    assert sorted(m["Message-ID"] for m in smtp.inbox.parsed()) == sorted(
        f"<kwaliteit-outbox-{r.id}@example.org>" for r in rows
    )


def test_two_deliverers_at_once_send_each_message_once(app, world, smtp):
    _queue_mails(app, _mails(40, world.trainer.id))
    reports = []
    run_in_threads(*(lambda: reports.append(_deliver(app, settings=smtp.settings)) for _ in range(2)))
    assert sum(r.sent for r in reports) == 40
    subjects = [m["Subject"] for m in smtp.inbox.parsed()]
    assert len(subjects) == 40 and len(set(subjects)) == 40
    assert all(r.sent_at is not None for r in _rows(app))


def test_without_smtp_mail_stays_logged_once_and_goes_later(app, world, smtp, caplog):
    _queue(app)
    with caplog.at_level(logging.INFO, logger="kwaliteit.notifications.outbox"):
        assert _deliver(app, settings=None).held == 1
        assert _deliver(app, NOW + timedelta(hours=1), settings=None).held == 0
    logged = [r for r in caplog.records if "blijft in de outbox" in r.getMessage()]
    assert len(logged) == 1 and "trainer@example.org" in logged[0].getMessage()
    [row] = _rows(app)
    assert row.sent_at is None and row.attempts == 0 and row.last_error == outbox.NO_SMTP
    assert _deliver(app, NOW + timedelta(hours=2), settings=smtp.settings).sent == 1
    assert len(smtp.inbox.messages) == 1


# ================================================================== weekly digest


def test_weekly_digest_combines_the_week(app, world, smtp):
    with _session(app) as s:
        set_weekly_digest(s, world.trainer.id, True)
        s.commit()
    _due_soon_session(app, world)
    assert _queue(app) == 2
    assert all(r.in_digest for r in _rows(app))
    monday = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    with app.app_context(), _session(app) as s:
        assert outbox.make_digests(s, monday, weekday=3) == 0  # not yet on Monday when the day is Wednesday
    report = _deliver(app, monday, settings=smtp.settings)
    assert (report.digests, report.sent) == (1, 1)
    [digest] = smtp.inbox.parsed()
    assert str(digest["Subject"]).strip().startswith("Weekoverzicht herinneringen, week 48: 2 berichten")
    text = next(p for p in digest.walk() if p.get_content_type() == "text/plain").get_content()
    assert "Te laat: je trainersevaluatie" in text and "Herinnering: je trainersevaluatie" in text
    rows = _rows(app)
    assert all(r.sent_at is not None for r in rows)
    assert [r.key for r in rows if r.kind == "digest"] == [f"digest:user {world.trainer.id}:2026-W48"]
    # Later the same week: no second digest; what comes in waits for next week's.
    _queue_mails(app, _mails(1, world.trainer.id, prefix="later"))
    assert _deliver(app, monday + timedelta(days=2), settings=smtp.settings).sent == 0
    report = _deliver(app, monday + timedelta(days=7), settings=smtp.settings)
    assert (report.digests, report.sent) == (1, 1)
    assert len(smtp.inbox.messages) == 2


def test_turning_the_digest_off_sends_waiting_messages_singly(app, world, smtp):
    with _session(app) as s:
        set_weekly_digest(s, world.trainer.id, True)
        s.commit()
    _queue(app)
    with _session(app) as s:
        set_weekly_digest(s, world.trainer.id, False)
        s.commit()
        assert s.get(UserPreferences, world.trainer.id).weekly_digest is False
    report = _deliver(app, settings=smtp.settings)
    assert (report.digests, report.sent) == (0, 1)


# ================================================================== the other reminders


def test_coordinators_and_owners_are_reminded(app, world, smtp):
    from kwaliteit.certification.models import Certificate

    with _session(app) as s:
        t1 = s.get(type(world.training1), world.training1.id)
        # A session whose participant window (21 days) closes in 3 days, with no answers of 12.
        factories.session(s, t1, on=TODAY - timedelta(days=18), participants=12)
        cycle = ReviewCycle(
            training_id=t1.id,
            school_year=2026,
            plan_due=TODAY + timedelta(days=3),
            check_due=date(2027, 7, 1),
            act_due=date(2027, 7, 31),
            owner_id=world.coordinator.id,
        )
        s.add(cycle)
        s.flush()
        s.add(
            ImprovementAction(
                cycle_id=cycle.id,
                description="Meer oefenen met feedbackgesprekken",
                owner_id=world.coordinator.id,
                due_on=TODAY - timedelta(days=2),
            )
        )
        tp = s.get(type(world.trainer_person), world.trainer_person.id)
        factories.qualification(s, tp, valid_until=TODAY + timedelta(days=30))
        mentor = s.get(type(world.mentor), world.mentor.id)
        factories.certificate(s, mentor, issued_on=date(2022, 9, 1), valid_until=TODAY + timedelta(days=30))
        s.commit()
    _queue(app)
    _deliver(app, settings=smtp.settings)
    to_coordinator = sorted(
        s
        for e, s in zip(smtp.inbox.messages, smtp.inbox.subjects(), strict=True)
        if e.rcpt_tos == ["coordinator@example.org"]
    )
    assert len(to_coordinator) == 4, to_coordinator
    assert to_coordinator[0].startswith(
        "Herinnering: Plan van de kwaliteitscyclus Basistraining mentoren Noord 2026-2027"
    )
    assert to_coordinator[1].startswith("Lage respons: Basistraining mentoren Noord")
    assert (
        to_coordinator[2]
        == f"Registraties en certificaten die verlopen op {(TODAY + timedelta(days=30)):%d-%m-%Y}"
    )
    assert to_coordinator[3] == "Te laat: verbeteractie Meer oefenen met feedbackgesprekken"
    register = next(m for m in smtp.inbox.parsed() if "Registraties" in str(m["Subject"]))
    text = next(p for p in register.walk() if p.get_content_type() == "text/plain").get_content()
    assert "Anna de Vries" in text and "Dirk Bakker" in text
    # The other partnership's coordinator hears nothing of partnership 1.
    assert not any(e.rcpt_tos == ["coordinator2@example.org"] for e in smtp.inbox.messages)
    before = len(smtp.inbox.messages)
    _queue(app)
    _deliver(app, settings=smtp.settings)
    assert len(smtp.inbox.messages) == before
    assert Certificate  # imported for the model registry


def test_html_is_escaped(app, world, smtp):
    with _session(app) as s:
        t1 = s.get(type(world.training1), world.training1.id)
        cycle = ReviewCycle(
            training_id=t1.id,
            school_year=2026,
            plan_due=date(2026, 10, 1),
            check_due=date(2027, 7, 1),
            act_due=date(2027, 7, 31),
            owner_id=world.coordinator.id,
            plan_done_at=NOW,
        )
        s.add(cycle)
        s.flush()
        s.add(
            ImprovementAction(
                cycle_id=cycle.id,
                description="<script>alert(1)</script> & meer",
                owner_id=world.coordinator.id,
                due_on=TODAY + timedelta(days=1),
            )
        )
        s.commit()
    _queue(app)
    with _session(app) as s:
        html = s.scalar(select(OutboxMessage.body_html).where(OutboxMessage.kind == "improvement-action"))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; meer" in html


def _statements_of_queue(app, today) -> int:
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = kdb.engine_of(app)
    event.listen(engine, "before_cursor_execute", before)
    try:
        _queue(app, today)
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(statements)


def test_queue_reminders_is_set_based(app, world):
    small = _statements_of_queue(app, TODAY)
    with _session(app) as s:
        t1 = s.get(type(world.training1), world.training1.id)
        tp = s.get(type(world.trainer_person), world.trainer_person.id)
        for i in range(30):
            factories.session(s, t1, trainers=[tp], on=TODAY - timedelta(days=10 + i % 20))
        for i in range(10):
            cycle = ReviewCycle(
                training_id=t1.id,
                school_year=2000 + i,
                plan_due=TODAY + timedelta(days=2),
                check_due=TODAY,
                act_due=TODAY + timedelta(days=5),
                owner_id=world.coordinator.id,
            )
            s.add(cycle)
            s.flush()
            s.add(
                ImprovementAction(
                    cycle_id=cycle.id, description=f"Actie {i}", owner_id=world.coordinator.id, due_on=TODAY
                )
            )
        s.commit()
    large = _statements_of_queue(app, TODAY + timedelta(days=1))
    assert large == small
    with _session(app) as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) > 60


# ================================================================== pages


def test_my_reminders_page_and_digest_choice(app, world):
    _queue(app)
    client = app.test_client()
    login(client, world.trainer)
    response = client.get("/herinneringen")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "Te laat: je trainersevaluatie" in body and "Wacht op verzending" in body
    assert client.post("/herinneringen/voorkeuren", data={"weekly_digest": "y"}).status_code == 302
    with _session(app) as s:
        assert s.get(UserPreferences, world.trainer.id).weekly_digest is True
        assert s.scalar(select(OutboxMessage.in_digest)) is True
    assert "Wacht op het weekoverzicht" in client.get("/herinneringen").get_data(as_text=True)
    # Someone else sees none of it.
    other = app.test_client()
    login(other, world.coordinator)
    assert "trainersevaluatie" not in other.get("/herinneringen").get_data(as_text=True)


def test_outbox_page_lists_failed_with_error(app, world):
    _queue(app)
    _deliver(app, settings=Server().settings)  # nothing listens: fails
    client = app.test_client()
    login(client, world.admin)
    body = client.get("/beheer/berichten?status=mislukt").get_data(as_text=True)
    assert "Te laat: je trainersevaluatie" in body and "trainer@example.org" in body
    assert "ConnectionRefusedError" in body or "Connection refused" in body
    assert "Te laat" not in client.get("/beheer/berichten?status=verstuurd").get_data(as_text=True)
    coordinator = app.test_client()
    login(coordinator, world.coordinator)
    assert coordinator.get("/beheer/berichten").status_code == 403


# ================================================================== settings


def test_smtp_settings_with_mail_aliases(monkeypatch, tmp_path):
    from kwaliteit.config import load_config

    for name in ("SMTP_HOST", "SMTP_PORT", "SMTP_FROM", "MAIL_SERVER", "MAIL_PORT", "MAIL_FROM"):
        monkeypatch.delenv("KWALITEIT_" + name, raising=False)
    monkeypatch.setenv("KWALITEIT_MAIL_SERVER", "oud.example.org")
    monkeypatch.setenv("KWALITEIT_MAIL_PORT", "2525")
    config = load_config(tmp_path, {"SECRET_KEY": "x"})
    assert (config["MAIL_SERVER"], config["MAIL_PORT"]) == ("oud.example.org", 2525)
    monkeypatch.setenv("KWALITEIT_SMTP_HOST", "smtp.example.org")
    monkeypatch.setenv("KWALITEIT_SMTP_FROM", "kwaliteit@example.org")
    config = load_config(tmp_path, {"SECRET_KEY": "x"})
    settings = MailSettings.from_config(config)
    assert (settings.server, settings.port, settings.sender) == (
        "smtp.example.org",
        2525,
        "kwaliteit@example.org",
    )


def test_a_multiline_description_or_a_long_title_makes_a_one_line_subject_that_fits(app, world, smtp):
    """A subject may hold no line break (the mail library refuses the header, and the message stopped
    every later one in the outbox) and fits its column (PostgreSQL refused the whole queue)."""
    from kwaliteit import limits

    with _session(app) as s:
        t1 = s.get(type(world.training1), world.training1.id)
        t1.title = "T" * limits.TITLE
        cycle = ReviewCycle(
            training_id=t1.id,
            school_year=2026,
            plan_due=TODAY + timedelta(days=3),
            check_due=date(2027, 7, 1),
            act_due=date(2027, 7, 31),
            owner_id=world.coordinator.id,
        )
        s.add(cycle)
        s.flush()
        s.add(
            ImprovementAction(
                cycle_id=cycle.id,
                description="Eerste regel\r\nTweede regel",
                owner_id=world.coordinator.id,
                due_on=TODAY - timedelta(days=2),
            )
        )
        s.commit()
    _queue(app)
    _deliver(app, settings=smtp.settings)
    subjects = [r.subject for r in _rows(app)]
    assert len(subjects) == 3 and all(len(x) <= limits.TITLE and "\n" not in x for x in subjects), subjects
    assert all(r.sent_at is not None for r in _rows(app))
    assert "Te laat: verbeteractie Eerste regel Tweede regel" in smtp.inbox.subjects()
