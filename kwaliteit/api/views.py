"""The API's views under /api/v1. Thin, as every view: read the input (kwaliteit.api.params),
call the same services as the pages with the token user's Scope, commit once, serialise.

Each view is registered with `operation`, which also records what the OpenAPI description says
about it (kwaliteit.api.openapi): path, parameters, body, response, roles.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, request
from sqlalchemy import exists, false
from werkzeug.datastructures import MultiDict

from evaluaties.answers import requests as req_service
from evaluaties.answers.parsing import display_value, field_name
from evaluaties.answers.status import Status
from evaluaties.questionnaires.models import Audience
from evaluaties.results import anonymity
from kwaliteit import clock, db
from kwaliteit.accounts.auth import current_scope
from kwaliteit.accounts.models import Role
from kwaliteit.api import auth, openapi, params
from kwaliteit.api import serialise as out
from kwaliteit.api.errors import ApiError, validation_fields
from kwaliteit.api.openapi import PAGE_PARAMS, TODAY, Operation, Param, path_id, ref
from kwaliteit.certification import flags
from kwaliteit.certification.certificates import list_certificates
from kwaliteit.cycles import services as cycle_services
from kwaliteit.cycles.models import ImprovementAction
from kwaliteit.dashboard import services as dashboard_services
from kwaliteit.framework.services import current_safeguards
from kwaliteit.limits import SEARCH
from kwaliteit.pagination import Page, clamp_page
from kwaliteit.trainings import services as trainings
from kwaliteit.trainings.forms import training_form
from kwaliteit.trainings.models import Training, TrainingKind, TrainingSession, session_trainer
from kwaliteit.trainings.views import fill_training_choices, session_data, session_form, training_data
from kwaliteit.validation import Conflict, ValidationError

bp = Blueprint("api", __name__, url_prefix=openapi.PREFIX)
bp.before_request(auth.authenticate)


@bp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


READERS = (Role.ADMIN, Role.COORDINATOR, Role.STEERING)
MANAGERS = (Role.ADMIN, Role.COORDINATOR)
_ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>")


def endpoint_of(rule: str) -> str:
    """The endpoint of a path, from its fixed segments: /trainings/<int:training_id> is
    "trainings_item", /cycles/<int:cycle_id>/actions "cycles_actions"."""
    segments = [s for s in rule.strip("/").split("/") if s]
    name = "_".join(s.replace("-", "_") for s in segments if not _ARGUMENT.fullmatch(s))
    return name + "_item" if segments and _ARGUMENT.fullmatch(segments[-1]) else name


# rule -> method -> view. One URL rule per path with all its methods, so that a path the
# application has (an unknown id, a method it lacks) is 404 or 405 the same way for every method.
_VIEWS: dict[str, dict[str, Callable]] = {}


def operation(
    rule: str,
    method: str,
    *,
    summary: str,
    tag: str,
    roles: tuple[Role, ...],
    response: dict,
    description: str = "",
    params: tuple[Param, ...] = (),
    body: str | None = None,
    status: int = 200,
) -> Callable:
    """Register the view at `rule` for `method`, behind the role check, and describe it."""

    def decorator(view):
        protected = auth.roles(*roles)(view)
        _VIEWS.setdefault(rule, {})[method] = protected
        openapi.OPERATIONS.append(
            Operation(
                method=method,
                path=_ARGUMENT.sub(r"{\1}", rule),
                endpoint=f"api.{endpoint_of(rule)}",
                summary=summary,
                description=description,
                tag=tag,
                roles=tuple(r.value for r in roles),
                params=params,
                body=body,
                response=response,
                status=status,
                operation_id=view.__name__,
            )
        )
        return protected

    return decorator


def _register_routes() -> None:
    for rule, views in _VIEWS.items():

        def dispatch(views=views, **kwargs):
            return views["GET" if request.method == "HEAD" else request.method](**kwargs)

        bp.add_url_rule(rule, endpoint_of(rule), dispatch, methods=list(views))


def _commit(action: Callable[[], Any], names: dict[str, str] | None = None) -> Any:
    """Run a service's write and commit: one transaction. A Conflict is 409, another
    ValidationError 422, with the fields renamed to the API's (`names`)."""
    s = db.session()
    try:
        value = action()
        s.commit()
    except ValidationError as exc:
        s.rollback()
        message, fields = validation_fields(exc.errors, names)
        raise ApiError(409 if isinstance(exc, Conflict) else 422, message, fields) from None
    return value


