"""Questionnaires and their versions. A published version is never edited: a change to a
questionnaire makes a new draft version, and responses stay tied to the version they answered."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from evaluaties.answers.status import DEFAULT_PARTICIPANT_WINDOW_DAYS, DEFAULT_TRAINER_DUE_DAYS
from evaluaties.questionnaires.models import (
    MAX_MULTI_OPTIONS,
    MULTI_SEPARATOR,
    QUESTIONNAIRE_TITLE_INDEX,
    Audience,
    EvaluationSettings,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
)
from kwaliteit import limits
from kwaliteit.accounts.models import Role
from kwaliteit.datafile import load_yaml
from kwaliteit.db import flush_unique
from kwaliteit.models_base import utcnow
from kwaliteit.pagination import Page, clamp_page
from kwaliteit.registry.models import Partnership
from kwaliteit.scope import MAX_ID, Forbidden, NotFound, Scope, check_id
from kwaliteit.validation import ValidationError, check_text, copy_title

DATA = Path(__file__).resolve().parent.parent / "data"
DEFAULT_KEYS = {Audience.TRAINER: "trainer-sessie", Audience.PARTICIPANT: "deelnemer"}
SCALE_LABELS = ["Helemaal oneens", "Oneens", "Neutraal", "Eens", "Helemaal eens"]
MAX_CHOICE_OPTIONS = 50
TITLE_TAKEN = "Dit partnerschap heeft al een vragenlijst met deze titel."
# The builder gives a question without a code of its own the code "v<n>": such a code says
# nothing about the question (an import never matches a column on it alone).
AUTOMATIC_CODE_PREFIX = "v"


def automatic_code(n: int) -> str:
    return f"{AUTOMATIC_CODE_PREFIX}{n}"


def is_automatic_code(code: str) -> bool:
    rest = code[len(AUTOMATIC_CODE_PREFIX):] if code[:1].casefold() == AUTOMATIC_CODE_PREFIX else ""
    return rest.isascii() and rest.isdigit()


# ---------------------------------------------------------------- shipped defaults


def _shipped_questions(spec: dict) -> list[Question]:
    questions = []
    for pos, item in enumerate(spec["questions"]):
        qtype = QuestionType(item["type"])
        options = item.get("labels") if qtype is QuestionType.SCALE else item.get("options", [])
        questions.append(
            Question(
                code=item["code"],
                position=pos,
                text=item["text"],
                type=qtype,
                required=item.get("required", True),
                options=list(options or []),
                safeguard_code=item.get("safeguard"),
            )
        )
    return questions


def load_default_questionnaires(db: Session) -> int:
    """Load the shipped questionnaires that are not there yet, and a newer shipped version of one
    that is; returns how many questionnaires and versions were added. Idempotent.

    A shipped file says its `version:` (1 when absent), and the database numbers the shipped
    versions the same. When the file's version is higher than the latest published version of
    that default, it is added as a new published version: earlier answers stay with their own
    version, and the question codes tie the results together. A version an admin published
    locally with the same or a higher number wins: the shipped one is then not loaded. An admin's
    draft is moved after the shipped version (a draft has no answers), so it stays the newest.
    """
    added = 0
    for path in sorted(DATA.glob("*.yaml")):
        spec = load_yaml(path)
        number = int(spec.get("version", 1))
        q = db.scalar(
            select(Questionnaire)
            .where(Questionnaire.default_key == spec["key"])
            .options(selectinload(Questionnaire.versions))
        )
        if q is None:
            q = Questionnaire(default_key=spec["key"], title=spec["title"], audience=Audience(spec["audience"]))
            db.add(q)
        else:
            latest = latest_published(q)
            if latest is not None and latest.number >= number:
                continue
            draft = draft_of(q)
            if draft is not None and draft.number <= number:
                draft.number = number + 1
                db.flush()  # the draft's number is free before the shipped version takes it
        version = QuestionnaireVersion(number=number, intro=spec.get("intro", ""), published_at=utcnow())
        version.questions = _shipped_questions(spec)
        q.versions.append(version)
        added += 1
    db.flush()
    return added


# ---------------------------------------------------------------- reading


def visible(scope: Scope):
    """Defaults are visible to everyone; a partnership's own only within scope."""
    return or_(Questionnaire.partnership_id.is_(None), scope.condition(Questionnaire.partnership_id))


