"""The OpenAPI 3.1 description of the API, built from one Python structure: the schemas below and
the operations that kwaliteit.api.views registers next to each view (`operation`). The JSON at
/api/v1/openapi.json and the readable page are both made from it, and the tests validate every
response against it, so the description cannot drift from the views.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from evaluaties.answers.status import Status
from kwaliteit.api.errors import ERRORS
from kwaliteit.api.params import MAX_PER_PAGE
from kwaliteit.args import MAX_PAGE
from kwaliteit.certification.flags import QualificationState
from kwaliteit.cycles.status import ActionState, Phase, PhaseStatus
from kwaliteit.scope import MAX_ID
from kwaliteit.trainings.models import TrainingForm, TrainingKind

PREFIX = "/api/v1"
VERSION = "1.0.0"

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    if "$ref" in schema:
        return {"oneOf": [schema, {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


def obj(properties: dict[str, Schema], *, optional: tuple[str, ...] = (), description: str = "") -> Schema:
    """An object with exactly these properties, all required except `optional`."""
    schema: Schema = {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


ID: Schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
TEXT: Schema = {"type": "string"}
DATE: Schema = {"type": "string", "format": "date"}
DATETIME: Schema = {"type": "string", "format": "date-time"}
BOOL: Schema = {"type": "boolean"}
COUNT: Schema = {"type": "integer", "minimum": 0}


def enum(values) -> Schema:
    return {"type": "string", "enum": [v.value if hasattr(v, "value") else v for v in values]}


SCHEMAS: dict[str, Schema] = {
    "Error": obj(
        {
            "error": obj(
                {
                    "code": enum(code for code, _ in ERRORS.values()),
                    "message": TEXT,
                    "fields": {"type": "object", "additionalProperties": TEXT},
                    "error_id": TEXT,
                },
                optional=("error_id",),
            )
        },
        description="Elke fout: een code, een Nederlandse melding en per veld wat er mis is.",
    ),
    "Safeguard": obj(
        {"id": ID, "code": TEXT, "name": TEXT, "description": TEXT, "framework": TEXT},
        description="Een waarborg van het huidige kwaliteitskader.",
    ),
    "SafeguardLink": obj(
        {"code": TEXT, "name": TEXT, "rationale": TEXT},
        description="Hoe een training een waarborg dient.",
    ),
    "Training": obj(
        {
            "id": ID,
            "partnership_id": ID,
            "partnership": TEXT,
            "title": TEXT,
            "kind": enum(TrainingKind),
            "form": enum(TrainingForm),
            "contact_hours": {"type": "number", "minimum": 0, "maximum": 500},
            "description": TEXT,
            "active": BOOL,
            "organisation_ids": {"type": "array", "items": ID},
            "safeguards": {"type": "array", "items": ref("SafeguardLink")},
        }
    ),
    "TrainingRow": obj(
        {
            "id": ID,
            "partnership_id": ID,
            "partnership": TEXT,
            "title": TEXT,
            "kind": enum(TrainingKind),
            "form": enum(TrainingForm),
            "active": BOOL,
            "safeguard_count": COUNT,
            "session_count": COUNT,
        }
    ),
    "SafeguardLinkInput": obj(
        {"code": {"type": "string", "minLength": 1, "maxLength": 20}, "rationale": TEXT},
        description="Een waarborg (code uit het huidige kader) met de toelichting hoe de training hem dient.",
    ),
    "TrainingInput": obj(
        {
            "partnership_id": ID,
            "title": TEXT,
            "kind": enum(TrainingKind),
            "form": enum(TrainingForm),
            "contact_hours": {"type": "number", "minimum": 0, "maximum": 500},
            "description": TEXT,
            "organisation_ids": {"type": "array", "items": ID},
            "safeguards": {"type": "array", "items": ref("SafeguardLinkInput")},
        },
        optional=("description", "organisation_ids", "safeguards"),
        description="Een nieuwe training (partnership_id mag ontbreken als je er één mag beheren).",
    ),
    "TrainingPatch": {
        **obj(
            {
                "partnership_id": ID,
                "title": TEXT,
                "kind": enum(TrainingKind),
                "form": enum(TrainingForm),
                "contact_hours": {"type": "number", "minimum": 0, "maximum": 500},
                "description": TEXT,
                "active": BOOL,
                "organisation_ids": {"type": "array", "items": ID},
                "safeguards": {"type": "array", "items": ref("SafeguardLinkInput")},
            },
            optional=(
                "partnership_id", "title", "kind", "form", "contact_hours", "description", "active",
                "organisation_ids", "safeguards",
            ),
        ),
        "description": "Alleen de gegeven velden veranderen; `safeguards` vervangt alle koppelingen "
        "met het huidige kader.",
    },
    "Trainer": obj({"id": ID, "name": TEXT}),
    "Session": obj(
        {
            "id": ID,
            "training_id": ID,
            "training": TEXT,
            "partnership_id": ID,
            "date": DATE,
            "start_time": {"type": "string", "pattern": "^[0-9]{2}:[0-9]{2}$"},
            "location": TEXT,
            "participant_count": COUNT,
            "cancelled": BOOL,
            "trainers": {"type": "array", "items": ref("Trainer")},
        }
    ),
    "SessionInput": obj(
        {
            "date": DATE,
            "start_time": {"type": "string", "pattern": "^[0-9]{2}:[0-9]{2}$"},
            "location": TEXT,
            "trainer_ids": {"type": "array", "items": ID, "minItems": 1},
            "participant_count": {"type": "integer", "minimum": 0, "maximum": 1000},
        },
        optional=("participant_count",),
    ),
    "EvaluationRequest": obj(
        {
            "session_id": ID,
            "training_id": ID,
            "training": TEXT,
            "partnership": TEXT,
            "session_date": DATE,
            "due": DATE,
            "status": enum(Status),
            "status_label": TEXT,
            "submitted_at": nullable(DATETIME),
            "locked": BOOL,
            "trainers": {"type": "array", "items": ref("Trainer")},
        },
        description="De trainersevaluatie die een bijeenkomst verschuldigd is, met de status op `today`.",
    ),
    "TrainerEvaluationInput": obj(
        {
            "answers": {
                "type": "object",
                "description": "Per vraagcode het antwoord: tekst of getal; bij meerkeuze een lijst van opties.",
                "additionalProperties": {
                    "oneOf": [
                        {"type": "string"},
                        {"type": "number"},
                        {"type": "boolean"},
                        {"type": "array", "items": {"type": "string"}},
                    ]
                },
            }
        }
    ),
    "TrainerEvaluation": obj(
        {"session_id": ID, "submitted_at": DATETIME, "answers": {"type": "object", "additionalProperties": TEXT}}
    ),
    "PartnershipFigures": obj(
        {
            "id": ID,
            "name": TEXT,
            "overdue": COUNT,
            "due_soon": COUNT,
            "low_response": COUNT,
            "without_links": COUNT,
            "sessions": COUNT,
            "held": COUNT,
        }
    ),
    "Dashboard": obj(
        {
            "today": DATE,
            "headline": obj(
                {
                    "overdue": COUNT,
                    "due_soon": COUNT,
                    "low_response": COUNT,
                    "without_links": COUNT,
                    "trainings_without_safeguard": COUNT,
                    "safeguards_uncovered": COUNT,
                    "overdue_phases": COUNT,
                    "overdue_actions": COUNT,
                }
            ),
            "partnerships": {"type": "array", "items": ref("PartnershipFigures")},
        },
        description="De kerncijfers van het dashboard op de peildatum `today`.",
    ),
    "TrainerQualification": obj(
        {
            "person_id": ID,
            "name": TEXT,
            "organisation": TEXT,
            "partnership": TEXT,
            "state": enum(QualificationState),
            "state_label": TEXT,
            "completed_on": nullable(DATE),
            "valid_until": nullable(DATE),
            "active": BOOL,
        },
        description="Een trainer met de stand van zijn registratie train-de-trainer op `today`.",
    ),
    "Certificate": obj(
        {
            "id": ID,
            "person_id": ID,
            "name": TEXT,
            "partnership_id": ID,
            "kind": enum(TrainingKind),
            "number": TEXT,
            "issued_on": DATE,
            "valid_until": nullable(DATE),
            "valid": BOOL,
            "training_id": nullable(ID),
            "session_id": nullable(ID),
        }
    ),
    "Cycle": obj(
        {
            "id": ID,
            "training_id": ID,
            "training": TEXT,
            "partnership": TEXT,
            "school_year": {"type": "integer"},
            "phases": {
                "type": "object",
                "properties": {p.value: enum(PhaseStatus) for p in Phase},
                "required": [p.value for p in Phase],
                "additionalProperties": False,
            },
            "open_actions": COUNT,
            "overdue_actions": COUNT,
        }
    ),
    "ImprovementAction": obj(
        {
            "id": ID,
            "cycle_id": ID,
            "description": TEXT,
            "finding": TEXT,
            "owner": nullable(TEXT),
            "due_on": DATE,
            "status": TEXT,
            "state": enum(ActionState),
            "public": BOOL,
            "done_on": nullable(DATE),
        }
    ),
}


def page_of(name: str) -> Schema:
    return obj(
        {
            "items": {"type": "array", "items": ref(name)},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": COUNT,
            "pages": {"type": "integer", "minimum": 1},
        },
        description=f"Een pagina van een lijst van {name}.",
    )


def list_of(name: str) -> Schema:
    return obj({"items": {"type": "array", "items": ref(name)}})


@dataclass
class Param:
    name: str
    schema: Schema
    description: str
    where: str = "query"
    required: bool = False

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "in": self.where,
            "required": self.required or self.where == "path",
            "description": self.description,
            "schema": self.schema,
        }


def path_id(name: str, what: str) -> Param:
    return Param(name, ID, f"Id van {what}.", where="path", required=True)


PAGE_PARAMS = (
    Param("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, "Paginanummer (standaard 1)."),
    Param("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}, "Regels per pagina."),
)
TODAY = Param("today", DATE, "Peildatum (jjjj-mm-dd); standaard vandaag.")


@dataclass
class Operation:
    """One operation of the API: what the description says about a view."""

    method: str
    path: str  # OpenAPI form: /trainings/{training_id}
    endpoint: str
    summary: str
    description: str
    tag: str
    roles: tuple[str, ...]
    params: tuple[Param, ...] = ()
    body: str | None = None  # schema name of the JSON body
    response: Schema | None = None
    status: int = 200
    errors: tuple[int, ...] = field(default=())
    operation_id: str = ""


OPERATIONS: list[Operation] = []

TAGS = [
    ("Waarborgen", "Het kwaliteitskader."),
    ("Trainingen", "Trainingen en hun koppelingen met waarborgen."),
    ("Bijeenkomsten", "Bijeenkomsten van een training."),
    ("Evaluaties", "Trainersevaluaties en hun afgeleide status."),
    ("Dashboard", "Kerncijfers."),
    ("Register", "Registraties train-de-trainer en certificaten van mentoren."),
    ("Cycli", "Kwaliteitscycli en verbeteracties."),
]


def _error_response(status: int) -> dict:
    return {
        "description": ERRORS[status][1],
        "content": {"application/json": {"schema": ref("Error")}},
    }


def _operation(op: Operation) -> dict:
    errors = {400, 401, 403, 429, 500, *op.errors}
    if any(p.where == "path" for p in op.params):
        errors.add(404)
    if op.body is not None:
        errors |= {409, 413, 415, 422}
    responses: dict[str, dict] = {
        str(op.status): {
            "description": "Gelukt.",
            "content": {"application/json": {"schema": op.response}},
        }
    }
    responses |= {str(code): _error_response(code) for code in sorted(errors)}
    roles = ", ".join(op.roles)
    result = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "description": f"{op.description}\n\nRollen: {roles}.".strip(),
        "tags": [op.tag],
        "parameters": [p.to_dict() for p in op.params],
        "responses": responses,
    }
    if op.body is not None:
        result["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(op.body)}},
        }
    return result


def document(server_url: str = PREFIX) -> dict:
    """The OpenAPI document."""
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "kwaliteit API",
            "version": VERSION,
            "description": (
                "JSON-API van kwaliteit. Log in met een persoonlijk API-token (zelf te maken onder "
                "‘API-tokens’ of met `flask --app wsgi create-token EMAIL`) in de header "
                "`Authorization: Bearer <token>`. Een token heeft de rol en partnerschappen van zijn "
                "gebruiker. Fouten hebben altijd de vorm {\"error\": {\"code\", \"message\", \"fields\"}}."
            ),
        },
        "servers": [{"url": server_url}],
        "tags": [{"name": name, "description": text} for name, text in TAGS],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "Persoonlijk API-token (kw_...)."}
            },
            "schemas": SCHEMAS
            | {f"{name}Page": page_of(name) for name in PAGED}
            | {f"{name}List": list_of(name) for name in LISTED},
        },
    }


# The objects that come in pages, and those that come as one list.
PAGED = ("TrainingRow", "Session", "EvaluationRequest", "TrainerQualification", "Certificate", "Cycle",
         "ImprovementAction")
LISTED = ("Safeguard",)
