"""Waiting at doors in the search (issue #18): fractional weights, the travel-capped waiting
polish, breaks taken where a caregiver would otherwise wait; each against the plain
reference (``tests/naive.py``) and judged by the checker."""

from __future__ import annotations

import dataclasses
import random

import pytest
from test_lns import (
    _greedy_routes,
    _random_problem,
    _with_breaks,
    _with_pairs_and_pins,
    _with_rich_windows,
)

import naive
from hjemmetjeneste.solver import SolveParams, check_solution, lns, solve
from hjemmetjeneste.solver import _lns_kernels as kernels
from hjemmetjeneste.solver.model_builder import ProblemBuilder
from hjemmetjeneste.solver.problem import BreakSpec
from hjemmetjeneste.solver.retime import door_wait_s, retime


def test_a_fraction_of_a_travel_second_prices_waiting_as_the_plain_schedule_does():
    """Weights below one per second (what ``idle_cost_per_min`` of 3-30 gives) are kept to
    1/1000: the pass adds floor(weight x 1000 x waiting / 1000) to the cost without waiting,
    the waiting being the reference's least waiting for the route."""
    priced = 0
    for seed, weight in enumerate((0.05, 0.1, 0.25, 0.5)):
        problem = _with_rich_windows(_random_problem(seed), seed)
        free, unit, weighted = (
            lns._data(dataclasses.replace(problem, waiting_cost=w)) for w in (0, 1, weight)
        )
        scaled = round(weight * kernels.WAIT_SCALE)
        rng = random.Random(seed)
        for _ in range(120):
            v = rng.randrange(problem.n_vehicles)
            route = rng.sample(list(problem.job_nodes), rng.randint(1, 6))
            ok, cost = lns.route_ok(free, v, route)
            if not ok:
                continue
            waiting = lns.route_ok(unit, v, route)[1] - cost
            assert waiting == naive.least_waiting(problem, v, route)
            price = scaled * waiting // kernels.WAIT_SCALE
            assert lns.route_ok(weighted, v, route) == (True, cost + price)
            priced += price > 0
    assert priced > 10


def test_the_kernels_total_travel_is_the_plain_sum_of_arcs():
    problem = _random_problem(3)
    routes = _greedy_routes(problem, random.Random(3))
    expected = 0
    for v, route in enumerate(routes):
        nodes = [int(problem.vehicle_start_node[v]), *route, int(problem.vehicle_end_node[v])]
        for i in range(len(nodes) - 1 if route else 0):
            expected += int(problem.travel_for(v)[nodes[i], nodes[i + 1]])
    assert lns.travel_of(problem, routes) == expected
    data = lns._data(problem)
    state = lns._state(problem, data, routes)
    ends = (data[k] for k in ("vehicle_class", "vehicle_start_node", "vehicle_end_node"))
    assert kernels._total_travel(state.routes, state.length, data["travel"], *ends) == expected


def test_a_travel_cap_is_never_exceeded_by_the_search():
    """With a cap the search keeps every solution it accepts, and so its best, at or below
    it, though the waiting weight alone would buy less waiting with more travel."""
    problem = _with_rich_windows(_random_problem(5, n_jobs=40), 5)
    start = _greedy_routes(problem, random.Random(5), naive.rich_route_schedule)
    free = lns.improve(problem, start, 0.0, seed=2, iterations=2_000)
    cap = lns.travel_of(problem, free.routes)
    heavy = dataclasses.replace(problem, waiting_cost=5)
    capped = lns.improve(heavy, free.routes, 0.0, seed=2, iterations=2_000, travel_cap_s=cap)
    assert lns.travel_of(problem, capped.routes) <= cap
    uncapped = lns.improve(heavy, free.routes, 0.0, seed=2, iterations=2_000)
    assert lns.travel_of(problem, uncapped.routes) > cap  # the cap is what held it


def _least_waiting(problem, routes) -> int:
    return sum(naive.least_waiting(problem, v, r) for v, r in enumerate(routes))


