"""Recording the audit log, in the transaction of the change itself.

Generic: a session `after_flush` listener sees the objects of AUDITED models that the flush
inserted, updated or deleted and writes one audit row for each, all in one INSERT per flush. A
change names the changed fields, never their values. Explicit: `record()` for what is not a row
change of the ORM (an import, an export, anonymising, a bulk lock); written with the next flush,
or just before the commit.

Not audited, on purpose: participants' responses, answers and links (anonymous: an audit row
would tie an answer to a moment; and the answer page must stay cheap), tallies, the outbox, locks,
drafts and preferences. Writes that bypass the ORM (Core INSERT/UPDATE/DELETE statements) are not
seen by the listener; the services that do them and matter call `record()`.

The actor: in a request the logged-in account (read from flask-login's per-request cache, so
that recording never loads a user), else the kind set with `acting_as` (the scheduler), the
command line (a click command is running), or the system (tests, scripts).
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

import click
from flask import g, has_app_context, has_request_context
from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import NO_VALUE

from kwaliteit.audit.models import Actor, AuditAction, AuditEntry

log = logging.getLogger(__name__)

PENDING = "kwaliteit.audit.pending"
SUMMARY_LENGTH = 500
_actor: ContextVar[Actor | None] = ContextVar("kwaliteit_audit_actor", default=None)


@contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    """Everything recorded inside is by `actor` (the scheduler's jobs)."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> tuple[int | None, Actor]:
    explicit = _actor.get()
    if explicit is not None:
        return None, explicit
    if has_request_context():
        # flask-login keeps the request's user in g._login_user once something asked for it; a
        # request that never did (an anonymous page) is a visitor's, and no user is loaded here.
        user = g.get("_login_user")
        if user is not None and getattr(user, "is_authenticated", False):
            state = inspect(user, raiseerr=False)
            identity = state.identity if state is not None else None
            return (identity[0] if identity else None), Actor.USER
        return None, Actor.VISITOR
    if click.get_current_context(silent=True) is not None:
        return None, Actor.COMMAND_LINE
    return None, Actor.SYSTEM


APP = "kwaliteit.app"


def _now(session: Session) -> datetime:
    """The app's clock (kwaliteit.clock: FIXED_NOW pins it), also for a session used outside an
    app context (a thread, a test): the sessionmaker tells each session its app."""
    from kwaliteit import clock

    if has_app_context():
        return clock.now()
    app = session.info.get(APP)
    if app is None:
        return datetime.now(UTC)
    with app.app_context():
        return clock.now()


def _short(summary: str | None) -> str | None:
    return summary[:SUMMARY_LENGTH] if summary else None


def record(
    db: Session,
    action: AuditAction,
    object_type: str,
    object_key: object = None,
    partnership_id: int | None = None,
    summary: str | None = None,
) -> None:
    """An explicit entry, written in `db`'s transaction (with the next flush, or at commit).
    `summary` must hold no personal data and no answer: a count, field names, a file's name."""
    db.info.setdefault(PENDING, []).append(
        {
            "action": action,
            "object_type": object_type[:40],
            "object_key": None if object_key is None else str(object_key)[:40],
            "partnership_id": partnership_id,
            "summary": _short(summary),
        }
    )


# ---------------------------------------------------------------- which models, which partnership


def _audited():
    """model -> how its partnership is found: "partnership_id" (a column of its own), "id" (the
    partnership itself), (foreign key attribute, parent model), or None (no partnership: admins
    only)."""
    from evaluaties.answers.models import EvaluationRequest
    from evaluaties.questionnaires.models import (
        EvaluationSettings,
        Question,
        Questionnaire,
        QuestionnaireVersion,
    )
    from kwaliteit.accounts.models import User
    from kwaliteit.certification.models import (
        Attendance,
        Certificate,
        Mentorship,
        ProfessionalRegistration,
        RegisterPolicy,
        TrainerQualification,
    )
    from kwaliteit.cycles.models import (
        CycleCalendar,
        CycleGoal,
        GoodPractice,
        ImprovementAction,
        PartnershipCycle,
        ReviewCycle,
        SafeguardSummary,
    )
    from kwaliteit.framework.models import Criterion, Framework, Safeguard
    from kwaliteit.registry.models import (
        Organisation,
        Partnership,
        PartnershipSettings,
        Person,
        PersonRoleLink,
    )
    from kwaliteit.trainings.models import Training, TrainingSafeguard, TrainingSession

    direct = "partnership_id"
    return {
        Partnership: "id",
        PartnershipSettings: direct,
        Organisation: direct,
        Person: ("organisation_id", Organisation),
        PersonRoleLink: ("person_id", Person),
        User: None,
        Training: direct,
        TrainingSafeguard: ("training_id", Training),
        TrainingSession: ("training_id", Training),
        Questionnaire: direct,
        QuestionnaireVersion: ("questionnaire_id", Questionnaire),
        Question: ("version_id", QuestionnaireVersion),
        EvaluationSettings: ("training_id", Training),
        EvaluationRequest: ("session_id", TrainingSession),
        RegisterPolicy: direct,
        TrainerQualification: ("person_id", Person),
        ProfessionalRegistration: ("person_id", Person),
        Certificate: direct,
        Attendance: ("session_id", TrainingSession),
        Mentorship: ("person_id", Person),
        CycleCalendar: direct,
        ReviewCycle: ("training_id", Training),
        CycleGoal: ("cycle_id", ReviewCycle),
        ImprovementAction: ("cycle_id", ReviewCycle),
        PartnershipCycle: direct,
        SafeguardSummary: ("cycle_id", PartnershipCycle),
        GoodPractice: direct,
        Framework: None,
        Safeguard: None,
        Criterion: None,
    }


_AUDITED: dict | None = None


def audited() -> dict:
    global _AUDITED
    if _AUDITED is None:
        _AUDITED = _audited()
    return _AUDITED


def _special_actions():
    """Changes that are an action of their own: (model, field) -> (action when set, when cleared)."""
    from evaluaties.answers.models import EvaluationRequest

    return {
        (EvaluationRequest, "waived_at"): (AuditAction.WAIVED, AuditAction.UNWAIVED),
        (EvaluationRequest, "locked_at"): (AuditAction.LOCKED, AuditAction.UNLOCKED),
    }


# Fields whose change is bookkeeping, not an edit worth a line.
_IGNORED_FIELDS = frozenset({"created_at", "updated_at"})


def _identity(obj) -> tuple | None:
    """The primary key of an object, without loading anything. In after_flush a row just
    inserted has its key values but no identity yet."""
    state = inspect(obj)
    if state.identity is not None:
        return state.identity
    names = [state.mapper.get_property_by_column(c).key for c in state.mapper.primary_key]
    values = tuple(state.dict.get(n) for n in names)
    return None if any(v is None for v in values) else values


def _loaded(obj, key: str):
    """An attribute's value as the object holds it, without loading anything: from its loaded
    attributes, or from its identity for a primary key column; NO_VALUE when neither has it."""
    state = inspect(obj)
    value = state.dict.get(key, NO_VALUE)
    if value is NO_VALUE and (identity := _identity(obj)) is not None:
        names = [state.mapper.get_property_by_column(c).key for c in state.mapper.primary_key]
        if key in names:
            value = identity[names.index(key)]
    return value


def _own_id(obj):
    """The id of an object with a single "id" primary key (to look its partnership up), or None."""
    state = inspect(obj)
    identity = _identity(obj)
    if identity is None or [c.key for c in state.mapper.primary_key] != ["id"]:
        return None
    return identity[0]


def _resolve_partnerships(
    connection, session: Session, wanted: list[tuple[type, object]]
) -> list[int | None]:
    """The partnership of each (model, object) in `wanted`: from objects in memory when they hold
    the keys (usually: the view loaded the parents it checked the scope of), otherwise with one
    SELECT per model still unresolved."""
    how = audited()
    results: list[int | None] = [None] * len(wanted)
    pending: dict[type, dict[object, list[int]]] = {}
    for index, (model, obj) in enumerate(wanted):
        current_model, current = model, obj
        while True:
            rule = how.get(current_model)
            if rule is None:
                break
            if rule in ("id", "partnership_id"):
                value = _loaded(current, rule)
                if value is NO_VALUE:
                    if (own := _own_id(current)) is not None:
                        pending.setdefault(current_model, {}).setdefault(own, []).append(index)
                else:
                    results[index] = value
                break
            attribute, parent = rule
            fk = _loaded(current, attribute)
            if fk is NO_VALUE or fk is None:
                if fk is NO_VALUE and (own := _own_id(current)) is not None:
                    pending.setdefault(current_model, {}).setdefault(own, []).append(index)
                break
            parent_obj = session.identity_map.get(inspect(parent).identity_key_from_primary_key((fk,)))
            if parent_obj is None:
                pending.setdefault(parent, {}).setdefault(fk, []).append(index)
                break
            current_model, current = parent, parent_obj
    for model, by_id in pending.items():
        for key, partnership_id in connection.execute(_partnership_select(model, list(by_id))):
            for index in by_id.get(key, ()):
                results[index] = partnership_id
    return results


def _partnership_select(model, ids: list):
    """SELECT (id, partnership id) of these rows of `model`, joining up its chain of parents."""
    how = audited()
    stmt = select(model.id)
    current = model
    while isinstance(how[current], tuple):
        attribute, parent = how[current]
        stmt = stmt.join(parent, getattr(current, attribute) == parent.id)
        current = parent
    column = current.id if how[current] == "id" else current.partnership_id
    return stmt.add_columns(column).where(model.id.in_(ids))


def _key(obj) -> str | None:
    identity = _identity(obj)
    if identity is None:
        return None
    return "/".join(str(v) for v in identity)[:40]


def _changes(obj) -> tuple[list[str], list[AuditAction]]:
    """The names of the changed fields (columns and collections), and the special actions."""
    state = inspect(obj)
    mapper = state.mapper
    names: list[str] = []
    actions: list[AuditAction] = []
    specials = _special_actions()
    for attr in mapper.attrs:
        if attr.key in _IGNORED_FIELDS:
            continue
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        special = specials.get((mapper.class_, attr.key))
        if special is not None:
            actions.append(special[0] if history.added and history.added[0] is not None else special[1])
            continue
        names.append(attr.key)
    return names, actions


def _after_flush(session: Session, _context) -> None:
    how = audited()
    entries: list[dict] = []
    objects: list[tuple[type, object]] = []

    def add(obj, action: AuditAction, summary: str | None = None) -> None:
        entries.append(
            {"action": action, "object_type": type(obj).__tablename__, "object_key": _key(obj),
             "partnership_id": None, "summary": _short(summary)}
        )
        objects.append((type(obj), obj))

    for obj in session.new:
        if type(obj) in how:
            add(obj, AuditAction.CREATED)
    for obj in session.dirty:
        if type(obj) in how and session.is_modified(obj):
            names, actions = _changes(obj)
            for action in actions:
                add(obj, action)
            if names:
                add(obj, AuditAction.CHANGED, ", ".join(sorted(names)))
    for obj in session.deleted:
        if type(obj) in how:
            add(obj, AuditAction.DELETED)
    explicit = session.info.pop(PENDING, [])
    if not entries and not explicit:
        return
    connection = session.connection()
    if entries:
        found = _resolve_partnerships(connection, session, objects)
        for entry, partnership_id in zip(entries, found, strict=True):
            entry["partnership_id"] = partnership_id
    _write(session, connection, entries + explicit)


def _write(session: Session, connection, entries: list[dict]) -> None:
    user_id, actor = current_actor()
    at = _now(session)
    connection.execute(
        insert(AuditEntry.__table__),
        [
            {**e, "action": e["action"].value, "at": at, "user_id": user_id, "actor": actor.value}
            for e in entries
        ],
    )


def _before_commit(session: Session) -> None:
    explicit = session.info.pop(PENDING, [])
    if explicit:
        _write(session, session.connection(), explicit)


def _forget(session: Session, *_args) -> None:
    session.info.pop(PENDING, None)


def listen(factory: sessionmaker, app) -> None:
    """Record the audit log for every session the factory makes (for `app`)."""
    factory.kw.setdefault("info", {})[APP] = app
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_rollback", _forget)
