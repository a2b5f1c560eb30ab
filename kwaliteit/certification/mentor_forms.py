"""Forms of the mentor register: a certificate, a mentorship, attendance, issuing a session's
certificates. The forms turn input into values; the services (certificates.py) check every rule,
so a crafted POST gets the same messages."""

from __future__ import annotations

from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, NumberRange, Optional

from kwaliteit import limits
from kwaliteit.certification.models import CERTIFICATE_KINDS, MAX_STUDENTS, Issuer, StudentKind
from kwaliteit.forms import BaseForm, ChoiceField, choices, max_length
from kwaliteit.registry.forms import optional_int
from kwaliteit.trainings.forms import CheckboxListField

NONE_CHOSEN = ("", "Geen")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CertificateForm(BaseForm):
    kind = ChoiceField(
        "Soort training", "Kies de soort training.", choices=choices((k.value, k.label) for k in CERTIFICATE_KINDS)
    )
    training_id = SelectField("Training (optioneel)", coerce=optional_int, validators=[Optional()])
    issued_on = DateField("Datum van uitgifte", validators=[InputRequired("Vul een geldige datum in.")])
    valid_until = DateField("Geldig tot", validators=[Optional()])
    no_end = BooleanField("Geen einddatum")
    number = StringField("Certificaatnummer", filters=[_strip], validators=[max_length(limits.CERTIFICATE_NUMBER)])
    issued_by = ChoiceField(
        "Uitgegeven door", "Kies wie het certificaat uitgeeft.", choices=choices((i.value, i.label) for i in Issuer)
    )
    board_id = SelectField("Bestuur", coerce=optional_int, validators=[Optional()])
    institute_id = SelectField("Opleidingsinstituut", coerce=optional_int, validators=[Optional()])

    def fill(self, options) -> None:
        self.training_id.choices = choices(
            [NONE_CHOSEN, *((t.id, f"{t.title} ({t.kind.label.lower()})") for t in options.trainings)]
        )
        self.board_id.choices = choices([NONE_CHOSEN, *((o.id, o.name) for o in options.boards)])
        self.institute_id.choices = choices([NONE_CHOSEN, *((o.id, o.name) for o in options.institutes)])


class MentorshipForm(BaseForm):
    school_id = ChoiceField("School", "Kies de school.", coerce=int)
    school_year = ChoiceField("Schooljaar", "Kies het schooljaar.", coerce=int)
    student_kind = ChoiceField(
        "Soort student", "Kies de soort student.", choices=choices((k.value, k.label) for k in StudentKind)
    )
    students = IntegerField(
        "Aantal studenten",
        default=1,
        validators=[
            InputRequired("Vul het aantal studenten in."),
            NumberRange(min=1, max=MAX_STUDENTS, message=f"Vul een aantal van 1 tot en met {MAX_STUDENTS} in."),
        ],
        render_kw={"inputmode": "numeric"},
    )


class AttendanceForm(BaseForm):
    person_ids = CheckboxListField("Aanwezig", coerce=int, validators=[Optional()])


class IssueForm(BaseForm):
    issued_by = ChoiceField(
        "Uitgegeven door", "Kies wie de certificaten uitgeeft.", choices=choices((i.value, i.label) for i in Issuer)
    )
    institute_id = SelectField("Opleidingsinstituut", coerce=optional_int, validators=[Optional()])