def _form_errors(form, names: dict[str, str] | None = None) -> None:
    """422 with the form's messages, when the form (the same as the page's) refused the data."""
    names = names or {}
    fields = {names.get(name, name): messages[0] for name, messages in form.errors.items() if messages}
    if fields:
        raise ApiError(422, None, fields)


def _query_refused(exc: ValidationError, names: dict[str, str]) -> ApiError:
    message, fields = validation_fields(exc.errors, names)
    return ApiError(400, message, fields)


def _partnership_filter() -> int | None:
    """?partnership_id=, within the token's scope (another partnership's is 403, as on the pages)."""
    partnership_id = params.id_param("partnership_id")
    if partnership_id is not None:
        current_scope().check(partnership_id)
    return partnership_id


PARTNERSHIP = Param("partnership_id", openapi.ID, "Alleen dit partnerschap (een eigen partnerschap).")

# ---------------------------------------------------------------- safeguards


@operation(
    "/safeguards", "GET", summary="Waarborgen van het huidige kwaliteitskader", tag="Waarborgen",
    roles=READERS, response=ref("SafeguardList"),
)
def safeguards():
    return {"items": [out.safeguard(s) for s in current_safeguards(db.session())]}


# ---------------------------------------------------------------- trainings

KINDS = [k.value for k in TrainingKind]


@operation(
    "/trainings", "GET", summary="Trainingen", tag="Trainingen", roles=READERS, response=ref("TrainingRowPage"),
    description="Op titel gesorteerd. Zonder `active` zowel actieve als inactieve trainingen.",
    params=(
        PARTNERSHIP,
        Param("kind", openapi.enum(TrainingKind), "Soort training."),
        Param("active", openapi.BOOL, "Alleen actieve (true) of inactieve (false) trainingen."),
        Param("q", {"type": "string", "maxLength": SEARCH}, "Zoek in de titel."),
        *PAGE_PARAMS,
    ),
)
def list_trainings():
    kind = params.choice_param("kind", KINDS)
    filters = trainings.TrainingFilters(
        partnership_id=_partnership_filter(),
        kind=TrainingKind(kind) if kind else None,
        active=params.bool_param("active"),
        q=params.text_param("q", SEARCH),
    )
    page, per_page = params.paging()
    result = trainings.list_trainings(db.session(), current_scope(), filters, page=page, page_size=per_page)
    return out.page(result, out.training_row)


def _training(training: Training) -> dict:
    return out.training(training, trainings.current_links(training))


TRAINING_ID = path_id("training_id", "de training")


@operation(
    "/trainings/<int:training_id>", "GET", summary="Eén training met haar waarborgen", tag="Trainingen",
    roles=READERS, response=ref("Training"), params=(TRAINING_ID,),
)
def get_training(training_id: int):
    return _training(trainings.get_training(db.session(), current_scope(), training_id))


TRAINING_FIELDS = ("partnership_id", "title", "kind", "form", "contact_hours", "description", "organisation_ids",
                   "safeguards")


def _training_form(values: dict, links: list | None):
    """The page's training form (the one definition of its rules) filled from the API's values;
    `links`: [(code, rationale)] of the safeguards, None to keep none. Returns the form and the
    names of its rationale fields in the API."""
    s = db.session()
    safeguards = current_safeguards(s)
    by_code = {sg.code.casefold(): sg for sg in safeguards}
    formdata: MultiDict[str, str] = MultiDict()
    for name in ("partnership_id", "title", "kind", "form", "contact_hours", "description"):
        if values.get(name) is not None:
            formdata.add(name, str(values[name]))
    for organisation_id in values.get("organisation_ids") or []:
        formdata.add("organisation_ids", str(organisation_id))
    names = {}
    unknown = []
    for code, rationale in links or []:
        sg = by_code.get(code.casefold())
        if sg is None:
            unknown.append(code)
            continue
        formdata.add(f"sg_{sg.id}", "y")
        formdata.add(f"rationale_{sg.id}", rationale)
        names[f"rationale_{sg.id}"] = names[f"sg_{sg.id}"] = f"safeguards.{sg.code}"
    if unknown:
        known = ", ".join(sg.code for sg in safeguards)
        raise ApiError(422, None, {"safeguards": f"Onbekende waarborg: {unknown[0][:20]}. Kies uit: {known}."})
    form = training_form(safeguards, formdata=formdata, meta={"csrf": False})
    fill_training_choices(form, s, current_scope())
    return form, names


