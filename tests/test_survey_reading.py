"""Reading survey-tool exports (evaluaties.transfer.reading.read_survey): tools, encodings, separators,
header rows, identifying columns, unfinished rows, and hostile files refused within the limits.

The reader touches no database; these tests run the same on SQLite and PostgreSQL."""
from __future__ import annotations

import codecs
import hashlib
import io
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import FrozenInstanceError, dataclass, field, replace
from datetime import date, datetime, time

import pytest
from openpyxl import Workbook

from evaluaties.transfer import reading
from evaluaties.transfer.reading import DEFAULT_LIMITS, ImportRefused, Limits, read_survey
from tests import survey_files as sf

N_QUESTIONS = len(sf.QUESTIONS)


def refused(filename: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> str:
    with pytest.raises(ImportRefused) as exc:
        read_survey(filename, data, limits)
    return " ".join(exc.value.errors)


def xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ================================================================ every tool's export


@dataclass
class Case:
    filename: str
    make: Callable[[], bytes]
    tool: str
    encoding: str | None
    separator: str | None
    header_rows: int
    identifying: dict[str, str]  # column name -> reason
    rows: list[int]  # spreadsheet row numbers of the answer rows
    cells: Callable[[int], list[str]]  # the question cells of answer row i
    heads: list[tuple[str | None, str | None]]  # (code, text) of the question columns
    unfinished: int = 0
    unfinished_reason: str | None = None
    extra: list[str] = field(default_factory=list)  # names of other kept columns, after the questions


TEXTS_ONLY = [(None, t) for t in sf.TEXTS]
GOOGLE_NL = {"Tijdstempel": "tijdstip", "E-mailadres": "e-mailadres"}
GOOGLE_EN = {"Timestamp": "tijdstip", "Email Address": "e-mailadres"}
LIME_META = {
    "id": "respondent-id", "submitdate": "tijdstip", "lastpage": "metagegevens", "startlanguage": "metagegevens",
    "seed": "metagegevens", "startdate": "tijdstip", "datestamp": "tijdstip", "ipaddr": "IP-adres",
    "refurl": "metagegevens",
}
LIME_META_TEXT = {
    f"{code}. {text}": LIME_META[code]
    for code, text in zip(sf.LIMESURVEY_META, sf.LIMESURVEY_META_TEXTS, strict=True)
}
MS_EN = {"ID": "respondent-id", "Start time": "tijdstip", "Completion time": "tijdstip", "Email": "e-mailadres",
         "Name": "naam", "Last modified time": "tijdstip"}
MS_NL = {"Id": "respondent-id", "Begintijd": "tijdstip", "Tijd van voltooien": "tijdstip", "E-mail": "e-mailadres",
         "Naam": "naam", "Tijd van laatste wijziging": "tijdstip"}
QUALTRICS = {
    "Start Date": "tijdstip", "End Date": "tijdstip", "Response Type": "metagegevens", "IP Address": "IP-adres",
    "Progress": "metagegevens", "Duration (in seconds)": "metagegevens", "Finished": "metagegevens",
    "Recorded Date": "tijdstip", "Response ID": "respondent-id", "Recipient Last Name": "naam",
    "Recipient First Name": "naam", "Recipient Email": "e-mailadres", "External Data Reference": "externe referentie",
    "Location Latitude": "locatie", "Location Longitude": "locatie", "Distribution Channel": "metagegevens",
    "User Language": "metagegevens",
}
QUALTRICS_LEGACY = {
    "ResponseID": "respondent-id", "ResponseSet": "metagegevens", "Name": "naam",
    "ExternalDataReference": "externe referentie", "EmailAddress": "e-mailadres", "IPAddress": "IP-adres",
    "Status": "metagegevens", "StartDate": "tijdstip", "EndDate": "tijdstip", "Finished": "metagegevens",
    "LocationLatitude": "locatie", "LocationLongitude": "locatie", "LocationAccuracy": "locatie",
}


def xlsx_number(cells: list[str]) -> list[str]:
    """A grade written as a spreadsheet number reads back with a decimal point."""
    return [cells[0].replace(",", ".")] + cells[1:]


CASES = {
    "google_nl": Case(
        "Evaluatie (antwoorden).csv", lambda: sf.google_forms("nl", rows=6), "Google Forms", "UTF-8", ",", 1,
        GOOGLE_NL, sf.answer_row_numbers(6), lambda i: sf.values(i, "mee", ","), TEXTS_ONLY,
    ),
    "google_en": Case(
        "Evaluation (Responses).csv", lambda: sf.google_forms("en", rows=4, multi_select=True), "Google Forms",
        "UTF-8", ",", 1, GOOGLE_EN, sf.answer_row_numbers(4), lambda i: sf.values(i, "number", "."), TEXTS_ONLY,
        extra=[sf.MULTI_TEXT],
    ),
    "google_nl_without_email": Case(
        "a.csv", lambda: sf.google_forms("nl", rows=3, email=False), "Google Forms", "UTF-8", ",", 1,
        {"Tijdstempel": "tijdstip"}, sf.answer_row_numbers(3), lambda i: sf.values(i, "mee", ","), TEXTS_ONLY,
    ),
    "limesurvey_codes": Case(
        "results-survey123.csv", lambda: sf.limesurvey("codes", rows=5, unfinished=2), "LimeSurvey", "UTF-8", ",", 1,
        LIME_META, sf.answer_row_numbers(5, 2), lambda i: sf.values(i, "number", "."),
        [(c, None) for c in sf.LIMESURVEY_CODES], 2, "LimeSurvey: ‘submitdate’ is leeg",
    ),
    "limesurvey_code_text": Case(
        "results-survey123.csv", lambda: sf.limesurvey("code_text", rows=7, unfinished=4), "LimeSurvey", "UTF-8",
        ",", 1, LIME_META_TEXT, sf.answer_row_numbers(7, 4), lambda i: sf.values(i, "label", "."),
        list(zip(sf.LIMESURVEY_CODES, sf.TEXTS, strict=True)), 4, "LimeSurvey: ‘submitdate. Datum verstuurd’ is leeg",
    ),
    "limesurvey_xlsx": Case(
        "results-survey123.xlsx", lambda: sf.limesurvey("code_text", rows=4, unfinished=3, file_type="xlsx"),
        "LimeSurvey", None, None, 1, LIME_META_TEXT, sf.answer_row_numbers(4, 3), lambda i: sf.values(i, "label", "."),
        list(zip(sf.LIMESURVEY_CODES, sf.TEXTS, strict=True)), 3, "LimeSurvey: ‘submitdate. Datum verstuurd’ is leeg",
    ),
    "ms_forms_nl": Case(
        "Evaluatie mentortraining(1-5).xlsx", lambda: sf.ms_forms("nl", rows=5), "Microsoft Forms", None, None, 1,
        MS_NL, sf.answer_row_numbers(5), lambda i: xlsx_number(sf.values(i, "label")), TEXTS_ONLY,
    ),
    "ms_forms_en": Case(
        "Evaluation(1-6).xlsx", lambda: sf.ms_forms("en", rows=6, multi_select=True), "Microsoft Forms", None, None,
        1, MS_EN, sf.answer_row_numbers(6), lambda i: xlsx_number(sf.values(i, "label")), TEXTS_ONLY,
        extra=[sf.MULTI_TEXT],
    ),
    "qualtrics_3": Case(
        "Evaluatie_2 oktober 2026_10.15.csv", lambda: sf.qualtrics(3, rows=5, unfinished=2, preview=1), "Qualtrics",
        "UTF-8 met BOM", ",", 3, QUALTRICS, sf.answer_row_numbers(5, 2, header_rows=3),
        lambda i: sf.values(i, "dash", ","), list(zip(sf.QUALTRICS_CODES, sf.TEXTS, strict=True)), 2,
        "Qualtrics: ‘Finished’ is niet waar",
    ),
    "qualtrics_2": Case(
        "Evaluatie.csv", lambda: sf.qualtrics(2, rows=4, unfinished=1, preview=0), "Qualtrics", "UTF-8 met BOM", ",",
        2, QUALTRICS, sf.answer_row_numbers(4, 1, header_rows=2), lambda i: sf.values(i, "dash", ","),
        list(zip(sf.QUALTRICS_CODES, sf.TEXTS, strict=True)), 1, "Qualtrics: ‘Finished’ is niet waar",
    ),
    "qualtrics_legacy": Case(
        "Evaluatie_legacy.csv", lambda: sf.qualtrics_legacy(rows=5, unfinished=2), "Qualtrics (oud formaat)",
        "UTF-8", ",", 2, QUALTRICS_LEGACY, sf.answer_row_numbers(5, 2, header_rows=2),
        lambda i: sf.values(i, "number", "."), list(zip(sf.QUALTRICS_CODES, sf.TEXTS, strict=True)), 2,
        "Qualtrics: ‘Finished’ is niet waar",
    ),
    "dutch_excel": Case(
        "evaluatie.csv", lambda: sf.dutch_excel(rows=5), "Spreadsheet", "Windows-1252", ";", 1, {"Naam": "naam"},
        sf.answer_row_numbers(5), lambda i: sf.values(i, "number", ","), TEXTS_ONLY,
    ),
    "utf16_tab_le": Case(
        "evaluatie.txt", lambda: sf.utf16_tab(rows=4), "Spreadsheet", "UTF-16", "\t", 1, {}, sf.answer_row_numbers(4),
        lambda i: sf.values(i, "mee", ","), [(c, None) for c in sf.CODES],
    ),
    "utf16_tab_be": Case(
        "evaluatie.txt", lambda: sf.utf16_tab(rows=2, big_endian=True), "Spreadsheet", "UTF-16", "\t", 1, {},
        sf.answer_row_numbers(2), lambda i: sf.values(i, "mee", ","), [(c, None) for c in sf.CODES],
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_each_tool_is_read_as_exported(name):
    case = CASES[name]
    data = case.make()
    survey = read_survey(case.filename, data)
    assert (survey.tool, survey.file_type, survey.encoding, survey.separator, survey.header_rows) == (
        case.tool, case.filename.rsplit(".", 1)[1].replace("txt", "csv"), case.encoding, case.separator,
        case.header_rows,
    )
    assert len(survey.content_hash) == 64 and survey.content_hash != hashlib.sha256(data).hexdigest()
    # Columns: the identifying ones with their reason, then the questions in order, then any extra.
    assert {c.name: c.identifying for c in survey.columns if c.identifying} == case.identifying
    kept = [c for c in survey.columns if not c.identifying]
    assert [c.index for c in survey.columns] == list(range(len(survey.columns)))
    assert [(c.code, c.text) for c in kept[:N_QUESTIONS]] == case.heads
    assert [c.name for c in kept[N_QUESTIONS:]] == case.extra
    assert all(len(c.headings) == case.header_rows for c in survey.columns)
    # Rows: the answer rows by spreadsheet number, every cell of an identifying column blanked.
    assert [n for n, _ in survey.rows] == case.rows
    assert all(len(cells) == len(survey.columns) for _, cells in survey.rows)
    for i, (_, cells) in enumerate(survey.rows):
        assert [cells[c.index] for c in kept[:N_QUESTIONS]] == case.cells(i)
        assert all(cells[c.index] == "" for c in survey.columns if c.identifying)
    assert (survey.unfinished, survey.unfinished_reason) == (case.unfinished, case.unfinished_reason)


def test_qualtrics_headings_are_codes_texts_and_import_ids():
    survey = read_survey("q.csv", sf.qualtrics(3, rows=2))
    q1 = next(c for c in survey.columns if c.code == "Q1")
    assert q1.headings == ["Q1", sf.TEXTS[0], '{"ImportId":"QID1"}']
    assert q1.name == sf.TEXTS[0] and q1.text == sf.TEXTS[0]
    start = survey.columns[0]
    assert (start.code, start.name, start.identifying) == ("StartDate", "Start Date", "tijdstip")


def test_qualtrics_preview_rows_stay_and_own_codes_are_kept():
    survey = read_survey("q.csv", sf.qualtrics(3, rows=3, unfinished=0, preview=2, codes=sf.CODES))
    assert len(survey.rows) == 3 and survey.unfinished == 0 and survey.unfinished_reason is None
    assert [c.code for c in survey.columns if not c.identifying] == sf.CODES


def test_legacy_qualtrics_v_columns_are_no_codes():
    """The automatic V1..V10 of the legacy format are record fields, never question codes (a question
    coded v1 once matched the column V1 and stored response ids as answers)."""
    survey = read_survey("q.csv", sf.qualtrics_legacy(rows=2, unfinished=0))
    v_columns = survey.columns[:10]
    assert [c.headings[0] for c in v_columns] == [f"V{n}" for n in range(1, 11)]
    assert all(c.code is None and c.identifying for c in v_columns)
    assert v_columns[0].name == "ResponseID"


def test_the_content_hash_is_of_the_cells_not_of_the_bytes():
    """The same export downloaded again or saved again is the same file to the duplicate check."""
    rows = [["Tijdstempel", "totaal", "opmerkingen"], ["2-10-2026 10:00", "7,5", "café; goed"], ["", "8", ""]]
    utf8 = "\r\n".join(",".join(f'"{c}"' for c in r) for r in rows).encode("utf-8")
    windows = "\n".join(";".join(f'"{c}"' for c in r) for r in rows).encode("cp1252")
    excel = xlsx(rows)
    # An XLSX made again: other dates and packing, the same cells.
    again = rezip(excel, lambda info: zipfile.ZipInfo(info.filename, date_time=(2027, 1, 1, 0, 0, 0)))
    assert len({utf8, windows, excel, again}) == 4
    hashes = {read_survey(name, data).content_hash
              for name, data in [("a.csv", utf8), ("b.csv", windows), ("c.xlsx", excel), ("d.xlsx", again),
                                 ("e.csv", utf8 + b"\r\n\r\n")]}
    assert len(hashes) == 1
    # One cell more or less, or moved to the next column, is another file.
    for changed in ([["x", "y"], ["1,", "2"]], [["x", "y"], ["1", ",2"]], [["x", "y"], ["1", "2"], ["1", "2"]]):
        data = "\r\n".join(";".join(r) for r in changed).encode()
        hashes.add(read_survey("f.csv", data).content_hash)
    assert len(hashes) == 4


def test_multi_select_answers_stay_one_cell():
    google = read_survey("g.csv", sf.google_forms("en", rows=4, multi_select=True))
    ms = read_survey("m.xlsx", sf.ms_forms("en", rows=4, multi_select=True))
    assert google.rows[2][1][-1] == "Feedback geven, Gesprekken voeren"  # answer row 2 chose options 1 and 2
    assert ms.rows[2][1][-1] == "Feedback geven;Gesprekken voeren;"


def test_windows_1252_keeps_accents_and_decimal_comma():
    survey = read_survey("e.csv", sf.dutch_excel(rows=5))
    remarks = [cells[-1] for _, cells in survey.rows]
    assert "Ideeën genoeg, café was te klein" in remarks
    assert survey.rows[1][1][1] == "7,5"
    # The heading with its own (unquoted) commas is one column.
    assert sf.TEXTS[7] in [c.name for c in survey.columns]


def test_limesurvey_without_unfinished_rows_gives_no_reason():
    survey = read_survey("l.csv", sf.limesurvey(rows=3, unfinished=0))
    assert (survey.unfinished, survey.unfinished_reason, len(survey.rows)) == (0, None, 3)


def test_limesurvey_unfinished_row_without_any_answer_still_counts():
    data = sf.limesurvey(rows=2, unfinished=0).decode() + '"9","","0","nl","1","2026-10-02 10:00:00","","",""\r\n'
    survey = read_survey("l.csv", data.encode())
    assert survey.unfinished == 1 and [n for n, _ in survey.rows] == [2, 3]


# ================================================================ identifying columns


def test_identifying_by_heading_is_exact_not_a_word_inside_a_question():
    header = ["Naam:", "E-mailadres (optioneel)", "Naam van de training was duidelijk", "IP", "Respondent ID",
              "Mail je opmerkingen naar de trainer", "Datum"]
    row = ["Jan", "jan@school.nl", "4", "10.1.2.3", "17", "Goed", "02-10-2026"]
    survey = read_survey("a.csv", (";".join(header) + "\r\n" + ";".join(row) + "\r\n").encode())
    assert [c.identifying for c in survey.columns] == [
        "naam", "e-mailadres", None, "IP-adres", "respondent-id", None, None
    ]
    assert survey.rows == [(2, ["", "", "4", "", "", "Goed", "02-10-2026"])]


def test_identifying_headings_beyond_name_and_e_mail():
    header = ["Wat is je naam?", "Telefoonnummer", "Studentnummer", "Geboortedatum", "Postcode",
              "Mijn telefoon was uit tijdens de training", "Cijfer"]
    row = ["Jan", "0612345678", "123456", "01-02-1990", "1234 AB", "Ja", "8"]
    survey = read_survey("a.csv", (";".join(header) + "\r\n" + ";".join(row) + "\r\n").encode())
    assert [c.identifying for c in survey.columns] == [
        "naam", "telefoonnummer", "persoonsnummer", "geboortedatum", "adres", None, None
    ]
    assert survey.rows == [(2, ["", "", "", "", "", "Ja", "8"])]


def test_identifying_by_content_whatever_the_heading():
    header = ["Contact", "Computer", "Ingevuld", "Opmerkingen", "Cijfer"]
    rows = [
        ["a@school.nl", "10.0.0.1", "2-10-2026 10:15", "Mail me: x@y.nl", "8"],
        ["b@school.nl", "2001:db8::1", "2-10-2026 10:16:02", "Prima", "7"],
        ["", "", "2026-10-02T10:17", "", "9"],
        ["geen", "192.168.1.20", "", "Top", "6"],
    ]
    text = "\r\n".join(",".join(r) for r in [header] + rows) + "\r\n"
    survey = read_survey("a.csv", text.encode())
    assert [c.identifying for c in survey.columns] == ["e-mailadres", "IP-adres", "tijdstip", None, None]
    assert [cells for _, cells in survey.rows] == [
        ["", "", "", "Mail me: x@y.nl", "8"], ["", "", "", "Prima", "7"], ["", "", "", "", "9"],
        ["", "", "", "Top", "6"],
    ]


def test_a_row_with_only_identifying_cells_is_no_answer():
    text = "Tijdstempel,Vraag\r\n2-10-2026 10:00:00,4\r\n2-10-2026 10:01:00,\r\n,5\r\n"
    survey = read_survey("g.csv", text.encode())
    assert survey.rows == [(2, ["", "4"]), (4, ["", "5"])] and survey.unfinished == 0


# ================================================================ CSV: encodings, separators, rows

HEADER = "totaal;opmerkingen"


@pytest.mark.parametrize(
    "data, encoding",
    [
        (f"{HEADER}\r\n8;café\r\n".encode(), "UTF-8"),
        (codecs.BOM_UTF8 + f"{HEADER}\r\n8;café\r\n".encode(), "UTF-8 met BOM"),
        (f"{HEADER}\r\n8;café\r\n".encode("cp1252"), "Windows-1252"),
        (codecs.BOM_UTF16_LE + f"{HEADER}\r\n8;café\r\n".encode("utf-16-le"), "UTF-16"),
        (codecs.BOM_UTF16_BE + f"{HEADER}\r\n8;café\r\n".encode("utf-16-be"), "UTF-16"),
    ],
)
def test_encodings(data, encoding):
    survey = read_survey("a.csv", data)
    assert survey.encoding == encoding
    assert survey.rows == [(2, ["8", "café"])]
    assert survey.columns[0].name == "totaal"  # no BOM left in the first heading


@pytest.mark.parametrize(
    "data, message",
    [
        (b"totaal;opm\r\n8;caf\xe9\r\n9;\x81\r\n", "niet in UTF-8, UTF-16 of Windows-1252 opgeslagen: byte 0x81 op regel 3"),
        ("totaal;opm\r\n8;café\r\n".encode() + b"9;caf\xe9\r\n", "deels UTF-8 en deels Windows-1252 (regel 2)"),
        (codecs.BOM_UTF8 + b"totaal;opm\r\n8;caf\xe9\r\n", "begint als UTF-8 maar is dat niet overal (regel 2)"),
        (codecs.BOM_UTF16_LE + "totaal;opm\r\n".encode("utf-16-le") + b"\x00", "begint als UTF-16"),
        (codecs.BOM_UTF32_LE + "totaal".encode("utf-32-le"), "UTF-32"),
        ("totaal;opm\r\n".encode("utf-16-le"), "geen tekstbestand (het bevat NUL-tekens)"),  # UTF-16 without BOM
        (b"totaal;opm\r\n8;a\x00b\r\n", "geen tekstbestand"),
    ],
)
def test_encodings_that_are_not_read_without_a_doubt_are_refused(data, message):
    assert message in refused("a.csv", data)


@pytest.mark.parametrize(
    "text, separator, rows",
    [
        ("a,b,c\r\n1,2,3\r\n", ",", [["1", "2", "3"]]),
        ("a;b;c\r\n1;2,5;3\r\n4;5;6\r\n", ";", [["1", "2,5", "3"], ["4", "5", "6"]]),
        ("a\tb\r\n1\t2\r\n", "\t", [["1", "2"]]),
        # Quoted separators do not count: the header has more ";" than "," outside quotes.
        ('"x, y, z";b;c\r\n1;"2;3";4\r\n', ";", [["1", "2;3", "4"]]),
        ('"p; q",b\r\n"1;2",3\r\n', ",", [["1;2", "3"]]),
        # A comma in every heading and a decimal comma in every row: the consistent ';' wins.
        ("De vorm (fysiek, online);Cijfer\r\n4;7,5\r\n3;6,5\r\n", ";", [["4", "7,5"], ["3", "6,5"]]),
        ("sep=;\r\na,b;c\r\n1;2\r\n", ";", [["1", "2"]]),
        ("enkel\r\nwaarde\r\n", ",", [["waarde"]]),
    ],
)
def test_separators(text, separator, rows):
    survey = read_survey("a.csv", text.encode())
    assert survey.separator == separator
    assert [cells for _, cells in survey.rows] == rows


def test_row_numbers_count_as_a_spreadsheet_does():
    """Blank lines count, a multi-line cell is one row, lines before the header are skipped, and
    trailing separators (Excel's ";;;") are no columns."""
    text = '\r\n\r\nvraag;opm;;;\r\n4;"regel 1\r\nregel 2";;;\r\n\r\n;;;;\r\n5;x;;;\r\n'
    survey = read_survey("a.csv", text.encode())
    assert [c.name for c in survey.columns] == ["vraag", "opm"]
    assert survey.rows == [(4, ["4", "regel 1\nregel 2"]), (7, ["5", "x"])]


def test_cells_beyond_the_headings_get_a_column_named_by_letter():
    survey = read_survey("a.csv", b"a;b\r\n1;2;3;extra\r\n")
    assert [(c.name, c.headings) for c in survey.columns] == [
        ("a", ["a"]), ("b", ["b"]), ("Kolom C", [""]), ("Kolom D", [""])
    ]
    assert survey.rows == [(2, ["1", "2", "3", "extra"])]


def test_header_only_file_has_no_rows():
    survey = read_survey("a.csv", b"totaal;opmerkingen\r\n")
    assert survey.rows == [] and len(survey.columns) == 2


@pytest.mark.parametrize(
    "filename, data, message",
    [
        ("leeg.csv", b"", "Het bestand is leeg."),
        ("leeg.csv", b"\r\n  \r\n\r\n", "Het bestand is leeg."),
        ("verslag.pdf", b"%PDF-1.7", "Alleen CSV- en XLSX-bestanden kunnen worden ingelezen (dit bestand: .pdf)."),
        ("oud.xls", b"\xd0\xcf\x11\xe0", "Sla een .xls-bestand in Excel eerst op als .xlsx."),
        ("zonder", b"a;b", "(dit bestand: zonder extensie)"),
        ("a.csv", sf.ms_forms(), "het lijkt een Excel-bestand: noem het .xlsx"),
    ],
)
def test_files_of_the_wrong_kind(filename, data, message):
    assert message in refused(filename, data)


# ================================================================ XLSX values


def test_xlsx_values_become_text():
    data = xlsx([
        ["tekst", "geheel", "float", "groot", "datum", "moment", "tijd", "waar", "leeg", "regels"],
        ["Eens", 4, 7.5, 12345678901.0, date(2026, 10, 2), datetime(2026, 10, 2, 10, 15), time(9, 30), True, None,
         "a\r\nb"],
        ["x", 4.0, 0.1, -3, datetime(2026, 10, 2), datetime(2026, 10, 2, 10, 15, 30), time(9, 30, 5), False, "", "c"],
        ["y", 1, 1, 1, 1, "niet ingevuld", 1, 1, 1, 1],  # date-times in most rows would make "moment" identifying
        ["z", 1, 1, 1, 1, "niet ingevuld", 1, 1, 1, 1],
    ])
    survey = read_survey("a.xlsx", data)
    assert (survey.encoding, survey.separator) == (None, None)
    assert [cells for _, cells in survey.rows] == [
        ["Eens", "4", "7.5", "12345678901", "02-10-2026", "02-10-2026 10:15", "09:30", "ja", "", "a\nb"],
        ["x", "4", "0.1", "-3", "02-10-2026", "02-10-2026 10:15:30", "09:30:05", "nee", "", "c"],
        ["y", "1", "1", "1", "1", "niet ingevuld", "1", "1", "1", "1"],
        ["z", "1", "1", "1", "1", "niet ingevuld", "1", "1", "1", "1"],
    ]


def test_xlsx_rows_keep_their_numbers_across_gaps():
    wb = Workbook()
    ws = wb.active
    ws["B2"], ws["C2"] = "vraag", "opm"
    ws["B3"] = 4
    ws["B7"], ws["C7"] = 5, "laat"
    out = io.BytesIO()
    wb.save(out)
    survey = read_survey("a.xlsx", out.getvalue())
    assert [c.name for c in survey.columns] == ["Kolom A", "vraag", "opm"]
    assert survey.rows == [(3, ["", "4", ""]), (7, ["", "5", "laat"])]


def test_xlsx_reads_only_its_first_worksheet():
    wb = Workbook()
    wb.active.append(["vraag"])
    wb.active.append([4])
    other = wb.create_sheet("Lijst")
    for i in range(30):
        other.append([f"x{i}"] * 10)
    out = io.BytesIO()
    wb.save(out)
    survey = read_survey("a.xlsx", out.getvalue(), replace(DEFAULT_LIMITS, max_sheet_rows=20, max_columns=5))
    assert survey.rows == [(2, ["4"])]


def test_empty_worksheet():
    assert "Het bestand is leeg." in refused("a.xlsx", xlsx([]))


# ================================================================ control characters


def test_control_characters_in_kept_cells_are_refused_by_row_and_column():
    text = "Naam;totaal;opmerkingen\r\nJan\x01;8;goed\r\nPiet;7;a\x00b\r\nKees;6\x1b;\tok\r\n"
    errors = refused("a.txt", codecs.BOM_UTF16_LE + text.encode("utf-16-le"))  # NUL can only be in UTF-16
    assert errors == (
        "Rij 3, kolom ‘opmerkingen’: de cel bevat een stuurteken (zoals NUL); verwijder het en probeer het opnieuw. "
        "Rij 4, kolom ‘totaal’: de cel bevat een stuurteken (zoals NUL); verwijder het en probeer het opnieuw."
    )  # not row 2: the name is blanked anyway; a tab is fine


def test_control_characters_in_headings_and_many_rows():
    text = "vr\x02aag;opm\r\n" + "".join(f"{i};x\x7f\r\n" for i in range(80))
    with pytest.raises(ImportRefused) as exc:
        read_survey("a.csv", text.encode())
    errors = exc.value.errors
    assert errors[0] == "Rij 1, kolom A: de kop bevat een stuurteken."
    assert len(errors) == 1 + 49 and exc.value.total == 81 and exc.value.hidden == 31


def test_control_characters_in_unfinished_rows_do_not_matter():
    data = sf.limesurvey(rows=1, unfinished=0).decode() + '"9","","0","nl","1","","","","","8","bad\x01"\r\n'
    survey = read_survey("l.csv", data.encode())
    assert survey.unfinished == 1


# ================================================================ limits


def test_limits_are_frozen_named_constants():
    assert DEFAULT_LIMITS.max_rows == reading.MAX_IMPORT_ROWS == 5000
    assert DEFAULT_LIMITS.max_cell_chars == 32_767
    assert DEFAULT_LIMITS.max_columns >= 1400  # real Qualtrics exports
    with pytest.raises(FrozenInstanceError):
        DEFAULT_LIMITS.max_rows = 10


def test_upload_size():
    message = refused("a.csv", sf.google_forms(rows=20), replace(DEFAULT_LIMITS, max_bytes=1024))
    assert message == "Het bestand is te groot: het mag hoogstens 1 kB zijn."


def test_answer_rows_default_limit():
    assert len(read_survey("a.csv", sf.utf16_tab(rows=5000)).rows) == 5000
    assert refused("a.csv", sf.utf16_tab(rows=5001)) == (
        "Het bestand heeft meer dan 5.000 rijen met antwoorden; dat is te veel voor één bijeenkomst."
    )


def test_answer_rows_leave_out_unfinished_rows():
    limits = replace(DEFAULT_LIMITS, max_rows=3)
    assert len(read_survey("l.csv", sf.limesurvey(rows=3, unfinished=5), limits).rows) == 3
    assert "meer dan 3 rijen met antwoorden" in refused("l.csv", sf.limesurvey(rows=4), limits)


def test_all_rows_limit_counts_empty_lines():
    limits = replace(DEFAULT_LIMITS, max_sheet_rows=10)
    assert refused("a.csv", b"a\r\n" + b"\r\n" * 10 + b"1\r\n", limits) == (
        "Het bestand heeft meer dan 10 rijen (lege en onvoltooide meegeteld); meer wordt niet ingelezen."
    )


@pytest.mark.parametrize("filename, make", [("a.csv", sf.dutch_excel), ("a.xlsx", sf.ms_forms)])
def test_columns_and_cells_limits(filename, make):
    data = make()
    assert "meer dan 5 kolommen;" in refused(filename, data, replace(DEFAULT_LIMITS, max_columns=5))
    assert "meer dan 30 cellen (rijen × kolommen)" in refused(filename, data, replace(DEFAULT_LIMITS, max_cells=30))


def test_a_cell_over_excels_length_in_a_csv():
    long = "x" * 32_768
    assert refused("a.csv", f"a;b\r\n1;{long}\r\n".encode()) == (
        "Rij 2, kolom B: de cel is langer dan 32.767 tekens; meer wordt niet ingelezen."
    )
    assert len(read_survey("a.csv", f"a;b\r\n1;{long[1:]}\r\n".encode()).rows[0][1][1]) == 32_767
    # Beyond the csv module's own field limit, and an unclosed quote that swallows the rest of the file.
    assert "Regel 2: een cel is langer dan 32.767 tekens" in refused("a.csv", f"a;b\r\n1;{long * 5}\r\n".encode())
    unclosed = 'a;b\r\n1;"open\r\n' + "2;x\r\n" * 30_000
    assert "of een aanhalingsteken (\") wordt niet gesloten" in refused("a.csv", unclosed.encode())


def test_max_cell_chars_is_a_limit_too():
    limits = replace(DEFAULT_LIMITS, max_cell_chars=10)
    assert "langer dan 10 tekens" in refused("a.csv", b"a\r\n12345678901\r\n", limits)
    assert "langer dan 10 tekens" in refused("a.xlsx", xlsx([["a"], ["12345678901"]]), limits)


# ================================================================ hostile XLSX, small files


def peak_memory(call) -> int:
    """Peak Python memory (bytes) while `call` runs."""
    tracemalloc.start()
    try:
        call()
    except ImportRefused:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_a_declared_dimension_of_the_whole_sheet_costs_nothing():
    data = sf.xlsx_declared_huge()
    assert len(data) < 5000
    survey = read_survey("a.xlsx", data)
    assert [n for n, _ in survey.rows] == [2, 3] and len(survey.columns) == N_QUESTIONS
    assert peak_memory(lambda: read_survey("a.xlsx", data)) < 5 * 1024 * 1024


def test_a_real_cell_at_the_end_of_the_sheet_is_refused_before_parsing():
    assert "meer dan 20.000 rijen" in refused("a.xlsx", sf.xlsx_far_cell("XFD1048576"))
    assert "meer dan 2.000 kolommen" in refused("a.xlsx", sf.xlsx_far_cell("XFD3"))
    assert peak_memory(lambda: read_survey("a.xlsx", sf.xlsx_far_cell())) < 5 * 1024 * 1024


def test_formatted_empty_cells_far_out_are_not_read():
    extra = "".join(f'<row r="{r}"><c r="XFD{r}" s="0"/></row>' for r in range(4, 30_000, 7))
    data = sf.xlsx_parts(sf.sheet_xml(sf.small_table(), extra_rows=extra))
    survey = read_survey("a.xlsx", data)
    assert [n for n, _ in survey.rows] == [2, 3] and len(survey.columns) == N_QUESTIONS


def test_a_cell_of_100_mb_in_a_small_file_is_refused_from_the_zip_directory():
    data = sf.xlsx_huge_cell()
    assert len(data) < 500 * 1024
    assert refused("a.xlsx", data) == (
        "Het Excel-bestand is uitgepakt te groot: onderdeel ‘xl/sharedStrings.xml’ is 100 MB, "
        "hoogstens 50 MB per onderdeel wordt ingelezen."
    )
    assert peak_memory(lambda: read_survey("a.xlsx", data)) < 5 * 1024 * 1024


@pytest.mark.parametrize("shared", [True, False])
def test_a_cell_over_excels_length_within_the_part_limits(shared):
    data = sf.xlsx_huge_cell(40_000, shared=shared)
    assert refused("a.xlsx", data) == "Een cel in het Excel-bestand is langer dan 32.767 tekens; meer wordt niet ingelezen."
    assert peak_memory(lambda: read_survey("a.xlsx", data)) < 5 * 1024 * 1024


def test_one_long_shared_string_in_every_cell_is_refused_by_the_total_text():
    """Each cell within Excel's length, the parts small, but all cells together 320 million characters
    (a draft of that size would fill the database): refused with the limit named, in little memory."""
    data = sf.xlsx_shared_string_everywhere()
    assert len(data) < 50 * 1024
    assert refused("a.xlsx", data) == (
        "Het bestand bevat meer dan 20.000.000 tekens tekst (alle cellen samen); meer wordt niet ingelezen."
    )
    assert peak_memory(lambda: read_survey("a.xlsx", data)) < 5 * 1024 * 1024


def test_total_text_limit_also_for_csv():
    limits = replace(DEFAULT_LIMITS, max_text_chars=100)
    assert "meer dan 100 tekens tekst" in refused("a.csv", sf.google_forms(rows=5), limits)
    assert read_survey("a.csv", b"a;b\r\n" + b"1;2\r\n" * 20, limits).rows


def test_zip_bomb():
    data = sf.zip_bomb()
    assert len(data) < 100 * 1024
    assert refused("a.xlsx", data) == (
        "Het Excel-bestand is verdacht sterk ingepakt (onderdeel ‘xl/media/image1.png’ meer dan 100 keer) "
        "en wordt niet ingelezen."
    )


def test_unpacked_total_and_parts_limits():
    data = sf.ms_forms()
    assert "samen meer dan 10 kB" in refused("a.xlsx", data, replace(DEFAULT_LIMITS, max_unpacked_bytes=10 * 1024))
    assert "meer dan 3 onderdelen" in refused("a.xlsx", data, replace(DEFAULT_LIMITS, max_members=3))
    assert "ongewoon opgebouwd (meer dan 50 XML-elementen in ‘xl/" in refused(
        "a.xlsx", data, replace(DEFAULT_LIMITS, max_xml_elements=50)
    )


def test_a_size_in_the_zip_directory_that_lies():
    data = sf.with_lying_size(sf.xlsx_parts(sf.sheet_xml(sf.small_table())), "xl/worksheets/sheet1.xml", 100)
    assert "Het Excel-bestand kan niet worden gelezen" in refused("a.xlsx", data)


def test_entities_are_refused():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'
        f'<sst xmlns="{sf.MAIN_NS}"><si><t>&lol2;</t></si></sst>'
    )
    data = sf.xlsx_parts(sf.sheet_xml(sf.small_table()), shared_strings=laughs)
    assert "ongewoon opgebouwd (onderdeel ‘xl/sharedStrings.xml’ heeft een DTD)" in refused("a.xlsx", data)


def rezip(data: bytes, change) -> bytes:
    """The XLSX with every part written again through change(zipinfo) -> zipinfo."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info)
            dst.writestr(change(info), content)
    return out.getvalue()


def test_odd_zip_parts():
    base = sf.xlsx_parts(sf.sheet_xml(sf.small_table()))

    def bzip2(info):
        info.compress_type = zipfile.ZIP_BZIP2
        return info

    assert "op een onbekende manier ingepakt" in refused("a.xlsx", rezip(base, bzip2))

    # The "encrypted" bit in the zip directory (zipfile does not write it): offset 8 of each entry.
    encrypted = bytearray(base)
    at = encrypted.find(b"PK\x01\x02")
    while at != -1:
        encrypted[at + 8] |= 0x1
        at = encrypted.find(b"PK\x01\x02", at + 4)
    assert "versleuteld" in refused("a.xlsx", bytes(encrypted))
    out = io.BytesIO(base)
    with pytest.warns(UserWarning), zipfile.ZipFile(out, "a") as z:
        z.writestr("xl/styles.xml", "<x/>")  # Python warns of the duplicate name; Excel never writes one
    assert "staat er twee keer in" in refused("a.xlsx", out.getvalue())


@pytest.mark.parametrize(
    "data, message",
    [
        (b"totaal;opmerkingen\r\n8;goed\r\n", "Het bestand heet .xlsx maar is geen Excel-bestand (XLSX)."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "met een wachtwoord beveiligd of een oud Excel-bestand"),
        (b"PK\x03\x04" + bytes(200), "Het Excel-bestand kan niet worden gelezen"),
        (b"PK\x03\x04" + sf.ms_forms()[4:2000], "Het Excel-bestand kan niet worden gelezen"),
        (sf.xlsx_parts("<worksheet><sheetData><row r='x'/></sheetData></worksheet>"), "kan niet worden gelezen"),
        (sf.xlsx_parts("<worksheet><sheetData><row><c r='1A'/></row></sheetData></worksheet>"), "kan niet worden gelezen"),
        (sf.xlsx_parts("<not xml"), "kan niet worden gelezen"),
    ],
)
def test_files_that_are_no_xlsx(data, message):
    assert message in refused("a.xlsx", data)


# ================================================================ messages and the old read_table


def test_quoted_values_are_cut_to_80_characters():
    assert reading.quoted("kort") == "‘kort’"
    long = reading.quoted("x" * 200)
    assert len(long) == 82 and long.endswith("…’")
    assert reading.quoted("twee\nregels") == "‘twee regels’"


def test_column_lists_name_at_most_20():
    assert reading.column_list([]) == "geen"
    assert reading.column_list(["a"]) == "‘a’"
    assert reading.column_list(["a", "b", "c"]) == "‘a’, ‘b’ en ‘c’"
    listed = reading.column_list([f"Q{i}" for i in range(1396)])
    assert listed.endswith("‘Q19’ en 1376 meer") and listed.count("‘") == 20


def test_read_table_keeps_spreadsheet_row_numbers():
    table = reading.read_table("q.csv", sf.qualtrics(3, rows=3, unfinished=1), 5 * 1024 * 1024)
    numbers = [n + 1 for n, row in enumerate(table) if row and n]
    assert numbers == sf.answer_row_numbers(3, 1, header_rows=3)
    assert table[0][-N_QUESTIONS:] == sf.TEXTS


def test_a_row_with_more_cells_than_a_sheet_has_columns():
    cells = '<c t="inlineStr"><is><t>x</t></is></c>' * 16_385
    data = sf.xlsx_parts(sf.sheet_xml([["a"]], extra_rows=f'<row r="2">{cells}</row>'))
    assert len(data) < 50 * 1024
    assert "heeft meer cellen dan een werkblad kolommen" in refused("a.xlsx", data)
    assert peak_memory(lambda: read_survey("a.xlsx", data)) < 5 * 1024 * 1024


def test_more_row_elements_than_a_sheet_has_rows():
    """openpyxl keeps every row element it passed; more of them than Excel has rows is refused, also
    when the part is not packed suspiciously well (here it is: the ratio check is switched off)."""
    data = sf.xlsx_parts(sf.sheet_xml([["a"]], extra_rows='<row r="5"/>' * (1_048_576 + 1)))
    assert "verdacht sterk ingepakt" in refused("a.xlsx", data)
    limits = replace(DEFAULT_LIMITS, max_compression_ratio=100_000)
    assert "meer rijen in ‘xl/worksheets/sheet1.xml’ dan een werkblad heeft" in refused("a.xlsx", data, limits)
