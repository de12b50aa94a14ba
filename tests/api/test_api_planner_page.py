"""The planner page's endpoints: the page, its config, plan view, candidates, re-plan, events
and the demo sign-in."""

from __future__ import annotations

import json
from datetime import timedelta

from api_test_helpers import OTHER, publish, record_succeeded_run, wait_for_run
from fastapi.testclient import TestClient

from hjemmetjeneste.api import create_app
from hjemmetjeneste.api.auth import Role, TokenVerifier
from hjemmetjeneste.store import runs


def test_page_and_its_files_are_served_without_data(client):
    """``/`` serves the page with a strict CSP; its scripts and Leaflet are under /static."""
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert '<html lang="nb"' in page.text
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/vendor/leaflet-1.9.4/leaflet.js").status_code == 200
    assert client.get("/static/vendor/leaflet-1.9.4/LICENSE").status_code == 200
    nb = client.get("/static/i18n/nb.json").json()
    en = client.get("/static/i18n/en.json").json()
    assert set(nb) == set(en), "both catalogues have every message"


def test_config_lists_districts_with_bases_and_no_tiles_by_default(client, auth):
    """The planner's config names the demo district and its base; no tile URL unless set."""
    body = client.get("/v1/planner/config", headers=auth("planner", "planner-1")).json()
    assert [d["district_id"] for d in body["districts"]] == ["trd-ost"]
    assert body["districts"][0]["base"] == {"lat": 63.4262, "lon": 10.4398}
    assert body["tile_url"] is None and body["timezone"] == "Europe/Oslo"
    assert client.get("/v1/planner/config", headers=auth("nurse", "S001")).status_code == 403


def test_view_adds_base_unplaced_places_competence_and_audits(client, auth, template, settings):
    """The plan view carries the run's result plus map and key-figure extras, and writes
    one audit record per patient it shows, like /result."""
    planner = auth("planner", "planner-1")
    response = client.get(f"/v1/planner/runs/{template.run_id}/view", headers=planner)
    assert response.status_code == 200
    body = response.json()
    assert body["result"]["worklists"] == json.loads(template.result.model_dump_json())["worklists"]
    assert body["base"] == {"lat": 63.4262, "lon": 10.4398}
    visits = {v.visit_id for w in template.result.worklists for v in w.visits}
    assert visits <= set(body["visit_competence"])
    assert {p["visit_id"] for p in body["unplaced_places"]} == {
        u.visit_id for u in template.result.unplaced
    }
    assert body["caregivers_per_patient"] >= 1.0
    audit = client.get("/v1/audit?limit=500", headers=planner).json()["entries"]
    assert any(r["resource"] == f"run:{template.run_id}" for r in audit)
    other = auth("planner", "planner-9", OTHER)
    assert client.get(f"/v1/planner/runs/{template.run_id}/view", headers=other).status_code == 404


def test_explanations_come_in_bokmal_or_in_english_on_request(client, auth, template):
    """The stored plan's explanations are worded from their facts in the language asked
    for: bokmål by default, English with ?lang=en, on /view and /result alike; any other
    language is refused."""
    from hjemmetjeneste.planning.explain import word

    planner = auth("planner", "planner-1")
    assert template.result.unplaced, "the demo day has an unplaced task"
    url = f"/v1/planner/runs/{template.run_id}"
    for path, key in ((f"{url}/view", "result"), (f"/v1/runs/{template.run_id}/result", "result")):
        default = client.get(path, headers=planner).json()[key]["unplaced"]
        english = client.get(path, params={"lang": "en"}, headers=planner).json()[key]["unplaced"]
        assert [u["why"] for u in default] == [u["why"] for u in english]
        for stored, nb, en in zip(template.result.unplaced, default, english, strict=True):
            assert stored.why is not None
            day = template.result.date
            assert nb["explanation"] == word(stored.why, day, "nb", stored.time_critical)
            assert en["explanation"] == word(stored.why, day, "en", stored.time_critical)
            assert nb["explanation"] != en["explanation"]
        refused = client.get(path, params={"lang": "sv"}, headers=planner)
        assert refused.status_code == 422


def test_candidates_rank_qualified_caregivers_but_not_the_owner(client, auth, template):
    """ "Who could take this?" lists qualified caregivers other than the visit's own, ranked
    by added lateness then travel, each with a start inside the shift."""
    planner = auth("planner", "planner-1")
    worklist = next(w for w in template.result.worklists if len(w.visits) >= 2)
    visit = worklist.visits[1]
    response = client.get(
        f"/v1/planner/runs/{template.run_id}/candidates",
        params={"visit_id": visit.visit_id},
        headers=planner,
    )
    assert response.status_code == 200, response.text
    listed = response.json()["candidates"]
    assert listed, "some other caregiver is qualified"
    assert worklist.staff_id not in {c["staff_id"] for c in listed}
    keys = [(c["added_late_s"], c["added_travel_s"]) for c in listed]
    assert keys == sorted(keys)
    assert all(c["feasible"] == (c["added_late_s"] == 0) for c in listed)
    missing = client.get(
        f"/v1/planner/runs/{template.run_id}/candidates",
        params={"visit_id": "visit:nope"},
        headers=planner,
    )
    assert missing.status_code == 404


