"""Warm starts and `check` read a finished plan back through one mapping: for a warm-started
plan and for a plan whose visits were regrouped since, both map every visit to the same job."""

from __future__ import annotations

from datetime import date

import pytest

from factories import DEMO, off_shift
from hjemmetjeneste.domain import MunicipalityData, PlanResult, ShiftKind
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.pipeline import check_plans, default_district, plan_shift
from hjemmetjeneste.planning.to_problem import build_problem
from hjemmetjeneste.planning.verify import solution_from_result
from hjemmetjeneste.planning.warmstart import initial_routes
from hjemmetjeneste.solver import SolveParams
from hjemmetjeneste.tasks import build_day_plan
from hjemmetjeneste.travel import GreatCircleSource

DAY = date(2026, 12, 1)
QUICK = SolveParams(time_limit_s=1.0)


def _regrouped(result: PlanResult) -> PlanResult:
    """The plan as if its visits had been grouped differently: no visit id matches any more,
    only the task ids do."""
    worklists = tuple(
        w.model_copy(
            update={
                "visits": tuple(
                    v.model_copy(update={"visit_id": f"old-grouping-{v.sequence}-{v.visit_id}"})
                    for v in w.visits
                )
            }
        )
        for w in result.worklists
    )
    unplaced = tuple(
        u.model_copy(update={"visit_id": "old-" + u.visit_id}) for u in result.unplaced
    )
    return result.model_copy(update={"worklists": worklists, "unplaced": unplaced})


@pytest.fixture(scope="module")
def plans() -> dict[str, tuple[MunicipalityData, PlanResult]]:
    """A cold plan, the warm-started re-plan after a sick call, and both regrouped."""
    data = read_export(DEMO)
    first = plan_shift(data, DAY, ShiftKind.DAY, params=QUICK).result
    busiest = max(first.worklists, key=lambda w: len(w.visits)).staff_id
    sick = off_shift(data, busiest, DAY, ShiftKind.DAY)
    warm = plan_shift(sick, DAY, ShiftKind.DAY, params=QUICK, previous=first)
    assert warm.warm_start == "used"
    return {
        "cold": (data, first),
        "warm": (sick, warm.result),
        "cold_regrouped": (data, _regrouped(first)),
        "warm_regrouped": (sick, _regrouped(warm.result)),
    }


@pytest.mark.parametrize("name", ["cold", "warm", "cold_regrouped", "warm_regrouped"])
def test_warm_start_and_check_map_the_plan_alike(plans, name: str) -> None:
    """initial_routes and check's solution hold the same job nodes per caregiver, every
    visit is mapped (no not_a_job), and check finds the solver's plan feasible."""
    data, result = plans[name]
    day_plan = build_day_plan(data, DAY, ShiftKind.DAY, default_district(data))
    built = build_problem(day_plan, GreatCircleSource())
    warm_routes = initial_routes(day_plan, built, result)
    solution, unmatched = solution_from_result(day_plan, built, result)
    assert unmatched == []
    checked_routes = [[s.node for s in r.stops] for r in solution.routes]
    assert checked_routes == warm_routes
    placed = sum(len(w.visits) for w in result.worklists)
    assert sum(len(r) for r in warm_routes) == placed
    ((_, violations),) = check_plans(data, [result])
    assert violations == []


def test_regrouped_visits_map_to_the_jobs_of_their_tasks(plans) -> None:
    """A regrouped visit maps to the job its tasks belong to now: the same nodes as before."""
    data, result = plans["cold"]
    day_plan = build_day_plan(data, DAY, ShiftKind.DAY, default_district(data))
    built = build_problem(day_plan, GreatCircleSource())
    assert initial_routes(day_plan, built, _regrouped(result)) == initial_routes(
        day_plan, built, result
    )
