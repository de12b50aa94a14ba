"""Page tests: a real uvicorn server on 127.0.0.1 over a store with the demo, driven by
Debian's headless Chromium through Playwright.

They skip only when Chromium (``/usr/bin/chromium``) or Playwright is missing; ``.ci/run``
installs Chromium so that CI runs them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import ci_guard

CHROMIUM = Path(os.environ.get("HJEMMETJENESTE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: A task nobody on the demo's day shift may do (nobody speaks Polish): always unplaced.
UNPLACEABLE = (
    "I99001,CP-P0001,P0001,Mestring og motivasjon,Samtale på polsk om dagen,20,window,,0,"
    "10:00-12:00,,1,,assistent,language_pl,1,normal,false,2026-01-01,\n"
)

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None  # type: ignore[assignment]

if sync_playwright is None or not CHROMIUM.exists():
    pytest.skip(
        ci_guard.reason(
            "chromium",
            "page tests need Playwright and Debian's chromium (apt-get install chromium)",
        ),
        allow_module_level=True,
    )

from web_helpers import DEMO, Server, serve_export  # noqa: E402 - needs Playwright


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """uvicorn with the app in demo mode over a store holding the demo plus one task that no
    one on the day shift is qualified for (so the unplaced list has a reason to show)."""
    folder = tmp_path_factory.mktemp("page")
    export = folder / "demo"
    shutil.copytree(DEMO, export)
    with (export / "interventions.csv").open("a", encoding="utf-8") as out:
        out.write(UNPLACEABLE)
    with serve_export(folder, export) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page (own storage). CSP is bypassed only so that axe can be injected."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # window.print() would block on a dialog in a browser with a screen: record it instead.
    page.add_init_script("window.print = () => { window.__printed = (window.__printed||0) + 1; };")
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
