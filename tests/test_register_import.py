"""Import of the register from a board's file (mentors, certificates, attendance) through upload ->
preview -> confirm, and the export of the register that imports again; on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest
from sqlalchemy import delete, func, select

from evaluaties.transfer.reading import ImportRefused
from kwaliteit import db as kdb
from kwaliteit.certification import exporting, importing
from kwaliteit.certification.flags import RegisterFilters
from kwaliteit.certification.models import Attendance, Certificate, Issuer, RegisterPolicy
from kwaliteit.registry.models import OrganisationKind, Person, PersonRole, PersonRoleLink
from kwaliteit.scope import Forbidden, Scope
from kwaliteit.trainings.models import TrainingKind
from tests import factories
from tests import survey_files as sf
from tests.conftest import count_statements, login

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
MAX = 5 * 1024 * 1024
SECRET = "test-secret"
HEADER = ["Naam", "E-mailadres", "School", "Bestuur", "Training", "Datum", "Certificaatnummer", "Uitgegeven door",
          "Geldig tot"]
KINDS = ("Basistraining", "verdiepingstraining", "Opfrisbijeenkomst")
ISSUERS = ("", "Bestuur", "opleidingsinstituut", "Gezamenlijk")
NAMES = ("Renée de Wit", "Zoë Jansen", "Daniël Bakker", "Anouk Smit")


# ----------------------------------------------------------------- the files


def mentor_rows(n: int = 500, bad: int | None = None) -> list[dict]:
    """n mentors with one certificate each (row i is spreadsheet row i + 2). Row `bad` (0-based)
    names a school that does not exist."""
    rows = []
    for i in range(n):
        issued = date(2018 + i % 8, 1 + i % 12, 1 + i % 28)
        rows.append(
            {
                "Naam": f"{NAMES[i % len(NAMES)]} {i}",
                "E-mailadres": f"Mentor{i}@School.example" if i % 3 == 0 else f"mentor{i}@school.example",
                "School": ("Basisschool De Linde", "obs de ëik", "CBS Het Baken")[i % 3] if i != bad else "School Nergens",
                "Bestuur": "Bestuur Noord" if i % 3 != 2 else "",
                "Training": KINDS[i % 3],
                "Datum": issued,
                "Certificaatnummer": f"NRD-{i:04d}",
                "Uitgegeven door": ISSUERS[i % 4],
                "Geldig tot": "" if i % 5 else date(issued.year + 3, issued.month, issued.day),
            }
        )
    return rows


def _text(value, dates: str) -> str:
    if isinstance(value, date):
        return {"iso": f"{value:%Y-%m-%d}", "dmy": f"{value:%d-%m-%Y}", "short": f"{value.day}-{value.month}-{value.year}"}[dates]
    return value


def as_csv(rows: list[dict], header=HEADER, separator=",", encoding="utf-8", dates="iso") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow(header)
    for r in rows:
        writer.writerow([_text(r.get(h, ""), dates) for h in header])
    return out.getvalue().encode(encoding)


def dutch_excel(rows: list[dict]) -> bytes:
    """As Dutch Excel saves "CSV (gescheiden door lijstscheidingsteken)": ';', Windows-1252, d-m-jjjj."""
    return as_csv(rows, separator=";", encoding="cp1252", dates="short")


def as_xlsx(rows: list[dict], header=HEADER) -> bytes:
    """An Excel file with real date cells."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append([r.get(h, "") or None for h in header])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ----------------------------------------------------------------- fixtures and helpers


@pytest.fixture
def reg(world, db):
    """The conftest world plus two more schools of partnership 1 (one under Bestuur Noord, one of
    another board) and a refresher training with a past, a future and a cancelled session."""
    board = world.school1.parent
    factories.organisation(db, world.p1, OrganisationKind.SCHOOL, "OBS De Ëik", parent=board)
    other_board = factories.organisation(db, world.p1, OrganisationKind.BOARD, "Stichting West")
    factories.organisation(db, world.p1, OrganisationKind.SCHOOL, "CBS Het Baken", parent=other_board)
    refresher = factories.training(db, world.p1, "Opfrisbijeenkomst Noord", kind=TrainingKind.REFRESHER)
    world.refresher_session = factories.session(db, refresher, on=date(2026, 9, 15))
    world.future_session = factories.session(db, refresher, on=date(2026, 12, 15))
    cancelled = factories.session(db, refresher, on=date(2026, 6, 1))
    cancelled.cancelled_at = NOW
    db.commit()
    return world


