"""The day as it happens, in real browsers against a real server: the nurse's phone page, the
patient's page, the hospital's view and the planner's planned-against-actual card.

- a nurse marks visits started and done and the planner sees the actual times; the nurse's
  list stays readable offline after a reload;
- a patient cancels Tuesday's visits, the planner accepts, the nurse's page shows them gone
  and the patient sees the notice;
- a hospital admission pauses the patient's visits; a discharge notice with a new insulin
  intervention puts it on the next plan.

The server gets its own store (not the planner page's): the demo with its roster repeated
on the dates these tests use, which are relative to today — yesterday (actual times can only
be recorded for a shift that has begun) and the next Tuesday (a re-plan never moves what
lies before now). Every page passes axe-core (no serious or critical violation).
"""

from __future__ import annotations

import csv
import json
import shutil
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from web_helpers import DEMO, Server, axe_violations, screenshot_dir, serve_export

from hjemmetjeneste.api.auth import Role, issue_demo_token
from hjemmetjeneste.settings import Settings

OSLO = ZoneInfo("Europe/Oslo")
TODAY = datetime.now(OSLO).date()
YESTERDAY = TODAY - timedelta(days=1)
TUESDAY = TODAY + timedelta(days=(1 - TODAY.weekday()) % 7 or 7)
WEDNESDAY = TUESDAY + timedelta(days=1)
PHONE = {"width": 390, "height": 844}
RUN_TIMEOUT_S = 150


