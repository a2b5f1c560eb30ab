"""Register pages: trainers, their train-the-trainer qualifications and professional
registrations, the sessions given without a valid qualification, and the register policy."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from kwaliteit import clock, db
from kwaliteit.accounts.auth import MANAGERS, READERS, current_scope, roles_required
from kwaliteit.args import choice_arg, int_arg, page_arg
from kwaliteit.certification import flags
from kwaliteit.certification import qualifications as services
from kwaliteit.certification.policy import DEFAULTS, RANGES, PolicyData, range_message, save_policy
from kwaliteit.certification.qualification_forms import PolicyForm, QualificationForm, RegistrationForm
from kwaliteit.certification.views import bp
from kwaliteit.certification.views.common import checked_filters
from kwaliteit.downloads import download
from kwaliteit.forms import BaseForm, choices, form_page, run_action, save_form
from kwaliteit.registry.services import get_partnership
from kwaliteit.sqldates import school_year_label, school_year_of
from kwaliteit.validation import EARLIEST_DATE, MAX_YEARS_AHEAD, ValidationError

# ---------------------------------------------------------------- trainers


@bp.route("/trainers")
@roles_required(*READERS)
def trainers():
    s, scope, today = db.session(), current_scope(), clock.today()
    filters, options = checked_filters(s, scope)
    state = choice_arg("status", [st.value for st in flags.QualificationState])
    page = flags.list_trainers(
        s,
        scope,
        filters,
        today,
        state=flags.QualificationState(state) if state else None,
        page=page_arg(),
        page_size=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "certification/trainers.html",
        page=page,
        filters=filters,
        options=options,
        state=state,
        states=list(flags.QualificationState),
        today=today,
    )


@bp.route("/trainers/<int:person_id>")
@roles_required(*READERS)
def trainer(person_id: int):
    s, scope, today = db.session(), current_scope(), clock.today()
    return render_template(
        "certification/trainer.html",
        t=services.trainer_page(s, scope, person_id, today),
        today=today,
        may_manage=scope.may_manage(),
        plain_form=BaseForm(),
    )


def _to_trainer(person_id: int):
    return redirect(url_for("register.trainer", person_id=person_id, _anchor="melding"))


# ---------------------------------------------------------------- qualifications


def _qualification_form(s, person, **kwargs) -> QualificationForm:
    form = QualificationForm(**kwargs)
    trainings = services.train_the_trainer_trainings(s, person.organisation.partnership_id)
    form.training_id.choices = choices(
        [("", "Geen: een andere training (vul de naam in)"), *((t.id, t.title) for t in trainings)]
    )
    return form


def _qualification_data(form) -> services.QualificationData:
    return services.QualificationData(
        completed_on=form.completed_on.data,
        training_id=form.training_id.data,
        external_name=form.external_name.data or "",
        valid_until=form.valid_until.data,
        number=form.number.data or "",
    )


def _qualification_page(form, person, qualification):
    policy = services.policy_for(db.session(), person.organisation.partnership_id)
    return form_page(
        "certification/qualification_form.html", form, person=person, qualification=qualification, policy=policy
    )


@bp.route("/trainers/<int:person_id>/registraties/nieuw", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def add_qualification(person_id: int):
    s, scope = db.session(), current_scope()
    person = services.get_person(s, scope, person_id)
    form = _qualification_form(s, person)
    if save_form(
        form, lambda: services.add_qualification(s, scope, person_id, _qualification_data(form), clock.today())
    ):
        flash("De registratie train-de-trainer is opgeslagen.", "success")
        return _to_trainer(person_id)
    return _qualification_page(form, person, None)


@bp.route("/registraties/<int:qualification_id>/bewerken", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_qualification(qualification_id: int):
    s, scope = db.session(), current_scope()
    q = services.get_qualification(s, scope, qualification_id)
    person = q.person
    data = None
    if request.method == "GET":
        data = {
            "training_id": q.training_id,
            "external_name": q.external_name or "",
            "completed_on": q.completed_on,
            "valid_until": q.valid_until,
            "number": q.number or "",
        }
    form = _qualification_form(s, person, data=data) if data else _qualification_form(s, person)
    if save_form(
        form,
        lambda: services.update_qualification(s, scope, qualification_id, _qualification_data(form), clock.today()),
    ):
        flash("De registratie train-de-trainer is bijgewerkt.", "success")
        return _to_trainer(person.id)
    return _qualification_page(form, person, q)


@bp.route("/registraties/<int:qualification_id>/verwijderen", methods=["POST"])
@roles_required(*MANAGERS)
def delete_qualification(qualification_id: int):
    s, scope = db.session(), current_scope()
    person_id = services.get_qualification(s, scope, qualification_id).person_id  # 403/404 first
    if not BaseForm().validate_on_submit():
        abort(400)
    if run_action(lambda: services.delete_qualification(s, scope, qualification_id)):
        flash("De registratie train-de-trainer is verwijderd.", "success")
    return _to_trainer(person_id)


# ---------------------------------------------------------------- professional registrations


def _registration_data(form) -> services.RegistrationData:
    return services.RegistrationData(
        register=form.register.data or "",
        registered_on=form.registered_on.data,
        valid_until=form.valid_until.data,
        number=form.number.data or "",
    )


@bp.route("/trainers/<int:person_id>/beroepsregistraties/nieuw", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def add_registration(person_id: int):
    s, scope = db.session(), current_scope()
    person = services.get_person(s, scope, person_id)
    form = RegistrationForm() if request.method == "POST" else RegistrationForm(data={"register": "BRLO"})
    if save_form(
        form, lambda: services.add_registration(s, scope, person_id, _registration_data(form), clock.today())
    ):
        flash("De beroepsregistratie is opgeslagen.", "success")
        return _to_trainer(person_id)
    return form_page("certification/registration_form.html", form, person=person, registration=None)


@bp.route("/beroepsregistraties/<int:registration_id>/bewerken", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_registration(registration_id: int):
    s, scope = db.session(), current_scope()
    r = services.get_registration(s, scope, registration_id)
    person = r.person
    if request.method == "GET":
        form = RegistrationForm(
            data={
                "register": r.register,
                "number": r.number or "",
                "registered_on": r.registered_on,
                "valid_until": r.valid_until,
            }
        )
    else:
        form = RegistrationForm()
    if save_form(
        form,
        lambda: services.update_registration(s, scope, registration_id, _registration_data(form), clock.today()),
    ):
        flash("De beroepsregistratie is bijgewerkt.", "success")
        return _to_trainer(person.id)
    return form_page("certification/registration_form.html", form, person=person, registration=r)


@bp.route("/beroepsregistraties/<int:registration_id>/verwijderen", methods=["POST"])
@roles_required(*MANAGERS)
def delete_registration(registration_id: int):
    s, scope = db.session(), current_scope()
    person_id = services.get_registration(s, scope, registration_id).person_id
    if not BaseForm().validate_on_submit():
        abort(400)
    if run_action(lambda: services.delete_registration(s, scope, registration_id)):
        flash("De beroepsregistratie is verwijderd.", "success")
    return _to_trainer(person_id)


# ---------------------------------------------------------------- sessions without a qualification


def _school_year(today) -> int:
    return int_arg(
        "schooljaar", school_year_of(today), min=EARLIEST_DATE.year, max=today.year + MAX_YEARS_AHEAD
    )


@bp.route("/onbevoegd")
@roles_required(*READERS)
def unqualified():
    s, scope, today = db.session(), current_scope(), clock.today()
    filters, options = checked_filters(s, scope)
    year = _school_year(today)
    page = services.list_unqualified(
        s, scope, filters, year, page=page_arg(), page_size=current_app.config["PAGE_SIZE"]
    )
    current = school_year_of(today)
    years = sorted({year, *range(max(EARLIEST_DATE.year, current - 6), current + 2)}, reverse=True)
    return render_template(
        "certification/unqualified.html",
        page=page,
        filters=filters,
        options=options,
        year=year,
        years=[(y, school_year_label(y)) for y in years],
        year_label=school_year_label(year),
        may_export=scope.may_manage(),
    )


@bp.route("/onbevoegd.<any(csv, xlsx):fmt>")
@roles_required(*MANAGERS)
def unqualified_export(fmt: str):
    from evaluaties.transfer import exporting

    s, scope, today = db.session(), current_scope(), clock.today()
    filters, _options = checked_filters(s, scope)
    year = _school_year(today)
    header, rows = services.export_unqualified(s, scope, filters, year)
    title = f"Onbevoegd gegeven {school_year_label(year)}"
    data = exporting.to_csv(header, rows) if fmt == "csv" else exporting.to_xlsx([(title, header, rows)])
    return download(data, f"register-onbevoegd-{school_year_label(year)}", fmt)


# ---------------------------------------------------------------- register policy


def _policy_data(form: PolicyForm) -> PolicyData:
    if form.has_unknown_rule():
        raise ValidationError({"qualification_rule": "Kies een regel uit de lijst."})
    return PolicyData(
        qualification_years=form.qualification_years.data,
        qualification_rule=form.rule(),
        certificate_years=form.certificate_years.data,
        refresh_years=form.refresh_years.data,
        expiring_days=form.expiring_days.data,
        retention_years=form.retention_years.data,
    )


@bp.route("/beleid/<int:partnership_id>", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def policy(partnership_id: int):
    from kwaliteit.certification.models import RegisterPolicy

    s, scope = db.session(), current_scope()
    partnership = get_partnership(s, scope, partnership_id)
    if request.method == "GET":
        row = s.get(RegisterPolicy, partnership.id)
        values = {name: getattr(row, name) if row else None for name in RANGES}
        rule = row.qualification_rule.value if row and row.qualification_rule else ""
        form = PolicyForm(data={**values, "qualification_rule": rule})
    else:
        form = PolicyForm()
    if save_form(form, lambda: save_policy(s, scope, partnership.id, _policy_data(form))):
        flash(f"Het registerbeleid van {partnership.name} is opgeslagen.", "success")
        return redirect(url_for("register.index", _anchor="melding"))
    return form_page(
        "certification/policy_form.html",
        form,
        partnership=partnership,
        defaults=DEFAULTS,
        hints={
            name: f"Standaard {getattr(DEFAULTS, name)} {'dagen' if name == 'expiring_days' else 'jaar'}. "
            + range_message(name)
            for name in RANGES
        },
    )
