"""Objects of the services as the API's JSON: one function per schema of kwaliteit.api.openapi."""

from __future__ import annotations

from datetime import date, datetime

from kwaliteit.pagination import Page


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def page(p: Page, item) -> dict:
    return {
        "items": [item(row) for row in p.items],
        "page": p.page,
        "per_page": p.page_size,
        "total": p.total,
        "pages": p.pages,
    }


def safeguard(s) -> dict:
    return {
        "id": s.id,
        "code": s.code,
        "name": s.name,
        "description": s.description or "",
        "framework": f"{s.framework.name} {s.framework.version}",
    }


def training(t, links) -> dict:
    return {
        "id": t.id,
        "partnership_id": t.partnership_id,
        "partnership": t.partnership.name,
        "title": t.title,
        "kind": t.kind.value,
        "form": t.form.value,
        "contact_hours": float(t.contact_hours),
        "description": t.description or "",
        "active": bool(t.active),
        "organisation_ids": [o.id for o in t.organisations],
        "safeguards": [
            {"code": link.safeguard.code, "name": link.safeguard.name, "rationale": link.rationale} for link in links
        ],
    }


def training_row(row) -> dict:
    t = row.training
    return {
        "id": t.id,
        "partnership_id": t.partnership_id,
        "partnership": row.partnership_name,
        "title": t.title,
        "kind": t.kind.value,
        "form": t.form.value,
        "active": bool(t.active),
        "safeguard_count": int(row.safeguard_count or 0),
        "session_count": int(row.session_count or 0),
    }


def trainers(people) -> list[dict]:
    return [{"id": p.id, "name": p.name} for p in people]


def session(ts) -> dict:
    return {
        "id": ts.id,
        "training_id": ts.training_id,
        "training": ts.training.title,
        "partnership_id": ts.training.partnership_id,
        "date": day(ts.date),
        "start_time": ts.start_time.strftime("%H:%M"),
        "location": ts.location,
        "participant_count": ts.participant_count,
        "cancelled": ts.cancelled_at is not None,
        "trainers": trainers(ts.trainers),
    }


def evaluation_request(row) -> dict:
    request = row.request
    return {
        "session_id": row.session.id,
        "training_id": row.training.id,
        "training": row.training.title,
        "partnership": row.partnership_name,
        "session_date": day(row.session.date),
        "due": day(row.due),
        "status": row.status.value,
        "status_label": row.status.label,
        "submitted_at": moment(request.submitted_at) if request is not None else None,
        "locked": row.locked,
        "trainers": trainers(row.session.trainers),
    }


def dashboard(d) -> dict:
    h = d.headline
    return {
        "today": day(d.filters.reference),
        "headline": {
            "overdue": h.overdue,
            "due_soon": h.due_soon,
            "low_response": h.low_response,
            "without_links": h.without_links,
            "trainings_without_safeguard": h.trainings_without_safeguard,
            "safeguards_uncovered": h.safeguards_uncovered,
            "overdue_phases": h.overdue_phases,
            "overdue_actions": h.overdue_actions,
        },
        "partnerships": [
            {
                "id": p.id,
                "name": p.name,
                "overdue": p.overdue,
                "due_soon": p.due_soon,
                "low_response": p.low_response,
                "without_links": p.without_links,
                "sessions": p.sessions,
                "held": p.held,
            }
            for p in d.partnerships
        ],
    }


def trainer_qualification(row) -> dict:
    return {
        "person_id": row.person.id,
        "name": row.person.name,
        "organisation": row.organisation_name,
        "partnership": row.partnership_name,
        "state": row.state.value,
        "state_label": row.state.label,
        "completed_on": day(row.completed_on),
        "valid_until": day(row.valid_until),
        "active": row.active,
    }


def certificate(row) -> dict:
    c = row.certificate
    return {
        "id": c.id,
        "person_id": c.person_id,
        "name": row.person_name,
        "partnership_id": c.partnership_id,
        "kind": c.kind.value,
        "number": c.number,
        "issued_on": day(c.issued_on),
        "valid_until": day(c.valid_until),
        "valid": row.valid,
        "training_id": c.training_id,
        "session_id": c.session_id,
    }


def cycle(row) -> dict:
    c = row.cycle
    return {
        "id": c.id,
        "training_id": row.training.id,
        "training": row.training.title,
        "partnership": row.partnership_name,
        "school_year": c.school_year,
        "phases": {phase.value: status.value for phase, status in row.statuses.items()},
        "open_actions": row.open_actions,
        "overdue_actions": row.overdue_actions,
    }


def action(row) -> dict:
    a = row.action
    return {
        "id": a.id,
        "cycle_id": a.cycle_id,
        "description": a.description,
        "finding": a.finding or "",
        "owner": row.owner_name,
        "due_on": day(a.due_on),
        "status": a.status.value,
        "state": row.state.value,
        "public": bool(a.public),
        "done_on": day(a.done_on),
    }