def _roster_for(export: Path, days: list[date]) -> None:
    """Repeat the demo's roster on ``days`` (each from the demo day of the same weekday)."""
    path = export / "roster.csv"
    with path.open(encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    have = {r["date"] for r in rows}
    by_weekday: dict[int, str] = {}
    for day in sorted(have):
        by_weekday.setdefault(date.fromisoformat(day).weekday(), day)
    extra = [
        {**r, "date": day.isoformat()}
        for day in days
        if day.isoformat() not in have
        for r in rows
        if r["date"] == by_weekday[day.weekday()]
    ]
    with path.open("a", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writerows(extra)


@pytest.fixture(scope="module")
def day_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo served over its own store, with rosters on yesterday and the next Tuesday
    and Wednesday."""
    folder = tmp_path_factory.mktemp("day-pages")
    export = folder / "demo"
    shutil.copytree(DEMO, export)
    _roster_for(export, [YESTERDAY, TUESDAY, WEDNESDAY])
    quick = {"HJEMMETJENESTE_EVENT_REPLAN_TIME_LIMIT_S": "2"}  # re-plans of a demo shift
    with serve_export(folder, export, quick) as running:
        yield running


def _headers(role: Role, person: str) -> dict[str, str]:
    token = issue_demo_token(Settings(), role=role, person_id=person, municipality_id="5001")
    return {"Authorization": f"Bearer {token}"}


PLANNER = _headers(Role.PLANNER, "planner-1")


def _published(server: Server, day: date, shift: str = "day") -> dict:
    """The shift's current published plan: the one there (events applied to it since), or a
    new plan published now."""
    history = httpx.get(
        f"{server.url}/v1/publications/trd-ost/{day.isoformat()}/{shift}", headers=PLANNER
    )
    if history.status_code == 200 and history.json()["current_version"]:
        current = history.json()["versions"][0]
        assert current["version"] == history.json()["current_version"]
        result = httpx.get(f"{server.url}/v1/runs/{current['run_id']}/result", headers=PLANNER)
        return result.json()["result"]
    return _plan_and_publish(server, day, shift)


def _plan_and_publish(server: Server, day: date, shift: str = "day") -> dict:
    """Plan the demo district's shift through the API, publish it; the published result."""
    body = {"date": day.isoformat(), "shift": shift, "district_id": "trd-ost", "time_limit_s": 2}
    run = httpx.post(f"{server.url}/v1/runs", json=body, headers=PLANNER)
    assert run.status_code == 202, run.text
    run_id = run.json()["run_id"]
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while True:
        state = httpx.get(f"{server.url}/v1/runs/{run_id}", headers=PLANNER).json()
        if state["status"] not in ("queued", "running") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert state["status"] == "succeeded", state
    history = httpx.get(
        f"{server.url}/v1/publications/trd-ost/{day.isoformat()}/{shift}", headers=PLANNER
    )
    version = history.json()["current_version"] if history.status_code == 200 else 0
    published = httpx.post(
        f"{server.url}/v1/runs/{run_id}/publish",
        headers={**PLANNER, "If-Match": f'"{version}"'},
    )
    assert published.status_code == 201, published.text
    result = httpx.get(f"{server.url}/v1/runs/{run_id}/result", headers=PLANNER).json()
    return result["result"]


def _context(browser: Browser, role: Role, person: str, **options) -> BrowserContext:
    """A browser context signed in as ``person`` (the token in the tab's sessionStorage, as
    the sign-in form leaves it)."""
    context = browser.new_context(bypass_csp=True, locale="nb-NO", **options)
    token = _headers(role, person)["Authorization"].split()[1]
    context.add_init_script(f"sessionStorage.setItem('hjemmetjeneste.token', {json.dumps(token)})")
    return context


def _page(context: BrowserContext) -> tuple[Page, list[str]]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, errors


def _oslo(day: date, hhmm: str) -> datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO)


def test_a_nurse_marks_visits_started_and_done_and_the_planner_sees_actual_times(
    day_server: Server, browser: Browser, tmp_path: Path
) -> None:
    """On her phone a nurse sees her visits in order with times, address and map links,
    key-box note, tasks; taps Startet and Ferdig; the planner's page shows the actual times
    and the key figures; offline, a reload still shows her list with the times."""
    result = _plan_and_publish(day_server, YESTERDAY)
    # The busiest nurse with a double-staffed visit: her page names the partner.
    worklist = max(
        result["worklists"],
        key=lambda w: (any(v["partner_staff_ids"] for v in w["visits"]), len(w["visits"])),
    )
    visits = worklist["visits"]
    assert len(visits) >= 2
    first = visits[0]
    started = datetime.fromisoformat(first["start"]) + timedelta(minutes=4)
    done = started + timedelta(minutes=first["tasks"][0]["duration_min"] + 3)

    context = _context(
        browser, Role.NURSE, worklist["staff_id"], viewport=PHONE, is_mobile=True, has_touch=True
    )
    page, errors = _page(context)
    page.clock.set_fixed_time(started)
    page.goto(f"{day_server.url}/nurse?date={YESTERDAY.isoformat()}&shift=day")
    cards = page.locator("#visits li.visit")
    expect(cards).to_have_count(len(visits))
    expect(page.locator("h1")).to_have_text("Arbeidsliste")
    expect(page.locator("#summary")).to_contain_text(f"{len(visits)} besøk, 0 ferdig")
    order = cards.evaluate_all("items => items.map(i => i.dataset.visit)")
    assert order == [v["visit_id"] for v in visits]
    card = cards.first
    expect(card.locator(".patient")).to_have_text(first["patient_name"])
    expect(card.locator(".address")).to_have_text(first["address"])
    geo = card.locator('a.maplink[href^="geo:"]')
    expect(geo).to_have_attribute(
        "href",
        f"geo:{first['location']['lat']},{first['location']['lon']}?q="
        f"{first['location']['lat']},{first['location']['lon']}(" + _uri(first["address"]) + ")",
    )
    expect(card.locator(".tasks li")).to_have_count(len(first["tasks"]))
    with_note = [v for v in visits if v["key_box_note"]]
    if with_note:
        note_card = page.locator(f'#visits li.visit[data-visit="{with_note[0]["visit_id"]}"]')
        expect(note_card.locator(".keybox")).to_contain_text(with_note[0]["key_box_note"])
    with_partner = [v for v in visits if v["partner_staff_ids"]]
    assert with_partner, "the demo day has double-staffed visits"
    first_names = {w["staff_id"]: w["first_name"] for w in result["worklists"]}
    partner = with_partner[0]["partner_staff_ids"][0]
    pair = page.locator(f'#visits li.visit[data-visit="{with_partner[0]["visit_id"]}"]')
    expect(pair.locator(".partner")).to_have_text(f"Sammen med: {first_names[partner]}")
    expect(pair.locator(".partner")).not_to_contain_text(partner)
    expect(card.locator("button[data-kind=done]")).to_be_disabled()
    assert axe_violations(page) == [], "the nurse's list"

    card.locator("button[data-kind=started]").click()
    expect(card.locator(".recorded")).to_have_text(f"Startet {started:%H:%M}")
    expect(card.locator("button[data-kind=started]")).to_be_disabled()
    page.clock.set_fixed_time(done)
    card.locator("button[data-kind=done]").click()
    expect(card.locator(".recorded")).to_have_text(f"Startet {started:%H:%M} · Ferdig {done:%H:%M}")
    expect(page.locator("#summary")).to_contain_text("1 ferdig")
    second = cards.nth(1)
    page.clock.set_fixed_time(done + timedelta(minutes=10))
    second.locator("button[data-kind=started]").click()
    expect(second.locator(".recorded")).to_contain_text("Startet")
    shots = screenshot_dir(tmp_path)
    page.screenshot(path=str(shots / "nurse-page.png"))
    pair.screenshot(path=str(shots / "nurse-partner.png"))

    # The API holds what the page sent: the moments of the taps.
    mine = httpx.get(
        f"{day_server.url}/v1/nurse/actuals",
        params={"date": YESTERDAY.isoformat(), "shift": "day"},
        headers=_headers(Role.NURSE, worklist["staff_id"]),
    ).json()["actuals"]
    stored = {a["visit_id"]: a for a in mine}
    assert datetime.fromisoformat(stored[first["visit_id"]]["started_at"]) == started
    assert datetime.fromisoformat(stored[first["visit_id"]]["done_at"]) == done
    assert stored[visits[1]["visit_id"]]["done_at"] is None

    # Offline: the page and her list come back after a reload, with the recorded times.
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    context.set_offline(True)
    page.reload()
    expect(page.locator("#offline")).to_be_visible()
    expect(page.locator("#offline")).to_contain_text("Frakoblet")
    expect(cards).to_have_count(len(visits))
    expect(card.locator(".recorded")).to_contain_text(f"Ferdig {done:%H:%M}")
    # A tap without network waits in the outbox and is sent when the network is back.
    late = done + timedelta(minutes=25)
    page.clock.set_fixed_time(late)
    second.locator("button[data-kind=done]").click()
    expect(second.locator(".recorded")).to_contain_text("ikke sendt ennå")
    assert axe_violations(page) == [], "offline"
    context.set_offline(False)
    page.evaluate("window.nursePage.flush()")
    expect(second.locator(".recorded")).not_to_contain_text("ikke sendt ennå")
    context.close()
    assert not errors, errors

    # The planner's page: planned against actual for the published shift.
    planner_context = browser.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True)
    planner, planner_errors = _page(planner_context)
    planner.goto(day_server.url)
    planner.select_option("#demo-role", "planner")
    planner.click("#demo-form button[type=submit]")
    expect(planner.locator("#planner")).to_be_visible()
    planner.fill("#date", YESTERDAY.isoformat())
    planner.select_option("#shift", "day")
    planner.click("#load")
    card = planner.locator("#actuals-card")
    expect(card).to_be_visible()
    expect(card.locator('[data-kpi="actual-done"] dd')).to_contain_text("2 av")
    expect(card.locator('[data-kpi="actual-started"] dd')).to_contain_text("2 av")
    row = card.locator(f'tr[data-visit="{first["visit_id"]}"]')
    expect(row).to_contain_text(f"{started:%H:%M}")
    expect(row).to_contain_text(f"{done:%H:%M}")
    expect(card.locator("tbody tr")).to_have_count(2)
    assert axe_violations(planner) == [], "planned against actual"
    card.screenshot(path=str(shots / "planner-actuals.png"))
    planner_context.close()
    assert not planner_errors, planner_errors


