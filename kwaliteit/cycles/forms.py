"""Forms of the review cycle. They turn input into values; the services check every rule, so a
crafted POST gets the same Dutch messages."""

from __future__ import annotations

from wtforms import BooleanField, DateField, SelectField, TextAreaField
from wtforms.validators import Optional

from kwaliteit import limits
from kwaliteit.cycles.models import ActionStatus
from kwaliteit.cycles.services import ANALYSIS_QUESTIONS
from kwaliteit.forms import BaseForm, choices, max_length
from kwaliteit.registry.forms import CHOOSE, optional_int

_analysis = max_length(limits.ANALYSIS)
_action = max_length(limits.ACTION)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class OpenCycleForm(BaseForm):
    training_id = SelectField("Training", coerce=optional_int, validate_choice=False)
    school_year = SelectField("Schooljaar", coerce=optional_int, validate_choice=False)


def plan_form(safeguards, **kwargs) -> BaseForm:
    """The Plan form: the plan text and a goal per safeguard the training serves (goal_<id>)."""

    class PlanForm(BaseForm):
        plan_text = TextAreaField("Plan voor dit schooljaar", filters=[_strip], validators=[_analysis])

    for sg in safeguards:
        setattr(
            PlanForm,
            f"goal_{sg.id}",
            TextAreaField(f"Doel voor de waarborg {sg.name}", filters=[_strip], validators=[_analysis]),
        )
    form = PlanForm(**kwargs)
    form.goal_fields = [(sg, form[f"goal_{sg.id}"]) for sg in safeguards]
    return form


class AnalysisForm(BaseForm):
    analysis_right_things = TextAreaField(
        ANALYSIS_QUESTIONS["analysis_right_things"], filters=[_strip], validators=[_analysis]
    )
    analysis_things_right = TextAreaField(
        ANALYSIS_QUESTIONS["analysis_things_right"], filters=[_strip], validators=[_analysis]
    )
    analysis_how_we_know = TextAreaField(
        ANALYSIS_QUESTIONS["analysis_how_we_know"], filters=[_strip], validators=[_analysis]
    )
    analysis_others_agree = TextAreaField(
        ANALYSIS_QUESTIONS["analysis_others_agree"], filters=[_strip], validators=[_analysis]
    )


class SettingsForm(BaseForm):
    plan_due = DateField("Plan klaar op", validators=[Optional()])
    check_due = DateField("Check klaar op", validators=[Optional()])
    act_due = DateField("Act klaar op", validators=[Optional()])
    owner_id = SelectField("Eigenaar", coerce=optional_int, validate_choice=False)


def owner_options(users) -> list:
    return choices([("", "Geen eigenaar"), *((u.id, f"{u} ({u.role.label})") for u in users)])


class ActionForm(BaseForm):
    description = TextAreaField("Verbeteractie", filters=[_strip], validators=[_action])
    finding = TextAreaField(
        "Bevinding uit de evaluatie waarop de actie antwoordt", filters=[_strip], validators=[_action]
    )
    owner_id = SelectField("Eigenaar", coerce=optional_int, validate_choice=False)
    due_on = DateField("Klaar op", validators=[Optional()])
    safeguard_id = SelectField("Waarborg", coerce=optional_int, validate_choice=False)
    status = SelectField(
        "Status",
        choices=choices((s.value, s.label) for s in ActionStatus),
        validate_choice=False,
        default=ActionStatus.OPEN.value,
    )
    public = BooleanField("Openbaar: laat deelnemers zien wat we met hun feedback deden")

    def status_value(self) -> ActionStatus | None:
        known = {s.value: s for s in ActionStatus}
        return known.get(self.status.data)

    def fill_choices(self, owners, safeguards) -> None:
        self.owner_id.choices = choices([CHOOSE, *((u.id, f"{u} ({u.role.label})") for u in owners)])
        self.safeguard_id.choices = choices([("", "Geen waarborg"), *((sg.id, sg.name) for sg in safeguards)])
