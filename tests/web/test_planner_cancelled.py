"""The planner's page lists the tasks the day's events cancelled, each with its event, under
the unplaced tasks (bokmål; English on request)."""

from __future__ import annotations

import copy

from playwright.sync_api import Page, expect
from web_helpers import axe_violations, synthetic_view


def _with_cancelled(view: dict, n: int) -> dict:
    """The view with the first ``n`` unplaced tasks listed as cancelled by an event."""
    view = copy.deepcopy(view)
    keys = ("task_id", "visit_id", "intervention_id", "patient_id", "description")
    keys += ("window_start", "window_end", "time_critical")
    view["result"]["cancelled"] = [
        {**{k: u[k] for k in keys}, "event_id": f"event-{k}"}
        for k, u in enumerate(view["result"]["unplaced"][:n])
    ]
    return view


def test_cancelled_tasks_are_listed_with_their_event(server, page: Page) -> None:
    """Two tasks cancelled by events: a table of two rows naming each event; none: no table."""
    page.goto(server.url)
    page.select_option("#demo-role", "planner")
    page.click("#demo-form button[type=submit]")
    expect(page.locator("#planner")).to_be_visible()
    # The page's own start-up requests settle first: in a loaded full run one of them once
    # redrew the page after the test's view and the cancelled table was gone.
    page.wait_for_load_state("networkidle")
    view = synthetic_view(n_staff=4, visits_each=3)
    page.evaluate("(view) => window.planner.renderView(view)", view)
    expect(page.locator("#unplaced table.cancelled")).to_have_count(0)
    page.evaluate("(view) => window.planner.renderView(view)", _with_cancelled(view, 2))
    rows = page.locator("#unplaced table.cancelled tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#cancelled-h")).to_have_text("Avlyst av hendelser (2)")
    expect(rows.nth(1).locator(".event-id")).to_have_text("event-1")
    assert axe_violations(page) == [], "the cancelled tasks' table"
