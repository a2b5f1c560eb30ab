"""Import of participant answers from a survey tool's export: the two-step import wizard.

1. `start_import` reads the upload (reading.read_survey), refuses a file that this session has
   imported before, and keeps what the preview needs as an ImportDraft: the file without its
   identifying columns. The uploaded bytes are never stored.
2. `preview` proposes per question a column (a saved mapping with the same headings, else the
   question's code, else its text) and per value what it maps to; the coordinator's `Choices`
   override both. Nothing is saved.
3. `confirm_import` checks every row with parse_answers (the online form's rules) and saves all
   rows or none, with bulk inserts, in the caller's transaction.

A draft belongs to the user who uploaded it. For anyone else it does not exist (NotFound, 404),
also for an admin or another coordinator of the partnership: it holds answers nobody has decided
to import yet. The session's scope is checked first, so another partnership's session stays 403.
"""

from __future__ import annotations

import hashlib
import logging
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace
from datetime import date, datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from evaluaties.answers.models import Answer, Response, ResponseSource
from evaluaties.answers.parsing import NO, YES, field_name, parse_answers, parse_value
from evaluaties.questionnaires import services as questionnaires
from evaluaties.questionnaires.models import (
    MULTI_SEPARATOR,
    Audience,
    Question,
    QuestionnaireVersion,
    QuestionType,
)
from evaluaties.results import tally
from evaluaties.transfer import reading
from evaluaties.transfer.models import (
    DRAFT_LIFETIME,
    MAX_DRAFTS_PER_USER,
    MAX_TOOL_LENGTH,
    ImportBatch,
    ImportDraft,
    ImportMapping,
)
from evaluaties.transfer.reading import ImportRefused
from kwaliteit import limits
from kwaliteit.audit.models import AuditAction
from kwaliteit.audit.recording import record
from kwaliteit.db import bulk_insert, rowcount
from kwaliteit.filters import nl_date
from kwaliteit.limits import QUOTED, cut, quoted
from kwaliteit.scope import Forbidden, NotFound, Scope, check_id
from kwaliteit.trainings.models import Training, TrainingSession
from kwaliteit.trainings.services import get_session, lock_session
from kwaliteit.validation import ValidationError, check_text

logger = logging.getLogger(__name__)

# Messages stay readable whatever the file, by the reader's rules (one definition): at most
# MAX_LISTED_PROBLEMS row errors shown, then their number; columns listed by column_list (at most
# MAX_LISTED_COLUMNS); a quoted value cut by kwaliteit.limits.cut.
MAX_ROW_ERRORS = reading.MAX_LISTED_PROBLEMS
# Distinct values offered for mapping per question (the most frequent); the rest map by default.
MAX_SHOWN_VALUES = 30
EXAMPLES = 3
# Identifying columns named in the preview; beyond this only their number.
MAX_LISTED_IGNORED = 50
# Up to this many columns a question's column is chosen from a list; a wider file (LimeSurvey can
# export well over a thousand) gets a text box for the letter or heading, or the page would hold
# the whole list once per question.
MAX_LISTED_CHOICES = 100
# A value longer than this is no scale, choice or grade answer: it is never kept in a mapping.
MAX_MAPPED_VALUE_LENGTH = 200

# Targets of a value mapping besides the question's own canonical values.
UNCHANGED = ""  # the value goes to parse_value as it is (and is refused there when it is wrong)
NO_ANSWER = "-"  # the value counts as no answer

# Choice of saved mapping in the preview.
AUTO = "auto"
NONE = "geen"

MAPPED_TYPES = frozenset(
    {QuestionType.SCALE, QuestionType.YES_NO, QuestionType.CHOICE, QuestionType.GRADE, QuestionType.MULTI}
)

# Agreement wordings of survey tools for a 1-5 scale, by their words only (see _words).
_AGREEMENT_WORDINGS = {
    5: "helemaal mee eens|helemaal eens|volledig mee eens|volledig eens|zeer mee eens|zeer eens|"
    "strongly agree|completely agree",
    4: "mee eens|eens|agree|somewhat agree|enigszins eens|enigszins mee eens",
    3: "neutraal|neutral|niet eens niet oneens|niet mee eens niet mee oneens|noch eens noch oneens|"
    "neither agree nor disagree|neutraal niet eens niet oneens",
    2: "oneens|mee oneens|niet mee eens|disagree|somewhat disagree|enigszins oneens|enigszins mee oneens",
    1: "helemaal oneens|helemaal mee oneens|helemaal niet mee eens|volledig oneens|volledig mee oneens|"
    "zeer oneens|zeer mee oneens|strongly disagree|completely disagree",
}
AGREEMENT = {wording: n for n, wordings in _AGREEMENT_WORDINGS.items() for wording in wordings.split("|")}
YES_WORDS = YES | {"ja", "yes", "waar", "true", "wel"}
NO_WORDS = NO | {"nee", "no", "onwaar", "false", "niet"}
# "4 - Eens", "4. Eens", "4: Eens", "4) Eens", "4 Eens", "4": a leading number and the rest.
LEADING_NUMBER = re.compile(r"\s*([0-9]{1,2})(?:\s*[-–—.:)]\s*|\s+|$)(.*)", re.DOTALL)
# A grade at the start of a value, with a decimal comma or point: "7,5", "8 - Goed".
LEADING_GRADE = re.compile(r"\s*([0-9]{1,2}(?:[.,][0-9]+)?)(?:\s*[-–—:)]|\s|$)")
# Qualtrics adds this to the heading of a choice question's column.
QUALTRICS_SUFFIX = " - selected choice"


