"""Results, response rates, import and export of answers."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from evaluaties import questionnaires, results, transfer
from evaluaties.models import Audience
from evaluaties.results_forms import import_form
from kwaliteit import db
from kwaliteit.accounts.auth import MANAGERS, READERS, current_scope, roles_required
from kwaliteit.clock import today
from kwaliteit.framework.services import current_safeguards
from kwaliteit.sqldates import school_year_label
from kwaliteit.trainings.services import get_session, partnerships_in_scope
from kwaliteit.validation import ValidationError

bp = Blueprint("results", __name__)

AUDIENCES = {"deelnemers": Audience.PARTICIPANT, "trainers": Audience.TRAINER, "alle": None}
MIMETYPES = {"csv": transfer.CSV_MIMETYPE, "xlsx": transfer.XLSX_MIMETYPE}


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    # isdigit() alone accepts "²" (int() then fails) and numbers no database column can hold.
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def _audience_arg() -> tuple[str, Audience | None]:
    key = request.args.get("doelgroep", "deelnemers")
    if key not in AUDIENCES:
        key = "deelnemers"
    return key, AUDIENCES[key]


def _result_filters() -> tuple[results.ResultFilters, str]:
    audience_key, audience = _audience_arg()
    safeguard = request.args.get("waarborg", "").strip()[:20] or None
    year = _int_arg("schooljaar")
    return (
        results.ResultFilters(
            session_id=_int_arg("bijeenkomst"),
            training_id=_int_arg("training"),
            partnership_id=_int_arg("partnerschap"),
            school_year=year if year is not None and 2000 <= year <= 2100 else None,
            safeguard_code=safeguard,
            audience=audience,
        ),
        audience_key,
    )


def _min_shown() -> int:
    return int(current_app.config.get("MIN_ANSWERS_SHOWN", results.DEFAULT_MIN_SHOWN))


def _download(data: bytes, fmt: str, name: str):
    response = current_app.response_class(data, mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- results


@bp.route("/resultaten")
@roles_required(*READERS)
def index():
    s, scope = db.session(), current_scope()
    filters, audience_key = _result_filters()
    rs = results.results(s, scope, filters, _min_shown())
    safeguards = current_safeguards(s)
    return render_template(
        "evaluaties/results/index.html",
        rs=rs,
        filters=filters,
        audience_key=audience_key,
        trainings=results.trainings_for_filter(s, scope),
        years=[(y, school_year_label(y)) for y in results.result_years(s, scope)],
        safeguards=safeguards,
        safeguard_names={sg.code: sg.name for sg in safeguards},
        partnerships=partnerships_in_scope(s, scope),
        export_args=request.args.to_dict(),
    )


@bp.route("/resultaten/export.<any(csv, xlsx):fmt>")
@roles_required(*READERS)
def export_results(fmt: str):
    s, scope = db.session(), current_scope()
    filters, _key = _result_filters()
    rs = results.results(s, scope, filters, _min_shown(), with_years=False)
    data = transfer.results_csv(rs) if fmt == "csv" else transfer.results_xlsx(rs)
    name = "resultaten"
    if filters.session_id:
        name += f"-bijeenkomst-{filters.session_id}"
    elif filters.training_id:
        name += f"-training-{filters.training_id}"
    if filters.school_year:
        name += f"-{school_year_label(filters.school_year)}"
    return _download(data, fmt, name)


@bp.route("/bijeenkomsten/<int:session_id>/resultaten")
@roles_required(*READERS)
def session_results(session_id: int):
    s, scope = db.session(), current_scope()
    ts = get_session(s, scope, session_id)
    audience_key, audience = _audience_arg()
    rate = results.session_rate(s, scope, ts.id, today())
    rs = results.results(s, scope, results.ResultFilters(session_id=ts.id, audience=audience), _min_shown())
    safeguards = current_safeguards(s)
    return render_template(
        "evaluaties/results/session.html",
        ts=ts,
        rate=rate,
        rs=rs,
        audience_key=audience_key,
        safeguard_names={sg.code: sg.name for sg in safeguards},
        may_manage=scope.may_manage(),
    )


# ---------------------------------------------------------------- response rates


@bp.route("/respons")
@roles_required(*READERS)
def rates():
    s, scope = db.session(), current_scope()
    year = _int_arg("schooljaar")
    filters = results.RateFilters(
        training_id=_int_arg("training"),
        partnership_id=_int_arg("partnerschap"),
        school_year=year if year is not None and 2000 <= year <= 2100 else None,
    )
    page = results.response_rates(
        s, scope, today(), filters, page=_int_arg("pagina") or 1, page_size=current_app.config["PAGE_SIZE"]
    )
    return render_template(
        "evaluaties/results/rates.html",
        page=page,
        filters=filters,
        trainings=results.trainings_for_filter(s, scope),
        years=[(y, school_year_label(y)) for y in results.result_years(s, scope)],
        partnerships=partnerships_in_scope(s, scope),
    )


@bp.route("/respons/laag")
@roles_required(*READERS)
def low_rates():
    s, scope = db.session(), current_scope()
    days = _int_arg("dagen")
    threshold = _int_arg("drempel")
    days = days if days is not None and 1 <= days <= 365 else results.DEFAULT_LOW_DAYS
    threshold = threshold if threshold is not None and 1 <= threshold <= 100 else results.DEFAULT_LOW_THRESHOLD_PCT
    rows = results.low_response(s, scope, today(), days=days, threshold_pct=threshold)
    return render_template("evaluaties/results/low.html", rows=rows, days=days, threshold=threshold)


# ---------------------------------------------------------------- answers: export and import


def _answers_download(fmt: str, back: str, name: str, **where):
    s, scope = db.session(), current_scope()
    audience_key, audience = _audience_arg()
    try:
        table = transfer.answers_table(
            s, scope, audience=audience or Audience.PARTICIPANT, min_shown=_min_shown(), **where
        )
    except transfer.TooFewAnswers as exc:
        flash(str(exc), "warn")
        return redirect(back)
    data = transfer.answers_csv(table) if fmt == "csv" else transfer.answers_xlsx(table)
    return _download(data, fmt, name)


@bp.route("/bijeenkomsten/<int:session_id>/antwoorden.<any(csv, xlsx):fmt>")
@roles_required(*READERS)
def session_answers(session_id: int, fmt: str):
    ts = get_session(db.session(), current_scope(), session_id)
    return _answers_download(
        fmt, url_for("results.session_results", session_id=ts.id), f"antwoorden-bijeenkomst-{ts.id}",
        session_id=ts.id,
    )


@bp.route("/trainingen/<int:training_id>/antwoorden.<any(csv, xlsx):fmt>")
@roles_required(*READERS)
def training_answers(training_id: int, fmt: str):
    from kwaliteit.trainings.services import get_training

    training = get_training(db.session(), current_scope(), training_id)
    return _answers_download(
        fmt, url_for("results.index", training=training.id), f"antwoorden-training-{training.id}",
        training_id=training.id,
    )


@bp.route("/bijeenkomsten/<int:session_id>/antwoorden/importeren", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def import_answers(session_id: int):
    s, scope = db.session(), current_scope()
    ts = get_session(s, scope, session_id)
    version = questionnaires.applicable_version(s, ts.training_id, Audience.PARTICIPANT)
    form = import_form(version)
    max_bytes = int(current_app.config["MAX_UPLOAD_BYTES"])
    refused: transfer.ImportRefused | None = None
    if version is not None and ts.cancelled_at is None and form.validate_on_submit():
        upload = form.file.data
        data = upload.read(max_bytes + 1)
        try:
            result = transfer.import_responses(
                s, scope, ts.id, upload.filename or "", data, form.mapping(), today(), max_bytes
            )
            s.commit()
        except transfer.ImportRefused as exc:
            s.rollback()
            refused = exc
        except ValidationError as exc:
            s.rollback()
            form.form_errors.extend(exc.errors.values())
        else:
            flash(
                f"{result.count} {'antwoord is' if result.count == 1 else 'antwoorden zijn'} ingelezen.",
                "success",
            )
            return redirect(url_for("results.session_results", session_id=ts.id))
    elif request.method == "POST" and (version is None or ts.cancelled_at is not None):
        form.validate_on_submit()
        form.form_errors.append(
            "Deze bijeenkomst is geannuleerd: er worden geen antwoorden ingelezen."
            if ts.cancelled_at is not None
            else "Er is geen gepubliceerde deelnemersvragenlijst voor deze training."
        )
    failed = refused is not None or bool(form.errors) or bool(form.form_errors)
    return (
        render_template(
            "evaluaties/results/import.html",
            ts=ts,
            form=form,
            version=version,
            refused=refused,
            max_bytes=max_bytes,
        ),
        400 if request.method == "POST" and failed else 200,
    )
