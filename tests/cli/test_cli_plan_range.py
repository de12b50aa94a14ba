"""`hjemmetjeneste plan --date FIRST --to LAST`: plan every shift of a date range in order.

The single-shift path (no --to) is covered by test_cli_end_to_end.py and
test_cli_replan_from.py.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hjemmetjeneste import pipeline
from hjemmetjeneste.cli import app
from hjemmetjeneste.domain import MunicipalityData, PlanResult, ShiftKind
from hjemmetjeneste.pipeline import check_plans, load_export
from hjemmetjeneste.planning import caregivers_per_patient
from hjemmetjeneste.solver import Violation
from hjemmetjeneste.solver.check import ViolationKind

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
RANGE = ["plan", str(DEMO), "--date", "2026-12-01", "--to", "2026-12-02", "--lang", "en"]
runner = CliRunner()
BUDGET = ["--iterations", "1000", "--seed", "0"]


def _flat(text: str) -> str:
    """Output with rich's line wrapping undone."""
    return " ".join(text.split())


def _figure(output: str, label: str) -> str:
    """The value printed next to ``label`` in the range's summary table."""
    match = re.search(re.escape(label) + r"[\s│|]+([\d.]+)", output)
    assert match, f"{label!r} not in the output:\n{output}"
    return match.group(1)


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[PlanResult], Path]:
    """Day and evening shifts of two demo dates, planned by the CLI with a work budget (with
    continuity on, 0.3 s under load left a whole day shift without a first plan; exit 0 must
    not depend on the machine's load)."""
    out = tmp_path_factory.mktemp("range")
    run = runner.invoke(
        app,
        [
            *RANGE,
            "--shift",
            "evening",
            "--shift",
            "day",
            "--time-limit",
            "5",
            *BUDGET,
            "--out",
            str(out),
        ],
    )
    assert run.exit_code == 0, run.output
    results = [PlanResult.model_validate_json(p.read_bytes()) for p in sorted(out.glob("*.json"))]
    return run.output, results, out


def test_range_writes_one_json_per_shift_named_like_the_single_shift_path(planned):
    """Two dates x day and evening give four JSONs named plan-DISTRICT-DATE-SHIFT.json."""
    _, results, out = planned
    names = sorted(p.name for p in out.glob("*.json"))
    district = results[0].district_id
    assert names == sorted(
        f"plan-{district}-{d}-{s}.json"
        for d in ("2026-12-01", "2026-12-02")
        for s in ("day", "evening")
    )
    for result in results:
        path = out / f"plan-{result.district_id}-{result.date}-{result.shift.value}.json"
        assert PlanResult.model_validate_json(path.read_bytes()) == result
    assert {(r.date, r.shift) for r in results} == {
        (date(2026, 12, d), s) for d in (1, 2) for s in (ShiftKind.DAY, ShiftKind.EVENING)
    }


def test_range_prints_a_line_per_shift_in_time_order(planned):
    """Each shift gets one summary line as it finishes, in date and shift order."""
    output, results, _ = planned
    lines = [line for line in output.splitlines() if re.match(r"2026-12-0\d (day|evening) ", line)]
    assert [line.split()[:2] for line in lines] == [
        ["2026-12-01", "day"],
        ["2026-12-01", "evening"],
        ["2026-12-02", "day"],
        ["2026-12-02", "evening"],
    ]
    by_key = {(str(r.date), r.shift.value): r for r in results}
    for line in lines:
        r = by_key[tuple(line.split()[:2])]
        assert f"visits {r.kpis.visits_placed}/{r.kpis.visits_total}" in line
        assert f"unplaced {len(r.unplaced)}" in line
    # Without --details the visits of each worklist are not printed.
    assert "Arrive" not in output


def test_range_summary_reports_continuity_recomputed_from_the_jsons(planned):
    """The printed mean and max distinct caregivers per patient match the written plans."""
    output, results, _ = planned
    staff: dict[str, set[str]] = defaultdict(set)
    for result in results:
        for worklist in result.worklists:
            for visit in worklist.visits:
                staff[visit.patient_id].add(worklist.staff_id)
    counts = [len(s) for s in staff.values()]
    assert caregivers_per_patient(results) == {p: len(s) for p, s in staff.items()}
    # Over four shifts some patient must have met more than one caregiver.
    assert max(counts) > 1
    assert _figure(output, "Distinct caregivers per patient, mean") == (
        f"{sum(counts) / len(counts):.2f}"
    )
    assert _figure(output, "Distinct caregivers per patient, max") == str(max(counts))
    assert _figure(output, "Patients visited") == str(len(counts))
    assert _figure(output, "Checker violations") == "0"


def test_range_plans_pass_the_checker_with_earlier_shifts_as_history(planned):
    """The written plans, re-checked in order with gaps across shifts, have no violations."""
    _, results, _ = planned
    checked = check_plans(load_export(DEMO), results)
    assert len(checked) == 4
    assert [v for _, violations in checked for v in violations] == []


def test_a_violation_in_one_shift_exits_3_after_every_shift_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checker violation in the first shift still plans and writes the rest, then exits 3."""
    real = pipeline.plan_shift

    def first_shift_broken(
        data: MunicipalityData, day: date, shift: ShiftKind, *args: Any, **kwargs: Any
    ) -> pipeline.PlanOutcome:
        outcome = real(data, day, shift, *args, **kwargs)
        if day == date(2026, 12, 1):
            broken = Violation(
                ViolationKind.LATE_START, None, 1, values={"start_s": 1, "window_end_s": 0}
            )
            outcome = dataclasses.replace(outcome, violations=(broken,))
        return outcome

    monkeypatch.setattr(pipeline, "plan_shift", first_shift_broken)
    run = runner.invoke(
        app, [*RANGE, "--shift", "day", "--time-limit", "0.2", "--out", str(tmp_path)]
    )
    assert run.exit_code == 3, run.output
    assert len(list(tmp_path.glob("plan-*-2026-12-0[12]-day.json"))) == 2
    text = _flat(run.output)
    assert "2026-12-01 day too late: job 1 starts at 1s, window closes 0s" in text
    assert _figure(run.output, "Checker violations") == "1"


def test_to_before_date_is_an_input_error(tmp_path: Path):
    """--to earlier than --date exits 2 naming both dates, and writes nothing."""
    run = runner.invoke(
        app,
        ["plan", str(DEMO), "--date", "2026-12-02", "--to", "2026-12-01", "--out", str(tmp_path)],
    )
    assert run.exit_code == 2
    text = _flat(run.output)
    assert "--to 2026-12-01" in text and "--date 2026-12-02" in text
    assert list(tmp_path.iterdir()) == []


def test_from_with_to_is_an_input_error(tmp_path: Path):
    """--from (re-plan one shift) together with --to exits 2 before planning anything."""
    previous = tmp_path / "previous.json"
    previous.write_text("{}", encoding="utf-8")
    run = runner.invoke(
        app, [*RANGE, "--time-limit", "0.2", "--from", str(previous), "--out", str(tmp_path)]
    )
    assert run.exit_code == 2
    assert "--from" in run.output and "--to" in run.output
    assert list(tmp_path.glob("plan-*.json")) == []


def test_repeated_shift_without_to_is_an_input_error():
    """Several --shift options need --to; alone they exit 2 instead of planning one of them."""
    run = runner.invoke(
        app, ["plan", str(DEMO), "--date", "2026-12-01", "--shift", "day", "--shift", "night"]
    )
    assert run.exit_code == 2
    assert "--to" in run.output
