"""The steering dashboard on a fixed dataset and reference date (the suite's TODAY, 22 November 2026).

The dataset (see `dash`), per partnership, with the figures it must give:

Noord (p1): board "Bestuur Noord" (school1) and board "Bestuur Oost" (school Oost); trainers tp (school1),
tp2 (institute1), tp3 (school Oost). Trainings: T1 "Basistraining mentoren Noord" (LL, LO; responsible:
institute1 and Bestuur Noord), T3 "Verdieping Noord" (KC, advanced), T5 "Kennismaking Noord" (no
safeguard), T4 "Oude opzet Noord" (OR, inactive). Sessions (trainer due +14 days, window +21 days):
  s1  T1 2026-10-01 tp+tp2  12 invited, 6 link answers (50 %: not low), trainer overdue (due 15-10)
  sA  T1 2026-11-12 tp      10 invited, links, no answers; trainer due 26-11: within 7 days
  sB  T3 2026-11-01 tp2      8 invited, 3 link answers (withheld), trainer overdue (due 15-11),
                             window closes 22-11: closing with a low response
  sC  T3 2026-09-10 tp2+tp3 10 invited, 4 link answers (withheld) + 5 imported (released), submitted
  sD  T5 2026-11-28 tp3     no links: "without links" (within 14 days)
  sE  T5 2026-12-20 tp3     no links, but further ahead
  sF  T1 2025-10-01 tp+tp2  10 invited, 7 link answers, trainer waived
  sG  T1 2025-11-05 tp2     20 invited, 2 link answers (10 %: low), trainer overdue (due 19-11-2025)
  sH  T4 2025-03-01 tp      cancelled
Zuid (p2): training2 (LL) with session2 2026-10-01 (Carla Smit, institute): overdue, 12 invited, no
answers (low). Board "Bestuur Zuid".
West (p3): T6 "Basistraining West" (LO, OR, KC) with one session 2026-10-20, trainer overdue, nobody
invited.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date, time
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select

from evaluaties.answers.links import new_token
from evaluaties.answers.models import (
    Answer,
    EvaluationRequest,
    LinkKind,
    ParticipantLink,
    Response,
    ResponseSource,
)
from evaluaties.questionnaires.models import (
    Audience,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
)
from evaluaties.results import tally
from kwaliteit import db as kdb
from kwaliteit.accounts.models import Role
from kwaliteit.dashboard import exports, services
from kwaliteit.dashboard.assets import plotly_css
from kwaliteit.dashboard.services import Composition, Filters
from kwaliteit.models_base import utcnow
from kwaliteit.registry.models import OrganisationKind, PersonRole
from kwaliteit.scope import Forbidden, Scope
from kwaliteit.trainings.models import Training, TrainingKind, TrainingSession, session_trainer
from kwaliteit.validation import ValidationError
from tests import factories
from tests.conftest import TODAY, count_statements, login

REF = TODAY  # 22 November 2026


# ----------------------------------------------------------------- the dataset


def _questionnaire(s) -> SimpleNamespace:
    """A participant questionnaire of our own (the shipped one may change its scales): the overall
    rating `totaal` on a scale of 1-5, a statement tagged LO, and an open question."""
    q = Questionnaire(title="Deelnemers dashboardtest", audience=Audience.PARTICIPANT)
    v = QuestionnaireVersion(questionnaire=q, number=1, published_at=utcnow())
    totaal = Question(
        version=v,
        code="totaal",
        position=0,
        text="Cijfer",
        type=QuestionType.SCALE,
        options=["1", "2", "3", "4", "5"],
    )
    stelling = Question(
        version=v,
        code="bruikbaarheid",
        position=1,
        text="Bruikbaar",
        type=QuestionType.SCALE,
        options=["1", "2", "3", "4", "5"],
        safeguard_code="LO",
    )
    remark = Question(
        version=v, code="opmerkingen", position=2, text="Opmerkingen", type=QuestionType.OPEN, required=False
    )
    s.add_all([q, v, totaal, stelling, remark])
    s.flush()
    return SimpleNamespace(version=v, totaal=totaal, stelling=stelling)


def answer(s, q, ts, source: ResponseSource, pairs: list[tuple[int, int]]) -> None:
    """One participant response per (totaal, statement) pair, in bulk."""
    rows = [
        {"session_id": ts.id, "version_id": q.version.id, "audience": Audience.PARTICIPANT, "source": source}
        for _ in pairs
    ]
    ids = list(s.scalars(insert(Response).returning(Response.id, sort_by_parameter_order=True), rows))
    s.execute(
        insert(Answer),
        [
            {"response_id": rid, "question_id": qid, "value_int": value, "value_text": None}
            for rid, (total, statement) in zip(ids, pairs, strict=True)
            for qid, value in ((q.totaal.id, total), (q.stelling.id, statement))
        ],
    )
    tally.rebuild(s, [ts.id])


def links(s, ts, n: int, used: int = 0) -> None:
    s.add_all(
        ParticipantLink(
            session_id=ts.id,
            token=new_token(),
            kind=LinkKind.SINGLE,
            max_uses=1,
            used_count=1 if i < used else 0,
        )
        for i in range(n)
    )
    s.flush()
    tally.count_links(s, ts.id, links=n, single=n)  # as evaluaties.answers.links keeps it


def session(s, t, on: date, trainers, participants: int) -> TrainingSession:
    return factories.session(s, t, trainers=trainers, on=on, participants=participants)


@dataclass
class Dash:
    w: factories.World
    p3: object
    board_noord: object
    board_oost: object
    board_zuid: object
    board_west: object
    tp3: object
    t3: object
    t5: object
    t6: object
    sessions: dict
    regional: object  # steering account of Noord and West


@pytest.fixture
def dash(app) -> Dash:
    with kdb.new_session(app) as s:
        w = factories.build_world(s)
        sg = {x.code: x for x in w.safeguards}
        board_noord = w.school1.parent
        board_oost = factories.organisation(s, w.p1, OrganisationKind.BOARD, "Bestuur Oost")
        school_oost = factories.organisation(
            s, w.p1, OrganisationKind.SCHOOL, "School Oost", parent=board_oost
        )
        board_zuid = factories.organisation(s, w.p2, OrganisationKind.BOARD, "Bestuur Zuid")
        tp, tp2 = w.trainer_person, w.trainer_person2
        tp3 = factories.person(s, school_oost, PersonRole.SCHOOL_EDUCATOR, name="Eva Oost")

        t1 = w.training1
        t1.organisations = [w.institute1, board_noord]
        t3 = factories.training(
            s, w.p1, "Verdieping Noord", safeguards=[sg["KC"]], kind=TrainingKind.ADVANCED
        )
        t3.organisations = [w.institute1]
        t4 = factories.training(s, w.p1, "Oude opzet Noord", safeguards=[sg["OR"]], active=False)
        t5 = factories.training(s, w.p1, "Kennismaking Noord")

        q = _questionnaire(s)
        s1 = w.session1
        links(s, s1, 12, used=6)
        answer(s, q, s1, ResponseSource.LINK, [(4, 5)] * 6)
        sA = session(s, t1, date(2026, 11, 12), [tp], 10)
        links(s, sA, 10)
        sB = session(s, t3, date(2026, 11, 1), [tp2], 8)
        links(s, sB, 8, used=3)
        answer(s, q, sB, ResponseSource.LINK, [(1, 1)] * 3)
        sC = session(s, t3, date(2026, 9, 10), [tp2, tp3], 10)
        links(s, sC, 10, used=4)
        answer(s, q, sC, ResponseSource.LINK, [(1, 1)] * 4)
        answer(s, q, sC, ResponseSource.IMPORT, [(5, 4)] * 5)
        s.add(EvaluationRequest(session_id=sC.id, audience=Audience.TRAINER, submitted_at=utcnow()))
        sD = session(s, t5, date(2026, 11, 28), [tp3], 10)
        sE = session(s, t5, date(2026, 12, 20), [tp3], 10)
        sF = session(s, t1, date(2025, 10, 1), [tp, tp2], 10)
        links(s, sF, 10, used=7)
        answer(s, q, sF, ResponseSource.LINK, [(3, 2)] * 7)
        s.add(
            EvaluationRequest(
                session_id=sF.id, audience=Audience.TRAINER, waived_at=utcnow(), waived_reason="Invaller"
            )
        )
        sG = session(s, t1, date(2025, 11, 5), [tp2], 20)
        links(s, sG, 20, used=2)
        answer(s, q, sG, ResponseSource.LINK, [(1, 1)] * 2)
        sH = session(s, t4, date(2025, 3, 1), [tp], 10)
        sH.cancelled_at, sH.cancel_reason = utcnow(), "Te weinig aanmeldingen"

        p3 = factories.partnership(s, "Partnerschap West")
        board_west = factories.organisation(s, p3, OrganisationKind.BOARD, "Bestuur West")
        institute3 = factories.organisation(s, p3, OrganisationKind.INSTITUTE, "Pabo West")
        tw = factories.person(s, institute3, PersonRole.INSTITUTE_EDUCATOR, name="Wim West")
        t6 = factories.training(s, p3, "Basistraining West", safeguards=[sg["LO"], sg["OR"], sg["KC"]])
        sW = session(s, t6, date(2026, 10, 20), [tw], 0)
        regional = factories.user(s, Role.STEERING, [w.p1, p3], email="regio@example.org")
        s.commit()
        return Dash(
            w=w,
            p3=p3,
            board_noord=board_noord,
            board_oost=board_oost,
            board_zuid=board_zuid,
            board_west=board_west,
            tp3=tp3,
            t3=t3,
            t5=t5,
            t6=t6,
            sessions={
                "s1": s1,
                "sA": sA,
                "sB": sB,
                "sC": sC,
                "sD": sD,
                "sE": sE,
                "sF": sF,
                "sG": sG,
                "sH": sH,
                "sW": sW,
                "s2": w.session2,
            },
            regional=regional,
        )


def figures(db, scope: Scope, **filters):
    return services.dashboard(db, scope, Filters(reference=filters.pop("reference", REF), **filters), 5)


def noord(dash) -> Scope:
    return Scope.for_user(dash.w.coordinator)


# ----------------------------------------------------------------- headline counts


def test_headline_counts_of_a_partnership(db, dash):
    d = figures(db, noord(dash))
    assert d.headline == services.Headline(
        overdue=3,
        due_soon=1,
        low_response=1,
        without_links=1,
        trainings_without_safeguard=1,
        safeguards_uncovered=1,
    )
    [p] = d.partnerships
    assert (p.name, p.held, p.evaluated, p.year_answers, p.year_invited) == (
        "Partnerschap Noord",
        6,
        2,
        15,
        22,
    )


def test_headline_counts_of_the_region(db, dash):
    d = figures(db, Scope.everything())
    assert d.headline == services.Headline(
        overdue=5,
        due_soon=1,
        low_response=2,
        without_links=1,
        trainings_without_safeguard=1,
        safeguards_uncovered=0,
    )
    rows = {
        p.name: (
            p.overdue,
            p.due_soon,
            p.low_response,
            p.without_links,
            p.trainings_without_safeguard,
            p.uncovered,
        )
        for p in d.partnerships
    }
    assert rows == {
        "Partnerschap Noord": (3, 1, 1, 1, 1, 1),
        "Partnerschap West": (1, 0, 0, 0, 0, 1),
        "Partnerschap Zuid": (1, 0, 1, 0, 0, 3),
    }
    assert [p.name for p in d.partnerships] == sorted(rows)


def test_moving_the_reference_date_past_a_due_date_changes_the_counts(db, dash):
    """sA is due on 26 November: due soon on the 22nd, overdue on the 27th; sB's window closes on
    the 22nd with 3 of 8 answers, so on the 27th it is a closed window with a low response."""
    before = figures(db, noord(dash)).headline
    after = figures(db, noord(dash), reference=date(2026, 11, 27)).headline
    assert (before.overdue, before.due_soon, before.low_response) == (3, 1, 1)
    assert (after.overdue, after.due_soon, after.low_response) == (4, 0, 2)
    # A month earlier s1 was not due yet and sB, sA, sD had not taken place.
    early = figures(db, noord(dash), reference=date(2026, 10, 10)).headline
    assert (early.overdue, early.due_soon, early.without_links) == (1, 1, 0)


def test_filters_narrow_the_counts(db, dash):
    scope = noord(dash)
    by_board = figures(db, scope, board_id=dash.board_noord.id)
    assert (
        by_board.headline.overdue,
        by_board.headline.due_soon,
        by_board.headline.low_response,
        by_board.headline.without_links,
    ) == (2, 1, 1, 0)
    assert [r.title for r in by_board.matrix.rows] == ["Basistraining mentoren Noord"]
    assert by_board.headline.safeguards_uncovered == 2  # OR and KC: only T1 is the board's
    oost = figures(db, scope, board_id=dash.board_oost.id)
    assert (oost.headline.overdue, oost.headline.without_links) == (0, 1)
    assert [r.title for r in oost.matrix.rows] == ["Kennismaking Noord", "Verdieping Noord"]
    advanced = figures(db, scope, kind=TrainingKind.ADVANCED)
    assert advanced.headline.overdue == 1 and [r.title for r in advanced.matrix.rows] == ["Verdieping Noord"]
    last_year = figures(db, scope, school_year=2025)
    assert (last_year.headline.overdue, last_year.headline.low_response, last_year.headline.due_soon) == (
        1,
        1,
        0,
    )


def test_a_board_narrows_the_region_to_its_partnership(db, dash):
    d = figures(db, Scope.everything(), board_id=dash.board_noord.id)
    assert [p.name for p in d.partnerships] == ["Partnerschap Noord"]
    assert d.headline.overdue == 2


def test_low_response_level_is_a_filter(db, dash):
    """s1 answered exactly 50 %: low only under a higher level."""
    assert figures(db, noord(dash), low_pct=50).headline.low_response == 1
    assert figures(db, noord(dash), low_pct=51).headline.low_response == 2


# ----------------------------------------------------------------- overdue table


def test_overdue_table_oldest_first(db, dash):
    d = figures(db, noord(dash))
    rows = [
        (r.training.title, r.session.date, [p.name for p in r.session.trainers], r.due, (REF - r.due).days)
        for r in d.overdue.items
    ]
    assert rows == [
        ("Basistraining mentoren Noord", date(2025, 11, 5), ["Bram Jansen"], date(2025, 11, 19), 368),
        (
            "Basistraining mentoren Noord",
            date(2026, 10, 1),
            ["Anna de Vries", "Bram Jansen"],
            date(2026, 10, 15),
            38,
        ),
        ("Verdieping Noord", date(2026, 11, 1), ["Bram Jansen"], date(2026, 11, 15), 7),
    ]
    assert d.overdue.total == 3


def test_overdue_table_on_the_page_is_sortable(app, client, dash):
    login(client, dash.w.coordinator)
    html = client.get("/dashboard").get_data(as_text=True)
    table = html[html.index('id="te-laat"') : html.index('id="dekking-kop"')]
    assert re.findall(r'class="num">(\d+)</td>', table) == ["368", "38", "7"]
    assert "Bram Jansen" in table and 'aria-sort="ascending"' in table
    by_training = client.get("/dashboard?sorteer=training&richting=af").get_data(as_text=True)
    table = by_training[by_training.index('id="te-laat"') : by_training.index('id="dekking-kop"')]
    assert table.index("Verdieping Noord") < table.index("Basistraining mentoren Noord")
    # A trainer's name leads to what they owe.
    assert f"/dashboard/lijst/openstaand?trainer={dash.w.trainer_person2.id}" in html


def test_what_a_trainer_owes(client, dash):
    login(client, dash.w.coordinator)
    page = client.get(f"/dashboard/lijst/openstaand?trainer={dash.w.trainer_person2.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Openstaande trainersevaluaties: Bram Jansen" in html
    # Bram owes s1, sB and sG (overdue); sA is Anna's alone, sC was submitted, sF waived.
    assert html.count('data-label="Bijeenkomst"><a') == 3
    assert "12 november 2026" not in html


# ----------------------------------------------------------------- coverage matrix


def test_coverage_matrix_with_its_gaps(db, dash):
    m = figures(db, noord(dash)).matrix
    assert m.year == 2026
    assert [(r.title, sorted(sgid for sgid in r.rationales), r.evaluated) for r in m.rows] == [
        ("Basistraining mentoren Noord", sorted(sg.id for sg in dash.w.safeguards[:2]), 1),
        ("Kennismaking Noord", [], 0),
        ("Verdieping Noord", [dash.w.safeguards[3].id], 1),
    ]
    assert [(c.safeguard.code, c.trainings, c.evaluated) for c in m.columns] == [
        ("LL", 1, 1),
        ("LO", 1, 1),
        ("OR", 0, 0),
        ("KC", 1, 1),
    ]
    assert [sg.code for sg in m.uncovered] == ["OR"]
    assert m.without_evidence == []
    assert [r.title for r in m.unlinked] == ["Kennismaking Noord"]
    rationale = m.rows[0].rationales[dash.w.safeguards[0].id]
    assert rationale == f"Dient {dash.w.safeguards[0].name}."


def test_coverage_matrix_marks_a_safeguard_without_evidence(db, dash):
    """In 2025-2026 only T1 has a session with enough answers (sF); KC's training has none."""
    m = figures(db, noord(dash), school_year=2025).matrix
    assert [(c.safeguard.code, c.trainings, c.evaluated) for c in m.columns] == [
        ("LL", 1, 1),
        ("LO", 1, 1),
        ("OR", 0, 0),
        ("KC", 1, 0),
    ]
    assert [sg.code for sg in m.without_evidence] == ["KC"]
    assert [sg.code for sg in m.uncovered] == ["OR"]


