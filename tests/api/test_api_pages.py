"""The nurse's, patient's and hospital's pages as files: served with the page policy, the
service worker able to control /nurse and to keep every file the page needs offline, and
every message the pages name present in both catalogues."""

from __future__ import annotations

import re

import pytest

from hjemmetjeneste.api.routers.pages import PAGES
from hjemmetjeneste.api.routers.planner import STATIC_DIR

#: t("key") and data-i18n="key" with a literal key (template keys are checked by the page tests).
_KEYS = re.compile(
    r"""\bt\(\s*"([a-z_.]+)"|data-i18n="([a-z_.]+)"|data-i18n-attr="[a-z-]+:([a-z_.]+)"""
)
_PAGE_FILES = [
    "nurse.html",
    "nurse.js",
    "patient.html",
    "patient.js",
    "hospital.html",
    "hospital.js",
    "session.js",
    "actuals.js",
    "events.js",
    "index.html",
]


@pytest.mark.parametrize("path", sorted(PAGES))
def test_each_page_is_served_with_the_page_policy(client, path: str) -> None:
    """Each page is HTML in bokmål with scripts from the server only, never cached stale."""
    page = client.get(path)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-cache"
    assert '<html lang="nb"' in page.text


def test_the_service_worker_may_control_the_nurse_page_and_keeps_all_it_needs(client) -> None:
    """/nurse-sw.js is JavaScript allowed to control /nurse, and every file it keeps for
    offline use is there (one missing file would make its install fail)."""
    worker = client.get("/nurse-sw.js")
    assert worker.status_code == 200
    assert "javascript" in worker.headers["content-type"]
    assert worker.headers["service-worker-allowed"] == "/nurse"
    shell = re.search(r"const SHELL = \[(.*?)\];", worker.text, re.S)
    assert shell is not None
    files = re.findall(r'"([^"]+)"', shell.group(1))
    assert "/nurse" in files and "/static/nurse.js" in files
    for path in files:
        assert client.get(path).status_code == 200, path
    imported = set(re.findall(r'from "\./([a-z0-9-]+\.js)"', (STATIC_DIR / "nurse.js").read_text()))
    imported |= set(
        re.findall(r'from "\./([a-z0-9-]+\.js)"', (STATIC_DIR / "session.js").read_text())
    )
    assert {f"/static/{name}" for name in imported} <= set(files), "a module the page imports"


def test_every_message_the_pages_name_is_in_both_catalogues(client) -> None:
    """The pages' catalogues have the same keys, and every literal key the pages use is in
    the main catalogue or the pages' one, in both languages."""
    nb = client.get("/static/i18n/nb.json").json() | client.get("/static/i18n/pages.nb.json").json()
    en = client.get("/static/i18n/en.json").json() | client.get("/static/i18n/pages.en.json").json()
    assert set(nb) == set(en)
    used = set()
    for name in _PAGE_FILES:
        for match in _KEYS.finditer((STATIC_DIR / name).read_text(encoding="utf-8")):
            used.add(next(group for group in match.groups() if group))
    assert len(used) > 100
    assert sorted(used - set(nb)) == []
