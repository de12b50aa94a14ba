"""Actual times through the API: a nurse records started/done on her own visits only, once;
the planner sees planned against actual with lateness and the key figures from actuals; every
call is audited with ids only."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

import pytest
from api_test_helpers import OTHER, publish

from hjemmetjeneste.domain import Worklist
from hjemmetjeneste.store import audit

DAY = {"date": "2026-12-01", "shift": "day"}


@pytest.fixture
def published(client, auth, template) -> dict:
    """5001's day shift published; a nurse with at least two visits, and another nurse."""
    planner = auth("planner", "planner-1")
    assert publish(client, planner, template.run_id).status_code == 201
    busy = [w for w in template.result.worklists if len(w.visits) >= 2]
    return {"planner": planner, "worklist": busy[0], "other": busy[1]}


def _at(moment: datetime) -> dict:
    return {"at": moment.isoformat()}


def _post(client, headers, visit_id: str, kind: str, body: dict | None, **params):
    return client.post(
        f"/v1/nurse/visits/{quote(visit_id, safe='')}/{kind}",
        json=body,
        params=params,
        headers=headers,
    )


def test_a_nurse_records_started_and_done_once(client, auth, published) -> None:
    """Started then done on her visit: stored with the times given; a repeat of either returns
    the first time with changed false; the nurse reads her times back."""
    worklist: Worklist = published["worklist"]
    visit = worklist.visits[0]
    nurse = auth("nurse", worklist.staff_id)
    start = visit.start + timedelta(minutes=4)
    first = _post(client, nurse, visit.visit_id, "started", _at(start))
    assert first.status_code == 200, first.text
    assert first.json()["changed"] is True
    assert datetime.fromisoformat(first.json()["started_at"]) == start
    again = _post(client, nurse, visit.visit_id, "started", _at(start + timedelta(minutes=9)))
    assert again.json()["changed"] is False
    assert datetime.fromisoformat(again.json()["started_at"]) == start
    done = _post(client, nurse, visit.visit_id, "done", _at(start + timedelta(minutes=20)))
    assert done.status_code == 200 and done.json()["changed"] is True
    mine = client.get("/v1/nurse/actuals", params=DAY, headers=nurse).json()["actuals"]
    assert [(a["visit_id"], a["version"]) for a in mine] == [(visit.visit_id, 1)]
    assert datetime.fromisoformat(mine[0]["done_at"]) == start + timedelta(minutes=20)


def test_only_her_own_visits_and_only_published_ones(client, auth, published) -> None:
    """Another nurse's visit, an unknown visit and another municipality's nurse all get 404;
    a planner or a patient gets 403."""
    mine: Worklist = published["worklist"]
    theirs: Worklist = published["other"]
    nurse = auth("nurse", mine.staff_id)
    visit = theirs.visits[0]
    assert _post(client, nurse, visit.visit_id, "started", _at(visit.start)).status_code == 404
    assert _post(client, nurse, "visit:nope", "started", _at(visit.start)).status_code == 404
    foreign = auth("nurse", theirs.staff_id, OTHER)
    assert _post(client, foreign, visit.visit_id, "started", _at(visit.start)).status_code == 404
    for role in ("planner", "patient", "specialist"):
        response = _post(client, auth(role, "x"), visit.visit_id, "started", _at(visit.start))
        assert response.status_code == 403, role


def test_times_outside_the_shift_or_in_the_future_are_refused(client, auth, published) -> None:
    """A time a day off the shift, a time in the future, a time without a zone: 422; done
    before started: 409; nothing stored by any of them."""
    worklist: Worklist = published["worklist"]
    visit = worklist.visits[0]
    nurse = auth("nurse", worklist.staff_id)
    day_off = _post(
        client, nurse, visit.visit_id, "started", _at(visit.start + timedelta(days=1)), **DAY
    )
    assert day_off.status_code == 422 and "not during the visit's shift" in day_off.text
    future = datetime.now().astimezone() + timedelta(hours=1)
    assert _post(client, nurse, visit.visit_id, "started", _at(future), **DAY).status_code == 422
    naive = {"at": visit.start.replace(tzinfo=None).isoformat()}
    assert _post(client, nurse, visit.visit_id, "started", naive).status_code == 422
    assert _post(client, nurse, visit.visit_id, "started", {"at": None, "x": 1}).status_code == 422
    assert client.get("/v1/nurse/actuals", params=DAY, headers=nurse).json()["actuals"] == []
    assert _post(client, nurse, visit.visit_id, "started", _at(visit.start)).status_code == 200
    early = _at(visit.start - timedelta(minutes=1))
    assert _post(client, nurse, visit.visit_id, "done", early).status_code == 409