@pytest.mark.parametrize("filters", [{}, {"school_year": 2025}, {"kind": TrainingKind.BASIC}, {"partnership": True}])
def test_matrix_and_overview_agree(db, dash, filters):
    """The headline's gaps come from the matrix's rows; the lists behind them from the /overzicht
    overview (training_gaps): the same trainings and safeguards."""
    for scope in (noord(dash), Scope.everything()):
        wanted = dict(filters)
        if wanted.pop("partnership", False):
            wanted["partnership_id"] = dash.w.training1.partnership_id
        d = figures(db, scope, **wanted)
        gaps = services.training_gaps(db, scope, services.selection(scope, d.filters))
        assert d.headline.trainings_without_safeguard == len(gaps.unlinked)
        assert sorted(r.training_id for r in d.matrix.unlinked) == sorted(t.id for t, _p in gaps.unlinked)
        assert d.headline.safeguards_uncovered == len(gaps.uncovered)
        assert [sg.id for sg in d.matrix.uncovered] == [sg.id for sg in gaps.uncovered]


def test_many_trainings_are_taken_together_per_kind_on_the_dashboard(client, db, dash, monkeypatch):
    """Above TRAINING_ROWS trainings the dashboard shows the coverage matrix and the overall rating
    per partnership and kind of training, which add up to the rows per training; the tables per
    training are one click away, with the same filters."""
    d = figures(db, Scope.everything())
    monkeypatch.setattr(services, "TRAINING_ROWS", 1)
    m = d.matrix
    assert m.condensed and len(m.rows) > 1
    groups = m.groups
    assert sum(g.trainings for g in groups) == len(m.rows)
    assert sum(g.unlinked for g in groups) == len(m.unlinked)
    for c in m.columns:
        assert sum(g.serving.get(c.safeguard.id, 0) for g in groups) == c.trainings
        assert sum(g.evaluated.get(c.safeguard.id, 0) for g in groups) == c.evaluated
    assert [(g.partnership_name, g.kind) for g in groups] == sorted(
        {(r.partnership_name, r.kind) for r in m.rows},
        key=lambda k: ([r.partnership_name for r in m.rows].index(k[0]), list(TrainingKind).index(k[1])),
    )
    [scale] = d.trends.ratings
    grouped = scale.by_kind()
    assert grouped.grouped and grouped.is_grade == scale.is_grade
    # Each row is a partnership's kind of training; its count and sum, those of its trainings.
    members: dict[int, list[int]] = {}
    for key, label, pname in grouped.trainings:
        members[key] = [t for t, _title, p in scale.trainings if p == pname and scale.kinds[t].label == label]
    assert sorted(t for ts in members.values() for t in ts) == sorted(t for t, _ti, _p in scale.trainings)
    for (key, year), mean in grouped.cells.items():
        parts = [scale.cells[(t, year)] for t in members[key] if (t, year) in scale.cells]
        assert (mean.count, mean.total) == (sum(p.count for p in parts), sum(p.total for p in parts))
    assert sum(m.count for m in grouped.cells.values()) == sum(m.count for m in scale.cells.values())
    t1 = dash.w.training1.id

    login(client, dash.w.admin)
    html = client.get("/dashboard?peildatum=2026-11-21").get_data(as_text=True)
    assert "Algemeen oordeel per soort training" in html
    assert 'aria-describedby="tip-' not in html  # no cell per training
    assert "/dashboard/lijst/dekking?peildatum=2026-11-21" in html
    assert "/dashboard/lijst/oordeel?peildatum=2026-11-21" in html
    for name, text in (("dekking", "Dekking van de waarborgen per training"), ("oordeel", "Algemeen oordeel per training")):
        page = client.get(f"/dashboard/lijst/{name}?peildatum=2026-11-21").get_data(as_text=True)
        assert text in page and dash.w.training1.title in page
    page = client.get("/dashboard/lijst/dekking?peildatum=2026-11-21").get_data(as_text=True)
    assert f'aria-describedby="tip-{t1}-' in page  # the matrix per training, rationale on focus