def _uri(text: str) -> str:
    """encodeURIComponent of ``text``."""
    from urllib.parse import quote

    return quote(text, safe="-_.!~*'()")


def test_the_pages_are_in_english_on_request(day_server: Server, browser: Browser) -> None:
    """``?lang=en`` shows each page in English from the catalogues."""
    context = browser.new_context(bypass_csp=True)
    page, errors = _page(context)
    for path, heading in (
        ("/nurse", "Worklist"),
        ("/patient", "My home-care visits"),
        ("/hospital", "Hospital – municipal plan and messages"),
    ):
        page.goto(f"{day_server.url}{path}?lang=en")
        expect(page.locator("h1")).to_have_text(heading)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("#signin")).to_be_visible()
        assert axe_violations(page) == [], path
    context.close()
    assert not errors, errors


def test_a_role_gets_only_its_own_page(day_server: Server, browser: Browser) -> None:
    """A patient signed in on the nurse's page is told it is not for her, and sees nothing."""
    context = _context(browser, Role.PATIENT, "P0001")
    page, errors = _page(context)
    page.goto(f"{day_server.url}/nurse")
    expect(page.locator("#denied")).to_be_visible()
    expect(page.locator("#denied-text")).to_contain_text("pasient")
    expect(page.locator("#content")).to_be_hidden()
    context.close()
    assert not errors, errors


