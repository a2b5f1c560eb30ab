from __future__ import annotations

from collections import Counter

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from kwaliteit import db, limits
from kwaliteit.accounts.auth import MANAGERS, READERS, current_scope, roles_required
from kwaliteit.args import choice_arg, id_arg, page_arg, text_arg
from kwaliteit.certification.qualifications import MENTOR_KINDS, teaching_warning, unqualified_pairs
from kwaliteit.clock import today
from kwaliteit.filters import nl_date
from kwaliteit.forms import BaseForm, choices, form_page, run_action, save_form
from kwaliteit.framework.services import current_safeguards
from kwaliteit.sorting import sort_arg
from kwaliteit.trainings import services
from kwaliteit.trainings.forms import SessionCopyForm, SessionEditForm, training_form
from kwaliteit.trainings.models import TrainingForm, TrainingKind


def training_session_rows(s, scope, training_id, on):
    # evaluaties builds on kwaliteit.trainings: imported when used, not when this module loads.
    from evaluaties.results.rates import training_session_rows as rows

    return rows(s, scope, training_id, on)

bp = Blueprint("trainings", __name__)


@bp.route("/trainingen")
@roles_required(*READERS)
def index():
    s, scope = db.session(), current_scope()
    kind = choice_arg("soort", (k.value for k in TrainingKind))
    # An unknown status shows the default, as the status menu does.
    active = choice_arg("status", ("actief", "inactief", "alle"), "actief")
    filters = services.TrainingFilters(
        partnership_id=id_arg("partnerschap"),
        kind=TrainingKind(kind) if kind else None,
        active={"actief": True, "inactief": False}.get(active),
        q=text_arg("q", limits.SEARCH),
    )
    sort = sort_arg(services.TRAINING_SORTS, services.DEFAULT_TRAINING_SORT.column)
    page = services.list_trainings(
        s, scope, filters, page=page_arg(), page_size=current_app.config["PAGE_SIZE"], sort=sort
    )
    return render_template(
        "trainings/index.html",
        page=page,
        sort=sort,
        filters=filters,
        status=active,
        partnerships=services.partnerships_in_scope(s, scope),
        kinds=list(TrainingKind),
        toggle_form=BaseForm(),
    )


def _fill_choices(form, s, scope) -> None:
    organisations = services.organisations_in_scope(s, scope)
    form.partnership_id.choices = choices((p.id, p.name) for p in services.partnerships_in_scope(s, scope))
    # The partnership is named where a name repeats (an admin sees every partnership's schools).
    names = Counter(o.name.casefold() for o in organisations)
    form.organisation_ids.choices = choices(
        (o.id, f"{o.name} ({o.kind.label.lower()}"
               + (f", {o.partnership.name})" if names[o.name.casefold()] > 1 else ")"))
        for o in organisations
    )


def _training_data(form) -> services.TrainingData:
    return services.TrainingData(
        partnership_id=form.partnership_id.data,
        title=form.title.data or "",
        kind=TrainingKind(form.kind.data),
        form=TrainingForm(form.form.data),
        contact_hours=form.contact_hours.data,
        description=form.description.data or "",
        organisation_ids=list(form.organisation_ids.data or []),
        safeguards=form.selected_safeguards(),
    )