def test_the_tables_per_training_keep_to_scope_and_filters(client, dash):
    login(client, dash.w.coordinator)
    for name in ("dekking", "oordeel"):
        page = client.get(f"/dashboard/lijst/{name}").get_data(as_text=True)
        assert dash.w.training1.title in page and dash.w.training2.title not in page
        assert client.get(f"/dashboard/lijst/{name}?partnerschap={dash.w.training2.partnership_id}").status_code == 403
        response = client.get(f"/dashboard/lijst/{name}?peildatum=morgen")
        assert response.status_code == 400 and "Vul de peildatum in als datum" in response.get_data(as_text=True)


def test_matrix_on_the_page_shows_the_rationale_on_focus(client, dash):
    login(client, dash.w.coordinator)
    html = client.get("/dashboard").get_data(as_text=True)
    sg = dash.w.safeguards[0]
    tip = f"tip-{dash.w.training1.id}-{sg.id}"
    assert f'tabindex="0" aria-describedby="{tip}"' in html
    assert f'role="tooltip" id="{tip}">Dient {sg.name}.<' in html
    assert "geen actieve training" in html


# ----------------------------------------------------------------- trends and composition


def test_trends_read_only_released_answers(db, dash):
    """sB (3 answers), sG (2) and sC's 4 link answers are below the threshold: never in a figure."""
    t = figures(db, noord(dash)).trends
    assert t.years == [2025, 2026]
    [scale] = t.ratings
    assert scale.type is QuestionType.SCALE
    cells = {(tid, y): (m.count, m.value) for (tid, y), m in scale.cells.items()}
    t1, t3 = dash.w.training1.id, dash.t3.id
    assert cells == {(t1, 2025): (7, 3.0), (t1, 2026): (6, 4.0), (t3, 2026): (5, 5.0)}
    assert [(r.year, r.sessions, r.answers, r.invited) for r in t.response] == [
        (2025, 2, 9, 30),
        (2026, 2, 15, 22),
    ]
    [lo] = t.safeguards
    assert lo.code == "LO"
    assert {y: (m.count, m.value) for y, m in lo.cells.items()} == {2025: (7, 2.0), 2026: (11, 50 / 11)}


