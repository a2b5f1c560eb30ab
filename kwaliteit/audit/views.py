"""The audit log page (Logboek) and its export."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from evaluaties.transfer.exporting import to_csv, to_xlsx
from kwaliteit import clock, db
from kwaliteit.accounts.auth import MANAGERS, current_scope, roles_required
from kwaliteit.args import choice_arg, date_arg, id_arg, page_arg
from kwaliteit.audit import services
from kwaliteit.audit.models import AuditAction
from kwaliteit.downloads import download
from kwaliteit.trainings.services import partnerships_in_scope

bp = Blueprint("audit", __name__)


def _filters() -> services.AuditFilters:
    today = clock.today()
    action = choice_arg("actie", [a.value for a in AuditAction])
    return services.AuditFilters(
        start=date_arg("van", today),
        end=date_arg("tot", today),
        user_id=id_arg("gebruiker"),
        action=AuditAction(action) if action else None,
        object_type=choice_arg("soort", services.OBJECT_LABELS),
        partnership_id=id_arg("partnerschap"),
    )


@bp.route("/audit")
@roles_required(*MANAGERS)
def index():
    s, scope = db.session(), current_scope()
    f = _filters()
    page = services.entries(s, scope, f, page=page_arg(), page_size=current_app.config["PAGE_SIZE"])
    return render_template(
        "audit/index.html",
        page=page,
        f=f,
        actions=list(AuditAction),
        object_types=services.object_types(),
        users=services.users_in_log(s, scope),
        partnerships=partnerships_in_scope(s, scope),
        retention_days=current_app.config["AUDIT_RETENTION_DAYS"],
    )


@bp.route("/audit/export.<any(csv, xlsx):fmt>")
@roles_required(*MANAGERS)
def export(fmt: str):
    s, scope = db.session(), current_scope()
    f = _filters()
    rows = services.export_rows(s, scope, f)
    header = services.EXPORT_HEADER
    data = to_csv(header, rows) if fmt == "csv" else to_xlsx([("Logboek", header, rows)])
    return download(data, f"logboek-{clock.today().isoformat()}", fmt, f.partnership_id)
