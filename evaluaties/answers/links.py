"""Anonymous participant answers through unguessable links.

A link admits one answer (single) or up to `max_uses` answers (shared). Using a link is one
conditional UPDATE of its counter in the same transaction as the insert of the answers, so two
submissions racing for the last use cannot both succeed, on SQLite or PostgreSQL.
"""

from __future__ import annotations

import enum
import functools
import re
import secrets
from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from evaluaties.answers.models import (
    Answer,
    LinkKind,
    ParticipantLink,
    Response,
    ResponseSource,
)
from evaluaties.answers.parsing import RawValue, parse_answers
from evaluaties.answers.requests import owed_select
from evaluaties.answers.status import Status
from evaluaties.questionnaires import services as questionnaires
from evaluaties.questionnaires.models import Audience, QuestionnaireVersion
from evaluaties.results import tally
from kwaliteit.db import rowcount
from kwaliteit.models_base import utcnow
from kwaliteit.scope import Forbidden, NotFound, Scope
from kwaliteit.trainings.models import Training, TrainingSession
from kwaliteit.trainings.services import get_session
from kwaliteit.validation import ValidationError

MAX_LINKS_PER_BATCH = 200
MAX_SHARED_USES = 500


def new_token() -> str:
    return secrets.token_urlsafe(18)  # 144 bits


# What a token can look like (token_urlsafe's alphabet; longer ones of earlier versions fit the
# column): anything else is unknown without a query.
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _check_manage(db: Session, scope: Scope, session_id: int) -> TrainingSession:
    if not scope.may_manage():
        raise Forbidden()
    ts = get_session(db, scope, session_id)
    if ts.cancelled_at is not None:
        raise ValidationError("Deze bijeenkomst is geannuleerd.")
    return ts


def create_single_links(db: Session, scope: Scope, session_id: int, count: int) -> list[ParticipantLink]:
    _check_manage(db, scope, session_id)
    if count is None or not 1 <= count <= MAX_LINKS_PER_BATCH:
        raise ValidationError({"count": f"Maak tussen 1 en {MAX_LINKS_PER_BATCH} links tegelijk."})
    links = [
        ParticipantLink(session_id=session_id, token=new_token(), kind=LinkKind.SINGLE, max_uses=1)
        for _ in range(count)
    ]
    db.add_all(links)
    db.flush()
    tally.count_links(db, session_id, links=count, single=count)
    return links


def create_shared_link(db: Session, scope: Scope, session_id: int, max_uses: int) -> ParticipantLink:
    _check_manage(db, scope, session_id)
    if max_uses is None or not 1 <= max_uses <= MAX_SHARED_USES:
        raise ValidationError({"max_uses": f"Kies een maximum tussen 1 en {MAX_SHARED_USES} antwoorden."})
    link = ParticipantLink(session_id=session_id, token=new_token(), kind=LinkKind.SHARED, max_uses=max_uses)
    db.add(link)
    db.flush()
    tally.count_links(db, session_id, links=1, single=0)
    return link


def get_link(db: Session, scope: Scope, link_id: int) -> ParticipantLink:
    link = db.get(ParticipantLink, link_id)
    if link is None:
        raise NotFound()
    get_session(db, scope, link.session_id)
    return link


def close_link(db: Session, scope: Scope, link_id: int) -> ParticipantLink:
    link = get_link(db, scope, link_id)
    _check_manage(db, scope, link.session_id)
    link.closed_at = link.closed_at or utcnow()
    db.flush()
    return link


def reopen_link(db: Session, scope: Scope, link_id: int) -> ParticipantLink:
    """Undo closing a link: it takes answers again while it has uses left and the window is open."""
    link = get_link(db, scope, link_id)
    _check_manage(db, scope, link.session_id)
    link.closed_at = None
    db.flush()
    return link


def session_links(db: Session, scope: Scope, session_id: int) -> list[ParticipantLink]:
    get_session(db, scope, session_id)
    return list(
        db.scalars(
            select(ParticipantLink)
            .where(ParticipantLink.session_id == session_id)
            .order_by(ParticipantLink.kind, ParticipantLink.id)
        )
    )


