"""Import of participant answers (CSV, XLSX; all or nothing) and export of answers and results."""
from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from evaluaties.answers import links
from evaluaties.answers.models import (
    Answer,
    ParticipantLink,
    Response,
    ResponseSource,
)
from evaluaties.questionnaires.models import Audience
from evaluaties.questionnaires.services import applicable_version
from evaluaties.results import services as results
from evaluaties.results.services import ResultFilters
from evaluaties.transfer import exporting, importing, reading
from kwaliteit import db as kdb
from kwaliteit.models_base import utcnow
from kwaliteit.scope import Forbidden, Scope
from kwaliteit.validation import ValidationError
from tests import factories
from tests.conftest import login
from tests.test_import_wizard import form_fields

CODES = ["totaal", "bruikbaarheid", "feedback", "gesprekstechnieken", "zelfvertrouwen", "uitwisseling",
         "trainer", "vorm_locatie", "opmerkingen"]
MAX = 5 * 1024 * 1024


def good_row(i: int) -> list[str]:
    # `totaal` is a grade 1-10 with a decimal comma or point.
    return [f"{5 + i % 5},5", "4", "5", "3", "4", "Eens", "helemaal eens", "2", f"Tip {i}" if i % 2 else ""]


def csv_bytes(rows: list[list[str]], delimiter=";", bom=False, header=None) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header or CODES)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def xlsx_bytes(rows: list[list], header=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header or CODES)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


NOW = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)


def do_import(db, world, data, filename="antwoorden.csv", columns=None, today=date(2026, 10, 20), max_bytes=MAX,
              session=None, user=None):
    """Both steps of the import wizard at once: upload, then confirm what the preview proposes,
    with `columns` (question code -> column letter or heading) chosen instead where given."""
    user = user or world.coordinator
    scope = Scope.for_user(user)
    ts = session or world.session1
    draft = importing.start_import(db, scope, ts.id, user.id, filename, data, NOW, max_bytes, today=today)
    version = applicable_version(db, ts.training_id, Audience.PARTICIPANT)
    chosen = {q.id: columns[q.code] for q in version.questions if q.code in (columns or {})}
    return importing.confirm_import(db, scope, ts.id, draft.id, user.id, importing.Choices(columns=chosen), today)


def count_responses(db) -> int:
    return db.scalar(select(func.count()).select_from(Response))


def count_answers(db) -> int:
    return db.scalar(select(func.count()).select_from(Answer))


# ----------------------------------------------------------------- import: good files


def test_good_csv_with_semicolons(db, world):
    result = do_import(db, world, csv_bytes([good_row(i) for i in range(4)]))
    db.commit()
    assert result.count == 4
    rows = db.execute(select(Response).order_by(Response.id)).scalars().all()
    assert len(rows) == 4
    assert all(r.source is ResponseSource.IMPORT and r.audience is Audience.PARTICIPANT for r in rows)
    assert all(r.session_id == world.session1.id for r in rows)
    assert rows[0].version_id == applicable_version(db, world.training1.id, Audience.PARTICIPANT).id
    # 8 required answers per row, and the optional remark in rows 1 and 3 only.
    assert count_answers(db) == 4 * 8 + 2
    rs = results.results(db, Scope.for_user(world.coordinator), ResultFilters(session_id=world.session1.id), min_shown=1)
    by_code = {r.code: r for r in rs.results}
    assert by_code["uitwisseling"].counts == {4: 4}  # the label "Eens" is 4
    assert by_code["trainer"].counts == {5: 4}  # labels match case-insensitively
    assert by_code["totaal"].counts == {55: 1, 65: 1, 75: 1, 85: 1}  # grades in tenths


def test_good_csv_with_commas_and_bom(db, world):
    rows = [good_row(i) for i in range(3)]
    rows[0][8] = "Goed, en leerzaam"  # a quoted comma inside a value
    result = do_import(db, world, csv_bytes(rows, delimiter=",", bom=True))
    assert result.count == 3
    texts = db.scalars(select(Answer.value_text).where(Answer.value_text.is_not(None))).all()
    assert "Goed, en leerzaam" in texts
    assert result.columns["totaal"] == "totaal"  # the BOM is not part of the first column's name


