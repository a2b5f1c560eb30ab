"""Log-in plumbing: the login manager, role checks and the current user's scope."""
from __future__ import annotations

from functools import wraps

from flask import abort, g
from flask_login import LoginManager, current_user, login_required

from kwaliteit import db
from kwaliteit.accounts.models import Role, User
from kwaliteit.scope import Scope

login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = "Log in om deze pagina te bekijken."
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    # A disabled account's open session (or remember cookie) ends at its next request.
    user = db.session().get(User, int(user_id))
    return user if user is not None and user.is_enabled else None


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