def norm_text(text: str | None) -> str:
    """For matching headings with question texts: case, spacing and end punctuation ignored."""
    text = " ".join((text or "").split()).casefold()
    return text.removesuffix(QUALTRICS_SUFFIX).rstrip(" .?!:;…*")


def _words(text: str) -> str:
    """Only the words: "Niet eens/niet oneens" and "niet eens, niet oneens" are the same."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def column_letter(index: int) -> str:
    """The column as a spreadsheet names it: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ---------------------------------------------------------------- the file, as a draft keeps it


@dataclass
class FileColumn:
    """A non-identifying column of the file."""

    position: int  # index into every stored row
    letter: str  # as the spreadsheet names it (A, B, ..., AA), counted over all columns
    name: str
    headings: list[str]
    code: str | None = None
    text: str | None = None

    @property
    def label(self) -> str:
        return f"{self.letter}: {cut(self.name, 60)}"


# What a draft keeps of a read file besides its columns and rows.
_FILE_FACTS = (
    "filename", "tool", "file_type", "encoding", "separator", "header_rows", "unfinished",
    "unfinished_reason", "content_hash", "empty_rows",
)  # fmt: skip


@dataclass
class StoredFile:
    """What a draft keeps of a read file: the non-identifying columns and their cells; of the
    identifying columns only the name and the reason (never a cell)."""

    filename: str
    tool: str
    file_type: str
    encoding: str | None
    separator: str | None
    header_rows: int
    unfinished: int
    unfinished_reason: str | None
    content_hash: str
    columns: list[FileColumn]
    ignored: list[tuple[str, str, str]]  # (letter, name, reason)
    rows: list[tuple[int, list[str]]]  # (row number in the file, cells by FileColumn.position)
    empty_rows: int = 0  # answer rows without a value in any non-identifying column

    @classmethod
    def from_survey(cls, filename: str, survey) -> StoredFile:
        """From a reading.SurveyFile; drops the identifying columns' cells and the empty rows."""
        kept = [c for c in survey.columns if not c.identifying]
        columns = [
            FileColumn(i, column_letter(c.index), c.name, list(c.headings), c.code, c.text)
            for i, c in enumerate(kept)
        ]
        indexes = [c.index for c in kept]
        rows, empty = [], 0
        for number, cells in survey.rows:
            values = [cells[i] if i < len(cells) else "" for i in indexes]
            if any(v.strip() for v in values):
                rows.append((number, values))
            else:
                empty += 1
        return cls(
            # Only shown again; a browser may send any bytes as a file's name.
            filename="".join(ch for ch in filename if ch.isprintable())[: limits.IMPORT_FILENAME],
            tool=survey.tool,
            file_type=survey.file_type,
            encoding=survey.encoding,
            separator=survey.separator,
            header_rows=survey.header_rows,
            unfinished=survey.unfinished,
            unfinished_reason=survey.unfinished_reason,
            content_hash=survey.content_hash,
            columns=columns,
            ignored=[
                (column_letter(c.index), c.name, c.identifying) for c in survey.columns if c.identifying
            ],
            rows=rows,
            empty_rows=empty,
        )

    def to_json(self) -> dict:
        return {
            **{name: getattr(self, name) for name in _FILE_FACTS},
            "columns": [[c.letter, c.name, c.headings, c.code, c.text] for c in self.columns],
            "ignored": [list(i) for i in self.ignored],
            "rows": [[n, cells] for n, cells in self.rows],
        }

    @classmethod
    def from_json(cls, data: dict) -> StoredFile:
        return cls(
            **{name: data[name] for name in _FILE_FACTS},
            columns=[FileColumn(i, *c) for i, c in enumerate(data["columns"])],
            ignored=[tuple(i) for i in data["ignored"]],
            rows=[(n, cells) for n, cells in data["rows"]],
        )

    @property
    def signature(self) -> str:
        """Identifies the survey by its non-identifying headings: a later export of the same
        survey has the same signature, whatever its rows."""
        text = "\x1f".join("\x1e".join(norm_text(h) for h in c.headings) for c in self.columns)
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def wide(self) -> bool:
        return len(self.columns) > MAX_LISTED_CHOICES

    def column_by_letter(self, letter: str) -> FileColumn | None:
        letter = letter.strip().upper()
        return next((c for c in self.columns if c.letter == letter), None)

    def column_by_name(self, name: str) -> FileColumn | None:
        key = norm_text(name)
        return next((c for c in self.columns if norm_text(c.name) == key), None) if key else None


