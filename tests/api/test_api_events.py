"""Events through the API: roles and scoping, warm re-plans published as new versions,
notices and messages, audit rows with ids only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from api_test_helpers import DAY, OTHER, SHIFT, Template, publish
from fastapi.testclient import TestClient

from hjemmetjeneste.api import create_app
from hjemmetjeneste.api.runner import PlanRunJob, Report, RunOutcome, run_job
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.settings import Settings
from hjemmetjeneste.store import audit, open_store

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 12, 1, 10, 30, tzinfo=OSLO)


def in_thread(job: PlanRunJob, report: Report) -> RunOutcome:
    """The run queue's executor without a child process (the same code path inside it)."""
    try:
        result_json, kpis, violations = run_job(job, lambda _o, _s: None)
    except Exception as exc:  # as the child would report it
        return RunOutcome("failed", error=f"{type(exc).__name__}: {exc}")
    report(1.0, None)
    return RunOutcome("succeeded", result_json=result_json, kpis=kpis, violations=violations)


@pytest.fixture
def events_client(settings: Settings) -> Iterator[TestClient]:
    """A client whose runs execute in a thread, with short re-plans."""
    quick = settings.model_copy(update={"event_replan_time_limit_s": 1.0})
    with TestClient(create_app(quick, executor=in_thread)) as client:
        yield client


@pytest.fixture
def published(events_client, auth, template: Template) -> Template:
    """The template's day shift published as version 1."""
    assert publish(events_client, auth("planner", "planner-1"), template.run_id).status_code == 201
    return template


def _later(template: Template):
    """A nurse with at least two visits after 10:30, and the first of them (a part-day nurse
    with a single later visit would leave a sick call nothing else to move)."""
    return next(
        (w.staff_id, later[0])
        for w in template.result.worklists
        if len(later := [v for v in w.visits if v.start >= NOW]) >= 2
    )


def test_sick_call_is_applied_as_a_new_version_with_changes(events_client, auth, published):
    """A planner's sick call at 10:30: re-planned warm, published as version 2, her later
    visits listed under her name; nothing before 10:30 moved."""
    sick, _ = _later(published)
    body = {"kind": "staff_absence", "staff_id": sick, "start": NOW.isoformat()}
    answer = events_client.post("/v1/events", json=body, headers=auth("planner", "planner-1"))
    assert answer.status_code == 201, answer.text
    event = answer.json()
    assert event["status"] == "applied", event
    assert event["result"]["version"] == 2
    mine = event["result"]["changes"]["by_nurse"][sick]
    assert mine and all(c["before"]["staff_id"] == sick for c in mine)
    assert all(datetime.fromisoformat(c["before"]["start"]) >= NOW for c in mine)
    nurse = events_client.get(
        "/v1/nurse/changes",
        params={"date": DAY.isoformat(), "shift": SHIFT.value, "since_version": 1},
        headers=auth("nurse", sick),
    )
    assert nurse.status_code == 200, nurse.text
    assert nurse.json()["current_version"] == 2
    assert {c["visit_id"] for c in nurse.json()["changes"]} == {c["visit_id"] for c in mine}


