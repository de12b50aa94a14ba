"""Shared fixtures: a tiny Solomon-format data folder and the real one when present."""

from __future__ import annotations

from pathlib import Path

import pytest

import ci_guard
from hjemmetjeneste.benchsets import benchmarks_dir

TINY = """TINY1

VEHICLE
NUMBER     CAPACITY
  3         20

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      0          0          0          0       500          0
    1      3          4         10          0       200         10
    2      6          8         10          0       200         10
    3      -3         4         10          0       200         10
    4      1          1          5         50        90         10
"""


@pytest.fixture
def tiny_data(tmp_path: Path) -> Path:
    """A benchmark folder with two 4-customer Solomon instances and their bks.csv rows.

    TINY1: capacity 20 binds (one vehicle cannot carry all); TINY2: capacity 100 does not.
    """
    root = tmp_path / "benchmarks" / "solomon"
    (root / "instances").mkdir(parents=True)
    (root / "instances" / "TINY1.txt").write_text(TINY.replace("\n", "\r\n"), encoding="utf-8")
    roomy = TINY.replace("TINY1", "TINY2").replace("  3         20", "  3         100")
    (root / "instances" / "TINY2.txt").write_text(roomy, encoding="utf-8")
    (root / "bks.csv").write_text(
        "instance,dimacs_vehicles,dimacs_distance\nTINY1,2,31.4\nTINY2,1,24.8\n",
        encoding="utf-8",
    )
    return tmp_path / "benchmarks"


@pytest.fixture(scope="session")
def shared_benchmarks() -> Path:
    """The public sets in ../shared/benchmarks; skipped when absent (never in CI)."""
    path = benchmarks_dir()
    if not path.is_dir():
        ci_guard.skip("benchmarks", f"benchmark data {path} not present")
    return path
