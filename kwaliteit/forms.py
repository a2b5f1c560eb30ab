"""Form helpers shared by all areas."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, render_template, request
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import DecimalField, FileField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.fields.choices import Choice
from wtforms.validators import Length, StopValidation
from wtforms.widgets import TextInput

from kwaliteit import db
from kwaliteit.limits import too_long
from kwaliteit.validation import ValidationError, characters_error


def _storable_characters(form, field) -> None:
    """No NUL or other control character in any text of any form (PostgreSQL cannot even store
    NUL); a one-line field takes no tab or line break either. Runs first and stops the chain, so
    the field shows this one clear message."""
    multiline = isinstance(field, TextAreaField)
    if isinstance(field.data, str) and (message := characters_error(field.data, multiline=multiline)):
        raise StopValidation(message)


class BaseForm(FlaskForm):
    """All forms: CSRF from Flask-WTF, WTForms' built-in messages in Dutch, and the character
    check on every text-like field (StringField and its kinds: text area, password, e-mail,
    search, hidden...), so that no form can forget it."""

    class Meta:
        locales = ("nl",)

        def wrap_formdata(self, form, formdata):
            # Flask-WTF adds every uploaded file to the form data; a file belongs only in a file
            # field. Sent in place of a text (a crafted request), it reached the validators as no
            # text at all (a 500); without it the field is simply empty and says so.
            data = super().wrap_formdata(form, formdata)
            if not isinstance(data, CombinedMultiDict):
                return data
            file_fields = {field.name for field in form if isinstance(field, FileField)}
            kept = MultiDict(request.form.items(multi=True))
            for name, upload in request.files.items(multi=True):
                if name in file_fields:
                    kept.add(name, upload)
            return kept

        def bind_field(self, form, unbound_field, options):
            field = unbound_field.bind(form=form, **options)
            if isinstance(field, StringField) and field.short_name != self.csrf_field_name:
                field.validators = [_storable_characters, *field.validators]
            return field


def max_length(limit: int) -> Length:
    """The Length validator of a text limit from kwaliteit.limits, with the one message."""
    return Length(max=limit, message=too_long(limit))


def choices(pairs) -> list[SelectChoice]:
    """Options for a SelectField from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def option_labels(rows) -> list[tuple[Any, str]]:
    """(value, label) options from (value, label, qualifier) rows: where a label occurs more than
    once (whatever its case), the qualifier is added, "Basistraining mentoren (Partnerschap
    Noord)", so that equal titles of different partnerships can be told apart."""
    rows = list(rows)
    seen: dict[str, int] = {}
    for _value, label, _qualifier in rows:
        seen[label.casefold()] = seen.get(label.casefold(), 0) + 1
    return [
        (value, f"{label} ({qualifier})" if seen[label.casefold()] > 1 and qualifier else label)
        for value, label, qualifier in rows
    ]


# The empty first option of every required choice: nothing is chosen until the user chooses.
PLACEHOLDER = "Kies…"


class ChoiceField(SelectField):
    """A required choice without a silent preselection: the first option, "Kies…", is empty, and
    submitting it gives `message` as the field's error. A value that is not offered is an
    "Ongeldige keuze", as in any select (the service checks the value again)."""

    def __init__(self, label=None, message: str = "Maak een keuze.", **kwargs):
        super().__init__(label, **kwargs)
        self.message = message
        self.flags.required = True

    def iter_choices(self):
        return [Choice("", PLACEHOLDER, self.data is None, None), *super().iter_choices()]

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0] == "":
            self.data = None
            return
        super().process_formdata(valuelist)

    def pre_validate(self, form):
        if self.data is None and not self.process_errors:
            raise StopValidation(self.message)
        super().pre_validate(form)


def apply_errors(form: FlaskForm, error: ValidationError) -> None:
    """Put a service's field errors on the form; errors without a field go to form_errors."""
    for name, message in error.errors.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
        else:
            form.form_errors.append(message)


@dataclass
class Saved:
    """What the service returned for a saved form; truthy even when that value is None."""

    value: Any = None


def save_form(form: FlaskForm, action: Callable[[], Any]) -> Saved | None:
    """For a valid submitted form, run the service call `action` and commit: one transaction.
    A ValidationError rolls back and lands on the form's fields. None when nothing was saved."""
    if not form.validate_on_submit():
        return None
    s = db.session()
    try:
        value = action()
        s.commit()
    except ValidationError as exc:
        s.rollback()
        apply_errors(form, exc)
        return None
    return Saved(value)


def run_action(action: Callable[[], Any]) -> Saved | None:
    """A button's service call (no fields to mark): commit, or roll back and flash the errors."""
    s = db.session()
    try:
        value = action()
        s.commit()
    except ValidationError as exc:
        s.rollback()
        for message in exc.errors.values():
            flash(message, "error")
        return None
    return Saved(value)


def form_page(template: str, form: FlaskForm, **context):
    """A form page; status 400 when it shows errors, so a client can tell it was refused."""
    return render_template(template, form=form, **context), 400 if form.errors else 200


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
