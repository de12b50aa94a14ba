"""`hjemmetjeneste check` re-validates written plans and catches hand edits that break rules."""

from __future__ import annotations

import json
from datetime import time

from constraint_helpers import DAY, QUICK, district, intervention, staff
from typer.testing import CliRunner

from hjemmetjeneste.cli import app
from hjemmetjeneste.domain import ShiftKind
from hjemmetjeneste.formats import write_export
from hjemmetjeneste.pipeline import plan_range


def _written(tmp_path):
    data = district(
        [
            intervention("a", "p1", window=(time(8, 0), time(9, 0))),
            intervention("b", "p2", window=(time(8, 0), time(12, 0))),
            intervention("lift", "p3", staff_count=2, window=(time(9, 0), time(12, 0))),
        ],
        [staff("s1"), staff("s2")],
    )
    export = tmp_path / "export"
    write_export(data, export)
    (outcome,) = plan_range(data, DAY, DAY, (ShiftKind.DAY,), params=QUICK)
    assert outcome.violations == () and outcome.result.unplaced == ()
    path = tmp_path / "plan.json"
    path.write_text(outcome.result.model_dump_json(), encoding="utf-8")
    return export, path


def test_solver_made_plan_passes(tmp_path):
    """A plan as the pipeline wrote it has no violations: exit code 0."""
    export, path = _written(tmp_path)
    result = CliRunner().invoke(app, ["check", str(path), "--data", str(export), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "no violations" in result.output


def test_hand_edited_plan_is_caught_with_typed_violations(tmp_path):
    """Moving a visit before its window and one lift partner later gives typed violations."""
    export, path = _written(tmp_path)
    plan = json.loads(path.read_text(encoding="utf-8"))
    for worklist in plan["worklists"]:
        for visit in worklist["visits"]:
            if visit["tasks"][0]["intervention_id"] == "a":
                visit["start"] = visit["start"][:11] + "07:40:00+01:00"
    lifted = [
        v
        for w in plan["worklists"]
        for v in w["visits"]
        if v["tasks"][0]["intervention_id"] == "lift"
    ]
    lifted[0]["start"] = lifted[0]["start"][:11] + "11:59:00+01:00"
    path.write_text(json.dumps(plan), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path), "--data", str(export), "--lang", "en"])
    assert result.exit_code == 3, result.output
    assert "too early" in result.output  # starts_before_window, in words
    assert "double staffing out of step" in result.output  # unsynchronised_double_staffing
    assert "s1 · visit:" in result.output or "s2 · visit:" in result.output
    # Sentences in planner terms: clock times, never the solver's seconds or indices.
    text = " ".join(result.output.split())
    assert "starts at 07:40, window opens 08:00" in text
    assert "job " not in text and "vehicle " not in text
    # In bokmål by default.
    nb = CliRunner().invoke(app, ["check", str(path), "--data", str(export)])
    text = " ".join(nb.output.split())
    assert nb.exit_code == 3 and "for tidlig" in text
    assert "starter 07:40, tidsvinduet åpner 08:00" in text


def test_unreadable_plan_is_bad_input(tmp_path):
    """A file that is not a plan is reported with its name: exit code 2."""
    bad = tmp_path / "plan.json"
    bad.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(bad), "--data", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 2
    assert "plan.json" in result.output
    # Why, in the catalogue's words: the first missing field, never pydantic's English.
    assert "Field required" not in result.output
    nb = CliRunner().invoke(app, ["check", str(bad), "--data", str(tmp_path)])
    text = " ".join(nb.output.split())
    assert nb.exit_code == 2 and "ikke en plan-JSON-fil:" in text and "må fylles ut" in text
    bad.write_text('{"district_id": ', encoding="utf-8")
    broken = CliRunner().invoke(app, ["check", str(bad), "--data", str(tmp_path)])
    assert "ikke gyldig JSON" in " ".join(broken.output.split())