def test_patient_absence_requested_accepted_and_noticed(events_client, auth, published):
    """A patient reports an absence (requested), the planner accepts (applied): her later
    visits are gone from the new version and she has notices in bokmål and English."""
    _, visit = _later(published)
    patient = visit.patient_id
    body = {
        "kind": "patient_absence",
        "patient_id": patient,
        "start": NOW.isoformat(),
        "end": (NOW + timedelta(days=1)).isoformat(),
        "reason": "hos datteren",
    }
    sent = events_client.post("/v1/events", json=body, headers=auth("patient", patient))
    assert sent.status_code == 201 and sent.json()["status"] == "requested"
    event_id = sent.json()["id"]
    planner = auth("planner", "planner-1")
    listed = events_client.get("/v1/events", params={"status": "requested"}, headers=planner)
    assert event_id in {e["id"] for e in listed.json()}
    accepted = events_client.post(f"/v1/events/{event_id}/accept", headers=planner)
    assert accepted.status_code == 200 and accepted.json()["status"] == "applied", accepted.text
    cancelled = accepted.json()["result"]["changes"]["by_patient"][patient]
    assert {c["type"] for c in cancelled} == {"cancelled"}
    notices = events_client.get("/v1/patient/notices", headers=auth("patient", patient)).json()
    kinds = {n["kind"] for n in notices}
    assert kinds == {"visit_cancelled", "absence_accepted"}
    assert any("avlyst" in n["text"] for n in notices)
    english = events_client.get(
        "/v1/patient/notices", params={"lang": "en"}, headers=auth("patient", patient)
    ).json()
    assert any("cancelled" in n["text"] for n in english)
    again = events_client.post(f"/v1/events/{event_id}/accept", headers=planner)
    assert again.status_code == 409


def test_roles_and_scoping(events_client, auth, published):
    """A patient posts only her own absence; a specialist of another municipality sees
    nothing of ours; a nurse sends no events."""
    _, visit = _later(published)
    patient = visit.patient_id
    absence = {
        "kind": "patient_absence",
        "patient_id": patient,
        "start": NOW.isoformat(),
        "end": (NOW + timedelta(hours=5)).isoformat(),
    }
    other_patient = events_client.post(
        "/v1/events", json=absence, headers=auth("patient", "P-someone-else")
    )
    assert other_patient.status_code == 403
    staff = {"kind": "staff_absence", "staff_id": "S001", "start": NOW.isoformat()}
    assert (
        events_client.post("/v1/events", json=staff, headers=auth("patient", patient)).status_code
        == 403
    )
    assert (
        events_client.post("/v1/events", json=staff, headers=auth("nurse", "S001")).status_code
        == 403
    )
    admission = {
        "kind": "hospital_admission",
        "patient_id": patient,
        "admitted_at": NOW.isoformat(),
    }
    foreign = events_client.post(
        "/v1/events", json=admission, headers=auth("specialist", "lege-9", OTHER)
    )
    assert foreign.status_code == 404
    mine = events_client.post(
        "/v1/events?apply=false", json=admission, headers=auth("specialist", "lege-1")
    )
    assert mine.status_code == 201 and mine.json()["status"] == "requested"
    event_id = mine.json()["id"]
    assert (
        events_client.get(
            f"/v1/events/{event_id}", headers=auth("specialist", "lege-9", OTHER)
        ).status_code
        == 404
    )
    assert (
        events_client.get(
            f"/v1/events/{event_id}", headers=auth("specialist", "lege-2")
        ).status_code
        == 404
    )
    assert events_client.get("/v1/events", headers=auth("specialist", "lege-9", OTHER)).json() == []
    extra = {**absence, "unknown": 1}
    assert (
        events_client.post("/v1/events", json=extra, headers=auth("patient", patient)).status_code
        == 422
    )


def test_messages_and_audit_rows_carry_ids_only(events_client, auth, published, settings):
    """A patient's message reaches the planner; every audit row of the events and notices
    holds ids only: no patient's name appears in any of them."""
    _, visit = _later(published)
    patient = visit.patient_id
    sent = events_client.post(
        "/v1/patient/messages", json={"text": "Kan dere komme litt senere i morgen?"},
        headers=auth("patient", patient),
    )  # fmt: skip
    assert sent.status_code == 201
    planner = auth("planner", "planner-1")
    listed = events_client.get("/v1/planner/messages", headers=planner).json()
    assert listed[0]["patient_id"] == patient and "senere" in listed[0]["text"]
    body = {
        "kind": "patient_absence",
        "patient_id": patient,
        "start": NOW.isoformat(),
        "end": (NOW + timedelta(days=1)).isoformat(),
    }
    answer = events_client.post("/v1/events", json=body, headers=planner)
    assert answer.json()["status"] == "applied"
    events_client.get("/v1/patient/notices", headers=auth("patient", patient))
    store = open_store(settings.database_url)
    try:
        rows = audit.read_audit(store.engine, "5001", limit=1000)
    finally:
        store.close()
    actions = {r.action for r in rows}
    assert {"event.created", "notice.created", "notice.read", "message.created"} <= actions
    names = {p.display_name for p in read_export(published_demo()).patients}
    names |= {part for n in names for part in n.split()}
    for row in rows:
        for value in (row.actor_id, row.patient_id, row.resource, row.purpose, row.action):
            assert not any(name in value for name in names if len(name) > 3), row


