"""Kwaliteitszorg of a partnership: the calendar settings, the yearly partnership cycle with a
summary per safeguard, the peer-review dossier (printable page and workbook), good practices."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from kwaliteit import db
from kwaliteit.accounts.auth import MANAGERS, READERS, current_scope, roles_required
from kwaliteit.args import choice_arg, id_arg, int_arg, page_arg, reference_arg, text_arg
from kwaliteit.clock import today
from kwaliteit.cycles import calendar as cal
from kwaliteit.cycles import dossier as dossier_service
from kwaliteit.cycles import partnership as services
from kwaliteit.cycles import practices
from kwaliteit.cycles.dossier_forms import CalendarForm, PracticeForm, summary_form
from kwaliteit.dashboard.views import _min_shown
from kwaliteit.downloads import download
from kwaliteit.forms import choices, form_page, option_labels, run_action, save_form
from kwaliteit.framework.services import current_safeguards
from kwaliteit.limits import SEARCH
from kwaliteit.sqldates import school_year_label, school_year_of
from kwaliteit.trainings.services import partnerships_in_scope
from kwaliteit.validation import EARLIEST_DATE, MAX_YEARS_AHEAD, ValidationError

bp = Blueprint("dossier", __name__, url_prefix="/kwaliteitszorg")


@bp.route("")
@roles_required(*READERS)
def index():
    s, scope, now = db.session(), current_scope(), today()
    return render_template(
        "dossier/index.html",
        reviews=services.peer_reviews(s, scope, now),
        may_manage=scope.may_manage(),
        year=school_year_of(now),
    )


# ---------------------------------------------------------------- calendar


def _calendar_data(form: CalendarForm) -> services.CalendarData:
    return services.CalendarData(
        opens_on=form.opens_on.data or "",
        plan_due=form.plan_due.data or "",
        check_due=form.check_due.data or "",
        act_due=form.act_due.data or "",
        peer_review_years=form.peer_review_years.data,
        last_peer_review=form.last_peer_review.data,
    )


@bp.route("/partnerschappen/<int:partnership_id>/kalender", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def calendar(partnership_id: int):
    s, scope, now = db.session(), current_scope(), today()
    row = services.calendar_row(s, scope, partnership_id)
    if request.method == "GET":
        form = CalendarForm(
            data={
                "opens_on": services.day_month_input(row.opens_on if row else None),
                "plan_due": services.day_month_input(row.plan_due if row else None),
                "check_due": services.day_month_input(row.check_due if row else None),
                "act_due": services.day_month_input(row.act_due if row else None),
                "peer_review_years": row.peer_review_years if row else None,
                "last_peer_review": row.last_peer_review if row else None,
            }
        )
    else:
        form = CalendarForm()
    if save_form(form, lambda: services.save_calendar(s, scope, partnership_id, _calendar_data(form), now)):
        flash("De kalender is opgeslagen.", "success")
        return redirect(url_for("dossier.cycle", partnership_id=partnership_id))
    partnership = services.get_partnership(s, scope, partnership_id, manage=True)
    defaults = {name: services.day_month_input(getattr(cal.DEFAULTS, name)) for name in cal.DAY_FIELDS}
    return form_page(
        "dossier/calendar_form.html",
        form,
        partnership=partnership,
        defaults=defaults,
        default_labels={
            name: services.day_month_label(getattr(cal.DEFAULTS, name)) for name in cal.DAY_FIELDS
        },
        default_years=cal.DEFAULTS.peer_review_years,
        years_range=services.PEER_REVIEW_YEARS_RANGE,
    )


# ---------------------------------------------------------------- the partnership cycle


def _school_year(now) -> int:
    return int_arg("schooljaar", school_year_of(now), min=EARLIEST_DATE.year, max=now.year + MAX_YEARS_AHEAD)


def _cycle_page(partnership_id: int, form=None, status: int = 200):
    s, scope, now = db.session(), current_scope(), today()
    year = _school_year(now)
    page = services.cycle_page(s, scope, partnership_id, year, now)
    if form is None and scope.may_manage():
        form = summary_form(
            [st.safeguard for st in page.safeguards],
            data={f"waarborg_{st.safeguard.id}": st.summary for st in page.safeguards},
        )
    years = list(range(school_year_of(now) + 1, max(EARLIEST_DATE.year, school_year_of(now) - 8) - 1, -1))
    return (
        render_template(
            "dossier/cycle.html",
            page=page,
            form=form,
            may_manage=scope.may_manage(),
            years=[(y, school_year_label(y)) for y in years],
            now=now,
        ),
        status,
    )


@bp.route("/partnerschappen/<int:partnership_id>/cyclus", methods=["GET", "POST"])
@roles_required(*READERS)
def cycle(partnership_id: int):
    """Readers see the cycle; managers save the summaries (POST)."""
    if request.method == "GET":
        return _cycle_page(partnership_id)
    s, scope, now = db.session(), current_scope(), today()
    if not scope.may_manage():
        abort(403)
    services.get_partnership(s, scope, partnership_id, manage=True)
    year = _school_year(now)
    safeguards = current_safeguards(s)
    form = summary_form(safeguards)
    texts = {sg.id: getattr(form, f"waarborg_{sg.id}").data or "" for sg in safeguards}
    if save_form(form, lambda: services.save_summaries(s, scope, partnership_id, year, texts, now)):
        flash(f"De samenvattingen van {school_year_label(year)} zijn opgeslagen.", "success")
        return redirect(url_for("dossier.cycle", partnership_id=partnership_id, schooljaar=year))
    return _cycle_page(partnership_id, form, 400)


# ---------------------------------------------------------------- the peer-review dossier


def _dossier_args(d: dossier_service.Dossier, now) -> dict:
    args: dict[str, str | int] = {}
    if d.reference != now:
        args["peildatum"] = d.reference.isoformat()
    if d.first_year != d.last_year - dossier_service.PERIOD_YEARS + 1:
        args["vanaf"] = d.first_year
    return args


def _read_dossier(partnership_id: int):
    s, scope, now = db.session(), current_scope(), today()
    reference = reference_arg(now)
    first = int_arg("vanaf", None, min=EARLIEST_DATE.year, max=now.year + MAX_YEARS_AHEAD)
    return dossier_service.dossier(s, scope, partnership_id, reference, _min_shown(), first), now


@bp.route("/partnerschappen/<int:partnership_id>/dossier")
@roles_required(*READERS)
def dossier(partnership_id: int):
    try:
        d, now = _read_dossier(partnership_id)
    except ValidationError as error:
        partnership = services.get_partnership(db.session(), current_scope(), partnership_id)
        return render_template("dossier/dossier.html", d=None, error=error, partnership=partnership), 400
    return render_template("dossier/dossier.html", d=d, error=None, args=_dossier_args(d, now), now=now)


@bp.route("/partnerschappen/<int:partnership_id>/dossier.xlsx")
@roles_required(*READERS)
def dossier_xlsx(partnership_id: int):
    try:
        d, _now = _read_dossier(partnership_id)
    except ValidationError as error:
        partnership = services.get_partnership(db.session(), current_scope(), partnership_id)
        return render_template("dossier/dossier.html", d=None, error=error, partnership=partnership), 400
    return download(
        dossier_service.to_xlsx(d),
        f"peer-review-dossier-{d.partnership.id}-{d.reference.isoformat()}",
        "xlsx",
    )


# ---------------------------------------------------------------- good practices


@bp.route("/good-practices")
@roles_required(*practices.READERS)
def practice_list():
    s, scope = db.session(), current_scope()
    f = practices.PracticeFilters(
        q=text_arg("q", SEARCH),
        safeguard_id=id_arg("waarborg"),
        partnership_id=id_arg("partnerschap"),
        mine=choice_arg("eigen", ("1",)) == "1",
    )
    page = practices.list_practices(s, scope, f, page_arg(), current_app.config["PAGE_SIZE"])
    args = {
        k: v for k, v in (("q", f.q), ("waarborg", f.safeguard_id), ("partnerschap", f.partnership_id)) if v
    }
    if f.mine:
        args["eigen"] = "1"
    return render_template(
        "dossier/practices.html",
        page=page,
        groups=practices.by_safeguard(page.items),
        filters=f,
        args=args,
        safeguards=current_safeguards(s),
        partnerships=partnerships_in_scope(s, scope),
        may_write=scope.role in practices.WRITERS,
    )


def _practice_form(s, scope, **kwargs) -> PracticeForm:
    form = PracticeForm(**kwargs)
    form.partnership_id.choices = choices(
        [("", "Kies…"), *((p.id, p.name) for p in partnerships_in_scope(s, scope))]
    )
    form.training_id.choices = choices(
        [("", "Geen bepaalde training"), *option_labels(practices.training_choices(s, scope))]
    )
    form.safeguard_id.choices = choices(
        [("", "Geen bepaalde waarborg"), *((sg.id, f"{sg.code} {sg.name}") for sg in current_safeguards(s))]
    )
    return form


def _practice_data(form: PracticeForm) -> practices.PracticeData:
    return practices.PracticeData(
        partnership_id=form.partnership_id.data,
        title=form.title.data or "",
        text=form.text.data or "",
        training_id=form.training_id.data,
        safeguard_id=form.safeguard_id.data,
    )


@bp.route("/good-practices/nieuw", methods=["GET", "POST"])
@roles_required(*practices.WRITERS)
def create_practice():
    s, scope = db.session(), current_scope()
    form = _practice_form(s, scope)
    if request.method == "GET" and len(form.partnership_id.choices) == 2:
        form.partnership_id.data = form.partnership_id.choices[1].value  # the only partnership
    if saved := save_form(form, lambda: practices.create_practice(s, scope, _practice_data(form))):
        flash(f"Good practice ‘{saved.value.title}’ is opgeslagen.", "success")
        return redirect(url_for("dossier.practice_list"))
    return form_page("dossier/practice_form.html", form, practice=None)


@bp.route("/good-practices/<int:practice_id>/bewerken", methods=["GET", "POST"])
@roles_required(*practices.WRITERS)
def edit_practice(practice_id: int):
    s, scope = db.session(), current_scope()
    practice = practices.get_practice(s, scope, practice_id, edit=True)
    if request.method == "GET":
        form = _practice_form(
            s,
            scope,
            data={
                "partnership_id": practice.partnership_id,
                "title": practice.title,
                "text": practice.text,
                "training_id": practice.training_id,
                "safeguard_id": practice.safeguard_id,
            },
        )
    else:
        form = _practice_form(s, scope)
    if save_form(form, lambda: practices.update_practice(s, scope, practice_id, _practice_data(form))):
        flash("De wijzigingen zijn opgeslagen.", "success")
        return redirect(url_for("dossier.practice_list"))
    return form_page("dossier/practice_form.html", form, practice=practice)


@bp.route("/good-practices/<int:practice_id>/verwijderen", methods=["POST"])
@roles_required(*practices.WRITERS)
def delete_practice(practice_id: int):
    s, scope = db.session(), current_scope()
    if saved := run_action(lambda: practices.delete_practice(s, scope, practice_id)):
        flash(f"Good practice ‘{saved.value}’ is verwijderd.", "success")
    return redirect(url_for("dossier.practice_list"))
