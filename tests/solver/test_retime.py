"""Re-timing routes after the search: departing as late as the order allows."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from solver_helpers import make_problem

from hjemmetjeneste.solver import (
    ProblemBuilder,
    Route,
    RouteStop,
    Solution,
    SolveParams,
    check_solution,
    solve,
)
from hjemmetjeneste.solver.problem import BreakSpec, RoutingProblem
from hjemmetjeneste.solver.retime import door_wait_s, retime


def _solution(*routes: Route, dropped: tuple[int, ...] = ()) -> Solution:
    return Solution(routes=routes, dropped=dropped, objective=0, status="test", wall_s=0.0)


def _plain(problem: RoutingProblem, v: int, nodes: list[int], depart: int) -> Route:
    """A route timed the plain way: leave at ``depart``, start each visit as early as
    possible (the times an engine without re-timing gives)."""
    travel = problem.travel_for(v)
    at, ready, stops = 0, depart, []
    for node in nodes:
        arrival = ready + int(travel[at, node])
        start = max(arrival, int(problem.window_start_s[node]))
        stops.append(RouteStop(node, arrival, start))
        at, ready = node, start + int(problem.service_s[node])
    return Route(v, depart, tuple(stops), ready + int(travel[at, 0]))


def _travel(problem: RoutingProblem, solution: Solution) -> int:
    total = 0
    for r in solution.routes:
        travel, at = problem.travel_for(r.vehicle), 0
        for s in r.stops:
            total += int(travel[at, s.node])
            at = s.node
        total += int(travel[at, 0]) if r.stops else 0
    return total


def test_a_route_waiting_at_its_first_door_leaves_later_with_a_known_answer():
    """Two visits 100 s apart whose windows open late: leave at 1050 instead of 0, no wait.

    By hand: the earliest return is 1550 (B at 1300, its window start, + 50 service + 200
    back); the latest B that still returns then is 1300, the latest A 1300 - 100 - 50 = 1150,
    so the caregiver leaves at 1150 - 100 = 1050 and waits nowhere.
    """
    problem = make_problem(
        [(100, 0), (200, 0)], service_s=50, windows=[(1000, 2000), (1300, 1400)], shift=(0, 5000)
    )
    before = _solution(_plain(problem, 0, [1, 2], 0))
    assert (
        before.routes[0].stops[0].start_s == 1000 and door_wait_s(problem, before.routes[0]) == 1050
    )
    after = retime(problem, before)
    route = after.routes[0]
    assert route.depart_s == 1050
    assert [(s.node, s.arrival_s, s.start_s) for s in route.stops] == [
        (1, 1150, 1150),
        (2, 1300, 1300),
    ]
    assert route.return_s == 1550
    assert door_wait_s(problem, route) == 0
    assert check_solution(problem, after) == []


def test_a_wait_the_order_needs_stays():
    """Where a later window forces a wait that no departure time removes, the wait stays
    and only the avoidable part goes: A's window closes at 200, B opens at 1000."""
    problem = make_problem(
        [(100, 0), (200, 0)], service_s=50, windows=[(0, 200), (1000, 1100)], shift=(0, 5000)
    )
    after = retime(problem, _solution(_plain(problem, 0, [1, 2], 0)))
    route = after.routes[0]
    assert route.depart_s == 100  # A at 200, its latest start
    assert route.stops[0].start_s == 200
    assert door_wait_s(problem, route) == 1000 - (200 + 50 + 100)
    assert check_solution(problem, after) == []


def test_both_caregivers_of_a_double_staffed_visit_still_start_together():
    """A pair at 500: the caregiver with a visit before it and the one without both leave
    late enough to arrive just in time, and the two starts stay equal."""
    problem = make_problem(
        [(100, 0), (100, 0), (50, 0)],
        2,
        service_s=50,
        windows=[(500, 600), (500, 600), (0, 5000)],
        shift=(0, 5000),
        sync_groups=[(1, 2)],
    )
    before = _solution(_plain(problem, 0, [3, 1], 0), _plain(problem, 1, [2], 0))
    assert check_solution(problem, before) == []
    after = retime(problem, before)
    r0, r1 = after.routes
    assert r0.stops[1].start_s == r1.stops[0].start_s == 500
    assert r1.depart_s == 400 and r0.depart_s == 350
    assert sum(door_wait_s(problem, r) for r in after.routes) == 0
    assert check_solution(problem, after) == []


def test_a_pair_holds_back_the_partner_who_could_be_earlier():
    """Binding case of the pair: one caregiver cannot reach the pair before 700, so the
    pair starts at 700 and the other caregiver leaves to arrive exactly then."""
    problem = make_problem(
        [(100, 0), (100, 0), (50, 0)],
        2,
        service_s=50,
        windows=[(0, 5000), (0, 5000), (600, 650)],
        shift=(0, 5000),
        sync_groups=[(1, 2)],
    )
    # Vehicle 0 serves job 3 (600-650) then the pair: its earliest pair start is 700.
    r0 = _plain(problem, 0, [3, 1], 0)
    r1 = Route(1, 0, (RouteStop(2, 100, 700),), 850)
    before = _solution(r0, r1)
    assert check_solution(problem, before) == []
    after = retime(problem, before)
    a, b = after.routes[0].stops[1], after.routes[1].stops[0]
    assert a.start_s == b.start_s
    assert check_solution(problem, after) == []
    # Vehicle 1 leaves so as to arrive exactly at the pair's start.
    assert after.routes[1].depart_s == b.start_s - 100