def scope_for(world, who: str = "coordinator") -> Scope:
    user = getattr(world, who)
    from kwaliteit.accounts.models import Role

    if user.role is Role.ADMIN:
        return Scope(Role.ADMIN, None, None, user.id)
    return Scope(user.role, frozenset({world.p1.id} if who != "other_coordinator" else {world.p2.id}), None, user.id)


def upload(db, world, data: bytes, filename="mentoren.csv", who="coordinator") -> importing.Upload:
    p = world.p1.id if who != "other_coordinator" else world.p2.id
    return importing.read_upload(db, scope_for(world, who), p, getattr(world, who).id, filename, data, MAX)


def run(db, world, data: bytes, filename="mentoren.csv", mapping=None, today=TODAY) -> importing.ImportResult:
    up = upload(db, world, data, filename)
    result = importing.confirm(
        db, scope_for(world), up, mapping or importing.propose_mapping(up.headings), today, NOW
    )
    db.commit()
    return result


def preview(db, world, data: bytes, filename="mentoren.csv", mapping=None, today=TODAY) -> importing.Preview:
    up = upload(db, world, data, filename)
    return importing.preview(db, scope_for(world), up, mapping or importing.propose_mapping(up.headings), today)


def refused(db, world, data: bytes, filename="mentoren.csv", today=TODAY) -> list[str]:
    with pytest.raises(ImportRefused) as exc:
        run(db, world, data, filename, today=today)
    db.rollback()
    return exc.value.errors


def register(db) -> set[tuple]:
    """The register as a set: person, school, roles, certificates (no ids), as committed."""
    db.rollback()
    db.expire_all()
    people = {
        p.id: (p.name, p.email, p.organisation.name)
        for p in db.scalars(select(Person).where(Person.email.like("%@school.example")))
    }
    certs = {
        (people[c.person_id][1], c.kind, c.issued_on, c.number, c.issued_by, c.valid_until, c.board_id)
        for c in db.scalars(select(Certificate))
        if c.person_id in people
    }
    roles = {
        (people[pid][1], role)
        for pid, role in db.execute(select(PersonRoleLink.person_id, PersonRoleLink.role))
        if pid in people
    }
    return set(people.values()) | certs | roles


def counts(db) -> tuple[int, int, int, int]:
    db.rollback()  # a new transaction: what the requests committed
    db.expire_all()
    return (
        db.scalar(select(func.count()).select_from(Person)),
        db.scalar(select(func.count()).select_from(PersonRoleLink)),
        db.scalar(select(func.count()).select_from(Certificate)),
        db.scalar(select(func.count()).select_from(Attendance)),
    )


