"""Re-planning the demo day shift after a sick call, warm-started from the first plan."""

from __future__ import annotations

from datetime import date

import pytest

from factories import DEMO, off_shift, owners
from hjemmetjeneste.domain import PlanResult, ShiftKind
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.pipeline import PlanOutcome, default_district, plan_shift
from hjemmetjeneste.planning.to_problem import build_problem
from hjemmetjeneste.planning.warmstart import initial_routes, with_stability
from hjemmetjeneste.solver import SolveParams
from hjemmetjeneste.tasks import build_day_plan
from hjemmetjeneste.travel import GreatCircleSource

DAY = date(2026, 12, 1)
# A work budget (30 solutions of OR-Tools' search), not a second of wall clock: the same
# plans on a loaded machine (warm keeps 0.99 of the other nurses' visits, cold 0.75).
QUICK = SolveParams(time_limit_s=60.0, solution_limit=30)


@pytest.fixture(scope="module")
def sick_call():
    """The first plan, the nurse who falls sick (a mid-sized worklist) and the new export."""
    data = read_export(DEMO)
    first = plan_shift(data, DAY, ShiftKind.DAY, params=QUICK).result
    by_size = sorted((w for w in first.worklists if w.visits), key=lambda w: len(w.visits))
    sick = by_size[len(by_size) // 2].staff_id
    return data, first, sick, off_shift(data, sick, DAY, ShiftKind.DAY)


@pytest.fixture(scope="module")
def replans(sick_call) -> tuple[PlanOutcome, PlanOutcome]:
    """The shift re-planned without the sick nurse: warm from the first plan, and cold."""
    _, first, _, data = sick_call
    warm = plan_shift(data, DAY, ShiftKind.DAY, params=QUICK, previous=first)
    cold = plan_shift(data, DAY, ShiftKind.DAY, params=QUICK)
    return warm, cold


def _kept_share(first: PlanResult, again: PlanResult, sick: str) -> float:
    """Share of the other nurses' visits, still planned, that kept exactly their caregivers."""
    before, after = owners(first), owners(again)
    still = [v for v, staff in before.items() if sick not in staff and v in after]
    assert still, "nothing left to compare"
    return sum(before[v] == after[v] for v in still) / len(still)


def test_initial_routes_are_each_caregivers_visits_in_order(sick_call):
    """Routes hold each remaining nurse's earlier visits in her order, none of the sick one's."""
    _, first, sick, data = sick_call
    day_plan = build_day_plan(data, DAY, ShiftKind.DAY, default_district(data))
    built = build_problem(day_plan, GreatCircleSource())
    routes = initial_routes(day_plan, built, first)
    assert sick not in built.index.vehicle_staff
    previous = {w.staff_id: [v.visit_id for v in w.visits] for w in first.worklists}
    for v, route in enumerate(routes):
        staff_id = built.index.vehicle_staff[v]
        assert [built.index.job_visit[n] for n in route] == previous[staff_id]
    routed = {built.index.job_visit[n] for route in routes for n in route}
    only_sick = {v for v, staff in owners(first).items() if staff == frozenset({sick})}
    assert only_sick and not routed & only_sick


def test_warm_replan_keeps_the_other_nurses_visits(sick_call, replans):
    """Warm re-plan: most other nurses' visits keep their nurse, far more than a cold re-plan."""
    _, first, sick, _ = sick_call
    warm, cold = replans
    assert warm.warm_start == "used" and cold.warm_start == "none"
    assert warm.violations == () and cold.violations == ()
    warm_share = _kept_share(first, warm.result, sick)
    cold_share = _kept_share(first, cold.result, sick)
    # Moving a visit costs the stability weight, so the share does not hinge on how long the
    # search ran (warm 0.98 / cold 0.13 at 30 s; without the cost CI once saw 0.66 at 1 s;
    # 0.99 / 0.75 with the work budget of QUICK).
    assert warm_share >= 0.8
    assert warm_share > cold_share


def test_sick_nurses_visits_are_placed_elsewhere_or_explained(sick_call, replans):
    """Each visit the sick nurse had is on another worklist or unplaced with a reason."""
    _, first, sick, _ = sick_call
    again = replans[0].result
    assert sick not in {w.staff_id for w in again.worklists}
    serving = owners(again)
    unplaced = {u.visit_id: u for u in again.unplaced}
    sick_visits = [v.visit_id for w in first.worklists if w.staff_id == sick for v in w.visits]
    assert sick_visits
    for visit_id in sick_visits:
        if visit_id in serving:
            assert sick not in serving[visit_id]
        else:
            assert unplaced[visit_id].explanation


def test_previous_plan_of_another_shift_is_refused(sick_call):
    """A previous plan of another shift is a clear input error, not a silent cold start."""
    _, first, _, data = sick_call
    day_plan = build_day_plan(data, DAY, ShiftKind.EVENING, default_district(data))
    built = build_problem(day_plan, GreatCircleSource())
    with pytest.raises(ValueError, match="re-plan the same shift"):
        initial_routes(day_plan, built, first)


def test_stability_costs_only_a_change_of_caregiver(sick_call):
    """The stability cost lands on every other caregiver of a routed job, never on its own."""
    _, first, _, data = sick_call
    day_plan = build_day_plan(data, DAY, ShiftKind.DAY, default_district(data))
    built = build_problem(day_plan, GreatCircleSource())
    routes = initial_routes(day_plan, built, first)
    stable = with_stability(built.problem, routes, 600)
    added = stable.preference_cost - built.problem.preference_cost
    routed = {n: v for v, route in enumerate(routes) for n in route}
    for node in built.problem.job_nodes:
        if node in routed:
            assert added[node, routed[node]] == 0
            assert (added[node].sum()) == 600 * (built.problem.n_vehicles - 1)
        else:
            assert not added[node].any()
    assert with_stability(built.problem, routes, 0) is built.problem