def _listed_columns(file: StoredFile) -> str:
    return reading.column_list([c.label for c in file.columns])


# ---------------------------------------------------------------- values


def targets(question: Question) -> list[tuple[str, str]]:
    """(value, label) of what a found value can map to; empty for a grade (typed) or open question."""
    kind = question.type
    fixed = [(UNCHANGED, "niet omzetten"), (NO_ANSWER, "geen antwoord")]
    if kind is QuestionType.SCALE:
        labels = list(question.options or [])
        return fixed + [
            (str(n), f"{n} – {labels[n - 1]}" if len(labels) == 5 else str(n)) for n in range(1, 6)
        ]
    if kind is QuestionType.YES_NO:
        return fixed + [("ja", "Ja"), ("nee", "Nee")]
    if kind in (QuestionType.CHOICE, QuestionType.MULTI):
        return fixed + [(str(o), str(o)) for o in question.options or []]
    return []


def _option_for(question: Question, value: str) -> str:
    options = [str(o) for o in question.options or []]
    by_text = {norm_text(o): o for o in reversed(options)}
    if (found := by_text.get(norm_text(value))) is not None:
        return found
    match = LEADING_NUMBER.fullmatch(value)
    if match:
        rest = match[2].strip()
        if rest and (found := by_text.get(norm_text(rest))) is not None:
            return found  # "2 - Online"
        number = int(match[1])
        if not rest and 1 <= number <= len(options):
            return options[number - 1]  # a numeric code, counted from 1 as survey tools do
    return UNCHANGED


def default_target(question: Question, value: str) -> str:
    """What a value found in the file maps to unless the coordinator says otherwise."""
    value = value.strip()
    kind = question.type
    if kind is QuestionType.SCALE:
        labels = [_words(str(label)) for label in question.options or []]
        if _words(value) in labels:
            return str(labels.index(_words(value)) + 1)
        match = LEADING_NUMBER.fullmatch(value)
        if match and 1 <= int(match[1]) <= 5:
            return str(int(match[1]))
        if (n := AGREEMENT.get(_words(value))) is not None:
            return str(n)
        return UNCHANGED
    if kind is QuestionType.YES_NO:
        words = _words(value)
        if words in YES_WORDS:
            return "ja"
        if words in NO_WORDS:
            return "nee"
        return UNCHANGED
    if kind in (QuestionType.CHOICE, QuestionType.MULTI):
        return _option_for(question, value)
    if kind is QuestionType.GRADE:
        match = LEADING_GRADE.match(value)
        return match[1] if match else value
    return UNCHANGED


def split_multi(question: Question, cell: str) -> list[str]:
    """The chosen options in one cell: Microsoft Forms separates them with ";" (and ends with
    one), Google Forms with ", ". An option that itself holds ", " stays whole."""
    text = cell.strip()
    if not text:
        return []
    if MULTI_SEPARATOR in text:
        return [p.strip() for p in text.split(MULTI_SEPARATOR) if p.strip()]
    options = {norm_text(str(o)) for o in question.options or []}
    if norm_text(text) in options:
        return [text]
    pieces = [p.strip() for p in text.split(", ")]
    # No option spans more pieces than it has ", " in it: that bounds the search (a hostile
    # cell can hold thousands of commas).
    longest = 1 + max((o.count(", ") for o in options), default=0)
    parts: list[str] = []
    i = 0
    while i < len(pieces):
        # The longest run of pieces that together form an option; else one piece.
        for j in range(min(len(pieces), i + longest), i, -1):
            joined = ", ".join(pieces[i:j])
            if j == i + 1 or norm_text(joined) in options:
                parts.append(joined)
                i = j
                break
    return [p for p in parts if p]


def _valid(question: Question, value: str | list[str]) -> bool:
    try:
        parse_value(question, value)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------- the preview


@dataclass
class Choices:
    """What the coordinator chose on the preview page. Empty: take every proposal."""

    mapping: str = AUTO  # AUTO, NONE or a saved mapping's id
    # question id -> the column as typed or chosen (letter or heading; "" = no column)
    columns: dict[int, str] = field(default_factory=dict)
    # question id -> (the column letter the values were shown for, {value number: target})
    values: dict[int, tuple[str, dict[int, str]]] = field(default_factory=dict)
    save_as: str | None = None  # save the mapping under this name
    over_participants: bool = False  # more answers than participants, on purpose


@dataclass
class ValueRow:
    number: int  # its place in the list: the form field of its target
    value: str
    count: int
    target: str
    valid: bool  # the mapped value passes parse_value
    error: str | None = None

    @property
    def shown(self) -> str:
        return cut(self.value)


