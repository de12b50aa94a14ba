"""CI cannot skip what it must run: a skip for want of a required resource fails there.

A test that needs something outside the repository (a PostgreSQL server, the shared OSM
extracts, an OSRM server, the shared benchmark data, the optional peer solvers, Debian's
Chromium for the page tests) skips
without it on a developer's machine, and says which with :func:`reason` / :func:`skip`:
its skip reason starts ``needs <resource>:``. ``.ci/run`` sets
``HJEMMETJENESTE_CI_REQUIRE`` to the resources CI provides; the hook in tests/conftest.py
turns a skip for one of them into a failure that names it, whether a test skips or a whole
module does (at collection). Without the variable, CI=true
requires them all; elsewhere nothing is required.
"""

from __future__ import annotations

import os
import re
from typing import NoReturn

import pytest

REQUIRE_ENV = "HJEMMETJENESTE_CI_REQUIRE"
RESOURCES = frozenset({"postgres", "osm", "osrm", "benchmarks", "peers", "chromium"})
_NEEDS = re.compile(r"needs (\w+):")


def reason(resource: str, why: str) -> str:
    """The skip reason of a test that cannot run without ``resource``."""
    if resource not in RESOURCES:
        raise ValueError(f"unknown resource {resource!r}; known: {sorted(RESOURCES)}")
    return f"needs {resource}: {why}"


def skip(resource: str, why: str) -> NoReturn:
    """Skip the running test for want of ``resource`` (a failure where it is required)."""
    pytest.skip(reason(resource, why))


def required(environ: dict[str, str] | os._Environ[str] = os.environ) -> frozenset[str]:
    """The resources whose absence must fail the run here."""
    raw = environ.get(REQUIRE_ENV)
    if raw is None:
        return RESOURCES if environ.get("CI") == "true" else frozenset()
    names = frozenset(n.strip() for n in raw.split(",") if n.strip())
    if unknown := names - RESOURCES:
        raise pytest.UsageError(
            f"{REQUIRE_ENV} names unknown resource(s) {sorted(unknown)}; known: {sorted(RESOURCES)}"
        )
    return names


def skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    """The reason a skipped test report gives."""
    longrepr = report.longrepr
    return longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)


def skipped_for(report: pytest.TestReport | pytest.CollectReport) -> str | None:
    """The resource a skipped test report says it lacked, or None."""
    found = _NEEDS.search(skip_reason(report))
    return found.group(1) if found else None
