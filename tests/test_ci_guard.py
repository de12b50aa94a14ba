"""A skip for want of a resource CI must provide fails there, and only there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import ci_guard

TESTS = Path(__file__).resolve().parent

SKIPPING = """
import ci_guard
import pytest


def test_store():
    ci_guard.skip("postgres", "HJEMMETJENESTE_TEST_POSTGRES_URL not set")


@pytest.mark.skipif(True, reason=ci_guard.reason("benchmarks", "no Solomon instances"))
def test_quality():
    pass


@pytest.mark.skip(reason="not written yet")
def test_plain_skip():
    pass
"""


MODULE_SKIP = """
import ci_guard
import pytest

pytest.skip(ci_guard.reason("chromium", "no browser"), allow_module_level=True)


def test_page():
    pass
"""


def _run(tmp_path: Path, tests: str = SKIPPING, **env: str) -> subprocess.CompletedProcess[str]:
    """pytest on a folder with this repo's conftest and skipping tests (three by default)."""
    for name in ("conftest.py", "ci_guard.py"):
        shutil.copy(TESTS / name, tmp_path / name)
    (tmp_path / "test_skips.py").write_text(tests, encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", ci_guard.REQUIRE_ENV)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rfEs", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env={**clean, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_the_guard_a_missing_resource_only_skips(tmp_path: Path):
    """On a developer's machine the three tests skip and the run passes."""
    result = _run(tmp_path)
    assert result.returncode == 0, result.stdout
    assert "3 skipped" in result.stdout


def test_a_required_resource_that_is_missing_fails_the_run_naming_it(tmp_path: Path):
    """With postgres required, the store test fails; the others still skip."""
    result = _run(tmp_path, **{ci_guard.REQUIRE_ENV: "postgres,peers"})
    assert result.returncode == 1, result.stdout
    assert "1 failed, 2 skipped" in result.stdout
    assert "postgres is required here" in result.stdout
    assert "FAILED test_skips.py::test_store" in result.stdout


def test_ci_without_the_variable_requires_every_resource(tmp_path: Path):
    """CI=true alone requires them all: both resource skips fail, a plain skip stays one."""
    result = _run(tmp_path, CI="true")
    assert result.returncode == 1, result.stdout
    # The skipif is judged at setup, so pytest counts that failure as an error.
    assert "1 failed, 1 skipped, 1 error" in result.stdout
    assert "benchmarks is required here" in result.stdout


def test_a_module_that_skips_at_collection_fails_where_its_resource_is_required(tmp_path: Path):
    """The page tests skip as a whole module without Chromium: in CI that is a failure
    naming the resource, not a quiet skip; elsewhere it stays a skip."""
    for place in ("elsewhere", "ci"):
        (tmp_path / place).mkdir()
        (tmp_path / place / "test_other.py").write_text("def test_other():\n    pass\n")
    result = _run(tmp_path / "elsewhere", MODULE_SKIP)
    assert result.returncode == 0, result.stdout
    assert "1 passed, 1 skipped" in result.stdout
    result = _run(tmp_path / "ci", MODULE_SKIP, **{ci_guard.REQUIRE_ENV: "chromium"})
    assert result.returncode != 0, result.stdout
    assert "chromium is required here" in result.stdout
    assert "1 error" in result.stdout


def test_an_unknown_resource_in_the_guard_is_a_usage_error(tmp_path: Path):
    """A typo in the guard cannot silently require nothing."""
    result = _run(tmp_path, **{ci_guard.REQUIRE_ENV: "postgress"})
    assert result.returncode != 0
    assert "unknown resource(s) ['postgress']" in result.stdout + result.stderr


def test_a_skip_reason_names_a_known_resource():
    """Tests can only say they need a resource the guard knows."""
    assert ci_guard.reason("osrm", "no server") == "needs osrm: no server"
    with pytest.raises(ValueError, match="unknown resource"):
        ci_guard.reason("gpu", "none here")


@pytest.mark.parametrize("missing", ["HJEMMETJENESTE_BENCHMARKS_DIR", "HJEMMETJENESTE_OSM_DIR"])
def test_ci_run_without_the_shared_data_fails_before_anything_starts(tmp_path: Path, missing):
    """.ci/run on a machine without the benchmark data or the OSM extracts stops at once,
    saying what is missing, instead of running a suite whose data tests would skip."""
    env = {**os.environ, "HJEMMETJENESTE_BENCHMARKS_DIR": str(tmp_path),
           "HJEMMETJENESTE_OSM_DIR": str(tmp_path), missing: str(tmp_path / "absent")}  # fmt: skip
    result = subprocess.run(
        ["bash", str(TESTS.parent / ".ci" / "run")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"{tmp_path / 'absent'} is missing" in result.stderr