def test_good_xlsx_with_question_texts_as_headers(db, world):
    version = applicable_version(db, world.training1.id, Audience.PARTICIPANT)
    header = [q.text.upper() + "  " for q in version.questions]  # other case, trailing spaces
    rows = [[1 + i % 5, 4, 5, 3, 4, 4, 5, 2, None] for i in range(5)]
    rows.append([None] * 9)  # an empty row is skipped
    result = do_import(db, world, xlsx_bytes(rows, header=header), filename="Enquete.XLSX")
    db.commit()
    assert result.count == 5
    assert count_answers(db) == 5 * 8


def test_chosen_columns_name_other_columns(db, world):
    """The coordinator chooses a column by its heading (any case) or by its letter."""
    header = ["Tijdstempel"] + [f"Vraag {i}" for i in range(1, 10)]
    rows = [["2026-10-02 10:00"] + good_row(i) for i in range(2)]
    columns = {code: f"vraag {i}" for i, code in enumerate(CODES, start=1)} | {"opmerkingen": "j"}
    result = do_import(db, world, csv_bytes(rows, header=header), columns=columns)
    assert result.count == 2
    assert result.columns["totaal"] == "Vraag 1"
    assert result.columns["opmerkingen"] == "Vraag 9"


# ----------------------------------------------------------------- import: bad files, nothing saved


def test_bad_rows_3_and_7_are_all_reported_and_nothing_is_saved(db, world):
    rows = [good_row(i) for i in range(8)]
    rows[1][0] = "6,55"  # file row 3: a grade with two decimals
    rows[5][2] = ""  # file row 7: a missing required answer
    rows[5][6] = "soms"  # ... and a second error in the same row
    with pytest.raises(reading.ImportRefused) as exc:
        do_import(db, world, csv_bytes(rows))
    errors = exc.value.errors
    assert errors == [
        (
            "Rij 3, vraag ‘Welk cijfer geef je deze bijeenkomst als geheel?’: Geef een cijfer van 1 tot en met "
            "10, met hoogstens één decimaal (bijvoorbeeld 7 of 7,5) (gegeven: ‘6,55’)."
        ),
        "Rij 7, vraag ‘Ik kan beter feedback geven aan een aankomend leraar.’: Deze vraag is verplicht.",
        (
            "Rij 7, vraag ‘De trainer(s) begeleidde(n) de bijeenkomst goed.’: Kies een waarde van 1 tot en met 5 "
            "(gegeven: ‘soms’)."
        ),
    ]
    db.rollback()
    assert count_responses(db) == 0 and count_answers(db) == 0


def test_bad_rows_in_xlsx_are_reported_by_spreadsheet_row(db, world):
    rows = [[4, 4, 4, 4, 4, 4, 4, 4, "x"] for _ in range(4)]
    rows[2][7] = 0  # row 4
    with pytest.raises(reading.ImportRefused) as exc:
        do_import(db, world, xlsx_bytes(rows), filename="a.xlsx")
    assert [e.split(",")[0] for e in exc.value.errors] == ["Rij 4"]
    assert "(gegeven: ‘0’)" in exc.value.errors[0]


@pytest.mark.parametrize(
    "filename, data, message",
    [
        ("verslag.pdf", b"%PDF-1.7\n...", "Alleen CSV- en XLSX-bestanden kunnen worden ingelezen (dit bestand: .pdf)."),
        ("oud.xls", b"\xd0\xcf\x11\xe0rest", "Sla een .xls-bestand in Excel eerst op als .xlsx."),
        ("zonder", b"a;b", "(dit bestand: zonder extensie)"),
        ("ruis.csv", bytes(range(256)) * 4, "geen tekstbestand"),
        ("ruis.xlsx", bytes(range(256)) * 4, "geen Excel-bestand"),
        ("kapot.xlsx", b"PK\x03\x04" + bytes(200), "Het Excel-bestand kan niet worden gelezen"),
        # Windows-1252 is read since issue 6; a byte that is no character in it (0x81) is still refused.
        ("latin.csv", "totaal;opmerkingen\r\n4;café\r\n".encode("cp1252") + b"\x81", "niet in UTF-8"),
        ("leeg.csv", b"", "Het bestand is leeg."),
        ("kop.csv", ";".join(CODES).encode(), "geen antwoorden"),
    ],
)
def test_unusable_files_are_refused_with_a_clear_message(db, world, filename, data, message):
    with pytest.raises(reading.ImportRefused) as exc:
        do_import(db, world, data, filename=filename)
    assert message in " ".join(exc.value.errors)
    assert count_responses(db) == 0


