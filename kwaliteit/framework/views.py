from __future__ import annotations

from flask import Blueprint, render_template

from kwaliteit import db
from kwaliteit.accounts.auth import READERS, current_scope, roles_required
from kwaliteit.framework.services import current_framework
from kwaliteit.trainings import services

bp = Blueprint("framework", __name__)


@bp.route("/waarborgen/<int:safeguard_id>")
@roles_required(*READERS)
def safeguard(safeguard_id: int):
    safeguard, rows = services.safeguard_trainings(db.session(), current_scope(), safeguard_id)
    return render_template("framework/safeguard.html", safeguard=safeguard, rows=rows)


@bp.route("/overzicht")
@roles_required(*READERS)
def overview():
    s = db.session()
    return render_template(
        "framework/overview.html",
        framework=current_framework(s),
        overview=services.overview(s, current_scope()),
    )
