"""Forms of evaluaties: a questionnaire version as a form, and the coordinator's small forms."""

from __future__ import annotations

import weakref

from wtforms import IntegerField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from evaluaties.answers.links import MAX_LINKS_PER_BATCH, MAX_SHARED_USES
from evaluaties.answers.parsing import GRADE_INPUT_LENGTH, MAX_OPEN_LENGTH, RawValue, field_name
from evaluaties.questionnaires.models import MULTI_SEPARATOR, QuestionnaireVersion, QuestionType
from kwaliteit import limits
from kwaliteit.forms import BaseForm, choices, max_length


class GradeField(StringField):
    """A grade as text. A text box: type="number" would refuse "7,5" in a Dutch browser or show it
    as empty. No valid grade is longer than GRADE_INPUT_LENGTH, so a longer value is shown back cut
    (it is refused whole by parse_value): a pasted megabyte does not come back in the page."""

    def _value(self):
        return super()._value()[:GRADE_INPUT_LENGTH]


class MultiCheckboxField(SelectMultipleField):
    """Several options as checkboxes (rendered in a fieldset by evaluaties/_questions.html).

    Its data is the list of chosen option texts; as initial data it also takes the text that
    display_value gives ("a; b"), so a saved answer fills the form again.
    """

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_data(self, value):
        if isinstance(value, str):
            value = [part.strip() for part in value.split(MULTI_SEPARATOR) if part.strip()]
        super().process_data(value)


class AnswerForm(BaseForm):
    """Fields are added per question by `answer_form`; the rules live in evaluaties.answers.parsing."""

    version: QuestionnaireVersion

    def question_fields(self):
        return [(q, self[field_name(q)]) for q in self.version.questions]

    def raw_answers(self) -> dict[str, RawValue]:
        """Text per question; for a multi question the list of chosen option texts."""
        return {
            field_name(q): (list(f.data or []) if q.type is QuestionType.MULTI else (f.data or ""))
            for q, f in self.question_fields()
        }


def _field_for(question):
    label = question.text
    if question.type is QuestionType.SCALE:
        labels = question.options or []
        return RadioField(
            label,
            choices=choices(
                (str(i), f"{i} – {labels[i - 1]}" if len(labels) == 5 else str(i)) for i in range(1, 6)
            ),
            validate_choice=False,
        )
    if question.type is QuestionType.YES_NO:
        return RadioField(label, choices=choices([("ja", "Ja"), ("nee", "Nee")]), validate_choice=False)
    if question.type is QuestionType.GRADE:
        return GradeField(
            label,
            render_kw={"inputmode": "decimal", "autocomplete": "off", "size": 5, "maxlength": GRADE_INPUT_LENGTH},
        )
    if question.type is QuestionType.CHOICE:
        return RadioField(
            label, choices=choices((o, o) for o in question.options or []), validate_choice=False
        )
    if question.type is QuestionType.MULTI:
        return MultiCheckboxField(
            label, choices=choices((o, o) for o in question.options or []), validate_choice=False
        )
    return TextAreaField(label, validators=[Optional(), max_length(MAX_OPEN_LENGTH)])


def _form_class(version: QuestionnaireVersion) -> type[AnswerForm]:
    attrs = {field_name(question): _field_for(question) for question in version.questions}
    # The fields only render and carry values: what is valid is decided by parse_answers, the
    # same check the import uses (hence validate_choice=False).
    return type("BoundAnswerForm", (AnswerForm,), attrs)


# The form class of each published version, built once per process: a published version never
# changes (questionnaires.published_version keeps the version object itself per process), and the
# class is on the path of every anonymous answer. Keyed weakly by the version object, so an entry
# goes with the version it was built from; the class holds no reference to it (the form instance
# gets `version`).
_CLASSES: weakref.WeakKeyDictionary[QuestionnaireVersion, type[AnswerForm]] = weakref.WeakKeyDictionary()


def answer_form(version: QuestionnaireVersion, **kwargs) -> AnswerForm:
    if version.is_published:
        cls = _CLASSES.get(version)
        if cls is None:
            cls = _CLASSES[version] = _form_class(version)
    else:  # a draft may still change: a class of its own
        cls = _form_class(version)
    form = cls(**kwargs)
    form.version = version
    return form


class WaiveForm(BaseForm):
    reason = TextAreaField(
        "Reden van de vrijstelling",
        validators=[InputRequired("Geef een reden op voor de vrijstelling."), max_length(limits.REASON)],
    )


class SingleLinksForm(BaseForm):
    count = IntegerField(
        "Aantal persoonlijke links",
        validators=[
            InputRequired("Vul een aantal in."),
            NumberRange(min=1, max=MAX_LINKS_PER_BATCH, message=f"Kies 1 tot en met {MAX_LINKS_PER_BATCH}."),
        ],
        render_kw={"inputmode": "numeric"},
    )


class SharedLinkForm(BaseForm):
    max_uses = IntegerField(
        "Maximum aantal antwoorden",
        validators=[
            InputRequired("Vul een maximum in."),
            NumberRange(min=1, max=MAX_SHARED_USES, message=f"Kies 1 tot en met {MAX_SHARED_USES}."),
        ],
        render_kw={"inputmode": "numeric"},
    )