# --- events: cancellations, admissions, discharges (the events API of #16) ---------------


def _event_applied(server: Server, patient_id: str, kind: str) -> dict:
    """The planner accepts the patient's requested event of ``kind`` (if it is not applied
    already); the event once applied."""
    listed = httpx.get(f"{server.url}/v1/events", headers=PLANNER)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    events = body.get("events", body) if isinstance(body, dict) else body
    mine = [e for e in events if e["kind"] == kind and _patient(e) == patient_id]
    assert mine, events
    event = mine[0]
    if event["status"] == "requested":
        accepted = httpx.post(
            f"{server.url}/v1/events/{event['id']}/accept", headers=PLANNER, timeout=120
        )
        assert accepted.status_code in (200, 201, 202), accepted.text
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while True:
        event = httpx.get(f"{server.url}/v1/events/{event['id']}", headers=PLANNER).json()
        if event["status"] != "requested" or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert event["status"] == "applied", event
    return event


def _patient(event: dict) -> str | None:
    return event.get("fields", event).get("patient_id")


def _visits_of(result: dict, patient_id: str) -> list[tuple[str, str]]:
    return [
        (w["staff_id"], v["visit_id"])
        for w in result["worklists"]
        for v in w["visits"]
        if v["patient_id"] == patient_id
    ]


def _lone_patient(result: dict, exclude: set[str] = frozenset()) -> tuple[str, str]:
    """A patient whose visits on the shift are all one nurse's (none double-staffed), and
    that nurse; the nurse with most visits first."""
    for worklist in sorted(result["worklists"], key=lambda w: -len(w["visits"])):
        for visit in worklist["visits"]:
            patient = visit["patient_id"]
            owners = {staff for staff, _ in _visits_of(result, patient)}
            partners = [
                v
                for w in result["worklists"]
                for v in w["visits"]
                if v["patient_id"] == patient and v["partner_staff_ids"]
            ]
            if patient not in exclude and owners == {worklist["staff_id"]} and not partners:
                return patient, worklist["staff_id"]
    raise AssertionError("no patient visited by one nurse only")