@dataclass
class QuestionnaireRow:
    questionnaire: Questionnaire
    latest_published: int | None
    has_draft: bool


def _listing(scope: Scope, audience: Audience | None):
    published = (
        select(func.max(QuestionnaireVersion.number))
        .where(
            QuestionnaireVersion.questionnaire_id == Questionnaire.id,
            QuestionnaireVersion.published_at.is_not(None),
        )
        .correlate(Questionnaire)
        .scalar_subquery()
    )
    draft = (
        select(func.count())
        .where(
            QuestionnaireVersion.questionnaire_id == Questionnaire.id,
            QuestionnaireVersion.published_at.is_(None),
        )
        .correlate(Questionnaire)
        .scalar_subquery()
    )
    stmt = (
        select(Questionnaire, published, draft)
        .where(visible(scope))
        .options(selectinload(Questionnaire.partnership))
        .order_by(Questionnaire.partnership_id.is_not(None), Questionnaire.audience, Questionnaire.title)
    )
    if audience is not None:
        stmt = stmt.where(Questionnaire.audience == audience)
    return stmt


def list_questionnaires(db: Session, scope: Scope, audience: Audience | None = None) -> list[QuestionnaireRow]:
    return [QuestionnaireRow(q, p, bool(d)) for q, p, d in db.execute(_listing(scope, audience))]


def questionnaire_page(
    db: Session, scope: Scope, page: int = 1, page_size: int = 25, partnership_id: int | None = None
) -> Page:
    """The questionnaires list, one page of it (clamped to the last page); two statements. With a
    partnership: the shipped defaults and that partnership's own."""
    stmt = _listing(scope, None)
    if partnership_id is not None:
        stmt = stmt.where(
            or_(Questionnaire.partnership_id.is_(None), Questionnaire.partnership_id == partnership_id)
        )
    total = db.execute(select(func.count()).select_from(stmt.with_only_columns(Questionnaire.id).subquery())).scalar_one()
    page = clamp_page(page, total, page_size)
    rows = db.execute(stmt.limit(page_size).offset((page - 1) * page_size))
    return Page([QuestionnaireRow(q, p, bool(d)) for q, p, d in rows], total, page, page_size)


def get_questionnaire(db: Session, scope: Scope, questionnaire_id: int) -> Questionnaire:
    q = db.get(
        Questionnaire,
        check_id(questionnaire_id),
        options=[selectinload(Questionnaire.versions).selectinload(QuestionnaireVersion.questions)],
    )
    if q is None:
        raise NotFound()
    if q.partnership_id is not None:
        scope.check(q.partnership_id)
    return q


def may_edit(scope: Scope, q: Questionnaire) -> bool:
    """Coordinators edit their partnership's questionnaires; only admins edit the shipped ones."""
    if q.partnership_id is None:
        return scope.role is Role.ADMIN
    return scope.may_manage() and scope.allows(q.partnership_id)


def _check_edit(scope: Scope, q: Questionnaire) -> None:
    if not may_edit(scope, q):
        raise Forbidden()


def latest_published(q: Questionnaire) -> QuestionnaireVersion | None:
    published = [v for v in q.versions if v.is_published]
    return published[-1] if published else None


def draft_of(q: Questionnaire) -> QuestionnaireVersion | None:
    drafts = [v for v in q.versions if not v.is_published]
    return drafts[-1] if drafts else None


def current_version_id(db: Session, questionnaire_id: int) -> int | None:
    return db.scalar(
        select(QuestionnaireVersion.id)
        .where(
            QuestionnaireVersion.questionnaire_id == questionnaire_id,
            QuestionnaireVersion.published_at.is_not(None),
        )
        .order_by(QuestionnaireVersion.number.desc())
        .limit(1)
    )


def load_version(db: Session, version_id: int) -> QuestionnaireVersion:
    v = db.get(
        QuestionnaireVersion, check_id(version_id), options=[selectinload(QuestionnaireVersion.questions)]
    )
    if v is None:
        raise NotFound()
    return v


def load_question(db: Session, question_id: int) -> Question:
    question = db.get(Question, check_id(question_id))
    if question is None:
        raise NotFound()
    return question


# ---------------------------------------------------------------- editing


