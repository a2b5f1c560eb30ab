"""The page where a user makes and revokes their own API tokens (Mijn API-tokens).

A new token is shown once: kept in the (signed) session cookie until the next page shows it,
as the calendar address of kwaliteit.notifications, then gone; only its SHA-256 is stored.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, session, url_for
from flask_login import current_user, login_required
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired

from kwaliteit import clock, db
from kwaliteit.api import tokens
from kwaliteit.api.models import TOKEN_NAME
from kwaliteit.forms import BaseForm, choices, form_page, max_length, run_action, save_form

bp = Blueprint("tokens", __name__)

NEW_TOKEN = "nieuw_api_token"
# The validity the form offers, in days ("" : until revoked).
VALIDITY = (("90", "90 dagen"), ("365", "1 jaar"), ("", "Geen einddatum (tot je het intrekt)"))


class TokenForm(BaseForm):
    name = StringField(
        "Naam van het token",
        validators=[DataRequired("Geef het token een naam, zodat je later weet waarvoor het is."),
                    max_length(TOKEN_NAME)],
    )
    days = SelectField("Geldig", choices=choices(VALIDITY), default="90")


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(form: TokenForm, status: int = 200):
    pending = session.pop(NEW_TOKEN, None)
    new = pending["token"] if pending and pending.get("user_id") == current_user.id else None
    rows = tokens.tokens_of(db.session(), current_user.id, clock.now())
    body, code = form_page("api/tokens.html", form, rows=rows, new_token=new, action_form=BaseForm())
    return _no_store(make_response(body, max(code, status)))


@bp.route("/api-tokens")
@login_required
def index():
    return _page(TokenForm())


@bp.route("/api-tokens", methods=["POST"])
@login_required
def create():
    form = TokenForm()
    s = db.session()
    if saved := save_form(
        form,
        lambda: tokens.issue_token(
            s, current_user, form.name.data or "", clock.now(), int(form.days.data) if form.days.data else None
        ),
    ):
        row, token = saved.value
        session[NEW_TOKEN] = {"user_id": current_user.id, "token": token}
        flash(f"Token ‘{row.name}’ is gemaakt. Kopieer het nu: het wordt niet opnieuw getoond.", "success")
        return redirect(url_for("tokens.index", _anchor="nieuw-token"))
    return _page(form)


@bp.route("/api-tokens/<int:token_id>/intrekken", methods=["POST"])
@login_required
def revoke(token_id: int):
    if not BaseForm().validate_on_submit():
        abort(400)
    s = db.session()
    if saved := run_action(lambda: tokens.revoke_token(s, current_user.id, token_id, clock.now())):
        flash(f"Token ‘{saved.value.name}’ is ingetrokken: het werkt niet meer.", "success")
    return redirect(url_for("tokens.index", _anchor="melding"))
