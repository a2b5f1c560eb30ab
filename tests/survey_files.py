"""Survey-tool exports made in code, for the tests of the reader and of the import wizard.

The question columns are the shipped participant questionnaire (evaluaties/data/deelnemer.yaml),
its codes and texts, read from that file. Answer row i (0-based, unfinished rows not counted)
means the same in every file: `answers(i)` gives its canonical values (a grade for `totaal`, 1-5 for
the scale questions, a text for `opmerkingen`); each tool writes them its own way: numbers, the
questionnaire's labels ("Helemaal eens"), "mee"-labels ("Helemaal mee eens"), Qualtrics' "4 - Eens".

Every maker returns the bytes of one file and takes the number of answer rows (`rows`) and, where
the tool has them, unfinished rows (`unfinished`), placed between the answer rows as `layout` says;
`answer_row_numbers` gives the spreadsheet row numbers of the answer rows.

The hostile files at the end (huge declared dimensions, a huge cell, a zip bomb ...) are small:
they are written part by part with zipfile, never stored in the repository.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import yaml

import evaluaties

_QUESTIONNAIRE = yaml.safe_load((Path(evaluaties.__file__).parent / "data" / "deelnemer.yaml").read_text("utf-8"))
QUESTIONS: list[tuple[str, str]] = [(q["code"], q["text"]) for q in _QUESTIONNAIRE["questions"]]
CODES = [code for code, _ in QUESTIONS]
TEXTS = [text for _, text in QUESTIONS]
GRADE_CODE = "totaal"  # a grade 1-10 ("cijfer"), decimals allowed
OPEN_CODE = "opmerkingen"
SCALE_CODES = [c for c in CODES if c not in (GRADE_CODE, OPEN_CODE)]

# An extra multiple-choice question some makers add (multi=True); not in the shipped questionnaire.
MULTI_TEXT = "Waar wil je nog meer mee oefenen?"
MULTI_OPTIONS = ("Feedback geven", "Gesprekken voeren", "Beoordelen")

GRADES = ("8", "7,5", "6", "9", "7")
LABELS = {1: "Helemaal oneens", 2: "Oneens", 3: "Neutraal", 4: "Eens", 5: "Helemaal eens"}  # the questionnaire's
MEE_LABELS = {1: "Helemaal mee oneens", 2: "Mee oneens", 3: "Neutraal", 4: "Mee eens", 5: "Helemaal mee eens"}
DASH_LABELS = {n: f"{n} - {label}" for n, label in LABELS.items()}  # Qualtrics' "choice text" with numbers
REMARKS = (
    "",
    "Goed, en leerzaam; dank je!",
    'Zij zei: "top"',
    "Eerste regel\nTweede regel",
    "Ideeën genoeg, café was te klein",
)
T0 = datetime(2026, 10, 2, 10, 15, 30)


def grade(i: int) -> str:
    """The grade of answer row i, with a decimal comma where it has decimals ("7,5")."""
    return GRADES[i % len(GRADES)]


def scale(i: int, j: int) -> int:
    """The answer (1-5) of answer row i to the j-th scale question; every value occurs."""
    return 5 - (i + 2 * j) % 5


def answers(i: int) -> dict[str, str | int]:
    """The canonical answers of answer row i: code -> grade text, 1-5, or remark."""
    values: dict[str, str | int] = {GRADE_CODE: grade(i)}
    values.update({code: scale(i, j) for j, code in enumerate(SCALE_CODES)})
    values[OPEN_CODE] = REMARKS[i % len(REMARKS)]
    return values


def multi(i: int) -> list[str]:
    """The options chosen in answer row i for the extra multiple-choice question (possibly none)."""
    return [option for k, option in enumerate(MULTI_OPTIONS) if (i + 1) >> k & 1]


def values(i: int, style: str = "number", decimal: str = ",") -> list[str]:
    """Answer row i as the cells of the question columns, in questionnaire order.

    style: "number" (1-5), "label" (the questionnaire's labels), "mee" ("Mee eens"), "dash" ("4 - Eens");
    decimal: the decimal sign of the grade."""
    labels = {"number": None, "label": LABELS, "mee": MEE_LABELS, "dash": DASH_LABELS}[style]
    out = []
    for code, value in answers(i).items():
        if code == GRADE_CODE:
            out.append(str(value).replace(",", decimal))
        elif code == OPEN_CODE:
            out.append(str(value))
        else:
            out.append(labels[value] if labels else str(value))
    return out


def layout(rows: int, unfinished: int) -> list[tuple[bool, int]]:
    """The order of the data rows: (finished, i) with answer row i, or (False, k) for unfinished row k.
    An unfinished row follows every second answer row; the rest come last."""
    out: list[tuple[bool, int]] = []
    placed = 0
    for i in range(rows):
        out.append((True, i))
        if i % 2 == 1 and placed < unfinished:
            out.append((False, placed))
            placed += 1
    out.extend((False, k) for k in range(placed, unfinished))
    return out


def answer_row_numbers(rows: int, unfinished: int = 0, header_rows: int = 1) -> list[int]:
    """The spreadsheet row numbers of the answer rows of a file made with these arguments."""
    return [header_rows + 1 + n for n, (done, _) in enumerate(layout(rows, unfinished)) if done]


def _csv(records: list[list], delimiter: str = ",", quoting: int = csv.QUOTE_MINIMAL) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator="\r\n").writerows(records)
    return out.getvalue()


def _xlsx(records: list[list], title: str = "Sheet1") -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for record in records:
        ws.append(record)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _number(text: str):
    """A grade or scale value as a spreadsheet number."""
    return float(text.replace(",", ".")) if "," in text or "." in text else int(text)


# ================================================================ Google Forms


def google_forms(lang: str = "nl", rows: int = 5, email: bool = True, multi_select: bool = False) -> bytes:
    """Google Forms' CSV download (UTF-8, ','): Tijdstempel/Timestamp, optionally E-mailadres/Email
    Address, then the question texts. NL answers scale questions with "mee"-labels, EN with numbers;
    a multiple-choice answer is the options joined by ", "."""
    header = ["Tijdstempel" if lang == "nl" else "Timestamp"]
    if email:
        header.append("E-mailadres" if lang == "nl" else "Email Address")
    header += TEXTS + ([MULTI_TEXT] if multi_select else [])
    records = [header]
    for i in range(rows):
        moment = T0 + timedelta(minutes=7 * i)
        stamp = f"{moment.day}-{moment.month}-{moment.year} {moment:%H:%M:%S}" if lang == "nl" else (
            f"{moment.month}/{moment.day}/{moment.year} {moment:%H:%M:%S}"
        )
        record = [stamp] + ([f"mentor{i}@school.nl"] if email else [])
        record += values(i, "mee" if lang == "nl" else "number", "," if lang == "nl" else ".")
        if multi_select:
            record.append(", ".join(multi(i)))
        records.append(record)
    return _csv(records).encode("utf-8")


# ================================================================ LimeSurvey

LIMESURVEY_META = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp", "ipaddr", "refurl"]
LIMESURVEY_META_TEXTS = [
    "Antwoord ID", "Datum verstuurd", "Laatste pagina", "Starttaal", "Seed", "Datum gestart",
    "Datum laatste actie", "IP-adres", "Verwijzende URL",
]
LIMESURVEY_CODES = [f"G01Q{n:02d}" for n in range(1, len(QUESTIONS) + 1)]


def limesurvey(
    headings: str = "codes", rows: int = 5, unfinished: int = 2, file_type: str = "csv", codes: list[str] | None = None
) -> bytes:
    """LimeSurvey's export (CSV: UTF-8, ',', every field quoted; or XLSX): the response fields
    id, submitdate, ... refurl, then the questions, headed by their codes ("G01Q01"; headings="codes")
    or by "code. text" (headings="code_text", the response fields too: "submitdate. Datum verstuurd").
    Unfinished responses have an empty submitdate and only their first answers. With codes
    answers are numbers, with code_text the questionnaire's labels; the grade has a decimal point."""
    codes = codes or LIMESURVEY_CODES
    if headings == "codes":
        header = LIMESURVEY_META + codes
    else:
        header = [f"{c}. {t}" for c, t in zip(LIMESURVEY_META + codes, LIMESURVEY_META_TEXTS + TEXTS, strict=True)]
    records: list[list] = [header]
    for n, (done, i) in enumerate(layout(rows, unfinished)):
        start = T0 + timedelta(minutes=11 * n)
        cells = values(i, "number" if headings == "codes" else "label", ".")
        if not done:
            cells = cells[:3] + [""] * (len(cells) - 3)
        records.append([
            str(n + 1), f"{start + timedelta(minutes=4):%Y-%m-%d %H:%M:%S}" if done else "", "2" if done else "1",
            "nl", str(1_000_000 + 7919 * n), f"{start:%Y-%m-%d %H:%M:%S}", f"{start + timedelta(minutes=4):%Y-%m-%d %H:%M:%S}",
            f"192.168.{n // 250}.{n % 250 + 1}", "https://www.school.nl/evaluatie",
        ] + cells)
    if file_type == "xlsx":
        body = [[_limesurvey_cell(c, k, len(LIMESURVEY_META)) for k, c in enumerate(r)] for r in records[1:]]
        return _xlsx([header] + body)
    return _csv(records, quoting=csv.QUOTE_ALL).encode("utf-8")


def _limesurvey_cell(cell: str, k: int, meta: int):
    """LimeSurvey's XLSX holds ids and numeric answers as numbers."""
    if cell and (k == 0 or k >= meta) and cell.replace(".", "", 1).isdigit():
        return _number(cell)
    return cell


# ================================================================ Microsoft Forms

MS_FORMS_META = {
    "en": ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"],
    "nl": ["Id", "Begintijd", "Tijd van voltooien", "E-mail", "Naam", "Tijd van laatste wijziging"],
}


def ms_forms(lang: str = "nl", rows: int = 5, multi_select: bool = False) -> bytes:
    """Microsoft Forms' XLSX: Id, times (as dates), e-mail ("anonymous" when anonymous), name, then the
    question texts; scale answers as the questionnaire's labels, the grade as a number, a
    multiple-choice answer the options each followed by ";"."""
    header = MS_FORMS_META[lang] + TEXTS + ([MULTI_TEXT] if multi_select else [])
    records: list[list] = [header]
    for i in range(rows):
        start = T0 + timedelta(minutes=5 * i)
        email, name = (f"m.jansen{i}@school.nl", f"Mentor {i} Jansen") if i % 2 else ("anonymous", "")
        cells: list = values(i, "label")
        cells[0] = _number(cells[0])
        record = [i + 1, start, start + timedelta(minutes=3), email, name, None] + cells
        if multi_select:
            record.append("".join(o + ";" for o in multi(i)))
        records.append(record)
    return _xlsx(records, "Sheet1" if lang == "en" else "Blad1")


# ================================================================ Qualtrics

QUALTRICS_META = [
    ("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"Europe/Amsterdam"}'),
    ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"Europe/Amsterdam"}'),
    ("Status", "Response Type", '{"ImportId":"status"}'),
    ("IPAddress", "IP Address", '{"ImportId":"ipAddress"}'),
    ("Progress", "Progress", '{"ImportId":"progress"}'),
    ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}'),
    ("Finished", "Finished", '{"ImportId":"finished"}'),
    ("RecordedDate", "Recorded Date", '{"ImportId":"recordedDate","timeZone":"Europe/Amsterdam"}'),
    ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
    ("RecipientLastName", "Recipient Last Name", '{"ImportId":"recipientLastName"}'),
    ("RecipientFirstName", "Recipient First Name", '{"ImportId":"recipientFirstName"}'),
    ("RecipientEmail", "Recipient Email", '{"ImportId":"recipientEmail"}'),
    ("ExternalReference", "External Data Reference", '{"ImportId":"externalDataReference"}'),
    ("LocationLatitude", "Location Latitude", '{"ImportId":"locationLatitude"}'),
    ("LocationLongitude", "Location Longitude", '{"ImportId":"locationLongitude"}'),
    ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
    ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}'),
]
QUALTRICS_CODES = [f"Q{n}" for n in range(1, len(QUESTIONS) + 1)]


