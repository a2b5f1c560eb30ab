"""Reading an uploaded survey export (CSV or XLSX) into columns and answer rows of text.

`read_survey` recognises the exports of common survey tools (their header rows, their identifying
columns, their unfinished responses), and refuses with short Dutch messages whatever it cannot read
or what is over one of the `Limits`. It never interprets answers: the import wizard maps the values.
The cells of identifying columns (names, e-mail and IP addresses, response ids, timestamps) are
blanked here, so they are never kept anywhere. `read_file` is its safe low-level part (size, type,
encoding, separator, crafted XLSX) without that interpretation, for imports that need every column.

Control characters: a kept cell or a heading with a control character (NUL and the like; tab and
newline are fine) is refused here with its row and column, so no later step has to guard against
them; cells that are blanked or rows that are left out are not checked.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import ipaddress
import itertools
import math
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import NoReturn
from xml.parsers import expat

from kwaliteit.limits import quoted
from kwaliteit.validation import FORBIDDEN_IN_TEXT

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What an uploaded file may cost; every refusal names the limit it hit."""

    max_bytes: int = 5 * MB  # the upload itself (the view passes MAX_UPLOAD_BYTES)
    max_rows: int = 5000  # answer rows: more is not the answers of one session
    max_sheet_rows: int = 20_000  # all rows, header, empty and unfinished ones included
    max_columns: int = 2000  # real Qualtrics exports have some 1,400
    max_cells: int = 2_000_000  # rows × columns
    max_cell_chars: int = 32_767  # Excel's own limit for one cell
    # The text of all cells together. An XLSX cell can point at a shared string of max_cell_chars
    # characters: a file of some kilobytes would otherwise become gigabytes of text (and a draft of
    # that size). A CSV within max_bytes never holds more than max_bytes characters.
    max_text_chars: int = 20_000_000
    max_member_bytes: int = 50 * MB  # unpacked size of one part of an XLSX (zip member)
    max_unpacked_bytes: int = 100 * MB  # unpacked size of all parts together
    max_members: int = 1000  # parts in an XLSX
    max_compression_ratio: int = 100  # unpacked / packed of a part over 1 MB; more is a zip bomb
    max_xml_elements: int = 300_000  # elements of one XLSX part outside the cells (styles and the like)


DEFAULT_LIMITS = Limits()
MAX_IMPORT_ROWS = DEFAULT_LIMITS.max_rows
# The row errors reported; beyond this only their number.
MAX_REPORTED_ERRORS = 200
# Row or cell problems listed by the reader itself; beyond this only their number.
MAX_LISTED_PROBLEMS = 50
# A list of columns in a message names this many (a quoted value is cut by kwaliteit.limits.cut).
MAX_LISTED_COLUMNS = 20

# Excel's own bounds: a cell beyond them is no spreadsheet, whatever the limits.
_EXCEL_MAX_ROW = 1_048_576
_EXCEL_MAX_COLUMN = 16_384
# Parts over this size must not be packed more than max_compression_ratio times.
_RATIO_CHECKED_FROM = 1 * MB

# The CSV sniffed for its separator: enough records to see a consistent column count.
_SNIFF_CHARS = 64 * 1024
_SNIFF_RECORDS = 200


class ImportRefused(Exception):
    """The file was refused as a whole; `errors` are Dutch messages (per row where it applies)."""

    def __init__(self, errors: list[str], total: int | None = None):
        self.errors = errors[:MAX_REPORTED_ERRORS]
        self.total = total if total is not None else len(errors)
        super().__init__("; ".join(self.errors[:5]))

    @property
    def hidden(self) -> int:
        """How many errors were not listed."""
        return self.total - len(self.errors)


@dataclass
class Column:
    index: int  # position of the column in every row of SurveyFile.rows
    name: str  # the heading to show: the most descriptive line (Qualtrics: row 2 text)
    headings: list[str]  # the text of this column in every header row, top to bottom
    code: str | None  # a code found in the heading ("G01Q01", Qualtrics "Q1"), else None
    text: str | None  # a question text found in the heading, else None
    identifying: str | None  # why the column is ignored as identifying, in Dutch, or None


@dataclass
class SurveyFile:
    tool: str  # "Google Forms", "LimeSurvey", "Microsoft Forms", "Qualtrics", "Qualtrics (oud formaat)", "Spreadsheet"
    file_type: str  # "csv" or "xlsx"
    encoding: str | None  # CSV only: "UTF-8", "UTF-8 met BOM", "Windows-1252", "UTF-16"
    separator: str | None  # CSV only: ";", "," or "\t"
    header_rows: int  # header rows before the first answer row (Qualtrics 3 or 2, legacy Qualtrics 2, else 1)
    columns: list[Column]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells) of every finished, non-empty answer row
    unfinished: int  # rows left out as unfinished
    unfinished_reason: str | None
    content_hash: str  # sha256 hex of the cells read (see _content_hash), not of the bytes


