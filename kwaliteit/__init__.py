"""kwaliteit: the quality cycle of mentor professionalisation in Samen Opleiden partnerships."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from werkzeug.routing import IntegerConverter

from kwaliteit import args, db, logs
from kwaliteit.config import load_config

ROOT = Path(__file__).resolve().parent.parent


class KwaliteitFlask(Flask):
    def log_exception(self, exc_info) -> None:
        """An unhandled exception is logged once, with the error id the 500 page shows."""
        from kwaliteit.errors import log_exception

        log_exception(exc_info)


class IdConverter(IntegerConverter):
    def __init__(self, url_map, *args, **kwargs):
        from kwaliteit.scope import MAX_ID

        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)
csrf = CSRFProtect()


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure when configured so (KWALITEIT_SECURE_COOKIES, or a
    KWALITEIT_BASE_URL with https) and whenever the request itself came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(super().get_cookie_secure(app) or request.is_secure)


def _secure_remember_cookie(response):
    """Flask-Login sets the remember-me cookie from the configuration alone: over HTTPS it gets
    Secure here as well. Registered before Flask-Login's own after-request function, so it runs
    after it (Flask runs them in reverse order)."""
    if not request.is_secure:
        return response
    from flask import current_app

    name = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    cookies = response.headers.getlist("Set-Cookie")
    if not any(c.startswith(name + "=") and "; Secure" not in c for c in cookies):
        return response
    response.headers.remove("Set-Cookie")
    for cookie in cookies:
        if cookie.startswith(name + "=") and "; Secure" not in cookie:
            cookie += "; Secure"
        response.headers.add("Set-Cookie", cookie)
    return response

# Every page: scripts, styles, images and forms only from this app, no inline script, no plugins,
# never inside a frame. Charts are JSON data blocks drawn by static/charts.js with the app's own
# plotly.js; plotly's style rules come as a style sheet (kwaliteit.dashboard.assets), so styles
# need no 'unsafe-inline' either. img-src allows data: URIs (plotly's SVG patterns and exports).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def create_app(config: dict | None = None, instance_path: str | Path | None = None) -> Flask:
    instance = Path(instance_path) if instance_path else ROOT / "instance"
    app = KwaliteitFlask(
        __name__,
        instance_path=str(instance),
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    app.config.update(load_config(instance, config))
    logs.configure(logs.parse_level(str(app.config["LOG_LEVEL"])))
    # Every <int:...> in a URL is an id: one no table can hold is a 404 before any view runs.
    app.url_map.converters["int"] = IdConverter

    db.init_app(app)
    csrf.init_app(app)
    args.init_app(app)
    app.session_interface = SessionInterface()

    from kwaliteit.accounts.auth import login_manager

    app.after_request(_secure_remember_cookie)
    login_manager.init_app(app)

    from kwaliteit import errors, filters, views
    from kwaliteit.accounts.own_views import bp as own_account_bp
    from kwaliteit.accounts.user_views import bp as users_bp
    from kwaliteit.accounts.views import bp as accounts_bp
    from kwaliteit.certification.views import bp as register_bp
    from kwaliteit.dashboard.views import bp as dashboard_bp
    from kwaliteit.framework.views import bp as framework_bp
    from kwaliteit.registry.views import bp as registry_bp
    from kwaliteit.trainings.views import bp as trainings_bp

    app.register_blueprint(views.bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(trainings_bp)
    app.register_blueprint(framework_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(registry_bp)
    app.register_blueprint(register_bp)
    app.register_blueprint(users_bp)
    app.register_blueprint(own_account_bp)

    from kwaliteit.cycles.views import bp as cycles_bp

    app.register_blueprint(cycles_bp)

    from evaluaties.answers import views as evaluation_views
    from evaluaties.questionnaires import views as questionnaire_views
    from evaluaties.results import views as results_views
    from evaluaties.transfer import views as transfer_views

    app.register_blueprint(evaluation_views.bp)
    app.register_blueprint(questionnaire_views.bp)
    app.register_blueprint(results_views.bp)
    app.register_blueprint(transfer_views.bp)

    from kwaliteit.notifications.views import bp as notifications_bp

    app.register_blueprint(notifications_bp)
    from kwaliteit.cycles.dossier_views import bp as dossier_bp

    app.register_blueprint(dossier_bp)
    errors.init_app(app)
    filters.init_app(app)

    from kwaliteit.cli import init_cli

    init_cli(app)

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    return app


__all__ = ["create_app", "render_template"]