class _PostForms(HTMLParser):
    """The fields a browser posts from each <form method="post"> (selected options, inputs)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or "", "fields": {}} if (a.get("method") or "") == "post" else None
            if self._form is not None:
                self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("file", "submit"):
            self._form["fields"][name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self._form["fields"].setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self._form["fields"][self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


def preview_form(html: str) -> dict:
    parser = _PostForms()
    parser.feed(html)
    [form] = [f for f in parser.forms if f["action"].endswith("/register/importeren/controleren")]
    return form["fields"]


def post_upload(client, world, data: bytes, filename="mentoren.csv"):
    return client.post(
        "/register/importeren",
        data={"partnerschap": str(world.p1.id), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


# ----------------------------------------------------------------- the issue's checks


def test_500_mentors_with_one_bad_row_save_nothing_then_all_then_nothing_again(app, reg, client, db):
    """Through the pages: the preview names row 252 (mentor 250); confirming saves nothing; the
    fixed file imports all 500; the same file again adds nothing."""
    login(client, reg.coordinator)
    before = counts(db)
    response = post_upload(client, reg, as_csv(mentor_rows(500, bad=250)))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Rij 252: Onbekende school ‘School Nergens’" in html
    assert "1 rij heeft een fout" in html
    fields = preview_form(html)
    assert fields["kolom_email"] == "B" and fields["kolom_soort"] == "E" and fields["kolom_bijeenkomst"] == ""
    response = client.post("/register/importeren/controleren", data=fields | {"actie": "importeren"})
    assert response.status_code == 400
    assert "Er is niets ingelezen" in response.get_data(as_text=True)
    assert "Rij 252" in response.get_data(as_text=True)
    assert counts(db) == before

    fields = preview_form(post_upload(client, reg, as_csv(mentor_rows(500))).get_data(as_text=True))
    response = client.post("/register/importeren/controleren", data=fields | {"actie": "importeren"})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    after = counts(db)
    assert after == (before[0] + 500, before[1] + 500, before[2] + 500, before[3])
    first = register(db)
    assert len(first) == 1500

    html = post_upload(client, reg, as_csv(mentor_rows(500))).get_data(as_text=True)
    assert "inlezen voegt niets toe" in html
    response = client.post("/register/importeren/controleren", data=preview_form(html) | {"actie": "importeren"})
    assert response.status_code == 303
    assert counts(db) == after
    assert register(db) == first


@pytest.mark.parametrize("make, filename", [
    (dutch_excel, "mentoren.csv"),
    (lambda rows: as_csv(rows, separator="\t", encoding="utf-16", dates="dmy"), "mentoren.txt"),
    (lambda rows: b"\xef\xbb\xbf" + as_csv(rows, separator=";", dates="dmy"), "mentoren.csv"),
    (as_xlsx, "mentoren.xlsx"),
], ids=["dutch-excel", "utf16-tab", "utf8-bom", "xlsx"])
def test_the_same_file_in_other_formats_imports_the_same(app, reg, db, make, filename):
    rows = mentor_rows(60)
    run(db, reg, as_csv(rows))
    expected = register(db)
    db.execute(delete(Certificate))
    db.execute(delete(Person).where(Person.email.like("%@school.example")))
    db.commit()
    data = make(rows)
    if make is dutch_excel:
        assert b";" in data and "Zoë".encode("cp1252") in data and b"2-2-2019" in data
    result = run(db, reg, data, filename)
    assert result.counts.new_persons == 60 and result.counts.new_certificates == 60
    assert register(db) == expected
    assert "Zoë Jansen 1" in {n for n, *_ in expected if isinstance(n, str)}


def test_certificates_take_the_policy_and_the_issuer(app, reg, db):
    db.add(RegisterPolicy(partnership_id=reg.p1.id, certificate_years=4))
    db.commit()
    rows = mentor_rows(8)
    rows[2]["Geldig tot"] = "geen einddatum"
    run(db, reg, as_csv(rows))
    certs = {c.number: c for c in db.scalars(select(Certificate))}
    c0, c1, c2, c5 = certs["NRD-0000"], certs["NRD-0001"], certs["NRD-0002"], certs["NRD-0005"]
    assert c0.valid_until == date(2021, 1, 1)  # the file's own (every fifth row has one)
    assert c1.valid_until == date(2019 + 4, 2, 2)  # empty: the policy's 4 years
    assert c2.valid_until is None
    assert c5.valid_until == date(2026, 6, 6)
    assert (c0.kind, c1.kind, c2.kind) == (TrainingKind.BASIC, TrainingKind.ADVANCED, TrainingKind.REFRESHER)
    assert (c0.issued_by, c1.issued_by, c2.issued_by, certs["NRD-0003"].issued_by) == (
        Issuer.JOINT, Issuer.BOARD, Issuer.INSTITUTE, Issuer.JOINT,
    )
    board_noord = reg.school1.parent_id
    assert c0.board_id == board_noord and c2.board_id is None  # issued by the institute: no board
    assert all(c.partnership_id == reg.p1.id and c.session_id is None for c in certs.values())


def test_an_existing_person_is_reused_whatever_the_case_of_the_e_mail(app, reg, db):
    mentor = db.get(Person, reg.mentor.id)
    trainer = db.get(Person, reg.trainer_person.id)
    rows = [
        {"Naam": "Andere Naam", "E-mailadres": mentor.email.upper(), "School": "", "Training": "Basistraining",
         "Datum": date(2020, 3, 1), "Certificaatnummer": "X-1"},
        {"Naam": "", "E-mailadres": trainer.email, "School": "", "Training": "", "Datum": "",
         "Certificaatnummer": ""},
    ]
    before = counts(db)
    result = run(db, reg, as_csv(rows))
    assert result.counts.new_persons == 0 and result.counts.known_persons == 2
    assert counts(db)[0] == before[0]
    assert db.get(Person, mentor.id).name == "Dirk Bakker"  # kept: the register is not renamed by a file
    assert db.scalar(select(Certificate.person_id).where(Certificate.number == "X-1")) == mentor.id
    # The trainer is a mentor now too; the mentor keeps the one role.
    assert {link.role for link in db.get(Person, trainer.id).role_links} == {PersonRole.SCHOOL_EDUCATOR, PersonRole.MENTOR}
    assert result.counts.new_roles == 1


def test_attendance_import(app, reg, db):
    """A session by ‘title, date’ or by title and the Datum column; a certificate in the same row
    belongs to the session. Again: nothing added."""
    header = ["Naam", "E-mail", "School", "Bijeenkomst", "Datum", "Certificaatnummer"]
    rows = [
        {"Naam": "Renée de Wit", "E-mail": "renee@school.example", "School": "Basisschool De Linde",
         "Bijeenkomst": "Opfrisbijeenkomst Noord, 15-09-2026", "Datum": "", "Certificaatnummer": ""},
        {"Naam": "Zoë Jansen", "E-mail": "zoe@school.example", "School": "CBS Het Baken",
         "Bijeenkomst": "opfrisbijeenkomst noord", "Datum": "2026-09-15", "Certificaatnummer": "OPF-1"},
        {"Naam": "Renée de Wit", "E-mail": "RENEE@school.example", "School": "",
         "Bijeenkomst": "Basistraining mentoren Noord", "Datum": "1-10-2026", "Certificaatnummer": ""},
    ]
    data = as_csv(rows, header=header)
    pv = preview(db, reg, data)
    assert pv.mapping["bijeenkomst"] == 3 and pv.mapping["datum"] == 4 and pv.ok, pv.errors
    assert (pv.counts.new_persons, pv.counts.new_attendance, pv.counts.new_certificates) == (2, 3, 1)
    run(db, reg, data)
    attendance = {tuple(r) for r in db.execute(select(Attendance.session_id, Person.email).join(Person))}
    assert attendance == {
        (reg.refresher_session.id, "renee@school.example"),
        (reg.refresher_session.id, "zoe@school.example"),
        (reg.session1.id, "renee@school.example"),
    }
    cert = db.scalars(select(Certificate).where(Certificate.number == "OPF-1")).one()
    assert (cert.kind, cert.issued_on, cert.session_id, cert.training_id) == (
        TrainingKind.REFRESHER, date(2026, 9, 15), reg.refresher_session.id, reg.refresher_session.training_id,
    )
    before = counts(db)
    again = run(db, reg, data)
    assert again.counts.adds_nothing and again.counts.known_attendance == 3
    assert counts(db) == before


BAD = [
    ("School", "Nergensschool", "Onbekende school ‘Nergensschool’"),
    ("Training", "Cursus koken", "Onbekende soort training ‘Cursus koken’"),
    ("Training", "train-de-trainer", "geeft geen mentorcertificaat"),
    ("E-mailadres", "geen-adres", "‘geen-adres’ is geen e-mailadres"),
    ("E-mailadres", "a@b", "‘a@b’ is geen e-mailadres"),
    ("E-mailadres", "", "Het e-mailadres ontbreekt"),
    ("Datum", "23-11-2026", "De datum 23-11-2026 ligt na vandaag"),
    ("Datum", "31-12-9999", "De datum 31-12-9999 ligt na vandaag"),  # no validity reckoned from it
    ("Datum", "31-02-2026", "‘31-02-2026’ is geen datum"),
    ("Datum", "2026/13/01", "is geen datum"),
    ("Datum", "gisteren", "‘gisteren’ is geen datum"),
    ("Datum", "1-1-26", "is geen datum"),
    ("Datum", "", "De datum van het certificaat ontbreekt"),
    ("Geldig tot", "31-12-2017", "Geldig tot (31-12-2017) ligt vóór de datum"),
    ("Geldig tot", "01-01-2090", "meer dan 50 jaar na de datum"),
    ("Geldig tot", "morgen", "Geldig tot ‘morgen’ is geen datum"),
    ("Certificaatnummer", "", "Het certificaatnummer ontbreekt"),
    ("Certificaatnummer", "nrd-0000", "Certificaatnummer ‘nrd-0000’ staat ook in rij 2"),
    ("Certificaatnummer", "X" * 51, "Hoogstens 50 tekens"),
    ("Bestuur", "Stichting West", "hoort niet bij bestuur ‘Stichting West’"),
    ("Naam", "", "De naam ontbreekt"),
    ("Naam", "Jan\x07Jansen", "ongeldige tekens"),
    ("Naam", "Jan\nJansen", "geen tab, regeleinde"),
    ("Naam", "x" * 201, "Hoogstens 200 tekens"),
    ("Uitgegeven door", "de buurman", "Onbekend ‘uitgegeven door’ ‘de buurman’"),
]


@pytest.mark.parametrize("column, value, message", BAD, ids=[f"{c}-{m[:25]}" for c, _v, m in BAD])
def test_every_bad_input_is_a_row_error_and_nothing_is_saved(app, reg, db, column, value, message):
    rows = mentor_rows(6)
    rows[1]["Datum"] = date(2018, 1, 1)
    rows[1][column] = value
    before = counts(db)
    errors = refused(db, reg, as_csv(rows))
    assert len(errors) == 1 and errors[0].startswith("Rij 3: ") and message in errors[0], errors
    assert counts(db) == before


def test_a_person_of_another_partnership_and_a_taken_number(app, reg, db):
    other = db.get(Person, reg.other_trainer.id)
    run(db, reg, as_csv(mentor_rows(3)))
    rows = mentor_rows(6)[3:]
    rows[0]["E-mailadres"] = other.email.upper()
    rows[1]["Certificaatnummer"] = "nrd-0001"  # mentor 1's, whatever the case
    rows[2]["Rol"] = "directeur"
    errors = refused(db, reg, as_csv(rows, header=HEADER + ["Rol"]))
    assert errors[0].startswith("Rij 2: ") and "hoort bij een persoon van een ander partnerschap" in errors[0]
    assert errors[1].startswith("Rij 3: ") and "‘nrd-0001’ is in dit partnerschap al aan iemand anders gegeven" in errors[1]
    assert errors[2].startswith("Rij 4: ") and "Onbekende rol ‘directeur’" in errors[2]


def test_attendance_errors(app, reg, db):
    header = ["Naam", "E-mail", "School", "Bijeenkomst", "Datum"]
    rows = [
        {"Naam": "A", "E-mail": "a@school.example", "School": "CBS Het Baken", "Bijeenkomst": "Koken voor mentoren",
         "Datum": "15-09-2026"},
        {"Naam": "B", "E-mail": "b@school.example", "School": "CBS Het Baken", "Bijeenkomst": "Opfrisbijeenkomst Noord",
         "Datum": "16-09-2026"},
        {"Naam": "C", "E-mail": "c@school.example", "School": "CBS Het Baken",
         "Bijeenkomst": "Opfrisbijeenkomst Noord, 15-12-2026", "Datum": ""},
        {"Naam": "D", "E-mail": "d@school.example", "School": "CBS Het Baken",
         "Bijeenkomst": "Opfrisbijeenkomst Noord, 01-06-2026", "Datum": ""},
        {"Naam": "E", "E-mail": "e@school.example", "School": "CBS Het Baken", "Bijeenkomst": "Opfrisbijeenkomst Noord",
         "Datum": ""},
    ]
    errors = refused(db, reg, as_csv(rows, header=header))
    assert [e.split(":")[0] for e in errors] == ["Rij 2", "Rij 3", "Rij 4", "Rij 5", "Rij 6"]
    assert "Onbekende training ‘Koken voor mentoren’" in errors[0]
    assert "Geen bijeenkomst van ‘Opfrisbijeenkomst Noord’ op 16-09-2026" in errors[1]
    assert "nog niet geweest" in errors[2]
    assert "is geannuleerd" in errors[3]
    assert "De datum van de bijeenkomst ontbreekt" in errors[4]


def test_one_person_in_two_partnerships_imports(app, reg, db):
    """The same file for partnership 2 finds partnership 1's persons: every row refused."""
    run(db, reg, as_csv(mentor_rows(3)))
    rows = mentor_rows(3)
    for r in rows:
        r["School"], r["Bestuur"] = "Basisschool Het Anker", ""
    up = upload(db, reg, as_csv(rows), who="other_coordinator")
    pv = importing.preview(db, scope_for(reg, "other_coordinator"), up, importing.propose_mapping(up.headings), TODAY)
    assert pv.error_count == 3 and all("ander partnerschap" in e for e in pv.errors)


