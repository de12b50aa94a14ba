"""Hooks for every test; this file also puts tests/ on the import path (for ci_guard.py and
violations.py).

In CI a test may not skip for want of a resource CI must provide (see ci_guard.py).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from ci_guard import REQUIRE_ENV, required, skip_reason, skipped_for

# CI's run is reproducible: the property tests draw the same examples every time, so a run
# fails for a change, not for a draw (a drawn FHIR latitude of 6320114.0 once failed a
# developer's run on code that had not changed). Local runs keep exploring new examples.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

_REQUIRED = pytest.StashKey[frozenset[str]]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_REQUIRED] = required()


def _fail_if_required(
    report: pytest.TestReport | pytest.CollectReport, config: pytest.Config
) -> None:
    """Turn a skip for want of a required resource into a failure that names it."""
    if report.skipped and not hasattr(report, "wasxfail"):
        resource = skipped_for(report)
        if resource is not None and resource in config.stash[_REQUIRED]:
            report.outcome = "failed"
            report.longrepr = (
                f"{resource} is required here ({REQUIRE_ENV} or CI=true) "
                f"but the test skipped: {skip_reason(report)}"
            )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    _fail_if_required(report, item.config)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    """A whole module (or conftest) that skips at collection is judged the same way."""
    report = yield
    _fail_if_required(report, collector.config)
    return report
