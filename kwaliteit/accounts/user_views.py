"""Beheer of accounts (admins; coordinators for their own partnerships) and the public page on
which an invited person sets a password."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from kwaliteit import db
from kwaliteit.accounts import users
from kwaliteit.accounts.auth import MANAGERS, current_scope, log_in, roles_required
from kwaliteit.accounts.invitations import (
    INVITATION_DAYS,
    RESET_HOURS,
    InvitationRefused,
    InvitationState,
    accept_invitation,
    check_invitation,
)
from kwaliteit.accounts.models import LinkPurpose, Role
from kwaliteit.accounts.passwords import MIN_PASSWORD_LENGTH
from kwaliteit.accounts.user_forms import AccountForm, SetPasswordForm
from kwaliteit.args import choice_arg, id_arg, page_arg, text_arg
from kwaliteit.clock import now
from kwaliteit.forms import BaseForm, apply_errors, choices, form_page, run_action, save_form
from kwaliteit.limits import SEARCH
from kwaliteit.mail import MailError, MailSettings, send_mail
from kwaliteit.urls import public_url
from kwaliteit.validation import ValidationError

bp = Blueprint("users", __name__)

# The flask session key under which a new link waits to be shown once to its inviter.
NEW_LINK = "new_invitation_link"


@bp.route("/beheer/gebruikers")
@roles_required(*MANAGERS)
def index():
    s, scope = db.session(), current_scope()
    role = choice_arg("rol", [r.value for r in Role])
    status = choice_arg("status", [st.value for st in users.AccountStatus])
    filters = users.UserFilters(
        partnership_id=id_arg("partnerschap"),
        role=Role(role) if role else None,
        status=users.AccountStatus(status) if status else None,
        q=text_arg("q", SEARCH),
    )
    page = users.list_users(
        s, scope, filters, now(), page=page_arg(), page_size=current_app.config["PAGE_SIZE"]
    )
    return render_template(
        "accounts/users.html",
        page=page,
        filters=filters,
        roles=users.grantable_roles(scope),
        statuses=list(users.AccountStatus),
        partnerships=users.partnerships_to_grant(s, scope),
    )


def _account_form(s, scope, user=None, **kwargs) -> AccountForm:
    form = AccountForm(**kwargs)
    form.role.choices = choices([("", "Kies…"), *((r.value, r.label) for r in users.grantable_roles(scope))])
    form.partnership_ids.choices = choices((p.id, p.name) for p in users.partnerships_to_grant(s, scope))
    form.person_id.choices = choices(
        [
            ("", "Kies…"),
            *((p.id, f"{p.name} ({org})") for p, org in users.persons_for_account(s, scope, user)),
        ]
    )
    return form


def _account_data(form) -> users.AccountData:
    role = form.role.data
    return users.AccountData(
        email=form.email.data or "",
        name=form.name.data or "",
        role=Role(role) if role in {r.value for r in Role} else None,
        partnership_ids=list(form.partnership_ids.data or []),
        person_id=form.person_id.data,
    )


def invitation_url(token: str) -> str:
    """The link to pass on: from KWALITEIT_BASE_URL, never the request's Host (kwaliteit.urls)."""
    return public_url("users.accept", invitation_token=token)


def reset_url(token: str) -> str:
    base = current_app.config.get("BASE_URL")
    if base:
        return base.rstrip("/") + url_for("users.reset", reset_token=token)
    return url_for("users.reset", reset_token=token, _external=True)


def send_invitation_mail(user, url: str, inviter: str | None) -> bool | None:
    """E-mail the link: True when sent, False when it failed, None when no mail is configured."""
    try:
        settings = MailSettings.from_config(current_app.config)
    except MailError as exc:
        current_app.logger.warning("Mailinstellingen onjuist: %s", exc)
        return False
    if settings is None:
        return None
    body = render_template(
        "accounts/invitation_mail.txt", user=user, url=url, days=INVITATION_DAYS, inviter=inviter
    )
    try:
        send_mail(settings, user.email, "Uitnodiging voor kwaliteit", body)
    except MailError:
        return False
    return True