def test_the_waiting_polish_cuts_waiting_within_its_travel_cap():
    """The lexicographic polish: less waiting (plain reference), travel within its cap,
    no job fewer, the objective in the problem's own terms, and a plan the checker passes."""
    problem = _with_rich_windows(_random_problem(6, n_jobs=50), 6)
    problem = dataclasses.replace(problem, waiting_cost=0.1)
    start = _greedy_routes(problem, random.Random(6), naive.rich_route_schedule)
    found = lns.improve(problem, start, 0.0, seed=1, iterations=2_000)
    polished = lns.polish_waiting(problem, found, 0.0, seed=1, iterations=2_000)
    travel = lns.travel_of(problem, found.routes)
    assert lns.travel_of(problem, polished.routes) <= travel * lns.WAITING_POLISH_TRAVEL
    assert lns.unserved(problem, polished.routes) <= lns.unserved(problem, found.routes)
    assert _least_waiting(problem, polished.routes) < _least_waiting(problem, found.routes)
    data = lns._data(problem)
    state = lns._state(problem, data, polished.routes, polished.pair_starts)
    assert polished.objective == lns._objective(state, data)
    plan = lns.timed_plan(problem, polished, "kernels")
    assert check_solution(problem, plan) == []


@pytest.mark.parametrize("seed", range(3))
def test_the_waiting_polish_keeps_pairs_pins_and_breaks(seed):
    """With double-staffed pairs (started where the search agreed), pins and breaks the
    polish runs (no restart from scratch), keeps its cap and the checker passes its plan."""
    problem = _with_breaks(_with_pairs_and_pins(seed), seed)
    problem = dataclasses.replace(problem, waiting_cost=0.25)
    empty = [[] for _ in range(problem.n_vehicles)]
    found = lns.improve(problem, empty, 0.0, seed, None, 3_000)
    assert any(found.pair_starts)
    polished = lns.polish_waiting(problem, found, 0.0, seed=seed, iterations=1_000)
    assert polished.iterations == found.iterations + 1_000  # it ran
    travel = lns.travel_of(problem, found.routes)
    assert lns.travel_of(problem, polished.routes) <= travel * lns.WAITING_POLISH_TRAVEL
    assert lns.unserved(problem, polished.routes) <= lns.unserved(problem, found.routes)
    plan = lns.timed_plan(problem, polished, "kernels")
    assert check_solution(problem, plan) == []


def test_a_solve_with_a_waiting_weight_spends_its_budget_on_search_and_polish():
    """With a work budget the search runs all of it, and the polish its share more."""
    problem = _with_rich_windows(_random_problem(7, n_jobs=40), 7)
    problem = dataclasses.replace(problem, waiting_cost=0.2)
    solution = solve(problem, SolveParams(time_limit_s=2.0, seed=1, iterations=1_000))
    more = int(1_000 * lns.WAITING_POLISH_SHARE)
    assert f"ruin and recreate: {1_000 + more} iterations" in solution.status
    assert check_solution(problem, solution) == []
    again = solve(problem, SolveParams(time_limit_s=2.0, seed=1, iterations=1_000))
    assert again.routes == solution.routes  # a work budget: the seed decides, not the load


def _served_penalty(problem, solution) -> tuple[int, int]:
    """(visits left out, what they cost) of a solution (a pair counted once)."""
    routes = [[s.node for s in r.stops] for r in solution.routes]
    return lns.unserved(problem, routes), lns._unserved_penalty(problem, routes)