@pytest.mark.parametrize("reference", [REF, date(2026, 10, 20), date(2027, 9, 1)])
def test_the_response_per_year_from_the_dashboard_counts_is_that_of_the_trends(db, dash, reference):
    """Without a school year chosen, the dashboard adds the trends' response per year up from its
    own counts per partnership and year; the trends on their own count it in a statement of their
    own. Both ways give the same."""
    for scope in (noord(dash), Scope.everything()):
        f = Filters(reference=reference)
        d = services.dashboard(db, scope, f, 5)
        sel = services.selection(scope, f)
        alone, _ = services.trends(db, scope, f, sel, services.current_safeguards(db), 5)
        assert d.trends.response == alone.response and d.trends.years == alone.years
    assert any(r.invited for r in d.trends.response)


def test_trends_leave_out_sessions_after_the_reference_date(app, db, dash):
    """The current school year counts sessions up to the reference date. Answers of a session dated
    after it (here imported early for sD, 28 November) come in when the reference date passes
    that day, in the rollup's figures and in the tally's (a board filter)."""
    with kdb.new_session(app) as s:
        v = s.scalar(
            select(QuestionnaireVersion).join(Questionnaire).where(Questionnaire.title == "Deelnemers dashboardtest")
        )
        q = SimpleNamespace(
            version=v,
            totaal=s.scalar(select(Question).where(Question.version_id == v.id, Question.code == "totaal")),
            stelling=s.scalar(select(Question).where(Question.version_id == v.id, Question.code == "bruikbaarheid")),
        )
        answer(s, q, s.get(TrainingSession, dash.sessions["sD"].id), ResponseSource.IMPORT, [(2, 3)] * 6)
        s.commit()
    t5 = dash.t5.id

    def cells(t):
        [scale] = t.ratings
        return {(tid, y): (m.count, m.value) for (tid, y), m in scale.cells.items()}

    for extra in ({}, {"board_id": dash.board_oost.id}):  # Oost: sD's trainer works there
        before = figures(db, noord(dash), **extra).trends
        assert (t5, 2026) not in cells(before)
        after = figures(db, noord(dash), reference=date(2026, 11, 28), **extra).trends
        assert cells(after)[(t5, 2026)] == (6, 2.0)
        assert {k: v for k, v in cells(after).items() if k != (t5, 2026)} == cells(before)
        [lo_before], [lo_after] = before.safeguards, after.safeguards
        n, total = lo_before.cells[2026].count, lo_before.cells[2026].value * lo_before.cells[2026].count
        assert lo_after.cells[2026].count == n + 6
        assert lo_after.cells[2026].value == pytest.approx((total + 6 * 3) / (n + 6))


