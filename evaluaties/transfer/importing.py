"""Import of participant answers from an external survey tool, for one session, all or nothing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from evaluaties.answers.models import Response, ResponseSource
from evaluaties.answers.parsing import field_name, parse_answers
from evaluaties.questionnaires import services as questionnaires
from evaluaties.questionnaires.models import (
    Audience,
    QuestionnaireVersion,
)
from evaluaties.transfer.reading import MAX_IMPORT_ROWS, ImportRefused, read_table
from kwaliteit.scope import Forbidden, Scope
from kwaliteit.trainings.models import TrainingSession
from kwaliteit.trainings.services import get_session
from kwaliteit.validation import ValidationError


# More rows than this is not the answers of one session.
@dataclass
class ImportResult:
    session: TrainingSession
    version: QuestionnaireVersion
    count: int
    columns: dict[str, str]  # question code -> the column it was read from


def _norm(name) -> str:
    return " ".join(str(name or "").split()).casefold()


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


