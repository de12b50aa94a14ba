"""A run that fails says why on the planner's page, in the page's language: the solver
process of a real run is killed, and the reason the server keeps for it is shown worded
from its catalogue (bokmål by default, English when the page is in English)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from playwright.sync_api import Page, expect
from web_helpers import Server, screenshot_dir

DAY = "2026-12-02"


def _plan_and_kill_the_solver(server: Server, page: Page) -> None:
    page.fill("#date", DAY)
    page.select_option("#shift", "day")
    page.fill("#limit", "60")
    page.click("#plan")
    deadline = time.monotonic() + 60
    while not (solvers := server.solver_processes()):
        assert time.monotonic() < deadline, "the run's solver process never started"
        time.sleep(0.2)
    for pid in solvers:
        os.kill(pid, signal.SIGKILL)


def test_a_run_whose_solver_dies_says_why_in_the_pages_language(
    server: Server, page: Page, tmp_path: Path
) -> None:
    page.goto(server.url)
    page.select_option("#demo-role", "planner")
    page.click("#demo-form button[type=submit]")
    expect(page.locator("#planner")).to_be_visible()
    page.wait_for_load_state("networkidle")

    _plan_and_kill_the_solver(server, page)
    expect(page.locator("#run-text")).to_have_text(
        "Planleggingen feilet: løserprosessen sluttet uten resultat (avslutningskode -9)",
        timeout=60_000,
    )
    page.screenshot(path=str(screenshot_dir(tmp_path) / "run-failed-nb.png"))

    page.select_option("#lang", "en")
    _plan_and_kill_the_solver(server, page)
    expect(page.locator("#run-text")).to_have_text(
        "Planning failed: the solver process ended without a result (exit code -9)",
        timeout=60_000,
    )
