"""Helpers of the API tests: tokens for the world's accounts, and requests whose every response is
validated against the OpenAPI description (its status must be documented for the operation, its
body must match the documented schema)."""

from __future__ import annotations

import json

from jsonschema import Draft202012Validator, FormatChecker
from werkzeug.exceptions import MethodNotAllowed, NotFound

from kwaliteit import db as kdb
from kwaliteit.accounts.models import User
from kwaliteit.api import openapi
from kwaliteit.api.tokens import issue_token
from tests.conftest import NOW

API = openapi.PREFIX


def make_token(app, user, name: str = "Test", days: int | None = None) -> str:
    with kdb.new_session(app) as s:
        _row, token = issue_token(s, s.get(User, user.id), name, NOW, days)
        s.commit()
    return token


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def _validator(document: dict, schema: dict) -> Draft202012Validator:
    return Draft202012Validator({**schema, "components": document["components"]}, format_checker=FormatChecker())


def response_schema(app, method: str, path: str, status: int) -> dict:
    """The documented schema of this response; fails when the status is not documented."""
    document = openapi.document()
    try:
        endpoint, _ = app.url_map.bind("localhost").match(path, method=method)
    except (NotFound, MethodNotAllowed):
        assert status in (404, 405), f"{method} {path}: {status} for a path or method the API does not have"
        return openapi.ref("Error")
    ops = [op for op in openapi.OPERATIONS if op.endpoint == endpoint and op.method == method]
    if not ops:  # the description itself
        assert endpoint.startswith("api_docs."), endpoint
        return {}
    documented = document["paths"][ops[0].path][method.lower()]["responses"]
    assert str(status) in documented, f"{method} {path}: status {status} is not documented ({sorted(documented)})"
    return documented[str(status)]["content"]["application/json"]["schema"]


def check(app, response, method: str, path: str):
    """Assert the response is JSON matching its documented schema; return the body."""
    schema = response_schema(app, method, path.split("?")[0], response.status_code)
    if not schema:
        return response.get_json()
    assert response.mimetype == "application/json", f"{method} {path}: {response.mimetype}"
    body = response.get_json()
    errors = sorted(_validator(openapi.document(), schema).iter_errors(body), key=str)
    assert not errors, f"{method} {path} {response.status_code}: {errors[0].message} in {json.dumps(body)[:500]}"
    if response.status_code == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    return body


def call(app, client, method: str, url: str, token: str | None = None, body=None, **kwargs):
    """One API request, its response validated against the description. Returns the response."""
    headers = {**bearer(token), **kwargs.pop("headers", {})}
    if body is not None:
        kwargs["json"] = body
    response = client.open(url, method=method, headers=headers, **kwargs)
    assert response.status_code < 500, f"{method} {url}: {response.status_code} {response.get_data(as_text=True)[:300]}"
    check(app, response, method, url)
    return response
