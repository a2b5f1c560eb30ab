"""Forms of the registry: partnerships (with their settings), organisations, persons.

Choices start with an empty "Kies…" option: nothing is silently preselected. The services check
every rule (the form only turns the input into values), so a crafted POST gets the same messages.
"""

from __future__ import annotations

from wtforms import EmailField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Optional

from kwaliteit.forms import BaseForm, choices, max_length
from kwaliteit.limits import EMAIL, NAME
from kwaliteit.registry.models import OrganisationKind, PersonRole
from kwaliteit.trainings.forms import CheckboxListField

CHOOSE = ("", "Kies…")


def optional_int(value):
    """A select's value as an id: the empty "Kies…" option is None."""
    if value in (None, ""):
        return None
    return int(value)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _email(value):
    return value.strip().lower() if isinstance(value, str) else value


_max_name = max_length(NAME)


class PartnershipForm(BaseForm):
    name = StringField(
        "Naam", filters=[_strip], validators=[DataRequired("Vul de naam van het partnerschap in."), _max_name]
    )
    min_answers_shown = IntegerField(
        "Anonimiteitsdrempel (minimum aantal antwoorden)",
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
    )
    trainer_due_days = IntegerField(
        "Termijn trainersevaluatie (dagen na de bijeenkomst)",
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
    )
    participant_window_days = IntegerField(
        "Periode deelnemersevaluatie (dagen na de bijeenkomst)",
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
    )


class OrganisationForm(BaseForm):
    partnership_id = SelectField(
        "Partnerschap",
        coerce=optional_int,
        validate_choice=False,
        validators=[InputRequired("Kies een partnerschap.")],
    )
    name = StringField(
        "Naam", filters=[_strip], validators=[DataRequired("Vul de naam van de organisatie in."), _max_name]
    )
    kind = SelectField(
        "Soort",
        choices=choices([CHOOSE, *((k.value, k.label) for k in OrganisationKind)]),
        validate_choice=False,
        validators=[InputRequired("Kies de soort organisatie.")],
    )
    parent_id = SelectField("Bestuur (alleen voor een school)", coerce=optional_int, validate_choice=False)


class PersonForm(BaseForm):
    name = StringField("Naam", filters=[_strip], validators=[DataRequired("Vul de naam in."), _max_name])
    email = EmailField(
        "E-mailadres",
        filters=[_email],
        validators=[
            Optional(),
            max_length(EMAIL),
            Email("Dit is geen geldig e-mailadres."),
        ],
        render_kw={"autocomplete": "off"},
    )
    organisation_id = SelectField(
        "Organisatie",
        coerce=optional_int,
        validate_choice=False,
        validators=[InputRequired("Kies een organisatie.")],
    )
    roles = CheckboxListField(
        "Rollen",
        choices=choices((r.value, r.label) for r in PersonRole),
        validate_choice=False,
        validators=[DataRequired("Kies minstens één rol.")],
    )

    def role_values(self) -> list[PersonRole]:
        known = {r.value: r for r in PersonRole}
        return [known[v] for v in (self.roles.data or []) if v in known]

    def has_unknown_role(self) -> bool:
        return any(v not in {r.value for r in PersonRole} for v in (self.roles.data or []))