def _safeguard_links(fields: params.Fields) -> list[tuple[str, str]] | None:
    value = fields.data.get("safeguards")
    if value is None:
        return None
    message = "Geef een lijst van {\"code\": ..., \"rationale\": ...}, elke waarborg één keer."
    if not isinstance(value, list) or len(value) > 100:
        fields.errors["safeguards"] = message
        return None
    links = []
    for item in value:
        if not (
            isinstance(item, dict)
            and set(item) == {"code", "rationale"}
            and isinstance(item["code"], str)
            and isinstance(item["rationale"], str)
        ):
            fields.errors["safeguards"] = message
            return None
        links.append((item["code"], item["rationale"]))
    if len({code.casefold() for code, _ in links}) != len(links):
        fields.errors["safeguards"] = message
        return None
    return links


def _training_values(fields: params.Fields) -> dict:
    return {
        "partnership_id": fields.integer("partnership_id"),
        "title": fields.text("title"),
        "kind": fields.text("kind"),
        "form": fields.text("form"),
        "contact_hours": fields.number("contact_hours"),
        "description": fields.text("description"),
        "organisation_ids": fields.ids("organisation_ids"),
    }


def _save_training(values: dict, links, save: Callable) -> Training:
    form, names = _training_form(values, links)
    if not form.validate():
        _form_errors(form, names)
    return _commit(lambda: save(training_data(form)), names)


@operation(
    "/trainings", "POST", summary="Een training vastleggen", tag="Trainingen", roles=MANAGERS,
    response=ref("Training"), body="TrainingInput", status=201,
    description="Dezelfde regels als het formulier: titel uniek in het partnerschap (anders 409), "
    "een toelichting bij elke waarborg.",
)
def create_training():
    fields = params.Fields(params.json_body(), TRAINING_FIELDS)
    values = _training_values(fields)
    links = _safeguard_links(fields)
    fields.check()
    s, scope = db.session(), current_scope()
    if values["partnership_id"] is None:  # as the page: preselected when there is only one
        own = trainings.partnerships_in_scope(s, scope)
        if len(own) == 1:
            values["partnership_id"] = own[0].id
    training = _save_training(values, links, lambda data: trainings.create_training(s, scope, data))
    return _training(trainings.get_training(s, scope, training.id)), 201


@operation(
    "/trainings/<int:training_id>", "PATCH", summary="Een training wijzigen", tag="Trainingen", roles=MANAGERS,
    response=ref("Training"), body="TrainingPatch", params=(TRAINING_ID,),
    description="Alleen de gegeven velden veranderen. `safeguards` vervangt de koppelingen met het "
    "huidige kader; `active` zet de training (in)actief.",
)
def update_training(training_id: int):
    s, scope = db.session(), current_scope()
    training = trainings.get_training(s, scope, training_id)
    fields = params.Fields(params.json_body(), (*TRAINING_FIELDS, "active"))
    given = {name: value for name, value in _training_values(fields).items() if fields.has(name)}
    links = _safeguard_links(fields)
    active = fields.data.get("active")
    if fields.has("active") and not isinstance(active, bool):
        fields.errors["active"] = "Geef true of false."
    fields.check()
    current = {
        "partnership_id": training.partnership_id,
        "title": training.title,
        "kind": training.kind.value,
        "form": training.form.value,
        "contact_hours": training.contact_hours,
        "description": training.description,
        "organisation_ids": [o.id for o in training.organisations],
    }
    if links is None:
        links = [(link.safeguard.code, link.rationale) for link in trainings.current_links(training)]

    def save(data):
        updated = trainings.update_training(s, scope, training_id, data)
        if isinstance(active, bool) and active != updated.active:
            trainings.set_training_active(s, scope, training_id, active)
        return updated

    _save_training(current | given, links, save)
    s.expire_all()
    return _training(trainings.get_training(s, scope, training_id))


