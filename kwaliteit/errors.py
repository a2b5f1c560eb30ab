"""Error pages in Dutch; JSON for the API. Scope errors from services become 403/404."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError

from kwaliteit.scope import Forbidden, NotFound

MESSAGES = {
    400: ("Ongeldig verzoek", "Het verzoek kon niet worden verwerkt."),
    403: ("Geen toegang", "Je hebt geen toegang tot deze pagina."),
    404: ("Niet gevonden", "Deze pagina bestaat niet (meer)."),
    405: ("Niet toegestaan", "Deze handeling is hier niet toegestaan."),
    413: ("Bestand te groot", "Het bestand is groter dan is toegestaan."),
    500: ("Er ging iets mis", "Er ging iets mis aan onze kant. Probeer het later opnieuw."),
}


def _render(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    if request.path.startswith("/api/"):
        return jsonify(error=title, message=detail or message), code
    return render_template("error.html", code=code, title=title, message=detail or message), code


def init_app(app: Flask) -> None:
    for code in MESSAGES:
        app.register_error_handler(code, lambda e, code=code: _render(code))
    app.register_error_handler(Forbidden, lambda e: _render(403))
    app.register_error_handler(NotFound, lambda e: _render(404))
    app.register_error_handler(
        CSRFError,
        lambda e: _render(400, "Het formulier is verlopen. Laad de pagina opnieuw en probeer het nog eens."),
    )
