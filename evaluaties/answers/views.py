"""Trainer evaluations, the coordinator's evaluation page of a session, and the anonymous
participant form. Views parse and render; the rules are in evaluaties.answers.requests and .links."""

from __future__ import annotations

import weakref

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as browser_session
from flask_login import current_user
from markupsafe import Markup

from evaluaties.answers import links as link_service
from evaluaties.answers import requests as req_service
from evaluaties.answers.forms import (
    AnswerForm,
    SharedLinkForm,
    SingleLinksForm,
    WaiveForm,
    answer_form,
)
from evaluaties.answers.models import LinkKind
from evaluaties.answers.parsing import display_value
from evaluaties.answers.status import URGENCY, Status
from evaluaties.questionnaires.models import Audience, QuestionnaireVersion
from evaluaties.results import rates as rate_service
from kwaliteit import db
from kwaliteit.accounts.auth import MANAGERS, READERS, current_scope, roles_required
from kwaliteit.accounts.models import Role
from kwaliteit.args import choice_arg, choice_args, id_arg, page_arg
from kwaliteit.certification.qualifications import MENTOR_KINDS, unqualified_pairs
from kwaliteit.clock import now, today
from kwaliteit.cycles.services import public_actions
from kwaliteit.downloads import download
from kwaliteit.forms import BaseForm, apply_errors, form_page, run_action, save_form
from kwaliteit.security.guard import ANSWER_LINK, answer_link_limited
from kwaliteit.sorting import sort_arg
from kwaliteit.trainings.models import Training
from kwaliteit.trainings.services import get_session, partnerships_in_scope
from kwaliteit.urls import public_url
from kwaliteit.validation import ValidationError

bp = Blueprint("evaluaties", __name__)

# In the participant's own (signed) cookie: the session just answered, for the thank-you page.
THANKED_SESSION = "bedankt_bijeenkomst"


# ---------------------------------------------------------------- trainers


# The sections of the trainer's list, in order; rows come most urgent first (SQL), each section
# takes its statuses. What is done or void is folded away (a <details>) on the page.
MINE_SECTIONS = (
    ("nu", "Nu te doen", req_service.OWED),
    ("binnenkort", "Binnenkort", (Status.UPCOMING,)),
    ("ingediend", "Ingediend", (Status.SUBMITTED,)),
    ("vervallen", "Vrijgesteld of geannuleerd", (Status.WAIVED, Status.CANCELLED, Status.CLOSED)),
)


@bp.route("/mijn-evaluaties")
@roles_required(Role.TRAINER)
def mine():
    rows = (
        req_service.trainer_evaluations_of(db.session(), current_user.person_id, today())
        if current_user.person_id
        else []
    )
    sections = [(key, title, [r for r in rows if r.status in statuses]) for key, title, statuses in MINE_SECTIONS]
    owed = sections[0][2]
    counts = {st: sum(1 for r in owed if r.status is st) for st in req_service.OWED}
    return render_template("evaluaties/mine.html", rows=rows, owed=owed, counts=counts, sections=sections)


@bp.route("/bijeenkomsten/<int:session_id>/trainersevaluatie", methods=["GET", "POST"])
@roles_required(Role.TRAINER, *MANAGERS)
def trainer_evaluation(session_id: int):
    """A submitted evaluation opens read-only, with an explicit edit action (?bewerken=1) while it
    is not locked; an evaluation not yet submitted opens as the form."""
    s, scope = db.session(), current_scope()
    ts = req_service.load_for_trainer(s, scope, session_id)
    status, due, request_row = req_service.session_status(s, session_id, Audience.TRAINER, today())
    version = req_service.trainer_form_version(s, ts, request_row)
    if version is None:
        flash("Er is geen gepubliceerde vragenlijst voor de trainersevaluatie.", "error")
        return redirect(url_for("main.home"))
    locked = request_row is not None and request_row.locked_at is not None
    response = request_row.response if request_row is not None else None
    submitted = response is not None
    editing = request.method == "POST" or (choice_arg("bewerken", ("1",)) is not None and not locked)
    saved = {a.question_id: a for a in response.answers} if response is not None else {}
    if submitted and not editing:
        answers = [(q, display_value(q, saved.get(q.id))) for q in version.questions]
        return render_template(
            "evaluaties/trainer_view.html", ts=ts, status=status, due=due, request_row=request_row,
            locked=locked, answers=answers, version=version,
        )
    if request.method == "GET" and submitted:
        form = answer_form(
            version, data={f"q_{q.code}": display_value(q, saved.get(q.id)) for q in version.questions}
        )
    else:
        form = answer_form(version)
    if save_form(
        form, lambda: req_service.submit_trainer_evaluation(s, scope, session_id, form.raw_answers(), today())
    ):
        flash("Je evaluatie is opgeslagen. Je kunt haar wijzigen tot ze wordt vergrendeld.", "success")
        if current_user.role is Role.TRAINER:
            return redirect(url_for("evaluaties.mine", _anchor="melding"))
        return redirect(_session_url(session_id))
    return form_page(
        "evaluaties/trainer_form.html",
        form,
        ts=ts,
        status=status,
        due=due,
        request_row=request_row,
        locked=locked,
    )