def test_composition_split(db, dash):
    # The school year of the reference date (2026-2027); the trends show the years before it.
    rows = {c.composition: c for c in figures(db, noord(dash)).composition}
    assert [(c, rows[c].sessions, rows[c].evaluated, rows[c].answers) for c in Composition] == [
        (Composition.TANDEM, 2, 2, 11),  # s1 (6), sC (5 imported)
        (Composition.SCHOOL, 1, 0, 0),  # sA
        (Composition.INSTITUTE, 1, 0, 0),  # sB: too few answers
    ]
    tandem = rows[Composition.TANDEM]
    assert tandem.ratings[QuestionType.SCALE].value == pytest.approx((6 * 4 + 5 * 5) / 11)
    assert tandem.statements.value == pytest.approx((6 * 5 + 5 * 4) / 11)
    assert rows[Composition.INSTITUTE].ratings == {} and rows[Composition.INSTITUTE].statements.value is None
    # A chosen school year: 2025-2026 holds sF (tandem, 7) and sG (institute, 2: too few).
    f = Filters(reference=REF, school_year=2025)
    rows = {c.composition: c for c in services.dashboard(db, noord(dash), f, 5).composition}
    assert [(c, rows[c].sessions, rows[c].evaluated, rows[c].answers) for c in Composition] == [
        (Composition.TANDEM, 1, 1, 7),
        (Composition.SCHOOL, 0, 0, 0),
        (Composition.INSTITUTE, 1, 0, 0),
    ]
    assert rows[Composition.TANDEM].ratings[QuestionType.SCALE].value == pytest.approx(3)


def test_grade_and_scale_are_separate_series(app, client, db, dash):
    """Version 2 of the questionnaire asks the overall rating as a grade: its answers form their own
    series (in tenths, shown on 1-10), never mixed with the scale answers of version 1."""
    with kdb.new_session(app) as s:
        v1 = s.scalar(
            select(QuestionnaireVersion)
            .join(Questionnaire)
            .where(Questionnaire.title == "Deelnemers dashboardtest")
        )
        v2 = QuestionnaireVersion(questionnaire_id=v1.questionnaire_id, number=2, published_at=utcnow())
        grade = Question(version=v2, code="totaal", position=0, text="Cijfer", type=QuestionType.GRADE)
        stelling = Question(
            version=v2,
            code="bruikbaarheid",
            position=1,
            text="Bruikbaar",
            type=QuestionType.SCALE,
            options=["1", "2", "3", "4", "5"],
            safeguard_code="LO",
        )
        s.add_all([v2, grade, stelling])
        s.flush()
        t3 = s.get(Training, dash.t3.id)
        sI = session(
            s, t3, date(2026, 10, 5), [s.merge(dash.w.trainer_person), s.merge(dash.w.trainer_person2)], 6
        )
        answer(
            s,
            SimpleNamespace(version=v2, totaal=grade, stelling=stelling),
            sI,
            ResponseSource.LINK,
            [(75, 3), (80, 3), (85, 3), (70, 3), (90, 3)],
        )
        s.commit()
    d = figures(db, noord(dash))
    assert [x.type for x in d.trends.ratings] == [QuestionType.GRADE, QuestionType.SCALE]
    grade_series, scale_series = d.trends.ratings
    assert grade_series.label == "cijfer 1–10" and grade_series.scale_max == 10
    assert {k: (m.count, m.value) for k, m in grade_series.cells.items()} == {(dash.t3.id, 2026): (5, 8.0)}
    assert scale_series.cells[(dash.t3.id, 2026)].value == 5.0  # the scale answers alone
    tandem = next(c for c in d.composition if c.composition is Composition.TANDEM)
    assert tandem.ratings[QuestionType.GRADE].value == 8.0
    assert tandem.ratings[QuestionType.SCALE].value == pytest.approx((6 * 4 + 5 * 5) / 11)
    assert tandem.statements.value == pytest.approx((6 * 5 + 5 * 4 + 5 * 3) / 16)
    login(client, dash.w.coordinator)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "Algemeen oordeel, cijfer 1–10" in html and "Algemeen oordeel, schaal 1–5" in html
    assert "niet omgerekend of gemengd" in html


def test_a_lower_threshold_releases_more(db, dash):
    """The threshold is the app's setting: at 2 answers sB (3, this school year) and sG (2, the
    year before) count too."""
    for year, answers in ((None, 3), (2025, 2)):
        for threshold, released in ((5, 0), (2, answers)):
            d = services.dashboard(db, noord(dash), Filters(reference=REF, school_year=year), threshold)
            rows = {c.composition: c for c in d.composition}
            assert rows[Composition.INSTITUTE].evaluated == (1 if released else 0)
            assert rows[Composition.INSTITUTE].answers == released


