"""Ruin and recreate: kernels against a plain schedule, feasibility, reproducibility, choice."""

from __future__ import annotations

import dataclasses
import os
import random
from pathlib import Path

import numpy as np
import pytest
from solver_helpers import make_problem

import ci_guard
import naive
from hjemmetjeneste.solver import RoutingProblem, SolveParams, check_solution, lns, solve
from hjemmetjeneste.solver import _lns_kernels as kernels
from hjemmetjeneste.solver.problem import BreakSpec, Precedence


def _random_problem(seed: int, n_jobs: int = 30, n_vehicles: int = 4) -> RoutingProblem:
    """Jobs with windows, service, demand; vehicles with own shifts, capacities, matrices."""
    rng = random.Random(seed)
    jobs = [(rng.uniform(-500, 500), rng.uniform(-500, 500)) for _ in range(n_jobs)]
    windows = []
    for _ in jobs:
        start = rng.randint(0, 6_000)
        windows.append((start, start + rng.randint(200, 3_000)))
    base = make_problem(
        jobs,
        n_vehicles,
        service_s=[rng.randint(0, 300) for _ in jobs],
        windows=windows,
        shift=(0, 10_000),
        allowed=[None if rng.random() < 0.8 else rng.sample(range(n_vehicles), 2) for _ in jobs],
    )
    slow = (base.travel_s[0] * 1.5).astype(np.int64)
    n = base.n_nodes
    preference = np.zeros((n, n_vehicles), dtype=np.int64)
    preference[1:, :] = np.array(
        [[rng.choice((0, 0, 0, 150)) for _ in range(n_vehicles)] for _ in range(n - 1)]
    )
    ends = np.array([rng.randint(8_000, 10_000) for _ in range(n_vehicles)], dtype=np.int64)
    return dataclasses.replace(
        base,
        travel_s=(base.travel_s[0], slow),
        distance_m=(base.distance_m[0], slow.copy()),
        vehicle_class=np.array([k % 2 for k in range(n_vehicles)], dtype=np.int64),
        vehicle_start_s=np.array([rng.randint(0, 1_000) for _ in range(n_vehicles)]),
        vehicle_end_s=ends,
        vehicle_soft_end_s=ends.copy(),
        demand=np.array([0, *(rng.randint(1, 9) for _ in jobs)], dtype=np.int64),
        vehicle_capacity=np.array([40] * (n_vehicles - 1) + [-1], dtype=np.int64),
        preference_cost=preference,
    )


def _greedy_routes(
    problem: RoutingProblem, rng: random.Random, reference=naive.route_schedule
) -> list[list[int]]:
    """Feasible routes built by appending jobs in random order where the reference allows."""
    routes: list[list[int]] = [[] for _ in range(problem.n_vehicles)]
    for u in rng.sample(list(problem.job_nodes), len(problem.job_nodes)):
        for v in problem.allowed_vehicles[u]:
            cap = int(problem.vehicle_capacity[v])
            if cap >= 0 and int(problem.demand[[*routes[v], u]].sum()) > cap:
                continue
            if reference(problem, v, [*routes[v], u])[0]:
                routes[v].append(u)
                break
    return routes


def _kernel_state(problem: RoutingProblem, routes: list[list[int]]):
    data = lns._data(problem)
    return data, lns._state(problem, data, routes)


@pytest.mark.parametrize("seed", range(5))
def test_refresh_route_matches_the_plain_schedule(seed):
    """Earliest starts and costs equal the reference; each latest start is exactly the last
    start that keeps the rest of the route in time."""
    problem = _random_problem(seed)
    routes = _greedy_routes(problem, random.Random(seed))
    _, state = _kernel_state(problem, routes)
    for v, route in enumerate(routes):
        ok, starts, cost = naive.route_schedule(problem, v, route)
        assert ok
        assert state.early[v, : len(route)].tolist() == starts
        assert int(state.cost[v]) == cost
        assert int(state.load[v]) == int(problem.demand[route].sum()) if route else True
        for i in range(len(route)):
            latest = int(state.late[v, i])
            assert naive.later_start_ok(problem, v, route, i, latest)
            if latest < int(problem.window_end_s[route[i]]):
                assert not naive.later_start_ok(problem, v, route, i, latest + 1)


