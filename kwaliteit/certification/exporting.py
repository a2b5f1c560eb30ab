"""Export of the register: every mentor of the filters with school, board and e-mail, one row per
certificate (a mentor without one gets one row without), and the path stage. The columns and
their values are those the register import recognises, so an export imports again as it is."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from evaluaties.transfer import exporting
from kwaliteit.certification import flags
from kwaliteit.certification.flags import RegisterFilters
from kwaliteit.certification.models import Certificate
from kwaliteit.scope import Forbidden, Scope

HEADER = [
    "Partnerschap",
    "Naam",
    "E-mailadres",
    "School",
    "Bestuur",
    "Soort training",
    "Datum",
    "Certificaatnummer",
    "Uitgegeven door",
    "Geldig tot",
    "Fase",
    "Volgende stap",
    "Volgende stap vóór",
]
# How an export writes a certificate without an end date; the import reads it back as such.
NO_END = "geen einddatum"
_CHUNK = 900


def register_rows(db: Session, scope: Scope, filters: RegisterFilters, today: date) -> list[list]:
    """The export's rows (a fixed number of statements per 900 mentors). Admins and coordinators
    only: the file holds e-mail addresses."""
    if not scope.may_manage():
        raise Forbidden()
    mentors = flags.all_mentors(db, scope, filters, today)
    ids = [m.person.id for m in mentors]
    by_person: dict[int, list[Certificate]] = defaultdict(list)
    for i in range(0, len(ids), _CHUNK):
        for cert in db.scalars(
            select(Certificate)
            .where(Certificate.person_id.in_(ids[i : i + _CHUNK]), scope.condition(Certificate.partnership_id))
            .order_by(Certificate.person_id, Certificate.issued_on, Certificate.id)
        ):
            by_person[cert.person_id].append(cert)
    rows: list[list] = []
    for m in mentors:
        step = m.next_step
        person = [m.partnership_name, m.person.name, m.person.email or "", m.school_name or "", m.board_name or ""]
        path = [m.stage.label, step.text, step.on]
        for c in by_person.get(m.person.id) or (None,):
            if c is None:
                rows.append(person + [None] * 5 + path)
            else:
                until = c.valid_until if c.valid_until is not None else NO_END
                rows.append(person + [c.kind.label, c.issued_on, c.number, c.issued_by.label, until] + path)
    return rows


def register_csv(rows: list[list]) -> bytes:
    return exporting.to_csv(HEADER, rows)


def register_xlsx(rows: list[list]) -> bytes:
    return exporting.to_xlsx([("Register", HEADER, rows)])
