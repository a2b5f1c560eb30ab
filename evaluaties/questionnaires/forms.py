"""Forms of the questionnaire screens and of a training's evaluation settings.

The forms parse input; the rules (two options for a choice or multi, five scale labels, a questionnaire of
the right audience and partnership, the ranges of the periods) live in evaluaties.questionnaires.services.
"""
from __future__ import annotations

from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from evaluaties.questionnaires.models import MAX_MULTI_OPTIONS, MULTI_SEPARATOR, Audience, QuestionType
from evaluaties.questionnaires.services import SCALE_LABELS
from kwaliteit import limits
from kwaliteit.forms import BaseForm, ChoiceField, choices, max_length


def optional_id(value) -> int | None:
    """Coerce for a select whose empty option means "none" (for example: the standard questionnaire)."""
    if value is None or value == "":
        return None
    return int(value)


class QuestionnaireForm(BaseForm):
    partnership_id = ChoiceField("Partnerschap", "Kies een partnerschap.", coerce=int)
    title = StringField(
        "Titel", validators=[DataRequired("Vul een titel in."), max_length(limits.TITLE)]
    )
    audience = ChoiceField(
        "Soort evaluatie", "Kies de soort evaluatie.", choices=choices((a.value, a.label) for a in Audience)
    )
    intro = TextAreaField("Inleiding", validators=[Optional(), max_length(limits.INTRO)])


class IntroForm(BaseForm):
    intro = TextAreaField("Inleiding", validators=[Optional(), max_length(limits.INTRO)])


OPTIONS_HINT = (
    "Eén per regel. Schaal 1–5: vijf labels, van 1 tot en met 5; leeg laten geeft "
    + " – ".join(SCALE_LABELS)
    + ". Eén keuze uit een lijst: minstens twee keuzemogelijkheden. Meerdere keuzes uit een lijst: "
    f"twee tot en met {MAX_MULTI_OPTIONS} keuzemogelijkheden, zonder ‘{MULTI_SEPARATOR}’. "
    "Bij een cijfervraag (1–10), een ja/nee-vraag of een open vraag blijft dit veld leeg."
)


class QuestionForm(BaseForm):
    text = TextAreaField(
        "Vraag", validators=[DataRequired("Vul de vraag in."), max_length(limits.QUESTION)]
    )
    question_type = ChoiceField(
        "Soort vraag", "Kies de soort vraag.", choices=choices((t.value, t.label) for t in QuestionType)
    )
    required = BooleanField("Verplicht om te beantwoorden", default=True)
    options = TextAreaField(
        "Labels of keuzemogelijkheden", validators=[Optional(), max_length(limits.QUESTION_OPTIONS)]
    )
    # Choices: "geen" plus the safeguards of the current framework, by code (see the view).
    safeguard_code = SelectField("Waarborg", validators=[Optional()])

    def option_lines(self) -> list[str]:
        return (self.options.data or "").splitlines()


class EvaluationSettingsForm(BaseForm):
    # No choice check here: the service says why a questionnaire does not fit this training.
    trainer_questionnaire_id = SelectField(
        "Vragenlijst voor de trainersevaluatie", coerce=optional_id, validate_choice=False
    )
    participant_questionnaire_id = SelectField(
        "Vragenlijst voor de deelnemersevaluatie", coerce=optional_id, validate_choice=False
    )
    trainer_due_days = IntegerField(
        "Termijn trainersevaluatie (dagen na de bijeenkomst)",
        validators=[InputRequired("Vul een aantal dagen in.")],
        render_kw={"inputmode": "numeric"},
    )
    participant_window_days = IntegerField(
        "Deelnemers kunnen antwoorden tot (dagen na de bijeenkomst)",
        validators=[InputRequired("Vul een aantal dagen in.")],
        render_kw={"inputmode": "numeric"},
    )


class QuestionnaireCopyForm(BaseForm):
    """A copy of a questionnaire (a shipped default, or one's own) as a partnership's own draft."""

    partnership_id = ChoiceField("Voor partnerschap", "Kies een partnerschap.", coerce=int)
    title = StringField("Titel van de kopie", validators=[Optional(), max_length(limits.TITLE)])
