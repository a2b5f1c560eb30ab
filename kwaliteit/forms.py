"""Form helpers shared by all areas."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectChoice
from wtforms.widgets import TextInput

from kwaliteit.validation import ValidationError


class BaseForm(FlaskForm):
    """All forms: CSRF from Flask-WTF, WTForms' built-in messages in Dutch."""

    class Meta:
        locales = ("nl",)


def choices(pairs) -> list[SelectChoice]:
    """Options for a SelectField from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def apply_errors(form: FlaskForm, error: ValidationError) -> None:
    """Put a service's field errors on the form; errors without a field go to form_errors."""
    for name, message in error.errors.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
        else:
            form.form_errors.append(message)


class DutchDecimalField(DecimalField):
    """Accepts a decimal comma (7,5) as well as a point.

    Rendered as a text box: a type="number" box refuses "7,5" and shows it as empty.
    """

    widget = TextInput()

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [v.replace(",", ".").strip() for v in valuelist]
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            # Decimal() accepts NaN, Infinity and sNaN; sNaN even breaks NumberRange (a 500).
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))

    def _value(self):
        return super()._value().replace(".", ",")