def test_a_patient_cancels_tuesday_the_planner_accepts_and_the_nurse_sees_it_gone(
    day_server: Server, browser: Browser, tmp_path: Path
) -> None:
    """The patient reports being away on Tuesday on her page; the planner accepts; the
    nurse's page no longer lists the patient's visits and shows the change; the patient's
    page shows the notice and no Tuesday visit."""
    result = _plan_and_publish(day_server, TUESDAY)
    patient, nurse = _lone_patient(result)
    gone = {visit for _, visit in _visits_of(result, patient)}
    shots = screenshot_dir(tmp_path)

    # The nurse opens her list before the change (version 1 seen).
    nurse_context = _context(browser, Role.NURSE, nurse, viewport=PHONE, is_mobile=True)
    nurse_page, nurse_errors = _page(nurse_context)
    nurse_page.goto(f"{day_server.url}/nurse?date={TUESDAY.isoformat()}&shift=day")
    for visit in gone:
        expect(nurse_page.locator(f'#visits li.visit[data-visit="{visit}"]')).to_have_count(1)

    context = _context(browser, Role.PATIENT, patient)
    page, errors = _page(context)
    page.goto(f"{day_server.url}/patient?from={TUESDAY.isoformat()}")
    tuesday = page.locator(f'#visits .day[data-date="{TUESDAY.isoformat()}"] .slot')
    expect(tuesday).to_have_count(len(gone))
    assert axe_violations(page) == [], "the patient's page"
    page.screenshot(path=str(shots / "patient-page.png"), full_page=True)
    page.fill("#away-from", TUESDAY.isoformat())
    page.fill("#away-to", TUESDAY.isoformat())
    page.fill("#away-reason", "Hos datteren")
    page.click("#away-form button[type=submit]")
    expect(page.locator("#away-text")).to_contain_text("Takk!")
    expect(page.locator("#events li")).to_have_count(1)

    # The planner accepts on her page: the event waits in the "Hendelser" card.
    planner_context = browser.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True)
    planner, planner_errors = _page(planner_context)
    planner.goto(day_server.url)
    planner.select_option("#demo-role", "planner")
    planner.click("#demo-form button[type=submit]")
    waiting = planner.locator("#events-waiting li[data-status=requested]")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text(patient)
    expect(waiting).to_contain_text("Hos datteren")
    assert axe_violations(planner) == [], "the planner's events"
    waiting.locator("button[data-decision=accept]").click()
    expect(planner.locator("#events-text")).to_contain_text("Godtatt", timeout=RUN_TIMEOUT_S * 1000)
    expect(planner.locator("#events-decided li[data-status=applied]")).to_have_count(1)
    planner.locator("#events-card").screenshot(path=str(shots / "planner-events.png"))
    planner_context.close()
    assert not planner_errors, planner_errors
    _event_applied(day_server, patient, "patient_absence")

    nurse_page.reload()
    expect(nurse_page.locator("#summary")).to_be_visible()
    for visit in gone:
        expect(nurse_page.locator(f'#visits li.visit[data-visit="{visit}"]')).to_have_count(0)
    expect(nurse_page.locator("#changes")).to_be_visible()
    expect(nurse_page.locator("#changes-list li")).not_to_have_count(0)
    assert axe_violations(nurse_page) == [], "the nurse's changes"
    nurse_page.screenshot(path=str(shots / "nurse-changes.png"))
    nurse_page.click("#seen")
    expect(nurse_page.locator("#changes")).to_be_hidden()

    page.reload()
    expect(page.locator("#notices .notice")).not_to_have_count(0)
    # The notice names the cancelled visit's planned time in Oslo, as the nurse saw it.
    starts = sorted(
        v["start"] for w in result["worklists"] for v in w["visits"] if v["visit_id"] in gone
    )
    first_start = datetime.fromisoformat(starts[0]).astimezone(OSLO)
    expect(page.locator("#notices")).to_contain_text(f"kl. {first_start:%H:%M} er avlyst")
    expect(tuesday).to_have_count(0)
    expect(page.locator("#events li")).to_contain_text("godkjent")
    page.screenshot(path=str(shots / "patient-notice.png"), full_page=True)
    for c in (context, nurse_context):
        c.close()
    assert not errors and not nurse_errors, errors + nurse_errors


