"""The register's derived path stages and flags (kwaliteit.certification.flags) on their boundaries,
with an explicit `today`; scope and anonymisation; a fixed number of statements per list at 100
and at 5,000 mentors."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from kwaliteit import db as kdb
from kwaliteit.accounts.models import Role
from kwaliteit.certification import flags
from kwaliteit.certification.flags import Flag, QualificationState, RegisterFilters, Stage
from kwaliteit.registry.models import Organisation, OrganisationKind, Person, PersonRole
from kwaliteit.scope import Forbidden, Scope
from kwaliteit.trainings.models import TrainingKind
from tests import factories
from tests.conftest import TODAY, count_statements, login
from tests.registerdata import bulk_mentors, certificate, mentorship, policy, qualification

ALL = Scope.everything()
NONE = RegisterFilters()
D = timedelta(days=1)


@dataclass
class Reg:
    w: factories.World
    board: Organisation
    school: Organisation  # of the board, partnership 1
    school_b: Organisation  # another school of the board
    school2: Organisation  # partnership 2
    coordinator: Scope
    other_coordinator: Scope


@pytest.fixture
def reg(db) -> Reg:
    w = factories.build_world(db)
    board = w.school1.parent
    school_b = factories.organisation(db, w.p1, OrganisationKind.SCHOOL, "School Beuk", parent=board)
    db.flush()
    return Reg(
        w, board, w.school1, school_b, w.school2,
        Scope(Role.COORDINATOR, frozenset({w.p1.id})), Scope(Role.COORDINATOR, frozenset({w.p2.id})),
    )


def mentor(db, school, name=None) -> Person:
    return factories.person(db, school, PersonRole.MENTOR, name=name)


def mentor_ids(db, today, scope=ALL, filters=NONE, **kw) -> set[int]:
    page = flags.list_mentors(db, scope, filters, today, page_size=1000, **kw)
    return {r.person.id for r in page.items}


def cert_ids(db, flag, today, scope=ALL, filters=NONE) -> list[int]:
    page = flags.list_certificate_flags(db, scope, flag, filters, today, page_size=1000)
    return [r.certificate.id for r in page.items]


def trainer_ids(db, flag, today, scope=ALL, filters=NONE) -> set[int]:
    page = flags.list_trainers(db, scope, filters, today, flag=flag, page_size=1000)
    return {r.person.id for r in page.items}


def path(db, person, today) -> flags.MentorRow:
    return flags.mentor_path(db, ALL, person.id, today)


def counts(db, today, scope=ALL, filters=NONE) -> flags.RegisterCounts:
    return flags.register_counts(db, scope, filters, today)


# ================================================================ certificate expired / expiring


def test_certificate_expired_the_day_after_valid_until(db, reg):
    m = mentor(db, reg.school)
    end = date(2026, 11, 22)
    c = certificate(db, m, date(2021, 11, 22), end)
    assert cert_ids(db, Flag.CERTIFICATE_EXPIRED, end) == []
    assert cert_ids(db, Flag.CERTIFICATE_EXPIRING, end) == [c.id]  # its last day: still valid
    assert cert_ids(db, Flag.CERTIFICATE_EXPIRED, end + D) == [c.id]
    assert cert_ids(db, Flag.CERTIFICATE_EXPIRING, end + D) == []
    assert counts(db, end + D).flags[Flag.CERTIFICATE_EXPIRED] == 1
    assert counts(db, end).flags[Flag.CERTIFICATE_EXPIRED] == 0


def test_certificate_expiring_within_the_policy_days(db, reg):
    today = TODAY
    m1, m2 = mentor(db, reg.school), mentor(db, reg.school)
    at_edge = certificate(db, m1, date(2022, 1, 1), today + timedelta(days=90))
    certificate(db, m2, date(2022, 1, 1), today + timedelta(days=91))
    assert cert_ids(db, Flag.CERTIFICATE_EXPIRING, today) == [at_edge.id]
    # A day later the second one is within the 90 days too.
    assert len(cert_ids(db, Flag.CERTIFICATE_EXPIRING, today + D)) == 2
    # A partnership's own period: 30 days.
    policy(db, reg.w.p1.id, expiring_days=30)
    assert cert_ids(db, Flag.CERTIFICATE_EXPIRING, today) == []
    assert cert_ids(db, Flag.CERTIFICATE_EXPIRING, today + timedelta(days=60)) == [at_edge.id]
    assert cert_ids(db, Flag.CERTIFICATE_EXPIRING, today + timedelta(days=59)) == []
    # 0 days: only a certificate ending today is "expiring".
    policy(db, reg.w.p1.id, expiring_days=0)
    assert cert_ids(db, Flag.CERTIFICATE_EXPIRING, today + timedelta(days=90)) == [at_edge.id]
    assert cert_ids(db, Flag.CERTIFICATE_EXPIRING, today + timedelta(days=89)) == []


def test_certificate_without_end_never_expires(db, reg):
    m = mentor(db, reg.school)
    certificate(db, m, date(2000, 1, 1), None)
    for today in (TODAY, date(2099, 12, 31)):
        assert cert_ids(db, Flag.CERTIFICATE_EXPIRED, today) == []
        assert cert_ids(db, Flag.CERTIFICATE_EXPIRING, today) == []


def test_renewed_certificate_clears_the_expired_flag(db, reg):
    today = TODAY
    m = mentor(db, reg.school)
    old = certificate(db, m, date(2021, 1, 1), today - D)
    assert cert_ids(db, Flag.CERTIFICATE_EXPIRED, today) == [old.id]
    # A renewal dated after today does not count yet.
    new = certificate(db, m, today + D, today + timedelta(days=5 * 365))
    assert cert_ids(db, Flag.CERTIFICATE_EXPIRED, today) == [old.id]
    assert cert_ids(db, Flag.CERTIFICATE_EXPIRED, today + D) == []
    # A refresher certificate is not a renewal of the basic one.
    m2 = mentor(db, reg.school)
    old2 = certificate(db, m2, date(2020, 1, 1), today - D)
    certificate(db, m2, today - D, None, kind=TrainingKind.REFRESHER)
    assert cert_ids(db, Flag.CERTIFICATE_EXPIRED, today) == [old.id, old2.id]
    assert new.id not in cert_ids(db, Flag.CERTIFICATE_EXPIRING, today)


def test_expired_certificate_counts_once_per_person(db, reg):
    """A person with two expired basic certificates needs one renewal: only the latest is flagged."""
    today = TODAY
    m = mentor(db, reg.school)
    certificate(db, m, date(2010, 1, 1), date(2015, 1, 1))
    later = certificate(db, m, date(2015, 1, 1), date(2020, 1, 1))
    assert cert_ids(db, Flag.CERTIFICATE_EXPIRED, today) == [later.id]
    assert counts(db, today).flags[Flag.CERTIFICATE_EXPIRED] == 1


def test_renewal_clears_expiring_only_from_its_date(db, reg):
    today = TODAY
    m = mentor(db, reg.school)
    ending = certificate(db, m, date(2021, 12, 1), today + timedelta(days=10))
    renewal = certificate(db, m, today + timedelta(days=5), today + timedelta(days=5 * 365))
    assert cert_ids(db, Flag.CERTIFICATE_EXPIRING, today) == [ending.id]
    assert cert_ids(db, Flag.CERTIFICATE_EXPIRING, today + timedelta(days=5)) == []
    assert renewal.id not in cert_ids(db, Flag.CERTIFICATE_EXPIRING, today + timedelta(days=5))


# ================================================================ the path and "refresh needed"


def test_no_basic_training_and_a_certificate_dated_after_today(db, reg):
    today = TODAY
    m = mentor(db, reg.school)
    assert path(db, m, today).stage is Stage.NO_BASIC
    certificate(db, m, today + D, None)
    row = path(db, m, today)
    assert row.stage is Stage.NO_BASIC and row.basic_on is None and not row.basic_valid
    row = path(db, m, today + D)
    assert row.stage is Stage.ON_TRACK and row.basic_on == today + D and row.basic_valid
    # A refresher without a basic training does not start the path.
    m2 = mentor(db, reg.school)
    certificate(db, m2, date(2025, 1, 1), None, kind=TrainingKind.REFRESHER)
    assert path(db, m2, today).stage is Stage.NO_BASIC


def test_refresh_due_exactly_refresh_years_after_the_basic_training(db, reg):
    m = mentor(db, reg.school)
    certificate(db, m, date(2021, 11, 22), None)
    due = date(2026, 11, 22)
    assert path(db, m, due).refresh_due == due
    assert path(db, m, due).stage is Stage.DUE_SOON  # due today: not late yet
    assert m.id not in mentor_ids(db, due, flag=Flag.REFRESH_NEEDED)
    assert path(db, m, due + D).stage is Stage.OVERDUE
    assert mentor_ids(db, due + D, flag=Flag.REFRESH_NEEDED) == {m.id}
    assert counts(db, due + D).flags[Flag.REFRESH_NEEDED] == 1
    # "Soon" from expiring_days (90) before the due date.
    assert path(db, m, due - timedelta(days=90)).stage is Stage.DUE_SOON
    assert path(db, m, due - timedelta(days=91)).stage is Stage.ON_TRACK
    assert path(db, m, due - timedelta(days=91)).next_step.on == due


def test_refresh_due_from_29_february(db, reg):
    m = mentor(db, reg.school)
    certificate(db, m, date(2020, 2, 29), None)
    due = date(2025, 2, 28)  # no 29 February in 2025: the 28th, as plus_years
    assert path(db, m, due).refresh_due == due
    assert path(db, m, due).stage is Stage.DUE_SOON
    assert path(db, m, date(2025, 3, 1)).stage is Stage.OVERDUE
    # Four years on, 29 February exists again.
    policy(db, reg.w.p1.id, refresh_years=4)
    assert path(db, m, date(2024, 2, 29)).refresh_due == date(2024, 2, 29)
    assert path(db, m, date(2024, 3, 1)).stage is Stage.OVERDUE


def test_refresher_or_deeper_training_restarts_the_period(db, reg):
    m = mentor(db, reg.school)
    certificate(db, m, date(2015, 3, 1), None)
    assert path(db, m, TODAY).stage is Stage.OVERDUE
    certificate(db, m, date(2022, 6, 1), None, kind=TrainingKind.ADVANCED)
    assert path(db, m, TODAY).refresh_due == date(2027, 6, 1)
    assert path(db, m, TODAY).stage is Stage.ON_TRACK
    certificate(db, m, date(2023, 1, 10), None, kind=TrainingKind.REFRESHER)
    assert path(db, m, TODAY).refresh_due == date(2028, 1, 10)
    # Before the refresher's date it does not count yet.
    assert path(db, m, date(2023, 1, 9)).refresh_due == date(2027, 6, 1)


def test_refresh_years_of_the_partnership_policy(db, reg):
    m1, m2 = mentor(db, reg.school), mentor(db, reg.school2)
    for m in (m1, m2):
        certificate(db, m, date(2023, 1, 1), None)
    assert {path(db, m, TODAY).stage for m in (m1, m2)} == {Stage.ON_TRACK}
    policy(db, reg.w.p1.id, refresh_years=3)
    assert path(db, m1, TODAY).refresh_due == date(2026, 1, 1)
    assert path(db, m1, TODAY).stage is Stage.OVERDUE
    assert path(db, m2, TODAY).stage is Stage.ON_TRACK  # partnership 2 keeps the default (5)
    assert mentor_ids(db, TODAY, flag=Flag.REFRESH_NEEDED) == {m1.id}
    # An empty column is the default again.
    policy(db, reg.w.p1.id, refresh_years=None)
    assert path(db, m1, TODAY).stage is Stage.ON_TRACK


def test_stage_counts_and_list_by_stage(db, reg):
    today = TODAY
    none_ = mentor(db, reg.school)
    late = mentor(db, reg.school)
    certificate(db, late, date(2020, 1, 1), None)
    soon = mentor(db, reg.school)
    certificate(db, soon, date(2021, 12, 1), None)
    fine = mentor(db, reg.school)
    certificate(db, fine, date(2025, 1, 1), None)
    assert flags.stage_counts(db, ALL, NONE, today) == {
        Stage.NO_BASIC: 2,  # with the world's mentor Dirk Bakker
        Stage.OVERDUE: 1,
        Stage.DUE_SOON: 1,
        Stage.ON_TRACK: 1,
    }
    assert counts(db, today).stages == flags.stage_counts(db, ALL, NONE, today)
    assert mentor_ids(db, today, stage=Stage.DUE_SOON) == {soon.id}
    assert mentor_ids(db, today, stage=Stage.OVERDUE) == {late.id}
    assert none_.id in mentor_ids(db, today, stage=Stage.NO_BASIC)
    # The most urgent first.
    order = [r.person.id for r in flags.list_mentors(db, ALL, NONE, today, page_size=100).items]
    assert order.index(none_.id) < order.index(late.id) < order.index(soon.id) < order.index(fine.id)


# ================================================================ mentoring without a valid basic training


def test_mentoring_without_basic_in_the_school_year_of_today(db, reg):
    m = mentor(db, reg.school)
    mentorship(db, m, reg.school, 2026)  # 1 August 2026 - 31 July 2027
    flagged = lambda today: mentor_ids(db, today, flag=Flag.MENTORING_WITHOUT_BASIC)  # noqa: E731
    assert flagged(date(2026, 7, 31)) == set()
    assert flagged(date(2026, 8, 1)) == {m.id}
    assert flagged(date(2027, 7, 31)) == {m.id}
    assert flagged(date(2027, 8, 1)) == set()
    assert counts(db, date(2026, 8, 1)).flags[Flag.MENTORING_WITHOUT_BASIC] == 1
    assert path(db, m, date(2026, 8, 1)).next_step.late
    assert not path(db, m, date(2026, 7, 31)).next_step.late


def test_mentoring_with_a_valid_expired_or_later_basic_certificate(db, reg):
    today = TODAY
    m = mentor(db, reg.school)
    mentorship(db, m, reg.school, 2026)
    certificate(db, m, date(2021, 1, 1), today)  # valid through today
    flagged = lambda on: mentor_ids(db, on, flag=Flag.MENTORING_WITHOUT_BASIC)  # noqa: E731
    assert flagged(today) == set()
    assert flagged(today + D) == {m.id}  # expired the day after
    certificate(db, m, today + timedelta(days=3), None)  # a new one, dated later
    assert flagged(today + D) == {m.id}
    assert flagged(today + timedelta(days=3)) == set()
    # A refresher is not a basic training.
    m2 = mentor(db, reg.school)
    mentorship(db, m2, reg.school, 2026)
    certificate(db, m2, date(2025, 1, 1), None, kind=TrainingKind.REFRESHER)
    assert m2.id in flagged(today)


def test_a_mentorship_makes_a_mentor_without_the_role(db, reg):
    p = factories.person(db, reg.school_b, name="Zonder rol")
    assert path(db, p, TODAY) is None
    mentorship(db, p, reg.school_b, 2020)
    assert path(db, p, TODAY).stage is Stage.NO_BASIC
    assert p.id not in mentor_ids(db, TODAY, flag=Flag.MENTORING_WITHOUT_BASIC)  # not this year


# ================================================================ trainers


def _trainer(db, reg, session_on: date | None, cancelled=False) -> Person:
    p = factories.person(db, reg.school_b, PersonRole.SCHOOL_EDUCATOR)
    if session_on is not None:
        ts = factories.session(db, reg.w.training1, trainers=[p], on=session_on)
        if cancelled:
            ts.cancelled_at = datetime(2026, 9, 1)
            db.flush()
    return p


def test_trainer_qualification_expired_and_expiring(db, reg):
    today = TODAY
    t = _trainer(db, reg, date(2026, 10, 1))
    qualification(db, t, date(2022, 11, 22), today)
    assert t.id in trainer_ids(db, Flag.QUALIFICATION_EXPIRING, today)
    assert t.id not in trainer_ids(db, Flag.QUALIFICATION_EXPIRED, today)
    assert t.id in trainer_ids(db, Flag.QUALIFICATION_EXPIRED, today + D)
    assert t.id not in trainer_ids(db, Flag.QUALIFICATION_EXPIRING, today + D)
    # Expiring from expiring_days before the end.
    t2 = _trainer(db, reg, date(2026, 10, 1))
    qualification(db, t2, date(2023, 1, 1), today + timedelta(days=90))
    assert t2.id in trainer_ids(db, Flag.QUALIFICATION_EXPIRING, today)
    assert t2.id not in trainer_ids(db, Flag.QUALIFICATION_EXPIRING, today - D)
    policy(db, reg.w.p1.id, expiring_days=89)
    assert t2.id not in trainer_ids(db, Flag.QUALIFICATION_EXPIRING, today)
    # The longest-lasting qualification counts: a renewal clears the flags.
    qualification(db, t, today + D, None)
    assert t.id not in trainer_ids(db, Flag.QUALIFICATION_EXPIRED, today + D)
    assert t.id in trainer_ids(db, Flag.QUALIFICATION_EXPIRING, today)  # the renewal is dated later
    rows = flags.list_trainers(db, ALL, NONE, today + D, page_size=100).items
    states = {r.person.id: r.state for r in rows}
    assert states[t.id] is QualificationState.VALID


def test_trainer_without_qualification_only_when_active(db, reg):
    today = TODAY  # school year 2026-2027
    active = _trainer(db, reg, date(2027, 7, 31))  # later in the school year counts too
    first_day = _trainer(db, reg, date(2026, 8, 1))
    last_year = _trainer(db, reg, date(2026, 7, 31))
    cancelled = _trainer(db, reg, date(2026, 10, 1), cancelled=True)
    never = _trainer(db, reg, None)
    missing = trainer_ids(db, Flag.QUALIFICATION_MISSING, today)
    assert {active.id, first_day.id} <= missing
    assert not {last_year.id, cancelled.id, never.id} & missing
    # A qualification completed after today does not count yet.
    qualification(db, active, today + D, None)
    assert active.id in trainer_ids(db, Flag.QUALIFICATION_MISSING, today)
    assert active.id not in trainer_ids(db, Flag.QUALIFICATION_MISSING, today + D)


def test_expired_qualification_is_flagged_whether_or_not_the_trainer_is_active(db, reg):
    """Only "missing" depends on giving sessions this school year (a person with a trainer role
    who never registered is not news); an expired or expiring registration needs renewal anyway."""
    inactive = _trainer(db, reg, date(2024, 10, 1))
    qualification(db, inactive, date(2020, 1, 1), date(2024, 1, 1))
    assert inactive.id in trainer_ids(db, Flag.QUALIFICATION_EXPIRED, TODAY)
    assert inactive.id not in trainer_ids(db, Flag.QUALIFICATION_MISSING, TODAY)


def test_qualified_share_of_active_trainers(db, reg):
    today = TODAY
    # The world: Anna (school) and Bram (institute) give session1 on 1 October 2026, Carla in p2.
    c = counts(db, today)
    assert (c.trainers, c.active_trainers, c.active_trainers_qualified) == (3, 3, 0)
    assert c.qualified_share == 0
    qualification(db, reg.w.trainer_person, date(2024, 1, 1), today)  # valid today, expiring
    qualification(db, reg.w.trainer_person2, date(2020, 1, 1), today - D)  # expired
    c = counts(db, today)
    assert (c.active_trainers, c.active_trainers_qualified) == (3, 1)
    assert c.flags[Flag.QUALIFICATION_MISSING] == 1
    assert c.flags[Flag.QUALIFICATION_EXPIRED] == 1
    assert c.flags[Flag.QUALIFICATION_EXPIRING] == 1
    c = counts(db, today, reg.coordinator)
    assert (c.trainers, c.active_trainers, c.active_trainers_qualified) == (2, 2, 1)
    assert c.qualified_share == 0.5
    # No active trainer: no share.
    assert counts(db, date(2030, 1, 1)).qualified_share is None


def test_qualified_on_a_date(db, reg):
    t = reg.w.trainer_person
    qualification(db, t, date(2024, 3, 1), date(2026, 2, 28))
    on = lambda d: db.scalar(select(flags.qualified_on(t.id, d)))  # noqa: E731
    days = (date(2024, 2, 29), date(2024, 3, 1), date(2026, 2, 28), date(2026, 3, 1))
    assert [bool(on(d)) for d in days] == [False, True, True, False]
    qualification(db, t, date(2027, 1, 1), None)
    assert bool(on(date(2090, 1, 1))) and not bool(on(date(2026, 12, 31)))


# ================================================================ scope, filters, anonymisation


def _one_of_each(db, reg, school) -> dict:
    """A mentor with each mentor flag and a trainer with each trainer flag, at `school`."""
    today = TODAY
    expired = mentor(db, school)
    certificate(db, expired, date(2018, 1, 1), date(2023, 1, 1))  # also overdue
    expiring = mentor(db, school)
    certificate(db, expiring, date(2021, 12, 1), today + timedelta(days=9))
    mentoring = mentor(db, school)
    mentorship(db, mentoring, school, 2026)
    t_exp = factories.person(db, school, PersonRole.SCHOOL_EDUCATOR)
    qualification(db, t_exp, date(2020, 1, 1), date(2024, 1, 1))
    t_soon = factories.person(db, school, PersonRole.SCHOOL_EDUCATOR)
    qualification(db, t_soon, date(2022, 1, 1), today + timedelta(days=30))
    t_none = factories.person(db, school, PersonRole.SCHOOL_EDUCATOR)
    training = reg.w.training1 if school.partnership_id == reg.w.p1.id else reg.w.training2
    factories.session(db, training, trainers=[t_none], on=date(2026, 9, 15))
    return dict(
        expired=expired, expiring=expiring, mentoring=mentoring, t_exp=t_exp, t_soon=t_soon, t_none=t_none
    )


def test_a_coordinator_never_sees_another_partnership(db, reg):
    mine, theirs = _one_of_each(db, reg, reg.school), _one_of_each(db, reg, reg.school2)
    theirs_ids = {p.id for p in theirs.values()}
    for scope in (reg.coordinator, Scope(Role.STEERING, frozenset({reg.w.p1.id}))):
        for flag in Flag:
            if flag.about_certificates:
                page = flags.list_certificate_flags(db, scope, flag, NONE, TODAY, page_size=100)
                seen = {r.person.id for r in page.items}
            elif flag.about_trainers:
                seen = trainer_ids(db, flag, TODAY, scope)
            else:
                seen = mentor_ids(db, TODAY, scope, flag=flag)
            assert seen and not seen & theirs_ids, flag
        assert not mentor_ids(db, TODAY, scope) & theirs_ids
        # Asking for partnership 2 as a filter gives nothing (the views refuse it: 403).
        assert mentor_ids(db, TODAY, scope, RegisterFilters(partnership_id=reg.w.p2.id)) == set()
        assert flags.mentor_path(db, scope, theirs["expired"].id, TODAY) is None
        # One of each, and "missing" also for the world's Anna and Bram (session1 this year).
        expected = {f: 3 if f is Flag.QUALIFICATION_MISSING else 1 for f in Flag}
        assert counts(db, TODAY, scope).flags == expected
    assert counts(db, TODAY).flags == {f: 5 if f is Flag.QUALIFICATION_MISSING else 2 for f in Flag}
    assert mine["expired"].id in mentor_ids(db, TODAY, reg.coordinator, flag=Flag.REFRESH_NEEDED)
    other = counts(db, TODAY, reg.other_coordinator)  # with Carla
    assert other.flags == {f: 2 if f is Flag.QUALIFICATION_MISSING else 1 for f in Flag}


def test_a_trainer_reads_no_register(db, reg):
    scope = Scope(Role.TRAINER, frozenset({reg.w.p1.id}), reg.w.trainer_person.id)
    with pytest.raises(Forbidden):
        counts(db, TODAY, scope)
    with pytest.raises(Forbidden):
        flags.list_mentors(db, scope, NONE, TODAY)


def test_filters_board_school_and_name(db, reg):
    a = mentor(db, reg.school, name="Anouk Linde")
    b = mentor(db, reg.school_b, name="Bert Beuk")
    board2 = factories.organisation(db, reg.w.p1, OrganisationKind.BOARD, "Bestuur Twee")
    school3 = factories.organisation(db, reg.w.p1, OrganisationKind.SCHOOL, "School Drie", parent=board2)
    c = mentor(db, school3, name="Cor Drie")
    on_board = mentor(db, board2, name="Daan Bestuur")  # works at the board itself
    dirk = reg.w.mentor.id
    assert mentor_ids(db, TODAY, filters=RegisterFilters(board_id=reg.board.id)) == {a.id, b.id, dirk}
    assert mentor_ids(db, TODAY, filters=RegisterFilters(board_id=board2.id)) == {c.id, on_board.id}
    assert mentor_ids(db, TODAY, filters=RegisterFilters(school_id=reg.school_b.id)) == {b.id}
    assert mentor_ids(db, TODAY, filters=RegisterFilters(q="beuk")) == {b.id}
    assert mentor_ids(db, TODAY, filters=RegisterFilters(q="%")) == set()  # a wildcard is a character
    assert counts(db, TODAY, filters=RegisterFilters(board_id=board2.id)).mentors == 2


def test_anonymised_persons_are_left_out(db, reg):
    people = _one_of_each(db, reg, reg.school)
    before = counts(db, TODAY)
    assert before.flags == {f: 4 if f is Flag.QUALIFICATION_MISSING else 1 for f in Flag}
    for p in people.values():
        p.anonymised_at = datetime(2026, 11, 1)
    db.flush()
    after = counts(db, TODAY)
    assert after.flags == {f: 3 if f is Flag.QUALIFICATION_MISSING else 0 for f in Flag}
    assert after.mentors == before.mentors - 3
    assert after.trainers == before.trainers - 3
    assert not mentor_ids(db, TODAY) & {p.id for p in people.values()}


# ================================================================ pages: a fixed number of statements


@pytest.fixture
def big(app):
    """The world in a session of its own (requests must not share the test's session)."""
    with kdb.new_session(app) as s:
        w = factories.build_world(s)
        board = s.get(Organisation, w.school1.parent_id)
        extra = factories.organisation(s, w.p1, OrganisationKind.SCHOOL, "Bulkschool", parent=board)
        schools = [w.school1, extra]
        s.commit()
    return w, board, schools


def _service_statements(app, fn) -> int:
    engine = kdb.engine_of(app)
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with kdb.new_session(app) as s:
        fn(s)  # warm-up
        event.listen(engine, "before_cursor_execute", before)
        try:
            fn(s)
        finally:
            event.remove(engine, "before_cursor_execute", before)
    return len(seen)


def test_statement_count_at_100_and_5000_mentors(app, big):
    w, board, schools = big
    client = app.test_client()
    login(client, w.coordinator)
    urls = [
        "/register",
        f"/register?bestuur={board.id}",
        *(f"/register/signalen/{f.value}" for f in Flag),
        f"/register/signalen/{Flag.REFRESH_NEEDED.value}?pagina=2&school={schools[1].id}",
    ]
    scope = Scope(Role.COORDINATOR, frozenset({w.p1.id}))
    services = {
        "mentors": lambda s: flags.list_mentors(s, scope, NONE, TODAY, page=3),
        "stage": lambda s: flags.list_mentors(
            s, scope, RegisterFilters(board_id=board.id), TODAY, stage=Stage.OVERDUE
        ),
        "all": lambda s: flags.all_mentors(s, scope, NONE, TODAY),
        "counts": lambda s: flags.register_counts(s, scope, NONE, TODAY),
    }

    def measure():
        pages = {url: count_statements(app, client, url) for url in urls}
        return (
            {url: len(st) for url, (st, _html) in pages.items()},
            {name: _service_statements(app, fn) for name, fn in services.items()},
            pages,
        )

    with kdb.new_session(app) as s:
        bulk_mentors(s, schools, 100, TODAY)
        s.commit()
    small_pages, small_services, _ = measure()
    with kdb.new_session(app) as s:
        bulk_mentors(s, schools, 4_900, TODAY)
        s.commit()
    large_pages, large_services, pages = measure()
    assert large_pages == small_pages
    assert large_services == small_services
    assert small_services["counts"] == 3
    assert small_services["mentors"] == 2
    # The figures did grow.
    with kdb.new_session(app) as s:
        assert flags.register_counts(s, scope, NONE, TODAY).mentors == 5_001
    assert 'role="status">' in pages[f"/register/signalen/{Flag.REFRESH_NEEDED.value}"][1]


def test_no_register_row_reaches_another_partnership_in_the_pages(app, big):
    w, _board, _schools = big
    with kdb.new_session(app) as s:
        school2 = s.get(Organisation, w.school2.id)
        bulk_mentors(s, [school2], 30, TODAY, prefix="zuid")
        s.commit()
    client = app.test_client()
    login(client, w.coordinator)
    for f in Flag:
        html = client.get(f"/register/signalen/{f.value}").get_data(as_text=True)
        assert "Mentor zuid" not in html, f
    page2 = client.get("/register/signalen/opfrissen-nodig?pagina=2").get_data(as_text=True)
    assert "Mentor zuid" not in page2
    assert client.get(f"/register?partnerschap={w.p2.id}").status_code == 403
    assert client.get(f"/register/signalen/opfrissen-nodig?school={w.school2.id}").status_code == 403
