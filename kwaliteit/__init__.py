"""kwaliteit: the quality cycle of mentor professionalisation in Samen Opleiden partnerships."""
from __future__ import annotations

import logging
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
# No page needs a camera, microphone, location, payment or USB device: switched off for the page
# and anything it could embed.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), "
    "screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()"
)
# Sent only over HTTPS (a browser ignores it over HTTP, and over HTTP it would be a lie).
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
# Public, versioned files that browsers may keep: the static folder and the installed plotly.js
# with its style sheet. Every other response is `no-store` (see security_headers).
CACHEABLE_ENDPOINTS = frozenset({"static", "dashboard.plotly_js", "dashboard.plotly_css"})


def security_headers(response):
    """after_request, for every response: pages, downloads, error pages (also the 500 page) and
    static files.

    Cache-Control: every response except the public files above is `no-store`, whoever asks.
    Logged-in pages and exports hold personal data; the anonymous pages hold a participant's link
    token in their address and answers in their form, and the log-in and invitation pages a
    password or a one-time token, so a shared computer's Back button or a proxy must keep none
    of them either. Deciding by endpoint rather than by "logged in" also needs no database: the
    user is never loaded just to choose a header (the anonymous answer page counts statements)."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.endpoint not in CACHEABLE_ENDPOINTS or response.status_code >= 400:
        headers["Cache-Control"] = "no-store"
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response


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
    from kwaliteit.audit.views import bp as audit_bp

    app.register_blueprint(audit_bp)

    from kwaliteit import api

    api.init_app(app)
    errors.init_app(app)
    filters.init_app(app)

    from kwaliteit.cli import init_cli

    init_cli(app)

    app.after_request(security_headers)
    if app.config["PROXY_FIX"]:
        # Trust X-Forwarded-For and -Proto from that many proxies, so request.is_secure and
        # remote_addr are the browser's. Not X-Forwarded-Host: links never use the host anyway
        # (kwaliteit.urls), and nothing else needs it.
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to add middleware
            app.wsgi_app, x_for=n, x_proto=n, x_host=0, x_port=0, x_prefix=0
        )
    _check_base_url(app)

    return app


def _check_base_url(app: Flask) -> None:
    """A malformed KWALITEIT_BASE_URL stops the app; a missing one is logged (kwaliteit.urls)."""
    from kwaliteit.urls import check_base_url

    app.config["BASE_URL"] = check_base_url(app.config.get("BASE_URL"))
    if app.config["BASE_URL"] is None and not app.config.get("TESTING"):
        logging.getLogger(__name__).warning(
            "KWALITEIT_BASE_URL is niet ingesteld: gedrukte links, QR-codes en e-mails krijgen geen "
            "volledig adres (alleen bij een verzoek aan localhost het lokale adres). Zet het in productie."
        )


__all__ = ["create_app", "render_template"]
