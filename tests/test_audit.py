"""The audit log (issue 11, item 6): what is recorded, by whom, in which partnership; never a value
nor an answer; who reads it; retention (SQLite and PostgreSQL)."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import String, cast, func, or_, select

from kwaliteit import db as kdb
from kwaliteit.audit import services
from kwaliteit.audit.models import Actor, AuditAction, AuditEntry
from kwaliteit.audit.recording import acting_as, record
from kwaliteit.scope import Forbidden, Scope
from kwaliteit.trainings.models import Training, TrainingSession
from scheduler import jobs
from tests import factories
from tests.conftest import NOW, TODAY, login
from tests.test_anonymity import link_answers


def entries(s, **where) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(AuditEntry, key) == value)
    return list(s.scalars(stmt))


def count(s) -> int:
    return s.scalar(select(func.count()).select_from(AuditEntry))


def test_created_changed_deleted_name_fields_never_values(app, world):
    with kdb.new_session(app) as s:
        before = count(s)
        training = s.get(Training, world.training1.id)
        training.title = "Geheime nieuwe titel"
        ts = factories.session(s, training, on=TODAY)
        s.commit()
        ts_id = ts.id
        s.delete(s.get(TrainingSession, ts_id))
        s.commit()

        new = [e for e in entries(s) if e.id > 0][before:]
        kinds = {(e.action, e.object_type, e.object_key) for e in new}
        assert (AuditAction.CHANGED, "training", str(world.training1.id)) in kinds
        assert (AuditAction.CREATED, "training_session", str(ts_id)) in kinds
        assert (AuditAction.DELETED, "training_session", str(ts_id)) in kinds
        changed = next(e for e in new if e.action is AuditAction.CHANGED and e.object_type == "training")
        assert changed.summary == "title"
        assert all("Geheime" not in (e.summary or "") for e in new)
        # The partnership, found through the parents; outside a request, click or job: the system.
        assert {e.partnership_id for e in new} == {world.p1.id}
        assert {(e.actor, e.user_id) for e in new} == {(Actor.SYSTEM, None)}


def test_partnership_found_by_sql_when_the_parent_is_not_loaded(app, world):
    with kdb.new_session(app) as s:
        # A fresh session: the training of the session is not in memory.
        ts = s.get(TrainingSession, world.session2.id)
        ts.location = "Elders"
        s.commit()
        (entry,) = entries(s, object_type="training_session", action=AuditAction.CHANGED)
        assert (entry.partnership_id, entry.summary) == (world.p2.id, "location")


def test_one_insert_per_flush(app, world):
    from sqlalchemy import event

    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engine = kdb.engine_of(app)
    with kdb.new_session(app) as s:
        training = s.get(Training, world.training1.id)
        sessions = [factories.session(s, training, on=TODAY) for _ in range(5)]
        event.listen(engine, "before_cursor_execute", before)
        try:
            for ts in sessions:
                ts.location = "Zaal 2"
            s.flush()
        finally:
            event.remove(engine, "before_cursor_execute", before)
        s.rollback()
    audit_inserts = [st for st in seen if "audit_entry" in st]
    assert len(audit_inserts) == 1, seen


def test_waive_unwaive_lock_unlock_by_a_coordinator(app, world, client):
    login(client, world.coordinator)
    base = f"/bijeenkomsten/{world.session1.id}/evaluatie"
    waiver = {"audience": "trainer", "reason": "Ziek, Anna weet ervan"}
    assert client.post(f"{base}/vrijstellen", data=waiver).status_code == 302
    assert client.post(f"{base}/vrijstelling-intrekken", data={"audience": "trainer"}).status_code == 302
    assert client.post(f"{base}/vergrendelen", data={"vergrendeld": "1"}).status_code == 302
    assert client.post(f"{base}/vergrendelen", data={"vergrendeld": "0"}).status_code == 302
    with kdb.new_session(app) as s:
        done = [e for e in entries(s, object_type="evaluation_request")
                if e.action is not AuditAction.CREATED]
        # The reason and who waived are changed fields beside the waiver itself.
        assert [(e.action, e.summary) for e in done] == [
            (AuditAction.WAIVED, None), (AuditAction.CHANGED, "waived_by_id, waived_reason"),
            (AuditAction.UNWAIVED, None), (AuditAction.CHANGED, "waived_by_id, waived_reason"),
            (AuditAction.LOCKED, None), (AuditAction.UNLOCKED, None),
        ]
        assert {(e.user_id, e.actor, e.partnership_id) for e in done} == {
            (world.coordinator.id, Actor.USER, world.p1.id)
        }
        # The reason's text is a value: only the field's name is there.
        reason = AuditEntry.summary.contains("Ziek")
        assert not s.scalar(select(func.count()).select_from(AuditEntry).where(reason))


def test_an_export_is_recorded_with_its_file_name(app, world, client):
    login(client, world.coordinator)
    response = client.get("/dashboard/export/te-laat.csv")
    assert response.status_code == 200
    with kdb.new_session(app) as s:
        (entry,) = entries(s, action=AuditAction.EXPORTED)
        assert entry.summary == f"dashboard-te-laat-{TODAY.isoformat()}.csv"
        assert (entry.user_id, entry.partnership_id) == (world.coordinator.id, world.p1.id)


def test_anonymising_is_recorded_and_the_log_keeps_no_name(app, world, client):
    # The trainer account acts first: an entry with its id.
    with kdb.new_session(app) as s:
        record(s, AuditAction.CHANGED, "training", world.training1.id, world.p1.id, "title")
        s.commit()
    login(client, world.admin)
    response = client.post(f"/beheer/personen/{world.trainer_person.id}/anonimiseren", data={"confirm": "y"})
    assert response.status_code == 302
    with kdb.new_session(app) as s:
        (entry,) = entries(s, action=AuditAction.ANONYMISED)
        assert (entry.object_type, entry.object_key, entry.partnership_id) == (
            "person", str(world.trainer_person.id), world.p1.id,
        )
        assert entry.user_id == world.admin.id
        columns = [c for c in AuditEntry.__table__.columns if isinstance(c.type, String)]
        needles = ("Anna", "de Vries", world.trainer.email)
        text = or_(*(cast(c, String).icontains(n) for c in columns for n in needles))
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(text)) == 0


def test_participant_answers_are_never_audited(app, world):
    with kdb.new_session(app) as s:
        ts = s.get(TrainingSession, world.session1.id)
        before_links = count(s)
        made = link_answers(s, ts, [(4, "Heel fijn, groet van Eva"), (5, None)])
        assert len(made) == 2
        # Making links is not audited either (a link is a token, not a record of anyone's work).
        assert count(s) == before_links
        assert not s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.object_type.in_(["response", "answer", "participant_link"])))


def test_answer_import_records_the_count_not_the_answers(app, world, db):
    from tests.test_import_wizard import DEFAULT_HEADER, confirm, csv_file, default_rows, upload

    draft = upload(db, world, csv_file(DEFAULT_HEADER, default_rows(3)))
    db.commit()
    confirm(db, world, draft)
    db.commit()
    (entry,) = entries(db, action=AuditAction.IMPORTED)
    assert (entry.object_type, entry.object_key, entry.summary) == (
        "training_session", str(world.session1.id), "3 antwoorden",
    )
    assert entry.partnership_id == world.p1.id


def test_register_import_is_recorded(app, world, db):
    from kwaliteit.certification import importing
    from tests.test_register_import import MAX, scope_for

    data = b"Naam;E-mail;School\r\nEva Mentor;eva@example.org;Basisschool De Linde\r\n"
    up = importing.read_upload(db, scope_for(world, "coordinator"), world.p1.id, world.coordinator.id,
                               "m.csv", data, MAX)
    importing.confirm(db, scope_for(world), up, importing.propose_mapping(up.headings), TODAY, NOW)
    db.commit()
    (entry,) = entries(db, action=AuditAction.IMPORTED)
    assert (entry.object_type, entry.partnership_id) == ("partnership", world.p1.id)
    assert "1 nieuwe personen" in entry.summary and "Eva" not in entry.summary


def test_scheduler_and_command_line_are_named(app, world):
    with acting_as(Actor.SCHEDULER), kdb.new_session(app) as s:
        record(s, AuditAction.LOCKED, "review_cycle", 1, world.p1.id, "2 trainersevaluaties")
        s.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["retention", "--today", TODAY.isoformat()]).exit_code == 0
    with kdb.new_session(app) as s:
        assert entries(s, action=AuditAction.LOCKED)[0].actor is Actor.SCHEDULER


# ---------------------------------------------------------------- reading: scope, filters, export


CELL = '<td data-label="Partnerschap">{}</td>'


def _seed(app, world):
    with kdb.new_session(app) as s:
        record(s, AuditAction.CHANGED, "training", world.training1.id, world.p1.id, "title")
        record(s, AuditAction.DELETED, "training", world.training2.id, world.p2.id)
        record(s, AuditAction.CHANGED, "framework", 1, None, "name")
        s.commit()


def test_coordinators_read_their_partnerships_only(app, world, client):
    _seed(app, world)
    login(client, world.other_coordinator)
    page = client.get("/audit?soort=training").get_data(as_text=True)
    assert ">verwijderd</td>" in page and ">gewijzigd</td>" not in page
    assert CELL.format("Partnerschap Zuid") in page and "Partnerschap Noord" not in page
    assert client.get(f"/audit?partnerschap={world.p1.id}").status_code == 403
    assert client.get(f"/audit/export.csv?partnerschap={world.p1.id}").status_code == 403
    exported = client.get("/audit/export.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(exported), delimiter=";"))
    assert rows[0] == services.EXPORT_HEADER
    assert {r[5] for r in rows[1:] if r[3] == "training"} == {"Partnerschap Zuid"}
    assert not any(r[3] == "kwaliteitskader" for r in rows[1:])  # no partnership: admins only


def test_admin_reads_all_and_filters(app, world, client):
    _seed(app, world)
    login(client, world.admin)
    everything = client.get("/audit").get_data(as_text=True)
    assert CELL.format("Partnerschap Zuid") in everything and CELL.format("Partnerschap Noord") in everything
    assert "kwaliteitskader 1" in everything
    page = client.get("/audit?actie=deleted").get_data(as_text=True)
    assert ">verwijderd</td>" in page and CELL.format("Partnerschap Noord") not in page
    assert "1 regel" in client.get(f"/audit?actie=changed&partnerschap={world.p1.id}").get_data(as_text=True)
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    assert "0 regels" in client.get(f"/audit?van={tomorrow}").get_data(as_text=True)
    assert "0 regels" in client.get(f"/audit?gebruiker={world.coordinator.id}").get_data(as_text=True)
    xlsx = client.get("/audit/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.headers["Cache-Control"] == "no-store"


def test_service_refuses_other_roles(db, world):
    for user in (world.trainer, world.steering):
        with pytest.raises(Forbidden):
            services.entries(db, Scope.for_user(user), services.AuditFilters())


# ---------------------------------------------------------------- retention


def test_purge_keeps_the_retention_period(app, world):
    with kdb.new_session(app) as s:
        old = datetime(2024, 11, 21, 22, 59, tzinfo=UTC)  # 23:59 on 21 Nov in Amsterdam
        kept = datetime(2024, 11, 21, 23, 0, tzinfo=UTC)  # 00:00 on 22 Nov in Amsterdam
        for at in (old, kept):
            s.add(AuditEntry(at=at, actor=Actor.SYSTEM, action=AuditAction.CHANGED, object_type="training"))
        s.commit()
        days = 730  # 22 November 2026 minus 730 days: 22 November 2024 is the first day kept
        total = count(s)
        assert services.purge(s, TODAY, days) == 1
        s.commit()
        assert count(s) == total - 1
        assert services.purge(s, TODAY, days) == 0


def test_purge_job_uses_the_configured_period(app, world, monkeypatch):
    with kdb.new_session(app) as s:
        s.add(AuditEntry(at=NOW - timedelta(days=800), actor=Actor.SYSTEM, action=AuditAction.CHANGED,
                         object_type="training"))
        s.add(AuditEntry(at=NOW - timedelta(days=10), actor=Actor.SYSTEM, action=AuditAction.CHANGED,
                         object_type="training"))
        s.commit()
        total = count(s)
    monkeypatch.setitem(app.config, "AUDIT_RETENTION_DAYS", 730)
    assert jobs.run_job(app, jobs.job_by_id("purge_audit"), TODAY, NOW)
    with kdb.new_session(app) as s:
        assert count(s) == total - 1