def test_the_mapping_can_be_changed_and_is_checked(app, reg, db):
    header = ["Wie", "Adres", "Waar", "Wat", "Wanneer", "Nr"]
    rows = [{"Wie": "Anouk", "Adres": "anouk@school.example", "Waar": "CBS Het Baken", "Wat": "Basistraining",
             "Wanneer": "2024-05-01", "Nr": "W-1"}]
    data = as_csv(rows, header=header)
    pv = preview(db, reg, data)
    assert pv.mapping_errors == {"email": "Kies de kolom met het e-mailadres: daarmee wordt elke persoon herkend."}
    mapping = {"naam": 0, "email": 1, "school": 2, "soort": 3, "datum": 4, "nummer": 5}
    pv = preview(db, reg, data, mapping=mapping)
    assert pv.ok and pv.counts.new_certificates == 1
    pv = preview(db, reg, data, mapping=mapping | {"bestuur": 1})
    assert "al gekozen voor ‘E-mailadres’" in pv.mapping_errors["bestuur"]
    pv = preview(db, reg, data, mapping=mapping | {"rol": 40})
    assert pv.mapping_errors["rol"] == "Het bestand heeft geen kolom AO."
    up = upload(db, reg, data)
    with pytest.raises(importing.ValidationError):
        importing.confirm(db, scope_for(reg), up, {"naam": 0}, TODAY, NOW)
    assert importing.confirm(db, scope_for(reg), up, mapping, TODAY, NOW).counts.new_persons == 1


