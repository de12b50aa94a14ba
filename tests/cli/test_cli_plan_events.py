"""`hjemmetjeneste plan --absent S… --now 10:30`: a sick call re-planned with minimal change,
the changes printed per nurse in bokmål (English on request)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hjemmetjeneste.cli import app
from hjemmetjeneste.domain import PlanResult

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
PLAN = ["plan", str(DEMO), "--date", "2026-12-01", "--shift", "day", "--time-limit", "1"]
runner = CliRunner()


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_sick_call_from_a_written_plan_prints_changes_per_nurse(tmp_path: Path):
    """--from a plan, --absent its busiest nurse at 10:30: her later visits are listed under
    her name as going to another nurse (or unplaced); her earlier visits stay."""
    # The first plan gets 10 s: OR-Tools' first plan of the demo day can take over the 1 s
    # the re-plan needs on a loaded machine (seen at load 8: nothing placed, no nurse to fall
    # sick); the work budget keeps it short where the machine is quiet.
    cold = [*PLAN[:-1], "10", "--iterations", "100", "--out", str(tmp_path / "a")]
    first = runner.invoke(app, cold)
    assert first.exit_code in (0, 4), first.output
    (path,) = (tmp_path / "a").glob("plan-*.json")
    before = PlanResult.model_validate_json(path.read_bytes())
    assert before.kpis.visits_placed > 0
    sick = max(before.worklists, key=lambda w: len(w.visits))
    run = runner.invoke(
        app,
        [*PLAN, "--iterations", "100", "--from", str(path), "--absent", sick.staff_id,
         "--now", "10:30", "--out", str(tmp_path / "b")],
    )  # fmt: skip
    assert run.exit_code in (0, 4), run.output
    text = _flat(run.output)
    assert f"Endringer for {sick.staff_id}" in text
    assert "til en annen ansatt" in text or "tatt ut" in text
    (path_b,) = (tmp_path / "b").glob("plan-*.json")
    after = PlanResult.model_validate_json(path_b.read_bytes())
    hers = next(w for w in after.worklists if w.staff_id == sick.staff_id)
    assert all(v.start.strftime("%H:%M") < "10:30" for v in hers.visits)


def test_events_need_now_and_wellformed_emergencies(tmp_path: Path):
    """--absent without --now, or a malformed --emergency, is an input error (exit 2)."""
    assert runner.invoke(app, [*PLAN, "--absent", "S025"]).exit_code == 2
    bad = runner.invoke(app, [*PLAN, "--now", "10:30", "--emergency", "P0001:twenty:120"])
    assert bad.exit_code == 2 and "PATIENT:MINUTES:WITHIN" in _flat(bad.output)
