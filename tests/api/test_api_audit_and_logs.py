"""Audit records for every read of patient data, and logs free of names and plan content."""

from __future__ import annotations

import logging
import re

from api_test_helpers import DEMO, nurse_on_shift, patient_on_shift, publish, wait_for_run

from hjemmetjeneste.formats import read_export


def test_specialist_reads_are_audited_with_who_role_patient_when_and_purpose(
    client, auth, template
):
    """Each care-plan read adds one record naming reader, role, patient and purpose."""
    patient = patient_on_shift(template.result)
    specialist = auth("specialist", "spec-42")
    for purpose in ("journalgjennomgang", "innleggelse"):
        response = client.get(
            f"/v1/patients/{patient}/care-plan", params={"purpose": purpose}, headers=specialist
        )
        assert response.status_code == 200
    log = client.get("/v1/audit", params={"actor_id": "spec-42"}, headers=auth("admin", "a"))
    entries = log.json()["entries"]
    assert [(e["patient_id"], e["actor_role"], e["purpose"]) for e in entries] == [
        (patient, "specialist", "innleggelse"),
        (patient, "specialist", "journalgjennomgang"),
    ]
    assert all(e["at"] for e in entries)


def test_a_refused_or_missing_read_leaves_no_record(client, auth, template):
    """No purpose or a free-text one (422) and an unknown patient (404) return no data and
    record nothing."""
    specialist = auth("specialist", "spec-43")
    patient = patient_on_shift(template.result)
    assert client.get(f"/v1/patients/{patient}/care-plan", headers=specialist).status_code == 422
    free_text = client.get(
        f"/v1/patients/{patient}/care-plan",
        params={"purpose": "suspected diabetes"},  # free text could carry a diagnosis
        headers=specialist,
    )
    assert free_text.status_code == 422
    unknown = client.get(
        "/v1/patients/NOPE/care-plan", params={"purpose": "kvalitetssikring"}, headers=specialist
    )
    assert unknown.status_code == 404
    log = client.get("/v1/audit", params={"actor_id": "spec-43"}, headers=auth("admin", "a"))
    assert log.json()["entries"] == []


def test_planner_reading_a_result_audits_every_patient_in_it(client, auth, template):
    """Reading a run's result records one entry per patient the result shows."""
    planner = auth("planner", "planner-9")
    assert client.get(f"/v1/runs/{template.run_id}/result", headers=planner).status_code == 200
    shown = {v.patient_id for w in template.result.worklists for v in w.visits}
    shown |= {u.patient_id for u in template.result.unplaced}
    shown |= {a.patient_id for a in template.result.as_needed}
    log = client.get(
        "/v1/audit", params={"actor_id": "planner-9", "limit": 500}, headers=planner
    ).json()
    assert {e["patient_id"] for e in log["entries"]} == shown
    assert {e["resource"] for e in log["entries"]} == {f"run:{template.run_id}"}


def test_logs_of_a_full_scenario_hold_no_names_descriptions_or_national_ids(
    client, auth, template, caplog
):
    """Import, plan, pin, publish and every read, with all logging captured at DEBUG: no
    patient or staff name, address, key-box note or task description appears."""
    caplog.set_level(logging.DEBUG)
    planner = auth("planner", "planner-1")
    files = [("files", (p.name, p.read_bytes(), "text/csv")) for p in sorted(DEMO.glob("*.csv"))]
    assert client.post("/v1/imports", files=files, headers=planner).status_code == 200
    bad = [("files", ("patients.csv", b"patient_id,display_name\nP1,X\n", "text/csv"))]
    assert client.post("/v1/imports", files=bad, headers=planner).status_code == 422
    started = client.post(
        "/v1/runs", json={"date": "2026-12-01", "shift": "day", "time_limit_s": 1}, headers=planner
    )
    assert wait_for_run(client, planner, started.json()["run_id"])["status"] == "succeeded"
    worklist = next(w for w in template.result.worklists if w.visits)
    pin = client.post(
        f"/v1/runs/{template.run_id}/pins",
        json={"visit_id": worklist.visits[0].visit_id, "staff_id": worklist.staff_id},
        headers=planner,
    )
    assert pin.status_code == 201
    assert publish(client, planner, template.run_id).status_code == 201
    assert client.get(f"/v1/runs/{template.run_id}/result", headers=planner).status_code == 200
    nurse = auth("nurse", nurse_on_shift(template.result))
    day = {"date": "2026-12-01", "shift": "day"}
    assert client.get("/v1/nurse/worklist", params=day, headers=nurse).status_code == 200
    assert client.get("/v1/nurse/worklist.ics", params=day, headers=nurse).status_code == 200
    patient = patient_on_shift(template.result)
    visits = client.get(
        "/v1/patient/visits", params={"from_date": "2026-12-01"}, headers=auth("patient", patient)
    )
    assert visits.status_code == 200
    plan = client.get(
        f"/v1/patients/{patient}/care-plan",
        params={"purpose": "kvalitetssikring"},
        headers=auth("specialist", "s"),
    )
    assert plan.status_code == 200
    assert client.get("/v1/audit", headers=planner).status_code == 200

    data = read_export(DEMO)
    secrets = {p.display_name for p in data.patients}
    secrets |= {p.address for p in data.patients}
    secrets |= {p.key_box_note for p in data.patients if p.key_box_note}
    secrets |= {i.description for c in data.care_plans for i in c.interventions}
    secrets |= {s.first_name for s in data.staff}
    text = "\n".join(
        f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records
    )
    assert caplog.records, "the scenario logged nothing: the check would be empty"
    found = sorted(s for s in secrets if re.search(rf"\b{re.escape(s)}\b", text))
    assert not found, f"logs contain names or plan content: {found[:5]}"
    assert not re.search(r"\b\d{11}\b", text), "logs contain an 11-digit number (national id?)"
