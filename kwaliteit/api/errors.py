"""The one error body of the API, for every status under /api/v1 (also an unknown path, a wrong
method and a 500):

    {"error": {"code": "not_found", "message": "...", "fields": {...}}}

`message` is Dutch, as everywhere in the application; `fields` names what is wrong per field
(a body's property or a query argument) and is empty when the error is about the whole request.
"""

from __future__ import annotations

import logging

from flask import Response, jsonify

log = logging.getLogger(__name__)

# Status -> (code, default message).
ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "Het verzoek is ongeldig."),
    401: ("unauthorized", "Geef een geldig API-token mee: Authorization: Bearer <token>."),
    403: ("forbidden", "Je hebt geen toegang tot dit gegeven of deze handeling."),
    404: ("not_found", "Dit adres of dit gegeven bestaat niet."),
    405: ("method_not_allowed", "Deze methode is hier niet toegestaan."),
    409: ("conflict", "Dit kan niet in de huidige toestand van het gegeven."),
    413: ("payload_too_large", "Het verzoek is te groot."),
    415: ("unsupported_media_type", "Stuur de gegevens als JSON (Content-Type: application/json)."),
    422: ("validation_failed", "De gegevens zijn niet geldig."),
    429: ("too_many_requests", "Te veel pogingen. Probeer het later opnieuw."),
    500: ("internal_error", "Er ging iets mis aan onze kant. Probeer het later opnieuw."),
}

REALM = 'Bearer realm="kwaliteit"'


class ApiError(Exception):
    """An error answered with the API's error body (raised by the API's views and helpers)."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ):
        self.status = status
        self.message = message or ERRORS.get(status, ERRORS[500])[1]
        self.fields = fields or {}
        self.headers = headers or {}
        super().__init__(self.message)


def error_response(
    status: int,
    message: str | None = None,
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    **extra,
) -> Response:
    code, default = ERRORS.get(status, ERRORS[500])
    body = {"code": code, "message": message or default, "fields": fields or {}, **extra}
    response = jsonify(error=body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = REALM
    for name, value in (headers or {}).items():
        response.headers[name] = value
    response.headers["Cache-Control"] = "no-store"
    return response


def handle_api_error(e: ApiError) -> Response:
    return error_response(e.status, e.message, e.fields, e.headers)


def validation_fields(errors: dict[str, str], names: dict[str, str] | None = None) -> tuple[str, dict[str, str]]:
    """The message and fields of a ValidationError's errors: errors without a field (key "") make
    the message; `names` renames the service's or form's field names to the API's."""
    names = names or {}
    general = [message for key, message in errors.items() if not key]
    fields = {names.get(key, key): message for key, message in errors.items() if key}
    return (" ".join(general) or ERRORS[422][1]), fields
