"""Check raw answers (from a form or an imported row) against a questionnaire version.

Shared by the trainer's form, the anonymous participant form and the import, so each accepts
and refuses exactly the same values.
"""

from __future__ import annotations

from collections.abc import Mapping

from evaluaties.answers.models import Answer
from evaluaties.questionnaires.models import Question, QuestionnaireVersion, QuestionType
from kwaliteit import limits
from kwaliteit.validation import characters_error

MAX_OPEN_LENGTH = limits.OPEN_ANSWER
YES = {"ja", "j", "yes", "y", "1", "waar", "true"}
NO = {"nee", "n", "no", "0", "onwaar", "false"}


def field_name(question: Question) -> str:
    return f"q_{question.code}"


def parse_value(question: Question, raw: str | None) -> tuple[int | None, str | None]:
    """(value_int, value_text) for one answer; raises ValueError with a Dutch message."""
    text = (raw or "").strip()
    if question.type is QuestionType.SCALE:
        labels = [label.lower() for label in (question.options or [])]
        if text.isdigit() and 1 <= int(text) <= 5:
            return int(text), None
        if text.lower() in labels:
            return labels.index(text.lower()) + 1, None
        raise ValueError(f"Kies een waarde van 1 tot en met 5 (gegeven: '{text}').")
    if question.type is QuestionType.YES_NO:
        if text.lower() in YES:
            return 1, None
        if text.lower() in NO:
            return 0, None
        raise ValueError(f"Antwoord met ja of nee (gegeven: '{text}').")
    if question.type is QuestionType.CHOICE:
        options = [o.lower() for o in question.options or []]
        if text.lower() in options:
            return options.index(text.lower()), None
        raise ValueError(f"Kies een van de mogelijkheden (gegeven: '{text}').")
    if message := characters_error(text, multiline=True):
        raise ValueError(message)
    if len(text) > MAX_OPEN_LENGTH:
        raise ValueError(f"Het antwoord is te lang (hoogstens {MAX_OPEN_LENGTH} tekens).")
    return None, text


def parse_answers(
    version: QuestionnaireVersion, raw: Mapping[str, str | None]
) -> tuple[list[Answer], dict[str, str]]:
    """Answers for the version's questions from raw values keyed by `field_name(question)`.

    Returns the answers and the errors (keyed by field name); the caller saves nothing when
    there is any error.
    """
    answers: list[Answer] = []
    errors: dict[str, str] = {}
    for question in version.questions:
        name = field_name(question)
        raw_value = raw.get(name)
        if raw_value is None or not str(raw_value).strip():
            if question.required:
                errors[name] = "Deze vraag is verplicht."
            continue
        try:
            value_int, value_text = parse_value(question, str(raw_value))
        except ValueError as exc:
            errors[name] = str(exc)
            continue
        answers.append(Answer(question_id=question.id, value_int=value_int, value_text=value_text))
    return answers, errors


def display_value(question: Question, answer: Answer | None) -> str:
    """The value as a person reads it: what exports show and what the answer form posts back."""
    if answer is None:
        return ""
    if question.type is QuestionType.SCALE:
        return str(answer.value_int)
    if question.type is QuestionType.YES_NO:
        return "ja" if answer.value_int == 1 else "nee"
    if question.type is QuestionType.CHOICE:
        options = question.options or []
        return (
            options[answer.value_int]
            if answer.value_int is not None and answer.value_int < len(options)
            else ""
        )
    return answer.value_text or ""
