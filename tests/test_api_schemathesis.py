"""schemathesis against the API, from its own OpenAPI description, with an admin's token: for every
operation a bounded number of generated requests (valid and invalid), on the test database. No
500, every response matches its documented status, content type and schema, invalid requests are
refused, and a request without the token is refused (schemathesis' checks)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

# The description as the app serves it (the views register their operations when imported).
import kwaliteit.api.views  # noqa: F401
from kwaliteit.api import openapi
from tests.api_support import bearer, make_token
from tests.test_authz import _build_world


@pytest.fixture
def world(app):
    """The authorization matrix's world (questionnaires, links, register, cycles), built for each
    test: these tests write, and start from an empty database."""
    return _build_world(app)

EXAMPLES = 10  # per operation; the whole file stays well under a minute per database


schema = schemathesis.openapi.from_dict(openapi.document())


@pytest.fixture
def admin_token(app, world):
    return make_token(app, world.admin)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_description(case, app, admin_token):
    # positive_data_acceptance is left out: a request the schema allows may still break a rule the
    # schema cannot say (a title already taken, a date beyond the bounds from today): 409 or 422.
    case.operation.schema.app = app  # the session's test app: requests go to it in-process (WSGI)
    case.call_and_validate(
        app=app,
        base_url="http://localhost" + openapi.PREFIX, headers=bearer(admin_token), excluded_checks=[positive_data_acceptance]
    )