def test_a_break_stays_in_its_window_and_between_the_same_visits():
    """A break taken while waiting moves with the route but stays inside its window."""
    builder = ProblemBuilder()
    points = [(0, 0), (100, 0), (200, 0)]
    matrix = np.array([[round(math.dist(p, q)) for q in points] for p in points], dtype=np.int64)
    builder.add_travel_class(matrix, matrix.copy())
    depot = builder.add_depot(0, (0, 5000))
    builder.add_vehicle(start_depot=depot, window=(0, 5000), breaks=(BreakSpec(1000, 1200, 300),))
    builder.add_job(1, service_s=50, windows=[(500, 3000)], penalty=10**6)
    builder.add_job(2, service_s=50, windows=[(2000, 2100)], penalty=10**6)
    problem = builder.build()
    route = Route(
        0,
        0,
        (RouteStop(1, 100, 500), RouteStop(2, 650, 2000)),
        2250,
        breaks=((1000, 300),),
    )
    before = _solution(route)
    assert check_solution(problem, before) == []
    after = retime(problem, before)
    new = after.routes[0]
    assert check_solution(problem, after) == []
    ((start, duration),) = new.breaks
    assert 1000 <= start <= 1200 and duration == 300
    assert new.stops[0].start_s + 50 <= start < new.stops[1].start_s
    assert door_wait_s(problem, new) < door_wait_s(problem, route)
    assert new.return_s == route.return_s


def test_a_solution_the_checker_faults_is_returned_unchanged():
    """Re-timing never repairs nor hides a broken plan: a late start stays as it was."""
    problem = make_problem([(100, 0)], windows=[(0, 50)], shift=(0, 5000))
    broken = _solution(Route(0, 0, (RouteStop(1, 100, 100),), 200))
    assert check_solution(problem, broken) != []
    assert retime(problem, broken) is broken


@st.composite
def _instances(draw):
    n_jobs = draw(st.integers(2, 7))
    jobs = [(draw(st.integers(-300, 300)), draw(st.integers(-300, 300))) for _ in range(n_jobs)]
    windows = []
    for _ in jobs:
        start = draw(st.integers(0, 3000))
        windows.append((start, start + draw(st.integers(0, 1500))))
    pair = draw(st.booleans())
    if pair:  # the last two jobs become one double-staffed visit at one place
        jobs[-1] = jobs[-2]
        windows[-1] = windows[-2]
    return jobs, windows, pair, draw(st.integers(0, 3))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_instances())
def test_retiming_never_breaks_a_window_nor_changes_order_assignment_or_travel(instance):
    """Property: on solved random instances (with and without a pair), re-timing keeps the
    checker's verdict, every start inside its window, each route's order and caregiver, the
    travel, and never adds waiting, a later return or a longer working span."""
    jobs, windows, pair, seed = instance
    n = len(jobs)
    problem = make_problem(
        jobs,
        2,
        service_s=60,
        windows=windows,
        shift=(0, 6000),
        sync_groups=[(n - 1, n)] if pair else (),
    )
    # OR-Tools' first plans only (a handful of solutions): fast, and timed the plain way.
    params = SolveParams(time_limit_s=1.0, seed=seed, solution_limit=5, retime=False)
    before = solve(problem, params)
    assert check_solution(problem, before) == []
    after = retime(problem, before)
    assert check_solution(problem, after) == []
    assert after.dropped == before.dropped
    for old, new in zip(before.routes, after.routes, strict=True):
        assert new.vehicle == old.vehicle
        assert [s.node for s in new.stops] == [s.node for s in old.stops]
        for s in new.stops:
            assert problem.window_start_s[s.node] <= s.start_s <= problem.window_end_s[s.node]
        if old.stops:
            assert new.return_s <= old.return_s
            assert new.return_s - new.depart_s <= old.return_s - old.depart_s
            assert door_wait_s(problem, new) <= door_wait_s(problem, old)
    assert _travel(problem, after) == _travel(problem, before)


def test_an_idle_cost_lets_the_search_trade_a_little_travel_for_much_less_waiting():
    """Neutral by default: one caregiver does both visits and waits ~80 minutes between
    them (the cheapest travel). With an idle cost of 1 per second the search sends a second
    caregiver instead (200 s more travel, no wait the order forces)."""
    from hjemmetjeneste.solver import Metaheuristic

    def plan(idle_cost: int) -> Solution:
        builder = ProblemBuilder(waiting_cost=idle_cost)
        points = [(0, 0), (100, 0), (110, 0)]
        m = np.array([[round(math.dist(p, q)) for q in points] for p in points], dtype=np.int64)
        builder.add_travel_class(m, m.copy())
        depot = builder.add_depot(0, (0, 10_000))
        for _ in range(2):
            builder.add_vehicle(start_depot=depot, window=(0, 10_000))
        builder.add_job(1, service_s=60, windows=[(0, 200)], penalty=10**6)
        builder.add_job(2, service_s=60, windows=[(5000, 5100)], penalty=10**6)
        problem = builder.build()
        params = SolveParams(
            time_limit_s=2.0, lns=False, metaheuristic=Metaheuristic.GREEDY_DESCENT
        )
        solution = solve(problem, params)
        assert check_solution(problem, solution) == []
        return solution

    free = plan(0)
    assert sorted(len(r.stops) for r in free.routes) == [0, 2]
    costly = plan(1)
    assert sorted(len(r.stops) for r in costly.routes) == [1, 1]