def published_demo():
    from api_test_helpers import DEMO

    return DEMO


def test_a_visit_the_nurse_started_stays_with_her_through_a_re_plan(events_client, auth, published):
    """A visit planned after 10:30 that the nurse already marked started (a nurse ahead of
    her plan) is frozen: her sick call at 10:30 moves her other later visits, not that one."""
    sick, visit = _later(published)
    nurse = auth("nurse", sick)
    started = events_client.post(
        f"/v1/nurse/visits/{quote(visit.visit_id, safe='')}/started",
        json={"at": (NOW - timedelta(minutes=5)).isoformat()},
        headers=nurse,
    )
    assert started.status_code == 200, started.text
    body = {"kind": "staff_absence", "staff_id": sick, "start": NOW.isoformat()}
    answer = events_client.post("/v1/events", json=body, headers=auth("planner", "planner-1"))
    assert answer.status_code == 201 and answer.json()["status"] == "applied", answer.text
    moved = {c["visit_id"] for c in answer.json()["result"]["changes"]["by_nurse"].get(sick, [])}
    later = {v.visit_id for w in published.result.worklists if w.staff_id == sick for v in w.visits}
    assert moved, "her other later visits move"
    assert visit.visit_id not in moved
    mine = events_client.get(
        "/v1/nurse/worklist", params={"date": DAY.isoformat(), "shift": SHIFT.value}, headers=nurse
    ).json()
    kept = {v["visit_id"] for v in mine["worklist"]["visits"]}
    assert mine["version"] == 2 and visit.visit_id in kept
    assert later - kept == moved


def test_an_event_the_request_stops_waiting_for_is_finished_in_the_background(
    settings, auth, template
):
    """With no wait the answer is ``applying``; the API's background task publishes the
    re-plan and the event becomes ``applied`` once, with one new version."""
    import time

    quick = settings.model_copy(
        update={"event_replan_time_limit_s": 1.0, "event_apply_wait_s": 0.0}
    )
    with TestClient(create_app(quick, executor=in_thread)) as client:
        planner = auth("planner", "planner-1")
        assert publish(client, planner, template.run_id).status_code == 201
        sick, _ = _later(template)
        body = {"kind": "staff_absence", "staff_id": sick, "start": NOW.isoformat()}
        sent = client.post("/v1/events", json=body, headers=planner).json()
        assert sent["status"] == "applying"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            event = client.get(f"/v1/events/{sent['id']}", headers=planner).json()
            if event["status"] != "applying":
                break
            time.sleep(0.3)
        assert event["status"] == "applied" and event["result"]["version"] == 2
        district = template.result.district_id
        history = client.get(
            f"/v1/publications/{district}/{DAY.isoformat()}/{SHIFT.value}", headers=planner
        )
        assert history.status_code == 200 and history.json()["current_version"] == 2


