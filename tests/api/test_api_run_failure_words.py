"""A failed run says why in the planner's language: the reason is kept as a catalogue
phrase with the run and worded when read, bokmål by default and English with ``?lang=en``;
an internal error names its kind only, never the data in its message."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from api_test_helpers import DAY, SHIFT, wait_for_run
from fastapi.testclient import TestClient

from hjemmetjeneste.api import create_app
from hjemmetjeneste.api.runner import PlanRunJob, Report, RunOutcome
from hjemmetjeneste.errors import dates_out_of_order
from hjemmetjeneste.settings import Settings

RUN = {"district_id": "trd-ost", "date": DAY.isoformat(), "shift": SHIFT.value}


def refused(job: PlanRunJob, report: Report) -> RunOutcome:
    """A run whose request the data refuses (the error the pipeline raises)."""
    raise dates_out_of_order(date(2026, 12, 3), date(2026, 12, 1))


def crashed(job: PlanRunJob, report: Report) -> RunOutcome:
    """A run that fails on a bug, its message holding a patient's name."""
    raise RuntimeError("broke on Kari Nordmann's visit")


@pytest.fixture
def make_client(settings: Settings) -> Iterator:
    clients: list[TestClient] = []

    def make(executor) -> TestClient:
        client = TestClient(create_app(settings, executor=executor))
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def _failed_run(client: TestClient, headers: dict[str, str]) -> str:
    run = client.post("/v1/runs", json=RUN, headers=headers).json()
    assert wait_for_run(client, headers, run["run_id"])["status"] == "failed"
    return run["run_id"]


def test_a_refused_request_is_worded_in_bokmal_and_english(make_client, auth):
    client, planner = make_client(refused), auth("planner", "planner-1")
    run_id = _failed_run(client, planner)
    nb = client.get(f"/v1/runs/{run_id}", headers=planner).json()["error"]
    en = client.get(f"/v1/runs/{run_id}", params={"lang": "en"}, headers=planner).json()["error"]
    assert en == "last date 2026-12-01 is before first date 2026-12-03"
    assert nb == "siste dato 2026-12-01 er før første dato 2026-12-03"
    listed = client.get("/v1/runs", params={"lang": "en"}, headers=planner).json()
    assert next(r for r in listed if r["run_id"] == run_id)["error"] == en
    stream = client.get(f"/v1/planner/runs/{run_id}/events", headers=planner).text
    assert nb in stream and "ValueError" not in stream


def test_an_internal_error_names_its_kind_and_no_data(make_client, auth):
    client, planner = make_client(crashed), auth("planner", "planner-1")
    run_id = _failed_run(client, planner)
    nb = client.get(f"/v1/runs/{run_id}", headers=planner).json()["error"]
    en = client.get(f"/v1/runs/{run_id}", params={"lang": "en"}, headers=planner).json()["error"]
    assert nb.startswith("planleggingen stoppet på en intern feil (RuntimeError)")
    assert en.startswith("the plan stopped on an internal error (RuntimeError)")
    assert "Kari" not in nb + en
