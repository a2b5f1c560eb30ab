"""The steering dashboard, the lists behind its counts, its exports, and plotly.js.

Views parse the query string, call the services and render; every figure is computed in
kwaliteit.dashboard.services from the reference date (peildatum) read here.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, render_template, request, send_file, url_for
from flask_login import current_user

from evaluaties.results import anonymity
from kwaliteit import db
from kwaliteit.accounts.auth import READERS, current_scope, roles_required
from kwaliteit.accounts.models import Role
from kwaliteit.args import choice_arg, id_arg, int_arg, page_arg, reference_arg
from kwaliteit.clock import today
from kwaliteit.dashboard import assets, charts, exports, services
from kwaliteit.dashboard.services import Filters
from kwaliteit.downloads import download
from kwaliteit.trainings.models import TrainingKind
from kwaliteit.validation import EARLIEST_DATE, MAX_YEARS_AHEAD, ValidationError

bp = Blueprint("dashboard", __name__)

# A year's cache for plotly.js and its style sheet: the plotly version is in their URL.
ASSET_MAX_AGE = 365 * 24 * 3600

# Query arguments (the filters) and their names in the URL.
ARGS = ("peildatum", "partnerschap", "bestuur", "schooljaar", "soort", "respons", "trainer")


def read_filters(now: date) -> Filters:
    """The dashboard's filters from the query string. An absent or malformed menu choice is
    simply not chosen (as in every list); the reference date is checked (ValidationError)."""
    kind = choice_arg("soort", (k.value for k in TrainingKind))
    return Filters(
        reference=reference_arg(now),
        partnership_id=id_arg("partnerschap"),
        board_id=id_arg("bestuur"),
        school_year=int_arg("schooljaar", min=EARLIEST_DATE.year, max=now.year + MAX_YEARS_AHEAD),
        kind=TrainingKind(kind) if kind else None,
        low_pct=int_arg("respons", services.DEFAULT_LOW_PCT, min=1, max=100),
        trainer_id=id_arg("trainer"),
    )


def filter_args(f: Filters, now: date, *, trainer: bool = False) -> dict[str, str | int]:
    """The query arguments that reproduce the filters (defaults left out), for every link."""
    args: dict[str, str | int] = {}
    if f.reference != now:
        args["peildatum"] = f.reference.isoformat()
    for name, value in (
        ("partnerschap", f.partnership_id),
        ("bestuur", f.board_id),
        ("schooljaar", f.school_year),
    ):
        if value is not None:
            args[name] = value
    if f.kind is not None:
        args["soort"] = f.kind.value
    if f.low_pct != services.DEFAULT_LOW_PCT:
        args["respons"] = f.low_pct
    if trainer and f.trainer_id is not None:
        args["trainer"] = f.trainer_id
    return args


def register_args(f: Filters) -> dict[str, str | int]:
    """The query arguments of a register list with the dashboard's reference date, partnership and
    board (the register has no school year or kind of training)."""
    args: dict[str, str | int] = {"peildatum": f.reference.isoformat()}
    if f.partnership_id is not None:
        args["partnerschap"] = f.partnership_id
    if f.board_id is not None:
        args["bestuur"] = f.board_id
    return args


def _min_shown() -> int:
    """The anonymity threshold for the current reader (one rule: evaluaties.results.anonymity)."""
    return anonymity.scope_threshold(db.session(), current_scope(), anonymity.threshold(current_app.config))


def _sort() -> tuple[str, bool]:
    return choice_arg("sorteer", services.SORTS, "vervaldatum"), choice_arg("richting", ("op", "af")) == "af"


def _context(s, scope, now: date) -> dict:
    return {
        "choices": services.choices(s, scope, now),
        "kinds": list(TrainingKind),
        "now": now,
        "due_within": services.DUE_WITHIN_DAYS,
        "links_ahead": services.LINKS_AHEAD_DAYS,
        "panel_rows": services.PANEL_ROWS,
        "rating_code": services.OVERALL_RATING_CODE,
    }


# What a list says when it is empty.
EMPTY_TEXTS = {
    "te-laat": "Geen te late trainersevaluaties in deze selectie.",
    "binnenkort": f"Geen trainersevaluaties die binnen {services.DUE_WITHIN_DAYS} dagen moeten.",
    "openstaand": "Geen openstaande trainersevaluaties.",
    "lage-respons": "Geen gesloten deelnemersevaluaties met een lage respons in deze selectie.",
    "zonder-links": "Alle bijeenkomsten in deze selectie hebben deelnemerslinks (of antwoorden).",
}


def _refused(s, scope, now: date, error: ValidationError, template: str = "dashboard/index.html", **extra):
    """The page with the filter form and what is wrong (400): never figures of a bad selection."""
    return (
        render_template(
            template,
            error=error,
            filters=None,
            args={},
            request_args=request.args,
            **_context(s, scope, now),
            **extra,
        ),
        400,
    )


@bp.route("/dashboard")
@roles_required(*READERS)
def index():
    s, scope, now = db.session(), current_scope(), today()
    try:
        f = read_filters(now)
        if f.trainer_id is not None:  # a filter of the lists only, but never one outside scope
            services.check_filters(s, scope, f)
            f = Filters(f.reference, f.partnership_id, f.board_id, f.school_year, f.kind, f.low_pct)
        sort, descending = _sort()
        d = services.dashboard(s, scope, f, _min_shown(), sort, descending)
    except ValidationError as error:
        return _refused(s, scope, now, error)
    if current_user.role is Role.STEERING:
        needs = services.meeting_points(d)
    else:
        needs = services.needs_me(s, scope, f, d)
    # Per scale of the overall rating: per training, or per kind of training when there are many.
    ratings = [series.by_kind() if series.condensed else series for series in d.trends.ratings]
    figures = {
        # Per scale of the overall rating: one chart per partnership.
        "ratings": [charts.rating_charts(series, d.trends.years, n) for n, series in enumerate(ratings)],
        "response": charts.response_chart(d.trends, f.low_pct),
        "safeguards": charts.safeguard_chart(d.trends),
        "composition": charts.composition_charts(d.composition, d.rating_types),
        "region": charts.region_chart(d.partnerships, f.year_label),
        "stages": charts.stage_chart(d.register.counts),
    }
    return render_template(
        "dashboard/index.html",
        d=d,
        filters=f,
        error=None,
        needs=needs,
        figures=figures,
        ratings=ratings,
        training_rows=services.TRAINING_ROWS,
        has_charts=any(figures["ratings"])
        or any(figures["composition"])
        or any(figures[k] for k in ("response", "safeguards", "region", "stages")),
        region=len(d.partnerships) > 1,
        sort=sort,
        descending=descending,
        args=filter_args(f, now),
        register_args=register_args(f),
        selection=services.describe(s, scope, f),
        may_manage=scope.may_manage(),
        **_context(s, scope, now),
    )


@bp.route("/dashboard/lijst/<naam>")
@roles_required(*READERS)
def list_view(naam: str):
    if naam not in services.LIST_TITLES:
        abort(404)
    s, scope, now = db.session(), current_scope(), today()
    try:
        f = read_filters(now)
        services.check_filters(s, scope, f)
    except ValidationError as error:
        return _refused(
            s, scope, now, error, "dashboard/list.html", name=naam, title=services.LIST_TITLES[naam]
        )
    sel = services.selection(scope, f)
    page_no = page_arg()
    page_size = current_app.config["PAGE_SIZE"]
    sort, descending = _sort()
    page = gaps = trainer = matrix = trend = None
    if naam == "dekking":
        matrix = services.coverage_matrix(s, scope, f, sel, services.current_safeguards(s), _min_shown())
    elif naam == "oordeel":
        trend, _ = services.trends(s, scope, f, sel, services.current_safeguards(s), _min_shown())
    elif naam in services.TRAINER_LISTS:
        statuses, within = services.TRAINER_LISTS[naam]
        page = services.trainer_list(
            s,
            scope,
            f,
            sel,
            statuses,
            within,
            sort=sort,
            descending=descending,
            page=page_no,
            page_size=page_size,
        )
    elif naam in services.SESSION_LISTS:
        page = services.session_list(
            s, scope, f, sel, services.SESSION_LISTS[naam], page=page_no, page_size=page_size
        )
    else:
        gaps = services.training_gaps(s, scope, sel)
    if f.trainer_id is not None:
        trainer = services.trainer_name(s, f.trainer_id)
    return render_template(
        "dashboard/list.html",
        name=naam,
        title=services.LIST_TITLES[naam],
        filters=f,
        error=None,
        page=page,
        gaps=gaps,
        matrix=matrix,
        trend=trend,
        trainer=trainer,
        sort=sort,
        descending=descending,
        args=filter_args(f, now, trainer=True),
        all_trainers_args=filter_args(f, now),
        selection=services.describe(s, scope, f),
        empty_text=EMPTY_TEXTS.get(naam, ""),
        **_context(s, scope, now),
    )


@bp.route("/dashboard/export/<tabel>.<any(csv, xlsx):fmt>")
@roles_required(*READERS)
def export(tabel: str, fmt: str):
    if tabel not in exports.TABLES:
        abort(404)
    s, scope, now = db.session(), current_scope(), today()
    try:
        f = read_filters(now)
        table = exports.table(s, scope, f, tabel, _min_shown())
    except ValidationError as error:
        return _refused(s, scope, now, error)
    data = exports.to_csv(table) if fmt == "csv" else exports.to_xlsx(table)
    return download(data, f"dashboard-{tabel}-{f.reference.isoformat()}", fmt)


# ---------------------------------------------------------------- plotly.js


@bp.route("/js/plotly-<version>.min.js")
def plotly_js(version: str):
    """plotly.js of the installed plotly package; public, like any static file."""
    if version != assets.VERSION:
        abort(404)
    return send_file(assets.PLOTLY_JS, mimetype="text/javascript", max_age=ASSET_MAX_AGE, conditional=True)


@bp.route("/css/plotly-<version>.css")
def plotly_css(version: str):
    if version != assets.VERSION:
        abort(404)
    response = current_app.response_class(assets.plotly_css(), mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = ASSET_MAX_AGE
    return response


@bp.app_context_processor
def _asset_urls():
    return {
        "plotly_js_url": lambda: url_for("dashboard.plotly_js", version=assets.VERSION),
        "plotly_css_url": lambda: url_for("dashboard.plotly_css", version=assets.VERSION),
        "plotly_style_ids": assets.bundled_style_ids,
    }
