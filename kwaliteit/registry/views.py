"""Beheer: partnerships (admins), organisations and persons (admins and coordinators)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from kwaliteit import clock, db
from kwaliteit.accounts.auth import MANAGERS, current_scope, roles_required
from kwaliteit.accounts.models import Role
from kwaliteit.args import choice_arg, id_arg, page_arg, text_arg
from kwaliteit.downloads import download
from kwaliteit.forms import choices, form_page, save_form
from kwaliteit.limits import SEARCH
from kwaliteit.registry import privacy, services
from kwaliteit.registry.forms import (
    CHOOSE,
    AnonymiseForm,
    OrganisationForm,
    PartnershipForm,
    PersonForm,
    RetentionForm,
)
from kwaliteit.registry.models import OrganisationKind, PersonRole
from kwaliteit.trainings.services import partnerships_in_scope
from kwaliteit.validation import ValidationError

bp = Blueprint("registry", __name__, url_prefix="/beheer")


def _page_size() -> int:
    return current_app.config["PAGE_SIZE"]


@bp.route("")
@roles_required(*MANAGERS)
def overview():
    s, scope = db.session(), current_scope()
    return render_template(
        "registry/overview.html", counts=services.overview(s, scope), is_admin=scope.role is Role.ADMIN
    )


# ---------------------------------------------------------------- partnerships


@bp.route("/partnerschappen")
@roles_required(*MANAGERS)
def partnerships():
    s, scope = db.session(), current_scope()
    q = text_arg("q", SEARCH)
    page = services.list_partnerships(s, scope, q=q, page=page_arg(), page_size=_page_size())
    return render_template(
        "registry/partnerships.html",
        page=page,
        q=q,
        app_minimum=services.app_minimum_threshold(),
        is_admin=scope.role is Role.ADMIN,
    )


def _partnership_data(form) -> services.PartnershipData:
    return services.PartnershipData(
        name=form.name.data or "",
        min_answers_shown=form.min_answers_shown.data,
        trainer_due_days=form.trainer_due_days.data,
        participant_window_days=form.participant_window_days.data,
    )


@bp.route("/partnerschappen/nieuw", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create_partnership():
    s, scope = db.session(), current_scope()
    form = PartnershipForm()
    minimum = services.app_minimum_threshold()
    if saved := save_form(
        form, lambda: services.create_partnership(s, scope, _partnership_data(form), minimum)
    ):
        flash(f"Partnerschap ‘{saved.value.name}’ is opgeslagen.", "success")
        return redirect(url_for("registry.partnerships"))
    return form_page("registry/partnership_form.html", form, partnership=None, **_setting_defaults())


def _setting_defaults() -> dict:
    from evaluaties.answers.status import DEFAULT_PARTICIPANT_WINDOW_DAYS, DEFAULT_TRAINER_DUE_DAYS

    return {
        "app_minimum": services.app_minimum_threshold(),
        "default_due_days": DEFAULT_TRAINER_DUE_DAYS,
        "default_window_days": DEFAULT_PARTICIPANT_WINDOW_DAYS,
    }


@bp.route("/partnerschappen/<int:partnership_id>/bewerken", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_partnership(partnership_id: int):
    s, scope = db.session(), current_scope()
    partnership = services.get_partnership(s, scope, partnership_id)
    if request.method == "GET":
        settings = partnership.settings
        form = PartnershipForm(
            data={
                "name": partnership.name,
                "min_answers_shown": settings.min_answers_shown if settings else None,
                "trainer_due_days": settings.trainer_due_days if settings else None,
                "participant_window_days": settings.participant_window_days if settings else None,
            }
        )
    else:
        form = PartnershipForm()
    minimum = services.app_minimum_threshold()
    if save_form(
        form, lambda: services.update_partnership(s, scope, partnership_id, _partnership_data(form), minimum)
    ):
        flash("De wijzigingen zijn opgeslagen.", "success")
        return redirect(url_for("registry.partnerships"))
    return form_page("registry/partnership_form.html", form, partnership=partnership, **_setting_defaults())


# ---------------------------------------------------------------- organisations


@bp.route("/organisaties")
@roles_required(*MANAGERS)
def organisations():
    s, scope = db.session(), current_scope()
    kind = choice_arg("soort", [k.value for k in OrganisationKind])
    filters = services.OrganisationFilters(
        partnership_id=id_arg("partnerschap"),
        kind=OrganisationKind(kind) if kind else None,
        q=text_arg("q", SEARCH),
    )
    page = services.list_organisations(s, scope, filters, page=page_arg(), page_size=_page_size())
    return render_template(
        "registry/organisations.html",
        page=page,
        filters=filters,
        kinds=list(OrganisationKind),
        partnerships=partnerships_in_scope(s, scope),
    )


def _organisation_form(s, scope, **kwargs) -> OrganisationForm:
    form = OrganisationForm(**kwargs)
    partnerships = partnerships_in_scope(s, scope)
    form.partnership_id.choices = choices([CHOOSE, *((p.id, p.name) for p in partnerships)])
    several = len(partnerships) > 1
    form.parent_id.choices = choices(
        [
            ("", "Geen (geen school)"),
            *(
                (o.id, f"{o.name} ({pname})" if several else o.name)
                for o, pname in services.boards_in_scope(s, scope)
            ),
        ]
    )
    return form


def _organisation_data(form) -> services.OrganisationData:
    kind = form.kind.data
    return services.OrganisationData(
        partnership_id=form.partnership_id.data,
        name=form.name.data or "",
        kind=OrganisationKind(kind) if kind in {k.value for k in OrganisationKind} else None,
        parent_id=form.parent_id.data,
    )


@bp.route("/organisaties/nieuw", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def create_organisation():
    s, scope = db.session(), current_scope()
    form = _organisation_form(s, scope)
    if request.method == "GET" and len(form.partnership_id.choices) == 2:
        form.partnership_id.data = form.partnership_id.choices[1].value  # the only partnership
    if saved := save_form(form, lambda: services.create_organisation(s, scope, _organisation_data(form))):
        flash(f"Organisatie ‘{saved.value.name}’ is opgeslagen.", "success")
        return redirect(url_for("registry.organisations"))
    return form_page("registry/organisation_form.html", form, organisation=None)


@bp.route("/organisaties/<int:organisation_id>/bewerken", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_organisation(organisation_id: int):
    s, scope = db.session(), current_scope()
    organisation = services.get_organisation(s, scope, organisation_id)
    if request.method == "GET":
        form = _organisation_form(
            s,
            scope,
            data={
                "partnership_id": organisation.partnership_id,
                "name": organisation.name,
                "kind": organisation.kind.value,
                "parent_id": organisation.parent_id,
            },
        )
    else:
        form = _organisation_form(s, scope)
    if save_form(
        form, lambda: services.update_organisation(s, scope, organisation_id, _organisation_data(form))
    ):
        flash("De wijzigingen zijn opgeslagen.", "success")
        return redirect(url_for("registry.organisations"))
    return form_page("registry/organisation_form.html", form, organisation=organisation)


# ---------------------------------------------------------------- persons


@bp.route("/personen")
@roles_required(*MANAGERS)
def persons():
    s, scope = db.session(), current_scope()
    role = choice_arg("rol", [r.value for r in PersonRole])
    filters = services.PersonFilters(
        partnership_id=id_arg("partnerschap"),
        role=PersonRole(role) if role else None,
        q=text_arg("q", SEARCH),
    )
    page = services.list_persons(s, scope, filters, page=page_arg(), page_size=_page_size())
    return render_template(
        "registry/persons.html",
        page=page,
        filters=filters,
        roles=list(PersonRole),
        partnerships=partnerships_in_scope(s, scope),
    )


def _person_form(s, scope, **kwargs) -> PersonForm:
    form = PersonForm(**kwargs)
    options = services.organisations_for_choice(s, scope)
    several = len({pname for _o, pname in options}) > 1
    form.organisation_id.choices = choices(
        [
            CHOOSE,
            *(
                (o.id, f"{o.name} ({o.kind.label.lower()}{', ' + pname if several else ''})")
                for o, pname in options
            ),
        ]
    )
    return form


def _person_data(form) -> services.PersonData:
    if form.has_unknown_role():
        raise ValidationError({"roles": "Kies alleen rollen uit de lijst."})
    return services.PersonData(
        name=form.name.data or "",
        email=form.email.data or None,
        organisation_id=form.organisation_id.data,
        roles=form.role_values(),
    )


@bp.route("/personen/nieuw", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def create_person():
    s, scope = db.session(), current_scope()
    form = _person_form(s, scope)
    if saved := save_form(form, lambda: services.create_person(s, scope, _person_data(form))):
        flash(f"‘{saved.value.name}’ is opgeslagen.", "success")
        return redirect(url_for("registry.persons"))
    return form_page("registry/person_form.html", form, person=None)


@bp.route("/personen/<int:person_id>/bewerken", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_person(person_id: int):
    s, scope = db.session(), current_scope()
    person = services.get_person(s, scope, person_id)
    if person.anonymised_at is not None:
        flash(privacy.ALREADY_ANONYMISED, "error")
        return redirect(url_for("registry.person", person_id=person.id))
    if request.method == "GET":
        form = _person_form(
            s,
            scope,
            data={
                "name": person.name,
                "email": person.email or "",
                "organisation_id": person.organisation_id,
                "roles": [link.role.value for link in person.role_links],
            },
        )
    else:
        form = _person_form(s, scope)
    if save_form(form, lambda: services.update_person(s, scope, person_id, _person_data(form))):
        flash("De wijzigingen zijn opgeslagen.", "success")
        return redirect(url_for("registry.persons"))
    return form_page("registry/person_form.html", form, person=person)


# ---------------------------------------------------------------- personal data (AVG)


@bp.route("/personen/<int:person_id>")
@roles_required(*MANAGERS)
def person(person_id: int):
    s, scope = db.session(), current_scope()
    record = privacy.person_record(s, scope, person_id)
    return render_template(
        "registry/person.html", record=record, is_admin=scope.role is Role.ADMIN, today=clock.today()
    )


@bp.route("/personen/<int:person_id>/gegevens.json")
@roles_required(Role.ADMIN)
def person_export(person_id: int):
    s, scope = db.session(), current_scope()
    person, data = privacy.export_person(s, scope, person_id)
    name = f"persoonsgegevens-{person.id}-{clock.today().isoformat()}"
    return download(data, name, "json", person.organisation.partnership_id)


@bp.route("/personen/<int:person_id>/anonimiseren", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def anonymise_person(person_id: int):
    s, scope = db.session(), current_scope()
    record = privacy.person_record(s, scope, person_id)
    form = AnonymiseForm()
    if save_form(form, lambda: privacy.anonymise_person(s, scope, person_id, clock.now(), form.confirm.data)):
        flash("De persoon is geanonimiseerd. Aantallen en cijfers blijven gelijk.", "success")
        return redirect(url_for("registry.person", person_id=person_id))
    return form_page("registry/anonymise.html", form, record=record)


def _retention_page(form: RetentionForm):
    s, scope = db.session(), current_scope()
    today = clock.today()
    page = privacy.persons_past_retention(s, scope, today, page=page_arg(), page_size=_page_size())
    form.aantal.data = str(page.total)
    return form_page(
        "registry/retention.html",
        form,
        page=page,
        today=today,
        is_admin=scope.role is Role.ADMIN,
        sources=privacy.LAST_ACTIVITY_SOURCES,
    )


@bp.route("/bewaartermijn")
@roles_required(*MANAGERS)
def retention():
    return _retention_page(RetentionForm(formdata=None))


@bp.route("/bewaartermijn/anonimiseren", methods=["POST"])
@roles_required(Role.ADMIN)
def apply_retention():
    s, scope = db.session(), current_scope()
    form = RetentionForm()
    if saved := save_form(
        form, lambda: privacy.confirm_retention(s, scope, clock.today(), clock.now(), form.seen())
    ):
        n = len(saved.value)
        flash(f"{n} perso{'on is' if n == 1 else 'nen zijn'} geanonimiseerd.", "success")
        return redirect(url_for("registry.retention"))
    return _retention_page(form)
