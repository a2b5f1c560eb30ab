"""Import of participant answers from an external survey tool, and export of answers and results.

Import: one CSV (';' or ',', UTF-8 with or without BOM) or XLSX file for one session, into the
session's applicable participant questionnaire version. Each question is read from one column
(by default the column headed with the question's text or code, case-insensitive). Every row is
checked with the same rules as the online form (evaluaties.answers.parse_answers); when any row
is wrong the whole file is refused with every row number and reason, and nothing is saved.

Export: answers (one row per response, one column per question; no link or token, nothing that
leads to a participant) and results (the aggregates of evaluaties.results, with the small-group
threshold applied) as CSV (UTF-8 with BOM, ';', for Dutch Excel) and XLSX.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import Session

from evaluaties import questionnaires
from evaluaties.answers import display_value, field_name, parse_answers
from evaluaties.models import (
    Answer,
    Audience,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
    Response,
    ResponseSource,
)
from evaluaties.results import ResultSet
from kwaliteit.scope import Forbidden, Scope
from kwaliteit.sqldates import school_year_label, school_year_of
from kwaliteit.trainings.models import Training, TrainingSession
from kwaliteit.trainings.services import get_session, get_training
from kwaliteit.validation import ValidationError

# More rows than this is not the answers of one session.
MAX_IMPORT_ROWS = 5000
# The row errors reported; beyond this only their number.
MAX_REPORTED_ERRORS = 200

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ================================================================ import


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
class ImportResult:
    session: TrainingSession
    version: QuestionnaireVersion
    count: int
    columns: dict[str, str]  # question code -> the column it was read from


def _norm(name) -> str:
    return " ".join(str(name or "").split()).casefold()


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


def _columns(version: QuestionnaireVersion, header: list[str], mapping: dict[str, str] | None) -> tuple[dict[str, int], list[str]]:
    """Column index per question code, and the errors of the mapping."""
    positions: dict[str, int] = {}
    for i, name in enumerate(header):
        positions.setdefault(_norm(name), i)
    mapping = mapping or {}
    found: dict[str, int] = {}
    errors: list[str] = []
    listed = ", ".join(f"‘{h.strip()}’" for h in header if h.strip()) or "geen"
    for q in version.questions:
        chosen = (mapping.get(q.code) or "").strip()
        if chosen and _norm(chosen) not in (_norm(q.text), _norm(q.code)):
            # A column named by the user must be there.
            if _norm(chosen) not in positions:
                errors.append(
                    f"Kolom ‘{chosen}’ (voor vraag ‘{q.text}’) staat niet in het bestand. Kolommen in het bestand: {listed}."
                )
                continue
            found[q.code] = positions[_norm(chosen)]
            continue
        # The default: the column headed with the question's text, else with its code.
        for candidate in (chosen, q.text, q.code):
            if candidate and _norm(candidate) in positions:
                found[q.code] = positions[_norm(candidate)]
                break
        else:
            if q.required:
                errors.append(
                    f"Geen kolom gevonden voor de verplichte vraag ‘{q.text}’ (code {q.code}). "
                    f"Geef aan welke kolom de antwoorden bevat. Kolommen in het bestand: {listed}."
                )
    return found, errors


def default_mapping(version: QuestionnaireVersion) -> dict[str, str]:
    """The column name proposed for each question: its text."""
    return {q.code: q.text for q in version.questions}


def import_responses(
    db: Session,
    scope: Scope,
    session_id: int,
    filename: str,
    data: bytes,
    mapping: dict[str, str] | None,
    today: date,
    max_bytes: int,
) -> ImportResult:
    """Read a file of participant answers for one session; all rows or none.

    Raises Forbidden/NotFound (scope), ValidationError (cancelled session, no questionnaire) or
    ImportRefused (the file or any of its rows); adds nothing to `db` unless every row is good.
    """
    if not scope.may_manage():
        raise Forbidden()
    ts = get_session(db, scope, session_id)
    if ts.cancelled_at is not None:
        raise ValidationError("Deze bijeenkomst is geannuleerd: er worden geen antwoorden ingelezen.")
    version = questionnaires.applicable_version(db, ts.training_id, Audience.PARTICIPANT)
    if version is None:
        raise ValidationError("Er is geen gepubliceerde deelnemersvragenlijst voor deze training.")

    rows = read_table(filename, data, max_bytes)
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ImportRefused(["De eerste rij van het bestand moet de kolomnamen bevatten; die rij is leeg."])
    header, body = rows[0], rows[1:]
    if len(body) > MAX_IMPORT_ROWS:
        raise ImportRefused([f"Het bestand heeft meer dan {MAX_IMPORT_ROWS} rijen met antwoorden; dat is te veel voor één bijeenkomst."])
    columns, errors = _columns(version, header, mapping)
    if errors:
        raise ImportRefused(errors)

    by_name = {field_name(q): q for q in version.questions}
    responses: list[Response] = []
    row_errors: list[str] = []
    for number, row in enumerate(body, start=2):  # row 1 is the header, as a spreadsheet counts
        if not any((cell or "").strip() for cell in row):
            continue  # an empty line is no answer
        raw = {
            field_name(q): (row[i] if i < len(row) else "")
            for q in version.questions
            if (i := columns.get(q.code)) is not None
        }
        answers, problems = parse_answers(version, raw)
        if problems:
            row_errors.extend(f"Rij {number}: {by_name[name].text}: {message}" for name, message in problems.items())
            continue
        responses.append(
            Response(
                session_id=ts.id,
                version_id=version.id,
                audience=Audience.PARTICIPANT,
                source=ResponseSource.IMPORT,
                submitted_on=today,
                answers=answers,
            )
        )
    if row_errors:
        raise ImportRefused(row_errors)
    if not responses:
        raise ImportRefused(["Het bestand bevat geen antwoorden (alleen de kopregel)."])
    db.add_all(responses)
    db.flush()
    return ImportResult(ts, version, len(responses), {code: header[i] for code, i in columns.items()})


# ================================================================ export: writing files


def _safe_text(value: str) -> str:
    """A text that a spreadsheet would run as a formula gets a leading apostrophe (CSV)."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def to_csv(header: list[str], rows: list[list]) -> bytes:
    """UTF-8 with BOM and ';' as Dutch Excel opens it directly."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_safe_text(str(h)) for h in header])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_cell(v):
    if v is None:
        return ""
    if isinstance(v, str):
        return _safe_text(v)
    if isinstance(v, float):  # a decimal comma, as Dutch Excel reads a number
        return f"{v:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    if isinstance(v, date):
        return f"{v:%d-%m-%Y}"
    return v


def to_xlsx(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """An XLSX with one sheet per (title, header, rows); texts are never formulas."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title[:31])
        for col, h in enumerate(header, start=1):
            cell = ws.cell(row=1, column=col, value=str(h))
            cell.data_type = "s"
            cell.font = bold
        for r, row in enumerate(rows, start=2):
            for col, v in enumerate(row, start=1):
                if v is None:
                    continue
                if isinstance(v, str):
                    # openpyxl stores a text starting with '=' as a formula: keep it a text.
                    cell = ws.cell(row=r, column=col, value=v)
                    cell.data_type = "s"
                else:
                    ws.cell(row=r, column=col, value=v)
        ws.freeze_panes = "A2"
        for col, h in enumerate(header, start=1):
            ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = min(60, max(10, len(str(h)) + 2))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ================================================================ export: answers


