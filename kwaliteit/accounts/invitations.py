"""Invitations: a one-time link with which a new (or locked-out) account holder sets a password.

The link carries a random 144-bit token; only its SHA-256 is stored, so a copy of the database
lets nobody set a password. A link is valid for INVITATION_DAYS and works once: using it is one
conditional UPDATE (`open_condition`), so two clicks at the same moment cannot both set a password,
on SQLite or PostgreSQL. A new link for an account ends the account's earlier links.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, literal, select, update
from sqlalchemy.orm import Session

from kwaliteit.accounts.models import Invitation, LinkPurpose, User
from kwaliteit.accounts.passwords import password_errors
from kwaliteit.accounts.services import end_sessions, hash_password
from kwaliteit.db import rowcount
from kwaliteit.validation import ValidationError

INVITATION_DAYS = 7
RESET_HOURS = 24  # a reset link is only e-mailed, to the account's own address: a day is enough
TOKEN_BYTES = 18  # 144 bits, as the participants' links
# No token this module makes is longer; a longer one in a URL is unknown without hashing megabytes.
MAX_TOKEN_LENGTH = 64


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def open_condition(now: datetime) -> ColumnElement[bool]:
    """SQL: this invitation can still be used at `now`. One definition for the check that shows the
    page and for the UPDATE that claims the link."""
    return and_(Invitation.used_at.is_(None), Invitation.expires_at > now)


def issue_invitation(
    db: Session,
    user: User,
    now: datetime,
    created_by_id: int | None,
    purpose: LinkPurpose = LinkPurpose.INVITATION,
) -> tuple[Invitation, str]:
    """A new link for `user`; earlier links of the account that are still open end now.
    Returns the invitation and the token (the only moment the token exists in plain text)."""
    db.execute(
        update(Invitation)
        .where(Invitation.user_id == user.id, open_condition(now))
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    token = new_token()
    invitation = Invitation(
        user=user,
        token_hash=hash_token(token),
        purpose=purpose,
        created_at=now,
        expires_at=now
        + (timedelta(hours=RESET_HOURS) if purpose is LinkPurpose.RESET else timedelta(days=INVITATION_DAYS)),
        created_by_id=created_by_id,
    )
    db.add(invitation)
    db.flush()
    return invitation, token


class InvitationState(enum.Enum):
    OK = "ok"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    DISABLED = "disabled"


STATE_TITLES = {
    InvitationState.UNKNOWN: "Onbekende link",
    InvitationState.EXPIRED: "Link verlopen",
    InvitationState.USED: "Link al gebruikt",
    InvitationState.DISABLED: "Account uitgeschakeld",
}
STATE_MESSAGES = {
    InvitationState.UNKNOWN: (
        "Deze link bestaat niet. Controleer of je de hele link hebt overgenomen, of vraag degene die "
        "je uitnodigde om een nieuwe link."
    ),
    InvitationState.EXPIRED: (
        f"Deze link is verlopen: een link is {INVITATION_DAYS} dagen geldig en vervalt ook als er een "
        "nieuwere is gemaakt. Vraag degene die je uitnodigde om een nieuwe link."
    ),
    InvitationState.USED: (
        "Met deze link is al een wachtwoord ingesteld; een link werkt maar één keer. Log in met je "
        "e-mailadres en wachtwoord, of vraag om een nieuwe link als je het wachtwoord niet meer weet."
    ),
    InvitationState.DISABLED: (
        "Het account bij deze link is uitgeschakeld. Neem contact op met de coördinator of beheerder."
    ),
}


@dataclass
class InvitationCheck:
    state: InvitationState
    invitation: Invitation | None = None
    user: User | None = None

    @property
    def title(self) -> str:
        return STATE_TITLES.get(self.state, "")

    @property
    def message(self) -> str:
        return STATE_MESSAGES.get(self.state, "")


class InvitationRefused(Exception):
    def __init__(self, check: InvitationCheck):
        self.check = check
        super().__init__(check.message)


def check_invitation(
    db: Session, token: str, now: datetime, purpose: LinkPurpose = LinkPurpose.INVITATION
) -> InvitationCheck:
    """May this token set a password now? No log-in: the token is the credential. The state is
    computed in SQL (`open_condition`), so the page and the claim agree on it. A link made for
    another purpose is unknown here (a reset link does not open the invitation page)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return InvitationCheck(InvitationState.UNKNOWN)
    row = db.execute(
        select(
            Invitation,
            case(
                (Invitation.used_at.is_not(None), literal(InvitationState.USED.value)),
                (open_condition(now), literal(InvitationState.OK.value)),
                else_=literal(InvitationState.EXPIRED.value),
            ),
        ).where(Invitation.token_hash == hash_token(token), Invitation.purpose == purpose)
    ).first()
    if row is None:
        return InvitationCheck(InvitationState.UNKNOWN)
    invitation, state = row
    state = InvitationState(state)
    user = invitation.user
    if state is InvitationState.OK and not user.is_enabled:
        state = InvitationState.DISABLED
    return InvitationCheck(state, invitation, user)


def accept_invitation(
    db: Session,
    token: str,
    password: str,
    confirm: str,
    now: datetime,
    purpose: LinkPurpose = LinkPurpose.INVITATION,
) -> User:
    """Set the account's password through the link, once. Raises InvitationRefused (unknown,
    expired, used, disabled) or ValidationError (the password). A new password ends every
    session of the account."""
    check = check_invitation(db, token, now, purpose)
    if check.state is not InvitationState.OK:
        raise InvitationRefused(check)
    if errors := password_errors(password, confirm, check.user.email if check.user else None):
        raise ValidationError(errors)
    assert check.invitation is not None and check.user is not None  # both set when the state is OK
    claimed = rowcount(db.execute(
        update(Invitation)
        .where(Invitation.id == check.invitation.id, open_condition(now))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ))
    if claimed != 1:  # another click used the link between our check and now
        raise InvitationRefused(InvitationCheck(InvitationState.USED))
    user = check.user
    user.password_hash = hash_password(password)
    db.flush()
    end_sessions(db, user)
    return user
