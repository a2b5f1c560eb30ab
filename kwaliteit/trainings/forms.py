from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from kwaliteit import limits
from kwaliteit.forms import BaseForm, ChoiceField, DutchDecimalField, choices, max_length
from kwaliteit.framework.models import Safeguard
from kwaliteit.trainings.models import TrainingForm, TrainingKind


class CheckboxListField(SelectMultipleField):
    """A multiple choice as a list of checkboxes: easier than <select multiple> by keyboard and on a phone."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_formdata(self, valuelist):
        # A browser sends the boxes that are checked; an empty value is none of them. Left in
        # first, it made Optional() pass the field over, errors and all: a crafted ["", "12",
        # "abc"] saved an empty list (every attendee of a session removed).
        self.raw_data = [v for v in valuelist if v != ""]
        super().process_formdata(self.raw_data)


class TrainingEditForm(BaseForm):
    partnership_id = ChoiceField("Partnerschap", "Kies een partnerschap.", coerce=int)
    title = StringField(
        "Titel",
        validators=[DataRequired("Vul een titel in."), max_length(limits.TITLE)],
    )
    kind = ChoiceField(
        "Soort training", "Kies een soort training.", choices=choices((k.value, k.label) for k in TrainingKind)
    )
    form = ChoiceField("Vorm", "Kies een vorm.", choices=choices((f.value, f.label) for f in TrainingForm))
    contact_hours = DutchDecimalField(
        "Contacturen",
        places=1,
        validators=[
            InputRequired("Vul het aantal contacturen in."),
            NumberRange(min=0, max=500, message="Vul een aantal tussen 0 en 500 in."),
        ],
        render_kw={"inputmode": "decimal"},
    )
    description = TextAreaField("Beschrijving", validators=[Optional(), max_length(limits.DESCRIPTION)])
    organisation_ids = CheckboxListField(
        "Verantwoordelijke organisaties", coerce=int, validators=[Optional()]
    )

    safeguards: list[Safeguard] = []

    def safeguard_fields(self):
        """(safeguard, checkbox, rationale) per safeguard of the current framework."""
        return [(s, self[f"sg_{s.id}"], self[f"rationale_{s.id}"]) for s in self.safeguards]

    def selected_safeguards(self) -> dict[int, str]:
        return {s.id: (r.data or "") for s, box, r in self.safeguard_fields() if box.data}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for _s, box, rationale in self.safeguard_fields():
            if box.data and not (rationale.data or "").strip():
                rationale.errors.append("Licht toe hoe de training deze waarborg dient.")
                ok = False
        return ok


def training_form(safeguards: list[Safeguard], **kwargs) -> TrainingEditForm:
    """A form with a checkbox and a rationale field per safeguard of the current framework."""
    attrs = {"safeguards": safeguards}
    for s in safeguards:
        attrs[f"sg_{s.id}"] = BooleanField(f"Draagt bij aan {s.name}")
        attrs[f"rationale_{s.id}"] = TextAreaField(
            f"Toelichting bij {s.name}", validators=[Optional(), max_length(limits.RATIONALE)]
        )
    cls = type("BoundTrainingEditForm", (TrainingEditForm,), attrs)
    return cls(**kwargs)


class SessionEditForm(BaseForm):
    date = DateField("Datum", validators=[InputRequired("Vul een geldige datum in.")])
    start_time = TimeField("Begintijd", validators=[InputRequired("Vul een geldige begintijd in.")])
    location = StringField(
        "Locatie", validators=[DataRequired("Vul een locatie in."), max_length(limits.LOCATION)]
    )
    trainer_ids = CheckboxListField(
        "Trainers", coerce=int, validators=[DataRequired("Kies minstens één trainer.")]
    )
    participant_count = IntegerField(
        "Aantal deelnemers",
        default=0,
        validators=[
            InputRequired("Vul het aantal deelnemers in."),
            NumberRange(min=0, max=1000, message="Vul een aantal tussen 0 en 1000 in."),
        ],
        render_kw={"inputmode": "numeric"},
    )


class SessionCopyForm(BaseForm):
    """A copy of a session: only the date (and time) are new."""

    date = DateField("Datum van de nieuwe bijeenkomst", validators=[InputRequired("Vul een geldige datum in.")])
    start_time = TimeField("Begintijd", validators=[InputRequired("Vul een geldige begintijd in.")])
