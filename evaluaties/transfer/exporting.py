"""Export of answers (one row per response, nothing that leads to a participant) and of results
(the aggregates, with the small-group threshold applied) as CSV (UTF-8 with BOM, ';') and XLSX.

Both read only released responses (evaluaties.results.anonymity); an answers export says neither
where a row came from (link or import) nor when it was given, and lists its rows in an order that
follows from the session and the row's own values."""
from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evaluaties.answers.models import Answer, Response
from evaluaties.answers.parsing import display_value
from evaluaties.questionnaires.models import (
    GRADE_FACTOR,
    Audience,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
)
from evaluaties.results import anonymity
from evaluaties.results.services import ResultSet
from kwaliteit.scope import Scope
from kwaliteit.sqldates import school_year_label, school_year_of
from kwaliteit.trainings.models import Training, TrainingSession
from kwaliteit.trainings.services import get_session, get_training
from kwaliteit.validation import ValidationError

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


# Excel refuses these in a sheet's name, and a name of more than 31 characters, or one that begins
# or ends with an apostrophe; two sheets may not share a name in any case.
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})
SHEET_NAME_MAX = 31


def sheet_names(titles: list[str]) -> list[str]:
    """The sheet name for each title: forbidden characters made spaces, at most 31 characters,
    unique (a number added to a repeat), never empty."""
    taken: set[str] = set()
    names = []
    for title in titles:
        shown = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in title.translate(_SHEET_FORBIDDEN))
        base = " ".join(shown.split()).strip("'").strip()[:SHEET_NAME_MAX]
        base = base.strip("'").strip() or "Blad"
        name, n = base, 2
        while name.lower() in taken:
            suffix = f" {n}"
            name, n = base[: SHEET_NAME_MAX - len(suffix)].rstrip() + suffix, n + 1
        taken.add(name.lower())
        names.append(name)
    return names


