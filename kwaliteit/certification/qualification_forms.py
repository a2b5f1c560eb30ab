"""Forms of the register's trainer pages and of the register policy. They only turn input into
values: the services check every rule, so a crafted POST gets the same messages."""

from __future__ import annotations

from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Optional

from kwaliteit import limits
from kwaliteit.certification.models import QualificationRule
from kwaliteit.forms import BaseForm, choices, max_length
from kwaliteit.registry.forms import optional_int


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class QualificationForm(BaseForm):
    training_id = SelectField("Train-de-trainertraining in kwaliteit", coerce=optional_int, validate_choice=False)
    external_name = StringField(
        "Of: naam van een andere train-de-trainertraining",
        filters=[_strip],
        validators=[Optional(), max_length(limits.TITLE)],
    )
    completed_on = DateField("Afgerond op", validators=[InputRequired("Vul een geldige datum in.")])
    valid_until = DateField("Geldig tot", validators=[Optional()])
    number = StringField(
        "Certificaat- of registratienummer",
        filters=[_strip],
        validators=[Optional(), max_length(limits.CERTIFICATE_NUMBER)],
    )


class RegistrationForm(BaseForm):
    register = StringField(
        "Register",
        filters=[_strip],
        validators=[DataRequired("Vul het register in, bijvoorbeeld BRLO."), max_length(limits.NAME)],
    )
    number = StringField(
        "Registratienummer",
        filters=[_strip],
        validators=[Optional(), max_length(limits.CERTIFICATE_NUMBER)],
    )
    registered_on = DateField("Geregistreerd op", validators=[InputRequired("Vul een geldige datum in.")])
    valid_until = DateField("Geldig tot", validators=[Optional()])


def _number(label: str) -> IntegerField:
    return IntegerField(label, validators=[Optional()], render_kw={"inputmode": "numeric"})


class PolicyForm(BaseForm):
    """Every field may stay empty: the application's default (shown beside it)."""

    qualification_years = _number("Geldigheid van een registratie train-de-trainer (jaren)")
    qualification_rule = SelectField(
        "Registratie train-de-trainer voor wie een mentortraining geeft",
        choices=choices([("", "Standaard"), *((r.value, r.label) for r in QualificationRule)]),
        validate_choice=False,
    )
    certificate_years = _number("Geldigheid van een certificaat van een mentor (jaren)")
    refresh_years = _number("Opfris- of verdiepingstraining van een mentor, elke (jaren)")
    expiring_days = _number("‘Verloopt binnenkort’ vanaf (dagen vóór de einddatum)")
    retention_years = _number("Bewaartermijn van persoonsgegevens (jaren na de laatste activiteit)")

    def rule(self) -> QualificationRule | None:
        known = {r.value: r for r in QualificationRule}
        return known.get(self.qualification_rule.data or "")

    def has_unknown_rule(self) -> bool:
        return bool(self.qualification_rule.data) and self.rule() is None