def test_a_partnerships_own_threshold(app, client, db, dash):
    """Noord raises its threshold to 6: s1 (6 answers) still counts, sC's 5 imported answers no
    longer. The threshold is looked up per session's partnership, also inside the composition's
    nested statements (it once took in every training there: a 500 on PostgreSQL)."""
    from kwaliteit.registry.models import PartnershipSettings

    with kdb.new_session(app) as s:
        s.add(PartnershipSettings(partnership_id=dash.w.p1.id, min_answers_shown=6))
        s.commit()
    try:
        for scope in (noord(dash), Scope.for_user(dash.w.admin)):
            rows = {c.composition: c for c in figures(db, scope).composition}
            tandem = rows[Composition.TANDEM]
            assert (tandem.sessions, tandem.evaluated, tandem.answers) == (2, 1, 6)
            assert tandem.ratings[QuestionType.SCALE].value == pytest.approx(4)
        for user in (dash.w.coordinator, dash.w.admin):
            c = app.test_client()
            login(c, user)
            assert c.get("/dashboard").status_code == 200
    finally:
        with kdb.new_session(app) as s:
            s.execute(PartnershipSettings.__table__.delete())
            s.commit()


# ----------------------------------------------------------------- the page


def test_dashboard_is_the_start_page_of_readers(client, dash):
    for user in (dash.w.coordinator, dash.w.steering, dash.w.admin):
        c = client.application.test_client()
        login(c, user)
        assert c.get("/").headers["Location"].endswith("/dashboard")
    c = client.application.test_client()
    login(c, dash.w.trainer)
    assert c.get("/").headers["Location"].endswith("/mijn-evaluaties")


SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def assert_no_inline_script_or_foreign_host(html: str) -> None:
    for attrs in SCRIPT.findall(html):
        assert 'src="/' in attrs or 'type="application/json"' in attrs, attrs
    assert not re.search(r"""(src|href|action)=["']?(https?:)?//""", html, re.IGNORECASE)
    assert not re.search(r"\son[a-z]+\s*=", html, re.IGNORECASE), "inline event handler"
    assert "style=" not in html


def test_page_has_charts_as_data_and_no_inline_script(client, dash):
    login(client, dash.w.admin)
    response = client.get("/dashboard")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert_no_inline_script_or_foreign_host(html)
    blocks = re.findall(
        r'<script type="application/json" class="chart-data" data-target="([^"]+)">(.*?)</script>',
        html,
        re.DOTALL,
    )
    assert {target for target, _ in blocks} >= {"grafiek-respons", "grafiek-regio", "grafiek-samenstelling"}
    for target, data in blocks:
        spec = json.loads(data)
        assert spec["config"]["displayModeBar"] is False and spec["figure"]["data"]
        assert f'id="{target}" role="img" aria-label=' in html
    assert f'src="/js/plotly-{services_version()}.min.js"' in html
    assert 'id="plotly.js-style-global" class="no-inline-styles"' in html


def services_version() -> str:
    import plotly

    return plotly.__version__


def test_hostile_names_cannot_leave_the_json_block(app, client, dash):
    with kdb.new_session(app) as s:
        t = s.get(Training, dash.w.training1.id)
        t.title = "</script><script>alert(1)</script> & <b>vet</b>"
        s.commit()
    login(client, dash.w.coordinator)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert_no_inline_script_or_foreign_host(html)
    blocks = re.findall(
        r'<script type="application/json" class="chart-data"[^>]*>(.*?)</script>', html, re.DOTALL
    )
    texts = json.dumps([json.loads(b) for b in blocks])
    # In the figure the name is escaped for plotly's label markup, never raw HTML.
    assert "&lt;/script&gt;" in texts and "<b>vet" not in texts


def test_csp_header_on_every_page(client, dash):
    csp = client.get("/inloggen").headers["Content-Security-Policy"]
    for part in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ):
        assert part in csp
    assert "unsafe" not in csp
    login(client, dash.w.coordinator)
    for url in ("/dashboard", "/trainingen", "/evaluaties", "/dashboard/lijst/te-laat", "/bestaat-niet"):
        assert client.get(url).headers["Content-Security-Policy"] == csp


def test_plotly_is_served_by_the_app_with_long_caching(client):
    version = services_version()
    js = client.get(f"/js/plotly-{version}.min.js")
    assert js.status_code == 200 and js.mimetype == "text/javascript"
    assert js.cache_control.max_age >= 365 * 24 * 3600
    assert b"plotly.js" in js.data[:200]
    css = client.get(f"/css/plotly-{version}.css")
    assert (
        css.status_code == 200 and css.mimetype == "text/css" and css.cache_control.max_age >= 365 * 24 * 3600
    )
    assert ".js-plotly-plot .plotly .main-svg{" in css.get_data(as_text=True)
    assert client.get("/js/plotly-0.0.1.min.js").status_code == 404
    assert plotly_css().count("{") > 30


def test_no_chart_no_plotly(client, app):
    """An empty dashboard loads no plotly.js and tells a manager what to do next."""
    with kdb.new_session(app) as s:
        p = factories.partnership(s, "Leeg partnerschap")
        coordinator = factories.user(s, Role.COORDINATOR, [p], email="leeg@example.org")
        steering = factories.user(s, Role.STEERING, [p], email="leeg-stuur@example.org")
        s.commit()
    login(client, coordinator)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "Maak een training aan" in html and "/trainingen/nieuw" in html
    assert "plotly" not in html
    other = client.application.test_client()
    login(other, steering)
    html = other.get("/dashboard").get_data(as_text=True)
    assert "Vraag de coördinator" in html and "/trainingen/nieuw" not in html


def test_what_needs_me(client, dash):
    login(client, dash.w.coordinator)
    html = client.get("/dashboard").get_data(as_text=True)
    panel = html[html.index('id="aandacht-kop"') : html.index('id="kern-kop"')]
    assert "Wat vraagt jouw aandacht" in panel
    assert "Verdieping Noord, 1 november 2026" in panel  # overdue, and closing with 3 of 8
    assert "(3 van 8, sluit 22 november 2026)" in panel
    assert "Kennismaking Noord, 28 november 2026" in panel  # needs links
    steering = client.application.test_client()
    login(steering, dash.w.steering)
    html = steering.get("/dashboard").get_data(as_text=True)
    panel = html[html.index('id="aandacht-kop"') : html.index('id="kern-kop"')]
    assert "Voor de vergadering" in panel
    assert "Geen actieve training dient de waarborg Organisatie." in panel
    assert "3 trainersevaluaties te laat" in panel


def _panel(needs) -> tuple:
    return (
        [r.session.id for r in needs.overdue.items], needs.overdue.total,
        [r.session.id for r in needs.closing_low],
        [r.session.id for r in needs.without_links.items], needs.without_links.total,
    )


