from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email

from kwaliteit import limits
from kwaliteit.forms import BaseForm, max_length


class LoginForm(BaseForm):
    email = EmailField(
        "E-mailadres",
        validators=[
            DataRequired("Vul je e-mailadres in."),
            max_length(limits.EMAIL),
            Email("Dit is geen geldig e-mailadres."),
        ],
        # Phones' autocomplete often adds a space after the address.
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Wachtwoord",
        validators=[DataRequired("Vul je wachtwoord in."), max_length(limits.PASSWORD)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Ingelogd blijven")


class CodeForm(BaseForm):
    code = StringField(
        "Code",
        validators=[DataRequired("Vul de code in."), max_length(64)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "off"},
    )