def qualtrics(header_rows: int = 3, rows: int = 5, unfinished: int = 1, preview: int = 1,
              codes: list[str] | None = None) -> bytes:
    """Qualtrics' CSV (UTF-8 with BOM, ','): row 1 the codes (StartDate ... UserLanguage, Q1 ...), row 2
    the question texts, row 3 (header_rows=3) the ImportIds as JSON. Choice text with numbers
    ("4 - Eens"); Finished "True"/"False"; the first `preview` answer rows have Status "Survey Preview"."""
    codes = codes or QUALTRICS_CODES
    header = [
        [m[0] for m in QUALTRICS_META] + codes,
        [m[1] for m in QUALTRICS_META] + TEXTS,
        [m[2] for m in QUALTRICS_META] + [json.dumps({"ImportId": f"QID{n}"}, separators=(",", ":"))
                                          for n in range(1, len(codes) + 1)],
    ][:header_rows]
    records = list(header)
    for n, (done, i) in enumerate(layout(rows, unfinished)):
        start = T0 + timedelta(minutes=9 * n)
        cells = values(i, "dash")
        if not done:
            cells = cells[:2] + [""] * (len(cells) - 2)
        records.append([
            f"{start:%Y-%m-%d %H:%M:%S}", f"{start + timedelta(minutes=6):%Y-%m-%d %H:%M:%S}",
            "Survey Preview" if done and i < preview else "IP Address", f"145.{n % 250}.12.{n % 200 + 3}",
            "100" if done else "22", str(360 + n), "True" if done else "False",
            f"{start + timedelta(minutes=6):%Y-%m-%d %H:%M:%S}", f"R_{n:03d}aBcDeFgHiJkLmNo", "", "", "", "",
            "52.0907", "5.1214", "anonymous", "NL",
        ] + cells)
    return ("\ufeff" + _csv(records)).encode("utf-8")