# ---------------------------------------------------------------- sessions


@operation(
    "/trainings/<int:training_id>/sessions", "GET", summary="Bijeenkomsten van een training", tag="Bijeenkomsten",
    roles=READERS, response=ref("SessionPage"), params=(TRAINING_ID, *PAGE_PARAMS),
    description="De nieuwste eerst.",
)
def training_sessions(training_id: int):
    s = db.session()
    training = trainings.get_training(s, current_scope(), training_id)
    page, per_page = params.paging()
    rows = trainings.training_sessions(s, training)
    page = clamp_page(page, len(rows), per_page)
    start = (page - 1) * per_page
    return out.page(Page(rows[start : start + per_page], len(rows), page, per_page), out.session)


@operation(
    "/trainings/<int:training_id>/sessions", "POST", summary="Een bijeenkomst plannen", tag="Bijeenkomsten",
    roles=MANAGERS, response=ref("Session"), body="SessionInput", params=(TRAINING_ID,), status=201,
    description="Dezelfde regels als het formulier, ook de registratie train-de-trainer van de trainers "
    "als het registerbeleid die verplicht stelt.",
)
def create_session(training_id: int):
    s, scope = db.session(), current_scope()
    training = trainings.get_training(s, scope, training_id)
    fields = params.Fields(params.json_body(), ("date", "start_time", "location", "trainer_ids", "participant_count"))
    values = {
        "date": fields.text("date", required=True),
        "start_time": fields.text("start_time", required=True),
        "location": fields.text("location", required=True),
        "participant_count": fields.integer("participant_count"),
    }
    trainer_ids = fields.ids("trainer_ids", required=True)
    fields.check()
    formdata = MultiDict(
        [(name, str(value)) for name, value in values.items() if value is not None]
        + [("trainer_ids", str(i)) for i in trainer_ids or []]
    )
    if values["participant_count"] is None:
        formdata.add("participant_count", "0")
    form = session_form(s, training, formdata=formdata, meta={"csrf": False})
    if not form.validate():
        _form_errors(form)
    ts = _commit(lambda: trainings.create_session(s, scope, training_id, session_data(form), clock.today()))
    return out.session(trainings.get_session(s, scope, ts.id)), 201


SESSION_ID = path_id("session_id", "de bijeenkomst")


@operation(
    "/sessions/<int:session_id>", "GET", summary="Eén bijeenkomst", tag="Bijeenkomsten", roles=READERS,
    response=ref("Session"), params=(SESSION_ID,),
)
def get_session(session_id: int):
    return out.session(trainings.get_session(db.session(), current_scope(), session_id))


# ---------------------------------------------------------------- evaluations

STATUSES = [st.value for st in Status]


@operation(
    "/evaluation-requests", "GET", summary="Trainersevaluaties met hun status", tag="Evaluaties",
    roles=(*READERS, Role.TRAINER), response=ref("EvaluationRequestPage"),
    description="De status (te laat, bijna verlopen, open, …) wordt op de peildatum `today` uit de "
    "datums afgeleid. Een trainer ziet alleen de bijeenkomsten die hij gaf. Zonder `status`: alle; "
    "wat nog moet, de oudste eerst; anders de nieuwste eerst.",
    params=(
        Param("status", {"type": "array", "items": openapi.enum(Status)}, "Alleen deze statussen (herhaalbaar)."),
        TODAY,
        PARTNERSHIP,
        Param("training_id", openapi.ID, "Alleen deze training."),
        *PAGE_PARAMS,
    ),
)
def evaluation_requests():
    s, scope, user = db.session(), current_scope(), auth.api_user()
    statuses = {Status(v) for v in params.choices_param("status", STATUSES)}
    today = params.date_param("today", clock.today())
    partnership_id = _partnership_filter()
    training_id = params.id_param("training_id")
    page, per_page = params.paging()
    where = []
    if partnership_id is not None:
        where.append(Training.partnership_id == partnership_id)
    if user.role is Role.TRAINER:
        where.append(
            exists().where(
                session_trainer.c.session_id == TrainingSession.id, session_trainer.c.person_id == user.person_id
            )
            if user.person_id is not None
            else false()
        )
    result = req_service.trainer_evaluation_overview(
        s, scope, today, statuses=statuses or None, training_id=training_id, page=page, page_size=per_page,
        where=where,
    )
    return out.page(result, out.evaluation_request)