def test_windows_1252_is_read(db, world):
    """Excel's "CSV (gescheiden door lijstscheidingsteken)" on Dutch Windows: once refused, now read."""
    rows = [good_row(i) for i in range(2)]
    rows[1][8] = "Één café, graag"
    result = do_import(db, world, csv_bytes(rows).decode().encode("cp1252"), filename="latin.csv")
    assert result.count == 2
    assert "Één café, graag" in db.scalars(select(Answer.value_text)).all()


def test_too_large_file(db, world):
    data = csv_bytes([good_row(i) for i in range(50)])
    with pytest.raises(reading.ImportRefused) as exc:
        do_import(db, world, data, max_bytes=1024)
    assert exc.value.errors[0].startswith("Het bestand is te groot")
    assert "1 kB" in exc.value.errors[0]


def test_unknown_chosen_column_and_missing_required_column(db, world):
    version = applicable_version(db, world.training1.id, Audience.PARTICIPANT)
    totaal = next(q for q in version.questions if q.code == "totaal")
    with pytest.raises(ValidationError) as exc:
        do_import(db, world, csv_bytes([good_row(1)]), columns={"totaal": "Cijfer"})
    assert exc.value.errors == {
        f"kolom_{totaal.id}": "Kolom ‘Cijfer’ staat niet in het bestand. Geef de letter of de kop van een kolom. "
        "Kolommen in het bestand: " + ", ".join(f"‘{chr(65 + i)}: {c}’" for i, c in enumerate(CODES[:-1]))
        + " en ‘I: opmerkingen’."
    }
    header = [c for c in CODES if c not in ("feedback", "opmerkingen")]
    rows = [[v for c, v in zip(CODES, good_row(1), strict=True) if c in header]]
    db.rollback()
    with pytest.raises(ValidationError) as exc:
        do_import(db, world, csv_bytes(rows, header=header))
    [error] = exc.value.errors.values()  # the optional remark may be missing, the required feedback not
    assert error.startswith("Kies een kolom voor de verplichte vraag ‘Ik kan beter feedback geven")
    db.rollback()
    assert count_responses(db) == 0


def test_cancelled_session_and_rights(db, world):
    world.session1.cancelled_at = utcnow()
    db.commit()
    with pytest.raises(ValidationError, match="geannuleerd"):
        do_import(db, world, csv_bytes([good_row(1)]))
    with pytest.raises(Forbidden):
        do_import(db, world, csv_bytes([good_row(1)]), user=world.steering, session=world.session2)
    with pytest.raises(Forbidden):
        do_import(db, world, csv_bytes([good_row(1)]), session=world.session2)


# ----------------------------------------------------------------- export


GRADES = ["5,5", "6", "7", "7.5", "9"]  # the five overall grades of five_link_answers: mean 7


def five_link_answers(db, world) -> list[str]:
    """Five anonymous answers through links; returns the tokens."""
    made = links.create_single_links(db, Scope.everything(), world.session1.id, 6)
    for i, link in enumerate(made[:5]):
        raw = {f"q_{c}": "4" for c in CODES[:8]} | {"q_totaal": GRADES[i], "q_opmerkingen": f"=SOM(A1) {i}"}
        links.submit_participant_answers(db, world.session1.id, link.token, raw, date(2026, 10, 2))
    db.commit()
    return [link.token for link in made]