class TooFewAnswers(ValidationError):
    """Fewer participant responses than the small-group threshold: the answers stay inside."""


SOURCE_LABELS = {ResponseSource.LINK: "link", ResponseSource.IMPORT: "import", ResponseSource.TRAINER: "trainer"}


@dataclass
class AnswerTable:
    title: str  # what the table holds, for the file name and sheet
    header: list[str]
    rows: list[list]


def answers_table(
    db: Session,
    scope: Scope,
    *,
    session_id: int | None = None,
    training_id: int | None = None,
    audience: Audience = Audience.PARTICIPANT,
    min_shown: int = 5,
) -> AnswerTable:
    """The answers of one session or one training: one row per response, one column per
    question (added up over versions by code). Three statements, whatever the data size.

    Participant answers are exported only from `min_shown` responses on (small-group privacy):
    fewer raise TooFewAnswers. No link, token or response id leaves the application.
    """
    if (session_id is None) == (training_id is None):
        raise ValueError("Give a session or a training.")
    if session_id is not None:
        ts = get_session(db, scope, session_id)
        where = Response.session_id == ts.id
        title = f"{ts.training.title} {ts.date:%d-%m-%Y}"
    else:
        training = get_training(db, scope, training_id)
        where = TrainingSession.training_id == training.id
        title = training.title

    responses = db.execute(
        select(
            Response.id,
            Response.version_id,
            Response.source,
            Response.submitted_on,
            TrainingSession.date,
            Training.title,
            Questionnaire.id,
            Questionnaire.title,
            QuestionnaireVersion.number,
        )
        .join(TrainingSession, TrainingSession.id == Response.session_id)
        .join(Training, Training.id == TrainingSession.training_id)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Response.version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(where, Response.audience == audience)
        .order_by(TrainingSession.date, TrainingSession.id, Response.submitted_on, Response.id)
    ).all()
    if not responses:
        raise TooFewAnswers("Er zijn nog geen antwoorden om te exporteren.")
    if audience is Audience.PARTICIPANT and len(responses) < min_shown:
        raise TooFewAnswers(
            f"Er zijn {len(responses)} antwoorden; een export van deelnemersantwoorden kan vanaf "
            f"{min_shown} antwoorden, zodat niemand te herkennen is."
        )

    answer_rows = db.execute(
        select(Answer.response_id, Answer.question_id, Answer.value_int, Answer.value_text)
        .join(Response, Response.id == Answer.response_id)
        .join(TrainingSession, TrainingSession.id == Response.session_id)
        .where(where, Response.audience == audience)
    ).all()
    version_ids = sorted({r[1] for r in responses})
    questions = db.execute(
        select(Question, QuestionnaireVersion.questionnaire_id, QuestionnaireVersion.number)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Question.version_id)
        .where(Question.version_id.in_(version_ids))
    ).all()

    # Columns per (questionnaire, code), worded and ordered as in the latest version answered.
    by_id: dict[int, Question] = {}
    column_of: dict[int, tuple[int, str]] = {}
    latest: dict[tuple[int, str], tuple[int, Question]] = {}
    for question, questionnaire_id, number in questions:
        by_id[question.id] = question
        key = (questionnaire_id, question.code)
        column_of[question.id] = key
        if key not in latest or number > latest[key][0]:
            latest[key] = (number, question)
    titles = {r[6]: r[7] for r in responses}
    keys = sorted(latest, key=lambda k: (titles[k[0]], k[0], latest[k][1].position, k[1]))
    several = len(titles) > 1
    header_of = {
        k: f"{latest[k][1].text} ({titles[k[0]]})" if several else latest[k][1].text for k in keys
    }
    index = {k: i for i, k in enumerate(keys)}

    values: dict[int, list] = {r[0]: [None] * len(keys) for r in responses}
    for response_id, question_id, value_int, value_text in answer_rows:
        question = by_id[question_id]
        v = display_value(question, SimpleNamespace(value_int=value_int, value_text=value_text))
        if question.type is QuestionType.SCALE and value_int is not None:
            v = value_int
        values[response_id][index[column_of[question_id]]] = v

    header = ["Training", "Datum bijeenkomst", "Schooljaar", "Vragenlijst", "Versie", "Bron", "Ingevuld op"]
    header += [header_of[k] for k in keys]
    rows = [
        [
            training_title,
            session_date,
            school_year_label(school_year_of(session_date)),
            questionnaire_title,
            number,
            SOURCE_LABELS.get(source, source.value),
            submitted_on,
            *values[response_id],
        ]
        for response_id, _v, source, submitted_on, session_date, training_title, _q, questionnaire_title, number in responses
    ]
    return AnswerTable(title, header, rows)


