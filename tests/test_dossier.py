"""Issue 10, items 3 and 4: the partnership calendar, the yearly partnership cycle, the next peer
review with its countdown, and the peer-review dossier (page and workbook), whose figures are the
dashboard's for the same reference date."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from kwaliteit import db as kdb
from kwaliteit.cycles import calendar as cal
from kwaliteit.cycles import dossier as dossier_service
from kwaliteit.cycles import partnership as pc
from kwaliteit.cycles.models import CycleCalendar, PartnershipCycle, SafeguardSummary
from kwaliteit.dashboard import services as dash_services
from kwaliteit.dashboard.services import Filters
from kwaliteit.scope import Forbidden, Scope
from kwaliteit.validation import ValidationError
from tests import factories
from tests.conftest import TODAY, count_statements, login
from tests.test_dashboard import REF, dash  # noqa: F401 - the dashboard's dataset as a fixture

# ----------------------------------------------------------------- the calendar


def test_defaults_and_due_dates_of_a_school_year():
    due = cal.due_dates(cal.DEFAULTS, 2026)
    assert due == cal.DueDates(date(2026, 8, 1), date(2026, 10, 1), date(2027, 7, 1), date(2027, 7, 31))
    assert cal.DEFAULTS.peer_review_years == 6


def _calendar_post(client, pid, **fields):
    data = {
        "opens_on": "",
        "plan_due": "",
        "check_due": "",
        "act_due": "",
        "peer_review_years": "",
        "last_peer_review": "",
    } | fields
    return client.post(f"/kwaliteitszorg/partnerschappen/{pid}/kalender", data=data)


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"check_due": "31-02"}, "check_due", "Februari heeft geen 31 dagen."),
        ({"plan_due": "29-02"}, "plan_due", "29 februari bestaat niet"),
        ({"act_due": "01-13"}, "act_due", "Er is geen maand 13."),
        ({"opens_on": "morgen"}, "opens_on", "dd-mm"),
        ({"plan_due": "\x00"}, "plan_due", "ongeldige tekens"),
        # 1 September comes before the default Plan (1 October) within the school year.
        (
            {"check_due": "01-09"},
            "check_due",
            "moet in het schooljaar (augustus tot en met juli) na de termijn van Plan",
        ),
        # Plan due on 1 July, Check due 1 June: in school-year order Check comes first.
        ({"plan_due": "01-07", "check_due": "01-06"}, "check_due", "na de termijn van Plan (1 juli)"),
        ({"peer_review_years": "0"}, "peer_review_years", "van 1 tot en met 12"),
        ({"peer_review_years": "13"}, "peer_review_years", "van 1 tot en met 12"),
        ({"last_peer_review": "2027-01-01"}, "last_peer_review", "in de toekomst"),
        ({"last_peer_review": "1999-01-01"}, "last_peer_review", "Kies een datum na"),
    ],
)
def test_calendar_bad_input_is_refused_with_a_clear_message(app, client, world, fields, field, message):
    login(client, world.coordinator)
    response = _calendar_post(client, world.p1.id, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with kdb.new_session(app) as s:
        assert s.get(CycleCalendar, world.p1.id) is None


def test_calendar_saves_and_empty_means_default(app, client, world):
    login(client, world.coordinator)
    page = client.get(f"/kwaliteitszorg/partnerschappen/{world.p1.id}/kalender").get_data(as_text=True)
    assert "Standaard 1 oktober (01-10)" in page and "standaard 6" in page
    response = _calendar_post(
        client,
        world.p1.id,
        plan_due="15-10",
        check_due=" 1/6 ",
        peer_review_years="4",
        last_peer_review="2023-03-15",
    )
    assert response.status_code == 302
    with kdb.new_session(app) as s:
        row = s.get(CycleCalendar, world.p1.id)
        assert (row.opens_on, row.plan_due, row.check_due, row.act_due) == (None, "10-15", "06-01", None)
        c = cal.calendar_for(s, world.p1.id)
        assert c == cal.Calendar("08-01", "10-15", "06-01", "07-31", 4, date(2023, 3, 15))
        assert cal.calendar_for(s, world.p2.id) == cal.DEFAULTS
    page = client.get(f"/kwaliteitszorg/partnerschappen/{world.p1.id}/kalender").get_data(as_text=True)
    assert 'value="15-10"' in page and 'value="01-06"' in page
    # Emptied again: back to the defaults.
    assert _calendar_post(client, world.p1.id).status_code == 302
    with kdb.new_session(app) as s:
        assert cal.calendar_for(s, world.p1.id) == cal.DEFAULTS


def test_calendar_is_for_the_partnerships_managers(db, world, today):
    with pytest.raises(Forbidden):
        pc.save_calendar(db, Scope.for_user(world.other_coordinator), world.p1.id, pc.CalendarData(), today)
    with pytest.raises(Forbidden):
        pc.save_calendar(db, Scope.for_user(world.steering), world.p1.id, pc.CalendarData(), today)


# ----------------------------------------------------------------- the partnership cycle


def _cycles(app) -> list[tuple[int, int]]:
    with kdb.new_session(app) as s:
        return sorted(
            tuple(r) for r in s.execute(select(PartnershipCycle.partnership_id, PartnershipCycle.school_year))
        )


def test_open_partnership_cycles_is_idempotent_and_follows_the_calendar(app, world):
    with kdb.new_session(app) as s:
        s.add(CycleCalendar(partnership_id=world.p2.id, opens_on="09-01"))
        s.commit()
    with kdb.new_session(app) as s:
        assert pc.open_partnership_cycles(s, date(2026, 8, 15)) == 1  # Zuid opens on 1 September
        s.commit()
    assert _cycles(app) == [(world.p1.id, 2026)]
    with kdb.new_session(app) as s:
        assert pc.open_partnership_cycles(s, date(2026, 8, 15)) == 0
        assert pc.open_partnership_cycles(s, date(2026, 9, 1)) == 1
        assert pc.open_partnership_cycles(s, date(2026, 9, 1)) == 0
        s.commit()
    assert _cycles(app) == [(world.p1.id, 2026), (world.p2.id, 2026)]
    with kdb.new_session(app) as s:  # over the school-year boundary: next year's, once
        assert pc.open_partnership_cycles(s, date(2027, 8, 1)) == 1
        s.commit()
    with kdb.new_session(app) as s:
        assert pc.open_partnership_cycles(s, date(2027, 8, 2)) == 0
    assert len(_cycles(app)) == 4 - 1


def test_summaries_per_safeguard_open_the_cycle_once(app, client, world):
    login(client, world.coordinator)
    sg1, sg2 = world.safeguards[:2]
    url = f"/kwaliteitszorg/partnerschappen/{world.p1.id}/cyclus?schooljaar=2026"
    response = client.post(
        url, data={f"waarborg_{sg1.id}": "Mentoren leren van elkaar.", f"waarborg_{sg2.id}": ""}
    )
    assert response.status_code == 302
    response = client.post(url, data={f"waarborg_{sg1.id}": "Bijgesteld.", f"waarborg_{sg2.id}": "Nieuw."})
    assert response.status_code == 302
    with kdb.new_session(app) as s:
        assert s.scalar(select(func.count()).select_from(PartnershipCycle)) == 1
        texts = dict(s.execute(select(SafeguardSummary.safeguard_id, SafeguardSummary.text)).all())
        assert texts == {sg1.id: "Bijgesteld.", sg2.id: "Nieuw."}
    client.post(url, data={f"waarborg_{sg1.id}": "", f"waarborg_{sg2.id}": "Nieuw."})
    with kdb.new_session(app) as s:
        assert s.scalar(select(func.count()).select_from(SafeguardSummary)) == 1
    # Too long or with a NUL: refused, nothing saved.
    response = client.post(url, data={f"waarborg_{sg1.id}": "x" * 10001})
    assert response.status_code == 400 and "Hoogstens 10000 tekens." in response.get_data(as_text=True)
    response = client.post(url, data={f"waarborg_{sg1.id}": "a\x00b"})
    assert response.status_code == 400
    # The steering member reads them.
    client.post("/uitloggen")
    login(client, world.steering)
    page = client.get(url).get_data(as_text=True)
    assert "Nieuw." in page and "<textarea" not in page


def test_cycle_page_shows_the_trainings_cycles_per_safeguard(app, client, world):
    with kdb.new_session(app) as s:
        t1 = s.merge(world.training1)
        cycle = factories.cycle(s, t1, 2026)  # Plan due 1 October 2026, not done: overdue on 22-11
        factories.improvement_action(
            s, cycle, s.merge(world.coordinator), due_on=date(2026, 11, 1), safeguard=s.merge(world.safeguards[0])
        )
        factories.improvement_action(
            s, cycle, s.merge(world.coordinator), due_on=date(2027, 3, 1), safeguard=s.merge(world.safeguards[0])
        )
        s.commit()
    with kdb.new_session(app) as s:
        page = pc.cycle_page(s, Scope.for_user(world.steering), world.p1.id, 2026, TODAY)
    by_id = {st.safeguard.id: st for st in page.safeguards}
    first, second, third = (by_id[sg.id] for sg in world.safeguards[:3])
    assert (first.cycles, first.plan_overdue, first.check_overdue, first.overdue) == (1, 1, 0, 1)
    assert (first.actions_open, first.actions_overdue, first.actions_done) == (2, 1, 0)
    assert (second.cycles, second.plan_overdue, second.actions_open) == (1, 1, 0)  # the action's safeguard
    assert third.cycles == 0
    assert not page.exists
    login(client, world.coordinator)
    html = client.get(f"/kwaliteitszorg/partnerschappen/{world.p1.id}/cyclus").get_data(as_text=True)
    assert 'id="stand-per-waarborg"' in html and "onbekend" in html


# ----------------------------------------------------------------- next peer review


@pytest.mark.parametrize(
    "last, years, today, next_, days, months, text",
    [
        (date(2021, 3, 15), 6, date(2026, 11, 22), date(2027, 3, 15), 113, 3, "over 3 maanden (113 dagen)"),
        (date(2021, 3, 15), 6, date(2027, 3, 14), date(2027, 3, 15), 1, 0, "over 1 dag"),
        (date(2021, 3, 15), 6, date(2027, 3, 15), date(2027, 3, 15), 0, 0, "vandaag"),
        (date(2021, 3, 15), 6, date(2027, 3, 20), date(2027, 3, 15), -5, 0, "5 dagen over de termijn"),
        (date(2020, 2, 29), 6, date(2026, 1, 28), date(2026, 2, 28), 31, 1, "over 1 maand (31 dagen)"),
        (date(2024, 9, 1), 4, date(2026, 11, 22), date(2028, 9, 1), 649, 21, "over 21 maanden (649 dagen)"),
    ],
)
def test_next_peer_review_and_countdown(last, years, today, next_, days, months, text):
    p = pc.PeerReview(1, "Noord", years, last, today)
    assert (p.next, p.days_left, p.months_left, p.countdown) == (next_, days, months, text)


def test_unknown_peer_review_asks_for_the_last_date(app, client, world):
    p = pc.PeerReview(1, "Noord", 6, None, TODAY)
    assert p.next is None and p.days_left is None and "vul de datum" in p.countdown
    login(client, world.coordinator)
    html = client.get(f"/kwaliteitszorg/partnerschappen/{world.p1.id}/cyclus").get_data(as_text=True)
    assert "vul de datum van de laatste peer review in" in html


def test_countdown_on_the_dashboard(app, client, world):
    with kdb.new_session(app) as s:
        s.add(
            CycleCalendar(partnership_id=world.p1.id, peer_review_years=6, last_peer_review=date(2021, 3, 15))
        )
        s.commit()
    login(client, world.coordinator)
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'id="peer-review"' in html
    assert (
        "15-03-2027: over 3 maanden (113 dagen)" in html
        or "15 maart 2027: over 3 maanden (113 dagen)" in html
    )
    html = client.get("/dashboard?peildatum=2027-03-10").get_data(as_text=True)
    assert "over 5 dagen" in html
    # Partnership 2 has no last peer review; its coordinator is asked for it.
    client.post("/uitloggen")
    login(client, world.other_coordinator)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "datum onbekend" in html and world.p1.name not in html


# ----------------------------------------------------------------- the dossier: the dashboard's figures


def _means(cells: dict) -> dict:
    return {k: (m.count, m.total, m.value) for k, m in cells.items()}


@pytest.mark.parametrize("reference", [REF, date(2026, 6, 1), date(2025, 12, 1)])
def test_dossier_figures_equal_the_dashboards(db, dash, reference):  # noqa: F811 - the imported fixture
    scope = Scope.for_user(dash.w.coordinator)
    pid = dash.w.p1.id
    d = dash_services.dashboard(db, scope, Filters(reference=reference, partnership_id=pid), 5)
    dossier = dossier_service.dossier(db, scope, pid, reference, 5)
    # The coverage matrix: the same trainings, rationales and evaluated sessions.
    assert dossier.matrix == d.matrix
    # The trends: every cell of the dashboard's years is the dossier's, the dossier has one year more.
    assert set(d.trends.years) <= set(dossier.trends.years)
    assert len(dossier.trends.ratings) == len(d.trends.ratings)
    for ours, theirs in zip(dossier.trends.ratings, d.trends.ratings, strict=True):
        assert ours.type is theirs.type
        assert _means({k: v for k, v in ours.cells.items() if k[1] in d.trends.years}) == _means(theirs.cells)
    assert [r for r in dossier.trends.response if r.year in d.trends.years] == d.trends.response
    for ours, theirs in zip(dossier.trends.safeguards, d.trends.safeguards, strict=True):
        assert _means({y: m for y, m in ours.cells.items() if y in d.trends.years}) == _means(theirs.cells)
    # The register's figures.
    assert dossier.register == d.register
    # And the sections show the same numbers.
    by_code = {s.safeguard.code: s for s in dossier.sections}
    assert {code: s.column for code, s in by_code.items()} == {c.safeguard.code: c for c in d.matrix.columns}


def test_dossier_period_and_sections(db, dash):  # noqa: F811
    scope = Scope.for_user(dash.w.steering)
    dossier = dossier_service.dossier(db, scope, dash.w.p1.id, REF, 5)
    assert (dossier.first_year, dossier.last_year) == (2021, 2026)
    assert dossier.period_label == "2021-2022 tot en met 2026-2027"
    by_code = {s.safeguard.code: s for s in dossier.sections}
    t1 = dash.w.training1
    ll = by_code[dash.w.safeguards[0].code]
    [training] = [t for t in ll.trainings if t.training_id == t1.id]
    assert training.rationale == f"Dient {dash.w.safeguards[0].name}."
    [(_series, cells)] = training.ratings
    assert {y: (m.count, m.value) for y, m in cells.items()} == {2025: (7, 3.0), 2026: (6, 4.0)}
    # Gaps: Orde (OR) has only an inactive training; T5 serves no safeguard; no peer review date.
    assert by_code["OR"].gaps == ["Geen actieve training dient deze waarborg."]
    assert "De actieve training Kennismaking Noord dient geen waarborg." in dossier.gaps
    assert any("peer review" in g for g in dossier.gaps)
    with pytest.raises(ValidationError):
        dossier_service.dossier(db, scope, dash.w.p1.id, REF, 5, first_year=2027)
    with pytest.raises(ValidationError):
        dossier_service.dossier(db, scope, dash.w.p1.id, REF, 5, first_year=2010)
    assert dossier_service.dossier(db, scope, dash.w.p1.id, REF, 5, first_year=2025).first_year == 2025


def test_dossier_holds_cycles_analyses_actions_and_overdue_phases(app, db, dash):  # noqa: F811
    w = dash.w
    with kdb.new_session(app) as s:
        cycle = factories.cycle(
            s, s.merge(w.training1), 2025, analysis_right_things="Ja, zie de respons."
        )
        from kwaliteit.cycles.models import CycleGoal

        s.add(CycleGoal(cycle_id=cycle.id, safeguard_id=w.safeguards[0].id, text="Meer tandems."))
        factories.improvement_action(
            s,
            cycle,
            s.merge(w.coordinator),
            due_on=date(2026, 9, 1),
            description="Uitnodiging eerder sturen",
            safeguard=s.merge(w.safeguards[0]),
            finding="Lage respons in november",
        )
        s.commit()
    dossier = dossier_service.dossier(db, Scope.for_user(w.coordinator), w.p1.id, REF, 5)
    ll = dossier.sections[0]
    [ce] = ll.cycles
    assert ce.goal == "Meer tandems." and ce.analyses == [("Doen we de goede dingen?", "Ja, zie de respons.")]
    [ae] = ll.actions
    assert ae.action.description == "Uitnodiging eerder sturen" and ae.state.value == "te-laat"
    assert any("Plan, Check, Act te laat" in g for g in ll.gaps)
    assert any("Verbeteractie te laat" in g for g in ll.gaps)
    assert dossier.sections[1].actions == []  # the action belongs to the first safeguard only


def test_dossier_page_prints_a_section_per_safeguard(client, dash):  # noqa: F811
    login(client, dash.w.steering)
    response = client.get(f"/kwaliteitszorg/partnerschappen/{dash.w.p1.id}/dossier")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('class="dossier-section"') == 1 + len(dash.w.safeguards)
    assert "Dient " in html and "Kennismaking Noord dient geen waarborg" in html
    assert "<script>" not in html and "style=" not in html
    response = client.get(f"/kwaliteitszorg/partnerschappen/{dash.w.p1.id}/dossier?peildatum=31-02-2026")
    assert response.status_code == 400 and "Vul de peildatum in" in response.get_data(as_text=True)
    response = client.get(f"/kwaliteitszorg/partnerschappen/{dash.w.p1.id}/dossier?vanaf=2028")
    assert response.status_code == 400


def test_dossier_workbook(client, dash):  # noqa: F811
    login(client, dash.w.coordinator)
    response = client.get(f"/kwaliteitszorg/partnerschappen/{dash.w.p1.id}/dossier.xlsx?peildatum=2026-11-22")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    wb = load_workbook(io.BytesIO(response.data))
    sg0 = dash.w.safeguards[0]
    assert wb.sheetnames[0] == "Overzicht" and len(wb.sheetnames) == 1 + len(dash.w.safeguards)
    sheet = wb[wb.sheetnames[1]]
    assert sheet.title.startswith(sg0.code)
    rows = [tuple(c.value for c in r) for r in sheet.iter_rows()]
    assert rows[0] == tuple(dossier_service.HEADER)
    title = dash.w.training1.title
    assert ("Totaaloordeel", title, "2025-2026", 3, "schaal 1–5; 7 antwoorden") in rows
    assert ("Totaaloordeel", title, "2026-2027", 4, "schaal 1–5; 6 antwoorden") in rows
    overview = [tuple(c.value for c in r) for r in wb["Overzicht"].iter_rows()]
    assert ("Partnerschap", dash.w.p1.name, None, None, None) in overview
    assert any(r[0] == "Respons deelnemers" and r[2] == "2026-2027" for r in overview)
    assert all(dash.w.training2.title not in str(v) for r in overview for v in r)


def test_dossier_statement_count_does_not_grow(app, client, dash):  # noqa: F811
    from tests.test_dashboard import add_bulk

    login(client, dash.w.admin)
    url = f"/kwaliteitszorg/partnerschappen/{dash.w.p1.id}/dossier"
    with kdb.new_session(app) as s:  # one of each, so that every eager load runs before and after
        c = factories.cycle(s, s.merge(dash.t3), 2026)
        factories.improvement_action(s, c, s.merge(dash.w.coordinator), due_on=date(2026, 1, 1))
        s.commit()
    before = len(count_statements(app, client, url)[0])
    with kdb.new_session(app) as s:
        for n in range(4):
            t = (
                s.merge(dash.w.training1)
                if n == 0
                else factories.training(
                    s, s.merge(dash.w.p1), f"Cyclus {n}", safeguards=[s.merge(dash.w.safeguards[0])]
                )
            )
            for year in (2024, 2025, 2026):
                c = factories.cycle(s, t, year)
                factories.improvement_action(s, c, s.merge(dash.w.coordinator), due_on=date(2026, 1, 1))
        s.commit()
    add_bulk(app, dash, 6)
    assert len(count_statements(app, client, url)[0]) == before