def test_the_server_clock_is_used_when_no_time_is_given(client, auth, published) -> None:
    """No body (or at null) means now: refused for a shift days ago, which proves the server
    clock was used (the demo shift is in the past)."""
    worklist: Worklist = published["worklist"]
    nurse = auth("nurse", worklist.staff_id)
    visit = worklist.visits[0]
    if datetime.now().astimezone() - visit.start < timedelta(days=1):
        pytest.skip("the demo shift is not in the past on this clock")
    response = _post(client, nurse, visit.visit_id, "started", None, **DAY)
    assert response.status_code == 422 and "not during the visit's shift" in response.text
    assert _post(client, nurse, visit.visit_id, "done", {"at": None}, **DAY).status_code == 422


def test_the_planner_sees_planned_against_actual_and_the_kpis(
    client, auth, template, published
) -> None:
    """Two visits started (one on time, one 30 min after its window) and one done: delay,
    lateness and on-time per visit, and the key figures from actuals; the read is audited."""
    worklist: Worklist = published["worklist"]
    first, second = worklist.visits[0], worklist.visits[1]
    nurse = auth("nurse", worklist.staff_id)
    on_time = first.window_start + (first.window_end - first.window_start) / 2
    late = second.window_end + timedelta(minutes=30)
    assert _post(client, nurse, first.visit_id, "started", _at(on_time)).status_code == 200
    assert (
        _post(
            client, nurse, first.visit_id, "done", _at(on_time + timedelta(minutes=10))
        ).status_code
        == 200
    )
    assert _post(client, nurse, second.visit_id, "started", _at(late)).status_code == 200
    response = client.get("/v1/planner/actuals", params=DAY, headers=published["planner"])
    assert response.status_code == 200, response.text
    body = response.json()
    rows = {(r["visit_id"], r["staff_id"]): r for r in body["visits"]}
    row1 = rows[(first.visit_id, worklist.staff_id)]
    row2 = rows[(second.visit_id, worklist.staff_id)]
    assert row1["on_time"] is True and row1["lateness_s"] == 0
    assert row1["delay_s"] == round((on_time - first.start).total_seconds())
    assert row2["on_time"] is False and row2["lateness_s"] == 1800
    assert row2["delay_s"] == round((late - second.start).total_seconds())
    assert row2["done_at"] is None
    untouched = [r for r in body["visits"] if r["started_at"] is None]
    assert untouched and all(r["delay_s"] is None and r["on_time"] is None for r in untouched)
    kpis = body["kpis"]
    planned = {v.visit_id for w in template.result.worklists for v in w.visits}
    assert kpis["visits_planned"] == len(planned)
    assert (kpis["visits_started"], kpis["visits_done"]) == (2, 1)
    assert kpis["on_time_share"] == 0.5
    assert kpis["mean_lateness_s"] == 900.0
    assert body["versions"] == [{"district_id": "trd-ost", "version": 1}]
    read = audit.read_audit(
        client.app.state.api.store.engine, "5001", actor_id="planner-1", limit=1000
    )
    assert {e.action for e in read} >= {"actuals.read"}
    nurse_rows = audit.read_audit(
        client.app.state.api.store.engine, "5001", actor_id=worklist.staff_id
    )
    assert {e.action for e in nurse_rows} == {"visit.started", "visit.done"}
    assert all(e.patient_id in {first.patient_id, second.patient_id} for e in nurse_rows)
    assert (
        client.get(
            "/v1/planner/actuals",
            params={**DAY, "district": "nowhere"},
            headers=published["planner"],
        ).status_code
        == 404
    )
    other_planner = auth("planner", "planner-9", OTHER)
    assert client.get("/v1/planner/actuals", params=DAY, headers=other_planner).status_code == 404


def test_a_double_staffed_visit_counts_once_in_the_kpis(client, auth, template, published) -> None:
    """Both caregivers of a double-staffed visit record a start: one started visit, at the
    earlier of the two starts."""
    pairs = [(w, v) for w in template.result.worklists for v in w.visits if v.partner_staff_ids]
    if not pairs:
        pytest.skip("the demo plan has no double-staffed visit")
    worklist, visit = pairs[0]
    partner = visit.partner_staff_ids[0]
    mid = visit.window_start + (visit.window_end - visit.window_start) / 2
    r1 = _post(client, auth("nurse", worklist.staff_id), visit.visit_id, "started", _at(mid))
    r2 = _post(
        client, auth("nurse", partner), visit.visit_id, "started", _at(mid + timedelta(minutes=2))
    )
    assert (r1.status_code, r2.status_code) == (200, 200)
    body = client.get("/v1/planner/actuals", params=DAY, headers=published["planner"]).json()
    assert body["kpis"]["visits_started"] == 1
    assert body["kpis"]["on_time_share"] == 1.0