@bp.route("/trainingen/nieuw", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def create():
    s, scope = db.session(), current_scope()
    form = training_form(current_safeguards(s))
    _fill_choices(form, s, scope)
    if request.method == "GET" and len(form.partnership_id.choices) == 1:
        form.partnership_id.data = form.partnership_id.choices[0].value
    if saved := save_form(form, lambda: services.create_training(s, scope, _training_data(form))):
        flash(f"Training ‘{saved.value.title}’ is opgeslagen.", "success")
        return redirect(url_for("trainings.detail", training_id=saved.value.id))
    return form_page("trainings/form.html", form, training=None)


@bp.route("/trainingen/<int:training_id>")
@roles_required(*READERS)
def detail(training_id: int):
    s, scope = db.session(), current_scope()
    training = services.get_training(s, scope, training_id)
    sessions = training_session_rows(s, scope, training.id, today())
    return render_template(
        "trainings/detail.html",
        training=training,
        links=services.current_links(training),
        sessions=sessions,
        unqualified=unqualified_pairs(s, [row.session.id for row in sessions]),
        needs_qualification=training.kind in MENTOR_KINDS,
        toggle_form=BaseForm(),
        may_manage=scope.may_manage(),
    )


@bp.route("/trainingen/<int:training_id>/bewerken", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit(training_id: int):
    s, scope = db.session(), current_scope()
    training = services.get_training(s, scope, training_id)
    safeguards = current_safeguards(s)
    if request.method == "GET":
        links = {link.safeguard_id: link.rationale for link in training.safeguard_links}
        initial = {f"sg_{sid}": True for sid in links} | {f"rationale_{sid}": r for sid, r in links.items()}
        form = training_form(
            safeguards,
            data={
                "partnership_id": training.partnership_id,
                "title": training.title,
                "kind": training.kind.value,
                "form": training.form.value,
                "contact_hours": training.contact_hours,
                "description": training.description,
                "organisation_ids": [o.id for o in training.organisations],
                **initial,
            },
        )
    else:
        form = training_form(safeguards)
    _fill_choices(form, s, scope)
    if save_form(form, lambda: services.update_training(s, scope, training_id, _training_data(form))):
        flash("De wijzigingen zijn opgeslagen.", "success")
        return redirect(url_for("trainings.detail", training_id=training_id))
    return form_page("trainings/form.html", form, training=training)


@bp.route("/trainingen/<int:training_id>/actief", methods=["POST"])
@roles_required(*MANAGERS)
def set_active(training_id: int):
    form = BaseForm()
    if not form.validate_on_submit():
        abort(400)
    s = db.session()
    active = request.form.get("actief") == "1"
    if saved := run_action(lambda: services.set_training_active(s, current_scope(), training_id, active)):
        training = saved.value
        flash(f"Training ‘{training.title}’ is {'weer actief' if active else 'gedeactiveerd'}.", "success")
    return redirect(url_for("trainings.detail", training_id=training_id))


def _session_form(s, training, current=(), **kwargs) -> SessionEditForm:
    """`current`: the trainers the session has (they stay choosable, also when anonymised)."""
    form = SessionEditForm(**kwargs)
    form.trainer_ids.choices = choices(
        (p.id, f"{p.name} ({p.organisation.name})")
        for p in services.trainers_for_partnership(s, training.partnership_id, current)
    )
    return form


def _session_data(form) -> services.SessionData:
    return services.SessionData(
        date=form.date.data,
        start_time=form.start_time.data,
        location=form.location.data or "",
        trainer_ids=list(form.trainer_ids.data or []),
        participant_count=form.participant_count.data,
    )


@bp.route("/trainingen/<int:training_id>/bijeenkomsten/nieuw", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def create_session(training_id: int):
    s, scope = db.session(), current_scope()
    training = services.get_training(s, scope, training_id)
    form = _session_form(s, training)
    if saved := save_form(
        form, lambda: services.create_session(s, scope, training_id, _session_data(form), today())
    ):
        return _to_new_session(saved.value)
    return form_page("trainings/session_form.html", form, training=training, ts=None)


def _warn_unqualified(ts) -> None:
    """A saved session of a mentor training with a trainer whose qualification is not valid on its
    date: the warning (where the policy requires one, only trainers it already had get here)."""
    if message := teaching_warning(db.session(), ts):
        flash(message, "warn")


def _to_new_session(ts):
    """After a new session: to its evaluation page, where its participants' links are made."""
    flash(
        f"De bijeenkomst van {nl_date(ts.date)} is opgeslagen. Maak hier de links voor de deelnemers.",
        "success",
    )
    _warn_unqualified(ts)
    return redirect(url_for("evaluaties.session_page", session_id=ts.id, _anchor="melding"))


@bp.route("/bijeenkomsten/<int:session_id>/bewerken", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_session(session_id: int):
    s, scope = db.session(), current_scope()
    ts = services.get_session(s, scope, session_id)
    training = ts.training
    current = [p.id for p in ts.trainers]
    if request.method == "GET":
        form = _session_form(
            s,
            training,
            current,
            data={
                "date": ts.date,
                "start_time": ts.start_time,
                "location": ts.location,
                "trainer_ids": [p.id for p in ts.trainers],
                "participant_count": ts.participant_count,
            },
        )
    else:
        form = _session_form(s, training, current)
    if save_form(form, lambda: services.update_session(s, scope, session_id, _session_data(form), today())):
        flash("De bijeenkomst is bijgewerkt.", "success")
        _warn_unqualified(ts)
        return redirect(url_for("trainings.detail", training_id=training.id))
    return form_page("trainings/session_form.html", form, training=training, ts=ts)


@bp.route("/bijeenkomsten/<int:session_id>/annuleren", methods=["POST"])
@roles_required(*MANAGERS)
def cancel_session(session_id: int):
    """Cancel (or, with herstellen=1, restore) a session; what it owed follows from that."""
    s, scope = db.session(), current_scope()
    form = BaseForm()
    if not form.validate_on_submit():
        abort(400)
    restore = request.form.get("herstellen") == "1"
    reason = None if restore else request.form.get("reden", "")
    if not (done := run_action(lambda: services.set_session_cancelled(s, scope, session_id, reason))):
        return redirect(url_for("trainings.edit_session", session_id=session_id))
    flash("De bijeenkomst is hersteld." if restore else "De bijeenkomst is geannuleerd.", "success")
    return redirect(url_for("trainings.detail", training_id=done.value.training_id))


# ---------------------------------------------------------------- copies


@bp.route("/trainingen/<int:training_id>/kopie", methods=["POST"])
@roles_required(*MANAGERS)
def duplicate(training_id: int):
    """A copy of the training (safeguards, organisations, evaluation settings), then its form."""
    s, scope = db.session(), current_scope()
    services.get_training(s, scope, training_id)  # 403/404 before the form's token
    if not BaseForm().validate_on_submit():
        abort(400)
    if saved := run_action(lambda: services.duplicate_training(s, scope, training_id)):
        flash(f"De kopie ‘{saved.value.title}’ is gemaakt. Geef haar hier een eigen titel.", "success")
        return redirect(url_for("trainings.edit", training_id=saved.value.id, _anchor="melding"))
    return redirect(url_for("trainings.detail", training_id=training_id, _anchor="melding"))


@bp.route("/bijeenkomsten/<int:session_id>/kopie", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def duplicate_session(session_id: int):
    """A new session like this one (training, trainers, location, participants) on a date to choose."""
    s, scope = db.session(), current_scope()
    ts = services.get_session(s, scope, session_id)
    form = SessionCopyForm() if request.method == "POST" else SessionCopyForm(start_time=ts.start_time)
    if saved := save_form(
        form,
        lambda: services.duplicate_session(s, scope, session_id, form.date.data, form.start_time.data, today()),
    ):
        return _to_new_session(saved.value)
    return form_page("trainings/session_copy.html", form, ts=ts, training=ts.training)
