"""Log-in plumbing: the login manager, role checks and the current user's scope."""
from __future__ import annotations

import secrets
from functools import wraps

from flask import abort, g
from flask_login import LoginManager, current_user, login_required, login_user

from kwaliteit import db
from kwaliteit.accounts.models import Role, User
from kwaliteit.scope import MAX_ID, Scope

login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = "Log in om deze pagina te bekijken."
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


def parse_identity(identity: str) -> tuple[int, int, str] | None:
    """(user id, session version, log-in nonce) from User.get_id()'s form, or None."""
    parts = identity.split(":") if isinstance(identity, str) else []
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts[:2]) or len(parts[1]) > 9:
        return None
    user_id, version = int(parts[0]), int(parts[1])
    return (user_id, version, parts[2]) if 0 < user_id <= MAX_ID else None


@login_manager.user_loader
def _load_user(identity: str) -> User | None:
    # The identity of the session or remember-me cookie holds the session version it was made
    # with: after a log-out, a new password or "overal uitloggen" the account's version is higher
    # and every earlier cookie is refused. A disabled account's session ends at its next request.
    parsed = parse_identity(identity)
    if parsed is None:
        return None
    user_id, version, nonce = parsed
    user = db.session().get(User, user_id)
    if user is None or not user.is_enabled or user.session_version != version:
        return None
    user.login_nonce = nonce
    return user


def log_in(user: User, remember: bool = False) -> None:
    """Start a session for `user` with an identity of its own: a new random nonce, so every
    log-in has its own remember-me cookie."""
    user.login_nonce = secrets.token_urlsafe(16)
    login_user(user, remember=remember)


def roles_required(*roles: Role):
    """Require a log-in and one of the roles; a wrong role gives 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapper.allowed_roles = roles
        return wrapper

    return decorator


MANAGERS = (Role.ADMIN, Role.COORDINATOR)
READERS = (Role.ADMIN, Role.COORDINATOR, Role.STEERING)


def current_scope() -> Scope:
    if "scope" not in g:
        g.scope = Scope.for_user(current_user)
    return g.scope