@pytest.mark.parametrize("seed", range(5))
def test_cheapest_place_matches_the_plain_schedule(seed):
    """For every unserved job: the kernel's cheapest place (no blinking) costs what the
    cheapest place of the reference costs, among places that are allowed, within capacity
    and in time; none when the reference finds none."""
    _cheapest_place_against_reference(_random_problem(seed, n_jobs=40), seed - 100)


def _served_once_and_allowed(problem: RoutingProblem, routes: list[list[int]]) -> None:
    seen = [u for route in routes for u in route]
    assert len(seen) == len(set(seen))
    for v, route in enumerate(routes):
        assert all(v in problem.allowed_vehicles[u] for u in route)
        assert naive.route_schedule(problem, v, route)[0]
        cap = int(problem.vehicle_capacity[v])
        assert cap < 0 or int(problem.demand[route].sum()) <= cap


@pytest.mark.parametrize("seed", range(4))
def test_improve_keeps_every_rule_and_reports_its_objective(seed):
    problem = _random_problem(seed, n_jobs=50)
    start = _greedy_routes(problem, random.Random(seed))
    found = lns.improve(problem, start, 0.0, seed=seed, iterations=3_000)
    _served_once_and_allowed(problem, found.routes)
    served = {u for route in found.routes for u in route}
    penalties = sum(int(problem.drop_penalty[u]) for u in problem.job_nodes if u not in served)
    costs = sum(naive.route_schedule(problem, v, r)[2] for v, r in enumerate(found.routes))
    assert found.objective == costs + penalties
    assert found.objective <= found.start_objective
    assert found.iterations == 3_000


def test_improve_gets_better_than_a_poor_start_and_is_reproducible():
    problem = _random_problem(7, n_jobs=60, n_vehicles=6)
    start = _greedy_routes(problem, random.Random(7))
    first = lns.improve(problem, start, 0.0, seed=3, iterations=2_000)
    again = lns.improve(problem, start, 0.0, seed=3, iterations=2_000)
    assert first.routes == again.routes
    assert first.objective < 0.9 * first.start_objective


def test_improve_refuses_late_routes():
    problem = make_problem([(100, 0), (200, 0)], windows=[(0, 50), (0, 1_000)])
    with pytest.raises(ValueError, match="vehicle 0 is late"):
        lns.improve(problem, [[2, 1]], 0.0, iterations=1)


def test_unsupported_names_the_first_rule_it_cannot_keep():
    plain = make_problem([(10, 0), (20, 0), (30, 0)], 2)
    assert lns.unsupported(plain) is None
    gap = dataclasses.replace(plain, precedences=(Precedence(1, 2, 60, None),))
    assert lns.unsupported(gap) is None
    cases = {
        "chains of gaps between visits": dataclasses.replace(
            plain, precedences=(Precedence(1, 2, 60, None), Precedence(2, 3, 60, 600))
        ),
        "workload balance": dataclasses.replace(plain, balance_weight=1),
    }
    for name, problem in cases.items():
        assert lns.unsupported(problem) == name
    breaks = dataclasses.replace(plain, vehicle_breaks=((BreakSpec(0, 100, 30),), ()))
    assert lns.unsupported(breaks) is None and lns.rich_rules(breaks)
    assert not lns.rich_rules(plain)
    gaps = cases["chains of gaps between visits"]
    assert not lns.use_lns(gaps, SolveParams(time_limit_s=5))
    with pytest.raises(ValueError, match="gaps"):
        lns.use_lns(gaps, SolveParams(time_limit_s=5, lns=True))
    assert lns.use_lns(plain, SolveParams(time_limit_s=5))
    assert not lns.use_lns(plain, SolveParams(time_limit_s=5, lns=False))
    assert not lns.use_lns(plain, SolveParams(time_limit_s=0.5))
    assert not lns.use_lns(plain, SolveParams(time_limit_s=5, solution_limit=1))