@dataclass
class QuestionPlan:
    question: Question
    column: FileColumn | None = None
    how: str | None = None  # why this column: "bewaarde koppeling", "code", "vraagtekst", "zelf gekozen"
    typed: str = ""  # what the coordinator typed or chose for the column
    error: str | None = None
    examples: list[str] = field(default_factory=list)
    values: list[ValueRow] = field(default_factory=list)
    more_values: int = 0
    # Targets chosen for values (also those of saved mappings that are not shown).
    overrides: dict[str, str] = field(default_factory=dict)
    # Read once: convert() runs for every cell of a 5,000-row file.
    maps_values: bool = field(init=False)
    is_multi: bool = field(init=False)
    _defaults: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self):
        self.maps_values = self.question.type in MAPPED_TYPES
        self.is_multi = self.question.type is QuestionType.MULTI

    @property
    def typed_target(self) -> bool:
        """A grade's value is typed, not chosen from a list."""
        return self.question.type is QuestionType.GRADE

    @property
    def targets(self) -> list[tuple[str, str]]:
        return targets(self.question)

    @property
    def field(self) -> str:
        return column_field(self.question)

    def target_of(self, value: str) -> str:
        if value in self.overrides:
            return self.overrides[value]
        if value not in self._defaults:
            self._defaults[value] = default_target(self.question, value)
        return self._defaults[value]

    def convert(self, cell: str) -> str | list[str]:
        """The raw answer for parse_answers from one cell of the file."""
        text = cell.strip()
        if not text or not self.maps_values:
            return text
        if self.is_multi:
            chosen = []
            for part in split_multi(self.question, text):
                target = self.target_of(part)
                if target != NO_ANSWER:
                    chosen.append(target or part)
            return chosen
        target = self.target_of(text)
        if target == NO_ANSWER:
            return ""
        return target or text


def column_field(question: Question) -> str:
    return f"kolom_{question.id}"


def values_field(question: Question) -> str:
    return f"waardekolom_{question.id}"


def value_field(question: Question, number: int) -> str:
    return f"waarde_{question.id}_{number}"


@dataclass
class Preview:
    ts: TrainingSession
    version: QuestionnaireVersion
    draft: ImportDraft
    file: StoredFile
    plans: list[QuestionPlan]
    mappings: list[ImportMapping]  # saved for this partnership and questionnaire
    mapping_choice: str
    applied: ImportMapping | None
    existing: int  # participant answers the session has already

    @property
    def auto_applied(self) -> bool:
        return self.applied is not None and self.mapping_choice == AUTO

    @property
    def rows(self) -> int:
        return len(self.file.rows)

    @property
    def over_participants(self) -> bool:
        count = self.ts.participant_count or 0
        return count > 0 and self.existing + self.rows > count

    @property
    def errors(self) -> dict[str, str]:
        """Problems that block the import, by form field."""
        found = {}
        for plan in self.plans:
            if plan.error:
                found[plan.field] = plan.error
            for row in plan.values:
                if row.error:
                    found[value_field(plan.question, row.number)] = row.error
        return found

    @property
    def warnings(self) -> dict[str, str]:
        """Values that parse_value would refuse as they are mapped now, by form field: they do not
        block the preview, but every row holding one is refused at the confirmation."""
        found = {}
        for i, plan in enumerate(self.plans, start=1):
            for row in plan.values:
                if not row.valid and not row.error:
                    found[value_field(plan.question, row.number)] = (
                        f"Vraag {i}: {quoted(row.value)} wordt zo geweigerd; kies waarin het wordt omgezet."
                    )
        return found

    @property
    def mapping_name(self) -> str:
        if self.applied is not None:
            return self.applied.name
        return cut(f"{self.file.tool}: {self.version.questionnaire.title}", limits.MAPPING_NAME)

    @property
    def shown_ignored(self) -> list[tuple[str, str, str]]:
        return self.file.ignored[:MAX_LISTED_IGNORED]

    @property
    def more_ignored(self) -> int:
        return max(0, len(self.file.ignored) - MAX_LISTED_IGNORED)


def _load(
    db: Session, scope: Scope, session_id: int, draft_id: int, user_id: int | None, today: date | None = None
):
    """The session (scope first: 403), its participant questionnaire and the user's draft (404)."""
    if not scope.may_manage():
        raise Forbidden()
    ts = get_session(db, scope, session_id)
    if today is not None:  # confirming: a write of answers (trainings.lock_session)
        ts = lock_session(db, ts.id, for_answers=True)
    draft = db.get(ImportDraft, check_id(draft_id))
    if draft is None or draft.session_id != ts.id or draft.user_id != user_id:
        raise NotFound()
    version = _version(db, ts, today)
    return ts, version, draft