# ================================================================ messages


def column_list(names: list[str]) -> str:
    """Columns as a message lists them: at most MAX_LISTED_COLUMNS, then "en N meer"."""
    shown = [quoted(n) for n in names[:MAX_LISTED_COLUMNS]]
    rest = len(names) - len(shown)
    if rest > 0:
        return ", ".join(shown) + f" en {rest} meer"
    if len(shown) > 1:
        return ", ".join(shown[:-1]) + " en " + shown[-1]
    return shown[0] if shown else "geen"


def _n(number: int) -> str:
    """A count as Dutch writes it: 20.000."""
    return f"{number:,}".replace(",", ".")


def _human_size(n: int) -> str:
    if n >= MB:
        return f"{n / MB:.1f} MB".replace(".0 MB", " MB").replace(".", ",")
    if n >= 1024:
        return f"{n // 1024} kB"
    return f"{n} bytes"


def _column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _refuse(message: str) -> NoReturn:
    raise ImportRefused([message])


def _too_many_rows(limits: Limits):
    _refuse(
        f"Het bestand heeft meer dan {_n(limits.max_sheet_rows)} rijen (lege en onvoltooide meegeteld); "
        "meer wordt niet ingelezen."
    )


def _too_many_columns(limits: Limits):
    _refuse(f"Het bestand heeft meer dan {_n(limits.max_columns)} kolommen; meer wordt niet ingelezen.")


def _too_many_cells(limits: Limits):
    _refuse(f"Het bestand heeft meer dan {_n(limits.max_cells)} cellen (rijen × kolommen); meer wordt niet ingelezen.")


def _unreadable_xlsx() -> NoReturn:
    _refuse("Het Excel-bestand kan niet worden gelezen. Is het een geldig .xlsx-bestand?")


def _odd_xlsx(what: str) -> NoReturn:
    _refuse(
        f"Het Excel-bestand is ongewoon opgebouwd ({what}) en wordt niet ingelezen. "
        "Kopieer de gegevens naar een nieuw werkblad, sla dat op als .xlsx en probeer het opnieuw."
    )


# ================================================================ the entry point


@dataclass
class RawFile:
    """A file as read, before any interpretation: its non-empty records with their row numbers.
    Nothing is left out or blanked here (read_survey does that for anonymous answers)."""

    file_type: str  # "csv" or "xlsx"
    encoding: str | None  # CSV only, as SurveyFile.encoding
    separator: str | None  # CSV only
    records: list[tuple[int, list[str]]]  # (spreadsheet row number, cells), empty rows left out
    width: int  # the most cells of any record (trailing empty cells not counted)
    content_hash: str  # as SurveyFile.content_hash