def test_sheet_names_are_what_excel_accepts():
    """A title becomes a sheet name Excel opens: no []:*?/\\ or control characters, no apostrophe
    at either end, at most 31 characters, unique whatever the case, never empty."""
    long = "Register: signalen en trainers van het hele partnerschap"
    names = exporting.sheet_names(
        [long, long, "register: SIGNALEN en trainers van het hele partnerschap", "a/b\\c[d]*e?f",
         "'Citaat'", "\x00\x07\n", "", "tab\tin\u200bnaam"]
    )
    assert names == [
        "Register signalen en trainers v",
        "Register signalen en trainers 2",
        "register SIGNALEN en trainers 3",
        "a b c d e f",
        "Citaat",
        "Blad",
        "Blad 2",
        "tab in naam",
    ]
    assert all(len(n) <= 31 for n in names)
    # openpyxl (like Excel) takes every one of them, and keeps them as given.
    book = load_workbook(io.BytesIO(exporting.to_xlsx([(n, ["Kop"], [["x"]]) for n in [long, long, "'x'"]])))
    assert book.sheetnames == ["Register signalen en trainers v", "Register signalen en trainers 2", "x"]


def test_answers_export_csv_and_xlsx_without_tokens(db, world):
    tokens = five_link_answers(db, world)
    scope = Scope.for_user(world.coordinator)
    table = exporting.answers_table(db, scope, session_id=world.session1.id, min_shown=5)
    assert len(table.rows) == 5

    data = exporting.answers_csv(table)
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    # No source ("Bron") and no moment of submission ("Ingevuld op"): the question columns follow.
    assert rows[0][:6] == ["Training", "Datum bijeenkomst", "Schooljaar", "Vragenlijst", "Versie",
                           "Welk cijfer geef je deze bijeenkomst als geheel?"]
    assert "Welk cijfer geef je deze bijeenkomst als geheel?" in rows[0]
    assert len(rows) == 6
    assert rows[1][0] == world.training1.title and rows[1][1] == "01-10-2026" and rows[1][2] == "2026-2027"
    grades = sorted(r[rows[0].index("Welk cijfer geef je deze bijeenkomst als geheel?")] for r in rows[1:])
    assert grades == ["5,5", "6", "7", "7,5", "9"]  # a grade as a number with a decimal comma
    assert "'=SOM(A1) 0" in text  # a text is never a formula in Excel

    book = load_workbook(io.BytesIO(exporting.answers_xlsx(table)))
    sheet = book["Antwoorden"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == rows[0] and len(values) == 6
    grade_column = rows[0].index("Welk cijfer geef je deze bijeenkomst als geheel?")
    assert sorted(row[grade_column] for row in values[1:]) == [5.5, 6, 7, 7.5, 9]  # numbers in Excel
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    everything = text + repr(values)
    for token in tokens:
        assert token not in everything
    assert not {"link", "import", "Bron", "Ingevuld op"} & {c for r in rows for c in r}
    # Export of a training holds the same answers.
    training_table = exporting.answers_table(db, scope, training_id=world.training1.id, min_shown=5)
    assert len(training_table.rows) == 5


def test_answers_export_respects_the_small_group_threshold(db, world):
    five_link_answers(db, world)
    scope = Scope.for_user(world.steering)
    with pytest.raises(exporting.TooFewAnswers, match="vanaf 6 antwoorden"):
        exporting.answers_table(db, scope, session_id=world.session1.id, min_shown=6)
    with pytest.raises(exporting.TooFewAnswers, match="nog geen antwoorden"):
        exporting.answers_table(db, scope, session_id=world.session1.id, audience=Audience.TRAINER)
    with pytest.raises(Forbidden):
        exporting.answers_table(db, scope, training_id=world.training2.id)


def test_results_export_shows_only_counts_for_small_groups(db, world):
    five_link_answers(db, world)
    scope = Scope.for_user(world.coordinator)
    rs = results.results(db, scope, ResultFilters(session_id=world.session1.id), min_shown=5)
    rows = list(csv.reader(io.StringIO(exporting.results_csv(rs).decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert header == exporting.RESULT_HEADER
    assert body["totaal"]["Aantal antwoorden"] == "5" and body["totaal"]["Gemiddelde"] == "7"
    assert body["totaal"]["Soort"] == "Cijfer 1–10" and body["totaal"]["Voldoende (%)"] == "100"
    # Per whole grade, half up: 5,5 counts as 6 and 7,5 as 8.
    assert body["totaal"]["Verdeling"] == "1: 0; 2: 0; 3: 0; 4: 0; 5: 0; 6: 2; 7: 1; 8: 1; 9: 1; 10: 0"
    assert [body["totaal"][f"Aantal {v}"] for v in range(1, 6)] == [""] * 5  # the counts 1..5 are a scale's
    assert body["feedback"]["Gemiddelde"] == "4"
    assert [body["feedback"][f"Aantal {v}"] for v in range(1, 6)] == ["0", "0", "0", "5", "0"]

    # The session itself below the threshold (5 < 6): nothing of it, not even counts.
    rs6 = results.results(db, scope, ResultFilters(session_id=world.session1.id), min_shown=6)
    rows = list(csv.reader(io.StringIO(exporting.results_csv(rs6).decode("utf-8-sig")), delimiter=";"))
    assert rows == [exporting.RESULT_HEADER]
    book = load_workbook(io.BytesIO(exporting.results_xlsx(rs6)))
    assert book["Resultaten"].max_row == 1
    assert book["Open antwoorden"].max_row == 1  # only the header: the remarks stay inside

    book = load_workbook(io.BytesIO(exporting.results_xlsx(rs)))
    opens = [[c.value for c in row] for row in book["Open antwoorden"].iter_rows(min_row=2)]
    assert sorted(r[5] for r in opens) == [f"=SOM(A1) {i}" for i in range(5)]
    assert all(c.data_type != "f" for row in book["Open antwoorden"].iter_rows() for c in row)


# ----------------------------------------------------------------- through the pages


@pytest.fixture
def web_world(app):
    with kdb.new_session(app) as s:
        w = factories.build_world(s)
        s.commit()
    return w


def _post_import(client, w, data, filename):
    return client.post(
        f"/bijeenkomsten/{w.session1.id}/antwoorden/importeren",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def _upload_and_confirm(client, w, data, filename="a.csv", **changes):
    """Upload, open the preview, and press ‘Importeren’ with the preview's own values (as a
    browser posts them) and `changes`."""
    response = _post_import(client, w, data, filename)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    preview_url = response.headers["Location"]
    page = client.get(preview_url)
    assert page.status_code == 200
    fields = form_fields(page.get_data(as_text=True)) | changes | {"actie": "importeren"}
    return client.post(preview_url, data=fields)


def test_import_page_saves_a_good_file(app, web_world):
    client = app.test_client()
    login(client, web_world.coordinator)
    form = client.get(f"/bijeenkomsten/{web_world.session1.id}/antwoorden/importeren").get_data(as_text=True)
    assert 'type="file"' in form and 'name="file"' in form
    response = _upload_and_confirm(client, web_world, csv_bytes([good_row(i) for i in range(3)]))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/bijeenkomsten/{web_world.session1.id}/resultaten")
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 antwoorden zijn ingelezen." in body
    with kdb.new_session(app) as s:
        assert s.scalar(select(func.count()).select_from(Response)) == 3


def test_import_page_reports_rows_and_saves_nothing(app, web_world):
    client = app.test_client()
    login(client, web_world.coordinator)
    rows = [good_row(i) for i in range(8)]
    rows[1][0] = "0"
    rows[5][2] = ""
    response = _upload_and_confirm(client, web_world, csv_bytes(rows))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Er is niets ingelezen." in body
    assert "Rij 3, vraag ‘Welk cijfer geef je deze bijeenkomst als geheel?’: Geef een cijfer van 1 tot en met 10" in body
    assert "Rij 7, vraag ‘Ik kan beter feedback geven aan een aankomend leraar.’: Deze vraag is verplicht." in body
    with kdb.new_session(app) as s:
        assert s.scalar(select(func.count()).select_from(Response)) == 0


def test_import_page_refuses_wrong_type_and_too_large(app, web_world):
    client = app.test_client()
    login(client, web_world.coordinator)
    response = _post_import(client, web_world, b"%PDF-1.4 rest", "verslag.pdf")
    assert response.status_code == 400
    assert "Alleen CSV- en XLSX-bestanden" in response.get_data(as_text=True)

    app.config["MAX_UPLOAD_BYTES"] = 200
    try:
        response = _post_import(client, web_world, csv_bytes([good_row(i) for i in range(20)]), "a.csv")
    finally:
        app.config["MAX_UPLOAD_BYTES"] = MAX
    assert response.status_code == 400
    assert "Het bestand is te groot" in response.get_data(as_text=True)

    # Far beyond the limit the request itself is refused, before the file is read.
    app.config["MAX_CONTENT_LENGTH"], before = 1000, app.config["MAX_CONTENT_LENGTH"]
    try:
        response = _post_import(client, web_world, csv_bytes([good_row(i) for i in range(200)]), "a.csv")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = before
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert "Bestand te groot" in body
    # The limit named, and the way back to the form.
    assert f"het mag hoogstens {MAX // 1024 // 1024} MB zijn" in body
    assert f'href="/bijeenkomsten/{web_world.session1.id}/antwoorden/importeren"' in body

    with kdb.new_session(app) as s:
        version = applicable_version(s, web_world.training1.id, Audience.PARTICIPANT)
        totaal = next(q.id for q in version.questions if q.code == "totaal")
    response = _upload_and_confirm(client, web_world, csv_bytes([good_row(1)]), **{f"kolom_{totaal}": "Cijfer"})
    assert response.status_code == 400
    assert "Kolom ‘Cijfer’ staat niet in het bestand" in response.get_data(as_text=True)
    with kdb.new_session(app) as s:
        assert s.scalar(select(func.count()).select_from(Response)) == 0


def test_export_downloads(app, web_world):
    w = web_world
    with kdb.new_session(app) as s:
        tokens = five_link_answers(s, w)
    client = app.test_client()
    login(client, w.steering)
    for url in (f"/bijeenkomsten/{w.session1.id}/antwoorden.csv", f"/trainingen/{w.training1.id}/antwoorden.xlsx",
                f"/resultaten/export.csv?bijeenkomst={w.session1.id}", f"/resultaten/export.xlsx?training={w.training1.id}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Disposition"].startswith("attachment; filename=")
        assert response.headers["Cache-Control"] == "no-store"
        data = response.get_data()
        if url.split("?")[0].endswith(".xlsx"):
            book = load_workbook(io.BytesIO(data))
            data = repr([[c.value for c in row] for ws in book.worksheets for row in ws.iter_rows()]).encode()
        assert all(t.encode() not in data for t in tokens), url
        assert w.training2.title.encode() not in data

    # Below the threshold: back to the page with a message, no file.
    app.config["MIN_ANSWERS_SHOWN"] = 6
    try:
        response = client.get(f"/bijeenkomsten/{w.session1.id}/antwoorden.csv")
    finally:
        app.config["MIN_ANSWERS_SHOWN"] = 5
    assert response.status_code == 302
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "vanaf 6 antwoorden" in body
    with kdb.new_session(app) as s:
        assert s.scalar(select(func.sum(ParticipantLink.used_count))) == 5


def test_an_answers_export_can_be_imported_into_another_session(db, world):
    """The export's question columns are headed with the question texts: the import's default."""
    five_link_answers(db, world)
    scope = Scope.for_user(world.coordinator)
    table = exporting.answers_table(db, scope, session_id=world.session1.id)
    other = factories.session(db, world.training1, on=date(2026, 10, 8))
    db.commit()
    result = do_import(db, world, exporting.answers_csv(table), filename="export.csv", session=other)
    assert result.count == 5
    db.commit()
    rs = results.results(db, scope, ResultFilters(session_id=other.id))
    assert {r.code: r.count for r in rs.results}["totaal"] == 5
    assert {r.code: r.mean for r in rs.results}["totaal"] == 7.0