def test_a_hospital_admission_pauses_visits_and_a_discharge_adds_insulin(
    day_server: Server, browser: Browser, tmp_path: Path
) -> None:
    """The hospital reads the patient's plan (audited), sends an admission on Tuesday: the
    patient's Tuesday visits leave the published plan; a discharge report on Wednesday with a
    new insulin intervention puts an insulin task on Wednesday's plan."""
    result = _published(day_server, TUESDAY)
    taken = set()
    listed = httpx.get(f"{day_server.url}/v1/events", headers=PLANNER)
    if listed.status_code == 200:
        body = listed.json()
        events = body.get("events", body) if isinstance(body, dict) else body
        taken = {_patient(e) for e in events}
    patient, _nurse = _lone_patient(result, exclude=taken)
    shots = screenshot_dir(tmp_path)

    context = _context(browser, Role.SPECIALIST, "specialist-1")
    page, errors = _page(context)
    page.goto(f"{day_server.url}/hospital?patient={patient}&date={TUESDAY.isoformat()}&time=06:00")
    page.select_option("#purpose", "innleggelse")
    page.click("#plan-form button[type=submit]")
    expect(page.locator("#plan table tbody tr")).not_to_have_count(0)
    assert axe_violations(page) == [], "the hospital's view"
    read = httpx.get(
        f"{day_server.url}/v1/audit", params={"patient_id": patient}, headers=PLANNER
    ).json()
    entries = read.get("entries", read)
    assert any(e["action"] == "care_plan.read" and e["purpose"] == "innleggelse" for e in entries)

    page.click("#admit-form button[type=submit]")
    expect(page.locator("#admit-text")).to_contain_text("sendt", timeout=RUN_TIMEOUT_S * 1000)
    _event_applied(day_server, patient, "hospital_admission")
    visits = httpx.get(
        f"{day_server.url}/v1/patient/visits",
        params={"from_date": TUESDAY.isoformat()},
        headers=_headers(Role.PATIENT, patient),
    ).json()["visits"]
    assert [v for v in visits if v["date"] == TUESDAY.isoformat()] == []

    # The discharge report: a new insulin intervention from Wednesday.
    page.fill("#discharged-on", WEDNESDAY.isoformat())
    page.select_option("#change-action", "add")
    page.fill("#change-area", "Legemiddelhåndtering")
    page.fill("#change-description", "Insulin etter utskrivning")
    page.fill("#change-duration", "10")
    page.fill("#change-times", "08:30")
    page.fill("#change-tolerance", "30")
    page.select_option("#change-competence", "sykepleier")
    page.select_option("#change-skill", "insulin")
    page.check("#change-critical")
    page.click("#change-form button[type=submit]")
    expect(page.locator("#changes li")).to_have_count(1)
    page.screenshot(path=str(shots / "hospital-page.png"), full_page=True)
    page.click("#discharge-form button[type=submit]")
    expect(page.locator("#discharge-text")).to_contain_text("sendt", timeout=RUN_TIMEOUT_S * 1000)
    _event_applied(day_server, patient, "hospital_discharge")
    expect(page.locator("#sent li")).to_have_count(2)
    context.close()
    assert not errors, errors

    wednesday = _plan_and_publish(day_server, WEDNESDAY)
    insulin = [
        task
        for w in wednesday["worklists"]
        for v in w["visits"]
        if v["patient_id"] == patient
        for task in v["tasks"]
        if task["description"] == "Insulin etter utskrivning"
    ]
    assert len(insulin) == 1 and insulin[0]["time_critical"], wednesday["unplaced"]
