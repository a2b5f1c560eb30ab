"""The benchmark's generator and runner at the tiny size, on SQLite and PostgreSQL: the counts the
size promises, the same data on every run, and every measured page answering. No timings are
asserted (speed is measured by running bench/ by hand)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bench import generate as gen
from bench import run
from kwaliteit import config
from kwaliteit import db as kdb
from kwaliteit.registry.models import Person, PersonRole, PersonRoleLink
from kwaliteit.security import guard
from tests.conftest import NOW, empty_database


def test_tiny_has_the_promised_counts_and_is_the_same_twice(app, db):
    spec = gen.SIZES["tiny"]
    first = gen.generate(db, "tiny")
    assert first["partnership"] == spec.partnerships
    assert first["training"] == spec.trainings
    assert first["training_session"] == spec.sessions
    assert first["response"] == spec.responses
    assert 0.9 * spec.answers <= first["answer"] <= 1.1 * spec.answers
    mentors = db.scalar(select(func.count()).select_from(PersonRoleLink).where(PersonRoleLink.role == PersonRole.MENTOR))
    assert mentors == spec.mentors
    assert db.scalar(select(func.count()).select_from(Person)) == spec.mentors + spec.partnerships * spec.trainers
    # Every participant response came through a link that counted it.
    assert first["sum used_count"] == first["response"] - first["evaluation_request"] + _waived(db)
    for table in ("evaluation_request", "participant_link", "certificate", "attendance", "review_cycle",
                  "trainer_qualification", "session_trainer"):
        assert first[table] > 0, table

    empty_database(app)
    with kdb.new_session(app) as again:
        assert gen.generate(again, "tiny") == first


def _waived(db) -> int:
    from evaluaties.answers.models import EvaluationRequest

    return db.scalar(select(func.count()).select_from(EvaluationRequest).where(EvaluationRequest.waived_at.is_not(None)))


def test_every_measured_page_answers_for_both_roles(app, db):
    gen.generate(db, "tiny")
    figures = run.measure_pages(app, repeat=1)
    assert {(f.page, f.role) for f in figures} == {
        (page, role) for page, _url in run.pages(run.pick_targets(db)) for role in ("coordinator", "admin")
    }
    assert all(f.statements > 0 for f in figures)
    assert {f.page for f in figures if f.floor is not None} == {
        "dashboard", "results: all", "results: one training", "results: one school year", "results: one safeguard",
        "response rates",
    }


def test_the_answer_link_limit_is_a_setting_with_the_old_default(monkeypatch, tmp_path, app):
    assert config.load_config(tmp_path, {"SECRET_KEY": "x"})["ANSWER_LINK_PER_MINUTE"] == guard.ANSWER_LINK.limit == 300
    monkeypatch.setenv("KWALITEIT_ANSWER_LINK_PER_MINUTE", "5000")
    assert config.load_config(tmp_path, {"SECRET_KEY": "x"})["ANSWER_LINK_PER_MINUTE"] == 5000
    for bad in ("0", "veel", "-1"):
        monkeypatch.setenv("KWALITEIT_ANSWER_LINK_PER_MINUTE", bad)
        with pytest.raises(ValueError, match="ANSWER_LINK_PER_MINUTE"):
            config.load_config(tmp_path, {"SECRET_KEY": "x"})
    with kdb.new_session(app) as s:
        assert guard.answer_link_limited(s, "10.0.0.9", NOW, per_minute=2) is None
        assert guard.answer_link_limited(s, "10.0.0.9", NOW, per_minute=2) is None
        assert guard.answer_link_limited(s, "10.0.0.9", NOW, per_minute=2) is not None
        s.rollback()
