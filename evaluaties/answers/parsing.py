"""Check raw answers (from a form or an imported row) against a questionnaire version.

Shared by the trainer's form, the anonymous participant form and the import, so each accepts
and refuses exactly the same values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from evaluaties.answers.models import Answer
from evaluaties.questionnaires.models import (
    GRADE_FACTOR,
    GRADE_MAX,
    GRADE_MIN,
    MULTI_SEPARATOR,
    Question,
    QuestionnaireVersion,
    QuestionType,
    multi_indexes,
    multi_mask,
)
from kwaliteit import limits
from kwaliteit.limits import quoted
from kwaliteit.validation import characters_error

MAX_OPEN_LENGTH = limits.OPEN_ANSWER
YES = {"ja", "j", "yes", "y", "1", "waar", "true"}
NO = {"nee", "n", "no", "0", "onwaar", "false"}
# Options named in the message that refuses a multi answer; beyond this only their number.
MAX_NAMED_OPTIONS = 10
# 1 to 10 with at most one decimal, comma or point ("7", "7,5", "7.5"); zeros after the one
# decimal are only formatting ("7,50", as a spreadsheet with two decimals writes it). ASCII digits
# only: \d would also take other scripts' digits.
GRADE_PATTERN = re.compile(r"([0-9]{1,2})(?:[.,]([0-9])0*)?")
# Room for any way of writing a valid grade (" 10,0 ", "6,50"); the form's box takes no more.
GRADE_INPUT_LENGTH = 12
GRADE_MESSAGE = (
    f"Geef een cijfer van {GRADE_MIN} tot en met {GRADE_MAX}, met hoogstens één decimaal "
    "(bijvoorbeeld 7 of 7,5)"
)

RawValue = str | Sequence[str] | None


def field_name(question: Question) -> str:
    return f"q_{question.code}"


def _named_options(options: list[str]) -> str:
    named = ", ".join(quoted(o) for o in options[:MAX_NAMED_OPTIONS])
    more = len(options) - MAX_NAMED_OPTIONS
    return f"{named} en {more} meer" if more > 0 else named


def _parts(raw: RawValue) -> list[str]:
    """The trimmed, non-empty option texts of a multi answer: a list, or one string with ';'."""
    if raw is None:
        return []
    items = raw.split(MULTI_SEPARATOR) if isinstance(raw, str) else [str(item) for item in raw]
    return [item.strip() for item in items if item and item.strip()]


def is_blank(question: Question, raw: RawValue) -> bool:
    """No answer given: nothing, only spaces, or (multi) no option chosen."""
    if question.type is QuestionType.MULTI or (raw is not None and not isinstance(raw, str)):
        return not _parts(raw)
    return raw is None or not raw.strip()


def parse_grade(text: str) -> int:
    """A grade in tenths (7,5 -> 75); raises ValueError with a Dutch message."""
    match = GRADE_PATTERN.fullmatch(text)
    if match:
        tenths = int(match[1]) * GRADE_FACTOR + int(match[2] or 0)
        if GRADE_MIN * GRADE_FACTOR <= tenths <= GRADE_MAX * GRADE_FACTOR:
            return tenths
    raise ValueError(f"{GRADE_MESSAGE} (gegeven: {quoted(text)}).")


def grade_text(tenths: int) -> str:
    """A grade as it is written in Dutch: 75 -> "7,5", 80 -> "8"."""
    whole, tenth = divmod(tenths, GRADE_FACTOR)
    return f"{whole},{tenth}" if tenth else str(whole)


def parse_multi(question: Question, raw: RawValue) -> int:
    """The bitmask of the options chosen; raises ValueError naming the allowed options."""
    options = [str(o) for o in question.options or []]
    index: dict[str, int] = {}
    for i, option in enumerate(options):
        index.setdefault(option.strip().casefold(), i)
    parts = _parts(raw)
    unknown = [p for p in parts if p.casefold() not in index]
    if unknown:
        given = "; ".join(unknown)
        raise ValueError(
            f"Kies uit de mogelijkheden {_named_options(options)} (onbekend: {quoted(given)})."
        )
    if not parts:
        raise ValueError("Kies minstens één mogelijkheid.")
    return multi_mask(index[p.casefold()] for p in parts)  # a duplicate sets the same bit


def parse_value(question: Question, raw: RawValue) -> tuple[int | None, str | None]:
    """(value_int, value_text) for one answer; raises ValueError with a Dutch message.

    `raw` is text; for a multi question also a list of option texts (the form's checkboxes).
    """
    if question.type is QuestionType.MULTI:
        return parse_multi(question, raw), None
    if raw is not None and not isinstance(raw, str):
        items = list(raw)
        if len(items) > 1:
            raise ValueError("Geef één antwoord.")
        raw = str(items[0]) if items else None
    text = (raw or "").strip()
    if question.type is QuestionType.SCALE:
        labels = [label.lower() for label in (question.options or [])]
        if text.isascii() and text.isdigit() and 1 <= int(text) <= 5:
            return int(text), None
        if text.lower() in labels:
            return labels.index(text.lower()) + 1, None
        raise ValueError(f"Kies een waarde van 1 tot en met 5 (gegeven: {quoted(text)}).")
    if question.type is QuestionType.GRADE:
        return parse_grade(text), None
    if question.type is QuestionType.YES_NO:
        if text.lower() in YES:
            return 1, None
        if text.lower() in NO:
            return 0, None
        raise ValueError(f"Antwoord met ja of nee (gegeven: {quoted(text)}).")
    if question.type is QuestionType.CHOICE:
        options = [o.lower() for o in question.options or []]
        if text.lower() in options:
            return options.index(text.lower()), None
        raise ValueError(
            f"Kies een van de mogelijkheden {_named_options(list(question.options or []))} "
            f"(gegeven: {quoted(text)})."
        )
    if message := characters_error(text, multiline=True):
        raise ValueError(message)
    if len(text) > MAX_OPEN_LENGTH:
        raise ValueError(f"Het antwoord is te lang (hoogstens {MAX_OPEN_LENGTH} tekens).")
    return None, text


def parse_answers(
    version: QuestionnaireVersion, raw: Mapping[str, RawValue], make: Callable[..., Any] = Answer
) -> tuple[list[Answer], dict[str, str]]:
    """Answers for the version's questions from raw values keyed by `field_name(question)`.

    Returns the answers and the errors (keyed by field name); the caller saves nothing when
    there is any error. An optional question left empty (for multi: no option chosen) gets no
    Answer row. `make` builds each answer from question_id, value_int and value_text: the import
    passes `dict`, as 5,000 rows of ORM objects cost more than the bulk insert they feed.
    """
    answers: list[Answer] = []
    errors: dict[str, str] = {}
    for question in version.questions:
        name = field_name(question)
        raw_value = raw.get(name)
        if raw_value is not None and not isinstance(raw_value, str | list | tuple):
            raw_value = str(raw_value)
        if is_blank(question, raw_value):
            if question.required:
                errors[name] = "Deze vraag is verplicht."
            continue
        try:
            value_int, value_text = parse_value(question, raw_value)
        except ValueError as exc:
            errors[name] = str(exc)
            continue
        answers.append(make(question_id=question.id, value_int=value_int, value_text=value_text))
    return answers, errors


def display_value(question: Question, answer: Answer | None) -> str:
    """The value as a person reads it: what exports show and what the answer form posts back
    (parse_value accepts it again)."""
    if answer is None:
        return ""
    if question.type is QuestionType.SCALE:
        return str(answer.value_int)
    if question.type is QuestionType.GRADE:
        return grade_text(answer.value_int) if answer.value_int is not None else ""
    if question.type is QuestionType.YES_NO:
        return "ja" if answer.value_int == 1 else "nee"
    if question.type is QuestionType.CHOICE:
        options = question.options or []
        return (
            options[answer.value_int]
            if answer.value_int is not None and answer.value_int < len(options)
            else ""
        )
    if question.type is QuestionType.MULTI:
        options = question.options or []
        return f"{MULTI_SEPARATOR} ".join(
            options[i] if i < len(options) else f"keuze {i + 1}" for i in multi_indexes(answer.value_int)
        )
    return answer.value_text or ""
