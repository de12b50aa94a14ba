"""`hjemmetjeneste plan --from PREVIOUS.json`: re-plan a shift warm from a plan it wrote."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hjemmetjeneste.cli import app
from hjemmetjeneste.domain import PlanResult

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
PLAN = ["plan", str(DEMO), "--date", "2026-12-01", "--shift", "day", "--no-details"]
# Exit 0 needs every time-critical task placed: a work budget, not what 0.5 s gives under load.
BUDGET = ["--iterations", "1500", "--seed", "0"]
runner = CliRunner()


def _flat(text: str) -> str:
    """Output with rich's line wrapping undone."""
    return " ".join(text.split())


def test_plan_from_its_own_json_warm_starts_and_writes_a_plan(tmp_path: Path):
    """A plan written by --out is read back by --from; the re-plan says the start was used."""
    first = runner.invoke(app, [*PLAN, *BUDGET, "--time-limit", "5", "--out", str(tmp_path / "a")])
    assert first.exit_code == 0, first.output
    assert "Warm start" not in first.output
    (path,) = (tmp_path / "a").glob("plan-*.json")
    again = runner.invoke(
        app,
        [
            *PLAN,
            *BUDGET,
            "--time-limit",
            "5",
            "--from",
            str(path),
            "--out",
            str(tmp_path / "b"),
            "--lang",
            "en",
        ],
    )
    assert again.exit_code == 0, again.output
    assert "Warm start used" in _flat(again.output)
    (second,) = (tmp_path / "b").glob("plan-*.json")
    before = PlanResult.model_validate_json(path.read_bytes())
    after = PlanResult.model_validate_json(second.read_bytes())
    # Same staff, same shift: nothing forces a change, so the search keeps most of it.
    assert {w.staff_id for w in after.worklists} == {w.staff_id for w in before.worklists}
    assert after.kpis.visits_placed >= before.kpis.visits_placed


def test_plan_from_a_file_that_is_not_a_plan_is_an_input_error(tmp_path: Path):
    """A --from file that is not a worklist JSON exits 2 naming the file and field."""
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"district_id": "x"}), encoding="utf-8")
    run = runner.invoke(app, [*PLAN, "--time-limit", "0.2", "--from", str(bad), "--lang", "en"])
    assert run.exit_code == 2
    assert "not a worklist JSON" in _flat(run.output) and "municipality_id" in run.output


def test_plan_from_another_shift_is_an_input_error(tmp_path: Path):
    """A --from plan of another shift exits 2 instead of silently planning cold."""
    out = tmp_path / "evening"
    first = runner.invoke(
        app,
        [*PLAN[:-2], "evening", "--no-details", *BUDGET, "--time-limit", "5", "--out", str(out)],
    )
    assert first.exit_code == 0, first.output
    (path,) = out.glob("plan-*.json")
    run = runner.invoke(app, [*PLAN, "--time-limit", "0.2", "--from", str(path)])
    assert run.exit_code == 2
    assert "ikke trd-ost 2026-12-01 dagvakt" in _flat(run.output)  # bokmål by default
    run = runner.invoke(app, [*PLAN, "--time-limit", "0.2", "--from", str(path), "--lang", "en"])
    assert run.exit_code == 2
    assert "re-plan the same shift" in _flat(run.output)