QUALTRICS_LEGACY_META = [
    "ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "IPAddress", "Status",
    "StartDate", "EndDate", "Finished",
]


def qualtrics_legacy(rows: int = 5, unfinished: int = 1) -> bytes:
    """The legacy Qualtrics CSV (UTF-8, ','): row 1 V1..V10 then Q1.. (and Location*), row 2 ResponseID,
    ResponseSet, Name, ..., Finished, then the question texts. Numeric values; Finished 1/0."""
    header1 = [f"V{n}" for n in range(1, 11)] + QUALTRICS_CODES + ["LocationLatitude", "LocationLongitude",
                                                                   "LocationAccuracy"]
    header2 = QUALTRICS_LEGACY_META + TEXTS + ["LocationLatitude", "LocationLongitude", "LocationAccuracy"]
    records = [header1, header2]
    for n, (done, i) in enumerate(layout(rows, unfinished)):
        start = T0 + timedelta(minutes=13 * n)
        cells = values(i, "number", ".")
        if not done:
            cells = cells[:4] + [""] * (len(cells) - 4)
        records.append([
            f"R_{n:03d}xYzXyZxYzXyZ", "Default Response Set", "Anonymous", "", "", f"10.0.{n // 250}.{n % 250 + 1}",
            "0", f"{start:%Y-%m-%d %H:%M:%S}", f"{start + timedelta(minutes=5):%Y-%m-%d %H:%M:%S}",
            "1" if done else "0",
        ] + cells + ["52.0907", "5.1214", "-1"])
    return _csv(records).encode("utf-8")


