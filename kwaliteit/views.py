from flask import Blueprint, redirect, url_for
from flask_login import current_user, login_required

from kwaliteit.accounts.models import Role

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    if current_user.role is Role.TRAINER:
        return redirect(url_for("evaluaties.mine"))
    return redirect(url_for("dashboard.index"))


@bp.route("/gezond")
def health():
    """For load balancers and the process manager: no log-in, no data."""
    return {"status": "ok"}
