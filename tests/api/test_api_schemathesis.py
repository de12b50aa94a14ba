"""The app against its own OpenAPI schema: no server errors, no response outside it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from api_test_helpers import nurse_on_shift, patient_on_shift, publish
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hjemmetjeneste.api import create_app

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def api_schema(settings, auth, template) -> Iterator[schemathesis.BaseSchema]:
    """The schema of a started app whose store holds a published plan."""
    app = create_app(settings)
    with TestClient(app) as client:
        assert publish(client, auth("planner", "planner-1"), template.run_id).status_code == 201
        yield schemathesis.openapi.from_asgi("/openapi.json", app, headers=auth("admin", "admin-1"))


def _role_for(path: str) -> str:
    if path.startswith("/v1/nurse"):
        return "nurse"
    if path.startswith("/v1/patient/"):
        return "patient"
    if path.startswith("/v1/patients/"):
        return "specialist"
    if path.startswith("/v1/audit"):
        return "admin"
    return "planner"


def test_every_operation_conforms_to_the_schema(api_schema, auth, template):
    """Generated requests to every operation with a valid token of its role: never a 5xx,
    and every status, header, content type and body is one the schema declares."""
    people = {
        "nurse": nurse_on_shift(template.result),
        "patient": patient_on_shift(template.result),
    }
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 18
    for operation in operations:
        if operation.path == "/v1/staffing":
            continue  # seconds of routing per request: tests/api/test_api_staffing.py
        role = _role_for(operation.path)
        failures += _fuzz(operation, auth(role, people.get(role, f"{role}-1")))
    assert not failures, "\n\n".join(failures)


def _fuzz(operation, headers: dict[str, str]) -> list[str]:
    """Run the generated cases of one operation; the failure found, if any."""

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=10,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        check()
    except Exception as exc:
        return [f"{operation.label}: {str(exc)[:2000]}"]
    return []
