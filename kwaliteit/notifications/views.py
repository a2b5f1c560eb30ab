"""Mijn herinneringen (every account), the outbox (admins) and the calendar feed (secret address)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_login import current_user, login_required
from wtforms import BooleanField

from kwaliteit import clock, db
from kwaliteit.accounts.auth import current_scope, roles_required
from kwaliteit.accounts.models import Role
from kwaliteit.args import choice_arg, page_arg
from kwaliteit.forms import BaseForm, run_action, save_form
from kwaliteit.mail import MailError, MailSettings
from kwaliteit.notifications import calendar, services
from kwaliteit.notifications.outbox import outbox_counts
from kwaliteit.notifications.services import OutboxState
from kwaliteit.urls import public_url

bp = Blueprint("notifications", __name__)

# The flask session key under which a new feed address waits to be shown once to its owner.
NEW_FEED = "new_calendar_feed"


class DigestForm(BaseForm):
    weekly_digest = BooleanField("Eén weekoverzicht per week in plaats van losse berichten")


def _feed_url(token: str) -> str:
    return public_url("notifications.calendar_feed", calendar_token=token)


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/herinneringen")
@login_required
def mine():
    s = db.session()
    prefs = services.preferences(s, current_user.id)
    page = services.my_messages(
        s, current_user.id, page=page_arg(), page_size=current_app.config["PAGE_SIZE"]
    )
    pending = session.pop(NEW_FEED, None)
    feed_url = pending["url"] if pending and pending.get("user_id") == current_user.id else None
    page_html = render_template(
        "notifications/mine.html",
        page=page,
        form=DigestForm(data={"weekly_digest": prefs.weekly_digest}),
        has_feed=prefs.calendar_token_hash is not None,
        feed_url=feed_url,
        action_form=BaseForm(),
    )
    return _no_store(make_response(page_html))


@bp.route("/herinneringen/voorkeuren", methods=["POST"])
@login_required
def preferences():
    s = db.session()
    form = DigestForm()
    if save_form(form, lambda: services.set_weekly_digest(s, current_user.id, bool(form.weekly_digest.data))):
        flash(
            "Je krijgt je herinneringen voortaan in één weekoverzicht."
            if form.weekly_digest.data
            else "Je krijgt je herinneringen voortaan als losse berichten.",
            "success",
        )
    else:
        flash("De keuze is niet opgeslagen. Probeer het opnieuw.", "error")
    return redirect(url_for("notifications.mine"))


@bp.route("/herinneringen/agenda", methods=["POST"])
@login_required
def renew_feed():
    """A new secret address for the calendar feed; the old one stops working at once."""
    if not BaseForm().validate_on_submit():
        abort(400)
    s = db.session()
    if saved := run_action(lambda: services.renew_calendar_token(s, current_user.id)):
        session[NEW_FEED] = {"user_id": current_user.id, "url": _feed_url(saved.value)}
        flash("Je hebt een nieuw agenda-adres; het vorige werkt niet meer.", "success")
    return redirect(url_for("notifications.mine", _anchor="agenda"))


@bp.route("/agenda/<calendar_token>.ics")
def calendar_feed(calendar_token: str):
    """No log-in: the secret address is the credential. Unknown address: 404."""
    s = db.session()
    user = services.user_for_calendar_token(s, calendar_token)
    if user is None:
        abort(404)
    body = calendar.feed(calendar.due_events(s, user, clock.today()), clock.now())
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="kwaliteit.ics"'
    response.headers["X-Robots-Tag"] = "noindex"
    return _no_store(response)


@bp.route("/beheer/berichten")
@roles_required(Role.ADMIN)
def outbox():
    s, scope = db.session(), current_scope()
    value = choice_arg("status", [st.value for st in OutboxState])
    state = OutboxState(value) if value else None
    page = services.outbox_list(s, scope, state, page=page_arg(), page_size=current_app.config["PAGE_SIZE"])
    try:
        mail_configured = MailSettings.from_config(current_app.config) is not None
        mail_error = None
    except MailError as exc:
        mail_configured, mail_error = False, str(exc)
    return render_template(
        "notifications/outbox.html",
        page=page,
        state=state,
        states=list(OutboxState),
        counts=outbox_counts(s),
        mail_configured=mail_configured,
        mail_error=mail_error,
    )