# ================================================================ spreadsheets made by hand

NAMES = ("Anneké Jansen", "Zoë de Boer", "Kees van Dijk", "Fleur Smit", "Noël Bakker")


def dutch_excel(rows: int = 5, name_column: bool = True) -> bytes:
    """What Dutch Excel saves as "CSV (gescheiden door lijstscheidingsteken)": Windows-1252, ';',
    question texts as headings (their commas unquoted), numbers with a decimal comma ("7,5"),
    and a column Naam with names like "Anneké" and "Zoë"."""
    header = (["Naam"] if name_column else []) + TEXTS
    records = [header]
    for i in range(rows):
        records.append(([NAMES[i % len(NAMES)]] if name_column else []) + values(i, "number", ","))
    return _csv(records, delimiter=";").encode("cp1252")


def utf16_tab(rows: int = 5, big_endian: bool = False) -> bytes:
    """Excel's "Unicode-tekst" (.txt): UTF-16 with a byte order mark, tab-separated; headed by the
    question codes; scale answers as "mee"-labels, the grade with a decimal comma."""
    records = [CODES] + [values(i, "mee", ",") for i in range(rows)]
    text = _csv(records, delimiter="\t")
    if big_endian:
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


# ================================================================ hostile files, small

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN_NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>'
)
_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN_NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_EMPTY_SST = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN_NS}" count="0" uniqueCount="0"/>'


def cell_xml(ref: str, value) -> str:
    """One cell: a number, or an inline string."""
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    text = str(value).replace("&", "&amp;").replace("<", "&lt;")
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(rows: list[list], dimension: str | None = None, extra_rows: str = "") -> str:
    """A worksheet part with these rows from A1 (and raw row XML after them)."""
    from openpyxl.utils import get_column_letter

    body = "".join(
        f'<row r="{r}">' + "".join(cell_xml(f"{get_column_letter(c)}{r}", v) for c, v in enumerate(row, 1)) + "</row>"
        for r, row in enumerate(rows, 1)
    )
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}">{dim}'
            f"<sheetData>{body}{extra_rows}</sheetData></worksheet>")