def to_xlsx(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """An XLSX with one sheet per (title, header, rows); texts are never formulas. A title becomes
    a valid sheet name (sheet_names)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for name, (_title, header, rows) in zip(sheet_names([t for t, _h, _r in sheets]), sheets, strict=True):
        ws = wb.create_sheet(name)
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


@dataclass
class AnswerTable:
    title: str  # what the table holds, for the file name and sheet
    header: list[str]
    rows: list[list]


# Each response's group row, for the release rule (anonymity.GroupJoin).
_EXPORT_GROUP = anonymity.group_join(Response)


def _released_responses(*columns):
    """SELECT `columns` from the responses with their session, training and group row joined:
    `_EXPORT_GROUP.condition` then says which are released."""
    return _EXPORT_GROUP.join(
        select(*columns)
        .select_from(Response)
        .join(TrainingSession, TrainingSession.id == Response.session_id)
        .join(Training, Training.id == TrainingSession.training_id),
        Training.partnership_id,
    )


def answers_table(
    db: Session,
    scope: Scope,
    *,
    session_id: int | None = None,
    training_id: int | None = None,
    audience: Audience = Audience.PARTICIPANT,
    min_shown: int = anonymity.DEFAULT_MIN_SHOWN,
) -> AnswerTable:
    """The answers of one session or one training: one row per response, one column per
    question (added up over versions by code). Three statements, whatever the data size.

    Only released responses are exported (the release rule of evaluaties.results.anonymity: per
    session, source and version, from `min_shown` responses on), also inside a training: nothing
    released raises TooFewAnswers.
    No link, token, response id, source or moment of submission leaves the application; rows are
    ordered by session date, session, then their own values (anonymity.row_order_key).
    """
    if (session_id is None) == (training_id is None):
        raise ValueError("Give a session or a training.")
    if session_id is not None:
        ts = get_session(db, scope, session_id)
        where = Response.session_id == ts.id
        title = f"{ts.training.title} {ts.date:%d-%m-%Y}"
    else:
        assert training_id is not None  # one of the two, checked above
        training = get_training(db, scope, training_id)
        where = TrainingSession.training_id == training.id
        title = training.title

    selection = (where, Response.audience == audience, _EXPORT_GROUP.condition(min_shown))
    responses = db.execute(
        _released_responses(
            Response.id,
            Response.version_id,
            TrainingSession.id,
            TrainingSession.date,
            Training.title,
            Questionnaire.id,
            Questionnaire.title,
            QuestionnaireVersion.number,
        )
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Response.version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(*selection)
    ).all()
    if not responses:
        given = db.scalar(
            select(func.count(Response.id))
            .join(TrainingSession, TrainingSession.id == Response.session_id)
            .where(where, Response.audience == audience)
        )
        if not given:
            raise TooFewAnswers("Er zijn nog geen antwoorden om te exporteren.")
        raise TooFewAnswers(
            f"Er zijn nog geen antwoorden om te exporteren: een export van deelnemersantwoorden kan vanaf "
            f"{min_shown} antwoorden per bijeenkomst ({anonymity.SEPARATE_GROUPS}), zodat niemand te "
            "herkennen is."
        )

    answer_rows = db.execute(
        _released_responses(Answer.response_id, Answer.question_id, Answer.value_int, Answer.value_text)
        .join(Answer, Answer.response_id == Response.id)
        .where(*selection)
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
    titles = {r[5]: r[6] for r in responses}
    keys = sorted(latest, key=lambda k: (titles[k[0]], k[0], latest[k][1].position, k[1]))
    several = len(titles) > 1
    header_of = {
        k: f"{latest[k][1].text} ({titles[k[0]]})" if several else latest[k][1].text for k in keys
    }
    index = {k: i for i, k in enumerate(keys)}

    values: dict[int, list] = {r[0]: [None] * len(keys) for r in responses}
    for response_id, question_id, value_int, value_text in answer_rows:
        question = by_id[question_id]
        # Duck-typed: display_value reads only value_int and value_text of the answer.
        answer = SimpleNamespace(value_int=value_int, value_text=value_text)
        v: str | int | float = display_value(question, answer)  # type: ignore[arg-type]
        if question.type is QuestionType.SCALE and value_int is not None:
            v = value_int
        elif question.type is QuestionType.GRADE and value_int is not None:
            v = value_int / GRADE_FACTOR  # a number with its decimal: 7.5 (CSV: "7,5")
        values[response_id][index[column_of[question_id]]] = v

    header = ["Training", "Datum bijeenkomst", "Schooljaar", "Vragenlijst", "Versie"]
    header += [header_of[k] for k in keys]
    ordered = sorted(
        responses,
        key=lambda r: anonymity.row_order_key(r[3], r[2], values[r[0]], r[6], r[7]),
    )
    rows = [
        [
            training_title,
            session_date,
            school_year_label(school_year_of(session_date)),
            questionnaire_title,
            number,
            *values[response_id],
        ]
        for response_id, _v, _s, session_date, training_title, _q, questionnaire_title, number in ordered
    ]
    return AnswerTable(title, header, rows)


def answers_csv(table: AnswerTable) -> bytes:
    return to_csv(table.header, table.rows)


def answers_xlsx(table: AnswerTable) -> bytes:
    return to_xlsx([("Antwoorden", table.header, table.rows)])



# ================================================================ export: results


RESULT_HEADER = [
    "Vragenlijst", "Code", "Vraag", "Soort", "Waarborg", "Aantal antwoorden", "Gemiddelde",
    "Aantal 1", "Aantal 2", "Aantal 3", "Aantal 4", "Aantal 5", "Ja (%)", "Nee (%)", "Voldoende (%)",
    "Verdeling", "Opmerking",
]
# The type-specific note of a result row that is shown.
RESULT_NOTES = {
    QuestionType.GRADE: "Gemiddelde op 1–10; verdeling per heel cijfer (5,5 telt als 6); voldoende: 5,5 of hoger.",
    QuestionType.MULTI: "Meerdere keuzes mogelijk: per keuze het aantal en het aandeel van de antwoorders "
    "(samen meer dan 100%).",
}


def _spread(r) -> str:
    if r.type is QuestionType.MULTI:
        return "; ".join(f"{b.label}: {b.count} ({round(b.pct)}%)" for b in r.distribution)
    return "; ".join(f"{b.label}: {b.count}" for b in r.distribution)


def results_rows(rs: ResultSet) -> list[list]:
    """One row per question; below the small-group threshold only the count."""
    rows = []
    for r in rs.results:
        row = [r.questionnaire_title, r.code, r.text, r.type.label, r.safeguard_code or "", r.count]
        if not r.shown:
            rows.append(row + [None] * 9 + [None, f"Minder dan {rs.min_shown} antwoorden: alleen het aantal."])
            continue
        mean = round(r.mean, 2) if r.mean is not None else None
        scale = [r.counts.get(v, 0) for v in range(1, 6)] if r.type is QuestionType.SCALE else [None] * 5
        yes = round(r.yes_pct, 1) if r.yes_pct is not None else None
        no = round(r.no_pct, 1) if r.no_pct is not None else None
        sufficient = round(r.sufficient_pct, 1) if r.sufficient_pct is not None else None
        rows.append(row + [mean, *scale, yes, no, sufficient, _spread(r), RESULT_NOTES.get(r.type, "")])
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
