"""Review cycles (kwaliteitscyclus): the list, a cycle's four phases, its improvement actions.

Readers (admin, coordinator, steering) see the cycles of their partnerships; coordinators and
admins manage them; trainers have no part in them (403). The rules are in cycles.services.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from evaluaties.results import anonymity
from kwaliteit import db
from kwaliteit.accounts.auth import MANAGERS, READERS, current_scope, roles_required
from kwaliteit.args import choice_arg, id_arg, int_arg, page_arg
from kwaliteit.clock import today
from kwaliteit.cycles import services
from kwaliteit.cycles.forms import (
    ActionForm,
    AnalysisForm,
    OpenCycleForm,
    SettingsForm,
    owner_options,
    plan_form,
)
from kwaliteit.cycles.status import Phase, PhaseStatus
from kwaliteit.forms import BaseForm, choices, form_page, run_action, save_form
from kwaliteit.registry.forms import CHOOSE
from kwaliteit.sqldates import school_year_label
from kwaliteit.trainings.services import partnerships_in_scope

bp = Blueprint("cycles", __name__, url_prefix="/cycli")

# School years a filter may ask for (the bounds of the column's CHECK are wider).
FIRST_YEAR, LAST_YEAR = 2000, 2100
PHASES = {p.value: p for p in services.MANAGED_PHASES}


def _page_size() -> int:
    return current_app.config["PAGE_SIZE"]


def _cycle_url(cycle_id: int, anchor: str | None = "melding") -> str:
    return url_for("cycles.detail", cycle_id=cycle_id, _anchor=anchor)


# ---------------------------------------------------------------- lists


def _open_form(s, scope, now) -> OpenCycleForm:
    form = OpenCycleForm()
    form.training_id.choices = choices(
        [CHOOSE, *((tid, f"{title} ({pname})") for tid, title, pname in services.active_trainings(s, scope, now))]
    )
    form.school_year.choices = choices((y, school_year_label(y)) for y in services.open_years(now))
    if form.school_year.data is None:
        form.school_year.data = services.open_years(now)[1]  # the current school year
    return form


def _index(form: OpenCycleForm | None = None):
    s, scope, now = db.session(), current_scope(), today()
    filters = services.CycleFilters(
        partnership_id=id_arg("partnerschap"),
        school_year=int_arg("schooljaar", None, min=FIRST_YEAR, max=LAST_YEAR),
        overdue=choice_arg("status", ("te-laat",)) == "te-laat",
    )
    page = services.list_cycles(s, scope, filters, now, page=page_arg(), page_size=_page_size())
    may_manage = scope.may_manage()
    if form is None and may_manage:
        form = _open_form(s, scope, now)
    context = dict(
        page=page,
        filters=filters,
        partnerships=partnerships_in_scope(s, scope),
        years=services.cycle_years(s, scope, now),
        phases=list(Phase),
        may_manage=may_manage,
        args=request.args.to_dict(),
        today=now,
    )
    if form is not None:
        return form_page("cycles/index.html", form, **context)
    return render_template("cycles/index.html", form=None, **context)


@bp.route("")
@roles_required(*READERS)
def index():
    return _index()


@bp.route("/openen", methods=["POST"])
@roles_required(*MANAGERS)
def open_cycle():
    s, scope, now = db.session(), current_scope(), today()
    form = _open_form(s, scope, now)
    if saved := save_form(
        form, lambda: services.open_cycle(s, scope, form.training_id.data, form.school_year.data, now)
    ):
        flash(f"De cyclus {school_year_label(saved.value.school_year)} is geopend.", "success")
        return redirect(_cycle_url(saved.value.id))
    return _index(form)


@bp.route("/acties")
@roles_required(*READERS)
def actions():
    s, scope, now = db.session(), current_scope(), today()
    which = choice_arg("status", services.ACTION_STATES, "open")
    partnership_id = id_arg("partnerschap")
    page = services.list_actions(
        s, scope, now, partnership_id=partnership_id, which=which, page=page_arg(), page_size=_page_size()
    )
    return render_template(
        "cycles/actions.html",
        page=page,
        which=which,
        states=services.ACTION_STATES,
        partnership_id=partnership_id,
        partnerships=partnerships_in_scope(s, scope),
        args=request.args.to_dict(),
        today=now,
    )


# ---------------------------------------------------------------- one cycle


def _min_shown() -> int:
    return anonymity.scope_threshold(db.session(), current_scope(), anonymity.threshold(current_app.config))


@bp.route("/<int:cycle_id>")
@roles_required(*READERS)
def detail(cycle_id: int):
    s, scope, now = db.session(), current_scope(), today()
    data = services.cycle_page(s, scope, cycle_id, now, _min_shown())
    return render_template(
        "cycles/detail.html",
        d=data,
        cycle=data.cycle,
        may_manage=scope.may_manage(),
        Phase=Phase,
        PhaseStatus=PhaseStatus,
        questions=services.ANALYSIS_QUESTIONS,
        button_form=BaseForm(),
    )


@bp.route("/<int:cycle_id>/plan", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_plan(cycle_id: int):
    s, scope = db.session(), current_scope()
    cycle = services.get_cycle(s, scope, cycle_id)
    safeguards = services.training_safeguards(s, cycle.training_id)
    if request.method == "GET":
        goals = {g.safeguard_id: g.text for g in cycle.goals}
        form = plan_form(
            safeguards, data={"plan_text": cycle.plan_text, **{f"goal_{k}": v for k, v in goals.items()}}
        )
    else:
        form = plan_form(safeguards)
    if save_form(
        form,
        lambda: services.save_plan(
            s, scope, cycle_id, form.plan_text.data, {sg.id: f.data or "" for sg, f in form.goal_fields}
        ),
    ):
        flash("Het plan is opgeslagen.", "success")
        return redirect(_cycle_url(cycle_id))
    return form_page("cycles/form.html", form, cycle=cycle, heading="Plan", fields=["plan_text"] + [
        f.name for _sg, f in form.goal_fields
    ], title_error="Het plan is niet opgeslagen.")


@bp.route("/<int:cycle_id>/analyse", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_analysis(cycle_id: int):
    s, scope = db.session(), current_scope()
    cycle = services.get_cycle(s, scope, cycle_id)
    form = AnalysisForm(obj=cycle) if request.method == "GET" else AnalysisForm()
    if save_form(
        form, lambda: services.save_analysis(s, scope, cycle_id, {n: form[n].data for n in services.ANALYSIS_FIELDS})
    ):
        flash("De analyse is opgeslagen.", "success")
        return redirect(_cycle_url(cycle_id))
    return form_page(
        "cycles/form.html", form, cycle=cycle, heading="Check: analyse", fields=list(services.ANALYSIS_FIELDS),
        title_error="De analyse is niet opgeslagen.",
    )


@bp.route("/<int:cycle_id>/instellingen", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_settings(cycle_id: int):
    s, scope = db.session(), current_scope()
    cycle = services.get_cycle(s, scope, cycle_id)
    form = SettingsForm(obj=cycle) if request.method == "GET" else SettingsForm()
    form.owner_id.choices = owner_options(services.owner_choices(s, cycle.training.partnership_id))
    if save_form(
        form,
        lambda: services.save_settings(
            s, scope, cycle_id,
            services.CycleSettings(form.plan_due.data, form.check_due.data, form.act_due.data, form.owner_id.data),
        ),
    ):
        flash("De termijnen en de eigenaar zijn opgeslagen.", "success")
        return redirect(_cycle_url(cycle_id))
    return form_page(
        "cycles/form.html", form, cycle=cycle, heading="Termijnen en eigenaar",
        fields=["plan_due", "check_due", "act_due", "owner_id"], title_error="De termijnen zijn niet opgeslagen.",
    )


def _phase(fase: str) -> Phase:
    if fase not in PHASES:
        abort(404)
    return PHASES[fase]


@bp.route("/<int:cycle_id>/<fase>/afronden", methods=["POST"])
@roles_required(*MANAGERS)
def complete_phase(cycle_id: int, fase: str):
    s, scope = db.session(), current_scope()
    services.get_cycle(s, scope, cycle_id)
    phase = _phase(fase)
    if not BaseForm().validate_on_submit():
        abort(400)
    if run_action(lambda: services.complete_phase(s, scope, cycle_id, phase, today())):
        extra = " De trainersevaluaties van dit schooljaar zijn vergrendeld." if phase is Phase.CHECK else ""
        flash(f"{phase.label} is afgerond.{extra}", "success")
    return redirect(_cycle_url(cycle_id))


@bp.route("/<int:cycle_id>/<fase>/heropenen", methods=["POST"])
@roles_required(*MANAGERS)
def reopen_phase(cycle_id: int, fase: str):
    s, scope = db.session(), current_scope()
    services.get_cycle(s, scope, cycle_id)
    phase = _phase(fase)
    if not BaseForm().validate_on_submit():
        abort(400)
    if run_action(lambda: services.reopen_phase(s, scope, cycle_id, phase)):
        flash(f"{phase.label} is heropend.", "success")
    return redirect(_cycle_url(cycle_id))


# ---------------------------------------------------------------- improvement actions


def _action_data(form: ActionForm) -> services.ActionData:
    return services.ActionData(
        description=form.description.data or "",
        owner_id=form.owner_id.data,
        due_on=form.due_on.data,
        finding=form.finding.data or "",
        safeguard_id=form.safeguard_id.data,
        status=form.status_value(),
        public=bool(form.public.data),
    )


ACTION_FIELDS = ["description", "finding", "owner_id", "due_on", "safeguard_id", "status", "public"]


@bp.route("/<int:cycle_id>/acties/nieuw", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def add_action(cycle_id: int):
    s, scope, now = db.session(), current_scope(), today()
    cycle = services.get_cycle(s, scope, cycle_id)
    form = ActionForm()
    form.fill_choices(
        services.owner_choices(s, cycle.training.partnership_id), services.training_safeguards(s, cycle.training_id)
    )
    if saved := save_form(form, lambda: services.add_action(s, scope, cycle_id, _action_data(form), now)):
        flash("De verbeteractie is opgeslagen.", "success")
        return redirect(_cycle_url(saved.value.cycle_id))
    return form_page(
        "cycles/form.html", form, cycle=cycle, heading="Nieuwe verbeteractie", fields=ACTION_FIELDS,
        title_error="De verbeteractie is niet opgeslagen.",
    )


@bp.route("/acties/<int:action_id>/bewerken", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_action(action_id: int):
    s, scope, now = db.session(), current_scope(), today()
    action = services.get_action(s, scope, action_id)
    cycle = action.cycle
    if request.method == "GET":
        form = ActionForm(obj=action)
        form.status.data = action.status.value
    else:
        form = ActionForm()
    form.fill_choices(
        services.owner_choices(s, cycle.training.partnership_id), services.training_safeguards(s, cycle.training_id)
    )
    back = id_arg("cyclus")
    if saved := save_form(form, lambda: services.update_action(s, scope, action_id, _action_data(form), now)):
        flash("De verbeteractie is opgeslagen.", "success")
        return redirect(_cycle_url(back if back is not None else saved.value.cycle_id))
    return form_page(
        "cycles/form.html", form, cycle=cycle, heading="Verbeteractie bewerken", fields=ACTION_FIELDS,
        title_error="De verbeteractie is niet opgeslagen.", action=action,
    )


@bp.route("/acties/<int:action_id>/verwijderen", methods=["POST"])
@roles_required(*MANAGERS)
def delete_action(action_id: int):
    s, scope = db.session(), current_scope()
    action = services.get_action(s, scope, action_id)
    cycle_id = action.cycle_id
    if not BaseForm().validate_on_submit():
        abort(400)
    if run_action(lambda: services.delete_action(s, scope, action_id)):
        flash("De verbeteractie is verwijderd.", "success")
    return redirect(_cycle_url(cycle_id))