def xlsx_parts(sheet: str | bytes, shared_strings: str | bytes | None = None, extra: dict | None = None) -> bytes:
    """A minimal XLSX written part by part (no openpyxl), for files openpyxl would not write."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/styles.xml", _STYLES)
        z.writestr("xl/sharedStrings.xml", shared_strings if shared_strings is not None else _EMPTY_SST)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def small_table() -> list[list]:
    """A header of question codes and two answer rows."""
    return [CODES, [_number(v) if k < len(CODES) - 1 else v for k, v in enumerate(values(0))],
            [_number(v) if k < len(CODES) - 1 else v for k, v in enumerate(values(1))]]


def xlsx_declared_huge() -> bytes:
    """A few KB that declare the dimension A1:XFD1048576 (17 billion cells) around a small real table."""
    return xlsx_parts(sheet_xml(small_table(), dimension="A1:XFD1048576"))


def xlsx_far_cell(ref: str = "XFD1048576") -> bytes:
    """A small table and one real cell far out (by default the last cell of a worksheet)."""
    row = int("".join(ch for ch in ref if ch.isdigit()))
    extra = f'<row r="{row}">{cell_xml(ref, "x")}</row>'
    return xlsx_parts(sheet_xml(small_table(), dimension=f"A1:{ref}", extra_rows=extra))


def xlsx_huge_cell(chars: int = 100 * 1024 * 1024, shared: bool = True) -> bytes:
    """One cell with `chars` characters of text (100 MB by default) in a file of some 100 KB, its
    parts streamed into the zip so that the test never holds the text in memory."""
    out = io.BytesIO()
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>'
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/styles.xml", _STYLES)
        if shared:
            z.writestr("xl/worksheets/sheet1.xml", sheet_xml([]).replace(
                "<sheetData></sheetData>", '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>'))
            target, tail = "xl/sharedStrings.xml", "</t></si></sst>"
        else:
            z.writestr("xl/sharedStrings.xml", _EMPTY_SST)
            head = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}">'
                    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>')
            target, tail = "xl/worksheets/sheet1.xml", "</t></is></c></row></sheetData></worksheet>"
        with z.open(target, "w") as part:
            part.write(head.encode())
            chunk = b"a" * (1024 * 1024)
            left = chars
            while left > 0:
                part.write(chunk[: min(left, len(chunk))])
                left -= len(chunk)
            part.write(tail.encode())
    return out.getvalue()


def xlsx_shared_string_everywhere(rows: int = 1000, columns: int = 10, chars: int = 32_000) -> bytes:
    """A header of question texts and `rows` × `columns` cells that all point at one shared string of
    `chars` characters: some 20 kB that read as 320 million characters of text."""
    from openpyxl.utils import get_column_letter

    texts = [TEXTS[j] if j < len(TEXTS) else f"extra {j}" for j in range(columns)]
    sst = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN_NS}" count="1" '
           f'uniqueCount="1"><si><t>{"a" * chars}</t></si></sst>')
    body = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{get_column_letter(c)}{r}" t="s"><v>0</v></c>' for c in range(1, columns + 1))
        + "</row>"
        for r in range(2, rows + 2)
    )
    sheet = sheet_xml([texts]).replace("</sheetData>", body + "</sheetData>")
    return xlsx_parts(sheet, sst)


def zip_bomb(size: int = 20 * 1024 * 1024) -> bytes:
    """A valid small table plus one part of `size` zero bytes, packed some thousand times."""
    out = io.BytesIO(xlsx_parts(sheet_xml(small_table())))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as z, z.open("xl/media/image1.png", "w") as part:
        zeros = bytes(1024 * 1024)
        for _ in range(size // len(zeros)):
            part.write(zeros)
    return out.getvalue()


def with_lying_size(data: bytes, member: str, size: int) -> bytes:
    """The XLSX with the unpacked size of `member` in the zip directory replaced by `size`."""
    name = member.encode()
    at = data.find(b"PK\x01\x02")  # the central directory's entries
    while at != -1:
        name_length = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + name_length] == name:
            return data[: at + 24] + size.to_bytes(4, "little") + data[at + 28 :]
        at = data.find(b"PK\x01\x02", at + 4)
    raise KeyError(member)