def _answers(fields: params.Fields) -> dict:
    value = fields.data.get("answers")
    if not isinstance(value, dict) or len(value) > 500:
        fields.errors["answers"] = "Geef een object met per vraagcode het antwoord."
        return {}
    answers = {}
    for code, answer in value.items():
        if isinstance(answer, bool):
            answer = "ja" if answer else "nee"
        elif isinstance(answer, int | float):
            answer = str(answer)
        elif isinstance(answer, list) and all(isinstance(a, str) for a in answer) and len(answer) <= 100:
            answer = list(answer)
        elif not isinstance(answer, str):
            fields.errors[f"answers.{str(code)[:50]}"] = "Geef tekst, een getal, true/false of een lijst van opties."
            continue
        answers[code] = answer
    return answers


@operation(
    "/sessions/<int:session_id>/trainer-evaluation", "POST", summary="Een trainersevaluatie indienen",
    tag="Evaluaties", roles=(Role.TRAINER, *MANAGERS), response=ref("TrainerEvaluation"),
    body="TrainerEvaluationInput", params=(SESSION_ID,), status=201,
    description="Door een trainer van de bijeenkomst, of een coördinator van haar partnerschap. Eén keer: "
    "een ingediende, vergrendelde, vrijgestelde of geannuleerde evaluatie, of een bijeenkomst die nog "
    "moet komen, geeft 409. Antwoorden per vraagcode, met dezelfde controles als het formulier.",
)
def submit_trainer_evaluation(session_id: int):
    s, scope, today = db.session(), current_scope(), clock.today()
    ts = req_service.load_for_trainer(s, scope, session_id)
    fields = params.Fields(params.json_body(), ("answers",))
    answers = _answers(fields)
    fields.check()
    _status, _due, request_row = req_service.session_status(s, session_id, Audience.TRAINER, today)
    version = req_service.trainer_form_version(s, ts, request_row)
    codes = {q.code: q for q in version.questions} if version is not None else {}
    unknown = [code for code in answers if code not in codes]
    if version is not None and unknown:
        raise ApiError(422, None, {f"answers.{code[:50]}": "Onbekende vraagcode." for code in unknown[:20]})
    raw = {field_name(codes[code]): value for code, value in answers.items()}
    names = {field_name(q): f"answers.{q.code}" for q in codes.values()}
    saved = _commit(
        lambda: req_service.submit_trainer_evaluation(s, scope, session_id, raw, today, replace=False), names
    )
    given = {a.question_id: a for a in saved.response.answers}
    version = req_service.trainer_form_version(s, ts, saved)
    return {
        "session_id": session_id,
        "submitted_at": out.moment(saved.submitted_at),
        "answers": {q.code: display_value(q, given.get(q.id)) for q in version.questions if q.id in given},
    }, 201


# ---------------------------------------------------------------- dashboard


@operation(
    "/dashboard", "GET", summary="Kerncijfers van het dashboard", tag="Dashboard", roles=READERS,
    response=ref("Dashboard"), params=(TODAY, PARTNERSHIP),
    description="Dezelfde cijfers als het dashboard op de peildatum `today` (standaard vandaag).",
)
def dashboard():
    s, scope = db.session(), current_scope()
    filters = dashboard_services.Filters(
        reference=params.date_param("today", clock.today()), partnership_id=params.id_param("partnership_id")
    )
    min_shown = anonymity.scope_threshold(s, scope, anonymity.threshold(current_app.config))
    try:
        d = dashboard_services.dashboard(s, scope, filters, min_shown)
    except ValidationError as exc:
        raise _query_refused(exc, {"partnerschap": "partnership_id"}) from None
    return out.dashboard(d)


