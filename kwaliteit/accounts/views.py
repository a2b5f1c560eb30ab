from __future__ import annotations

import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from kwaliteit import db
from kwaliteit.accounts import own
from kwaliteit.accounts.auth import log_in
from kwaliteit.accounts.forms import CodeForm, LoginForm
from kwaliteit.accounts.models import User
from kwaliteit.accounts.services import authenticate, end_sessions, normalise_email
from kwaliteit.clock import now
from kwaliteit.filters import nl_datetime
from kwaliteit.security import guard, notices

bp = Blueprint("accounts", __name__)
log = logging.getLogger(__name__)

# The flask session key of a log-in whose password was right and whose code is still asked for.
PENDING = "pending_two_step"
# How long the second step waits for its code.
PENDING_MINUTES = 5


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


def client_address() -> str:
    """The client's address as the WSGI server (or a configured proxy fix) reports it."""
    return request.remote_addr or "-"


def _lockout_message(lock: guard.Lockout) -> str:
    until = nl_datetime(lock.until)
    if lock.by_address:
        return (
            "Er is vanaf jouw netwerkadres te vaak geprobeerd in te loggen met een onjuist wachtwoord. "
            f"Inloggen vanaf dit adres is tijdelijk geblokkeerd, tot {until} (Nederlandse tijd). "
            "Probeer het daarna opnieuw."
        )
    return (
        "Er is te vaak geprobeerd in te loggen met dit e-mailadres en een onjuist wachtwoord. "
        f"Inloggen met dit e-mailadres is tijdelijk geblokkeerd, tot {until} (Nederlandse tijd). "
        "Probeer het daarna opnieuw. Weet je je wachtwoord niet meer, vraag dan de beheerder of "
        "coördinator om een nieuwe link."
    )


def _locked_page(form, lock: guard.Lockout):
    form.password.errors.append(_lockout_message(lock))
    response = make_response(render_template("accounts/login.html", form=form), 429)
    response.headers["Retry-After"] = str(lock.retry_after)
    return response


@bp.route("/inloggen", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        s, moment, address = db.session(), now(), client_address()
        email = normalise_email(form.email.data)
        # A locked account or address is refused before its password is checked: the same words
        # for an address no account has, and no hashing for the one who is guessing.
        if lock := guard.login_lockout(s, email, address, moment):
            log.warning("Inloggen geweigerd (geblokkeerd) voor %r vanaf %s", email, address)
            return _locked_page(form, lock)
        user = authenticate(s, email, form.password.data)
        if user is not None:
            guard.login_succeeded(s, email)
            s.commit()
            target = _safe_next(request.args.get("next"))
            if user.two_step:
                session[PENDING] = {
                    "user_id": user.id,
                    "version": user.session_version,
                    "remember": bool(form.remember.data),
                    "next": target,
                    "started": moment.isoformat(),
                }
                return redirect(url_for("accounts.login_code"))
            log_in(user, remember=form.remember.data)
            log.info("Ingelogd: gebruiker %s", user.id)
            return redirect(target or url_for("main.home"))
        failure = guard.login_failed(s, email, address, moment)
        key = None
        if failure.notify is not None and failure.lockout is not None:
            key = notices.queue_lockout_notice(s, failure.notify, failure.lockout.until, address)
        s.commit()
        if key:
            notices.send_now(s, key, moment)
        # The form has refused control characters and over-long input, so the address is one line.
        log.warning("Inloggen geweigerd voor %r vanaf %s", form.email.data, address)
        if failure.lockout is not None:
            return _locked_page(form, failure.lockout)
        form.password.errors.append("Onbekend e-mailadres of onjuist wachtwoord.")
    status = 200 if not form.errors else 400
    return render_template("accounts/login.html", form=form), status


def _pending_user(moment: datetime) -> tuple[User, dict] | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    try:
        started = datetime.fromisoformat(pending["started"])
        user_id, version = int(pending["user_id"]), int(pending["version"])
    except (KeyError, TypeError, ValueError):
        return None
    if not started <= moment < started + timedelta(minutes=PENDING_MINUTES):
        return None
    user = db.session().get(User, user_id)
    if user is None or not user.is_enabled or user.session_version != version or not user.two_step:
        return None
    return user, pending


@bp.route("/inloggen/code", methods=["GET", "POST"])
def login_code():
    """The second step of a log-in with two steps: the code from the authenticator app (or a
    recovery code). Attempts are throttled per account."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    s, moment = db.session(), now()
    found = _pending_user(moment)
    if found is None:
        session.pop(PENDING, None)
        flash("Log opnieuw in met je e-mailadres en wachtwoord.", "info")
        return redirect(url_for("accounts.login"))
    user, pending = found
    form = CodeForm()
    if form.validate_on_submit():
        if (wait := guard.code_lockout(s, user.id, moment)) is not None:
            return _code_locked(form, wait)
        if own.verify_code(s, user, form.code.data, moment):
            guard.code_succeeded(s, user.id)
            s.commit()
            session.pop(PENDING, None)
            log_in(user, remember=bool(pending.get("remember")))
            log.info("Ingelogd in twee stappen: gebruiker %s", user.id)
            return redirect(_safe_next(pending.get("next")) or url_for("main.home"))
        wait = guard.code_failed(s, user.id, moment)
        s.commit()
        log.warning("Onjuiste inlogcode voor gebruiker %s vanaf %s", user.id, client_address())
        if wait is not None:
            return _code_locked(form, wait)
        form.code.errors.append("Deze code klopt niet. Typ de zes cijfers die de app nu toont.")
    status = 200 if not form.errors else 400
    return render_template("accounts/login_code.html", form=form), status


def _code_locked(form, wait: int):
    session.pop(PENDING, None)
    form.code.errors.append(
        "Te veel onjuiste codes. Inloggen op dit account is tijdelijk geblokkeerd; probeer het over "
        f"{max(1, round(wait / 60))} minuten opnieuw."
    )
    response = make_response(render_template("accounts/login_code.html", form=form), 429)
    response.headers["Retry-After"] = str(wait)
    return response


@bp.route("/uitloggen", methods=["POST"])
def logout():
    """Log out ends every session and remember-me cookie of the account (the session version goes
    up), so a copy of a cookie taken before log-out no longer works anywhere."""
    if current_user.is_authenticated:
        s = db.session()
        user = s.get(User, current_user.id)
        if user is not None:
            end_sessions(s, user)
            s.commit()
        log.info("Uitgelogd: gebruiker %s", current_user.id)
    logout_user()
    session.pop(PENDING, None)
    flash("Je bent uitgelogd.", "info")
    return redirect(url_for("accounts.login"))
