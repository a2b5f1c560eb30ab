"""The API's description without a token: /api/v1/openapi.json and a readable page at /api/v1/.

The page is plain server-rendered HTML (the CSP allows no script from elsewhere, and none is
needed): every operation with its parameters, body and responses, and every schema.
"""

from __future__ import annotations

import json

from flask import Blueprint, jsonify, render_template

from kwaliteit.api import openapi

bp = Blueprint("api_docs", __name__, url_prefix=openapi.PREFIX)


@bp.route("/openapi.json")
def openapi_json():
    return jsonify(openapi.document())


def _type(schema: dict) -> str:
    """A schema in a few words for the page: 'Training', 'lijst van Trainer', 'string (date)'."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "oneOf" in schema:
        return " of ".join(_type(s) for s in schema["oneOf"])
    kind = schema.get("type", "")
    if isinstance(kind, list):
        kind = " of ".join(kind)
    if kind == "array":
        return f"lijst van {_type(schema.get('items', {}))}"
    if "enum" in schema:
        return "één van: " + ", ".join(str(v) for v in schema["enum"])
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return kind or "object"


@bp.route("/")
def page():
    document = openapi.document()
    operations = [
        (path, method.upper(), op) for path, methods in document["paths"].items() for method, op in methods.items()
    ]
    return render_template(
        "api/docs.html",
        document=document,
        operations=operations,
        schemas=document["components"]["schemas"],
        type_of=_type,
        example=json.dumps({"error": {"code": "not_found", "message": "…", "fields": {}}}, ensure_ascii=False),
    )