# ---------------------------------------------------------------- register

STATES = [st.value for st in flags.QualificationState]


@operation(
    "/trainer-qualifications", "GET", summary="Trainers en hun registratie train-de-trainer", tag="Register",
    roles=READERS, response=ref("TrainerQualificationPage"),
    params=(
        TODAY, PARTNERSHIP, Param("state", openapi.enum(flags.QualificationState), "Alleen deze stand."),
        *PAGE_PARAMS,
    ),
    description="Per trainer de stand op `today`: geldig, verloopt binnenkort, verlopen of geen registratie.",
)
def trainer_qualifications():
    today = params.date_param("today", clock.today())
    filters = flags.RegisterFilters(partnership_id=_partnership_filter())
    state = params.choice_param("state", STATES)
    page, per_page = params.paging()
    result = flags.list_trainers(
        db.session(), current_scope(), filters, today,
        state=flags.QualificationState(state) if state else None, page=page, page_size=per_page,
    )
    return out.page(result, out.trainer_qualification)


@operation(
    "/certificates", "GET", summary="Certificaten van mentoren", tag="Register", roles=READERS,
    response=ref("CertificatePage"),
    params=(TODAY, PARTNERSHIP, Param("kind", openapi.enum(TrainingKind), "Soort training."), *PAGE_PARAMS),
    description="De nieuwste eerst; `valid` zegt of het certificaat op `today` geldig is.",
)
def certificates():
    today = params.date_param("today", clock.today())
    partnership_id = _partnership_filter()
    kind = params.choice_param("kind", KINDS)
    page, per_page = params.paging()
    result = list_certificates(
        db.session(), current_scope(), today, partnership_id, TrainingKind(kind) if kind else None, page, per_page
    )
    return out.page(result, out.certificate)


# ---------------------------------------------------------------- cycles


@operation(
    "/cycles", "GET", summary="Kwaliteitscycli", tag="Cycli", roles=READERS, response=ref("CyclePage"),
    params=(
        TODAY, PARTNERSHIP,
        Param("school_year", {"type": "integer", "minimum": 2000, "maximum": 2100},
              "Schooljaar (het jaar waarin het begint)."),
        Param("overdue", openapi.BOOL, "Alleen cycli met een fase die te laat is."),
        *PAGE_PARAMS,
    ),
    description="Per cyclus de status van elke fase op `today` en het aantal open en te late verbeteracties.",
)
def cycles():
    today = params.date_param("today", clock.today())
    filters = cycle_services.CycleFilters(
        partnership_id=_partnership_filter(),
        school_year=params.int_param("school_year", None, min=2000, max=2100),
        overdue=bool(params.bool_param("overdue")),
    )
    page, per_page = params.paging()
    result = cycle_services.list_cycles(db.session(), current_scope(), filters, today, page=page, page_size=per_page)
    return out.page(result, out.cycle)


ACTION_FILTERS = tuple(cycle_services.ACTION_STATES)


@operation(
    "/cycles/<int:cycle_id>/actions", "GET", summary="Verbeteracties van een cyclus", tag="Cycli", roles=READERS,
    response=ref("ImprovementActionPage"),
    params=(
        path_id("cycle_id", "de cyclus"), TODAY,
        Param("filter", openapi.enum(ACTION_FILTERS), "te-laat, open of alle (standaard)."),
        *PAGE_PARAMS,
    ),
    description="De vroegste einddatum eerst; `state` op `today`.",
)
def cycle_actions(cycle_id: int):
    s, scope = db.session(), current_scope()
    cycle = cycle_services.get_cycle(s, scope, cycle_id)
    today = params.date_param("today", clock.today())
    which = params.choice_param("filter", ACTION_FILTERS) or "alle"
    page, per_page = params.paging()
    result = cycle_services.list_actions(
        s, scope, today, which=which, page=page, page_size=per_page, where=[ImprovementAction.cycle_id == cycle.id]
    )
    return out.page(result, out.action)


_register_routes()