def test_preview_form_changes_the_mapping(app, reg, client, db):
    login(client, reg.coordinator)
    header = ["Wie", "Adres", "Waar"]
    data = as_csv([{"Wie": "Anouk", "Adres": "anouk@school.example", "Waar": "CBS Het Baken"}], header=header)
    fields = preview_form(post_upload(client, reg, data).get_data(as_text=True))
    response = client.post("/register/importeren/controleren", data=fields | {"actie": "importeren"})
    assert response.status_code == 400 and "Kies de kolom met het e-mailadres" in response.get_data(as_text=True)
    fields |= {"kolom_naam": "A", "kolom_email": "B", "kolom_school": "C"}
    response = client.post("/register/importeren/controleren", data=fields | {"actie": "bijwerken"})
    assert response.status_code == 200 and "1 nieuwe persoon" in response.get_data(as_text=True)
    response = client.post("/register/importeren/controleren", data=fields | {"kolom_rol": "ZZZZ", "actie": "importeren"})
    assert response.status_code == 400 and "Kies een kolom uit de lijst" in response.get_data(as_text=True)
    response = client.post("/register/importeren/controleren", data=fields | {"actie": "importeren"})
    assert response.status_code == 303
    assert db.scalar(select(Person.name).where(Person.email == "anouk@school.example")) == "Anouk"