class LinkState(enum.Enum):
    OK = "ok"
    UNKNOWN = "unknown"
    OTHER_SESSION = "other_session"
    USED = "used"
    CLOSED = "closed"
    NOT_YET_OPEN = "not_yet_open"
    WINDOW_CLOSED = "window_closed"
    CANCELLED = "cancelled"
    NO_QUESTIONNAIRE = "no_questionnaire"


STATE_MESSAGES = {
    LinkState.UNKNOWN: "Deze link bestaat niet. Controleer of je de hele link hebt overgenomen.",
    LinkState.OTHER_SESSION: "Deze link hoort bij een andere bijeenkomst.",
    LinkState.USED: "Met deze link is de vragenlijst al ingevuld. Dank je wel!",
    LinkState.CLOSED: "Deze link is gesloten door de coördinator.",
    LinkState.NOT_YET_OPEN: "De vragenlijst gaat open op de dag van de bijeenkomst.",
    LinkState.WINDOW_CLOSED: "De termijn om deze vragenlijst in te vullen is verstreken.",
    LinkState.CANCELLED: "Deze bijeenkomst is geannuleerd of de evaluatie vervalt.",
    LinkState.NO_QUESTIONNAIRE: "Er is (nog) geen vragenlijst voor deze bijeenkomst.",
}


@dataclass
class LinkCheck:
    state: LinkState
    link: ParticipantLink | None = None
    session: TrainingSession | None = None
    version: QuestionnaireVersion | None = None
    partnership_id: int | None = None  # the session's training's
    # The session's training, loaded by check_link's one statement. Held here so that it stays in
    # the identity map (which holds objects weakly): `session.training` (the answer page's title)
    # then costs no statement of its own.
    training: Training | None = None

    @property
    def message(self) -> str:
        return STATE_MESSAGES.get(self.state, "")


# What the participant window (the session's participant_status) means for every link of it.
WINDOW_STATES = {
    Status.UPCOMING: LinkState.NOT_YET_OPEN,
    Status.CLOSED: LinkState.WINDOW_CLOSED,
    Status.CANCELLED: LinkState.CANCELLED,
    Status.WAIVED: LinkState.CANCELLED,
}
# A link in these states can still be handed out: it admits answers now, or from the session day.
USABLE = (LinkState.OK, LinkState.NOT_YET_OPEN)


def link_state(link: ParticipantLink, window: Status) -> LinkState:
    """The one definition of a link's state: its own (ParticipantLink.is_open: not closed, uses
    left) and then the window of its session (`window`: the participant status, derived in SQL
    from today). Used for a participant who opens the link and for the coordinator's list."""
    if not link.is_open:
        return LinkState.CLOSED if link.closed_at is not None else LinkState.USED
    return WINDOW_STATES.get(window, LinkState.OK)


@functools.lru_cache(maxsize=4)
def _check_statement(today: date):
    """check_link's statement, with the token as a parameter. Built once per day and process
    rather than per request: it is on the path of every answer (a GET and a POST each), and
    building it (the status CASE, the settings and version subqueries) cost more CPU than running
    it. Reusing one statement object also lets SQLAlchemy keep its cache key."""
    stmt, _ = owed_select(today, Audience.PARTICIPANT)
    return (
        stmt.add_columns(
            ParticipantLink,
            questionnaires.applicable_version_id(TrainingSession.training_id, Audience.PARTICIPANT),
        )
        .join(ParticipantLink, ParticipantLink.session_id == TrainingSession.id)
        .where(ParticipantLink.token == bindparam("token"))
        # A write of answers: wait for a change of the session's date or cancellation (trainings.lock_session).
        .with_for_update(key_share=True, of=TrainingSession)
    )