def create_questionnaire(
    db: Session, scope: Scope, partnership_id: int | None, title: str, audience: Audience, intro: str = ""
) -> Questionnaire:
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = "Vul een titel in."
    check_text(errors, "title", title, limits.TITLE)
    check_text(errors, "intro", (intro or "").strip(), limits.INTRO, multiline=True)
    if partnership_id is None:
        errors["partnership_id"] = "Kies een partnerschap."
    elif not scope.may_manage() or not scope.allows(partnership_id):
        raise Forbidden()
    elif "title" not in errors and db.scalar(
        select(func.count()).where(
            Questionnaire.partnership_id == partnership_id,
            func.lower(Questionnaire.title) == func.lower(title),
        )
    ):
        errors["title"] = TITLE_TAKEN
    if errors:
        raise ValidationError(errors)
    q = Questionnaire(partnership_id=partnership_id, title=title, audience=audience)
    q.versions.append(QuestionnaireVersion(number=1, intro=(intro or "").strip()))
    db.add(q)
    # Two saves of the same title at the same moment: the database's index refuses the second.
    flush_unique(db, QUESTIONNAIRE_TITLE_INDEX, "title", TITLE_TAKEN)
    return q


def start_new_version(db: Session, scope: Scope, questionnaire_id: int) -> QuestionnaireVersion:
    """A draft copy of the latest published version (or the existing draft)."""
    q = get_questionnaire(db, scope, questionnaire_id)
    _check_edit(scope, q)
    if (draft := draft_of(q)) is not None:
        return draft
    base = latest_published(q)
    version = QuestionnaireVersion(number=(q.versions[-1].number + 1), intro=base.intro if base else "")
    version.questions = _copy_questions(base)
    q.versions.append(version)
    db.flush()
    return version


def _copy_questions(base: QuestionnaireVersion | None) -> list[Question]:
    return [
        Question(
            code=question.code,
            position=question.position,
            text=question.text,
            type=question.type,
            required=question.required,
            options=list(question.options or []),
            safeguard_code=question.safeguard_code,
        )
        for question in (base.questions if base else [])
    ]


def duplicate_questionnaire(
    db: Session, scope: Scope, questionnaire_id: int, partnership_id: int | None, title: str = ""
) -> Questionnaire:
    """A partnership's own copy of a questionnaire it can see (a shipped default, or one of its
    own), titled `title` or else "… (kopie)": version 1 as a draft with the introduction and
    questions of the latest published version (or of the draft, if none is published), to adapt
    and publish. Its answers will be its own: results add up per questionnaire, not across copies."""
    original = get_questionnaire(db, scope, questionnaire_id)
    if not scope.may_manage():
        raise Forbidden()
    errors: dict[str, str] = {}
    title = (title or "").strip()
    check_text(errors, "title", title, limits.TITLE)
    if partnership_id is None:
        errors["partnership_id"] = "Kies een partnerschap."
    elif not scope.allows(partnership_id) or db.get(Partnership, partnership_id) is None:
        errors["partnership_id"] = "Je kunt geen vragenlijsten maken voor dit partnerschap."
    elif title and "title" not in errors and db.scalar(
        select(func.count()).where(
            Questionnaire.partnership_id == partnership_id,
            func.lower(Questionnaire.title) == func.lower(title),
        )
    ):
        errors["title"] = TITLE_TAKEN
    if errors:
        raise ValidationError(errors)
    if not title:
        taken = {
            t.lower()
            for t in db.scalars(
                select(Questionnaire.title).where(
                    Questionnaire.partnership_id == partnership_id, Questionnaire.title.icontains("kopie")
                )
            )
        }
        title = copy_title(original.title, taken, limits.TITLE)
    base = latest_published(original) or draft_of(original)
    copy = Questionnaire(partnership_id=partnership_id, title=title, audience=original.audience)
    version = QuestionnaireVersion(number=1, intro=base.intro if base else "")
    version.questions = _copy_questions(base)
    copy.versions.append(version)
    db.add(copy)
    flush_unique(db, QUESTIONNAIRE_TITLE_INDEX, "title", TITLE_TAKEN)
    return copy


def _draft(db: Session, scope: Scope, version_id: int) -> QuestionnaireVersion:
    version = load_version(db, version_id)
    q = get_questionnaire(db, scope, version.questionnaire_id)
    _check_edit(scope, q)
    if version.is_published:
        raise ValidationError("Een gepubliceerde versie wordt niet meer gewijzigd: maak een nieuwe versie.")
    return version


