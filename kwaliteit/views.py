from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from kwaliteit import db
from kwaliteit import glossary as terms
from kwaliteit.accounts.auth import READERS
from kwaliteit.accounts.models import Role
from kwaliteit.framework.services import current_framework, current_safeguards

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    if current_user.role is Role.TRAINER:
        return redirect(url_for("evaluaties.mine"))
    return redirect(url_for("dashboard.index"))


@bp.route("/begrippen")
@login_required
def glossary():
    """The words of the framework and of the app; the safeguards from the current framework."""
    s = db.session()
    return render_template(
        "glossary.html",
        groups=terms.GROUPS,
        framework=current_framework(s),
        safeguards=current_safeguards(s),
        may_read_framework=current_user.role in READERS,
    )


@bp.route("/gezond")
def health():
    """For load balancers and the process manager: no log-in, no data."""
    return {"status": "ok"}
