"""`hjemmetjeneste plan --osm / --osrm`: the option picks the travel source the plan uses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from travel_osm_helpers import need_extract

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


def run_plan(*extra: str, out: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    cmd = [
        sys.executable, "-m", "hjemmetjeneste.cli", "plan", str(DEMO),
        "--date", "2026-12-01", "--shift", "day", "--time-limit", "0.5",
        "--no-details", "--out", str(out), *extra,
    ]  # fmt: skip
    env = {**os.environ, "HJEMMETJENESTE_CACHE_DIR": str(cache)}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False, env=env)


def test_plan_on_a_foreign_extract_reports_every_visit_unreachable(tmp_path):
    """Trondheim's demo addresses on Helsinki's roads: the plan is written, every task unplaced
    'unreachable', exit 4 (time-critical tasks are among them).

    The same run caches the road graphs and matrices under HJEMMETJENESTE_CACHE_DIR.
    """
    extract = need_extract("Helsinki.osm.pbf")
    run = run_plan("--osm", str(extract), out=tmp_path / "out", cache=tmp_path / "cache")
    assert run.returncode == 4, run.stderr
    (plan_file,) = (tmp_path / "out").glob("plan-*.json")
    plan = json.loads(plan_file.read_text(encoding="utf-8"))
    reasons = {u["reason"] for u in plan["unplaced"]}
    # The demo's patient with swapped coordinates is kept out before any road is looked at.
    assert reasons == {"unreachable", "implausible_location"}
    assert not any(w["visits"] for w in plan["worklists"])
    assert list((tmp_path / "cache" / "roads").glob("*.npz"))
    assert list((tmp_path / "cache" / "matrices").glob("*.npz"))


def test_osm_and_osrm_together_are_refused(tmp_path):
    """Both sources at once is bad input (exit 2) with a sentence saying so."""
    run = run_plan(
        "--osm",
        "x.osm.pbf",
        "--osrm",
        "http://127.0.0.1:9",
        "--lang",
        "en",
        out=tmp_path,
        cache=tmp_path,
    )
    assert run.returncode == 2
    assert "either --osm or --osrm" in run.stderr


def test_missing_extract_is_bad_input(tmp_path):
    """--osm naming a file that does not exist: exit 2 naming the file."""
    run = run_plan("--osm", str(tmp_path / "none.osm.pbf"), out=tmp_path, cache=tmp_path)
    assert run.returncode == 2
    assert "none.osm.pbf" in run.stderr
