"""Hooks for every test; this file also puts tests/ on the import path (for ci_guard.py and
violations.py).

In CI a test may not skip for want of a resource CI must provide (see ci_guard.py).
"""

from __future__ import annotations

import pytest

from ci_guard import REQUIRE_ENV, required, skip_reason, skipped_for

_REQUIRED = pytest.StashKey[frozenset[str]]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_REQUIRED] = required()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    if report.skipped and not hasattr(report, "wasxfail"):
        resource = skipped_for(report)
        if resource is not None and resource in item.config.stash[_REQUIRED]:
            report.outcome = "failed"
            report.longrepr = (
                f"{resource} is required here ({REQUIRE_ENV} or CI=true) "
                f"but the test skipped: {skip_reason(report)}"
            )
    return report