def test_solve_improves_by_ruin_and_recreate_and_the_checker_agrees():
    problem = _random_problem(11, n_jobs=60, n_vehicles=6)
    solution = solve(problem, SolveParams(time_limit_s=2.0))
    assert "ruin and recreate" in solution.status
    assert check_solution(problem, solution) == []
    chain = (Precedence(1, 2, 60, None), Precedence(2, 3, 0, None))
    gapped = dataclasses.replace(problem, precedences=chain)
    assert "ruin and recreate" not in solve(gapped, SolveParams(time_limit_s=1.0)).status


def _with_pairs_and_pins(seed: int) -> RoutingProblem:
    """60 jobs on 6 vehicles; jobs 1-16 are 8 double-staffed pairs, job 20 is pinned to
    vehicle 2 and job 21 to a start of 3,000 s."""
    problem = _random_problem(seed, n_jobs=60, n_vehicles=6)
    windows_open = problem.window_start_s.copy()
    windows_close = problem.window_end_s.copy()
    windows_close[21] = max(windows_close[21], 3_000)
    windows_open[21] = min(windows_open[21], 3_000)
    everyone = tuple(range(problem.n_vehicles))
    allowed = list(problem.allowed_vehicles)
    for node in (*range(1, 17), 20, 21):
        allowed[node] = everyone
    for a in range(1, 17, 2):  # both halves share the first half's window
        windows_open[a + 1], windows_close[a + 1] = windows_open[a], windows_close[a]
    pinned_vehicle = np.full(problem.n_nodes, -1)
    pinned_vehicle[20] = 2
    pinned_start = np.full(problem.n_nodes, -1)
    pinned_start[21] = 3_000
    return dataclasses.replace(
        problem,
        window_start_s=windows_open,
        window_end_s=windows_close,
        time_windows=tuple(
            ((int(a), int(b)),) for a, b in zip(windows_open, windows_close, strict=True)
        ),
        soft_window_end_s=windows_close.copy(),
        allowed_vehicles=tuple(allowed),
        sync_groups=tuple((a, a + 1) for a in range(1, 17, 2)),
        pinned_vehicle=pinned_vehicle,
        pinned_start_s=pinned_start,
    )


@pytest.mark.parametrize("seed", range(3))
def test_pairs_and_pins_survive_ruin_and_recreate_and_the_checker_agrees(seed):
    """Pairs come back together on two caregivers at one start; pins keep their caregiver
    and start (the checker judges, independently of the kernels)."""
    problem = _with_pairs_and_pins(seed)
    solution = solve(problem, SolveParams(time_limit_s=2.0, seed=seed, iterations=5_000))
    assert "ruin and recreate" in solution.status
    assert check_solution(problem, solution) == []
    served = solution.served_by()
    for a, b in problem.sync_groups:
        assert (a in served) == (b in served)
        if a in served:
            assert served[a] != served[b]
    assert served.get(20, 2) == 2
    starts = {stop.node: stop.start_s for route in solution.routes for stop in route.stops}
    assert starts.get(21, 3_000) == 3_000
    assert len(served) >= 45


def test_improve_moves_pairs_and_never_splits_them():
    problem = _with_pairs_and_pins(5)
    first = solve(problem, SolveParams(time_limit_s=1.0, solution_limit=1, lns=False))
    start = [[stop.node for stop in route.stops] for route in first.routes]
    found = lns.improve(problem, start, 0.0, seed=1, iterations=3_000)
    assert found.objective < found.start_objective
    where = {u: v for v, route in enumerate(found.routes) for u in route}
    for a, b in problem.sync_groups:
        assert (a in where) == (b in where)
        assert a not in where or where[a] != where[b]
    moved = [a for a, _ in problem.sync_groups if where.get(a) != first.served_by().get(a)]
    assert moved, "no pair was ever moved"