# ----------------------------------------------------------------- the sealed file


def test_a_changed_expired_or_foreign_seal_is_refused(app, reg, client, db):
    up = upload(db, reg, as_csv(mentor_rows(2)))
    token = importing.seal(up, SECRET)
    assert importing.unseal(token, SECRET, reg.coordinator.id).rows == up.rows
    for bad, user_id in ((token[:-2] + "xx", reg.coordinator.id), (token, reg.admin.id), ("", reg.coordinator.id),
                         ("\x00" * 10, reg.coordinator.id)):
        with pytest.raises(importing.DraftGone):
            importing.unseal(bad, SECRET, user_id)
    login(client, reg.admin)
    response = client.post("/register/importeren/controleren", data={"bestand": token, "actie": "importeren"})
    assert response.status_code == 400 and "Voorbeeld verlopen" in response.get_data(as_text=True)
    assert counts(db)[0] == db.scalar(select(func.count()).select_from(Person))


def test_a_seal_is_valid_for_a_day(app, reg, db, monkeypatch):
    import time

    token = importing.seal(upload(db, reg, as_csv(mentor_rows(2))), SECRET)
    real = time.time()
    monkeypatch.setattr(time, "time", lambda: real + importing.DRAFT_LIFETIME.total_seconds() + 10)
    with pytest.raises(importing.DraftGone):
        importing.unseal(token, SECRET, reg.coordinator.id)


def test_a_file_too_large_to_seal_is_refused(app, reg, db):
    import hashlib

    noise = [hashlib.sha256(str(i).encode()).hexdigest() + hashlib.sha256(str(-i).encode()).hexdigest() * 3 for i in range(5000)]
    rows = [{"Naam": noise[i], "E-mailadres": f"m{i}@school.example"} for i in range(5000)]
    up = upload(db, reg, as_csv(rows, header=["Naam", "E-mailadres"]))
    with pytest.raises(ImportRefused) as exc:
        importing.seal(up, SECRET)
    assert "te veel tekst" in exc.value.errors[0]


