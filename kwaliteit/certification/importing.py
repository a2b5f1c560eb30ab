"""Import of the register from a file as a board keeps it (CSV or XLSX): mentors, their
certificates and their attendance at sessions, in the preview-and-confirm steps of the answers
import (evaluaties.transfer).

1. `read_upload` reads the file with evaluaties.transfer.reading.read_file: the same encodings,
   separators and limits against crafted files as the answers import, but every column is kept
   (read_survey leaves out names and e-mail addresses, which the register needs).
2. Between preview and confirmation the file travels with the preview form, sealed (`seal`):
   compressed, signed with the application's secret, bound to the user and the partnership and
   valid for DRAFT_LIFETIME. No draft table holds the personal data of an unconfirmed file.
3. `preview` maps the file's columns to FIELDS (proposed from Dutch and English headings and
   changed in the preview), checks every row against the partnership and counts what a
   confirmation would add; `confirm` does the same and saves every row or none.

One row: a person (matched by e-mail, case-insensitive; new persons get the row's role, by
default mentor, and the school as organisation), optionally a certificate (soort, datum, nummer,
uitgegeven door, geldig tot) and optionally attendance at a session (bijeenkomst: training title
and date). A second import of the same file adds nothing: persons by e-mail, certificates by
number, attendance by (session, person).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial

from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from evaluaties.transfer.reading import (
    MAX_REPORTED_ERRORS,
    ImportRefused,
    Limits,
    read_file,
)
from kwaliteit import limits
from kwaliteit.audit.models import AuditAction
from kwaliteit.audit.recording import record
from kwaliteit.certification.models import (
    CERTIFICATE_KINDS,
    CERTIFICATE_NUMBER_INDEX,
    VALIDITY_YEARS_RANGE,
    Attendance,
    Certificate,
    Issuer,
)
from kwaliteit.certification.policy import Policy, policy_for
from kwaliteit.db import bulk_insert, violates
from kwaliteit.limits import quoted as _quoted
from kwaliteit.registry.models import (
    PERSON_EMAIL_INDEX,
    Organisation,
    OrganisationKind,
    Partnership,
    Person,
    PersonRole,
    PersonRoleLink,
)
from kwaliteit.scope import Forbidden, Scope
from kwaliteit.sqldates import plus_years
from kwaliteit.trainings.models import Training, TrainingKind, TrainingSession
from kwaliteit.validation import FORBIDDEN_IN_LINE, ValidationError, characters_error, text_error

# Rows of one file: a board's mentors, many times over.
MAX_ROWS = 5000
# The reader's limits for a register file: a few columns of short texts.
LIMITS = Limits(
    max_rows=MAX_ROWS,
    max_sheet_rows=2 * MAX_ROWS,
    max_columns=200,
    max_cells=400_000,
    max_text_chars=2_000_000,
)
# The sealed file must fit in one form field (Flask's MAX_FORM_MEMORY_SIZE is 500,000 bytes).
MAX_SEALED_CHARS = 450_000
# How long a preview may be confirmed, as the answers import's drafts.
DRAFT_LIFETIME = timedelta(hours=24)
_SALT = "kwaliteit.register-import"
# Rows shown as an example in the preview.
SAMPLE_ROWS = 10
# A certificate date before this is a typing error, not history.
EARLIEST_CERTIFICATE = date(1970, 1, 1)
# IN lists are sent in chunks of this size (SQLite's and PostgreSQL's parameter limits).
_CHUNK = 900


# ================================================================ fields and headings


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    hint: str
    headings: tuple[str, ...]  # as _heading_key writes them: lower case, letters and digits only


FIELDS: tuple[Field, ...] = (
    Field("naam", "Naam", "Nodig voor een persoon die nog niet in het register staat.", (
        "naam", "name", "volledigenaam", "fullname", "voorenachternaam", "naammentor", "mentor",
        "werkplekbegeleider", "naamwerkplekbegeleider", "deelnemer", "naamdeelnemer", "participant",
    )),
    Field("email", "E-mailadres", "Hiermee wordt een persoon herkend; verplicht.", (
        "email", "emailadres", "emailaddress", "mail", "mailadres", "emailmentor", "emaildeelnemer",
    )),
    Field("school", "School", "Een school van het partnerschap; nodig voor een nieuwe persoon.", (
        "school", "opleidingsschool", "schoolnaam", "schoolname", "naamschool", "werkplek",
    )),
    Field("bestuur", "Bestuur", "Niet verplicht: wordt vergeleken met het bestuur van de school.", (
        "bestuur", "schoolbestuur", "board", "schoolboard", "stichting",
    )),
    Field("rol", "Rol", "Mentor, schoolopleider of instituutsopleider; leeg: mentor.", (
        "rol", "role", "functie",
    )),
    Field("soort", "Soort training", "Basistraining, verdiepingstraining of opfrisbijeenkomst.", (
        "soorttraining", "soort", "training", "typetraining", "trainingkind", "trainingtype", "kind",
        "certificaatvoor", "soortcertificaat",
    )),
    Field("datum", "Datum", "Van het certificaat (dd-mm-jjjj of jjjj-mm-dd), of van de bijeenkomst.", (
        "datum", "date", "datumtraining", "datumcertificaat", "behaaldop", "afgerondop", "uitgegevenop",
        "datumbehaald", "issuedon", "issuedate", "completiondate", "datumafgerond",
    )),
    Field("nummer", "Certificaatnummer", "Uniek in het partnerschap.", (
        "certificaatnummer", "certificaatnr", "nummercertificaat", "certificatenumber", "certificateno",
        "nummer", "nr", "number",
    )),
    Field("uitgegeven_door", "Uitgegeven door", "Bestuur, opleidingsinstituut of gezamenlijk; leeg: gezamenlijk.", (
        "uitgegevendoor", "afgegevendoor", "verstrektdoor", "uitgever", "issuedby", "issuer",
    )),
    Field("geldig_tot", "Geldig tot", "Leeg: volgens het registerbeleid; ‘geen einddatum’: onbeperkt.", (
        "geldigtot", "geldigtotenmet", "geldigtm", "vervaldatum", "validuntil", "expirydate", "expires",
        "einddatum",
    )),
    Field("bijeenkomst", "Bijeenkomst", "Voor aanwezigheid: de titel van de training, met of zonder ‘, dd-mm-jjjj’.", (
        "bijeenkomst", "sessie", "session", "bijeenkomsttraining", "aanwezigbij",
    )),
)
FIELD_KEYS = tuple(f.key for f in FIELDS)
_FIELDS_BY_KEY = {f.key: f for f in FIELDS}
# Fields that make a row hold a certificate.
_CERTIFICATE_FIELDS = ("soort", "nummer", "uitgegeven_door", "geldig_tot")

Mapping = dict[str, int | None]  # field key -> column index, None: no column


def _heading_key(text: str) -> str:
    """A heading as FIELDS know it: lower case, without a remark in brackets, letters and digits only."""
    text = re.sub(r"[(\[][^)\]]*[)\]]", "", text.casefold())
    return "".join(c for c in text if c.isalnum())


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letter: str) -> int | None:
    """The 0-based index of a column letter, or None when it is not one."""
    letter = letter.strip().upper()
    if not (1 <= len(letter) <= 3 and letter.isascii() and letter.isalpha()):
        return None
    index = 0
    for c in letter:
        index = index * 26 + ord(c) - 64
    return index - 1


def propose_mapping(headings: list[str]) -> Mapping:
    """Per field the first column whose heading is one of its known headings."""
    keys = [_heading_key(h) for h in headings]
    taken: set[int] = set()
    mapping: Mapping = {}
    for f in FIELDS:
        mapping[f.key] = None
        for i, key in enumerate(keys):
            if i not in taken and key in f.headings:
                mapping[f.key] = i
                taken.add(i)
                break
    return mapping


# ================================================================ the upload and its seal


@dataclass
class Upload:
    partnership_id: int
    user_id: int
    filename: str
    file_type: str
    encoding: str | None
    separator: str | None
    headings: list[str]  # of every column, "" where the heading row has none
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells) below the heading row
    content_hash: str

    def heading(self, index: int) -> str:
        return (self.headings[index] if index < len(self.headings) else "") or f"Kolom {column_letter(index)}"


class DraftGone(Exception):
    """The sealed file is not (or no longer) valid: changed, expired, or someone else's."""