@pytest.mark.parametrize("sort", [("vervaldatum", False), ("training", True)])
@pytest.mark.parametrize("reference", [REF, date(2026, 10, 20)])
def test_what_needs_me_beside_the_dashboard_reads_the_same_as_alone(db, dash, sort, reference):
    """Beside a dashboard without filters, the panel takes the dashboard's overdue table and
    headline counts instead of counting again: the same rows and totals as on its own."""
    for scope in (noord(dash), Scope.everything()):
        f = Filters(reference=reference)
        d = services.dashboard(db, scope, f, 5, *sort)
        assert _panel(services.needs_me(db, scope, f, d)) == _panel(services.needs_me(db, scope, f))
        assert services.needs_me(db, scope, f).overdue.total > 0 or reference != REF
    # A filtered dashboard's figures are not the panel's (which is all the reader's partnerships).
    f = Filters(reference=REF, kind=TrainingKind.ADVANCED)
    d = services.dashboard(db, noord(dash), f, 5)
    assert _panel(services.needs_me(db, noord(dash), f, d)) == _panel(services.needs_me(db, noord(dash), f))


def test_print_style_sheet(client):
    css = client.get("/static/style.css").get_data(as_text=True)
    assert "@media print" in css and "@page" in css


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "query, message",
    [
        ("peildatum=1999-01-01", "Kies een datum na 01-08-2010."),
        ("peildatum=2099-01-01", "hoogstens 3 jaar vooruit"),
        ("peildatum=22-11-2026", "Vul de peildatum in als datum"),
        ("peildatum=2026-02-30", "Vul de peildatum in als datum"),
        ("peildatum=" + "9" * 5000, "Vul de peildatum in als datum"),
        ("partnerschap=987654321", "Dit partnerschap bestaat niet."),
        ("bestuur=987654321", "Dit bestuur bestaat niet."),
    ],
)
@pytest.mark.parametrize(
    "path",
    ["/dashboard", "/dashboard/lijst/te-laat", "/dashboard/lijst/dekking", "/dashboard/lijst/oordeel",
     "/dashboard/export/dekking.csv"],
)
def test_bad_filters_get_a_clear_message(client, dash, path, query, message):
    login(client, dash.w.coordinator)
    response = client.get(f"{path}?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert 'id="f-peildatum"' in html  # the form to put it right
    assert dash.w.training2.title not in html and "Basistraining mentoren Noord" not in html


def test_a_school_is_not_a_board(client, dash):
    login(client, dash.w.coordinator)
    response = client.get(f"/dashboard?bestuur={dash.w.school1.id}")
    assert response.status_code == 400 and "Dit bestuur bestaat niet." in response.get_data(as_text=True)


def test_board_of_another_partnership_than_chosen(client, dash):
    login(client, dash.w.admin)
    response = client.get(f"/dashboard?partnerschap={dash.w.p1.id}&bestuur={dash.board_west.id}")
    assert response.status_code == 400
    assert "hoort niet bij het gekozen partnerschap" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "partnerschap={p2}",
        "bestuur={board_zuid}",
        "trainer={other}",
        "partnerschap={p2}&bestuur={board_zuid}",
    ],
)
@pytest.mark.parametrize(
    "path", ["/dashboard", "/dashboard/lijst/openstaand", "/dashboard/lijst/oordeel", "/dashboard/export/regio.xlsx"]
)
def test_another_partnerships_filter_is_forbidden(client, dash, path, query):
    login(client, dash.w.coordinator)
    url = f"{path}?" + query.format(
        p2=dash.w.p2.id, board_zuid=dash.board_zuid.id, other=dash.w.other_trainer.id
    )
    response = client.get(url)
    body = response.get_data(as_text=True)
    assert response.status_code == 403 and "Geen toegang" in body
    assert dash.w.training2.title not in body and dash.w.other_trainer.name not in body


def test_malformed_menu_choices_are_ignored(client, dash):
    login(client, dash.w.coordinator)
    for query in (
        "schooljaar=²",
        "schooljaar=99999999999999999999999",
        "soort=onzin",
        "respons=0",
        "respons=101",
        "partnerschap=abc",
        "sorteer=drop",
        "pagina=-1",
        "peildatum=2026-11-22%00",
        "schooljaar=%00%01",
        "soort=" + "x" * 100_000,
    ):
        for path in ("/dashboard", "/dashboard/lijst/te-laat", "/dashboard/lijst/dekking", "/dashboard/lijst/oordeel"):
            assert client.get(f"{path}?{query}").status_code in (200, 400), (path, query)
    assert client.get("/dashboard/lijst/onbekend").status_code == 404
    assert client.get("/dashboard/export/onbekend.csv").status_code == 404
    assert client.get("/dashboard/export/dekking.pdf").status_code == 404


def test_services_refuse_filters_outside_scope(db, dash):
    with pytest.raises(Forbidden):
        figures(db, noord(dash), partnership_id=dash.w.p2.id)
    with pytest.raises(ValidationError):
        figures(db, noord(dash), partnership_id=987654321)


# ----------------------------------------------------------------- region and scope


def test_regional_steering_user_sees_exactly_their_partnerships(client, dash):
    login(client, dash.regional)
    html = client.get("/dashboard").get_data(as_text=True)
    region = html[html.index('id="regio-kop"') : html.index('id="te-laat"')]
    assert "Partnerschap Noord" in region and "Partnerschap West" in region
    assert "Partnerschap Zuid" not in html
    assert dash.w.training2.title not in html and dash.w.other_trainer.name not in html
    assert "Basistraining West" in html
    headline = html[html.index('id="kern-kop"') : html.index('id="register-kop"')]
    tiles = re.findall(r'<span class="tile-count">(\d+)</span>', headline)
    assert tiles == ["4", "1", "1", "1", "1", "0", "0", "0"]  # Noord + West; no overdue cycle phases or actions
    assert client.get(f"/dashboard?partnerschap={dash.w.p2.id}").status_code == 403
    one = client.get(f"/dashboard?partnerschap={dash.p3.id}").get_data(as_text=True)
    assert 'id="regio-kop"' not in one and "Basistraining mentoren Noord" not in one


def test_single_partnership_has_no_region(client, dash):
    login(client, dash.w.steering)
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'id="regio-kop"' not in html
    assert "Partnerschap West" not in html and "Partnerschap Zuid" not in html