def test_a_file_near_the_seal_limit_passes_through_the_form(app, reg, client, db):
    """The sealed file fits in the preview form's field: no 413 from the form size limit."""
    import hashlib

    def h(x):
        return hashlib.sha256(str(x).encode()).hexdigest()

    rows = [{"Naam": h(i) + h(-i - 1), "E-mailadres": f"m{i}@school.example", "School": "CBS Het Baken"}
            for i in range(3900)]
    login(client, reg.coordinator)
    response = post_upload(client, reg, as_csv(rows, header=["Naam", "E-mailadres", "School"]))
    assert response.status_code == 200
    fields = preview_form(response.get_data(as_text=True))
    assert 400_000 < len(fields["bestand"]) <= importing.MAX_SEALED_CHARS
    response = client.post("/register/importeren/controleren", data=fields | {"actie": "bijwerken"})
    assert response.status_code == 200 and "3900 nieuwe personen" in response.get_data(as_text=True)


@pytest.mark.parametrize("issued, until", [("31-12-9999", ""), ("31-12-9995", ""), ("01-01-9990", "01-01-9999")])
def test_a_date_at_the_end_of_the_calendar_is_a_row_error(app, reg, db, client, issued, until):
    """Years added to a date near 9999 are no date: a refused date is not reckoned with (the
    policy's validity, the 50 years of 'geldig tot'); the page shows the row's error."""
    rows = mentor_rows(3)
    rows[1]["Datum"], rows[1]["Geldig tot"] = issued, until
    before = counts(db)
    errors = refused(db, reg, as_csv(rows))
    assert errors == [f"Rij 3: De datum {issued} ligt na vandaag (22-11-2026)."], errors
    login(client, reg.coordinator)
    response = post_upload(client, reg, as_csv(rows), "mentoren.csv")
    assert response.status_code == 200 and "ligt na vandaag" in response.get_data(as_text=True)
    assert counts(db) == before


# ----------------------------------------------------------------- hostile files


HOSTILE = [
    ("nul.csv", b"Naam,E-mail\r\nA\x00,a@b.nl\r\n", "NUL-tekens"),
    ("groot.csv", b"Naam,E-mail\r\n" + b"x" * 40_000 + b",a@b.nl\r\n", "langer dan 32.767 tekens"),
    ("leeg.csv", b"", "leeg"),
    ("kop.csv", b"Naam,E-mail\r\n", "alleen een kopregel"),
    ("oud.xls", b"\xd0\xcf\x11\xe0", "Alleen CSV- en XLSX-bestanden"),
    ("bom.xlsx", sf.zip_bomb(), "verdacht sterk ingepakt"),
    ("groot.xlsx", sf.xlsx_huge_cell(), "uitgepakt te groot"),
    ("cel.xlsx", sf.xlsx_huge_cell(chars=40_000, shared=False), "langer dan 32.767 tekens"),
    ("ver.xlsx", sf.xlsx_far_cell(), "meer dan 10.000 rijen"),
    ("te-veel.csv", ("E-mail\r\n" + "a@b.nl\r\n" * 5001).encode(), "meer dan 5000 rijen"),
    ("kop-nul.csv", b"Na\x07am,E-mail\r\nA,a@b.nl\r\n", "De kop van kolom A"),
]


