"""Results, response rates, import and export of answers."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from evaluaties.questionnaires.models import Audience
from evaluaties.results import anonymity
from evaluaties.results import rates as rate_service
from evaluaties.results import services as results
from kwaliteit import db, limits
from kwaliteit.accounts.auth import READERS, current_scope, roles_required
from kwaliteit.accounts.models import Role
from kwaliteit.args import MAX_PAGE, choice_arg, id_arg, int_arg, page_arg, text_arg
from kwaliteit.clock import today
from kwaliteit.framework.services import current_safeguards
from kwaliteit.sorting import sort_arg
from kwaliteit.sqldates import school_year_label
from kwaliteit.trainings.services import partnerships_in_scope

bp = Blueprint("results", __name__)

AUDIENCES = {"deelnemers": Audience.PARTICIPANT, "trainers": Audience.TRAINER, "alle": None}


# School years (by the calendar year they start in) a filter may ask for.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def audience_arg() -> tuple[str, Audience | None]:
    key = choice_arg("doelgroep", AUDIENCES, "deelnemers")
    return key, AUDIENCES[key]


def school_year_arg() -> int | None:
    return int_arg("schooljaar", None, min=FIRST_YEAR, max=LAST_YEAR)


def result_filters() -> tuple[results.ResultFilters, str]:
    audience_key, audience = audience_arg()
    safeguard = text_arg("waarborg", limits.CODE) or None
    return (
        results.ResultFilters(
            session_id=id_arg("bijeenkomst"),
            training_id=id_arg("training"),
            partnership_id=id_arg("partnerschap"),
            school_year=school_year_arg(),
            safeguard_code=safeguard,
            audience=audience,
        ),
        audience_key,
    )


def open_page_arg() -> int:
    """The page of open answers (?open-pagina=), a page per question."""
    return min(int_arg("open-pagina", 1, min=1), MAX_PAGE)


def min_shown() -> int:
    """The anonymity threshold for the current reader (anonymity.scope_threshold)."""
    return anonymity.scope_threshold(db.session(), current_scope(), anonymity.threshold(current_app.config))


# ---------------------------------------------------------------- results


@bp.route("/resultaten")
@roles_required(*READERS)
def index():
    s, scope = db.session(), current_scope()
    filters, audience_key = result_filters()
    rs = results.results(s, scope, filters, min_shown(), open_page=open_page_arg())
    safeguards = current_safeguards(s)
    return render_template(
        "evaluaties/results/index.html",
        rs=rs,
        filters=filters,
        audience_key=audience_key,
        trainings=results.trainings_for_filter(s, scope),
        years=[(y, school_year_label(y)) for y in results.result_years(s, scope, today())],
        safeguards=safeguards,
        safeguard_names={sg.code: sg.name for sg in safeguards},
        partnerships=partnerships_in_scope(s, scope),
        export_args=request.args.to_dict(),
    )


@bp.route("/bijeenkomsten/<int:session_id>/resultaten")
@roles_required(*READERS, Role.TRAINER)
def session_results(session_id: int):
    """Readers within scope; a trainer for the sessions he taught (results.session_reader)."""
    s = db.session()
    ts, scope = results.session_reader(s, current_scope(), session_id)
    audience_key, audience = audience_arg()
    rate = rate_service.session_rate(s, scope, ts.id, today())
    rs = results.results(
        s, scope, results.ResultFilters(session_id=ts.id, audience=audience), min_shown(), open_page=open_page_arg()
    )
    safeguards = current_safeguards(s)
    return render_template(
        "evaluaties/results/session.html",
        ts=ts,
        rate=rate,
        rs=rs,
        audience_key=audience_key,
        safeguard_names={sg.code: sg.name for sg in safeguards},
        may_manage=scope.may_manage(),
        is_trainer=scope.role is Role.TRAINER,
    )


# ---------------------------------------------------------------- response rates


# The response list's period (?periode=): by default the sessions up to today (given, and open
# now); "alle" adds the sessions still to come, which have no response yet.
PERIODS = ("tot-vandaag", "alle")


@bp.route("/respons")
@roles_required(*READERS)
def rates():
    s, scope = db.session(), current_scope()
    period = choice_arg("periode", PERIODS, PERIODS[0])
    filters = rate_service.RateFilters(
        training_id=id_arg("training"),
        partnership_id=id_arg("partnerschap"),
        school_year=school_year_arg(),
        upcoming=period == "alle",
    )
    sort = sort_arg(rate_service.RATE_SORT_KEYS, "datum", descending=True)
    page = rate_service.response_rates(
        s, scope, today(), filters, page=page_arg(), page_size=current_app.config["PAGE_SIZE"], sort=sort
    )
    return render_template(
        "evaluaties/results/rates.html",
        page=page,
        sort=sort,
        period=period,
        filters=filters,
        trainings=results.trainings_for_filter(s, scope),
        years=[(y, school_year_label(y)) for y in results.result_years(s, scope, today())],
        partnerships=partnerships_in_scope(s, scope),
    )


@bp.route("/respons/laag")
@roles_required(*READERS)
def low_rates():
    s, scope = db.session(), current_scope()
    days = int_arg("dagen", rate_service.DEFAULT_LOW_DAYS, min=1, max=365)
    threshold = int_arg("drempel", rate_service.DEFAULT_LOW_THRESHOLD_PCT, min=1, max=100)
    partnership_id = id_arg("partnerschap")
    rows = rate_service.low_response(
        s, scope, today(), days=days, threshold_pct=threshold, partnership_id=partnership_id
    )
    return render_template(
        "evaluaties/results/low.html",
        rows=rows,
        days=days,
        threshold=threshold,
        partnerships=partnerships_in_scope(s, scope),
        partnership_id=partnership_id,
    )