@dataclass
class QuestionData:
    text: str
    type: QuestionType
    required: bool = True
    options: list[str] = field(default_factory=list)
    safeguard_code: str | None = None
    code: str | None = None


def _validate_question(data: QuestionData, safeguard_codes: set[str]) -> dict[str, str]:
    errors = {}
    if not (data.text or "").strip():
        errors["text"] = "Vul de vraag in."
    check_text(errors, "text", (data.text or "").strip(), limits.QUESTION, multiline=True)
    if data.code is not None:
        check_text(errors, "code", data.code, limits.QUESTION_CODE)
    options = [o.strip() for o in data.options if o.strip()]
    for option in options:
        # One option (or scale label) per line: a line is one-line text with its own limit.
        check_text(errors, "options", option, limits.OPTION)
    limit = MAX_MULTI_OPTIONS if data.type is QuestionType.MULTI else MAX_CHOICE_OPTIONS
    if data.type.has_options and len(options) < 2:
        errors["options"] = "Geef minstens twee keuzemogelijkheden, één per regel."
    elif data.type.has_options and len(options) > limit:
        # multi: the answer is a bitmask of the options in a 32-bit integer (MAX_MULTI_OPTIONS).
        errors["options"] = f"Geef hoogstens {limit} keuzemogelijkheden."
    elif data.type.has_options and len({o.casefold() for o in options}) < len(options):
        # Answers are matched by their text, case-insensitively: a second "Ja" could never be chosen.
        errors["options"] = "Geef elke keuzemogelijkheid maar één keer."
    elif data.type is QuestionType.MULTI and any(MULTI_SEPARATOR in o for o in options):
        # Imports and exports write the chosen options of a multi answer separated by ';'.
        errors["options"] = f"Een keuzemogelijkheid bij meerdere keuzes mag geen ‘{MULTI_SEPARATOR}’ bevatten."
    if data.type is QuestionType.SCALE and options and len(options) != 5:
        errors["options"] = "Een schaal heeft precies vijf labels (1 tot en met 5), één per regel."
    if data.safeguard_code and data.safeguard_code not in safeguard_codes:
        errors["safeguard_code"] = "Kies een waarborg uit het huidige kwaliteitskader."
    return errors


def _safeguard_codes(db: Session) -> set[str]:
    from kwaliteit.framework.services import current_safeguards

    return {s.code for s in current_safeguards(db)}


def _clean_options(data: QuestionData) -> list[str]:
    options = [o.strip() for o in data.options if o.strip()]
    if data.type is QuestionType.SCALE:
        return options or list(SCALE_LABELS)
    return options if data.type.has_options else []


def add_question(db: Session, scope: Scope, version_id: int, data: QuestionData) -> Question:
    version = _draft(db, scope, version_id)
    if errors := _validate_question(data, _safeguard_codes(db)):
        raise ValidationError(errors)
    # Codes tie results together across versions: a new question must not take the code of a
    # question that an earlier version had (and this draft dropped), or their answers would mix.
    used = set(
        db.scalars(
            select(Question.code)
            .join(QuestionnaireVersion, Question.version_id == QuestionnaireVersion.id)
            .where(QuestionnaireVersion.questionnaire_id == version.questionnaire_id)
        )
    ) | {q.code for q in version.questions}
    n = len(version.questions) + 1
    code = data.code or automatic_code(n)
    while code in used:
        n += 1
        code = automatic_code(n)
    question = Question(
        code=code,
        position=max((q.position for q in version.questions), default=-1) + 1,
        text=data.text.strip(),
        type=data.type,
        required=data.required,
        options=_clean_options(data),
        safeguard_code=data.safeguard_code or None,
    )
    version.questions.append(question)
    db.flush()
    return question


def _question_in_draft(db: Session, scope: Scope, question_id: int) -> Question:
    question = load_question(db, question_id)
    _draft(db, scope, question.version_id)
    return question


