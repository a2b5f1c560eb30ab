"""Reading an uploaded file (CSV or XLSX) into rows of text."""
from __future__ import annotations

import csv
import io
from datetime import date

# More rows than this is not the answers of one session.
MAX_IMPORT_ROWS = 5000
# The row errors reported; beyond this only their number.
MAX_REPORTED_ERRORS = 200

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


MAX_IMPORT_ROWS = 5000
# The row errors reported; beyond this only their number.
MAX_REPORTED_ERRORS = 200

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def _human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB".replace(".0 MB", " MB").replace(".", ",")
    if n >= 1024:
        return f"{n // 1024} kB"
    return f"{n} bytes"


def _extension(filename: str) -> str:
    name = (filename or "").strip().lower()
    return name.rsplit(".", 1)[1] if "." in name else ""


def read_table(filename: str, data: bytes, max_bytes: int) -> list[list[str]]:
    """The rows of a CSV or XLSX file as strings, the header first; ImportRefused when the file
    is too large, empty, of another type or unreadable."""
    if len(data) > max_bytes:
        raise ImportRefused([f"Het bestand is te groot: het mag hoogstens {_human_size(max_bytes)} zijn."])
    if not data:
        raise ImportRefused(["Het bestand is leeg."])
    ext = _extension(filename)
    is_zip = data[:4] == b"PK\x03\x04"
    if ext == "xlsx":
        if not is_zip:
            raise ImportRefused(["Het bestand heet .xlsx maar is geen Excel-bestand (XLSX)."])
        return _read_xlsx(data)
    if ext in ("csv", "txt"):
        if is_zip or b"\x00" in data[:4096]:
            raise ImportRefused(["Het bestand heet .csv maar is geen tekstbestand. Kies een CSV- of XLSX-bestand."])
        return _read_csv(data)
    shown = f".{ext}" if ext else "zonder extensie"
    hint = " Sla een .xls-bestand in Excel eerst op als .xlsx." if ext == "xls" else ""
    raise ImportRefused([f"Alleen CSV- en XLSX-bestanden kunnen worden ingelezen (dit bestand: {shown}).{hint}"])


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused([
            "Het CSV-bestand is niet in UTF-8 opgeslagen. Kies in Excel ‘Opslaan als’ → "
            "‘CSV UTF-8 (door komma's gescheiden)’ en probeer het opnieuw."
        ]) from None
    first_line = text.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        delimiter = ";"
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise ImportRefused([f"Het CSV-bestand kan niet worden gelezen: {exc}."]) from None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return f"{value:%d-%m-%Y}"
    return str(value)


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # an untrusted file: whatever openpyxl stumbles over, the answer is the same
        raise ImportRefused(["Het Excel-bestand kan niet worden gelezen. Is het een geldig .xlsx-bestand?"]) from None
    try:
        ws = wb.worksheets[0] if wb.worksheets else None
        if ws is None:
            raise ImportRefused(["Het Excel-bestand heeft geen werkblad."])
        rows = []
        for values in ws.iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in values])
            if len(rows) > MAX_IMPORT_ROWS + 1:
                break
        return rows
    finally:
        wb.close()