def answers_csv(table: AnswerTable) -> bytes:
    return to_csv(table.header, table.rows)


def answers_xlsx(table: AnswerTable) -> bytes:
    return to_xlsx([("Antwoorden", table.header, table.rows)])



# ================================================================ export: results


RESULT_HEADER = [
    "Vragenlijst", "Code", "Vraag", "Soort", "Waarborg", "Aantal antwoorden", "Gemiddelde",
    "Aantal 1", "Aantal 2", "Aantal 3", "Aantal 4", "Aantal 5", "Ja (%)", "Nee (%)", "Verdeling", "Opmerking",
]


def results_rows(rs: ResultSet) -> list[list]:
    """One row per question; below the small-group threshold only the count."""
    rows = []
    for r in rs.results:
        row = [r.questionnaire_title, r.code, r.text, r.type.label, r.safeguard_code or "", r.count]
        if not r.shown:
            rows.append(row + [None] * 8 + [None, f"Minder dan {rs.min_shown} antwoorden: alleen het aantal."])
            continue
        mean = round(r.mean, 2) if r.mean is not None else None
        scale = [r.counts.get(v, 0) for v in range(1, 6)] if r.type is QuestionType.SCALE else [None] * 5
        yes = round(r.yes_pct, 1) if r.yes_pct is not None else None
        no = round(r.no_pct, 1) if r.no_pct is not None else None
        spread = "; ".join(f"{b.label}: {b.count}" for b in r.distribution)
        rows.append(row + [mean, *scale, yes, no, spread, ""])
    return rows


def open_answer_rows(rs: ResultSet) -> list[list]:
    return [
        [r.questionnaire_title, r.code, r.text, a.training_title, a.session_date, a.text]
        for r in rs.results
        for a in r.open_answers
    ]


def results_csv(rs: ResultSet) -> bytes:
    return to_csv(RESULT_HEADER, results_rows(rs))


def results_xlsx(rs: ResultSet) -> bytes:
    return to_xlsx(
        [
            ("Resultaten", RESULT_HEADER, results_rows(rs)),
            ("Open antwoorden", ["Vragenlijst", "Code", "Vraag", "Training", "Datum bijeenkomst", "Antwoord"],
             open_answer_rows(rs)),
        ]
    )