@pytest.mark.parametrize("seed", range(3))
def test_placing_visits_comes_before_waiting(seed):
    """Strictly lexicographic: on overbooked days with breaks, pairs and pins, a solve with
    waiting priced (however heavily) leaves out no visit, and no more penalty, than the same
    solve with waiting free; its travel stays within the polish's cap of that solve's, and
    it waits less (the plain reference's least waiting). The weight-free search is run
    as it is, so which visits are placed is never the weight's doing."""
    problem = _with_breaks(_with_pairs_and_pins(seed), seed)
    params = SolveParams(time_limit_s=2.0, seed=seed, iterations=2_000)
    free = solve(dataclasses.replace(problem, waiting_cost=0.0), params)
    assert free.dropped  # overbooked: the search must choose what to leave out
    for weight in (0.5, 5.0):
        priced = solve(dataclasses.replace(problem, waiting_cost=weight), params)
        assert check_solution(problem, priced) == []
        left_out, cost = _served_penalty(problem, priced)
        assert left_out <= _served_penalty(problem, free)[0]
        assert cost <= _served_penalty(problem, free)[1]
        routes = [[s.node for s in r.stops] for r in priced.routes]
        cap = lns.travel_of(problem, [[s.node for s in r.stops] for r in free.routes])
        assert lns.travel_of(problem, routes) <= cap * lns.WAITING_POLISH_TRAVEL
        free_routes = [[s.node for s in r.stops] for r in free.routes]
        assert _least_waiting(problem, routes) <= _least_waiting(problem, free_routes)


def _gap_day() -> tuple:
    """One caregiver, three visits: A early, B soon after, C not before 6000 s; a half-hour
    break that may start anywhere in [0, 7000]. Travel 60 s everywhere."""
    builder = ProblemBuilder()
    builder.add_travel_class([[0 if i == j else 60 for j in range(4)] for i in range(4)])
    depot = builder.add_depot(0, (0, 20_000))
    builder.add_vehicle(start_depot=depot, window=(0, 20_000), breaks=[BreakSpec(0, 7_000, 1_800)])
    a = builder.add_job(1, service_s=600, windows=[(0, 4_000)], penalty=100_000)
    b = builder.add_job(2, service_s=600, windows=[(1_000, 4_000)], penalty=100_000)
    c = builder.add_job(3, service_s=600, windows=[(6_000, 8_000)], penalty=100_000)
    return builder.build(), [a, b, c]


def test_the_kernels_own_schedule_takes_the_break_where_the_caregiver_would_wait():
    """Before C opens there is a wait the order cannot avoid; the break goes there, not
    before A (where it would leave that wait at C's door), and re-timing keeps it so."""
    problem, route = _gap_day()
    found = lns.Improved([route], 0, 0, 0)
    plan = lns.timed_plan(problem, found, "kernels")
    assert check_solution(problem, plan) == []
    (timed,) = plan.routes
    (brk,) = timed.breaks
    b_stop = timed.stops[1]
    assert b_stop.start_s + 600 <= brk[0] < timed.stops[2].start_s
    assert door_wait_s(problem, timed) == 0
    again = retime(problem, plan)
    assert check_solution(problem, again) == []
    assert door_wait_s(problem, again.routes[0]) == 0


def test_a_warm_re_plan_also_places_before_it_polishes_waiting():
    """The minimal-change re-plan follows the same order: its search runs as without the
    weight, the polish after it, and it leaves out nothing the weight-free re-plan places."""
    problem = _with_breaks(_with_pairs_and_pins(1), 1)
    empty = [[] for _ in range(problem.n_vehicles)]
    routes = lns.improve(problem, empty, 0.0, seed=1, iterations=1_500).routes
    half = [route[: len(route) // 2] for route in routes]  # a re-plan with room to fill
    params = SolveParams(time_limit_s=2.0, seed=1, iterations=1_000)
    free = lns.solve_warm(problem, params, half)
    priced_problem = dataclasses.replace(problem, waiting_cost=2.0)
    priced = lns.solve_warm(priced_problem, params, half)
    assert free is not None and priced is not None
    more = int(1_000 * lns.WAITING_POLISH_SHARE)
    assert f"warm ruin and recreate: {1_000 + more} iterations" in priced.status
    assert check_solution(priced_problem, priced) == []
    left_out, cost = _served_penalty(problem, priced)
    assert left_out <= _served_penalty(problem, free)[0]
    assert cost <= _served_penalty(problem, free)[1]