def _require_manager(scope: Scope, partnership_id: int) -> None:
    if not scope.may_manage():
        raise Forbidden()
    scope.check(partnership_id)


def read_upload(
    db: Session,
    scope: Scope,
    partnership_id: int,
    user_id: int,
    filename: str,
    data: bytes,
    max_bytes: int,
) -> Upload:
    """The uploaded file's headings (its first non-empty row) and rows. Raises ImportRefused."""
    _require_manager(scope, partnership_id)
    if db.get(Partnership, partnership_id) is None:
        raise ValidationError({"partnerschap": "Kies een partnerschap."})
    raw = read_file(filename, data, Limits(**{**LIMITS.__dict__, "max_bytes": max_bytes}))
    (_first, headings), body = raw.records[0], raw.records[1:]
    if not body:
        raise ImportRefused(["Het bestand heeft alleen een kopregel en geen rijen met personen."])
    if len(body) > MAX_ROWS:
        raise ImportRefused(
            [f"Het bestand heeft meer dan {MAX_ROWS} rijen; splits het, bijvoorbeeld per bestuur of school."]
        )
    for i, heading in enumerate(headings):
        if message := characters_error(heading, multiline=True):
            raise ImportRefused([f"De kop van kolom {column_letter(i)}: {message}"])
    return Upload(
        partnership_id=partnership_id,
        user_id=user_id,
        filename=(filename or "")[: limits.IMPORT_FILENAME],
        file_type=raw.file_type,
        encoding=raw.encoding,
        separator=raw.separator,
        headings=[" ".join(h.split())[: limits.NAME] for h in headings] + [""] * (raw.width - len(headings)),
        rows=body,
        content_hash=raw.content_hash,
    )


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)


