"""Bearer-token authentication of the API, and its role checks.

Every request under /api/v1 (except the description and its page) carries
`Authorization: Bearer kw_...`. The API never reads the log-in cookie: a request with only a
session cookie is 401, so no other site can make a browser call the API (no CSRF), and the
API's blueprint is exempt from the CSRF check of the forms.

A valid token makes its user the current user of the request (flask_login's current_user and
kwaliteit.accounts.auth.current_scope), so the API calls the same services with the same Scope
as the pages. Nothing is written to the session cookie.
"""

from __future__ import annotations

import logging
from functools import wraps

from flask import current_app, g, request

from kwaliteit import clock, db
from kwaliteit.accounts.models import Role, User
from kwaliteit.api import tokens
from kwaliteit.api.errors import ApiError
from kwaliteit.scope import Scope
from kwaliteit.security import guard

log = logging.getLogger(__name__)

INVALID_TOKEN = "Dit API-token is onbekend, ingetrokken of verlopen, of het account is uitgeschakeld."
NO_TOKEN = "Geef een API-token mee: Authorization: Bearer <token>. Een token maak je onder ‘API-tokens’."
TOO_MANY_REFUSED = (
    "Vanaf dit adres zijn te veel ongeldige API-tokens geprobeerd. Probeer het later opnieuw."
)
WRONG_ROLE = "Je rol geeft geen toegang tot deze gegevens of handeling."


def refused_token_attempt(address: str) -> None:
    """Count a token that does not work (unknown, revoked, expired, of a disabled account) against
    the client address, in a transaction of its own (the request answers 401 and commits nothing);
    the attempt that reaches the limit is answered 429 instead (kwaliteit.security.guard)."""
    log.warning("API-token geweigerd vanaf %s", address)
    with db.new_session(current_app) as s:
        wait = guard.throttle_failed_token(s, address, clock.now())
        s.commit()
    if wait is not None:
        raise ApiError(429, TOO_MANY_REFUSED, headers={"Retry-After": str(wait)})


def _bearer_token() -> str | None:
    """The token of the Authorization header, or None when there is no bearer token at all."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


def authenticate() -> None:
    """before_request of the token-protected API: the token's user, or ApiError 401 (429)."""
    token = _bearer_token()
    if not token:
        raise ApiError(401, NO_TOKEN)
    now = clock.now()
    address = request.remote_addr or ""
    # Read (and touch) the token in sessions of their own, before the request's session begins: on
    # SQLite a writing request holds the write lock from its first statement, and the touch must
    # not wait for its own request.
    with db.new_session(current_app, write=False) as s:
        wait = guard.token_lockout(s, address, now)
        found = None if wait is not None else tokens.user_for_token(s, token, now)
    if wait is not None:  # this address guessed too often: no token is even looked at
        raise ApiError(429, TOO_MANY_REFUSED, headers={"Retry-After": str(wait)})
    if found is None:
        refused_token_attempt(address)
        raise ApiError(401, INVALID_TOKEN, headers={"WWW-Authenticate": 'Bearer realm="kwaliteit", error="invalid_token"'})
    token_id, user_id, due = found
    if due:
        with db.new_session(current_app) as s:
            tokens.touch(s, token_id, now)
            s.commit()
    user = db.session().get(User, user_id)
    if user is None or not user.is_enabled:  # disabled between the two reads
        raise ApiError(401, INVALID_TOKEN)
    # The request's user for every shared helper (current_user, current_scope); flask_login keeps
    # it in g._login_user, so the cookie is neither read nor written.
    g._login_user = user
    g.api_user = user
    g.api_token_id = token_id
    g.scope = Scope.for_user(user)


def api_user() -> User:
    return g.api_user


def roles(*allowed: Role):
    """The token's user must have one of the roles: otherwise 403 (as roles_required in the UI)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if g.api_user.role not in allowed:
                raise ApiError(403, WRONG_ROLE)
            return view(*args, **kwargs)

        wrapper.allowed_roles = allowed
        return wrapper

    return decorator
