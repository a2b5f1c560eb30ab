"""Forms of the registry: partnerships (with their settings), organisations, persons.

Choices start with an empty "Kies…" option: nothing is silently preselected. The services check
every rule (the form only turns the input into values), so a crafted POST gets the same messages.
"""

from __future__ import annotations

from wtforms import BooleanField, EmailField, HiddenField, IntegerField, SelectField, StringField
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


class AnonymiseForm(BaseForm):
    """Anonymising a person cannot be undone: the admin ticks that they mean it."""

    confirm = BooleanField(
        "Ik begrijp dat de naam en het e-mailadres van deze persoon voorgoed verdwijnen",
        validators=[DataRequired("Vink aan dat je deze persoon wilt anonimiseren; dit kan niet ongedaan worden.")],
    )


class RetentionForm(BaseForm):
    """Anonymising everyone past retention: confirmed, for the number of persons the page showed."""

    aantal = HiddenField()
    confirm = BooleanField(
        "Ik begrijp dat de namen en e-mailadressen van deze personen voorgoed verdwijnen",
        validators=[DataRequired("Vink aan dat je deze personen wilt anonimiseren; dit kan niet ongedaan worden.")],
    )

    def seen(self) -> int | None:
        value = self.aantal.data or ""
        return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None
