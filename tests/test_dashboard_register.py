"""The register on the dashboard: flag counts, qualified share, mentors per stage, certified mentors
per board and school, on the dashboard's reference date and filters, in its exports, within scope,
with a fixed number of statements."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

import pytest

from kwaliteit import db as kdb
from kwaliteit.certification.flags import Flag
from kwaliteit.registry.models import Organisation, OrganisationKind, PersonRole
from tests import factories
from tests.conftest import TODAY, count_statements, login
from tests.registerdata import bulk_mentors, certificate, mentorship, qualification


@dataclass
class Data:
    w: factories.World
    board: Organisation
    beuk: Organisation


@pytest.fixture
def data(app) -> Data:
    """Partnership 1 (board Noord: De Linde and Beuk): Dirk (no certificate), m1 certified, m2 expired
    and overdue, m3 mentoring without basic training, m4 expiring on 1 December 2026; Anna qualified,
    Bram not (both give session1 this school year). Partnership 2: a certified mentor and one
    mentoring without a basic training at Het Anker (no board)."""
    with kdb.new_session(app) as s:
        w = factories.build_world(s)
        board = s.get(Organisation, w.school1.parent_id)
        beuk = factories.organisation(s, w.p1, OrganisationKind.SCHOOL, "Basisschool De Beuk", parent=board)
        m1 = factories.person(s, w.school1, PersonRole.MENTOR, name="Mentor Een")
        certificate(s, m1, date(2024, 1, 1), None)
        m2 = factories.person(s, beuk, PersonRole.MENTOR, name="Mentor Twee")
        certificate(s, m2, date(2020, 6, 1), date(2025, 6, 1))
        m3 = factories.person(s, beuk, PersonRole.MENTOR, name="Mentor Drie")
        mentorship(s, m3, beuk, 2026)
        m4 = factories.person(s, w.school1, PersonRole.MENTOR, name="Mentor Vier")
        certificate(s, m4, date(2021, 12, 1), date(2026, 12, 1))
        qualification(s, w.trainer_person, date(2024, 1, 1), date(2030, 1, 1))
        m5 = factories.person(s, w.school2, PersonRole.MENTOR, name="Mentor Zuid")
        certificate(s, m5, date(2025, 1, 1), None)
        m6 = factories.person(s, w.school2, PersonRole.MENTOR, name="Mentor Zuid Twee")
        mentorship(s, m6, w.school2, 2026)
        s.commit()
    return Data(w, board, beuk)


def section(html: str) -> str:
    return html[html.index('id="register-kop"') : html.index('id="uitleg-kop"')]


def tiles(html: str) -> dict[str, int]:
    """Each register flag's count, by the flag in the tile's link."""
    pattern = r'/register/signalen/([a-z-]+)\?[^"]*">\s*<span class="tile-count">(\d+)</span>'
    found = re.findall(pattern, section(html))
    return {flag: int(n) for flag, n in found}


def expected(**changes) -> dict[str, int]:
    counts = {
        Flag.CERTIFICATE_EXPIRED: 1,
        Flag.CERTIFICATE_EXPIRING: 1,
        Flag.REFRESH_NEEDED: 1,
        Flag.MENTORING_WITHOUT_BASIC: 1,
        Flag.QUALIFICATION_EXPIRED: 0,
        Flag.QUALIFICATION_EXPIRING: 0,
        Flag.QUALIFICATION_MISSING: 1,
    }
    counts.update({Flag(k.replace("_", "-")): v for k, v in changes.items()})
    return {f.value: n for f, n in counts.items()}


def test_the_register_section_of_a_coordinator(client, data):
    login(client, data.w.coordinator)
    html = client.get("/dashboard").get_data(as_text=True)
    part = section(html)
    assert tiles(html) == expected()
    assert "Van de 2 trainers met een bijeenkomst in 2026-2027 heeft er <strong>1 (50%)</strong>" in part
    stages = re.findall(r'data-label="Fase">([^<]+)</th><td data-label="Mentoren" class="num">(\d+)', part)
    assert stages == [
        ("Nog geen basistraining", "2"),  # Dirk, Mentor Drie
        ("Opfrissen te laat", "1"),
        ("Opfrissen binnenkort", "1"),
        ("Op koers", "1"),
    ]
    assert 'id="grafiek-leerlijn"' in part and 'class="chart-data"' in part
    boards = part[part.index('id="gecertificeerd-besturen"') : part.index('id="gecertificeerd-scholen"')]
    assert re.search(r"Bestuur Noord</th>.*?>5</td>.*?>2</td>.*?>40%</td>", boards)
    schools = part[part.index('id="gecertificeerd-scholen"') :]
    assert re.search(r"Basisschool De Linde</th>.*?>3</td>.*?>2</td>.*?>67%</td>", schools)
    assert re.search(r"Basisschool De Beuk</th>.*?>2</td>.*?>0</td>.*?>0%</td>", schools)
    # Scope: nothing of partnership 2.
    assert "Het Anker" not in html and "Mentor Zuid" not in html


def test_the_reference_date_and_filters_reach_the_section_and_its_links(client, data):
    login(client, data.w.coordinator)
    url = f"/dashboard?peildatum=2026-12-02&bestuur={data.board.id}"
    html = client.get(url).get_data(as_text=True)
    # Mentor Vier's certificate ended on 1 December: expired, and their refresher is late. Bram
    # works at the institute, outside the board.
    assert tiles(html) == expected(
        certificaat_verlopen=2, certificaat_verloopt=0, opfrissen_nodig=2, trainer_zonder_registratie=0
    )
    # Each tile links to its list with the same date and board, and the list counts the same.
    links = re.findall(r'href="(/register/signalen/[^"]+)">\s*<span class="tile-count">(\d+)', section(html))
    assert len(links) == len(Flag)
    for href, count in links:
        href = href.replace("&amp;", "&")
        assert "peildatum=2026-12-02" in href and f"bestuur={data.board.id}" in href
        page = client.get(href).get_data(as_text=True)
        assert re.search(rf'role="status">{count} ', page), href
        assert "2 december 2026" in page or "02-12-2026" in page
        assert 'name="peildatum" value="2026-12-02"' in page  # the filter form keeps the date
    # Before Mentor Drie's school year began (1 August 2026), they mentored nobody yet.
    html = client.get("/dashboard?peildatum=2026-07-31").get_data(as_text=True)
    assert tiles(html)[Flag.MENTORING_WITHOUT_BASIC.value] == 0


def test_admin_and_steering_scope(client, data):
    login(client, data.w.admin)
    html = client.get("/dashboard").get_data(as_text=True)
    assert tiles(html)[Flag.MENTORING_WITHOUT_BASIC.value] == 2
    assert "Basisschool Het Anker" in section(html)
    one = client.get(f"/dashboard?partnerschap={data.w.p2.id}").get_data(as_text=True)
    assert tiles(one)[Flag.MENTORING_WITHOUT_BASIC.value] == 1
    assert tiles(one)[Flag.CERTIFICATE_EXPIRED.value] == 0
    client.post("/uitloggen")
    login(client, data.w.steering)
    html = client.get("/dashboard").get_data(as_text=True)
    assert tiles(html) == expected()
    assert "Het Anker" not in html
    assert client.get(f"/dashboard/export/gecertificeerd.csv?partnerschap={data.w.p2.id}").status_code == 403


def _csv(client, url) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    text = response.get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_exports_hold_the_register_tables(client, data):
    login(client, data.w.coordinator)
    rows = _csv(client, "/dashboard/export/register.csv?peildatum=2026-12-02")
    assert ["Peildatum", "02-12-2026"] in rows
    assert [Flag.CERTIFICATE_EXPIRED.label, "2"] in rows
    assert [Flag.QUALIFICATION_MISSING.label, "1"] in rows
    assert ["Van hen met een geldige registratie train-de-trainer", "1"] in rows
    share = [r[1] for r in rows if r[:1] == ["Aandeel met een geldige registratie (%)"]]
    assert share and share[0] in ("50.0", "50,0", "50")
    rows = _csv(client, "/dashboard/export/leerlijn.csv")
    assert ["Nog geen basistraining", "2"] in rows and ["Op koers", "1"] in rows
    rows = _csv(client, "/dashboard/export/gecertificeerd.csv")
    body = [r for r in rows if len(r) == 6]
    assert body[0] == [
        "Partnerschap", "Bestuur", "School", "Mentoren", "Gecertificeerd", "Aandeel gecertificeerd (%)"
    ]
    assert body[1][:5] == ["Partnerschap Noord", "Bestuur Noord", "(heel het bestuur)", "5", "2"]
    assert ["Partnerschap Noord", "Bestuur Noord", "Basisschool De Beuk", "2", "0"] in [r[:5] for r in body]
    assert not any("Het Anker" in cell for r in rows for cell in r)
    response = client.get("/dashboard/export/gecertificeerd.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"


def test_statement_count_does_not_grow_with_the_register(app, client, data):
    login(client, data.w.admin)
    urls = ["/dashboard", f"/dashboard?bestuur={data.board.id}", "/dashboard/export/gecertificeerd.csv"]
    before = {url: len(count_statements(app, client, url)[0]) for url in urls}
    with kdb.new_session(app) as s:
        schools = [s.get(Organisation, data.w.school1.id), s.get(Organisation, data.beuk.id)]
        bulk_mentors(s, schools, 600, TODAY)
        s.commit()
    after = {url: count_statements(app, client, url) for url in urls}
    assert {url: len(st) for url, (st, _html) in after.items()} == before
    assert tiles(after["/dashboard"][1])[Flag.CERTIFICATE_EXPIRED.value] > 1