def test_events_reach_the_first_plan_of_a_later_day(events_client, auth, template):
    """An admission Tuesday 14:00 and a sick call for all of Wednesday, both applied while
    no Wednesday plan exists: Wednesday's first plan run has the patient's tasks cancelled
    with the admission's id, nothing of hers planned, no worklist for the sick caregiver,
    and worklists + unplaced + outside every shift + cancelled = the shift's tasks."""
    from datetime import date

    from api_test_helpers import DEMO, wait_for_run

    from hjemmetjeneste.domain import ShiftKind
    from hjemmetjeneste.tasks import build_day_plan, outside_every_shift

    wednesday = date(2026, 12, 2)
    data = read_export(DEMO)
    district = data.districts[0].district_id
    plan = build_day_plan(data, wednesday, ShiftKind.DAY, district)
    patient = sorted({v.patient_id for v in plan.visits})[0]
    sick = plan.staff[0].staff_id
    planner = auth("planner", "planner-1")
    admitted = events_client.post(
        "/v1/events",
        json={
            "kind": "hospital_admission",
            "patient_id": patient,
            "admitted_at": datetime(2026, 12, 1, 14, tzinfo=OSLO).isoformat(),
        },
        headers=auth("specialist", "lege-1"),
    )
    assert admitted.status_code == 201 and admitted.json()["status"] == "applied", admitted.text
    absent = events_client.post(
        "/v1/events",
        json={
            "kind": "staff_absence",
            "staff_id": sick,
            "start": datetime(2026, 12, 2, 0, tzinfo=OSLO).isoformat(),
            "end": datetime(2026, 12, 3, 0, tzinfo=OSLO).isoformat(),
        },
        headers=planner,
    )
    assert absent.status_code == 201 and absent.json()["status"] == "applied", absent.text
    started = events_client.post(
        "/v1/runs",
        json={"district_id": district, "date": "2026-12-02", "shift": "day", "time_limit_s": 1},
        headers=planner,
    )
    assert started.status_code == 202, started.text
    final = wait_for_run(events_client, planner, started.json()["run_id"])
    assert final["status"] == "succeeded", final
    result = events_client.get(f"/v1/runs/{final['run_id']}/result", headers=planner).json()
    result = result["result"]
    hers = {t.task_id for v in plan.visits if v.patient_id == patient for t in v.tasks}
    assert {c["task_id"] for c in result["cancelled"]} == hers
    assert {c["event_id"] for c in result["cancelled"]} == {admitted.json()["id"]}
    assert not any(v["patient_id"] == patient for w in result["worklists"] for v in w["visits"])
    assert sick not in {w["staff_id"] for w in result["worklists"]}
    placed = {t["task_id"] for w in result["worklists"] for v in w["visits"] for t in v["tasks"]}
    counted = [
        *placed,
        *(u["task_id"] for u in result["unplaced"]),
        *(u["task_id"] for u in result["outside_every_shift"]),
        *(c["task_id"] for c in result["cancelled"]),
    ]
    day_tasks = {t.task_id for v in plan.visits for t in v.tasks}
    day_tasks |= {t.task_id for t in outside_every_shift(data, wednesday, district)}
    assert len(counted) == len(set(counted)) and set(counted) == day_tasks


def _applied_absences(settings: Settings, staff_ids: list[str]) -> None:
    """Sick calls from 10:30 already applied in the store (as an earlier request left them)."""
    from hjemmetjeneste.store import events as store_events

    store = open_store(settings.database_url)
    try:
        for staff_id in staff_ids:
            store_events.create_event(
                store.engine, municipality_id="5001", kind="staff_absence", status="applied",
                patient_id=None, staff_id=staff_id, event_date=NOW.date(),
                payload={"kind": "staff_absence", "staff_id": staff_id, "start": NOW.isoformat()},
                created_by="planner-1", created_role="planner",
            )  # fmt: skip
    finally:
        store.close()


