"""Plan runs in workers (progress, cancel, pins, restart), imports, and what nurses and
patients get from published plans."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from api_test_helpers import (
    DEMO,
    OWN,
    nurse_on_shift,
    patient_on_shift,
    publish,
    record_succeeded_run,
    wait_for_run,
)
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import update

from hjemmetjeneste.api import create_app
from hjemmetjeneste.store import create_store_engine, runs

DAY = {"date": "2026-12-01", "shift": "day"}


def test_a_run_solves_in_a_worker_and_a_pinned_visit_goes_to_its_caregiver(client, auth, template):
    """POST /v1/runs answers 202 at once; the worker reports progress and finishes with
    KPIs; a (single-staffed) visit pinned to another caregiver lands on that caregiver or is
    reported as a pin conflict, never on anyone else. (A pin on a double-staffed visit binds
    one of its two caregivers; the other is free.)"""
    planner = auth("planner", "planner-1")
    owner, visit = next(
        (w, v) for w in template.result.worklists for v in w.visits if not v.partner_staff_ids
    )
    others = [w for w in template.result.worklists if w.staff_id != owner.staff_id]
    same = [w for w in others if w.competence == owner.competence]
    target = (same or others)[0].staff_id
    pinned = client.post(
        f"/v1/runs/{template.run_id}/pins",
        json={"visit_id": visit.visit_id, "staff_id": target},
        headers=planner,
    )
    assert pinned.status_code == 201
    started = client.post("/v1/runs", json={**DAY, "time_limit_s": 1}, headers=planner)
    assert started.status_code == 202
    assert started.json()["status"] == "queued"
    assert started.json()["pins"] == len(visit.tasks)
    final = wait_for_run(client, planner, started.json()["run_id"])
    assert final["status"] == "succeeded", final
    assert final["progress"] == 1.0 and final["kpis"]["visits_total"] > 0
    result = client.get(f"/v1/runs/{final['run_id']}/result", headers=planner).json()["result"]
    holders = {
        w["staff_id"]
        for w in result["worklists"]
        for v in w["visits"]
        if v["visit_id"] == visit.visit_id
    }
    conflicts = {u["reason"] for u in result["unplaced"] if u["visit_id"] == visit.visit_id}
    assert holders == {target} or (not holders and conflicts == {"pin_conflict"})


def test_cancel_stops_a_running_solve(client, auth):
    """A long run is cancelled within seconds of the request, not at its time limit."""
    planner = auth("planner", "planner-1")
    started = client.post("/v1/runs", json={**DAY, "time_limit_s": 120}, headers=planner)
    run_id = started.json()["run_id"]
    deadline = time.monotonic() + 60
    while client.get(f"/v1/runs/{run_id}", headers=planner).json()["status"] == "queued":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    asked = time.monotonic()
    assert client.post(f"/v1/runs/{run_id}/cancel", headers=planner).status_code == 202
    final = wait_for_run(client, planner, run_id, timeout_s=30)
    assert final["status"] == "cancelled"
    assert time.monotonic() - asked < 30
    assert client.get(f"/v1/runs/{run_id}/result", headers=planner).status_code == 409


def test_runs_and_publications_survive_a_restart_and_stale_runs_are_marked(
    settings, auth, template
):
    """A new app over the same store serves the old run and publication; a run left
    'running' by a stopped server is marked interrupted at start."""
    planner = auth("planner", "planner-1")
    with TestClient(create_app(settings)) as first:
        assert publish(first, planner, template.run_id).status_code == 201
    engine = create_store_engine(settings.database_url)
    orphan = runs.create_run(
        engine,
        municipality_id=OWN,
        district_id="trd-ost",
        plan_date=template.result.date,
        shift="day",
        params={"time_limit_s": 1.0, "pins": 0},
        created_by="planner-1",
    )
    runs.start_run(engine, orphan.run_id)
    with engine.begin() as conn:
        conn.execute(
            update(runs.PlanRunRow)
            .where(runs.PlanRunRow.run_id == orphan.run_id)
            .values(heartbeat_at=datetime.now(UTC) - timedelta(minutes=5))
        )
    engine.dispose()
    with TestClient(create_app(settings)) as second:
        old = second.get(f"/v1/runs/{template.run_id}", headers=planner).json()
        assert old["status"] == "succeeded"
        assert second.get(f"/v1/runs/{orphan.run_id}", headers=planner).json()["status"] == (
            "interrupted"
        )
        nurse = auth("nurse", nurse_on_shift(template.result))
        assert second.get("/v1/nurse/worklist", params=DAY, headers=nurse).status_code == 200


def test_nurse_gets_her_worklist_with_changes_and_one_calendar_event_per_visit(
    client, auth, template
):
    """Version 1 has no earlier version to compare; after a re-plan is published as
    version 2 the nurse sees what was added, removed or moved; the iCal feed has one event
    per visit with the visit's times."""
    planner = auth("planner", "planner-1")
    staff_id = nurse_on_shift(template.result)
    nurse = auth("nurse", staff_id)
    assert publish(client, planner, template.run_id).status_code == 201
    first = client.get("/v1/nurse/worklist", params=DAY, headers=nurse)
    body = first.json()
    assert first.headers["etag"] == '"1"'
    assert body["worklist"]["staff_id"] == staff_id and body["version"] == 1
    assert body["changes"]["previous_version"] is None
    mine = next(w for w in template.result.worklists if w.staff_id == staff_id)

    # A second version whose worklists are the first one's without this nurse's first visit.
    engine = create_store_engine(client.app.state.api.settings.database_url)
    changed = template.result.model_copy(
        update={
            "worklists": tuple(
                w.model_copy(update={"visits": w.visits[1:]}) if w.staff_id == staff_id else w
                for w in template.result.worklists
            )
        }
    )
    run_id = record_succeeded_run(engine, changed)
    engine.dispose()
    assert publish(client, planner, run_id, 1).status_code == 201
    second = client.get("/v1/nurse/worklist", params=DAY, headers=nurse).json()
    assert second["version"] == 2
    assert second["changes"]["previous_version"] == 1
    assert second["changes"]["removed_visit_ids"] == [mine.visits[0].visit_id]
    assert second["changes"]["added_visit_ids"] == []

    feed = client.get("/v1/nurse/worklist.ics", params=DAY, headers=nurse)
    assert feed.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert len(events) == len(mine.visits) - 1
    starts = sorted(e.decoded("dtstart") for e in events)
    # the events carry the visit's window (not the planned minute): see the calendar tests
    assert starts == sorted(v.window_start for v in mine.visits[1:])