def import_target(
    db: Session, ts: TrainingSession, today: date | None
) -> tuple[QuestionnaireVersion | None, str | None]:
    """The questionnaire imported answers go to, or why nothing can be imported into this session:
    it is cancelled, it has not taken place yet on `today` (no answers before the session, as its
    participant links are not open yet either; None: not checked), or it has no questionnaire."""
    if ts.cancelled_at is not None:
        return None, "Deze bijeenkomst is geannuleerd: er worden geen antwoorden ingelezen."
    if today is not None and ts.date > today:
        return None, (
            f"Deze bijeenkomst is op {nl_date(ts.date)} en heeft nog niet plaatsgevonden: er zijn nog geen "
            "antwoorden om in te lezen. Kies de bijeenkomst waar de antwoorden bij horen."
        )
    version = questionnaires.applicable_version(db, ts.training_id, Audience.PARTICIPANT)
    if version is None:
        return None, "Er is geen gepubliceerde deelnemersvragenlijst voor deze training."
    return version, None


def _version(db: Session, ts: TrainingSession, today: date | None) -> QuestionnaireVersion:
    version, blocked = import_target(db, ts, today)
    if blocked:
        raise ValidationError(blocked)
    assert version is not None  # no version is one of the reasons it is blocked
    return version


def _existing_answers(db: Session, session_id: int) -> int:
    return db.execute(
        select(func.count())
        .select_from(Response)
        .where(Response.session_id == session_id, Response.audience == Audience.PARTICIPANT)
    ).scalar_one()


def _saved_mappings(db: Session, ts: TrainingSession, version: QuestionnaireVersion) -> list[ImportMapping]:
    return list(
        db.scalars(
            select(ImportMapping)
            .join(Training, Training.partnership_id == ImportMapping.partnership_id)
            .where(Training.id == ts.training_id, ImportMapping.questionnaire_id == version.questionnaire_id)
            .order_by(ImportMapping.name, ImportMapping.id)
        )
    )


def _choose_mapping(mappings: list[ImportMapping], choice: str, signature: str) -> ImportMapping | None:
    if choice == NONE:
        return None
    if choice == AUTO:
        same = [m for m in mappings if m.signature == signature]
        # The most recently saved one, when several fit.
        return max(same, key=lambda m: (m.updated_on, m.id)) if same else None
    return next((m for m in mappings if str(m.id) == choice), None)


def _propose(version: QuestionnaireVersion, file: StoredFile, applied: ImportMapping | None) -> dict:
    """question id -> (column or None, how): the saved mapping first, then code, then text; an
    automatically proposed column is proposed for one question only."""
    proposals: dict[int, tuple[FileColumn | None, str | None]] = {}
    taken: set[int] = set()
    saved = applied.columns if applied is not None else {}
    for q in version.questions:
        if q.code in saved:
            entry = saved[q.code] or {}
            column = None
            if entry.get("name") is not None:
                by_letter = file.column_by_letter(entry.get("letter") or "")
                column = (
                    by_letter
                    if by_letter is not None and norm_text(by_letter.name) == norm_text(entry["name"])
                    else file.column_by_name(entry["name"])
                )
            if column is not None or entry.get("name") is None:
                proposals[q.id] = (column, "bewaarde koppeling")
                if column is not None:
                    taken.add(column.position)
    for q in version.questions:
        if q.id in proposals:
            continue
        found = None
        # Never by an automatic code alone: the builder's v1, v2 ... would match the V1, V2
        # columns of a legacy Qualtrics file (response id, name ...).
        if not questionnaires.is_automatic_code(q.code):
            code = q.code.casefold()
            found = next(
                (
                    (c, "code")
                    for c in file.columns
                    if c.position not in taken
                    and (
                        (c.code or "").casefold() == code
                        or any(h.strip().casefold() == code for h in c.headings)
                    )
                ),
                None,
            )
        if found is None:
            text = norm_text(q.text)
            found = next(
                (
                    (c, "vraagtekst")
                    for c in file.columns
                    if c.position not in taken
                    and text
                    and (
                        norm_text(c.text) == text or any(norm_text(h) == text for h in [c.name, *c.headings])
                    )
                ),
                None,
            )
        if found is not None:
            proposals[q.id] = found
            taken.add(found[0].position)
    return proposals


def _resolve_column(file: StoredFile, typed: str) -> tuple[FileColumn | None, str | None]:
    """The column the coordinator chose (a letter or a heading), or the reason it is not one."""
    typed = typed.strip()
    if not typed:
        return None, None
    column = file.column_by_letter(typed) if re.fullmatch(r"[A-Za-z]{1,3}", typed) else None
    column = column or file.column_by_name(typed)
    if column is not None:
        return column, None
    letter = typed.upper()
    for ignored_letter, name, reason in file.ignored:
        if ignored_letter == letter or norm_text(name) == norm_text(typed):
            return None, (
                f"Kolom {ignored_letter} ({quoted(name)}) wordt niet ingelezen: {reason}. "
                "Zulke gegevens worden nooit opgeslagen."
            )
    return None, (
        f"Kolom {quoted(typed)} staat niet in het bestand. Geef de letter of de kop van een kolom. "
        f"Kolommen in het bestand: {_listed_columns(file)}."
    )