def test_a_visit_that_becomes_unplaced_gives_its_patient_a_notice(
    events_client, auth, published, settings
):
    """All but one caregiver off sick from 10:30, then one more sick call: the later visits
    nobody can take are unplaced in the new version, and each of their patients gets a
    notice ("kunne ikke planlegges", in English on request) that also goes to the outbox."""
    import json

    from hjemmetjeneste.store import events as store_events

    sick, _ = _later(published)
    rest = sorted(w.staff_id for w in published.result.worklists if w.staff_id != sick)
    _applied_absences(settings, rest[1:])
    body = {"kind": "staff_absence", "staff_id": sick, "start": NOW.isoformat()}
    answer = events_client.post("/v1/events", json=body, headers=auth("planner", "planner-1"))
    assert answer.status_code == 201 and answer.json()["status"] == "applied", answer.text
    by_patient = answer.json()["result"]["changes"]["by_patient"]
    district = published.result.district_id
    current = events_client.get(
        f"/v1/publications/{district}/{DAY.isoformat()}/{SHIFT.value}",
        headers=auth("planner", "planner-1"),
    )
    assert current.json()["current_version"] == 2
    unplaced = {
        patient
        for patient, changes in by_patient.items()
        if any(c["type"] == "removed" for c in changes)
    }
    assert unplaced, "with one caregiver left some later visits find nobody"
    store = open_store(settings.database_url)
    try:
        outbox = [json.loads(o.payload_json) for o in store_events.list_outbox(store.engine)]
    finally:
        store.close()
    for patient in sorted(unplaced)[:3]:
        notices = events_client.get("/v1/patient/notices", headers=auth("patient", patient))
        mine = [n for n in notices.json() if n["kind"] == "visit_unplaced"]
        assert mine and all("kunne ikke planlegges" in n["text"] for n in mine), notices.json()
        assert all(n["old_window"] and n["new_window"] is None for n in mine)
        english = events_client.get(
            "/v1/patient/notices", params={"lang": "en"}, headers=auth("patient", patient)
        ).json()
        assert any("could not be planned" in n["text"] for n in english)
        assert any(o["patient_id"] == patient and o["kind"] == "visit_unplaced" for o in outbox)
    # a visit that moved or was reassigned without leaving the plan gives no such notice
    kept = {
        v.patient_id
        for w in published.result.worklists
        for v in w.visits
        if v.patient_id not in unplaced
    }
    assert not any(o["kind"] == "visit_unplaced" and o["patient_id"] in kept for o in outbox)


def test_the_notice_threshold_is_the_municipalitys_rule(settings):
    """``notice_move_threshold_min`` in the municipality's rules (stored with the export)
    decides which moves give a notice; a municipality that sets none gets the server's
    setting. A visit moved by 20 minutes: no notice at the default 30, one at a rule of 15."""
    from types import SimpleNamespace

    from api_test_helpers import DEMO, record_succeeded_run

    from hjemmetjeneste.api import replans
    from hjemmetjeneste.store import events as store_events

    store = open_store(settings.database_url)
    try:
        data = read_export(DEMO)
        state = SimpleNamespace(store=store, settings=settings)
        assert replans.notice_threshold_min(state, "5001") == 30
        loose = settings.model_copy(update={"notice_move_threshold_min": 45})
        assert (
            replans.notice_threshold_min(SimpleNamespace(store=store, settings=loose), "5001") == 45
        )
        base = data.municipality
        from hjemmetjeneste.pipeline import plan_shift
        from hjemmetjeneste.solver import SolveParams

        result = plan_shift(
            data, DAY, SHIFT, params=SolveParams(time_limit_s=1.0, iterations=50)
        ).result
        worklist = next(w for w in result.worklists if w.visits)
        visit = worklist.visits[0]
        later = visit.model_copy(
            update={
                "start": visit.start + timedelta(minutes=20),
                "end": visit.end + timedelta(minutes=20),
            }
        )
        moved = result.model_copy(
            update={
                "worklists": tuple(
                    w.model_copy(update={"visits": (later, *w.visits[1:])}) if w is worklist else w
                    for w in result.worklists
                )
            }
        )
        before_id = record_succeeded_run(store.engine, result)
        after_id = record_succeeded_run(store.engine, moved)
        change = {
            "visit_id": visit.visit_id,
            "patient_id": visit.patient_id,
            "type": "moved",
            "before": {"staff_id": worklist.staff_id, "start": visit.start.isoformat()},
            "after": {"staff_id": worklist.staff_id, "start": later.start.isoformat()},
            "event_id": None,
        }
        record = SimpleNamespace(
            municipality_id="5001", event_id="ev-1", decided_by="planner-1", created_by="planner-1"
        )
        replan = SimpleNamespace(
            base_run_id=before_id, run_id=after_id, changes=[change], plan_date=DAY
        )

        def moved_notices() -> int:
            notices = store_events.list_notices(store.engine, "5001", visit.patient_id)
            return sum(n.kind == "visit_moved" for n in notices)

        replans._notify_changes(state, record, replan, 2)
        assert moved_notices() == 0
        strict = data.model_copy(
            update={
                "municipality": base.model_copy(
                    update={
                        "rules": base.rules.model_copy(update={"notice_move_threshold_min": 15})
                    }
                )
            }
        )
        store.save_export(strict, source="rules")
        assert replans.notice_threshold_min(state, "5001") == 15
        replans._notify_changes(state, record, replan, 2)
        assert moved_notices() == 1
    finally:
        store.close()


