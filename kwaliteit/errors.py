"""Error pages in Dutch; JSON for the API. Scope errors from services become 403/404.

The 500 page must itself never fail: it rolls the request's database session back (on PostgreSQL
a failed statement leaves the transaction aborted, and every later query would fail again),
renders a template that needs no database (no current_user, no menu), and falls back to a fixed
Dutch page should even that fail. Every 500 gets a short error id, shown on the page and written
to the log with the traceback, so a user's report can be found in the log.
"""
from __future__ import annotations

import logging
import secrets

from flask import Flask, current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from kwaliteit.scope import Forbidden, NotFound

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Ongeldig verzoek", "Het verzoek kon niet worden verwerkt."),
    403: ("Geen toegang", "Je hebt geen toegang tot deze pagina."),
    404: ("Niet gevonden", "Deze pagina bestaat niet (meer)."),
    405: ("Niet toegestaan", "Deze handeling is hier niet toegestaan."),
    413: ("Bestand te groot", "Het bestand is groter dan is toegestaan."),
    429: ("Te veel verzoeken", "Er kwamen in korte tijd te veel verzoeken. Wacht even en probeer het opnieuw."),
    500: ("Er ging iets mis", "Er ging iets mis aan onze kant. Probeer het later opnieuw."),
}

# The last resort when even error.html cannot be rendered: no template, no database, no Jinja.
FALLBACK_500 = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Er ging iets mis · kwaliteit</title></head>
<body><main><h1>Er ging iets mis</h1>
<p>Er ging iets mis aan onze kant. Probeer het later opnieuw.</p>
<p>Foutcode: <strong>{error_id}</strong>. Noem deze code als je de beheerder om hulp vraagt.</p>
<p><a href="/">Naar de startpagina</a></p></main></body></html>"""


def new_error_id() -> str:
    """Short enough to read out over the phone, random enough never to repeat in a log."""
    return secrets.token_hex(4)


def _detail(e) -> str | None:
    # A Dutch description given with abort(code, description=...) is shown; Werkzeug's own
    # English class default is not.
    return vars(e).get("description") if isinstance(e, HTTPException) else None


def is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _api_error(code: int, detail: str | None = None, e=None, **extra):
    """The API's error body (kwaliteit.api.errors) for an error raised outside its views: an
    unknown path or method under /api/, a service's Forbidden or NotFound, a 500."""
    from kwaliteit.api.errors import error_response

    headers = {}
    if code == 405 and getattr(e, "valid_methods", None):
        headers["Allow"] = ", ".join(e.valid_methods)
    return error_response(code, detail, headers=headers, **extra)


def _render(code: int, detail: str | None = None, e=None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    if is_api_request():
        return _api_error(code, detail, e)
    return render_template("error.html", code=code, title=title, message=detail or message), code


def log_exception(exc_info) -> str:
    """Log an unhandled exception with its traceback under a new error id (kept in g)."""
    g.error_id = new_error_id()
    log.error(
        "Fout %s bij %s %s (gebruiker %s)",
        g.error_id,
        request.method,
        request.path,
        _user_id(),
        exc_info=exc_info,
    )
    return g.error_id


def _user_id() -> str:
    # The id from the session cookie, not current_user: loading the user needs the database.
    from flask import session

    # The account id only: the rest of the identity (session version, log-in nonce) is no log's.
    return str(session.get("_user_id", "-")).split(":", 1)[0]


def _rollback() -> None:
    db_session = g.get("db_session")
    if db_session is None:
        return
    try:
        db_session.rollback()
    except Exception:  # the connection itself may be gone; the teardown closes the session
        log.exception("Fout %s: terugdraaien van de databasetransactie mislukt", g.get("error_id"))


def internal_error(e):
    """The 500 handler. Flask has logged the exception (log_exception) when there was one."""
    error_id = g.get("error_id")
    if error_id is None:  # abort(500), or an error Flask did not log
        original = getattr(e, "original_exception", None)
        error_id = log_exception((type(original), original, original.__traceback__) if original else None)
    _rollback()
    title, message = MESSAGES[500]
    try:
        if is_api_request():
            return _api_error(500, error_id=error_id)
        return render_template("error.html", code=500, title=title, message=message, error_id=error_id,
                               bare=True), 500
    except Exception:
        log.exception("Fout %s: ook de foutpagina kon niet worden getoond", error_id)
        return FALLBACK_500.format(error_id=escape(error_id)), 500, {"Content-Type": "text/html; charset=utf-8"}


def _megabytes(n: int) -> str:
    """A size as a Dutch message writes it: 5 MB, 2,5 MB."""
    return f"{n / 1024 / 1024:.1f}".replace(".0", "").replace(".", ",") + " MB"


def too_large(e):
    """413: the request is over MAX_CONTENT_LENGTH (an upload far beyond MAX_UPLOAD_BYTES, or a
    form with megabytes of text), refused before anything is read. The page says which, names the
    upload limit, and leads back to the form it came from."""
    if is_api_request():
        return _api_error(413)
    if request.mimetype == "multipart/form-data":
        title = MESSAGES[413][0]
        config = current_app.config
        limit = _megabytes(int(config.get("MAX_UPLOAD_BYTES") or config["MAX_CONTENT_LENGTH"]))
        message = (
            f"Het bestand is te groot: het mag hoogstens {limit} zijn. Ga terug en kies een kleiner bestand."
        )
    else:
        title = "Formulier te groot"
        message = "Een tekst in het formulier is veel langer dan is toegestaan. Ga terug en maak hem korter."
    return render_template("error.html", code=413, title=title, message=message, back=request.path), 413


def too_many_requests(e):
    """429, with the Retry-After that abort(429, retry_after=...) gave."""
    body, code = _render(429, _detail(e))
    response = current_app.make_response((body, code))
    if getattr(e, "retry_after", None) is not None:
        response.headers["Retry-After"] = str(e.retry_after)
    return response


def init_app(app: Flask) -> None:
    for code in MESSAGES:
        if code not in (413, 429, 500):
            app.register_error_handler(code, lambda e, code=code: _render(code, _detail(e), e))
    app.register_error_handler(413, too_large)
    app.register_error_handler(429, too_many_requests)
    app.register_error_handler(500, internal_error)
    app.register_error_handler(Forbidden, lambda e: _render(403))
    app.register_error_handler(NotFound, lambda e: _render(404))
    app.register_error_handler(
        CSRFError,
        lambda e: _render(400, "Het formulier is verlopen. Laad de pagina opnieuw en probeer het nog eens."),
    )