# ---------------------------------------------------------------- coordinators


@bp.route("/evaluaties")
@roles_required(*READERS)
def overview():
    s, scope = db.session(), current_scope()
    statuses = {Status(v) for v in choice_args("status", (st.value for st in Status))}
    if "status" not in request.args:  # by default: what is still owed, oldest first
        statuses = set(req_service.OWED)
    partnership_id = id_arg("partnerschap")
    columns = req_service.overview_sorts(today())
    # The default order: what is owed by its due date, the oldest first; otherwise the newest first.
    sort = sort_arg(columns, "uiterlijk", descending=not (statuses and statuses <= set(req_service.OWED)))
    page = req_service.trainer_evaluation_overview(
        s,
        scope,
        today(),
        statuses=statuses or None,
        page=page_arg(),
        page_size=current_app.config["PAGE_SIZE"],
        where=[Training.partnership_id == partnership_id] if partnership_id is not None else (),
        order=sort.order_by(columns),
    )
    return render_template(
        "evaluaties/overview.html",
        page=page,
        sort=sort,
        statuses=statuses,
        all_statuses=[st for st in URGENCY if st is not Status.CLOSED],
        partnerships=partnerships_in_scope(s, scope),
        partnership_id=partnership_id,
    )


@bp.route("/bijeenkomsten/<int:session_id>/evaluatie")
@roles_required(*READERS)
def session_page(session_id: int):
    s, scope = db.session(), current_scope()
    ts = get_session(s, scope, session_id)
    t_status, t_due, t_req = req_service.session_status(s, session_id, Audience.TRAINER, today())
    p_status, p_closes, p_req = req_service.session_status(s, session_id, Audience.PARTICIPANT, today())
    rate = rate_service.session_rate(s, scope, session_id, today())
    links = link_service.session_links(s, scope, session_id)
    states = [(link, link_service.link_state(link, p_status)) for link in links]
    usable = [link for link, state in states if state in link_service.USABLE]
    single_form = SingleLinksForm()
    # Propose as many personal links as there are participants without one yet.
    missing = ts.participant_count - sum(1 for link in links if link.kind is LinkKind.SINGLE)
    if 0 < missing <= link_service.MAX_LINKS_PER_BATCH:
        single_form.count.data = missing
    return render_template(
        "evaluaties/session.html",
        ts=ts,
        trainer=(t_status, t_due, t_req),
        participant=(p_status, p_closes, p_req),
        rate=rate,
        links=states,
        usable=usable,
        usable_urls=[_link_url(link) for link in usable],
        link_answers=sum(link.used_count for link in links),
        link_url=_link_url,
        LinkState=link_service.LinkState,
        may_manage=scope.may_manage(),
        waive_form=WaiveForm(),
        single_form=single_form,
        shared_form=SharedLinkForm(),
        plain_form=BaseForm(),
        LinkKind=LinkKind,
        unqualified=unqualified_pairs(s, [ts.id]),
        needs_qualification=ts.training.kind in MENTOR_KINDS,
    )


def _link_url(link) -> str:
    """The address printed, put in a QR code or a list: from KWALITEIT_BASE_URL (kwaliteit.urls)."""
    return public_url("evaluaties.answer", session_id=link.session_id, token=link.token)


def _session_url(session_id: int, anchor: str = "melding") -> str:
    return url_for("evaluaties.session_page", session_id=session_id, _anchor=anchor)


def _audience_arg() -> Audience:
    value = request.form.get("audience", "")
    if value not in {a.value for a in Audience}:
        abort(400)
    return Audience(value)


@bp.route("/bijeenkomsten/<int:session_id>/evaluatie/vrijstellen", methods=["POST"])
@roles_required(*MANAGERS)
def waive(session_id: int):
    s, scope = db.session(), current_scope()
    get_session(s, scope, session_id)  # 403/404 before anything about the form
    form = WaiveForm()
    audience = _audience_arg()
    if save_form(
        form, lambda: req_service.waive(s, scope, session_id, audience, form.reason.data, current_user.id)
    ):
        flash(f"{audience.label} is vrijgesteld.", "success")
        return redirect(_session_url(session_id))
    flash(" ".join(e for errs in form.errors.values() for e in errs) or "Vrijstellen is mislukt.", "error")
    return redirect(_session_url(session_id))


