"""Visits without a route: left out as UNREACHABLE, and the sentinel never reaches OR-Tools."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from hjemmetjeneste.domain import DayPlan, ShiftKind, TravelMode, UnplacedReason
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.pipeline import plan_shift
from hjemmetjeneste.planning.explain import Why, kept_out_why
from hjemmetjeneste.planning.to_problem import build_problem
from hjemmetjeneste.solver import SolveParams
from hjemmetjeneste.tasks import build_day_plan
from hjemmetjeneste.travel import UNREACHABLE, GreatCircleSource, TravelMatrix

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
DAY = date(2026, 12, 1)


class CutOffSource:
    """Great-circle travel, except that some places have no route in some modes."""

    def __init__(self, cut: dict[TravelMode, set[tuple[float, float]]]) -> None:
        self.cut = cut
        self.inner = GreatCircleSource()

    @property
    def name(self) -> str:
        return "cut-off"

    def matrix(self, points, mode) -> TravelMatrix:
        m = self.inner.matrix(points, mode)
        duration, distance = m.duration_s.copy(), m.distance_m.copy()
        for k, p in enumerate(points):
            if (p.lat, p.lon) in self.cut.get(TravelMode(mode), set()):
                for arr in (duration, distance):
                    arr[k, :] = UNREACHABLE
                    arr[:, k] = UNREACHABLE
                    arr[k, k] = 0
        return TravelMatrix(duration_s=duration, distance_m=distance, mode=mode)


@pytest.fixture(scope="module")
def day_plan() -> DayPlan:
    data = read_export(DEMO)
    return build_day_plan(data, DAY, ShiftKind.DAY, data.districts[0].district_id)


def place(day_plan: DayPlan, k: int) -> tuple[float, float]:
    loc = day_plan.patient(day_plan.visits[k].patient_id).location
    return (loc.lat, loc.lon)


def test_visit_no_mode_can_reach_is_left_out_as_unreachable(day_plan):
    """Cut off in every mode: prefiltered with UNREACHABLE and a sentence; others unaffected."""
    cut = {place(day_plan, 3)}
    built = build_problem(day_plan, CutOffSource(dict.fromkeys(TravelMode, cut)))
    unreachable = [p for p in built.prefiltered if p.reason is UnplacedReason.UNREACHABLE]
    patient = day_plan.visits[3].patient_id
    assert unreachable
    assert {p.visit.patient_id for p in unreachable} == {patient}
    kept = unreachable[0]
    why = kept_out_why(kept, kept.visit.tasks[0], built, day_plan.staff)
    assert why.code == Why.UNREACHABLE and why.facts["modes"]
    baseline = build_problem(day_plan, GreatCircleSource())
    assert len(built.prefiltered) == len(baseline.prefiltered) + len(unreachable)


def test_sentinel_never_enters_the_routing_problem(day_plan):
    """Matrices handed to the solver stay below one shift length even with cut-off places."""
    cut = {place(day_plan, 3), place(day_plan, 10)}
    built = build_problem(day_plan, CutOffSource({TravelMode.FOOT: cut, TravelMode.CAR: cut}))
    shift_len = 24 * 3600
    for travel in built.problem.travel_s:
        assert travel.max() < shift_len
    for distance in built.problem.distance_m:
        assert distance.max() < UNREACHABLE


def test_visit_reachable_by_car_only_is_kept_for_drivers(day_plan):
    """Cut off on foot and bike only: still planned, but only for caregivers who drive."""
    k = next(
        k
        for k, v in enumerate(day_plan.visits)
        if v.staff_count == 1 and not v.required_skills and v.required_competence.rank == 1
    )
    cut = {place(day_plan, k)}
    built = build_problem(day_plan, CutOffSource({TravelMode.FOOT: cut, TravelMode.BIKE: cut}))
    visit_id = day_plan.visits[k].visit_id
    assert visit_id not in {p.visit.visit_id for p in built.prefiltered}
    node = built.index.job_visit.index(visit_id)
    allowed = built.problem.allowed_vehicles[node]
    modes = {day_plan.staff[v].travel_mode for v in allowed}
    assert modes == {TravelMode.CAR}


def test_plan_reports_the_unreachable_task_as_unplaced(day_plan):
    """End to end: the cut-off patient's tasks are unplaced with reason 'unreachable'."""
    data = read_export(DEMO)
    cut = {place(day_plan, 0)}
    outcome = plan_shift(
        data,
        DAY,
        ShiftKind.DAY,
        travel=CutOffSource(dict.fromkeys(TravelMode, cut)),
        params=SolveParams(time_limit_s=1.0),
    )
    unplaced = [u for u in outcome.result.unplaced if u.reason is UnplacedReason.UNREACHABLE]
    assert {u.patient_id for u in unplaced} == {day_plan.visits[0].patient_id}
    assert not outcome.violations
    placed = {v.patient_id for w in outcome.result.worklists for v in w.visits}
    assert day_plan.visits[0].patient_id not in placed
    assert np.isfinite(outcome.result.kpis.travel_share)
