"""The planner's page in a real browser against a real server: sign in, plan the demo day
shift, read the day, move a visit by hand and accept the re-plan, publish, print; and a
role without planner rights reaches none of it. Each view passes axe-core (no serious or
critical violations)."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import Page, expect
from web_helpers import axe_violations, screenshot_dir

from hjemmetjeneste.api.auth import Role, issue_demo_token
from hjemmetjeneste.settings import Settings

DAY = "2026-12-01"
PLAN_TIMEOUT_MS = 150_000


def _sign_in(page: Page, url: str, role: str) -> None:
    page.goto(url)
    expect(page.locator("#demo-form")).to_be_visible()
    page.select_option("#demo-role", role)
    page.click("#demo-form button[type=submit]")


def _token(role: Role, person: str) -> dict[str, str]:
    token = issue_demo_token(Settings(), role=role, person_id=person, municipality_id="5001")
    return {"Authorization": f"Bearer {token}"}


def test_plan_move_publish_and_print_the_demo_day(server, page: Page, tmp_path: Path) -> None:
    """A planner plans the demo day shift (22 route rows, the map's routes), opens an
    unplaced task's reason, asks who could take a visit, drags it to another caregiver,
    accepts the re-plan, publishes (the nurse's worklist has the visit) and prints."""
    shots = screenshot_dir(tmp_path)
    page.goto(server.url)
    expect(page.locator("#signin")).to_be_visible()
    assert axe_violations(page) == [], "sign-in view"

    _sign_in(page, server.url, "planner")
    expect(page.locator("#planner")).to_be_visible()
    page.fill("#date", DAY)
    page.select_option("#shift", "day")
    page.fill("#limit", "2")
    page.click("#plan")
    expect(page.locator("#cancel")).to_be_enabled()
    expect(page.locator("#timeline .tl-row")).to_have_count(22, timeout=PLAN_TIMEOUT_MS)
    expect(page.locator("#progress")).to_have_attribute("value", "1")

    # The day at a glance: a route per caregiver with visits, on the map and the timeline.
    busy_rows = page.locator("#timeline .tl-row:has(.seg.visit)").count()
    assert busy_rows >= 18
    expect(page.locator("#map path.route")).to_have_count(busy_rows)
    assert page.locator("#map .base-icon").count() == 1
    assert page.locator("#map .unplaced-icon").count() >= 1
    expect(page.locator("#kpis .kpi")).to_have_count(6)
    assert page.locator("#timeline .seg.visit.double").count() >= 2
    assert page.locator("#timeline .tl-overlay .link").count() >= 1
    assert page.locator("#timeline .tl-overlay .bound").count() == 2

    # The unplaced list gives the reason in words; "why?" opens the explanation.
    # (the row of the task itself: its visit partner's explanation names it too)
    row = page.locator("#unplaced tr").filter(
        has=page.get_by_role("cell", name="Samtale på polsk om dagen", exact=True)
    )
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Ingen på vakt har kompetansen eller ferdighetene")
    row.locator("summary").click()
    expect(row.locator(".explanation")).to_be_visible()
    # The explanation comes in the page's language, and again when the language changes.
    expect(row.locator(".explanation")).to_contain_text("har ferdigheten polsk")
    page.select_option("#lang", "en")
    expect(row.locator(".explanation")).to_contain_text("has the skill language_pl")
    page.select_option("#lang", "nb")
    expect(row.locator(".explanation")).to_contain_text("har ferdigheten polsk")
    row = page.locator("#unplaced tr").filter(
        has=page.get_by_role("cell", name="Samtale på polsk om dagen", exact=True)
    )
    row.locator("summary").click()
    row.locator("button.who").click()
    expect(page.locator("#candidates-body")).to_contain_text(
        "Ingen kan ta dette besøket: ingen på vakt har kompetansen"
    )
    page.keyboard.press("Escape")
    expect(page.locator("#visit-dialog")).to_be_hidden()
    assert axe_violations(page) == [], "the day at a glance"
    page.locator(".map-card").screenshot(path=str(shots / "planner-map.png"))
    page.locator("#timeline").screenshot(path=str(shots / "planner-timeline.png"))
    page.locator(".unplaced-card").screenshot(path=str(shots / "planner-unplaced.png"))

    # A visit's marker on the map opens the visit (one with no other marker near it).
    lone = page.evaluate(
        """() => {
          const { view } = window.planner.state;
          const at = (p) => window.planner.mapPoint(p.lat, p.lon);
          const visits = view.result.worklists.flatMap(
            (w) => w.visits.map((v) => ({ w, v, p: at(v.location) })));
          const others = [at(view.base), ...view.unplaced_places.map((u) => at(u.location))];
          const far = (a, b, px) => Math.hypot(a.x - b.x, a.y - b.y) > px;
          const x = visits.find((a) => !a.v.partner_staff_ids.length
            && visits.every((b) => b === a || far(a.p, b.p, 16))
            && others.every((o) => far(a.p, o, 24)));
          return { ...x.p, staff: x.w.first_name };
        }"""
    )
    page.mouse.click(lone["x"], lone["y"])
    expect(page.locator("#visit-dialog")).to_be_visible()
    expect(page.locator("#visit-facts")).to_contain_text(lone["staff"])
    page.keyboard.press("Escape")

    # Hovering a visit shows first name, window, tasks and competence.
    first_visit = page.locator("#timeline .seg.visit:not(.double)").nth(3)
    first_visit.hover()
    tooltip = page.locator("#tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("Tidsvindu")
    expect(tooltip).to_contain_text("Krever kompetanse")

    # "Who could take this?" on a selected visit (keyboard: focus and Enter).
    key = first_visit.get_attribute("data-key")
    assert key is not None
    owner, visit_id = key.split("|")
    first_visit.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#visit-dialog")).to_be_visible()
    page.click("#who")
    candidates = page.locator("#candidates-body tbody tr")
    expect(candidates.first).to_be_visible()
    assert axe_violations(page) == [], "visit dialog with candidates"
    listed = candidates.evaluate_all("rows => rows.map(r => r.dataset.staff)")
    assert owner not in listed
    page.keyboard.press("Escape")
    expect(page.locator("#visit-dialog")).to_be_hidden()

    # Drag the visit to the best-ranked caregiver's row.
    target = listed[0]
    target_row = page.locator(f'#timeline .tl-row[data-staff="{target}"]')
    box = first_visit.bounding_box()
    row_box = target_row.bounding_box()
    assert box is not None and row_box is not None
    page.mouse.move(box["x"] + 3, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 13, box["y"] + box["height"] / 2, steps=3)
    page.mouse.move(box["x"] + 3, row_box["y"] + row_box["height"] / 2, steps=8)
    page.mouse.up()
    diff = page.locator("#diff-dialog")
    expect(diff).to_be_visible(timeout=PLAN_TIMEOUT_MS)
    moved_in = diff.locator(f'tr[data-staff="{target}"] td.in li[data-visit="{visit_id}"]')
    expect(moved_in).to_have_count(1)
    moved_out = diff.locator(f'tr[data-staff="{owner}"] td.out li[data-visit="{visit_id}"]')
    expect(moved_out).to_have_count(1)
    assert axe_violations(page) == [], "re-plan differences"
    page.click("#diff-accept")
    expect(page.locator(f'#timeline .seg.visit[data-key="{target}|{visit_id}"]')).to_have_count(1)
    accepted_run = page.evaluate("window.planner.state.runId")

    # Move the same visit again with the keyboard, then discard: the pin is back as the
    # first move left it, and the plan stays.
    planner = _token(Role.PLANNER, "planner-1")
    shift = {"date": DAY, "shift": "day"}

    def pins() -> list[tuple]:
        found = httpx.get(f"{server.url}/v1/pins", params=shift, headers=planner).json()
        return sorted((p["task_id"], p["visit_id"], p["staff_id"], p["start"]) for p in found)

    pinned = pins()
    assert {p[1] for p in pinned} == {visit_id} and {p[2] for p in pinned} == {target}
    page.locator(f'#timeline .seg.visit[data-key="{target}|{visit_id}"]').focus()
    page.keyboard.press("Enter")
    page.focus("#move-to")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(diff).to_be_visible(timeout=PLAN_TIMEOUT_MS)
    page.click("#diff-reject")
    expect(page.locator("#status")).to_have_text("Endringene er forkastet og låsen fjernet.")
    assert pins() == pinned
    assert page.evaluate("window.planner.state.runId") == accepted_run

    # Publish: version 1, and the nurse's published worklist has the moved visit.
    expect(page.locator("#publish-text")).to_contain_text("vist: 0")
    page.click("#publish")
    expect(page.locator("#publish-text")).to_have_text("Publisert som versjon 1.")
    worklist = httpx.get(
        f"{server.url}/v1/nurse/worklist",
        params={"date": DAY, "shift": "day"},
        headers=_token(Role.NURSE, target),
    )
    assert worklist.status_code == 200
    assert visit_id in {v["visit_id"] for v in worklist.json()["worklist"]["visits"]}
    gone = httpx.get(
        f"{server.url}/v1/nurse/worklist",
        params={"date": DAY, "shift": "day"},
        headers=_token(Role.NURSE, owner),
    )
    assert gone.status_code == 404 or visit_id not in {
        v["visit_id"] for v in gone.json()["worklist"]["visits"]
    }

    # Someone else publishes meanwhile: the page's If-Match is stale (409) and it says so;
    # pressing again publishes over the version that is now current.
    run_id = page.evaluate("window.planner.state.runId")
    other = httpx.post(
        f"{server.url}/v1/runs/{run_id}/publish",
        headers={**_token(Role.PLANNER, "planner-2"), "If-Match": '"1"'},
    )
    assert other.status_code == 201
    page.click("#publish")
    expect(page.locator("#publish-text")).to_contain_text("i mellomtiden (nå versjon 2)")
    page.click("#publish")
    expect(page.locator("#publish-text")).to_have_text("Publisert som versjon 3.")

    # Print one nurse's worklist: the print stylesheet shows only her list.
    page.select_option("#print-who", target)
    page.click("#print")
    assert page.evaluate("window.__printed") == 1
    page.emulate_media(media="print")
    expect(page.locator("#print-area .worklist")).to_have_count(1)
    expect(page.locator("#print-area .worklist")).to_be_visible()
    expect(page.locator("#planner")).to_be_hidden()
    assert axe_violations(page) == [], "print view"
    pdf = page.pdf(path=str(tmp_path / "worklist.pdf"), format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 2_000


def test_a_run_shows_its_progress_live_and_can_be_cancelled(server, page: Page) -> None:
    """A long run reports its progress as it goes; "Avbryt" stops it and the page says so."""
    _sign_in(page, server.url, "planner")
    expect(page.locator("#planner")).to_be_visible()
    page.fill("#date", "2026-12-02")
    page.fill("#limit", "120")
    page.click("#plan")
    expect(page.locator("#run-text")).to_contain_text("Planlegger …", timeout=PLAN_TIMEOUT_MS)
    page.click("#cancel")
    expect(page.locator("#run-text")).to_have_text("Planleggingen ble avbrutt.", timeout=30_000)
    expect(page.locator("#plan")).to_be_enabled()
    expect(page.locator("#cancel")).to_be_disabled()


def test_english_on_request(server, page: Page) -> None:
    """``?lang=en`` shows the page in English from the English catalogue."""
    page.goto(f"{server.url}/?lang=en")
    expect(page.locator("h1")).to_have_text("Home care – planning")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_nurse_reaches_none_of_the_planner_actions(server, page: Page) -> None:
    """Signed in as a nurse the page says she may not plan and shows no planning action;
    the planner endpoints refuse her token (403)."""
    _sign_in(page, server.url, "nurse")
    expect(page.locator("#denied")).to_be_visible()
    expect(page.locator("#denied-text")).to_contain_text("sykepleier")
    for action in ("#plan", "#publish", "#print", "#cancel"):
        expect(page.locator(action)).to_be_hidden()
    assert axe_violations(page) == [], "refused view"
    nurse = _token(Role.NURSE, "S022")
    for method, path in (
        ("GET", "/v1/planner/config"),
        ("POST", "/v1/runs"),
        ("GET", "/v1/planner/runs/x/candidates?visit_id=v"),
        ("POST", "/v1/planner/runs/x/replan"),
        ("POST", "/v1/runs/x/publish"),
    ):
        response = httpx.request(method, f"{server.url}{path}", headers=nurse, json={})
        assert response.status_code == 403, (method, path, response.status_code)