def seal(upload: Upload, secret: str) -> str:
    """The upload as one signed, compressed text for the preview form. Raises ImportRefused
    when it is too large for a form field."""
    token = _serializer(secret).dumps(
        {
            "p": upload.partnership_id,
            "u": upload.user_id,
            "f": upload.filename,
            "t": upload.file_type,
            "e": upload.encoding,
            "s": upload.separator,
            "h": upload.headings,
            "r": upload.rows,
            "c": upload.content_hash,
        }
    )
    if len(token) > MAX_SEALED_CHARS:
        raise ImportRefused(
            [
                (
                    "Het bestand bevat te veel tekst om in één keer te controleren. Laat kolommen weg die niet "
                    "worden ingelezen, of splits het bestand, bijvoorbeeld per bestuur of school."
                )
            ]
        )
    return token


def unseal(token: str, secret: str, user_id: int) -> Upload:
    """The upload of `seal`, if the token is unchanged, recent and this user's; else DraftGone."""
    try:
        d = _serializer(secret).loads(token or "", max_age=int(DRAFT_LIFETIME.total_seconds()))
    except BadData:
        raise DraftGone() from None
    if not isinstance(d, dict) or d.get("u") != user_id:
        raise DraftGone()
    return Upload(
        partnership_id=d["p"],
        user_id=d["u"],
        filename=d["f"],
        file_type=d["t"],
        encoding=d["e"],
        separator=d["s"],
        headings=d["h"],
        rows=[(number, cells) for number, cells in d["r"]],
        content_hash=d["c"],
    )


# ================================================================ values in cells

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
# An Excel date cell with a time of day (evaluaties.transfer.reading._cell_text), or an ISO time.
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
DATE_FORMAT = "dd-mm-jjjj, d-m-jjjj of jjjj-mm-dd"