def test_the_nurse_worklist_names_her_partners_by_first_name(events_client, auth, published):
    """A nurse with a double-staffed visit gets her partners' first names by staff id (the
    page shows the name, never the id); a nurse without one gets none."""
    result = published.result
    first_names = {w.staff_id: w.first_name for w in result.worklists}
    pairs = [w for w in result.worklists if any(v.partner_staff_ids for v in w.visits)]
    assert pairs, "the demo day has double-staffed visits"
    nurse = pairs[0]
    answer = events_client.get(
        "/v1/nurse/worklist",
        params={"date": DAY.isoformat(), "shift": SHIFT.value},
        headers=auth("nurse", nurse.staff_id),
    )
    assert answer.status_code == 200, answer.text
    partners = {p for v in nurse.visits for p in v.partner_staff_ids}
    assert answer.json()["partner_first_names"] == {p: first_names[p] for p in partners}
    alone = next(
        (
            w
            for w in result.worklists
            if w.visits and not any(v.partner_staff_ids for v in w.visits)
        ),
        None,
    )
    if alone is not None:
        mine = events_client.get(
            "/v1/nurse/worklist",
            params={"date": DAY.isoformat(), "shift": SHIFT.value},
            headers=auth("nurse", alone.staff_id),
        )
        assert mine.json()["partner_first_names"] == {}


def test_a_visit_an_earlier_event_cancelled_is_not_noticed_again(settings):
    """A re-plan for a new event lists the visits an earlier event cancelled again (they are
    on no plan): their patient gets no second notice; a visit this event cancels does."""
    from types import SimpleNamespace

    from hjemmetjeneste.api import replans
    from hjemmetjeneste.store import events as store_events

    store = open_store(settings.database_url)
    try:
        state = SimpleNamespace(store=store, settings=settings)
        record = SimpleNamespace(
            municipality_id="5001", event_id="new", decided_by="planner-1", created_by="planner-1"
        )
        old = {"staff_id": "S001", "start": NOW.isoformat()}
        changes = [
            {"visit_id": "v1", "patient_id": "P-a", "type": "cancelled", "before": None,
             "after": None, "event_id": "earlier"},
            {"visit_id": "v2", "patient_id": "P-b", "type": "cancelled", "before": old,
             "after": None, "event_id": "new"},
            {"visit_id": "v3", "patient_id": "P-c", "type": "cancelled", "before": None,
             "after": None, "event_id": "new"},
        ]  # fmt: skip
        replan = SimpleNamespace(base_run_id="none", run_id="none", changes=changes, plan_date=DAY)
        replans._notify_changes(state, record, replan, 2)
        told = {
            p: [n.kind for n in store_events.list_notices(store.engine, "5001", p)]
            for p in ("P-a", "P-b", "P-c")
        }
    finally:
        store.close()
    assert told == {"P-a": [], "P-b": ["visit_cancelled"], "P-c": ["visit_cancelled"]}
