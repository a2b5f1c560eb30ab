"""A file for the user to save: one response shape for every export (answers, results, the
dashboard's tables, a session's links, the audit log). Personal data: never cached. Every
download is written to the audit log ("exported", with the file's name)."""
from __future__ import annotations

from flask import current_app, g

from kwaliteit import db
from kwaliteit.audit.models import AuditAction
from kwaliteit.audit.recording import record

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "txt": "text/plain; charset=utf-8",
    "json": "application/json; charset=utf-8",
}


def _record_export(file_name: str, partnership_id: int | None) -> None:
    """In a transaction of its own: an export is a read (a GET, whose request session only reads
    and never commits). Without a partnership given, the one partnership of the user's scope
    (a coordinator of one partnership), else none: then only admins see the entry."""
    if partnership_id is None:
        scope = g.get("scope")
        if scope is not None and scope.partnership_ids is not None and len(scope.partnership_ids) == 1:
            partnership_id = next(iter(scope.partnership_ids))
    with db.new_session() as s:
        record(s, AuditAction.EXPORTED, "export", None, partnership_id, file_name)
        s.commit()


def download(data: bytes, name: str, fmt: str, partnership_id: int | None = None):
    """`data` as the attachment `name`.`fmt` (fmt one of MIMETYPES; routes restrict it). `name`
    goes into the audit log: it must name no person (ids and dates only)."""
    _record_export(f"{name}.{fmt}", partnership_id)
    response = current_app.response_class(data, mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response