def _kept_options_error(db: Session, question: Question, data: QuestionData) -> str | None:
    """An answer to a choice keeps the option's place in the list (and a scale answer its number),
    and results add the versions of a question (its code) up under the newest labels. So the
    options an earlier published version asked stay in their places, in their words: new ones
    only after them. (Reordered, every earlier answer would count under another option.)"""
    if not (data.type.has_options or data.type is QuestionType.SCALE):
        return None
    earlier = db.scalars(
        select(Question.options)
        .join(QuestionnaireVersion, Question.version_id == QuestionnaireVersion.id)
        .where(
            QuestionnaireVersion.questionnaire_id == question.version.questionnaire_id,
            QuestionnaireVersion.published_at.is_not(None),
            Question.code == question.code,
            Question.type == data.type,
        )
        .order_by(QuestionnaireVersion.number.desc())
        .limit(1)
    ).first()
    if not earlier:
        return None

    def plain(options: list[str]) -> list[str]:
        return [" ".join(o.split()).casefold() for o in options]

    new = plain(_clean_options(data))
    if new[: len(earlier)] == plain(earlier):
        return None
    kept = "; ".join(earlier)
    return (
        f"Een eerdere versie vroeg deze vraag met de keuzes: {kept}. Eerdere antwoorden tellen op hun "
        "plaats in die lijst: houd die keuzes in die volgorde en woorden, en zet nieuwe erachter. "
        "Andere keuzes nodig? Verwijder de vraag en voeg een nieuwe toe: die telt apart."
    )


def update_question(db: Session, scope: Scope, question_id: int, data: QuestionData) -> Question:
    question = _question_in_draft(db, scope, question_id)
    errors = _validate_question(data, _safeguard_codes(db))
    if "options" not in errors and (message := _kept_options_error(db, question, data)):
        errors["options"] = message
    if errors:
        raise ValidationError(errors)
    question.text = data.text.strip()
    question.type = data.type
    question.required = data.required
    question.options = _clean_options(data)
    question.safeguard_code = data.safeguard_code or None
    db.flush()
    return question


def delete_question(db: Session, scope: Scope, question_id: int) -> None:
    question = _question_in_draft(db, scope, question_id)
    db.delete(question)
    db.flush()


def move_question(db: Session, scope: Scope, question_id: int, offset: int) -> None:
    question = _question_in_draft(db, scope, question_id)
    questions = sorted(question.version.questions, key=lambda q: q.position)
    i = questions.index(question)
    j = max(0, min(len(questions) - 1, i + offset))
    questions.insert(j, questions.pop(i))
    for pos, q in enumerate(questions):
        q.position = pos
    db.flush()


def update_intro(db: Session, scope: Scope, version_id: int, intro: str) -> None:
    version = _draft(db, scope, version_id)
    errors: dict[str, str] = {}
    check_text(errors, "intro", (intro or "").strip(), limits.INTRO, multiline=True)
    if errors:
        raise ValidationError(errors)
    version.intro = (intro or "").strip()
    db.flush()


def publish(db: Session, scope: Scope, version_id: int) -> QuestionnaireVersion:
    version = _draft(db, scope, version_id)
    if not version.questions:
        raise ValidationError("Een vragenlijst zonder vragen kan niet worden gepubliceerd.")
    version.published_at = utcnow()
    db.flush()
    return version


# ---------------------------------------------------------------- per training


def default_questionnaire_id(db: Session, audience: Audience) -> int | None:
    return db.scalar(select(Questionnaire.id).where(Questionnaire.default_key == DEFAULT_KEYS[audience]))


def applicable_version_id(training_id, audience: Audience):
    """SQL: the id of the latest published version of the questionnaire that applies to the
    training (`training_id` a value or a column): the training's own questionnaire, else the shipped
    default. The one definition of that choice."""
    chosen_column = (
        EvaluationSettings.trainer_questionnaire_id
        if audience is Audience.TRAINER
        else EvaluationSettings.participant_questionnaire_id
    )
    # Correlated explicitly: two levels down, SQLAlchemy would not correlate a column of the
    # enclosing statement (training_session.training_id) by itself, and take every session instead.
    chosen = (
        select(chosen_column)
        .where(EvaluationSettings.training_id == training_id)
        .correlate_except(EvaluationSettings)
        .scalar_subquery()
    )
    default = select(Questionnaire.id).where(Questionnaire.default_key == DEFAULT_KEYS[audience]).scalar_subquery()
    return (
        select(QuestionnaireVersion.id)
        .where(
            QuestionnaireVersion.questionnaire_id == func.coalesce(chosen, default),
            QuestionnaireVersion.published_at.is_not(None),
        )
        .order_by(QuestionnaireVersion.number.desc())
        .limit(1)
        .correlate_except(QuestionnaireVersion)
        .scalar_subquery()
    )


