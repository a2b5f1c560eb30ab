"""Import of answers into a session, and export of answers and results."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from evaluaties.questionnaires import services as questionnaires
from evaluaties.questionnaires.models import Audience
from evaluaties.results import services as results
from evaluaties.results.views import audience_arg, min_shown, result_filters
from evaluaties.transfer import exporting, importing, reading
from evaluaties.transfer.forms import import_form
from kwaliteit import db
from kwaliteit.accounts.auth import MANAGERS, READERS, current_scope, roles_required
from kwaliteit.clock import today
from kwaliteit.sqldates import school_year_label
from kwaliteit.trainings.services import get_session
from kwaliteit.validation import ValidationError

bp = Blueprint("transfer", __name__)

AUDIENCES = {"deelnemers": Audience.PARTICIPANT, "trainers": Audience.TRAINER, "alle": None}
MIMETYPES = {"csv": exporting.CSV_MIMETYPE, "xlsx": exporting.XLSX_MIMETYPE}



def _download(data: bytes, fmt: str, name: str):
    response = current_app.response_class(data, mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response



# ---------------------------------------------------------------- results export


@bp.route("/resultaten/export.<any(csv, xlsx):fmt>")
@roles_required(*READERS)
def export_results(fmt: str):
    s, scope = db.session(), current_scope()
    filters, _key = result_filters()
    rs = results.results(s, scope, filters, min_shown(), with_years=False)
    data = exporting.results_csv(rs) if fmt == "csv" else exporting.results_xlsx(rs)
    name = "resultaten"
    if filters.session_id:
        name += f"-bijeenkomst-{filters.session_id}"
    elif filters.training_id:
        name += f"-training-{filters.training_id}"
    if filters.school_year:
        name += f"-{school_year_label(filters.school_year)}"
    return _download(data, fmt, name)


# ---------------------------------------------------------------- answers: export and import


def _answers_download(fmt: str, back: str, name: str, **where):
    s, scope = db.session(), current_scope()
    audience_key, audience = audience_arg()
    try:
        table = exporting.answers_table(
            s, scope, audience=audience or Audience.PARTICIPANT, min_shown=min_shown(), **where
        )
    except exporting.TooFewAnswers as exc:
        flash(str(exc), "warn")
        return redirect(back)
    data = exporting.answers_csv(table) if fmt == "csv" else exporting.answers_xlsx(table)
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
    refused: reading.ImportRefused | None = None
    if version is not None and ts.cancelled_at is None and form.validate_on_submit():
        upload = form.file.data
        data = upload.read(max_bytes + 1)
        try:
            result = importing.import_responses(
                s, scope, ts.id, upload.filename or "", data, form.mapping(), today(), max_bytes
            )
            s.commit()
        except reading.ImportRefused as exc:
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