def test_steering_changes_nothing(client, dash):
    login(client, dash.w.steering)
    main = client.get("/dashboard").get_data(as_text=True).split("<main", 1)[1]
    assert 'method="post"' not in main
    assert client.post("/dashboard").status_code == 405


# ----------------------------------------------------------------- exports


def test_exports_hold_the_reference_date_and_the_filters(client, dash):
    login(client, dash.w.coordinator)
    response = client.get(f"/dashboard/export/te-laat.csv?bestuur={dash.board_noord.id}&peildatum=2026-11-20")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="dashboard-te-laat-2026-11-20.csv"' in response.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert lines[0] == ["Dashboard kwaliteit", "Te late trainersevaluaties"]
    assert ["Peildatum", "20-11-2026"] in lines and ["Bestuur", "Bestuur Noord"] in lines
    assert ["Schooljaar", "alle schooljaren"] in lines
    assert ["Partnerschap", "Partnerschap Noord"] in lines  # the one partnership in scope
    header = lines.index(
        ["Partnerschap", "Training", "Datum bijeenkomst", "Trainers", "Uiterlijk", "Dagen te laat", "Status"]
    )
    assert [row[1:3] + row[5:6] for row in lines[header + 1 :]] == [
        ["Basistraining mentoren Noord", "05-11-2025", "366"],
        ["Basistraining mentoren Noord", "01-10-2026", "36"],
    ]


# Every table the export route serves (a hand-kept list here missed the register's, whose title
# held a character Excel refuses in a sheet's name).
@pytest.mark.parametrize("table", sorted(exports.TABLES))
def test_every_table_exports_as_xlsx(client, dash, table):
    login(client, dash.w.admin)
    response = client.get(f"/dashboard/export/{table}.xlsx?schooljaar=2026")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    data, selection = wb.worksheets
    assert selection.title == "Selectie"
    values = {row[0]: row[1] for row in selection.iter_rows(min_row=2, values_only=True)}
    assert values["Peildatum"] == "22-11-2026" and values["Schooljaar"] == "2026-2027"
    assert data.max_row >= 1 and data.cell(1, 1).value


def test_exported_matrix_and_composition(client, dash):
    login(client, dash.w.coordinator)
    lines = list(
        csv.reader(
            io.StringIO(client.get("/dashboard/export/dekking.csv").get_data(as_text=True).lstrip("\ufeff")),
            delimiter=";",
        )
    )
    start = next(i for i, row in enumerate(lines) if row[:2] == ["Partnerschap", "Training"])
    rows = lines[start + 1 :]
    assert rows[0][:4] == ["Partnerschap Noord", "Basistraining mentoren Noord", "Basistraining", "1"]
    assert rows[-2][1] == "Actieve trainingen per waarborg" and rows[-2][4:] == ["1", "1", "0", "1"]
    wb = load_workbook(io.BytesIO(client.get("/dashboard/export/samenstelling.xlsx").data))
    rows = list(wb.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert [r[:4] for r in rows] == [
        ("Tandem (school- en instituutsopleider)", 2, 2, 11),
        ("Alleen schoolopleider(s)", 1, 0, 0),
        ("Alleen instituutsopleider(s)", 1, 0, 0),
    ]


def test_every_list_behind_a_count(client, dash):
    login(client, dash.w.coordinator)
    expected = {
        "te-laat": "3 bijeenkomsten",
        "binnenkort": "1 bijeenkomst",
        "openstaand": "4 bijeenkomsten",
        "lage-respons": "1 bijeenkomst",
        "zonder-links": "1 bijeenkomst",
        "zonder-waarborg": "1 training",
        "waarborgen-zonder-training": "1 waarborg",
    }
    for name, count in expected.items():
        response = client.get(f"/dashboard/lijst/{name}")
        html = response.get_data(as_text=True)
        assert response.status_code == 200, name
        assert f'role="status">{count}</p>' in html, name
        assert_no_inline_script_or_foreign_host(html)


# ----------------------------------------------------------------- fixed number of statements


def add_bulk(app, dash, copies: int) -> None:
    """`copies` more trainings in Noord, each with the sessions, links, answers and evaluations of
    T1 (overdue, closed, released answers, an upcoming session without links)."""
    w = dash.w
    with kdb.new_session(app) as s:
        q = s.scalar(
            select(QuestionnaireVersion)
            .join(Questionnaire)
            .where(Questionnaire.title == "Deelnemers dashboardtest")
        )
        totaal, stelling = (
            s.scalar(select(Question.id).where(Question.version_id == q.id, Question.code == c))
            for c in ("totaal", "bruikbaarheid")
        )
        for n in range(copies):
            t = factories.training(s, w.p1, f"Bulk {n:03d}", safeguards=w.safeguards[n % 4 : n % 4 + 1])
            for k, (on, count) in enumerate(
                ((date(2026, 10, 1), 6), (date(2025, 10, 8), 8), (date(2026, 11, 25), 0))
            ):
                ts = TrainingSession(
                    training=t, date=on, start_time=time(9), location="Bulk", participant_count=10
                )
                s.add(ts)
                s.flush()
                s.execute(
                    insert(session_trainer),
                    [
                        {"session_id": ts.id, "person_id": p.id}
                        for p in ((w.trainer_person, w.trainer_person2), (w.trainer_person2,), (dash.tp3,))[k]
                    ],
                )
                if count:
                    links(s, ts, 10, used=count)
                    answer(
                        s,
                        SimpleNamespace(
                            version=q,
                            totaal=SimpleNamespace(id=totaal),
                            stelling=SimpleNamespace(id=stelling),
                        ),
                        ts,
                        ResponseSource.LINK,
                        [(4, 4)] * count,
                    )
        s.commit()


def test_statement_count_does_not_grow_with_the_data(app, client, dash):
    login(client, dash.w.admin)
    urls = [
        "/dashboard",
        f"/dashboard?bestuur={dash.board_noord.id}&schooljaar=2026&sorteer=training",
        "/dashboard/lijst/te-laat",
        "/dashboard/lijst/zonder-links",
    ]
    before = {url: len(count_statements(app, client, url)[0]) for url in urls}
    add_bulk(app, dash, 10 * 3)  # ten times the sessions of the dataset
    after = {url: count_statements(app, client, url) for url in urls}
    assert {url: len(statements) for url, (statements, _html) in after.items()} == before
    # The figures did grow: every copy adds two overdue evaluations.
    assert '<span class="tile-count">65</span>' in after["/dashboard"][1]
