"""Mijn account: the user's own password, "overal uitloggen" and the two-step log-in."""

from __future__ import annotations

import logging

import segno
from flask import Blueprint, abort, flash, make_response, redirect, render_template, session, url_for
from flask_login import current_user, login_required, logout_user

from kwaliteit import db
from kwaliteit.accounts import own
from kwaliteit.accounts.auth import log_in
from kwaliteit.accounts.models import User
from kwaliteit.accounts.passwords import MIN_PASSWORD_LENGTH
from kwaliteit.accounts.services import end_sessions
from kwaliteit.accounts.user_forms import ChangePasswordForm, DisableTwoStepForm, EnableTwoStepForm
from kwaliteit.clock import now
from kwaliteit.forms import BaseForm, apply_errors
from kwaliteit.validation import ValidationError

bp = Blueprint("account", __name__)
log = logging.getLogger(__name__)

# The flask session key of a two-step secret being set up (shown as a QR code, not yet confirmed).
NEW_SECRET = "new_totp_secret"


def _no_store(response):
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


def _me() -> User:
    user = db.session().get(User, current_user.id)
    if user is None:  # pragma: no cover - the loader has just found it
        abort(404)
    return user


def _page(user: User, status: int = 200, **forms):
    s = db.session()
    context = {
        "user": user,
        "password_form": forms.get("password_form") or ChangePasswordForm(formdata=None),
        "disable_form": forms.get("disable_form") or DisableTwoStepForm(formdata=None),
        "action_form": BaseForm(formdata=None),
        "min_length": MIN_PASSWORD_LENGTH,
        "two_step_allowed": own.two_step_allowed(user),
        "recovery_left": own.unused_recovery_codes(s, user) if user.two_step else 0,
        "page_has_errors": status == 400,
    }
    return _no_store((render_template("accounts/account.html", **context), status))


@bp.route("/mijn-account")
@login_required
def index():
    return _page(_me())


@bp.route("/mijn-account/wachtwoord", methods=["POST"])
@login_required
def change_password():
    """A new password ends every other session and remember-me cookie; this browser stays logged
    in with a new session."""
    s, user = db.session(), _me()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            own.change_password(s, user, form.current.data, form.password.data, form.confirm.data)
            s.commit()
        except ValidationError as exc:
            s.rollback()
            apply_errors(form, exc)
        else:
            log.info("Wachtwoord gewijzigd: gebruiker %s", user.id)
            log_in(user)
            flash("Je wachtwoord is gewijzigd. Op andere apparaten ben je uitgelogd.", "success")
            return redirect(url_for("account.index"))
    return _page(user, 400, password_form=form)


@bp.route("/mijn-account/overal-uitloggen", methods=["POST"])
@login_required
def logout_everywhere():
    s, user = db.session(), _me()
    if not BaseForm().validate_on_submit():
        abort(400)
    end_sessions(s, user)
    s.commit()
    log.info("Overal uitgelogd: gebruiker %s", user.id)
    logout_user()
    flash("Je bent overal uitgelogd, ook hier. Log opnieuw in.", "info")
    return redirect(url_for("accounts.login"))


def _qr_data_uri(uri: str) -> str:
    # An <img> with a data: URI: the Content-Security-Policy allows it, and needs no script.
    return segno.make(uri, error="m").svg_data_uri(scale=5, dark="#000", light="#fff")


@bp.route("/mijn-account/tweestaps", methods=["GET", "POST"])
@login_required
def two_step():
    """Set up the two-step log-in: a new secret as a QR code (and as text), confirmed by a code
    from the app; then the recovery codes, shown once."""
    s, user = db.session(), _me()
    if not own.two_step_allowed(user):
        abort(403)
    if user.two_step:
        flash("Inloggen in twee stappen staat al aan.", "info")
        return redirect(url_for("account.index"))
    secret = session.get(NEW_SECRET)
    if not isinstance(secret, str) or len(secret) > 64:
        secret = session[NEW_SECRET] = own.new_secret()
    form = EnableTwoStepForm()
    status = 200
    if form.validate_on_submit():
        try:
            codes = own.enable_two_step(s, user, secret, form.code.data, now())
            end_sessions(s, user)
            s.commit()
        except ValidationError as exc:
            s.rollback()
            apply_errors(form, exc)
        else:
            session.pop(NEW_SECRET, None)
            log_in(user)
            log.info("Inloggen in twee stappen aangezet: gebruiker %s", user.id)
            return _no_store(render_template("accounts/recovery_codes.html", codes=codes))
    if form.errors:
        status = 400
    uri = own.provisioning_uri(user, secret)
    return _no_store(
        (
            render_template(
                "accounts/two_step.html", form=form, secret=secret, qr=_qr_data_uri(uri), user=user
            ),
            status,
        )
    )


@bp.route("/mijn-account/tweestaps/uitzetten", methods=["POST"])
@login_required
def disable_two_step():
    s, user = db.session(), _me()
    form = DisableTwoStepForm()
    if form.validate_on_submit():
        try:
            own.disable_two_step(s, user, form.current.data, form.code.data, now())
            s.commit()
        except ValidationError as exc:
            s.rollback()
            apply_errors(form, exc)
        else:
            log.info("Inloggen in twee stappen uitgezet: gebruiker %s", user.id)
            flash("Inloggen in twee stappen staat uit.", "success")
            return redirect(url_for("account.index"))
    return _page(user, 400, disable_form=form)
