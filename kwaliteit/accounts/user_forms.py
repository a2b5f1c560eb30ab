"""Forms for managing accounts and for setting a password through an invitation link."""

from __future__ import annotations

from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, InputRequired

from kwaliteit.forms import BaseForm, max_length
from kwaliteit.limits import EMAIL, NAME
from kwaliteit.registry.forms import _email, _strip, optional_int
from kwaliteit.trainings.forms import CheckboxListField


class AccountForm(BaseForm):
    email = EmailField(
        "E-mailadres",
        filters=[_email],
        validators=[
            DataRequired("Vul een e-mailadres in."),
            max_length(EMAIL),
            Email("Dit is geen geldig e-mailadres."),
        ],
        render_kw={"autocomplete": "off"},
    )
    name = StringField("Naam", filters=[_strip], validators=[max_length(NAME)])
    # validate_choice=False: the service decides which roles, partnerships and persons the caller may
    # grant, with one clear message also for a crafted POST.
    role = SelectField("Rol", validate_choice=False, validators=[InputRequired("Kies een rol.")])
    partnership_ids = CheckboxListField("Partnerschappen", coerce=int, validate_choice=False)
    person_id = SelectField("Persoon (alleen voor een trainer)", coerce=optional_int, validate_choice=False)


class SetPasswordForm(BaseForm):
    password = PasswordField(
        "Nieuw wachtwoord",
        validators=[InputRequired("Kies een wachtwoord.")],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Herhaal het wachtwoord",
        validators=[InputRequired("Typ het wachtwoord nog een keer.")],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(BaseForm):
    current = PasswordField(
        "Huidig wachtwoord",
        validators=[InputRequired("Vul je huidige wachtwoord in.")],
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        "Nieuw wachtwoord",
        validators=[InputRequired("Kies een nieuw wachtwoord.")],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Herhaal het nieuwe wachtwoord",
        validators=[InputRequired("Typ het nieuwe wachtwoord nog een keer.")],
        render_kw={"autocomplete": "new-password"},
    )


class EnableTwoStepForm(BaseForm):
    code = StringField(
        "Code uit de app",
        validators=[InputRequired("Vul de code uit de app in."), max_length(64)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class DisableTwoStepForm(BaseForm):
    current = PasswordField(
        "Huidig wachtwoord",
        validators=[InputRequired("Vul je huidige wachtwoord in.")],
        render_kw={"autocomplete": "current-password"},
    )
    code = StringField(
        "Code uit de app of een herstelcode",
        validators=[InputRequired("Vul een code in."), max_length(64)],
        render_kw={"autocomplete": "one-time-code"},
    )