@bp.route("/bijeenkomsten/<int:session_id>/evaluatie/vrijstelling-intrekken", methods=["POST"])
@roles_required(*MANAGERS)
def unwaive(session_id: int):
    s, scope = db.session(), current_scope()
    get_session(s, scope, session_id)
    if not BaseForm().validate_on_submit():
        abort(400)
    audience = _audience_arg()
    if run_action(lambda: req_service.unwaive(s, scope, session_id, audience)):
        flash(f"De vrijstelling van de {audience.label.lower()} is ingetrokken.", "success")
    return redirect(_session_url(session_id))


@bp.route("/bijeenkomsten/<int:session_id>/evaluatie/vergrendelen", methods=["POST"])
@roles_required(*MANAGERS)
def lock(session_id: int):
    s, scope = db.session(), current_scope()
    get_session(s, scope, session_id)
    if not BaseForm().validate_on_submit():
        abort(400)
    locked = request.form.get("vergrendeld") == "1"
    if run_action(lambda: req_service.set_locked(s, scope, session_id, locked)):
        flash(
            "De trainersevaluatie is vergrendeld." if locked else "De trainersevaluatie is weer te bewerken.",
            "success",
        )
    return redirect(_session_url(session_id))


@bp.route("/bijeenkomsten/<int:session_id>/links", methods=["POST"])
@roles_required(*MANAGERS)
def create_links(session_id: int):
    s, scope = db.session(), current_scope()
    get_session(s, scope, session_id)
    kind = request.form.get("soort")
    form = SharedLinkForm() if kind == "gedeeld" else SingleLinksForm()
    if kind == "gedeeld":
        saved = save_form(
            form, lambda: [link_service.create_shared_link(s, scope, session_id, form.max_uses.data)]
        )
    else:
        saved = save_form(
            form, lambda: link_service.create_single_links(s, scope, session_id, form.count.data)
        )
    if saved:
        n = len(saved.value)
        flash(
            "Er is een gedeelde link gemaakt. Je vindt hem onder ‘Links’."
            if kind == "gedeeld"
            else f"Er {'is 1 persoonlijke link' if n == 1 else f'zijn {n} persoonlijke links'} gemaakt. "
            "Kopieer of download ze onder ‘Links’.",
            "success",
        )
    else:
        flash(" ".join(e for errs in form.errors.values() for e in errs), "error")
    return redirect(_session_url(session_id))


@bp.route("/links/<int:link_id>/sluiten", methods=["POST"])
@roles_required(*MANAGERS)
def close_link(link_id: int):
    """Close a link (the page asks for confirmation first); undone by reopen_link."""
    s = db.session()
    link = link_service.get_link(s, current_scope(), link_id)
    if not BaseForm().validate_on_submit():
        abort(400)
    if run_action(lambda: link_service.close_link(s, current_scope(), link_id)):
        flash(f"Link {link_id} is gesloten. Per ongeluk? Open hem weer met ‘Heropenen’ bij de link.", "success")
    return redirect(_session_url(link.session_id))


@bp.route("/links/<int:link_id>/heropenen", methods=["POST"])
@roles_required(*MANAGERS)
def reopen_link(link_id: int):
    s = db.session()
    link = link_service.get_link(s, current_scope(), link_id)
    if not BaseForm().validate_on_submit():
        abort(400)
    if run_action(lambda: link_service.reopen_link(s, current_scope(), link_id)):
        flash(f"Link {link_id} is weer open.", "success")
    return redirect(_session_url(link.session_id))


def _usable_links(s, scope, session_id: int):
    """The links of a session that can still be handed out (links.USABLE), for print and download."""
    status, _closes, _req = req_service.session_status(s, session_id, Audience.PARTICIPANT, today())
    return [
        link
        for link in link_service.session_links(s, scope, session_id)
        if link_service.link_state(link, status) in link_service.USABLE
    ]


@bp.route("/bijeenkomsten/<int:session_id>/links/afdrukken")
@roles_required(*MANAGERS)
def print_links(session_id: int):
    """A sheet to print: per open link its address and a QR code, to hand out at the session."""
    import segno

    s, scope = db.session(), current_scope()
    ts = get_session(s, scope, session_id)
    cards = []
    for link in _usable_links(s, scope, session_id):
        url = _link_url(link)
        qr = segno.make(url, error="m")
        cards.append((link, url, qr.svg_inline(scale=3, title=f"QR-code van {url}")))
    return render_template("evaluaties/print_links.html", ts=ts, cards=cards)


