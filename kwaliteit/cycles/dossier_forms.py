"""Forms of the partnership calendar, the partnership cycle's summaries and good practices. The
services check every rule again (kwaliteit.cycles.partnership and practices)."""

from __future__ import annotations

from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from kwaliteit import limits
from kwaliteit.forms import BaseForm, max_length
from kwaliteit.scope import MAX_ID


def optional_id(value):
    """A select's value as an id (the empty option: None); a number no row can have is invalid."""
    if value in (None, ""):
        return None
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(value)
    return number


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CalendarForm(BaseForm):
    opens_on = StringField("Opening van de cycli (dd-mm)", filters=[_strip], render_kw={"inputmode": "numeric"})
    plan_due = StringField("Plan klaar op (dd-mm)", filters=[_strip], render_kw={"inputmode": "numeric"})
    check_due = StringField("Check klaar op (dd-mm)", filters=[_strip], render_kw={"inputmode": "numeric"})
    act_due = StringField("Act klaar op (dd-mm)", filters=[_strip], render_kw={"inputmode": "numeric"})
    peer_review_years = IntegerField(
        "Peer review elke … jaar", validators=[Optional()], render_kw={"inputmode": "numeric"}
    )
    last_peer_review = DateField("Datum van de laatste peer review", validators=[Optional()])


def summary_form(safeguards, **kwargs) -> BaseForm:
    """A text area per safeguard of the current framework, named waarborg_<id>."""

    class SummaryForm(BaseForm):
        pass

    for sg in safeguards:
        setattr(
            SummaryForm,
            f"waarborg_{sg.id}",
            TextAreaField(f"Samenvatting {sg.name}", validators=[max_length(limits.ANALYSIS)]),
        )
    return SummaryForm(**kwargs)


class PracticeForm(BaseForm):
    partnership_id = SelectField(
        "Partnerschap",
        coerce=optional_id,
        validate_choice=False,
        validators=[InputRequired("Kies een partnerschap.")],
    )
    title = StringField(
        "Titel", filters=[_strip], validators=[DataRequired("Vul een titel in."), max_length(limits.TITLE)]
    )
    text = TextAreaField(
        "Beschrijving",
        validators=[DataRequired("Beschrijf de good practice."), max_length(limits.DESCRIPTION)],
    )
    training_id = SelectField("Training (niet verplicht)", coerce=optional_id, validate_choice=False)
    safeguard_id = SelectField("Waarborg (niet verplicht)", coerce=optional_id, validate_choice=False)
