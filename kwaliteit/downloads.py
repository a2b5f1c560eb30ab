"""A file for the user to save: one response shape for every export (answers, results, the
dashboard's tables, a session's links). Personal data: never cached."""
from __future__ import annotations

from flask import current_app

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "txt": "text/plain; charset=utf-8",
    "json": "application/json; charset=utf-8",
}


def download(data: bytes, name: str, fmt: str):
    """`data` as the attachment `name`.`fmt` (fmt one of MIMETYPES; routes restrict it)."""
    response = current_app.response_class(data, mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response
