"""Import of answers into a session (the import wizard), and export of answers and results."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from evaluaties.questionnaires.models import Audience
from evaluaties.results import services as results
from evaluaties.results.views import audience_arg, min_shown, result_filters
from evaluaties.transfer import exporting, importing, reading
from evaluaties.transfer.forms import CONFIRM, ImportForm, preview_form
from kwaliteit import db
from kwaliteit.accounts.auth import MANAGERS, READERS, current_scope, roles_required
from kwaliteit.clock import today
from kwaliteit.downloads import download
from kwaliteit.forms import apply_errors
from kwaliteit.models_base import utcnow
from kwaliteit.scope import NotFound
from kwaliteit.sqldates import school_year_label
from kwaliteit.trainings.services import get_session
from kwaliteit.validation import ValidationError

bp = Blueprint("transfer", __name__)






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
    return download(data, name, fmt)


# ---------------------------------------------------------------- answers: export and import


def _answers_download(fmt: str, back: str, name: str, **where):
    s, scope = db.session(), current_scope()
    _key, audience = audience_arg()
    try:
        table = exporting.answers_table(
            s, scope, audience=audience or Audience.PARTICIPANT, min_shown=min_shown(), **where
        )
    except exporting.TooFewAnswers as exc:
        flash(str(exc), "warn")
        return redirect(back)
    data = exporting.answers_csv(table) if fmt == "csv" else exporting.answers_xlsx(table)
    return download(data, name, fmt)


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


# ---------------------------------------------------------------- import wizard: upload, preview, confirm




@bp.route("/bijeenkomsten/<int:session_id>/antwoorden/importeren", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def import_answers(session_id: int):
    """Step 1: upload. A readable file becomes a draft and the browser goes to its preview."""
    s, scope = db.session(), current_scope()
    ts = get_session(s, scope, session_id)
    version, blocked = importing.import_target(s, ts, today())
    form = ImportForm()
    max_bytes = int(current_app.config["MAX_UPLOAD_BYTES"])
    refused: reading.ImportRefused | None = None
    if form.validate_on_submit():
        if blocked:
            form.form_errors.append(blocked)
        else:
            upload = form.file.data
            data = upload.read(max_bytes + 1)
            try:
                draft = importing.start_import(
                    s, scope, ts.id, current_user.id, upload.filename or "", data, utcnow(), max_bytes,
                    today=today(),
                )
                s.commit()
            except reading.ImportRefused as exc:
                s.rollback()
                refused = exc
            except ValidationError as exc:
                s.rollback()
                form.form_errors.extend(exc.errors.values())
            else:
                return redirect(url_for("transfer.import_preview", session_id=ts.id, draft_id=draft.id), 303)
    failed = refused is not None or bool(form.errors) or bool(form.form_errors)
    return (
        render_template(
            "evaluaties/results/import.html",
            ts=ts,
            form=form,
            version=version,
            blocked=blocked,
            refused=refused,
            max_bytes=max_bytes,
        ),
        400 if request.method == "POST" and failed else 200,
    )


def _gone():
    """A draft that is not (or no longer) there: imported, cancelled, expired, or someone else's."""
    return render_template(
        "error.html",
        code=404,
        title="Niet gevonden",
        message="Dit voorbeeld bestaat niet (meer): het is ingelezen, geannuleerd, verlopen of vervangen "
        "door een latere upload. Lees het bestand opnieuw in.",
    ), 404


@bp.route("/bijeenkomsten/<int:session_id>/antwoorden/importeren/<int:draft_id>", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def import_preview(session_id: int, draft_id: int):
    """Step 2: the preview. "Voorbeeld bijwerken" recomputes it, "Importeren" saves all or nothing."""
    s, scope = db.session(), current_scope()
    ts = get_session(s, scope, session_id)
    version, blocked = importing.import_target(s, ts, today())
    if blocked:
        flash(blocked, "error")
        return redirect(url_for("transfer.import_answers", session_id=ts.id))
    assert version is not None  # no version is one of the reasons it is blocked
    form = preview_form(version)
    refused: reading.ImportRefused | None = None
    choices = None
    failed = False
    if request.method == "POST":
        valid, action = form.validate_on_submit(), form.action()
        # Shown again whatever happens next; a field with an error is left out, not the others.
        choices = form.choices()
        if valid and action is None:
            form.form_errors.append("Kies ‘Voorbeeld bijwerken’ of ‘Importeren’.")
        failed = not valid or action is None
        if not failed and action == CONFIRM:
            try:
                result = importing.confirm_import(s, scope, ts.id, draft_id, current_user.id, choices, today())
                s.commit()
            except NotFound:
                s.rollback()
                return _gone()
            except reading.ImportRefused as exc:
                s.rollback()
                refused, failed = exc, True
            except ValidationError as exc:
                s.rollback()
                apply_errors(form, exc)
                failed = True
            else:
                n = result.count
                flash(f"{n} {'antwoord is' if n == 1 else 'antwoorden zijn'} ingelezen.", "success")
                if result.mapping is not None:
                    flash(f"De koppeling ‘{result.mapping.name}’ is bewaard voor een volgend bestand.", "success")
                return redirect(url_for("results.session_results", session_id=ts.id))
    try:
        pv = importing.preview(s, scope, ts.id, draft_id, current_user.id, choices)
    except NotFound:
        return _gone()
    if request.method == "GET" or not (form.naam.data or "").strip():
        form.naam.data = pv.mapping_name
    return (
        render_template(
            "evaluaties/results/import_preview.html", ts=ts, form=form, pv=pv, refused=refused, failed=failed
        ),
        400 if failed else 200,
    )


@bp.route("/bijeenkomsten/<int:session_id>/antwoorden/importeren/<int:draft_id>/annuleren", methods=["POST"])
@roles_required(*MANAGERS)
def cancel_import(session_id: int, draft_id: int):
    s, scope = db.session(), current_scope()
    try:
        importing.cancel_import(s, scope, session_id, draft_id, current_user.id)
    except NotFound:
        return _gone()
    s.commit()
    flash("Het inlezen is geannuleerd; er is niets opgeslagen.", "info")
    return redirect(url_for("transfer.import_answers", session_id=session_id))