def _benchmarks() -> Path:
    return Path(os.environ.get("HJEMMETJENESTE_BENCHMARKS_DIR", "../shared/benchmarks"))


@pytest.mark.skipif(
    not (_benchmarks() / "solomon" / "instances" / "R107.txt").is_file(),
    reason=ci_guard.reason("benchmarks", "the Solomon instances are not in the benchmark folder"),
)
def test_ruin_and_recreate_beats_guided_local_search_on_solomon_r107():
    """On R107 guided local search stays 11.5 % above the optimum (1,064.6) after 100
    solutions (0.8 s; ~4 % after 3 s of wall clock); ruin and recreate gets within 2 % in
    20,000 iterations of seed 0 (about 0.2 s). Both are fixed amounts of work, so the
    result does not depend on the machine's load."""
    from hjemmetjeneste.benchsets.solomon import read_solomon, route_distance, to_problem

    problem = to_problem(read_solomon(_benchmarks() / "solomon" / "instances" / "R107.txt"))
    ours = solve(problem, SolveParams(time_limit_s=30.0, seed=0, iterations=20_000))
    plain = solve(problem, SolveParams(time_limit_s=60.0, lns=False, solution_limit=100))
    assert ours.dropped == () and check_solution(problem, ours) == []
    assert route_distance(problem, ours) < route_distance(problem, plain)
    assert route_distance(problem, ours) < 1.02 * 10_646


def _with_breaks(problem: RoutingProblem, seed: int) -> RoutingProblem:
    """Each vehicle gets one or two breaks (300-900 s) with windows of 0-2,000 s."""
    rng = random.Random(1_000 + seed)
    breaks = []
    for _ in range(problem.n_vehicles):
        specs = []
        for _ in range(rng.choice((1, 1, 2))):
            earliest = rng.randint(1_500, 6_000)
            specs.append(
                BreakSpec(earliest, earliest + rng.randint(0, 2_000), rng.randint(300, 900))
            )
        breaks.append(tuple(specs))
    return dataclasses.replace(problem, vehicle_breaks=tuple(breaks))


def _pass(problem: RoutingProblem, data, v: int, route: list[int], p: int = 0, u: int = -1):
    """The kernels' schedule pass on ``route`` of vehicle ``v`` (with ``u`` put at ``p``)."""
    return lns.route_ok(data, v, route, p, u)


def _route_pass_against_reference(problem: RoutingProblem, seed: int, exact_cost: bool) -> set:
    """Random routes (as they are, and with their last job put at a random slot): the
    kernels' pass and the reference agree on feasibility and cost. Returns the (feasible,
    feasible by the plain schedule without the rich rules) pairs seen."""
    data = lns._data(problem)
    assert data["rich"]
    rng = random.Random(seed)
    seen = set()
    for _ in range(200):
        v = rng.randrange(problem.n_vehicles)
        route = rng.sample(list(problem.job_nodes), rng.randint(2, 7))
        p = rng.randint(0, len(route) - 1)
        rest, u = route[:-1], route[-1]
        cases = (
            (_pass(problem, data, v, route), route),
            (_pass(problem, data, v, rest, p, u), [*rest[:p], u, *rest[p:]]),
        )
        for (ok, cost), full in cases:
            expected_ok, expected_cost = naive.rich_route_schedule(problem, v, full)
            assert ok == expected_ok
            if ok:
                assert cost == expected_cost if exact_cost else cost >= expected_cost
            seen.add((ok, naive.route_schedule(problem, v, full)[0]))
    assert (True, True) in seen and (False, False) in seen
    return seen


def test_route_pass_with_breaks_matches_the_plain_schedule():
    """With breaks the schedule pass says feasible exactly when some way of taking the
    breaks keeps every window and the shift (the reference tries them all), and costs what
    the reference costs."""
    seen = set()
    for seed in range(4):
        problem = _with_breaks(_random_problem(seed), seed)
        seen |= _route_pass_against_reference(problem, seed, exact_cost=True)
    assert (False, True) in seen  # the breaks bind: in time without them, late with them