def _plan_values(plan: QuestionPlan, file: StoredFile, posted: dict[int, str] | None) -> None:
    """Examples, the distinct values found (the most frequent first) and their targets."""
    q, column = plan.question, plan.column
    if column is None:
        return
    counts: Counter[str] = Counter()
    examples: list[str] = []
    for _number, cells in file.rows:
        cell = cells[column.position].strip()
        if not cell:
            continue
        if len(examples) < EXAMPLES and cut(cell) not in examples:
            examples.append(cut(cell))
        if plan.maps_values:
            counts.update(split_multi(q, cell) if plan.is_multi else [cell])
    plan.examples = examples
    if not plan.maps_values:
        return
    common = counts.most_common(MAX_SHOWN_VALUES)
    plan.more_values = len(counts) - len(common)
    allowed = {value for value, _label in targets(q)}
    for number, (value, count) in enumerate(common):
        error = None
        if posted is not None and number in posted:
            target = posted[number].strip()
            if plan.typed_target:
                target = target or NO_ANSWER
            elif target not in allowed:
                error = "Kies een waarde uit de lijst."
                target = UNCHANGED
            plan.overrides[value] = target
        else:
            target = plan.target_of(value)
        mapped = value if target == UNCHANGED else ("" if target == NO_ANSWER else target)
        valid = target == NO_ANSWER or _valid(q, [mapped] if plan.is_multi else mapped)
        plan.values.append(ValueRow(number, value, count, target, valid, error))


def _build_preview(db: Session, ts, version, draft, choices: Choices | None) -> Preview:
    choices = choices or Choices()
    file = StoredFile.from_json(draft.survey)
    mappings = _saved_mappings(db, ts, version)
    applied = _choose_mapping(mappings, choices.mapping, file.signature)
    proposals = _propose(version, file, applied)
    plans = []
    for q in version.questions:
        plan = QuestionPlan(q)
        if q.id in choices.columns:
            plan.typed = choices.columns[q.id]
            plan.column, plan.error = _resolve_column(file, plan.typed)
            proposed = proposals.get(q.id, (None, None))[0]
            plan.how = (
                proposals[q.id][1] if plan.column is not None and plan.column is proposed else "zelf gekozen"
            )
        else:
            plan.column, plan.how = proposals.get(q.id, (None, None))
        if plan.column is not None:
            plan.typed = plan.column.letter
        elif plan.error is None:
            plan.how = None
            if q.required:
                # The list of columns only where they are typed: a menu shows them already, and
                # the list once per question made the page long (a LimeSurvey file with its own codes).
                plan.error = f"Kies een kolom voor de verplichte vraag {quoted(q.text)}." + (
                    f" Kolommen in het bestand: {_listed_columns(file)}." if file.wide else ""
                )
        if applied is not None and q.code in (applied.values or {}):
            plan.overrides.update(applied.values[q.code])
        posted = None
        if q.id in choices.values and plan.column is not None:
            shown_for, posted_values = choices.values[q.id]
            # Values chosen for another column than the one now chosen do not apply.
            posted = posted_values if shown_for == plan.column.letter else None
        _plan_values(plan, file, posted)
        plans.append(plan)
    return Preview(
        ts=ts,
        version=version,
        draft=draft,
        file=file,
        plans=plans,
        mappings=mappings,
        mapping_choice=choices.mapping,
        applied=applied,
        existing=_existing_answers(db, ts.id),
    )


def preview(
    db: Session,
    scope: Scope,
    session_id: int,
    draft_id: int,
    user_id: int | None,
    choices: Choices | None = None,
) -> Preview:
    """The preview of a draft with the coordinator's choices applied; saves nothing."""
    ts, version, draft = _load(db, scope, session_id, draft_id, user_id)
    return _build_preview(db, ts, version, draft, choices)


# ---------------------------------------------------------------- upload


def _known_batch(db: Session, session_id: int, content_hash: str) -> ImportBatch | None:
    return db.scalar(
        select(ImportBatch).where(
            ImportBatch.session_id == session_id, ImportBatch.content_hash == content_hash
        )
    )


def _already_imported(batch: ImportBatch) -> str:
    rows = f"{batch.row_count} {'rij' if batch.row_count == 1 else 'rijen'}"
    return (
        f"Dit bestand is al ingelezen voor deze bijeenkomst (op {nl_date(batch.imported_on)}, {rows}). "
        "Hetzelfde bestand twee keer inlezen zou de antwoorden dubbel tellen."
    )


def start_import(
    db: Session,
    scope: Scope,
    session_id: int,
    user_id: int | None,
    filename: str,
    data: bytes,
    now: datetime,
    max_bytes: int,
    *,
    today: date,
) -> ImportDraft:
    """Read an uploaded file into a draft for the preview.

    Raises Forbidden/NotFound (scope), ValidationError (see import_target: cancelled, not yet taken
    place, no questionnaire) or ImportRefused (the file cannot be read, holds no answers, or was
    imported before)."""
    if not scope.may_manage():
        raise Forbidden()
    ts = get_session(db, scope, session_id)
    _version(db, ts, today)
    limits = dc_replace(reading.DEFAULT_LIMITS, max_bytes=max_bytes)
    survey = reading.read_survey(filename, data, limits)
    return make_draft(db, ts, user_id, filename, survey, now)