def test_patient_sees_time_windows_and_first_names_but_no_route(client, auth, template):
    """The patient's visits carry windows and caregivers' first names only: no addresses,
    other patients, arrival times or sequence."""
    planner = auth("planner", "planner-1")
    assert publish(client, planner, template.run_id).status_code == 201
    patient = patient_on_shift(template.result)
    body = client.get(
        "/v1/patient/visits", params={"from_date": "2026-12-01"}, headers=auth("patient", patient)
    ).json()
    expected = [
        (v.window_start, w.first_name)
        for w in template.result.worklists
        for v in w.visits
        if v.patient_id == patient
    ]
    assert len(body["visits"]) == len(
        {v.visit_id for w in template.result.worklists for v in w.visits if v.patient_id == patient}
    )
    assert {n for v in body["visits"] for n in v["caregiver_first_names"]} == {
        n for _, n in expected
    }
    assert set(body["visits"][0]) == {
        "date",
        "shift",
        "window_start",
        "window_end",
        "caregiver_first_names",
    }
    later = client.get(
        "/v1/patient/visits", params={"from_date": "2026-12-02"}, headers=auth("patient", patient)
    ).json()
    assert later["visits"] == []


def test_upload_reports_every_issue_with_file_row_and_field(client, auth):
    """A broken export answers 422 listing issues by file, row and field, and writes nothing;
    a good one answers its counts."""
    planner = auth("planner", "planner-1")
    files = {p.name: p.read_bytes() for p in DEMO.glob("*.csv")}
    lines = files["staff.csv"].decode().splitlines()
    cells = lines[3].split(",")
    cells[6] = "helicopter"  # travel mode (a competence is an open catalogue: an own title)
    lines[3] = ",".join(cells)
    files["staff.csv"] = ("\n".join(lines) + "\n").encode()
    upload = [("files", (name, data, "text/csv")) for name, data in files.items()]
    bad = client.post("/v1/imports", files=upload, headers=planner)
    assert bad.status_code == 422
    issues = bad.json()["issues"]
    assert any(
        i["file"] == "staff.csv" and i["row"] == 3 and i["field"] == "travel_mode" for i in issues
    )
    # The issue's message in bokmål by default, English on request.
    (nb,) = [i["message"] for i in issues if i["field"] == "travel_mode"]
    assert nb.startswith("forventet ett av 'car'") and nb.endswith(
        "fant 'helicopter' (ukjent verdi 'helicopter')"
    )
    english = client.post("/v1/imports?lang=en", files=upload, headers=planner).json()
    (en,) = [i["message"] for i in english["issues"] if i["field"] == "travel_mode"]
    assert en.startswith("expected one of 'car'") and en.endswith(
        "found 'helicopter' (unknown value 'helicopter')"
    )
    good = [("files", (p.name, p.read_bytes(), "text/csv")) for p in DEMO.glob("*.csv")]
    summary = client.post("/v1/imports", files=good, headers=planner).json()
    assert summary["changes"] == 0 and summary["counts"]["patients"]["unchanged"] > 0