def test_a_break_binds_and_then_does_not():
    """One job 50 s away opening 100-110 s (20 s of service), a shift of 0-400 s: a 250 s
    break starting in 0-50 s leaves the job out of reach; one in 150-200 s ends at 400 and
    the caregiver is back at 420, too late; 200 s long it fits (back at 370); a 40 s break
    in 0-40 s is taken while waiting for the window and costs no time."""
    base = make_problem([(50, 0)], windows=[(100, 110)], shift=(0, 400), service_s=20)
    assert _pass(base, lns._data(base), 0, [1]) == (True, 100)
    for spec, feasible in (
        (BreakSpec(0, 50, 250), False),
        (BreakSpec(150, 200, 250), False),
        (BreakSpec(150, 200, 200), True),
        (BreakSpec(0, 40, 40), True),
    ):
        problem = dataclasses.replace(base, vehicle_breaks=((spec,),))
        ok, cost = _pass(problem, lns._data(problem), 0, [1])
        assert ok == feasible
        assert cost == 100 or not ok


def _cheapest_place_against_reference(problem: RoutingProblem, seed: int) -> None:
    """For every unserved job the kernel's cheapest place (no blinking) costs what the
    reference's cheapest place costs (rich rules: :func:`naive.rich_route_schedule`)."""
    rng = random.Random(200 + seed)
    routes = _greedy_routes(problem, rng, naive.rich_route_schedule)
    for route in routes:
        del route[: len(route) // 3]
    data, state = _kernel_state(problem, routes)
    names = ("travel", "preference_cost", "allowed", "vehicle_class", "vehicle_start_node")
    names += ("vehicle_end_node", "vehicle_start_s", "vehicle_end_s", "vehicle_capacity")
    names += ("win_open", "win_close", "service_s", "demand")
    args = [data[name] for name in names]
    served = {u for route in routes for u in route}
    placed = 0
    for u in (u for u in problem.job_nodes if u not in served):
        expected = None
        for v, route in enumerate(routes):
            cap = int(problem.vehicle_capacity[v])
            if v not in problem.allowed_vehicles[u] or (
                cap >= 0 and int(problem.demand[[*route, u]].sum()) > cap
            ):
                continue
            before = naive.rich_route_schedule(problem, v, route)[1]
            for p in range(len(route) + 1):
                ok, after = naive.rich_route_schedule(problem, v, [*route[:p], u, *route[p:]])
                if ok and (expected is None or after - before < expected):
                    expected = after - before
        cost, v, p = kernels.cheapest_place(
            u, 0.0, state.routes, state.length, state.early, state.late, state.load, *args,
            state.cost, state.fixed_open, state.fixed_close, data["rich"], data["rx"],
        )  # fmt: skip
        if expected is None:
            assert (cost, v, p) == (kernels.INFEASIBLE, -1, -1)
            continue
        assert cost == expected
        placed += 1
    assert placed > 3


@pytest.mark.parametrize("seed", range(3))
def test_cheapest_place_with_breaks_matches_the_plain_schedule(seed):
    """With breaks, the kernel's cheapest place costs what the reference's does."""
    _cheapest_place_against_reference(_with_breaks(_random_problem(seed, n_jobs=40), seed), seed)


@pytest.mark.parametrize("seed", range(3))
def test_ruin_and_recreate_keeps_breaks_and_the_checker_agrees(seed):
    """A day with breaks goes through the fast search; every route takes its breaks by
    the reference and the independent checker, and the search improves the first plan."""
    problem = _with_breaks(_random_problem(seed, n_jobs=50), seed)
    start = _greedy_routes(problem, random.Random(seed), naive.rich_route_schedule)
    found = lns.improve(problem, start, 0.0, seed=seed, iterations=2_000)
    for v, route in enumerate(found.routes):
        assert naive.rich_route_schedule(problem, v, route)[0]
    served = {u for route in found.routes for u in route}
    penalties = sum(int(problem.drop_penalty[u]) for u in problem.job_nodes if u not in served)
    costs = sum(naive.rich_route_schedule(problem, v, r)[1] for v, r in enumerate(found.routes))
    assert found.objective == costs + penalties <= found.start_objective
    solution = solve(problem, SolveParams(time_limit_s=2.0, seed=seed, iterations=2_000))
    assert "ruin and recreate" in solution.status
    assert check_solution(problem, solution) == []


def test_repair_cuts_a_plan_without_breaks_down_to_one_that_takes_them():
    """OR-Tools' plan made without the breaks, repaired: every route takes its breaks by
    the reference, stops keep their order, and pairs stay whole."""
    problem = _with_breaks(_with_pairs_and_pins(3), 3)
    relaxed = lns._without_breaks(problem)
    assert not any(relaxed.vehicle_breaks) and lns._without_breaks(relaxed) is relaxed
    first = solve(relaxed, SolveParams(time_limit_s=1.0, solution_limit=1, lns=False))
    routes = [[stop.node for stop in route.stops] for route in first.routes]
    kept = lns.repair(problem, routes)
    assert sum(map(len, kept)) < sum(map(len, routes))  # the breaks bind
    for v, route in enumerate(kept):
        assert naive.rich_route_schedule(problem, v, route)[0]
        assert route == [node for node in routes[v] if node in route]
    on = {node for route in kept for node in route}
    assert all((a in on) == (b in on) for a, b in problem.sync_groups)


@pytest.mark.parametrize("seed", range(3))
def test_the_kernels_own_schedule_of_their_routes_is_a_valid_plan(seed):
    """Where OR-Tools cannot read the routes back in time, the kernels time them: pairs at
    one start, breaks in the gaps, pins kept; the independent checker finds nothing."""
    problem = _with_breaks(_with_pairs_and_pins(seed), seed)
    found = lns.improve(problem, [[] for _ in range(problem.n_vehicles)], 0.0, seed, None, 3_000)
    assert sum(map(len, found.routes)) >= 40
    plan = lns.timed_plan(problem, found, "kernels")
    assert check_solution(problem, plan) == []
    assert [[s.node for s in r.stops] for r in plan.routes] == found.routes
    assert all(len(r.breaks) == len(problem.vehicle_breaks[r.vehicle]) for r in plan.routes)
    # Nobody leaves at shift start to wait at a door when leaving later costs nothing.
    assert any(r.depart_s > problem.vehicle_start_s[r.vehicle] for r in plan.routes if r.stops)
    for route in plan.routes:
        if route.stops and route.depart_s > problem.vehicle_start_s[route.vehicle]:
            assert any(s.start_s == s.arrival_s for s in route.stops)


def _with_rich_windows(problem: RoutingProblem, seed: int) -> RoutingProblem:
    """A third of the jobs get two windows (the first and last third of their hull), two in
    five a soft end halfway with a lateness cost of 1-3 per second; each vehicle a soft end
    up to 2,000 s before its hard end with an overtime cost of 1-2 per second."""
    rng = random.Random(2_000 + seed)
    windows = list(problem.time_windows)
    soft = problem.soft_window_end_s.copy()
    lateness = problem.lateness_cost.copy()
    for node in problem.job_nodes:
        a, b = int(problem.window_start_s[node]), int(problem.window_end_s[node])
        if rng.random() < 1 / 3 and b - a >= 30:
            windows[node] = ((a, a + (b - a) // 3), (b - (b - a) // 3, b))
        if rng.random() < 0.4:
            soft[node], lateness[node] = (a + b) // 2, rng.randint(1, 3)
    ends = problem.vehicle_end_s
    soft_ends = np.array([e - rng.randint(0, 2_000) for e in ends], dtype=np.int64)
    return dataclasses.replace(
        problem,
        time_windows=tuple(windows),
        soft_window_end_s=soft,
        lateness_cost=lateness,
        vehicle_soft_end_s=np.maximum(soft_ends, problem.vehicle_start_s),
        overtime_cost=np.array([rng.randint(1, 2) for _ in ends], dtype=np.int64),
    )


def test_route_pass_with_windows_lateness_and_overtime_matches_the_plain_schedule():
    """Several windows, soft windows and overtime: feasibility and cost equal the
    reference's; with breaks as well, feasibility is equal and the cost never below the
    reference's cheapest way of taking the breaks."""
    seen = set()
    for seed in range(4):
        problem = _with_rich_windows(_random_problem(seed), seed)
        seen |= _route_pass_against_reference(problem, seed, exact_cost=True)
        both = _with_breaks(problem, seed)
        _route_pass_against_reference(both, seed, exact_cost=False)
    assert (False, True) in seen  # the gap between two windows binds


@pytest.mark.parametrize("seed", range(3))
def test_cheapest_place_with_windows_lateness_and_overtime_matches_the_plain_schedule(seed):
    """The kernel's cheapest place costs what the reference's does, lateness and overtime
    included."""
    problem = _with_rich_windows(_random_problem(seed, n_jobs=40), seed)
    _cheapest_place_against_reference(problem, 100 + seed)


@pytest.mark.parametrize("seed", range(3))
def test_ruin_and_recreate_keeps_windows_and_prices_lateness_and_overtime(seed):
    """The search's objective is the reference's arcs, lateness, overtime and penalties of
    its routes; OR-Tools reads them back and the checker finds nothing."""
    problem = _with_rich_windows(_random_problem(seed, n_jobs=50), seed)
    start = _greedy_routes(problem, random.Random(seed), naive.rich_route_schedule)
    found = lns.improve(problem, start, 0.0, seed=seed, iterations=2_000)
    served = {u for route in found.routes for u in route}
    penalties = sum(int(problem.drop_penalty[u]) for u in problem.job_nodes if u not in served)
    costs = 0
    for v, route in enumerate(found.routes):
        ok, cost = naive.rich_route_schedule(problem, v, route)
        assert ok
        costs += cost
    assert found.objective == costs + penalties < found.start_objective
    assert lns.unsupported(problem) is None
    solution = solve(problem, SolveParams(time_limit_s=2.0, seed=seed, iterations=2_000))
    assert "ruin and recreate" in solution.status
    assert check_solution(problem, solution) == []


def _with_gaps(seed: int) -> RoutingProblem:
    """60 jobs on 6 vehicles: jobs 1-8 are 4 double-staffed pairs, jobs 9-20 six gaps (the
    second starts 300-900 s after the first, or at least 600 s after, or 0-200 s after)."""
    problem = _with_pairs_and_pins(seed)
    problem = dataclasses.replace(problem, sync_groups=problem.sync_groups[:4])
    everyone = tuple(range(problem.n_vehicles))
    allowed = list(problem.allowed_vehicles)
    for node in range(9, 21):
        allowed[node] = everyone
    bounds = ((300, 900), (600, None), (0, 200))
    gaps = tuple(
        Precedence(a, a + 1, *bounds[k % 3]) for k, a in enumerate(range(9, 21, 2))
    )  # fmt: skip
    return dataclasses.replace(problem, allowed_vehicles=tuple(allowed), precedences=gaps)


@pytest.mark.parametrize("seed", range(3))
def test_gaps_survive_ruin_and_recreate_and_the_checker_agrees(seed):
    """A gap's two jobs leave and come back together, on two caregivers, their starts apart
    by what the gap allows; the kernels' objective is the reference's (each half keeps its
    own penalty); the checker finds nothing in the kernels' plan nor in OR-Tools' polish."""
    problem = _with_gaps(seed)
    assert lns.unsupported(problem) is None
    first = solve(problem, SolveParams(time_limit_s=1.0, solution_limit=1, lns=False))
    start = lns.whole_pairs(problem, [[stop.node for stop in r.stops] for r in first.routes])
    found = lns.improve(problem, start, 0.0, seed=seed, iterations=3_000)
    where = {u: v for v, route in enumerate(found.routes) for u in route}
    served = 0
    for p in problem.precedences:
        assert (p.first in where) == (p.second in where)
        if p.first in where:
            served += 1
            assert where[p.first] != where[p.second]
            gap = found.pair_starts[p.second] - found.pair_starts[p.first]
            assert p.min_s <= gap <= (p.max_s if p.max_s is not None else gap)
    assert served >= 4
    plan = lns.timed_plan(problem, found, "kernels")
    assert check_solution(problem, plan) == []
    penalties = sum(int(problem.drop_penalty[u]) for u in problem.job_nodes if u not in where)
    penalties -= sum(int(problem.drop_penalty[b]) for a, b in problem.sync_groups if b not in where)
    costs = sum(naive.route_schedule(problem, v, r)[2] for v, r in enumerate(found.routes))
    assert found.objective == costs + penalties <= found.start_objective
    solution = solve(problem, SolveParams(time_limit_s=2.0, seed=seed, iterations=3_000))
    assert "ruin and recreate" in solution.status
    assert check_solution(problem, solution) == []


def test_route_pass_prices_waiting_at_doors_as_the_plain_schedule_does():
    """With a waiting cost the pass adds, per second, the waiting left when the caregiver
    leaves as late as the windows and soft ends allow (the reference tries departures)."""
    waited = 0
    for seed in range(4):
        problem = _with_rich_windows(_random_problem(seed), seed)
        problem = dataclasses.replace(problem, waiting_cost=seed + 1)
        data = lns._data(problem)
        rng = random.Random(seed)
        for _ in range(150):
            v = rng.randrange(problem.n_vehicles)
            route = rng.sample(list(problem.job_nodes), rng.randint(1, 6))
            ok, cost = lns.route_ok(data, v, route)
            expected_ok, expected_cost = naive.rich_route_schedule(problem, v, route)
            assert ok == expected_ok
            if ok:
                waiting = naive.least_waiting(problem, v, route)
                assert cost == expected_cost + problem.waiting_cost * waiting
                waited += waiting > 0
    assert waited > 10


def test_waiting_cost_cuts_waiting_and_keeps_every_rule():
    """The same day searched with and without a waiting cost: less waiting at doors in the
    kernels' plan with it; OR-Tools reads the routes back and the checker finds nothing."""
    problem = _with_rich_windows(_random_problem(4, n_jobs=50), 4)
    start = _greedy_routes(problem, random.Random(4), naive.rich_route_schedule)
    totals = []
    for weight in (0, 5):
        weighted = dataclasses.replace(problem, waiting_cost=weight)
        found = lns.improve(weighted, start, 0.0, seed=1, iterations=3_000)
        totals.append(sum(naive.least_waiting(weighted, v, r) for v, r in enumerate(found.routes)))
    assert totals[1] < totals[0]
    solution = solve(weighted, SolveParams(time_limit_s=2.0, seed=1, iterations=2_000))
    assert "ruin and recreate" in solution.status
    assert check_solution(weighted, solution) == []


def test_a_late_or_empty_first_plan_still_gives_a_plan(monkeypatch):
    """OR-Tools' first plan arriving empty with no search time left (a loaded machine: the
    demo placed 0 of 284 at load 17) still gives a plan: the kernels place greedily what
    fits, and the checker agrees."""
    problem = _with_breaks(_random_problem(5, n_jobs=40, n_vehicles=5), 5)
    real = lns.solve_with_ortools

    def empty_first(problem_, params, *args, **kwargs):
        found = real(problem_, params, *args, **kwargs)
        return dataclasses.replace(
            found, routes=tuple(dataclasses.replace(r, stops=()) for r in found.routes)
        )

    monkeypatch.setattr(lns, "solve_with_ortools", empty_first)
    solution = lns.solve_with_lns(problem, SolveParams(time_limit_s=0.01, seed=0))
    assert len(solution.dropped) < len(problem.job_nodes) // 2
    assert check_solution(problem, solution) == []