def delete_expired_drafts(db: Session, now: datetime) -> int:
    """Delete every draft older than DRAFT_LIFETIME at `now` (abandoned: never confirmed or
    cancelled). Returns how many went."""
    return rowcount(db.execute(delete(ImportDraft).where(ImportDraft.created_at < now - DRAFT_LIFETIME)))


def make_draft(
    db: Session, ts: TrainingSession, user_id: int | None, filename: str, survey, now: datetime
) -> ImportDraft:
    """The draft of a read file (a reading.SurveyFile) for session `ts`, in scope already."""
    if (batch := _known_batch(db, ts.id, survey.content_hash)) is not None:
        raise ImportRefused([_already_imported(batch)])
    file = StoredFile.from_survey(filename or "", survey)
    if not file.rows:
        left_out = []
        if file.unfinished:
            left_out.append(f"{file.unfinished} onvoltooide {'rij' if file.unfinished == 1 else 'rijen'}")
        if file.empty_rows:
            left_out.append(f"{file.empty_rows} lege {'rij' if file.empty_rows == 1 else 'rijen'}")
        detail = f" (alleen {' en '.join(left_out)})" if left_out else " (alleen de kopregel)"
        raise ImportRefused([f"Het bestand bevat geen antwoorden{detail}."])
    # Abandoned drafts of anyone go when a new one is made (and daily, by the scheduler).
    delete_expired_drafts(db, now)
    newest = (
        select(ImportDraft.id)
        .where(ImportDraft.user_id == user_id)
        .order_by(ImportDraft.id.desc())
        .limit(MAX_DRAFTS_PER_USER - 1)
    )
    db.execute(delete(ImportDraft).where(ImportDraft.user_id == user_id, ImportDraft.id.not_in(newest)))
    draft = ImportDraft(
        session_id=ts.id,
        user_id=user_id,
        filename=file.filename,
        content_hash=file.content_hash,
        survey=file.to_json(),
        created_at=now,
    )
    db.add(draft)
    db.flush()
    return draft


def cancel_import(db: Session, scope: Scope, session_id: int, draft_id: int, user_id: int | None) -> None:
    if not scope.may_manage():
        raise Forbidden()
    ts = get_session(db, scope, session_id)
    draft = db.get(ImportDraft, check_id(draft_id))
    if draft is None or draft.session_id != ts.id or draft.user_id != user_id:
        raise NotFound()
    db.delete(draft)
    db.flush()


# ---------------------------------------------------------------- confirmation


@dataclass
class ImportResult:
    session: TrainingSession
    version: QuestionnaireVersion
    count: int
    tool: str
    columns: dict[str, str]  # question code -> the heading of the column it was read from
    mapping: ImportMapping | None = None  # the mapping saved with it


def _row_errors(preview_: Preview) -> tuple[list[tuple[int, list]], list[str], int]:
    """The answers of every row, or the errors ("Rij N: vraag: melding"; the first
    MAX_ROW_ERRORS) and their total."""
    version = preview_.version
    names = {field_name(q): q for q in version.questions}
    read = [
        (field_name(p.question), p.column.position, p.convert) for p in preview_.plans if p.column is not None
    ]
    good: list[tuple[int, list]] = []
    errors: list[str] = []
    total = 0
    for number, cells in preview_.file.rows:
        raw = {name: convert(cells[position]) for name, position, convert in read}
        answers, problems = parse_answers(version, raw, make=dict)
        if problems:
            total += len(problems)
            for name, message in problems.items():
                if len(errors) < MAX_ROW_ERRORS:
                    errors.append(
                        f"Rij {number}, vraag {quoted(names[name].text)}: {_short(message, raw.get(name))}"
                    )
            continue
        good.append((number, answers))
    return good, errors, total


def _short(message: str, value) -> str:
    """A message with the value it quotes cut to limits.QUOTED characters (parse_value's messages
    quote the value as given; a cell can hold 32,767 characters)."""
    texts = value if isinstance(value, list) else [value or ""]
    for text in texts:
        text = str(text).strip()
        if len(text) > QUOTED and text in message:
            message = message.replace(text, cut(text))
    return cut(message, 400)


