from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from kwaliteit import db
from kwaliteit.accounts.forms import LoginForm
from kwaliteit.accounts.services import authenticate

bp = Blueprint("accounts", __name__)
log = logging.getLogger(__name__)


def _safe_next(target: str | None) -> str | None:
    # Only same-site paths: an open redirect would let a link send users elsewhere.
    if not target:
        return None
    # Browsers read "/\\evil.example" as "//evil.example" and drop tabs and newlines, so those
    # characters make a path unsafe too.
    if "\\" in target or any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/inloggen", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session(), form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            log.info("Ingelogd: gebruiker %s", user.id)
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
        # The form has refused control characters and over-long input, so the address is one line.
        log.warning("Inloggen geweigerd voor %r vanaf %s", form.email.data, request.remote_addr)
        form.password.errors.append("Onbekend e-mailadres of onjuist wachtwoord.")
    status = 200 if not form.errors else 400
    return render_template("accounts/login.html", form=form), status


@bp.route("/uitloggen", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        log.info("Uitgelogd: gebruiker %s", current_user.id)
    logout_user()
    flash("Je bent uitgelogd.", "info")
    return redirect(url_for("accounts.login"))
