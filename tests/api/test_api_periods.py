"""POST /v1/periods: the planner's whole period on the executor, scoped to her municipality."""

from __future__ import annotations

import time

from api_test_helpers import OTHER


def _finished(client, url: str, headers: dict[str, str]) -> dict:
    """Poll a period run until it ends; it must have succeeded."""
    deadline = time.monotonic() + 120
    while (state := client.get(url, headers=headers).json())["status"] == "running":
        assert time.monotonic() < deadline, state
        time.sleep(0.2)
    assert state["status"] == "succeeded", state
    return state


def test_a_planner_plans_a_period_and_only_her_municipality_sees_it(client, auth):
    """Started in the background, polled to success; other municipalities get 404, nurses 403."""
    planner = auth("planner", "planner-1")
    body = {"first": "2026-12-01", "last": "2026-12-01", "shifts": ["night"]}
    body |= {"solution_limit": 5, "lending": False}
    started = client.post("/v1/periods", json=body, headers=planner)
    assert started.status_code == 202, started.text
    period_id = started.json()["period_id"]
    url = f"/v1/periods/{period_id}"
    state = _finished(client, url, planner)
    assert state["units_total"] == state["units_done"] == 1
    (unit,) = state["units"]
    assert unit["district_id"] == "trd-ost" and unit["shift"] == "night" and unit["error"] is None
    assert unit["visits_placed"] > 0
    assert client.get(url, headers=auth("planner", "p-2", OTHER)).status_code == 404
    assert client.get(url, headers=auth("nurse", "S001")).status_code == 403


def test_a_period_longer_than_a_month_is_refused(client, auth):
    """More than 31 days, or last before first: 422 before any work starts."""
    planner = auth("planner", "planner-1")
    for first, last in (("2026-12-01", "2027-01-15"), ("2026-12-02", "2026-12-01")):
        answer = client.post("/v1/periods", json={"first": first, "last": last}, headers=planner)
        assert answer.status_code == 422


def test_a_second_period_while_one_runs_is_a_conflict(client, auth):
    """One period run per municipality at a time: the second POST gets 409."""
    planner = auth("planner", "planner-1")
    body = {"first": "2026-12-01", "last": "2026-12-01", "shifts": ["night"]}
    body |= {"solution_limit": 1, "lending": False}
    first = client.post("/v1/periods", json=body, headers=planner)
    assert first.status_code == 202
    assert client.post("/v1/periods", json=body, headers=planner).status_code == 409
    _finished(client, f"/v1/periods/{first.json()['period_id']}", planner)