def _hand_over(user, token: str) -> None:
    """After the commit: e-mail the link when mail is configured, and keep it for the inviter to see
    once on the next page."""
    url = invitation_url(token)
    sent = send_invitation_mail(user, url, str(current_user))
    if sent:
        flash(f"De uitnodiging is gemaild naar {user.email}.", "success")
    elif sent is False:
        flash(
            "De e-mail met de uitnodiging kon niet worden verstuurd. Geef de link hieronder zelf door.",
            "error",
        )
    session[NEW_LINK] = {"user_id": user.id, "url": url}


@bp.route("/beheer/gebruikers/nieuw", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def create():
    s, scope = db.session(), current_scope()
    form = _account_form(s, scope)
    if request.method == "GET":
        _prefill_from_person(s, scope, form)
    if saved := save_form(form, lambda: users.invite_user(s, scope, _account_data(form), now())):
        user, token = saved.value
        flash(f"Account voor {user.email} is aangemaakt.", "success")
        _hand_over(user, token)
        return redirect(url_for("users.invitation", user_id=user.id))
    return form_page("accounts/user_form.html", form, user=None, status=None)


def _prefill_from_person(s, scope, form) -> None:
    """/beheer/gebruikers/nieuw?persoon=ID (from the persons list): a trainer account for that person."""
    person_id = id_arg("persoon")
    if person_id is None:
        return
    for person, _org in users.persons_for_account(s, scope):
        if person.id == person_id:
            form.role.data = Role.TRAINER.value
            form.person_id.data = person.id
            form.email.data = person.email or ""
            form.name.data = person.name


@bp.route("/beheer/gebruikers/<int:user_id>/bewerken", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit(user_id: int):
    s, scope = db.session(), current_scope()
    user = users.get_user(s, scope, user_id)
    if request.method == "GET":
        form = _account_form(
            s,
            scope,
            user,
            data={
                "email": user.email,
                "name": user.name,
                "role": user.role.value,
                "partnership_ids": [p.id for p in user.partnerships],
                "person_id": user.person_id,
            },
        )
    else:
        form = _account_form(s, scope, user)
    if save_form(form, lambda: users.update_user(s, scope, user_id, _account_data(form))):
        flash("De wijzigingen zijn opgeslagen.", "success")
        return redirect(url_for("users.index"))
    return form_page(
        "accounts/user_form.html",
        form,
        user=user,
        status=users.account_status(s, user, now()),
        action_form=BaseForm(),
        is_self=user.id == scope.user_id,
    )


@bp.route("/beheer/gebruikers/<int:user_id>/actief", methods=["POST"])
@roles_required(*MANAGERS)
def set_enabled(user_id: int):
    s, scope = db.session(), current_scope()
    if not BaseForm().validate_on_submit():
        abort(400)
    enabled = request.form.get("actief") == "1"
    if saved := run_action(lambda: users.set_user_enabled(s, scope, user_id, enabled)):
        flash(
            f"Het account van {saved.value.email} is {'weer ingeschakeld' if enabled else 'uitgeschakeld'}.",
            "success",
        )
    return redirect(url_for("users.edit", user_id=user_id))


@bp.route("/beheer/gebruikers/<int:user_id>/uitnodiging", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def invitation(user_id: int):
    """GET: the new link, shown once to whoever just made it. POST: a new link (for an invitation
    that expired, or a forgotten password); earlier links of the account stop working."""
    s, scope = db.session(), current_scope()
    user = users.get_user(s, scope, user_id)
    if request.method == "POST":
        if not BaseForm().validate_on_submit():
            abort(400)
        if saved := run_action(lambda: users.new_invitation(s, scope, user_id, now())):
            flash(
                f"Er is een nieuwe link gemaakt voor {user.email}; eerdere links werken niet meer.", "success"
            )
            _hand_over(*saved.value)
            return redirect(url_for("users.invitation", user_id=user_id))
        return redirect(url_for("users.edit", user_id=user_id))
    pending = session.pop(NEW_LINK, None)
    url = pending["url"] if pending and pending.get("user_id") == user.id else None
    return _no_store(
        render_template(
            "accounts/invitation_link.html", user=user, url=url, days=INVITATION_DAYS, action_form=BaseForm()
        )
    )


def _no_store(page):
    """A page that shows (or is reached by) an invitation link, which sets a password: kept in no
    browser or proxy cache, so "shown once" holds and the Back button of a shared computer cannot
    show it again."""
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- the invited person


@bp.route("/uitnodiging/<invitation_token>", methods=["GET", "POST"])
def accept(invitation_token: str):
    """Set a password through an invitation link; no log-in needed (the token is the credential)."""
    s, token = db.session(), invitation_token
    check = check_invitation(s, token, now())
    if check.state is not InvitationState.OK:
        return _refused(check)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = accept_invitation(s, token, form.password.data, form.confirm.data, now())
            s.commit()
        except ValidationError as exc:
            s.rollback()
            apply_errors(form, exc)
        except InvitationRefused as exc:
            s.rollback()
            return _refused(exc.check)
        else:
            log_in(user)
            flash("Je wachtwoord is ingesteld en je bent ingelogd. Welkom bij kwaliteit!", "success")
            return redirect(url_for("main.home"))
    return _no_store(
        form_page("accounts/set_password.html", form, user=check.user, min_length=MIN_PASSWORD_LENGTH)
    )


def _refused(check):
    # 404 for a link that never existed; 410 Gone for one that did and no longer works.
    status = 404 if check.state is InvitationState.UNKNOWN else 410
    return _no_store((render_template("accounts/invitation_state.html", check=check), status))


# ---------------------------------------------------------------- password reset


@bp.route("/beheer/gebruikers/<int:user_id>/wachtwoord-herstel", methods=["POST"])
@roles_required(*MANAGERS)
def send_reset(user_id: int):
    """E-mail a one-time link to choose a new password to the account's own address. The link is
    never shown to the sender (who could otherwise take the account over), so without a mail
    server there is no reset: a new invitation link is the way then."""
    s, scope = db.session(), current_scope()
    user = users.get_user(s, scope, user_id)
    if not BaseForm().validate_on_submit():
        abort(400)
    try:
        settings = MailSettings.from_config(current_app.config)
    except MailError:
        settings = None
    if settings is None:
        flash(
            "Er is geen (werkende) mailserver ingesteld, dus een herstellink kan niet worden gemaild. "
            "Maak een nieuwe link en geef die zelf door.",
            "error",
        )
        return redirect(url_for("users.edit", user_id=user_id))
    if saved := run_action(lambda: users.new_password_reset(s, scope, user_id, now())):
        target, token = saved.value
        body = render_template(
            "accounts/reset_mail.txt", user=target, url=reset_url(token), hours=RESET_HOURS, sender=str(current_user)
        )
        try:
            send_mail(settings, target.email, "Nieuw wachtwoord kiezen voor kwaliteit", body)
        except MailError:
            flash("De e-mail met de herstellink kon niet worden verstuurd. Probeer het later opnieuw.", "error")
        else:
            flash(
                f"Er is een link om een nieuw wachtwoord te kiezen gemaild naar {user.email} "
                f"({RESET_HOURS} uur geldig). Het huidige wachtwoord werkt tot de link gebruikt is.",
                "success",
            )
    return redirect(url_for("users.edit", user_id=user_id))


@bp.route("/wachtwoord-herstellen/<reset_token>", methods=["GET", "POST"])
def reset(reset_token: str):
    """Choose a new password through a reset link; no log-in needed (the token is the credential).
    Every session of the account ends; the user then logs in (with the code, when two steps are on)."""
    s, token = db.session(), reset_token
    check = check_invitation(s, token, now(), LinkPurpose.RESET)
    if check.state is not InvitationState.OK:
        return _refused(check)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = accept_invitation(s, token, form.password.data, form.confirm.data, now(), LinkPurpose.RESET)
            s.commit()
        except ValidationError as exc:
            s.rollback()
            apply_errors(form, exc)
        except InvitationRefused as exc:
            s.rollback()
            return _refused(exc.check)
        else:
            current_app.logger.info("Wachtwoord hersteld: gebruiker %s", user.id)
            flash("Je nieuwe wachtwoord is ingesteld. Log in met je e-mailadres en dit wachtwoord.", "success")
            return redirect(url_for("accounts.login"))
    return _no_store(
        form_page("accounts/reset_password.html", form, user=check.user, min_length=MIN_PASSWORD_LENGTH)
    )
