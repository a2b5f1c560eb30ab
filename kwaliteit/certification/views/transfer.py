"""Register pages: the import of mentors, certificates and attendance from a board's file
(upload, then a preview to check and confirm), and the export of the register as CSV or XLSX."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, StringField
from wtforms.validators import Length, Optional

from evaluaties.transfer.reading import ImportRefused
from kwaliteit import clock, db
from kwaliteit.accounts.auth import MANAGERS, current_scope, roles_required
from kwaliteit.args import id_arg
from kwaliteit.certification import exporting, importing
from kwaliteit.certification.views import bp
from kwaliteit.certification.views.common import checked_filters
from kwaliteit.downloads import download
from kwaliteit.forms import BaseForm, ChoiceField
from kwaliteit.models_base import utcnow
from kwaliteit.scope import Forbidden
from kwaliteit.trainings.services import partnerships_in_scope
from kwaliteit.validation import ValidationError

UPDATE, CONFIRM = "bijwerken", "importeren"


class UploadForm(BaseForm):
    partnerschap = ChoiceField("Partnerschap", "Kies een partnerschap.", coerce=int)
    file = FileField(
        "Bestand (CSV of XLSX)",
        validators=[FileRequired("Kies een CSV- of XLSX-bestand.")],
        render_kw={
            "accept": ".csv,.xlsx,.txt,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        },
    )


def _column_field_name(key: str) -> str:
    return f"kolom_{key}"


class _PreviewFormBase(BaseForm):
    bestand = HiddenField(validators=[Length(max=importing.MAX_SEALED_CHARS)])
    actie = StringField(validators=[Length(max=20)])


# One column choice per field of the import (a column letter; empty: no column).
PreviewForm = type(
    "PreviewForm",
    (_PreviewFormBase,),
    {
        _column_field_name(f.key): StringField(f"Kolom voor {f.label}", validators=[Optional(), Length(max=10)])
        for f in importing.FIELDS
    },
)


def _mapping(form, upload: importing.Upload) -> tuple[importing.Mapping, dict[str, str]]:
    """The columns chosen in the form; a field the form did not send keeps the proposal."""
    proposal = importing.propose_mapping(upload.headings)
    mapping: importing.Mapping = {}
    errors: dict[str, str] = {}
    for f in importing.FIELDS:
        field = form[_column_field_name(f.key)]
        if not field.raw_data or field.errors:
            mapping[f.key] = proposal[f.key]
            if field.errors:
                errors[f.key] = "Kies een kolom uit de lijst."
            continue
        letter = (field.data or "").strip()
        index = importing.column_index(letter) if letter else None
        if letter and index is None:
            errors[f.key] = "Kies een kolom uit de lijst."
        mapping[f.key] = index
    return mapping, errors


def _preview_page(form, pv: importing.Preview, token: str, *, refused=None, failed=False, extra_errors=None):
    mapping_errors = {**pv.mapping_errors, **(extra_errors or {})}
    return (
        render_template(
            "certification/import_preview.html",
            form=form,
            pv=pv,
            token=token,
            fields=importing.FIELDS,
            mapping_errors=mapping_errors,
            column_letter=importing.column_letter,
            refused=refused,
            failed=failed,
        ),
        400 if failed else 200,
    )


def _gone():
    return render_template(
        "error.html",
        code=400,
        title="Voorbeeld verlopen",
        message="Dit voorbeeld is niet (meer) geldig: het is ouder dan een dag, gewijzigd of van iemand anders. "
        "Upload het bestand opnieuw; er is niets opgeslagen.",
        back=url_for("register.import_upload"),
    ), 400


@bp.route("/importeren", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def import_upload():
    """Step 1: upload a file for a partnership; a readable file shows its preview at once."""
    s, scope = db.session(), current_scope()
    chosen = id_arg("partnerschap")
    if chosen is not None and not scope.allows(chosen):
        raise Forbidden()
    partnerships = partnerships_in_scope(s, scope)
    form = UploadForm()
    form.partnerschap.choices = [(p.id, p.name) for p in partnerships]
    if request.method == "GET":
        if chosen is not None:
            form.partnerschap.data = chosen
        elif len(partnerships) == 1:
            form.partnerschap.data = partnerships[0].id
    max_bytes = int(current_app.config["MAX_UPLOAD_BYTES"])
    refused: ImportRefused | None = None
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(max_bytes + 1)
        try:
            parsed = importing.read_upload(
                s, scope, form.partnerschap.data, current_user.id, upload.filename or "", data, max_bytes
            )
            token = importing.seal(parsed, current_app.secret_key)
        except ImportRefused as exc:
            refused = exc
        except ValidationError as exc:
            form.form_errors.extend(exc.errors.values())
        else:
            pv = importing.preview(s, scope, parsed, importing.propose_mapping(parsed.headings), clock.today())
            return _preview_page(PreviewForm(formdata=None), pv, token)
    failed = refused is not None or bool(form.errors) or bool(form.form_errors)
    return (
        render_template(
            "certification/import.html",
            form=form,
            partnerships=partnerships,
            refused=refused,
            max_bytes=max_bytes,
            max_rows=importing.MAX_ROWS,
            fields=importing.FIELDS,
        ),
        400 if request.method == "POST" and failed else 200,
    )


@bp.route("/importeren/controleren", methods=["POST"])
@roles_required(*MANAGERS)
def import_preview():
    """Step 2: "Voorbeeld bijwerken" checks again with the chosen columns; "Importeren" saves
    every row or none."""
    s, scope = db.session(), current_scope()
    form = PreviewForm()
    if not form.validate_on_submit() and (form.bestand.errors or form.actie.errors or "csrf_token" in form.errors):
        return _gone()
    try:
        upload = importing.unseal(form.bestand.data or "", current_app.secret_key, current_user.id)
    except importing.DraftGone:
        return _gone()
    token = form.bestand.data
    mapping, field_errors = _mapping(form, upload)
    today = clock.today()
    if form.actie.data == CONFIRM and not field_errors:
        try:
            result = importing.confirm(s, scope, upload, mapping, today, utcnow())
            s.commit()
        except ImportRefused as exc:
            s.rollback()
            pv = importing.preview(s, scope, upload, mapping, today)
            return _preview_page(form, pv, token, refused=exc if not pv.errors else None, failed=True)
        except ValidationError as exc:
            s.rollback()
            pv = importing.preview(s, scope, upload, mapping, today)
            form.form_errors.extend(m for k, m in exc.errors.items() if k not in pv.mapping_errors)
            return _preview_page(form, pv, token, failed=True)
        c = result.counts
        if c.adds_nothing:
            flash("Alles in dit bestand stond al in het register; er is niets toegevoegd.", "info")
        else:
            flash(
                f"Ingelezen: {c.new_persons} nieuwe {'persoon' if c.new_persons == 1 else 'personen'}, "
                f"{c.new_certificates} {'certificaat' if c.new_certificates == 1 else 'certificaten'} en "
                f"{c.new_attendance}× aanwezigheid.",
                "success",
            )
        return redirect(url_for("register.index", partnerschap=upload.partnership_id), 303)
    pv = importing.preview(s, scope, upload, mapping, today)
    failed = form.actie.data == CONFIRM
    return _preview_page(form, pv, token, failed=failed, extra_errors=field_errors)


@bp.route("/export.<any(csv, xlsx):fmt>")
@roles_required(*MANAGERS)
def export(fmt: str):
    s, scope = db.session(), current_scope()
    filters, _options = checked_filters(s, scope)
    rows = exporting.register_rows(s, scope, filters, clock.today())
    data = exporting.register_csv(rows) if fmt == "csv" else exporting.register_xlsx(rows)
    return download(data, f"register-{clock.today():%Y-%m-%d}", fmt)
