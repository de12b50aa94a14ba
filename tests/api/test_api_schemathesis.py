"""The app against its own OpenAPI schema: no server errors, no response outside it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from api_test_helpers import nurse_on_shift, patient_on_shift, publish
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hjemmetjeneste.api import create_app
from hjemmetjeneste.api.runner import PlanRunJob, RunOutcome

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def _not_solved(job: PlanRunJob, report) -> RunOutcome:
    """Runs end at once here: the schema tests exercise the API, not the solver."""
    report(1.0, None)
    return RunOutcome("failed", error="not solved in the schema tests")


@pytest.fixture
def api_schema(settings, auth, template) -> Iterator[schemathesis.BaseSchema]:
    """The schema of a started app whose store holds a published plan (rate limits high
    enough for generated traffic; runs end at once)."""
    fast = settings.model_copy(update={"api_rate_per_token": 1e6, "api_burst_per_token": 1e6})
    fast = fast.model_copy(update={"api_rate_per_ip": 1e6, "api_burst_per_ip": 1e6})
    app = create_app(fast, executor=_not_solved)
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


def test_stateful_workflows_follow_the_links(api_schema, auth, template):
    """Schemathesis' state machine over the OpenAPI links (a queued run to its status,
    cancel, result, publish and pins; a pin to its deletion): every step conforms and no
    sequence of calls finds a server error."""
    people = {
        "nurse": nurse_on_shift(template.result),
        "patient": patient_on_shift(template.result),
    }
    links = [
        op
        for op in (result.ok() for result in api_schema.get_all_operations())
        if op.path.startswith("/v1/runs")
    ]
    assert any("links" in str(op.definition.raw) for op in links)
    # valid requests with the role's token (no generated Authorization headers): the point
    # here is the sequences, the single-call fuzzing above covers invalid input
    api_schema.config.generation.update(
        modes=[GenerationMode.POSITIVE], with_security_parameters=False
    )
    # the runs' and pins' workflow only: the state machine then spends its steps on the links
    # (with every router in the schema, most rounds never queued a run)
    base = api_schema.include(path_regex=r"^/v1/(runs|pins|districts)").as_state_machine()
    seen: list[tuple[str, int]] = []

    class Workflow(base):  # type: ignore[misc, valid-type]
        def after_call(self, response, case: schemathesis.Case) -> None:
            seen.append((case.operation.label, response.status_code))

        def get_call_kwargs(self, case: schemathesis.Case) -> dict:
            role = _role_for(case.operation.path)
            return {"headers": auth(role, people.get(role, f"{role}-1"))}

        def validate_response(self, response, case, additional_checks=None, **kwargs) -> None:
            case.validate_response(response, checks=CHECKS)

    def followed_a_run_link() -> bool:
        """A run queued by the workflow was then reached by the id its link carried."""
        return ("POST /v1/runs", 202) in seen and any(
            "{run_id}" in label and code not in (401, 404, 422, 429) for label, code in seen
        )

    # Each round checks every step (a failure raises at once). Schemathesis draws some of its
    # choices from true randomness, so a round may stay on the roots; up to three rounds
    # until a run's links were followed.
    for _ in range(3):
        Workflow.run(
            settings=hypothesis_settings(
                max_examples=50,
                stateful_step_count=6,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
        )
        if followed_a_run_link():
            break
    assert followed_a_run_link(), sorted(set(seen))