def applicable_version(db: Session, training_id: int, audience: Audience) -> QuestionnaireVersion | None:
    """The latest published version of the questionnaire that applies to this training, with its
    questions: one statement."""
    return db.scalars(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.id == applicable_version_id(training_id, audience))
        .options(joinedload(QuestionnaireVersion.questions))
    ).unique().first()


# Published versions never change (a change makes a new version), so the anonymous answer form
# keeps each one per process once loaded: it is on the path of every answer. Keyed by database,
# as a process may serve (or test) more than one; detached from every session, so that no commit
# or rollback of a request expires it under another.
_PUBLISHED: dict[tuple[str, int], QuestionnaireVersion] = {}
_PUBLISHED_MAX = 512


def published_version(db: Session, version_id: int) -> QuestionnaireVersion | None:
    """A published version with its questions, from the process's cache or one statement."""
    key = (db.get_bind().engine.url.render_as_string(hide_password=True), version_id)
    if (cached := _PUBLISHED.get(key)) is not None:
        return cached
    version = db.scalars(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.id == version_id)
        .options(joinedload(QuestionnaireVersion.questions))
    ).unique().first()
    if version is None or not version.is_published:
        return version
    db.expunge(version)
    for question in version.questions:
        if question in db:
            db.expunge(question)
    if len(_PUBLISHED) >= _PUBLISHED_MAX:
        _PUBLISHED.clear()
    _PUBLISHED[key] = version
    return version


def forget_published_versions() -> None:
    """Empty the cache (a database that was emptied or restored: its ids may mean other versions now)."""
    _PUBLISHED.clear()


@dataclass
class SettingsData:
    trainer_questionnaire_id: int | None
    participant_questionnaire_id: int | None
    trainer_due_days: int = DEFAULT_TRAINER_DUE_DAYS
    participant_window_days: int = DEFAULT_PARTICIPANT_WINDOW_DAYS


def get_settings(db: Session, training_id: int) -> SettingsData:
    s = db.get(EvaluationSettings, training_id)
    if s is None:
        # No settings of its own: the deadlines its partnership sets for every training.
        from kwaliteit.registry.services import partnership_deadlines
        from kwaliteit.trainings.models import Training

        partnership_id = db.execute(select(Training.partnership_id).where(Training.id == training_id)).scalar_one()
        deadlines = partnership_deadlines(db, partnership_id)
        return SettingsData(None, None, deadlines.trainer_due_days, deadlines.participant_window_days)
    return SettingsData(
        s.trainer_questionnaire_id,
        s.participant_questionnaire_id,
        s.trainer_due_days,
        s.participant_window_days,
    )


def update_settings(db: Session, scope: Scope, training_id: int, data: SettingsData) -> EvaluationSettings:
    from kwaliteit.trainings.services import get_training

    if not scope.may_manage():
        raise Forbidden()
    training = get_training(db, scope, training_id)
    errors = {}
    for field_name, audience in (
        ("trainer_questionnaire_id", Audience.TRAINER),
        ("participant_questionnaire_id", Audience.PARTICIPANT),
    ):
        qid = getattr(data, field_name)
        if qid is None:
            continue
        q = db.get(Questionnaire, qid) if 0 < qid <= MAX_ID else None
        if (
            q is None
            or q.audience is not audience
            or (q.partnership_id is not None and q.partnership_id != training.partnership_id)
        ):
            errors[field_name] = "Kies een vragenlijst van de juiste soort uit dit partnerschap."
        elif current_version_id(db, qid) is None:
            errors[field_name] = "Deze vragenlijst heeft nog geen gepubliceerde versie."
    if data.trainer_due_days is None or not 0 <= data.trainer_due_days <= 365:
        errors["trainer_due_days"] = "Kies een termijn tussen 0 en 365 dagen."
    if data.participant_window_days is None or not 1 <= data.participant_window_days <= 365:
        errors["participant_window_days"] = "Kies een periode tussen 1 en 365 dagen."
    if errors:
        raise ValidationError(errors)
    settings = db.get(EvaluationSettings, training_id) or EvaluationSettings(training_id=training_id)
    settings.trainer_questionnaire_id = data.trainer_questionnaire_id
    settings.participant_questionnaire_id = data.participant_questionnaire_id
    settings.trainer_due_days = data.trainer_due_days
    settings.participant_window_days = data.participant_window_days
    db.add(settings)
    db.flush()
    return settings