def read_file(filename: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> RawFile:
    """The rows of an uploaded CSV or XLSX, within the limits: size, file type, encoding,
    separator and the checks against crafted XLSX files. Shared by read_survey and by imports
    that keep every column (the register import needs names and e-mail addresses).

    Raises ImportRefused (Dutch messages) for anything it cannot or will not read."""
    if len(data) > limits.max_bytes:
        _refuse(f"Het bestand is te groot: het mag hoogstens {_human_size(limits.max_bytes)} zijn.")
    if not data:
        _refuse("Het bestand is leeg.")
    ext = _extension(filename)
    is_zip = data[:4] == b"PK\x03\x04"
    table = _Table(limits)
    encoding = separator = None
    if ext == "xlsx":
        _read_xlsx(data, limits, table)
        file_type = "xlsx"
    elif ext in ("csv", "txt", "tsv"):
        if is_zip:
            _refuse("Het bestand heet .csv maar is geen tekstbestand (het lijkt een Excel-bestand: noem het .xlsx).")
        encoding, separator = _read_csv(data, limits, table)
        file_type = "csv"
    else:
        shown = f".{ext}" if ext else "zonder extensie"
        hint = " Sla een .xls-bestand in Excel eerst op als .xlsx." if ext == "xls" else ""
        _refuse(f"Alleen CSV- en XLSX-bestanden kunnen worden ingelezen (dit bestand: {shown}).{hint}")
    if not table.records:
        _refuse("Het bestand is leeg.")
    return RawFile(file_type, encoding, separator, table.records, table.width, _content_hash(table.records))


def read_survey(filename: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> SurveyFile:
    """The columns and answer rows of an uploaded CSV or XLSX survey export.

    Raises ImportRefused (Dutch messages) for anything it cannot or will not read."""
    raw = read_file(filename, data, limits)
    survey = _interpret(raw.records, raw.width, limits)
    survey.file_type = raw.file_type
    survey.encoding = raw.encoding
    survey.separator = raw.separator
    survey.content_hash = raw.content_hash
    return survey


def _content_hash(records: list[tuple[int, list[str]]]) -> str:
    """sha256 of the cells as read, row by row (empty rows left out): the same export downloaded
    again (an XLSX carries the moment it was made), or saved again in another encoding or with
    another separator, is the same file to the duplicate check; its bytes would not be. Every cell
    is length-prefixed, so no two different tables give the same input."""
    digest = hashlib.sha256()
    for _number, cells in records:
        digest.update(f"{len(cells)}\x1e".encode())
        for cell in cells:
            encoded = cell.encode("utf-8", "surrogatepass")
            digest.update(f"{len(encoded)}:".encode())
            digest.update(encoded)
    return digest.hexdigest()


def read_table(filename: str, data: bytes, max_bytes: int) -> list[list[str]]:
    """The file as a header row of column names and then its rows, as the simple importer reads it:
    row number n at index n - 1 (header rows, unfinished and empty rows as empty lists)."""
    survey = read_survey(filename, data, replace(DEFAULT_LIMITS, max_bytes=max_bytes))
    table: list[list[str]] = [[c.name for c in survey.columns]] + [[] for _ in range(survey.header_rows - 1)]
    for number, cells in survey.rows:
        table.extend([] for _ in range(number - 1 - len(table)))
        table.append(cells)
    return table


def _extension(filename: str) -> str:
    name = (filename or "").strip().lower()
    return name.rsplit(".", 1)[1] if "." in name else ""


# ================================================================ the rows of either file type


# The characters no text of the app may hold (kwaliteit.validation): one definition.
_CONTROL = FORBIDDEN_IN_TEXT


def _clean(cell: str) -> str:
    """One newline convention inside cells, whatever the file used."""
    if "\r" in cell:
        return cell.replace("\r\n", "\n").replace("\r", "\n")
    return cell


class _Table:
    """The non-empty records of a file with their row numbers, within the limits."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.records: list[tuple[int, list[str]]] = []
        self.width = 0
        self.chars = 0

    def add(self, number: int, cells: list[str]) -> None:
        limits = self.limits
        if number > limits.max_sheet_rows:
            _too_many_rows(limits)
        end = len(cells)
        while end and not cells[end - 1].strip():
            end -= 1
        if not end:
            return  # an empty row is no answer; its number still counts
        if end > limits.max_columns:
            _too_many_columns(limits)
        cells = [_clean(c) for c in cells[:end]]
        for i, cell in enumerate(cells):
            if len(cell) > limits.max_cell_chars:
                _refuse(
                    f"Rij {number}, kolom {_column_letter(i)}: de cel is langer dan {_n(limits.max_cell_chars)} "
                    "tekens; meer wordt niet ingelezen."
                )
            self.chars += len(cell)
        if self.chars > limits.max_text_chars:
            _refuse(
                f"Het bestand bevat meer dan {_n(limits.max_text_chars)} tekens tekst (alle cellen samen); "
                "meer wordt niet ingelezen."
            )
        self.width = max(self.width, end)
        if (len(self.records) + 1) * self.width > limits.max_cells:
            _too_many_cells(limits)
        self.records.append((number, cells))


# ================================================================ CSV


def _read_csv(data: bytes, limits: Limits, table: _Table) -> tuple[str, str]:
    text, encoding = _decode(data)
    # "sep=;" on the first line tells Excel the separator; Excel does not show that line as a row.
    hint = re.match(r"sep=([,;\t])\r?\n", text[:8])
    if hint:
        separator, text = hint.group(1), text[hint.end() :]
    else:
        separator = _detect_separator(text)
    # The csv module's own field limit (131,072) is above max_cell_chars, which _Table checks per
    # cell; it is left as it is, since it is global to the process.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    number = 0
    try:
        for record in reader:
            number += 1
            table.add(number, record)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            _refuse(
                f"Regel {reader.line_num}: een cel is langer dan {_n(limits.max_cell_chars)} tekens, "
                "of een aanhalingsteken (\") wordt niet gesloten."
            )
        _refuse(f"Het CSV-bestand kan niet worden gelezen (regel {reader.line_num}): {quoted(str(exc))}.")
    return encoding, separator


def _decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV and the name of its encoding: UTF-8 (BOM), UTF-16 (BOM), then Windows-1252;
    whatever none of these reads without a doubt is refused, never guessed."""
    save_as = "Kies in Excel ‘Opslaan als’ → ‘CSV UTF-8 (door komma's gescheiden)’ en probeer het opnieuw."
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        _refuse(f"Het CSV-bestand is in UTF-32 opgeslagen; dat wordt niet gelezen. {save_as}")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            _refuse(f"Het bestand begint als UTF-16 maar is dat niet overal. {save_as}")
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "UTF-8 met BOM"
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            _refuse(f"Het bestand begint als UTF-8 maar is dat niet overal (regel {line}). {save_as}")
    if b"\x00" in data:
        # NUL bytes: a binary file, or UTF-16 without its byte order mark (then guessing is wrong too).
        _refuse(f"Het bestand heet .csv maar is geen tekstbestand (het bevat NUL-tekens). {save_as}")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    # UTF-8's "é" read as Windows-1252 is "Ã©": a file with both is mixed, and either reading is wrong.
    mixed = re.search(rb"\xc3[\x80-\xbf]", data)
    if mixed:
        line = data[: mixed.start()].count(b"\n") + 1
        _refuse(f"Het CSV-bestand is deels UTF-8 en deels Windows-1252 (regel {line}). {save_as}")
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        _refuse(
            f"Het CSV-bestand is niet in UTF-8, UTF-16 of Windows-1252 opgeslagen: byte 0x{data[exc.start]:02X} "
            f"op regel {line} is in geen daarvan een teken. {save_as}"
        )
    raise AssertionError("unreachable")


def _detect_separator(text: str) -> str:
    """The separator that gives the header two or more columns and every record as many fields;
    among those the one with the most columns (quoted fields count as one, as csv reads them).
    csv.Sniffer is not used: it guesses wrong on decimal commas and commas inside headings."""
    sample = text[:_SNIFF_CHARS]
    truncated = len(text) > len(sample)
    best, best_key = ",", None
    for separator in (",", ";", "\t"):
        try:
            records = [
                r
                for r in itertools.islice(csv.reader(io.StringIO(sample, newline=""), delimiter=separator), _SNIFF_RECORDS)
                if any(c.strip() for c in r)
            ]
        except csv.Error:
            continue
        if truncated and len(records) > 1:
            records.pop()  # may be cut in the middle
        if not records:
            continue
        header = records[0]
        width = len(header)
        while width and not header[width - 1].strip():
            width -= 1
        rest = records[1:]
        consistent = sum(1 for r in rest if len(r) == len(header)) / len(rest) if rest else 1.0
        # On a tie, a split that leaves fields starting with a space cut text after a comma ("fysiek, online").
        spaced = sum(1 for r in records for c in r[1:] if c[:1] == " ")
        key = (width >= 2, consistent >= 0.9, width, consistent, -spaced)
        if best_key is None or key > best_key:
            best, best_key = separator, key
    return best


# ================================================================ XLSX


def _read_xlsx(data: bytes, limits: Limits, table: _Table) -> None:
    archive = _open_zip(data, limits)
    sheets = _scan_parts(archive, limits)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except ImportRefused:
        raise
    except Exception:  # noqa: BLE001 - an untrusted file: whatever openpyxl stumbles over, one answer
        _unreadable_xlsx()
    try:
        if not wb.worksheets:
            _refuse("Het Excel-bestand heeft geen werkblad.")
        ws = wb.worksheets[0]
        # openpyxl's private name of the sheet's part; if it ever changes, every sheet is held to the limits.
        path = getattr(ws, "_worksheet_path", None)
        stats = sheets.get(str(path).lstrip("/")) if path else None
        stats = stats or _SheetStats.union(list(sheets.values()))
        stats.check(limits)
        if not stats.value_cells:
            return
        ws.reset_dimensions()  # a declared A1:XFD1048576 must cost nothing
        # Bounded by the cells that hold a value: formatted empty cells further out are never padded to.
        rows = ws.iter_rows(
            min_row=1, min_col=1, max_row=stats.last_value_row, max_col=stats.max_column, values_only=True
        )
        for number, values in enumerate(rows, start=1):
            table.add(number, [_cell_text(v) for v in values])
    except ImportRefused:
        raise
    except Exception:  # noqa: BLE001 - as above, while openpyxl reads the rows
        _unreadable_xlsx()
    finally:
        wb.close()


def _open_zip(data: bytes, limits: Limits) -> zipfile.ZipFile:
    """The archive, after its directory says that unpacking it stays within the limits."""
    if data[:4] != b"PK\x03\x04":
        if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            _refuse(
                "Het bestand heet .xlsx maar is met een wachtwoord beveiligd of een oud Excel-bestand (.xls). "
                "Sla het in Excel op als .xlsx zonder wachtwoord en probeer het opnieuw."
            )
        _refuse("Het bestand heet .xlsx maar is geen Excel-bestand (XLSX).")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except Exception:  # noqa: BLE001 - a damaged directory, whatever zipfile makes of it
        _unreadable_xlsx()
    if len(infos) > limits.max_members:
        _odd_xlsx(f"meer dan {_n(limits.max_members)} onderdelen")
    if len({i.filename for i in infos}) != len(infos):
        _odd_xlsx("een onderdeel staat er twee keer in")
    total = 0
    for info in infos:
        name = quoted(info.filename)
        if info.flag_bits & 0x1:
            _refuse("Het Excel-bestand is versleuteld (met een wachtwoord beveiligd). Sla het op zonder wachtwoord.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            _odd_xlsx(f"onderdeel {name} is op een onbekende manier ingepakt")
        if info.file_size > limits.max_member_bytes:
            _refuse(
                f"Het Excel-bestand is uitgepakt te groot: onderdeel {name} is {_human_size(info.file_size)}, "
                f"hoogstens {_human_size(limits.max_member_bytes)} per onderdeel wordt ingelezen."
            )
        total += info.file_size
        if total > limits.max_unpacked_bytes:
            _refuse(
                f"Het Excel-bestand is uitgepakt te groot: samen meer dan {_human_size(limits.max_unpacked_bytes)}."
            )
        if info.file_size >= _RATIO_CHECKED_FROM and info.file_size > limits.max_compression_ratio * max(
            info.compress_size, 1
        ):
            _refuse(
                f"Het Excel-bestand is verdacht sterk ingepakt (onderdeel {name} meer dan "
                f"{limits.max_compression_ratio} keer) en wordt niet ingelezen."
            )
    return archive


class _SheetStats:
    """What the cells of one worksheet part would cost openpyxl, counted before it parses them."""

    def __init__(self):
        self.row_elements = 0
        self.last_row = 0  # of any row element, for numbering rows without their own number
        self.last_value_row = 0  # of a cell with a value: formatted empty rows below it are not read
        self.max_column = 0  # of a cell with a value
        self.value_cells = 0

    def check(self, limits: Limits) -> None:
        if self.last_value_row > limits.max_sheet_rows:
            _too_many_rows(limits)
        if self.max_column > limits.max_columns:
            _too_many_columns(limits)
        if self.value_cells > limits.max_cells or self.last_value_row * self.max_column > limits.max_cells:
            _too_many_cells(limits)

    @classmethod
    def union(cls, sheets: list[_SheetStats]) -> _SheetStats:
        stats = cls()
        for s in sheets:
            stats.last_value_row = max(stats.last_value_row, s.last_value_row)
            stats.max_column = max(stats.max_column, s.max_column)
            stats.value_cells = max(stats.value_cells, s.value_cells)
        return stats


_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?\d")


def _scan_part(name: str, stream, limits: Limits) -> _SheetStats | None:
    """A streaming (expat) pass over one XML part of an XLSX, in constant memory, before openpyxl
    parses anything: no DTD, at most max_xml_elements elements outside the cells, no shared string
    or cell text beyond max_cell_chars, rows and cells within Excel's own bounds. Returns the cell
    counts of a worksheet part (for the limits on the sheet that is read), else None.

    Inside <sheetData> the handlers are swapped for lean ones without an end handler: a cell takes
    three callbacks (<c>, <v>, its text), which keeps this pass cheaper than openpyxl's own."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    quoted_name = quoted(name)
    max_chars = limits.max_cell_chars
    sheet: _SheetStats | None = None
    elements = shared = chars = 0
    in_si = False
    row = row_elements = row_cells = column = 0
    marked = True  # the current cell was counted as holding a value

    def too_long():
        _refuse(f"Een cel in het Excel-bestand is langer dan {_n(max_chars)} tekens; meer wordt niet ingelezen.")

    def start(tag: str, attrs: dict) -> None:
        nonlocal elements, shared, chars, in_si, sheet
        local = tag[tag.rfind(" ") + 1 :]
        if local == "si":
            shared += 1
            if shared > limits.max_cells:
                _too_many_cells(limits)
            in_si, chars = True, 0
        if in_si:
            return
        elements += 1
        if elements > limits.max_xml_elements:
            _odd_xlsx(f"meer dan {_n(limits.max_xml_elements)} XML-elementen in {quoted_name}")
        if local == "sheetData":
            sheet = _SheetStats()
            parser.StartElementHandler = cell_start
            parser.EndElementHandler = None
            parser.CharacterDataHandler = cell_text

    def end(tag: str) -> None:
        nonlocal in_si
        if in_si and tag.endswith("si") and tag[tag.rfind(" ") + 1 :] == "si":
            in_si = False

    def text(data: str) -> None:
        nonlocal chars
        if in_si:
            chars += len(data)
            if chars > max_chars:
                too_long()

    # Inside <sheetData> (and, without an end handler, whatever follows it in the part).
    def cell_start(tag: str, attrs: dict) -> None:
        nonlocal row, row_elements, row_cells, column, marked, chars
        assert sheet is not None  # this handler is installed where <sheetData> begins, with the sheet
        local = tag[tag.rfind(" ") + 1 :]
        row_elements += 1
        if local == "c":
            row_cells += 1
            if row_cells > _EXCEL_MAX_COLUMN:
                _odd_xlsx(f"een rij in {quoted_name} heeft meer cellen dan een werkblad kolommen")
            ref = attrs.get("r")
            if ref is None:
                column += 1
            else:
                match = _CELL_REF.match(ref)
                if not match:
                    _unreadable_xlsx()
                column = 0
                for letter in match.group(1).upper():
                    column = column * 26 + ord(letter) - 64
            if column > _EXCEL_MAX_COLUMN:
                _odd_xlsx(f"kolom {column} ligt buiten het werkblad")
            marked, chars = False, 0
        elif local == "v" or local == "is":
            if not marked:  # the cell holds a value
                marked = True
                sheet.value_cells += 1
                sheet.max_column = max(sheet.max_column, column)
                sheet.last_value_row = max(sheet.last_value_row, row)
        elif local == "row":
            # openpyxl keeps every row element it has passed (emptied) until the part is done.
            sheet.row_elements += 1
            if sheet.row_elements > _EXCEL_MAX_ROW:
                _odd_xlsx(f"meer rijen in {quoted_name} dan een werkblad heeft")
            number = attrs.get("r")
            if number is None:
                row = sheet.last_row + 1
            else:
                try:
                    row = int(number)
                except ValueError:
                    _unreadable_xlsx()
            if not 1 <= row <= _EXCEL_MAX_ROW:
                _odd_xlsx(f"rij {row} ligt buiten het werkblad")
            sheet.last_row = max(sheet.last_row, row)
            row_elements = row_cells = column = 0
            marked = True
        elif row_elements > 8 * _EXCEL_MAX_COLUMN:
            _odd_xlsx(f"een rij in {quoted_name} bestaat uit te veel delen")

    def cell_text(data: str) -> None:
        nonlocal chars
        chars += len(data)
        if chars > max_chars:
            too_long()

    def doctype(*args) -> None:
        _odd_xlsx(f"onderdeel {quoted_name} heeft een DTD")

    def entity(*args) -> None:
        _odd_xlsx(f"onderdeel {quoted_name} definieert entiteiten")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        while chunk := stream.read(64 * 1024):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        _unreadable_xlsx()
    return sheet


def _scan_parts(archive: zipfile.ZipFile, limits: Limits) -> dict[str, _SheetStats]:
    """Every XML part streamed once before openpyxl parses any; the cell counts of each worksheet."""
    sheets: dict[str, _SheetStats] = {}
    for info in archive.infolist():
        if info.is_dir() or not info.file_size:
            continue
        try:
            with archive.open(info) as stream:
                head = stream.read(64)
                if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") and not head.startswith(
                    (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
                ):
                    continue  # not XML (an image, say): openpyxl does not parse it as a sheet either
                sheet = _scan_part(info.filename, _Prepended(head, stream), limits)
        except ImportRefused:
            raise
        except Exception:  # noqa: BLE001 - a bad CRC, a truncated member, a lying size
            _unreadable_xlsx()
        if sheet is not None:
            sheets[info.filename] = sheet
    return sheets


class _Prepended:
    """A stream with its first bytes, already read, put back in front."""

    def __init__(self, head: bytes, stream):
        self.head, self.stream = head, stream

    def read(self, size: int) -> bytes:
        if self.head:
            head, self.head = self.head, b""
            return head
        return self.stream.read(size)


def _cell_text(value) -> str:
    """A cell's value as text: dates dd-mm-jjjj, whole numbers without ".0", other numbers with a point."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return f"{value:%d-%m-%Y}"
        return f"{value:%d-%m-%Y %H:%M:%S}" if value.second else f"{value:%d-%m-%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d-%m-%Y}"
    if isinstance(value, time):
        return f"{value:%H:%M:%S}" if value.second else f"{value:%H:%M}"
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return str(value)


# ================================================================ survey tools, headings, identifying columns


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _key(text: str) -> str:
    """A heading as the identifying-column table knows it: lower case, without a remark in brackets
    ("E-mailadres (optioneel)") and without a trailing colon, question mark or asterisk."""
    key = re.sub(r"\s*[(\[][^)\]]*[)\]]", "", _norm(text))
    return key.strip(" :?*.")


_IDENTIFYING_HEADINGS: dict[str, tuple[str, ...]] = {
    "e-mailadres": (
        "email", "e-mail", "e-mailadres", "emailadres", "e-mail adres", "email address", "e-mail address",
        "emailaddress", "mailadres", "recipientemail", "recipient email", "je e-mailadres", "jouw e-mailadres",
        "uw e-mailadres", "your email", "your email address",
    ),
    "naam": (
        "naam", "name", "voornaam", "achternaam", "tussenvoegsel", "volledige naam", "voor- en achternaam",
        "full name", "first name", "last name", "firstname", "lastname", "surname", "recipientfirstname",
        "recipientlastname", "recipient first name", "recipient last name", "je naam", "jouw naam", "uw naam",
        "your name", "naam deelnemer", "naam respondent", "naam mentor", "wat is je naam", "wat is uw naam",
        "what is your name",
    ),
    "telefoonnummer": (
        "telefoon", "telefoonnummer", "telefoonnr", "mobiel", "mobiel nummer", "mobiele nummer", "06-nummer",
        "phone", "phone number", "telephone", "mobile", "mobile number", "je telefoonnummer",
        "uw telefoonnummer",
    ),
    "persoonsnummer": (
        "studentnummer", "student number", "student id", "personeelsnummer", "employee number", "employee id",
        "leerlingnummer", "bsn", "burgerservicenummer",
    ),
    "geboortedatum": ("geboortedatum", "date of birth", "birth date", "birthdate", "dob"),
    "adres": (
        "adres", "huisadres", "woonadres", "address", "home address", "postcode", "zip code", "zipcode",
    ),
    "IP-adres": ("ip", "ipaddress", "ip address", "ip-adres", "ip adres", "ipaddr"),
    "respondent-id": (
        "id", "response id", "responseid", "respondent id", "respondentid", "respondent-id", "respondent",
        "antwoord id", "antwoord-id", "token", "participant id",
    ),
    "externe referentie": (
        "externalreference", "external reference", "externaldatareference", "external data reference",
        "externe referentie",
    ),
    "tijdstip": (
        "timestamp", "tijdstempel", "startdate", "start date", "enddate", "end date", "recordeddate",
        "recorded date", "submitdate", "date submitted", "datestamp", "date last action", "date started",
        "start time", "completion time", "last modified time", "begintijd", "starttijd", "eindtijd",
        "tijd van voltooien", "tijd van laatste wijziging", "voltooiingstijd", "ingediend op", "submitted at",
        "submission time", "datum verstuurd", "datum gestart", "datum laatste actie",
    ),
    "locatie": (
        "locationlatitude", "locationlongitude", "locationaccuracy", "location latitude", "location longitude",
        "location accuracy", "latitude", "longitude", "breedtegraad", "lengtegraad",
    ),
    "metagegevens": (
        "status", "progress", "duration", "finished", "distributionchannel", "distribution channel",
        "userlanguage", "user language", "responseset", "response set", "lastpage", "last page",
        "laatste pagina", "startlanguage", "start language", "starttaal", "seed", "refurl", "referrer url",
        "verwijzende url", "interviewtime",
    ),
}
_IDENTIFYING = {heading: reason for reason, headings in _IDENTIFYING_HEADINGS.items() for heading in headings}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE_TIME = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}[ T]\d{1,2}:\d{2}")
# The values looked at per column to decide whether it is identifying by its content.
_CONTENT_SAMPLE = 200

# A LimeSurvey code (with subquestion), "G01Q01" or "G01Q02[SQ001]", and "code. text".
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(?:\[[A-Za-z0-9_#]+\])*$")
_CODE_TEXT = re.compile(r"^([A-Za-z][A-Za-z0-9_]*(?:\[[A-Za-z0-9_#]+\])*)\.\s+(\S.*)$", re.DOTALL)

_MS_FORMS = {
    "en": ({"id", "start time", "completion time", "email", "name", "last modified time"}, "completion time"),
    "nl": ({"id", "begintijd", "tijd van voltooien", "e-mail", "naam", "tijd van laatste wijziging"}, "tijd van voltooien"),
}
_FALSE = {"false", "0", "onwaar", "nee", "no"}


def _identifying_by_content(values: Iterable[str]) -> str | None:
    sample = [v.strip() for v in itertools.islice((v for v in values if v.strip()), _CONTENT_SAMPLE)]
    if not sample:
        return None
    half = len(sample) / 2
    if sum(1 for v in sample if _EMAIL.match(v)) > half:
        return "e-mailadres"
    if sum(1 for v in sample if _is_ip(v)) > half:
        return "IP-adres"
    if sum(1 for v in sample if _DATE_TIME.match(v)) > half:
        return "tijdstip"
    return None


def _is_ip(value: str) -> bool:
    if not (":" in value or value.count(".") == 3) or len(value) > 45:
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _detect_tool(first: list[str], second: list[str] | None, third: list[str] | None) -> tuple[str, int]:
    """The survey tool of a file and its number of header rows, from its first rows."""
    row1 = [_norm(c) for c in first]
    codes = {_norm(m.group(1)) if (m := _CODE_TEXT.match(c)) else c for c in row1}
    row2 = [_norm(c) for c in second] if second else []
    if row1 and row1[0] == "v1" and "responseid" in row2:
        return "Qualtrics (oud formaat)", 2
    if "responseid" in codes and codes & {"startdate", "finished", "status", "recordeddate"}:
        if third and any(c.replace(" ", "").startswith('{"importid"') for c in map(_norm, third)):
            return "Qualtrics", 3
        at = row1.index("responseid")
        if second and at < len(row2) and not re.match(r"^r_\w+$", row2[at]):
            return "Qualtrics", 2
        return "Qualtrics", 1
    if ("submitdate" in codes and codes & {"lastpage", "startlanguage", "seed", "datestamp"}) or (
        "date submitted" in codes and codes & {"last page", "start language", "seed"}
    ):
        return "LimeSurvey", 1
    if row1 and row1[0] in ("tijdstempel", "timestamp"):
        return "Google Forms", 1
    for known, required in _MS_FORMS.values():
        if required in codes and len(codes & known) >= 3:
            return "Microsoft Forms", 1
    return "Spreadsheet", 1


def _code_and_text(tool: str, headings: list[str]) -> tuple[str | None, str | None]:
    first = headings[0] if headings else ""
    if tool == "Qualtrics":
        return first or None, (headings[1] if len(headings) > 1 and headings[1] else None)
    if tool == "Qualtrics (oud formaat)":
        code = None if re.match(r"^V\d+$", first) else first or None
        return code, (headings[1] if len(headings) > 1 and headings[1] else None)
    if not first:
        return None, None
    if tool in ("Google Forms", "Microsoft Forms"):
        return None, first
    match = _CODE_TEXT.match(first)
    if match:
        return match.group(1), " ".join(match.group(2).split())
    if _CODE.match(first):
        return first, None
    return None, first


def _identifying_by_heading(tool: str, headings: list[str], code: str | None) -> str | None:
    for heading in [*headings, code or ""]:
        reason = _IDENTIFYING.get(_key(heading))
        if reason:
            return reason
    if tool.startswith("Qualtrics") and code and code.startswith("Q_"):
        return "metagegevens"  # Qualtrics' own fields (Q_RecaptchaScore, Q_RelevantIDDuplicate ...)
    return None


def _interpret(records: list[tuple[int, list[str]]], width: int, limits: Limits) -> SurveyFile:
    if len(records) * width > limits.max_cells:
        _too_many_cells(limits)
    first = records[0][1]
    second = records[1][1] if len(records) > 1 else None
    third = records[2][1] if len(records) > 2 else None
    tool, header_rows = _detect_tool(first, second, third)
    header_rows = min(header_rows, len(records))
    header, body = records[:header_rows], records[header_rows:]
    body = [(n, cells + [""] * (width - len(cells))) for n, cells in body]

    columns: list[Column] = []
    problems: list[str] = []
    problem_count = 0

    def problem(message: str) -> None:
        nonlocal problem_count
        problem_count += 1
        if len(problems) < MAX_LISTED_PROBLEMS:
            problems.append(message)

    for i in range(width):
        # The ImportId row of Qualtrics is machine text: kept in headings, not shown or matched.
        headings = [cells[i].strip() if i < len(cells) else "" for _, cells in header]
        shown = headings[:2] if tool.startswith("Qualtrics") else headings[:1]
        for (number, _), heading in zip(header, headings, strict=True):
            if _CONTROL.search(heading):
                problem(f"Rij {number}, kolom {_column_letter(i)}: de kop bevat een stuurteken.")
        code, text = _code_and_text(tool, [" ".join(h.split()) for h in shown])
        descriptive = [h for h in shown if h]
        name = " ".join(descriptive[-1].split()) if descriptive else f"Kolom {_column_letter(i)}"
        reason = _identifying_by_heading(tool, shown, code)
        if reason is None:
            reason = _identifying_by_content(cells[i] for _, cells in body)
        columns.append(Column(i, name, headings, code, text, reason))

    unfinished_at, unfinished_reason = _unfinished_column(tool, columns)
    identifying = [c.index for c in columns if c.identifying]
    kept = [c.index for c in columns if not c.identifying]
    rows: list[tuple[int, list[str]]] = []
    unfinished = 0
    for number, cells in body:
        if unfinished_at is not None and _is_unfinished(tool, cells[unfinished_at]):
            unfinished += 1
            continue
        if not any(cells[i].strip() for i in kept):
            continue  # no answers: the row is empty, whatever its timestamps say
        for i in identifying:
            cells[i] = ""
        if _CONTROL.search("\n".join(cells)):
            for i in kept:
                if _CONTROL.search(cells[i]):
                    problem(
                        f"Rij {number}, kolom {quoted(columns[i].name)}: de cel bevat een stuurteken "
                        "(zoals NUL); verwijder het en probeer het opnieuw."
                    )
        rows.append((number, cells))
        if len(rows) > limits.max_rows:
            _refuse(
                f"Het bestand heeft meer dan {_n(limits.max_rows)} rijen met antwoorden; "
                "dat is te veel voor één bijeenkomst."
            )
    if problems:
        raise ImportRefused(problems, total=problem_count)
    return SurveyFile(
        tool=tool,
        file_type="",
        encoding=None,
        separator=None,
        header_rows=header_rows,
        columns=columns,
        rows=rows,
        unfinished=unfinished,
        unfinished_reason=unfinished_reason if unfinished else None,
        content_hash="",
    )


def _unfinished_column(tool: str, columns: list[Column]) -> tuple[int | None, str | None]:
    for c in columns:
        keys = {_key(h) for h in c.headings[:2]} | {_key(c.code or "")}
        if tool == "LimeSurvey" and keys & {"submitdate", "date submitted"}:
            return c.index, f"LimeSurvey: {quoted(c.headings[0])} is leeg"
        if tool.startswith("Qualtrics") and "finished" in keys:
            return c.index, "Qualtrics: ‘Finished’ is niet waar"
    return None, None


def _is_unfinished(tool: str, value: str) -> bool:
    if tool == "LimeSurvey":
        return not value.strip()
    return _norm(value) in _FALSE