def test_fast_path_answers_exactly_what_the_route_answers(client, auth, template):
    """A ready worklist served by the ASGI fast path has the route's body and headers; a
    request the fast path does not take (an extra query key) still goes to the route, and a
    token of another role is refused by the route, not answered by the fast path."""
    planner = auth("planner", "planner-1")
    assert publish(client, planner, template.run_id).status_code == 201
    nurse = auth("nurse", nurse_on_shift(template.result))
    via_route = client.get("/v1/nurse/worklist", params=DAY, headers=nurse)  # builds caches
    via_fast = client.get("/v1/nurse/worklist", params=DAY, headers=nurse)
    via_route_again = client.get("/v1/nurse/worklist", params={**DAY, "x": "1"}, headers=nurse)
    assert via_fast.status_code == via_route.status_code == via_route_again.status_code == 200
    assert via_fast.content == via_route.content == via_route_again.content
    for header in ("content-type", "etag", "cache-control", "content-length"):
        assert via_fast.headers[header] == via_route_again.headers[header]
    patient = auth("patient", patient_on_shift(template.result))
    assert client.get("/v1/nurse/worklist", params=DAY, headers=patient).status_code == 403
    assert client.get("/v1/nurse/worklist", params=DAY).status_code == 401


def test_stopping_the_server_interrupts_its_running_runs_and_keeps_queued_ones(settings, auth):
    """A run still solving when the app stops is recorded as interrupted at once; a run still
    queued (one run per municipality at a time) stays queued and the next server runs it."""
    planner = auth("planner", "planner-1")
    with TestClient(create_app(settings)) as client:
        ids = [
            client.post("/v1/runs", json={**DAY, "time_limit_s": 120}, headers=planner).json()[
                "run_id"
            ]
            for _ in range(2)
        ]
        deadline = time.monotonic() + 10
        while client.get(f"/v1/runs/{ids[0]}", headers=planner).json()["status"] != "running":
            assert time.monotonic() < deadline
            time.sleep(0.1)
    engine = create_store_engine(settings.database_url)
    statuses = [runs.get_run_any(engine, i).status for i in ids]
    engine.dispose()
    assert statuses == ["interrupted", "queued"]
    with TestClient(create_app(settings)) as client:
        deadline = time.monotonic() + 10
        while client.get(f"/v1/runs/{ids[1]}", headers=planner).json()["status"] == "queued":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        client.post(f"/v1/runs/{ids[1]}/cancel", headers=planner)