def check_link(db: Session, session_id: int, token: str, today: date) -> LinkCheck:
    """May this token answer for this session today? No log-in: the token is the credential.
    One statement: the link with its session, the session's participant status and the id of the
    questionnaire version that applies (its questions come from questionnaires.published_version)."""
    if not TOKEN.fullmatch(token):
        return LinkCheck(LinkState.UNKNOWN)
    row = db.execute(_check_statement(today), {"token": token}).one_or_none()
    if row is None:
        return LinkCheck(LinkState.UNKNOWN)
    ts, training, _p, _closes, status, _req, link, version_id = row
    if link.session_id != session_id:
        return LinkCheck(LinkState.OTHER_SESSION)
    state = link_state(link, Status(status))
    if state is not LinkState.OK:
        return LinkCheck(state, link, ts, training=training)
    version = questionnaires.published_version(db, version_id) if version_id is not None else None
    if version is None:
        return LinkCheck(LinkState.NO_QUESTIONNAIRE, link, ts, training=training)
    return LinkCheck(LinkState.OK, link, ts, version, training.partnership_id, training)


class LinkRefused(Exception):
    def __init__(self, check: LinkCheck):
        self.check = check
        super().__init__(check.message)


# The writes of an answer, built once per process (on the path of every answer) and on the tables
# rather than the mapped classes: the ORM's bulk machinery adds CPU and nothing these need.
_CLAIM = (
    update(ParticipantLink.__table__)
    .where(ParticipantLink.__table__.c.id == bindparam("link_id"), ParticipantLink.is_open)
    .values(used_count=ParticipantLink.__table__.c.used_count + 1)
)
_INSERT_RESPONSE = insert(Response.__table__).returning(Response.__table__.c.id)
_INSERT_ANSWERS = insert(Answer.__table__).execution_options(render_nulls=True)


def submit_participant_answers(
    db: Session, session_id: int, token: str, raw: dict[str, RawValue], today: date,
    check: LinkCheck | None = None,
) -> int:
    """Store one anonymous answer; returns the response's id. Raises LinkRefused (used, closed,
    ...) or ValidationError. `check`: the request's own check_link of this link, when it made one.

    Lean on purpose (thirty phones in the last minutes of a session): besides the check, the
    conditional UPDATE that claims a use, the response, its answers in one executemany and the
    tally's two upserts."""
    if check is None or check.link is None or check.link.token != token or check.link.session_id != session_id:
        check = check_link(db, session_id, token, today)
    if check.state is not LinkState.OK:
        raise LinkRefused(check)
    # All three set when the state is OK.
    assert check.link is not None and check.version is not None and check.session is not None
    assert check.partnership_id is not None
    parsed, errors = parse_answers(check.version, raw, make=dict)
    answers = cast(list[dict], parsed)  # plain rows for one executemany, not ORM objects
    if errors:
        raise ValidationError(errors)
    claimed = rowcount(db.execute(_CLAIM, {"link_id": check.link.id}))
    if claimed != 1:  # another submission took the last use between our check and now
        raise LinkRefused(LinkCheck(LinkState.USED))
    response_id = db.execute(
        _INSERT_RESPONSE,
        {"session_id": session_id, "version_id": check.version.id, "audience": Audience.PARTICIPANT,
         "source": ResponseSource.LINK},
    ).scalar_one()
    if answers:  # one executemany: NULLs rendered, so that every row has the same columns
        db.execute(_INSERT_ANSWERS, [dict(a, response_id=response_id) for a in answers])
    tally.count(
        db, tally.Group(check.session, check.partnership_id, check.version, Audience.PARTICIPANT, ResponseSource.LINK),
        [[(a["question_id"], a["value_int"]) for a in answers]],
    )
    return response_id


def link_counts(db: Session, session_id: int) -> tuple[int, int]:
    """(number of links, number of answers through links) of a session."""
    row = db.execute(
        select(func.count(), func.coalesce(func.sum(ParticipantLink.used_count), 0)).where(
            ParticipantLink.session_id == session_id
        )
    ).one()
    return int(row[0]), int(row[1])