def parse_date(text: str) -> date | None:
    """A date written dd-mm-jjjj, d-m-jjjj or jjjj-mm-dd (also with / or .), or an Excel date cell
    (read as dd-mm-jjjj, with a time of day when it has one); None when it is none of these."""
    text = _TIME.sub("", text.strip())
    if m := _DMY.match(text):
        day, month, year = (int(g) for g in m.groups())
    elif m := _YMD.match(text):
        year, month, day = (int(g) for g in m.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def quoted(value: str) -> str:
    """A cell quoted in a message, its control characters shown as �: a message never carries them."""
    return _quoted(FORBIDDEN_IN_LINE.sub("\ufffd", value))


def _plain(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


_KINDS = {
    **{k: TrainingKind.BASIC for k in ("basistraining", "basis", "basic", "basictraining", "basistrainingmentoren")},
    **{
        k: TrainingKind.ADVANCED
        for k in ("verdiepingstraining", "verdieping", "advanced", "advancedtraining", "verdiepingstrainingmentoren")
    },
    **{
        k: TrainingKind.REFRESHER
        for k in ("opfrisbijeenkomst", "opfris", "opfrissen", "opfrisser", "opfristraining", "refresher",
                  "refreshertraining", "terugkombijeenkomst")
    },
    **{k: TrainingKind.TRAIN_THE_TRAINER for k in ("traindetrainer", "trainthetrainer")},
}
_ISSUERS = {
    **{k: Issuer.BOARD for k in ("bestuur", "schoolbestuur", "board")},
    **{k: Issuer.INSTITUTE for k in ("opleidingsinstituut", "instituut", "pabo", "lerarenopleiding", "institute")},
    **{
        k: Issuer.JOINT
        for k in ("gezamenlijk", "samen", "beide", "joint", "bestuurenopleidingsinstituut",
                  "bestuurenopleidingsinstituutsamen", "bestuureninstituut")
    },
}
_ROLES = {
    **{k: PersonRole.MENTOR for k in ("mentor", "werkplekbegeleider", "wpb", "mentorwerkplekbegeleider", "begeleider")},
    **{k: PersonRole.SCHOOL_EDUCATOR for k in ("schoolopleider", "schoolbasedteachereducator")},
    **{k: PersonRole.INSTITUTE_EDUCATOR for k in ("instituutsopleider", "instituteteachereducator")},
}
_NO_END = {"geen", "geeneinddatum", "onbeperkt", "onbepaald", "nvt", "none", "never"}
# The default issuer: the research advises certification by board and institute together.
DEFAULT_ISSUER = Issuer.JOINT


# ================================================================ checking the rows


@dataclass
class CertificatePlan:
    kind: TrainingKind
    issued_on: date
    number: str
    issued_by: Issuer
    valid_until: date | None
    exists: bool  # already in the register (a repeated import): nothing is added


@dataclass
class RowPlan:
    number: int
    email: str
    name: str
    school: Organisation | None
    role: PersonRole
    person_id: int | None  # an existing person of the partnership
    new_person: bool  # this row adds the person
    certificate: CertificatePlan | None = None
    session: TrainingSession | None = None
    new_attendance: bool = False
    errors: list[str] = field(default_factory=list)


@dataclass
class Counts:
    rows: int = 0
    new_persons: int = 0
    known_persons: int = 0
    new_roles: int = 0
    new_certificates: int = 0
    known_certificates: int = 0
    new_attendance: int = 0
    known_attendance: int = 0

    @property
    def adds_nothing(self) -> bool:
        return not (self.new_persons or self.new_roles or self.new_certificates or self.new_attendance)


@dataclass
class Preview:
    upload: Upload
    partnership: Partnership
    mapping: Mapping
    mapping_errors: dict[str, str]  # field key -> message
    rows: list[RowPlan]
    counts: Counts
    errors: list[str]  # "Rij n: ..." (at most MAX_REPORTED_ERRORS)
    error_count: int  # rows with an error
    hidden_errors: int  # rows with an error that are not listed

    @property
    def ok(self) -> bool:
        return not self.mapping_errors and not self.error_count

    @property
    def sample(self) -> list[RowPlan]:
        return self.rows[:SAMPLE_ROWS]


def _chunks(values: list) -> list[list]:
    return [values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK)]


class _Register:
    """What the rows are checked against, read set-based: a fixed number of statements per
    chunk of e-mail addresses and numbers, whatever the number of rows."""

    def __init__(self, db: Session, partnership_id: int, emails: list[str], numbers: list[str], with_sessions: bool):
        orgs = list(
            db.scalars(
                select(Organisation).where(
                    Organisation.partnership_id == partnership_id,
                    Organisation.kind.in_((OrganisationKind.SCHOOL, OrganisationKind.BOARD)),
                )
            )
        )
        self.schools = {o.name.casefold(): o for o in orgs if o.kind is OrganisationKind.SCHOOL}
        self.boards = {o.id: o for o in orgs if o.kind is OrganisationKind.BOARD}
        self.board_names = {o.name.casefold() for o in self.boards.values()}
        # e-mail -> (person id, partnership id); person id -> board id (of the school or the board itself)
        self.persons: dict[str, tuple[int, int]] = {}
        self.person_boards: dict[int, int | None] = {}
        for chunk in _chunks(emails):
            for pid, email, partnership, kind, org_id, parent_id in db.execute(
                select(
                    Person.id,
                    func.lower(Person.email),
                    Organisation.partnership_id,
                    Organisation.kind,
                    Organisation.id,
                    Organisation.parent_id,
                )
                .join(Organisation, Organisation.id == Person.organisation_id)
                .where(func.lower(Person.email).in_(chunk))
            ):
                self.persons[email] = (pid, partnership)
                self.person_boards[pid] = org_id if kind is OrganisationKind.BOARD else parent_id
        own = [pid for pid, partnership in self.persons.values() if partnership == partnership_id]
        self.roles: set[tuple[int, PersonRole]] = set()
        for chunk in _chunks(own):
            self.roles.update(
                (pid, role)
                for pid, role in db.execute(
                    select(PersonRoleLink.person_id, PersonRoleLink.role).where(PersonRoleLink.person_id.in_(chunk))
                )
            )
        # lower(number) -> person id
        self.numbers: dict[str, int] = {}
        for chunk in _chunks(numbers):
            for number, person_id in db.execute(
                select(func.lower(Certificate.number), Certificate.person_id).where(
                    Certificate.partnership_id == partnership_id, func.lower(Certificate.number).in_(chunk)
                )
            ):
                self.numbers[number] = person_id
        # (lower(title), date) -> sessions of the partnership; attendance and certificates per session
        self.sessions: dict[tuple[str, date], list[TrainingSession]] = defaultdict(list)
        self.titles: set[str] = set()
        self.attendance: set[tuple[int, int]] = set()
        self.session_numbers: dict[tuple[int, int], str] = {}
        if with_sessions:
            for ts, training in db.execute(
                select(TrainingSession, Training)
                .join(Training, Training.id == TrainingSession.training_id)
                .where(Training.partnership_id == partnership_id)
            ):
                self.sessions[(training.title.casefold(), ts.date)].append(ts)
                self.titles.add(training.title.casefold())
            ids = sorted({pid for pid, _p in self.persons.values()})
            for chunk in _chunks(ids):
                self.attendance.update(
                    (sid, pid)
                    for sid, pid in db.execute(
                        select(Attendance.session_id, Attendance.person_id).where(Attendance.person_id.in_(chunk))
                    )
                )
                for session_id, person_id, number in db.execute(
                    select(Certificate.session_id, Certificate.person_id, Certificate.number).where(
                        Certificate.person_id.in_(chunk), Certificate.session_id.is_not(None)
                    )
                ):
                    # session_id is not None: the WHERE above.
                    self.session_numbers[(session_id, person_id)] = number  # type: ignore[index]


def _cell(cells: list[str], mapping: Mapping, key: str) -> str:
    index = mapping.get(key)
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def _single_line(value: str, limit: int, label: str, errors: list[str]) -> str:
    if message := text_error(value, limit):
        errors.append(f"{label}: {message}")
        return ""
    return value


def check_mapping(upload: Upload, mapping: Mapping) -> dict[str, str]:
    """Errors of the chosen columns: the e-mail column is required, a column serves one field."""
    errors: dict[str, str] = {}
    width = len(upload.headings)
    used: dict[int, str] = {}
    for f in FIELDS:
        index = mapping.get(f.key)
        if index is None:
            continue
        if not 0 <= index < width:
            errors[f.key] = f"Het bestand heeft geen kolom {column_letter(index)}."
        elif index in used:
            errors[f.key] = (
                f"Kolom {column_letter(index)} is al gekozen voor ‘{_FIELDS_BY_KEY[used[index]].label}’; "
                "kies voor elk veld een eigen kolom."
            )
        else:
            used[index] = f.key
    if mapping.get("email") is None and "email" not in errors:
        errors["email"] = "Kies de kolom met het e-mailadres: daarmee wordt elke persoon herkend."
    return errors


def _check_rows(
    db: Session, upload: Upload, mapping: Mapping, policy: Policy, partnership: Partnership, today: date
) -> tuple[list[RowPlan], _Register]:
    cells_of = [(number, cells) for number, cells in upload.rows]
    emails = sorted({_cell(c, mapping, "email").lower() for _n, c in cells_of} - {""})
    numbers = sorted({_cell(c, mapping, "nummer").lower() for _n, c in cells_of} - {""})
    with_sessions = mapping.get("bijeenkomst") is not None
    reg = _Register(db, partnership.id, emails, numbers, with_sessions)

    plans: list[RowPlan] = []
    first_row_of_email: dict[str, int] = {}
    first_row_of_number: dict[str, int] = {}
    attendance_in_file: set[tuple[int, str]] = set()
    for number, cells in cells_of:
        errors: list[str] = []
        get = partial(_cell, cells, mapping)

        # The person.
        email = get("email").lower()
        if not email:
            errors.append("Het e-mailadres ontbreekt.")
        elif text_error(email, limits.EMAIL) or not _EMAIL.match(email):
            errors.append(f"{quoted(email)} is geen e-mailadres.")
            email = ""
        name = _single_line(get("naam"), limits.NAME, "Naam", errors)
        school_name = _single_line(get("school"), limits.NAME, "School", errors)
        board_name = _single_line(get("bestuur"), limits.NAME, "Bestuur", errors)
        school = None
        if school_name:
            school = reg.schools.get(school_name.casefold())
            if school is None:
                errors.append(f"Onbekende school {quoted(school_name)} in {partnership.name}.")
        if board_name:
            if school is not None:
                board = reg.boards.get(school.parent_id) if school.parent_id else None
                if board is None or board.name.casefold() != board_name.casefold():
                    errors.append(f"School {quoted(school.name)} hoort niet bij bestuur {quoted(board_name)}.")
            elif board_name.casefold() not in reg.board_names:
                errors.append(f"Onbekend bestuur {quoted(board_name)} in {partnership.name}.")
        role = PersonRole.MENTOR
        if raw_role := get("rol"):
            found = _ROLES.get(_plain(raw_role))
            if found is None:
                errors.append(f"Onbekende rol {quoted(raw_role)}: mentor, schoolopleider of instituutsopleider.")
            else:
                role = found
        person_id = None
        new_person = False
        if email:
            known = reg.persons.get(email)
            if known is not None and known[1] != partnership.id:
                errors.append(
                    f"Het e-mailadres {quoted(email)} hoort bij een persoon van een ander partnerschap; "
                    "een persoon staat in één partnerschap."
                )
            elif known is not None:
                person_id = known[0]
            elif email not in first_row_of_email:
                new_person = True
                if not name:
                    errors.append("De naam ontbreekt (nodig voor een persoon die nog niet in het register staat).")
                if not school_name:
                    errors.append("De school ontbreekt (nodig voor een persoon die nog niet in het register staat).")
            first_row_of_email.setdefault(email, number)
        plan = RowPlan(number, email, name, school, role, person_id, new_person)

        # The session.
        session_cell = _single_line(get("bijeenkomst"), limits.TITLE + 20, "Bijeenkomst", errors)
        date_cell = get("datum")
        session_date_from_cell = False
        if session_cell:
            title, session_on = session_cell, None
            head, sep, tail = session_cell.rpartition(",")
            if sep and (on := parse_date(tail)):
                title, session_on, session_date_from_cell = head.strip(), on, True
            elif date_cell:
                session_on = parse_date(date_cell)
                if session_on is None:
                    errors.append(f"De datum {quoted(date_cell)} is geen datum ({DATE_FORMAT}).")
            else:
                errors.append("De datum van de bijeenkomst ontbreekt: ‘titel, dd-mm-jjjj’ of een kolom Datum.")
            if session_on is not None:
                found_sessions = reg.sessions.get((title.casefold(), session_on), [])
                if title.casefold() not in reg.titles:
                    errors.append(f"Onbekende training {quoted(title)} in {partnership.name}.")
                elif not found_sessions:
                    errors.append(f"Geen bijeenkomst van {quoted(title)} op {session_on:%d-%m-%Y}.")
                elif len(found_sessions) > 1:
                    errors.append(
                        f"Er zijn {len(found_sessions)} bijeenkomsten van {quoted(title)} op {session_on:%d-%m-%Y}; "
                        "registreer deze aanwezigheid op de pagina van de bijeenkomst."
                    )
                else:
                    ts = found_sessions[0]
                    if ts.cancelled_at is not None:
                        errors.append(f"De bijeenkomst {quoted(title)} op {session_on:%d-%m-%Y} is geannuleerd.")
                    elif ts.date > today:
                        errors.append(f"De bijeenkomst {quoted(title)} op {session_on:%d-%m-%Y} is nog niet geweest.")
                    else:
                        plan.session = ts
                        key = (ts.id, email)
                        plan.new_attendance = (
                            key not in attendance_in_file
                            and (person_id is None or (ts.id, person_id) not in reg.attendance)
                        )
                        attendance_in_file.add(key)

        # The certificate.
        # A date without a session is a certificate's date, even when the row has nothing else.
        has_certificate = any(get(k) for k in _CERTIFICATE_FIELDS) or (bool(date_cell) and not session_cell)
        if has_certificate:
            plan.certificate = _check_certificate(
                get, plan, reg, policy, today, errors, first_row_of_number,
                use_session_date=plan.session is not None and not session_date_from_cell,
            )
        plan.errors = errors
        plans.append(plan)
    return plans, reg


def _check_certificate(get, plan: RowPlan, reg: _Register, policy: Policy, today: date, errors: list[str],
                       first_row_of_number: dict[str, int], use_session_date: bool) -> CertificatePlan | None:
    ok = True
    kind = None
    if raw_kind := get("soort"):
        kind = _KINDS.get(_plain(raw_kind))
        if kind is None:
            errors.append(
                f"Onbekende soort training {quoted(raw_kind)}: basistraining, verdiepingstraining of opfrisbijeenkomst."
            )
            ok = False
        elif kind not in CERTIFICATE_KINDS:
            errors.append(f"{kind.label} geeft geen mentorcertificaat maar een registratie train-de-trainer.")
            ok = False
    elif plan.session is not None and plan.session.training.kind in CERTIFICATE_KINDS:
        kind = plan.session.training.kind
    else:
        errors.append("De soort training van het certificaat ontbreekt.")
        ok = False

    issued_on = None
    raw_date = get("datum")
    if raw_date and not use_session_date:
        issued_on = parse_date(raw_date)
        if issued_on is None:
            errors.append(f"De datum {quoted(raw_date)} is geen datum ({DATE_FORMAT}).")
            ok = False
    elif plan.session is not None:
        issued_on = plan.session.date
    else:
        errors.append("De datum van het certificaat ontbreekt.")
        ok = False
    if issued_on is not None and (issued_on > today or issued_on < EARLIEST_CERTIFICATE):
        if issued_on > today:
            errors.append(f"De datum {issued_on:%d-%m-%Y} ligt na vandaag ({today:%d-%m-%Y}).")
        else:
            errors.append(f"De datum {issued_on:%d-%m-%Y} ligt vóór {EARLIEST_CERTIFICATE:%d-%m-%Y}.")
        ok = False
        # Nothing below reckons with a refused date: years added to 31-12-9999 are no date.
        issued_on = None

    number = get("nummer")
    exists = False
    if not number:
        errors.append("Het certificaatnummer ontbreekt.")
        ok = False
    elif message := text_error(number, limits.CERTIFICATE_NUMBER):
        errors.append(f"Certificaatnummer: {message}")
        ok = False
    else:
        key = number.lower()
        if key in first_row_of_number:
            errors.append(f"Certificaatnummer {quoted(number)} staat ook in rij {first_row_of_number[key]}.")
            ok = False
        else:
            first_row_of_number[key] = plan.number
            owner = reg.numbers.get(key)
            if owner is not None and owner != plan.person_id:
                errors.append(f"Certificaatnummer {quoted(number)} is in dit partnerschap al aan iemand anders gegeven.")
                ok = False
            exists = owner is not None and owner == plan.person_id
        if plan.session is not None and plan.person_id is not None and not exists:
            other = reg.session_numbers.get((plan.session.id, plan.person_id))
            if other is not None:
                errors.append(f"Deze persoon heeft voor deze bijeenkomst al certificaat {quoted(other)}.")
                ok = False

    issued_by = DEFAULT_ISSUER
    if raw_issuer := get("uitgegeven_door"):
        found = _ISSUERS.get(_plain(raw_issuer))
        if found is None:
            errors.append(f"Onbekend ‘uitgegeven door’ {quoted(raw_issuer)}: bestuur, opleidingsinstituut of gezamenlijk.")
            ok = False
        else:
            issued_by = found

    valid_until = None
    raw_until = get("geldig_tot")
    if raw_until and _plain(raw_until) in _NO_END:
        valid_until = None
    elif raw_until:
        valid_until = parse_date(raw_until)
        if valid_until is None:
            errors.append(f"Geldig tot {quoted(raw_until)} is geen datum ({DATE_FORMAT}).")
            ok = False
        elif issued_on is not None and valid_until < issued_on:
            errors.append(f"Geldig tot ({valid_until:%d-%m-%Y}) ligt vóór de datum ({issued_on:%d-%m-%Y}).")
            ok = False
        elif issued_on is not None and valid_until > plus_years(issued_on, VALIDITY_YEARS_RANGE[1]):
            errors.append(f"Geldig tot ({valid_until:%d-%m-%Y}) ligt meer dan {VALIDITY_YEARS_RANGE[1]} jaar na de datum.")
            ok = False
    elif issued_on is not None:
        valid_until = policy.certificate_valid_until(issued_on)
    if not ok:
        return None
    assert kind is not None and issued_on is not None  # else not ok
    return CertificatePlan(kind, issued_on, number, issued_by, valid_until, exists)


def _count(plans: list[RowPlan], held_roles: set[tuple[int, PersonRole]]) -> Counts:
    counts = Counts(rows=len(plans))
    counts.new_persons = sum(p.new_person for p in plans)
    counts.known_persons = len({p.person_id for p in plans if p.person_id is not None})
    counts.new_roles = len({(p.person_id, p.role) for p in plans if p.person_id is not None} - held_roles)
    for p in plans:
        if p.certificate is not None:
            if p.certificate.exists:
                counts.known_certificates += 1
            else:
                counts.new_certificates += 1
        if p.session is not None:
            if p.new_attendance:
                counts.new_attendance += 1
            else:
                counts.known_attendance += 1
    return counts


def _analyse(
    db: Session, scope: Scope, upload: Upload, mapping: Mapping, today: date
) -> tuple[Preview, _Register | None]:
    _require_manager(scope, upload.partnership_id)
    partnership = db.get(Partnership, upload.partnership_id)
    if partnership is None:
        raise DraftGone()
    mapping = {key: mapping.get(key) for key in FIELD_KEYS}
    mapping_errors = check_mapping(upload, mapping)
    if mapping_errors:
        return Preview(upload, partnership, mapping, mapping_errors, [], Counts(rows=len(upload.rows)), [], 0, 0), None
    plans, reg = _check_rows(db, upload, mapping, policy_for(db, partnership.id), partnership, today)
    failing = [p for p in plans if p.errors]
    errors = [f"Rij {p.number}: {' '.join(p.errors)}" for p in failing[:MAX_REPORTED_ERRORS]]
    counts = _count(plans, reg.roles)
    return Preview(upload, partnership, mapping, {}, plans, counts, errors, len(failing), len(failing) - len(errors)), reg


def preview(db: Session, scope: Scope, upload: Upload, mapping: Mapping, today: date) -> Preview:
    """What a confirmation with this mapping would do, and every row's errors. Saves nothing."""
    return _analyse(db, scope, upload, mapping, today)[0]


# ================================================================ confirming


@dataclass
class ImportResult:
    counts: Counts


CONCURRENT = "Tegelijk is een deel van deze gegevens al ingelezen of ingevoerd. Lees het bestand opnieuw in."


def confirm(
    db: Session, scope: Scope, upload: Upload, mapping: Mapping, today: date, now: datetime
) -> ImportResult:
    """Every row or none: raises ValidationError (mapping) or ImportRefused (rows, with their
    numbers) before writing anything; otherwise adds the persons, roles, certificates and
    attendance the preview counted (the caller commits)."""
    _require_manager(scope, upload.partnership_id)
    # Two imports into one partnership wait for each other (PostgreSQL; SQLite writes one at a
    # time anyway), so the second one's check sees what the first added.
    db.execute(select(Partnership.id).where(Partnership.id == upload.partnership_id).with_for_update())
    pv, reg = _analyse(db, scope, upload, mapping, today)
    if pv.mapping_errors:
        raise ValidationError(pv.mapping_errors)
    if pv.error_count:
        raise ImportRefused(pv.errors, total=pv.error_count)
    assert reg is not None  # only missing with mapping errors
    if pv.counts.adds_nothing:
        return ImportResult(pv.counts)

    # New persons; their ids by e-mail (unique) for the rows that follow. Without a required
    # order of RETURNING, SQLite inserts them in batches too.
    new = [p for p in pv.rows if p.new_person]
    ids: dict[str, int] = {p.email: p.person_id for p in pv.rows if p.person_id is not None}
    if new:
        try:
            with db.begin_nested():
                added = db.execute(
                    insert(Person).returning(Person.id, Person.email),
                    [
                        # A new person always has the file's school.
                        {"name": p.name, "email": p.email, "organisation_id": p.school.id, "created_at": now}  # type: ignore[union-attr]
                        for p in new
                    ],
                ).all()
        except IntegrityError as exc:
            if not violates(exc, PERSON_EMAIL_INDEX):
                raise
            raise ValidationError(CONCURRENT) from exc
        ids.update({email: pid for pid, email in added})  # type: ignore[misc]  # new persons have an e-mail address

    roles = {(ids[p.email], p.role) for p in pv.rows} - reg.roles
    bulk_insert(db, PersonRoleLink.__table__, ("person_id", "role"), sorted((pid, r.value) for pid, r in roles))

    certificates = []
    for p in pv.rows:
        c = p.certificate
        if c is None or c.exists:
            continue
        # The board that issues: the person's own for a known person, else that of the file's school.
        board_id = None
        if c.issued_by in (Issuer.BOARD, Issuer.JOINT):
            if p.person_id is not None:
                board_id = reg.person_boards.get(p.person_id)
            elif p.school is not None:
                board_id = p.school.parent_id
        certificates.append(
            {
                "partnership_id": upload.partnership_id,
                "person_id": ids[p.email],
                "kind": c.kind,
                "training_id": p.session.training_id if p.session is not None else None,
                "session_id": p.session.id if p.session is not None else None,
                "issued_on": c.issued_on,
                "valid_until": c.valid_until,
                "number": c.number,
                "issued_by": c.issued_by,
                "board_id": board_id,
                "institute_id": None,
                "created_at": now,
            }
        )
    if certificates:
        try:
            with db.begin_nested():
                # Core, not the ORM: the ORM's bulk insert leaves out None values and splits the
                # rows into one statement per run of equal columns.
                db.execute(insert(Certificate.__table__), certificates)
        except IntegrityError as exc:
            if not (violates(exc, CERTIFICATE_NUMBER_INDEX) or violates(exc, "uq_certificate_session_id_person_id")):
                raise
            raise ValidationError(CONCURRENT) from exc

    attendance = sorted({(p.session.id, ids[p.email]) for p in pv.rows if p.session is not None and p.new_attendance})
    bulk_insert(db, Attendance.__table__, ("session_id", "person_id", "created_at"), [(s, pid, now) for s, pid in attendance])
    n = pv.counts
    record(
        db, AuditAction.IMPORTED, "partnership", upload.partnership_id, upload.partnership_id,
        f"register: {n.rows} rijen, {n.new_persons} nieuwe personen, {n.new_roles} rollen, "
        f"{n.new_certificates} certificaten, {n.new_attendance} aanwezigheden",
    )
    db.flush()
    return ImportResult(pv.counts)