def test_replan_pins_the_visit_and_warm_run_puts_it_on_the_new_caregiver(client, auth, template):
    """A hand move pins the visit to the chosen caregiver and starts a run warm from this
    one; when it succeeds the visit is on that caregiver."""
    planner = auth("planner", "planner-1")
    source = next(w for w in template.result.worklists if w.visits)
    visit = source.visits[0]
    pick = client.get(
        f"/v1/planner/runs/{template.run_id}/candidates",
        params={"visit_id": visit.visit_id},
        headers=planner,
    ).json()["candidates"][0]
    response = client.post(
        f"/v1/planner/runs/{template.run_id}/replan",
        json={"visit_id": visit.visit_id, "staff_id": pick["staff_id"], "time_limit_s": 1.0},
        headers=planner,
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert len(body["pin_ids"]) == len(visit.tasks)
    run_id = body["run"]["run_id"]
    record = runs.get_run_any(client.app.state.api.store.engine, run_id)
    assert record is not None and record.params["warm_from"] == template.run_id
    done = wait_for_run(client, planner, run_id)
    assert done["status"] == "succeeded", done
    result = client.get(f"/v1/runs/{run_id}/result", headers=planner).json()["result"]
    owners = [
        w["staff_id"]
        for w in result["worklists"]
        if any(v["visit_id"] == visit.visit_id for v in w["visits"])
    ]
    assert pick["staff_id"] in owners
    events = client.get(f"/v1/planner/runs/{run_id}/events", headers=planner)
    assert events.headers["content-type"].startswith("text/event-stream")
    assert '"status":"succeeded"' in events.text and "event: end" in events.text


def test_demo_sign_in_only_in_demo_mode(client, settings):
    """Without serve --demo the demo endpoints do not exist; with it they mint valid tokens."""
    assert client.get("/v1/demo").status_code == 404
    assert client.post("/v1/demo/token", json={"role": "planner"}).status_code == 404
    demo_settings = settings.model_copy(update={"api_demo": True})
    with TestClient(create_app(demo_settings)) as demo:
        assert "planner" in demo.get("/v1/demo").json()["roles"]
        for role in ("planner", "nurse"):
            body = demo.post("/v1/demo/token", json={"role": role}).json()
            who = TokenVerifier(demo_settings).verify(body["token"])
            assert who.role is Role(role) and who.municipality_id == body["municipality_id"]
        assert demo.post("/v1/demo/token", json={"role": "root"}).status_code == 422


def test_only_planners_of_the_municipality_reach_the_page_endpoints(client, auth, template):
    """Every other role gets 403 on every page endpoint; a planner of another municipality
    gets 404 for this municipality's run."""
    run = template.run_id
    visit = next(v.visit_id for w in template.result.worklists for v in w.visits)
    calls = [
        ("GET", "/v1/planner/config", None),
        ("GET", f"/v1/planner/runs/{run}/view", None),
        ("GET", f"/v1/planner/runs/{run}/events", None),
        ("GET", f"/v1/planner/runs/{run}/candidates?visit_id={visit}", None),
        ("POST", f"/v1/planner/runs/{run}/replan", {"visit_id": visit, "staff_id": "S022"}),
    ]
    for role in ("nurse", "patient", "specialist", "admin"):
        for method, path, body in calls:
            response = client.request(method, path, headers=auth(role, f"{role}-1"), json=body)
            assert response.status_code == 403, (role, path, response.status_code)
    other = auth("planner", "planner-9", OTHER)
    for method, path, body in calls[1:]:
        response = client.request(method, path, headers=other, json=body)
        assert response.status_code == 404, (path, response.status_code)


def test_continuity_counts_the_districts_published_shifts_of_the_last_days(client, auth, template):
    """Caregivers per patient counts this plan and the district's published plans of the
    last continuity_days days: a day before with the caregivers rotated raises it."""
    planner = auth("planner", "planner-1")
    url = f"/v1/planner/runs/{template.run_id}/view"
    alone = client.get(url, headers=planner).json()
    assert alone["continuity_shifts"] == 1 and alone["continuity_days"] == 14
    engine = client.app.state.api.store.engine
    day_before = template.result.date - timedelta(days=1)
    staff = [w.staff_id for w in template.result.worklists]
    rotated = template.result.model_copy(
        update={
            "date": day_before,
            "worklists": tuple(
                w.model_copy(update={"staff_id": staff[(i + 1) % len(staff)]})
                for i, w in enumerate(template.result.worklists)
            ),
        }
    )
    run_id = record_succeeded_run(engine, rotated)
    assert publish(client, planner, run_id).status_code == 201
    both = client.get(url, headers=planner).json()
    assert both["continuity_shifts"] == 2
    assert both["caregivers_per_patient"] > alone["caregivers_per_patient"]