def _save_mapping(db: Session, preview_: Preview, name: str, today: date) -> ImportMapping:
    """Save (or update, by name) the mapping of this preview for the next file of the survey."""
    columns, values = {}, {}
    for plan in preview_.plans:
        q = plan.question
        columns[q.code] = (
            {"letter": plan.column.letter, "name": plan.column.name}
            if plan.column is not None
            else {"name": None}
        )
        chosen = {**plan.overrides, **{row.value: row.target for row in plan.values}}
        # Only what differs from the defaults: the defaults may improve, a choice stays.
        kept = {
            value: target
            for value, target in chosen.items()
            if len(value) <= MAX_MAPPED_VALUE_LENGTH and target != default_target(q, value)
        }
        if kept:
            values[q.code] = kept
    data = {"signature": preview_.file.signature, "columns": columns, "values": values, "updated_on": today}
    partnership_id = preview_.ts.training.partnership_id
    key = {
        "partnership_id": partnership_id,
        "questionnaire_id": preview_.version.questionnaire_id,
        "name": name,
    }
    existing = db.scalar(select(ImportMapping).filter_by(**key))
    if existing is None:
        try:
            with db.begin_nested():
                existing = ImportMapping(**key, **data)
                db.add(existing)
        except IntegrityError:
            # Saved under the same name at the same moment by someone else: update that one.
            existing = db.scalar(select(ImportMapping).filter_by(**key))
            if existing is None:
                raise
    for attr, value in data.items():
        setattr(existing, attr, value)
    db.flush()
    return existing


def confirm_import(
    db: Session,
    scope: Scope,
    session_id: int,
    draft_id: int,
    user_id: int | None,
    choices: Choices,
    today: date,
) -> ImportResult:
    """Save every row of the draft as a participant response, or nothing.

    Raises ValidationError (by form field: a column, a value, the participants' confirmation) or
    ImportRefused (row errors; the file was imported meanwhile). The draft is deleted with the
    import, in the caller's transaction."""
    ts, version, draft = _load(db, scope, session_id, draft_id, user_id, today)
    pv = _build_preview(db, ts, version, draft, choices)
    problems = dict(pv.errors)
    name = (choices.save_as or "").strip()
    check_text(problems, "naam", name, limits.MAPPING_NAME)
    if problems:
        raise ValidationError(problems)
    if (batch := _known_batch(db, ts.id, pv.file.content_hash)) is not None:
        raise ImportRefused([_already_imported(batch)])
    good, errors, total = _row_errors(pv)
    if errors:
        raise ImportRefused(errors, total)
    if pv.over_participants and not choices.over_participants:
        raise ValidationError(
            {
                "meer_dan_deelnemers": (
                    f"Met deze {len(good)} rijen heeft de bijeenkomst {pv.existing + len(good)} antwoorden van "
                    f"deelnemers, meer dan de {ts.participant_count} deelnemers. Klopt dat, vink dan aan dat je "
                    "toch wilt inlezen; klopt het niet, kies dan het goede bestand."
                )
            }
        )

    # The batch first: of two confirmations at once the database lets one insert it; the other
    # waits on the unique index and is refused here, before it writes anything else.
    try:
        with db.begin_nested():
            db.add(
                ImportBatch(
                    session_id=ts.id,
                    content_hash=pv.file.content_hash,
                    row_count=len(good),
                    tool=pv.file.tool[:MAX_TOOL_LENGTH],
                    imported_on=today,
                    imported_by_id=user_id,
                )
            )
    except IntegrityError:
        # Only the unique (session, hash) can fail here: then the other import is visible now.
        if _known_batch(db, ts.id, pv.file.content_hash) is None:
            raise
        raise ImportRefused(
            ["Dit bestand is zojuist al ingelezen voor deze bijeenkomst; er is niets dubbel opgeslagen."]
        ) from None

    # File order is often the order of answering: the ids must not repeat it.
    random.shuffle(good)
    ids = db.scalars(
        insert(Response).returning(Response.id, sort_by_parameter_order=True),
        [
            {
                "session_id": ts.id,
                "version_id": version.id,
                "audience": Audience.PARTICIPANT,
                "source": ResponseSource.IMPORT,
            }
            for _ in good
        ],
    ).all()
    # Plain rows, not ORM objects: building 40,000 objects would cost more than the insert.
    bulk_insert(
        db,
        Answer.__table__,
        ("response_id", "question_id", "value_int", "value_text"),
        [
            (response_id, answer["question_id"], answer.get("value_int"), answer.get("value_text"))
            for response_id, (_number, answers) in zip(ids, good, strict=True)
            for answer in answers
        ],
    )
    tally.count(
        db, tally.Group(ts, ts.training.partnership_id, version, Audience.PARTICIPANT, ResponseSource.IMPORT),
        [[(a["question_id"], a.get("value_int")) for a in answers] for _number, answers in good],
    )
    saved = _save_mapping(db, pv, name, today) if name else None
    # How many, never what: the answers are anonymous.
    record(
        db, AuditAction.IMPORTED, "training_session", ts.id, ts.training.partnership_id, f"{len(good)} antwoorden"
    )
    db.delete(draft)
    db.flush()
    logger.info("import into session %s: %s rows from %s", ts.id, len(good), pv.file.tool)
    return ImportResult(
        session=ts,
        version=version,
        count=len(good),
        tool=pv.file.tool,
        columns={p.question.code: p.column.name for p in pv.plans if p.column is not None},
        mapping=saved,
    )