@pytest.mark.parametrize("filename, data, message", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_files_are_refused_with_a_message(app, reg, db, filename, data, message):
    with pytest.raises(ImportRefused) as exc:
        upload(db, reg, data, filename)
    assert message in " ".join(exc.value.errors)


def test_crafted_xlsx_declaring_the_whole_sheet_costs_nothing(app, reg, db):
    up = upload(db, reg, sf.xlsx_declared_huge(), "dim.xlsx")
    assert len(up.rows) == len(sf.small_table()) - 1


def test_hostile_files_through_the_page(app, reg, client, db):
    login(client, reg.coordinator)
    before = counts(db)
    for filename, data, message in HOSTILE[:3]:
        response = post_upload(client, reg, data, filename)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    response = post_upload(client, reg, b"x" * (MAX + 10), "groot.csv")
    assert response.status_code in (400, 413)
    assert counts(db) == before


# ----------------------------------------------------------------- export and round trip


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_imports_again(app, reg, client, db, fmt):
    run(db, reg, as_csv(mentor_rows(40)))
    expected = register(db)
    login(client, reg.coordinator)
    response = client.get(f"/register/export.{fmt}")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    data = response.data
    # The same file again adds nothing.
    before = counts(db)
    assert run(db, reg, data, f"register.{fmt}").counts.adds_nothing
    assert counts(db) == before
    # Into an emptied register: the same mentors and certificates.
    db.execute(delete(Certificate))
    db.execute(delete(Person).where(Person.email.like("%@school.example")))
    db.commit()
    result = run(db, reg, data, f"register.{fmt}")
    assert result.counts.new_certificates == 40
    assert register(db) == expected


def test_export_rows_have_school_board_stage_and_every_certificate(app, reg, db):
    rows = mentor_rows(2)
    rows.append(dict(rows[0], Training="Opfrisbijeenkomst", Datum=date(2024, 2, 2), Certificaatnummer="NRD-9"))
    rows[-1]["Geldig tot"] = ""
    run(db, reg, as_csv(rows))
    table = exporting.register_rows(db, scope_for(reg), RegisterFilters(partnership_id=reg.p1.id), TODAY)
    mine = [r for r in table if r[2].endswith("@school.example")]
    assert len(mine) == 3
    first = [r for r in mine if r[2] == "mentor0@school.example"]
    assert [r[7] for r in first] == ["NRD-0000", "NRD-9"]
    assert first[0][:6] == ["Partnerschap Noord", "Renée de Wit 0", "mentor0@school.example",
                            "Basisschool De Linde", "Bestuur Noord", "Basistraining"]
    assert first[0][10] == "Op koers"
    dirk = [r for r in table if r[1] == "Dirk Bakker"]
    assert dirk and dirk[0][5:10] == [None] * 5  # a mentor without a certificate: one row
    with pytest.raises(Forbidden):
        exporting.register_rows(db, Scope(__import__("kwaliteit.accounts.models", fromlist=["Role"]).Role.STEERING,
                                          frozenset({reg.p1.id})), RegisterFilters(), TODAY)


def test_export_statements_do_not_grow_with_the_register(app, reg, client, db):
    login(client, reg.coordinator)
    run(db, reg, as_csv(mentor_rows(10)))
    small, _ = count_statements(app, client, "/register/export.csv")
    db.execute(delete(Certificate))
    db.commit()
    run(db, reg, as_csv(mentor_rows(300)))
    large, _ = count_statements(app, client, "/register/export.csv")
    assert len(small) == len(large)


def test_confirm_statements_do_not_grow_with_the_rows(app, reg, db):
    from sqlalchemy import event

    def statements(n: int) -> int:
        up = upload(db, reg, as_csv(mentor_rows(n)))
        db.execute(select(1))  # the transaction has begun
        seen = []
        engine = kdb.engine_of(app)
        listener = lambda *a: seen.append(a[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            importing.confirm(db, scope_for(reg), up, importing.propose_mapping(up.headings), TODAY, NOW)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        db.rollback()
        return len(seen)

    assert statements(20) == statements(600)


# ----------------------------------------------------------------- roles


def test_roles(app, reg, client, db):
    data = as_csv(mentor_rows(2))
    for who in ("steering", "trainer"):
        c = app.test_client()
        login(c, getattr(reg, who))
        assert c.get("/register/importeren").status_code == 403
        assert c.get("/register/export.csv").status_code == 403
        assert post_upload(c, reg, data).status_code == 403
    with pytest.raises(Forbidden):
        importing.read_upload(db, Scope(__import__("kwaliteit.accounts.models", fromlist=["Role"]).Role.STEERING,
                                        frozenset({reg.p1.id})), reg.p1.id, reg.steering.id, "a.csv", data, MAX)
    # The coordinator of partnership 2 cannot choose partnership 1.
    c = app.test_client()
    login(c, reg.other_coordinator)
    assert c.get(f"/register/importeren?partnerschap={reg.p1.id}").status_code == 403
    response = post_upload(c, reg, data)
    assert response.status_code == 400 and "Partnerschap" in response.get_data(as_text=True)
    with pytest.raises(Forbidden):
        importing.read_upload(db, scope_for(reg, "other_coordinator"), reg.p1.id, reg.other_coordinator.id, "a.csv",
                              data, MAX)
    # A coordinator of one partnership does not choose: the page shows his.
    login(client, reg.coordinator)
    html = client.get("/register/importeren").get_data(as_text=True)
    assert "Partnerschap: <strong>Partnerschap Noord</strong>" in html
    assert 'href="/register/importeren' in client.get("/register").get_data(as_text=True)
    # The admin chooses.
    c = app.test_client()
    login(c, reg.admin)
    html = c.get("/register/importeren").get_data(as_text=True)
    assert "Partnerschap Zuid" in html and "Partnerschap Noord" in html