@bp.route("/bijeenkomsten/<int:session_id>/links.<any(csv, txt):fmt>")
@roles_required(*MANAGERS)
def download_links(session_id: int, fmt: str):
    """The links that can still be handed out, as a list: CSV (for a mail merge) or one per line."""
    from evaluaties.transfer.exporting import to_csv

    s, scope = db.session(), current_scope()
    ts = get_session(s, scope, session_id)
    links = _usable_links(s, scope, session_id)
    if fmt == "csv":
        data = to_csv(
            ["Nummer", "Soort", "Link", "Antwoorden over"],
            [
                [link.id, "persoonlijk" if link.kind is LinkKind.SINGLE else "gedeeld", _link_url(link),
                 link.max_uses - link.used_count]
                for link in links
            ],
        )
    else:
        data = "".join(f"{_link_url(link)}\r\n" for link in links).encode("utf-8")
    return download(data, f"links-bijeenkomst-{ts.id}", fmt, ts.training.partnership_id)


# ---------------------------------------------------------------- participants (no account)


def _state_page(check):
    status = 404 if check.state is link_service.LinkState.UNKNOWN else 200
    return render_template("evaluaties/link_state.html", check=check), status


@bp.route("/e/<int:session_id>/<token>", methods=["GET", "POST"])
def answer(session_id: int, token: str):
    s = db.session()
    # A rate limit per client address (generous: a class may answer from one school's address),
    # counted first in the request's transaction and committed at once, so a refused answer
    # below does not undo the count.
    wait = answer_link_limited(
        s, request.remote_addr or "-", now(), current_app.config.get("ANSWER_LINK_PER_MINUTE", ANSWER_LINK.limit)
    )
    s.commit()
    if wait is not None:
        abort(
            429,
            description=(
                "Vanaf dit netwerkadres zijn in korte tijd erg veel vragenlijsten geopend of verstuurd. "
                f"Wacht {wait} seconden en probeer het dan opnieuw; je antwoorden zijn nog niet verstuurd."
            ),
            retry_after=wait,
        )
    check = link_service.check_link(s, session_id, token, today())
    if check.state is not link_service.LinkState.OK:
        return _state_page(check)
    assert check.version is not None  # set when the state is OK
    form = answer_form(check.version)
    if request.method == "POST" and form.validate_on_submit():
        try:
            link_service.submit_participant_answers(s, session_id, token, form.raw_answers(), today(), check)
            s.commit()
        except ValidationError as exc:
            s.rollback()
            apply_errors(form, exc)
        except link_service.LinkRefused as exc:
            s.rollback()
            return _state_page(exc.check)
        else:
            # The thank-you page shows what was done with earlier feedback on this training.
            browser_session[THANKED_SESSION] = session_id
            return redirect(url_for("evaluaties.thanks"))
    return (
        render_template(
            "evaluaties/answer.html", form=form, ts=check.session, check=check,
            public_actions=public_actions(s, session_id),
            questions_html=_empty_questions(form) if request.method == "GET" else None,
        ),
        400 if form.errors else 200,
    )


# The questions of a published version as an empty form, as the macro renders them: what every
# GET of an answer page shows, the same for every participant (no value, no error, nothing of the
# request; the CSRF token is outside it). Rendered once per process and version instead of per
# request, where it was most of the page's CPU (WTForms builds each radio button's HTML).
# Published versions never change; keyed weakly by the version object, as the form classes are.
_EMPTY_QUESTIONS: weakref.WeakKeyDictionary[QuestionnaireVersion, Markup] = weakref.WeakKeyDictionary()


def _empty_questions(form: AnswerForm) -> Markup | None:
    """The rendered questions of `form`, a form without data, from the cache; None (render them
    in the page) for a draft, or while templates are reloaded when they change (debug)."""
    version = form.version
    if not version.is_published or current_app.jinja_env.auto_reload:
        return None
    html = _EMPTY_QUESTIONS.get(version)
    if html is None:
        html = _EMPTY_QUESTIONS[version] = Markup(get_template_attribute("evaluaties/_questions.html", "questions")(form))
    return html


@bp.route("/e/bedankt")
def thanks():
    session_id = browser_session.get(THANKED_SESSION)
    actions = public_actions(db.session(), session_id) if isinstance(session_id, int) else []
    return render_template("evaluaties/thanks.html", public_actions=actions)
