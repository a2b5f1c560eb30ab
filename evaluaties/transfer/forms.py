"""Forms of the import wizard: the upload, and the preview's choices (columns, values, mapping).

The preview's inputs are drawn by the template from the preview itself (their options depend on
the file); the form declares them so that CSRF, length limits and the shared input checks apply.
"""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import Length, Optional

from evaluaties.questionnaires.models import QuestionnaireVersion
from evaluaties.transfer.importing import (
    AUTO,
    MAX_SHOWN_VALUES,
    Choices,
    column_field,
    value_field,
    values_field,
)
from kwaliteit import limits
from kwaliteit.forms import BaseForm, max_length

UPDATE, CONFIRM = "bijwerken", "importeren"
# A column is chosen by its letter or typed by its heading.
MAX_COLUMN_INPUT = 300
# A value maps to a number, ja/nee, or an option's text.
MAX_TARGET_INPUT = 1000


class ImportForm(BaseForm):
    file = FileField(
        "Bestand (CSV of XLSX)",
        validators=[FileRequired("Kies een CSV- of XLSX-bestand.")],
        render_kw={
            "accept": ".csv,.xlsx,.txt,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        },
    )


class PreviewForm(BaseForm):
    actie = StringField(validators=[Length(max=20)])  # the button pressed: UPDATE or CONFIRM
    koppeling = StringField("Bewaarde koppeling", default=AUTO, validators=[Length(max=20)])
    vorige_koppeling = HiddenField(default=AUTO, validators=[Length(max=20)])
    bewaren = BooleanField("Deze koppeling bewaren voor een volgend bestand van deze enquête", default=True)
    naam = StringField(
        "Naam van de koppeling",
        validators=[Optional(), max_length(limits.MAPPING_NAME)],
    )
    meer_dan_deelnemers = BooleanField("Toch inlezen: ik weet dat het meer antwoorden zijn dan deelnemers")

    version: QuestionnaireVersion

    def action(self) -> str | None:
        return self.actie.data if self.actie.data in (UPDATE, CONFIRM) else None

    def choices(self) -> Choices:
        """What was chosen; a different saved mapping than the page showed starts from that one.

        A field with an error (after validation) counts as not sent: the other choices are kept
        and shown again, instead of the whole preview falling back to the proposals."""

        def ok(field) -> bool:
            return bool(field.raw_data) and not field.errors

        mapping = (self.koppeling.data or AUTO).strip() if not self.koppeling.errors else AUTO
        previous = (self.vorige_koppeling.data or AUTO).strip() if not self.vorige_koppeling.errors else AUTO
        result = Choices(
            mapping=mapping,
            save_as=(self.naam.data or "").strip() if self.bewaren.data and not self.naam.errors else None,
            over_participants=bool(self.meer_dan_deelnemers.data),
        )
        if mapping != previous:
            return result
        for q in self.version.questions:
            column = self[column_field(q)]
            if ok(column):
                result.columns[q.id] = (column.data or "").strip()
            shown_for = self[values_field(q)]
            if ok(shown_for):
                result.values[q.id] = (
                    (shown_for.data or "").strip(),
                    {
                        n: self[value_field(q, n)].data or ""
                        for n in range(MAX_SHOWN_VALUES)
                        if ok(self[value_field(q, n)])
                    },
                )
        return result


def preview_form(version: QuestionnaireVersion, **kwargs) -> PreviewForm:
    """The preview form with a column field, and value fields, per question of the version."""
    attrs: dict = {}
    for q in version.questions:
        attrs[column_field(q)] = StringField(q.text, validators=[Optional(), Length(max=MAX_COLUMN_INPUT)])
        attrs[values_field(q)] = HiddenField(validators=[Optional(), Length(max=10)])
        for n in range(MAX_SHOWN_VALUES):
            attrs[value_field(q, n)] = StringField(
                f"Waarde {n + 1} bij ‘{q.text}’",
                validators=[Optional(), Length(max=MAX_TARGET_INPUT)],
            )
    form = type("BoundPreviewForm", (PreviewForm,), attrs)(**kwargs)
    form.version = version
    return form
