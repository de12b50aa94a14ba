"""The Curtois & Qu reader, its independent evaluator and the `rostering` quality set."""

from __future__ import annotations

from pathlib import Path

import pytest

import ci_guard
from hjemmetjeneste.benchsets import quality
from hjemmetjeneste.benchsets.rostering import (
    evaluate,
    penalty_parts,
    read_instance,
    solve_instance,
    to_problem,
)

TINY = """# This is a comment. Comments start with #
SECTION_HORIZON
# All instances start on a Monday
7

SECTION_SHIFTS
# ShiftID, Length in mins, Shifts which cannot follow this shift | separated
D,480,
L,480,D

SECTION_STAFF
# ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, MaxConsecutive..., MaxWeekends
A,D=7|L=7,2400,960,3,2,1,1
B,D=7|L=0,2400,960,5,1,1,1

SECTION_DAYS_OFF
# EmployeeID, DayIndexes (start at zero)
A,6

SECTION_SHIFT_ON_REQUESTS
# EmployeeID, Day, ShiftID, Weight
A,0,L,2

SECTION_SHIFT_OFF_REQUESTS
# EmployeeID, Day, ShiftID, Weight
B,1,D,3

SECTION_COVER
# Day, ShiftID, Requirement, Weight for under, Weight for over
0,D,1,100,1
0,L,1,100,1
1,D,1,100,1
1,L,0,100,1
2,D,1,100,1
2,L,1,100,1
3,D,0,100,1
3,L,0,100,1
4,D,1,100,1
4,L,0,100,1
5,D,0,100,1
5,L,0,100,1
6,D,1,100,1
6,L,0,100,1
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "rostering" / "instances" / "Instance1.txt"
    path.parent.mkdir(parents=True)
    path.write_text(TINY.replace("\n", "\r\n"), encoding="utf-8")  # CRLF, as shipped
    return path


def test_the_reader_keeps_the_records_and_the_model_gets_them(tiny: Path):
    inst = read_instance(tiny)
    assert inst.horizon == 7 and inst.shifts["L"] == (480, frozenset({"D"}))
    assert inst.staff[1].max_shifts == {"D": 7, "L": 0}
    assert inst.days_off == {"A": frozenset({6})}
    p = to_problem(inst)
    assert p.forbidden_next == {(1, 0)} and p.employees[1].max_shifts == (7, 0)
    assert len(p.covers) == 14 and len(p.requests) == 2


def test_the_evaluator_prices_every_term_and_catches_broken_rules(tiny: Path):
    inst = read_instance(tiny)
    # A: L D . . . . .   B: D . D . D . D
    roster = {
        "A": ["L", "D", None, None, None, None, None],
        "B": ["D", None, "D", None, "D", None, "D"],
    }
    value, problems = evaluate(inst, roster)
    # day 2 L short (100) and B's off request kept, A's on request met; A: D after L.
    assert value == 100
    assert any("may not follow" in p for p in problems)
    roster["A"] = ["L", "L", None, None, None, None, "D"]
    value, problems = evaluate(inst, roster)
    assert any("day off 6" in p for p in problems)
    assert value == 100 + 1 + 100 + 1  # day 1: D short, L over; day 2: L short; day 6: D over
    assert penalty_parts(inst, roster) == {"requests": 0, "cover_under": 200, "cover_over": 2}


def test_a_solved_tiny_instance_is_valid_and_the_evaluator_agrees_with_the_model(tiny: Path):
    value, problems, _, detail = solve_instance(tiny, 5)
    assert problems == []
    assert value == detail["solver_objective"]


def test_the_quality_runner_reports_gap_against_best_known(tiny: Path, tmp_path: Path):
    root = tiny.parents[1]
    (root / "bks.csv").write_text(
        "instance,file,best_known_objective\nInstance1,instances/Instance1.txt,100\n",
        encoding="utf-8",
    )
    report = quality.run_quality("rostering", tmp_path, 5, out_dir=tmp_path / "out")
    (row,) = report.rows
    assert row.valid and row.family == "1-12" and row.gap_pct is not None
    assert row.gap_pct == pytest.approx((row.value - 100) / 100 * 100)
    assert (tmp_path / "out" / "quality-rostering-5s.md").read_text().count("Instance1") == 1


def test_instance1_reaches_its_proven_optimum(shared_benchmarks: Path):
    path = shared_benchmarks / "rostering" / "instances" / "Instance1.txt"
    if not path.is_file():
        ci_guard.skip("benchmarks", f"rostering instance {path} not present")
    value, problems, _, _ = solve_instance(path, 20)
    assert problems == [] and value == 607
