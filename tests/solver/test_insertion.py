"""Cheapest insertion ("who could take this?") against a brute-force reference."""

from __future__ import annotations

import dataclasses
import random

import pytest
from solver_helpers import make_problem

from hjemmetjeneste.solver import RoutingProblem
from hjemmetjeneste.solver.insertion import Insertion, best_insertion, rank_insertions


def _schedule(problem: RoutingProblem, vehicle: int, route: list[int]) -> tuple[int, int, list]:
    """Plain reference: travel, lateness and starts of a whole route, simulated from scratch."""
    travel = problem.travel_for(vehicle)
    at, clock, total, late, starts = int(problem.vehicle_start_node[vehicle]), 0, 0, 0, []
    clock = int(problem.vehicle_start_s[vehicle])
    for node in route:
        arrival = clock + int(travel[at, node])
        total += int(travel[at, node])
        open_windows = [w for w in problem.time_windows[node] if arrival <= w[1]]
        if open_windows:
            start = max(arrival, open_windows[0][0])
        else:
            start = arrival
            late += arrival - problem.time_windows[node][-1][1]
        starts.append(start)
        clock = start + int(problem.service_s[node])
        at = node
    end = int(problem.vehicle_end_node[vehicle])
    total += int(travel[at, end])
    late += max(0, clock + int(travel[at, end]) - int(problem.vehicle_end_s[vehicle]))
    return total, late, starts


def _brute_best(problem: RoutingProblem, vehicle: int, route: list[int], job: int) -> Insertion:
    base_travel, base_late, _ = _schedule(problem, vehicle, route)
    options = []
    for p in range(len(route) + 1):
        travel, late, starts = _schedule(problem, vehicle, [*route[:p], job, *route[p:]])
        options.append(Insertion(vehicle, p, starts[p], travel - base_travel, late - base_late))
    return min(options, key=lambda o: (o.added_late_s, o.added_travel_s, o.position))


def _random_case(rng: random.Random) -> tuple[RoutingProblem, list[list[int]], int]:
    n_jobs = rng.randint(2, 12)
    n_vehicles = rng.randint(1, 4)
    jobs = [(rng.uniform(-500, 500), rng.uniform(-500, 500)) for _ in range(n_jobs)]
    windows = []
    for _ in range(n_jobs):
        a = rng.randint(0, 3000)
        windows.append((a, a + rng.choice([0, 60, 300, 1500, 5000])))
    allowed = [rng.choice([None, tuple(rng.sample(range(n_vehicles), 1))]) for _ in range(n_jobs)]
    problem = make_problem(
        jobs,
        n_vehicles,
        service_s=[rng.randint(0, 600) for _ in range(n_jobs)],
        windows=windows,
        shift=(0, rng.choice([4000, 8000, 20_000])),
        allowed=allowed,
    )
    if rng.random() < 0.5:  # several windows on some jobs
        tws = list(problem.time_windows)
        for node in rng.sample(list(problem.job_nodes), k=max(1, n_jobs // 3)):
            a, b = tws[node][0]
            if b - a >= 300:
                tws[node] = ((a, a + 100), (b - 100, b))
        problem = dataclasses.replace(problem, time_windows=tuple(tws))
    job = rng.choice(problem.job_nodes)
    routes: list[list[int]] = [[] for _ in range(n_vehicles)]
    for node in problem.job_nodes:
        if node == job:
            continue
        options = problem.allowed_vehicles[node]
        if options and rng.random() < 0.85:
            routes[rng.choice(options)].append(node)
    for route in routes:
        rng.shuffle(route)
    return problem, routes, job


@pytest.mark.parametrize("seed", range(60))
def test_best_insertion_matches_brute_force(seed: int) -> None:
    """Re-timing only the delayed stops gives exactly the brute-force best position and costs."""
    problem, routes, job = _random_case(random.Random(seed))
    for vehicle in problem.allowed_vehicles[job]:
        assert best_insertion(problem, vehicle, routes[vehicle], job) == _brute_best(
            problem, vehicle, routes[vehicle], job
        )


def test_ranking_prefers_on_time_then_less_travel() -> None:
    """On-time caregivers rank above a late one, and among them the less added travel first."""
    # Job 1 at (100, 0). Vehicle 0 has a long visit at (1000, 0) that the job would make
    # late (or be late after); vehicle 1 visits (0, 50) nearby; vehicle 2 is free.
    problem = make_problem(
        [(100.0, 0.0), (1000.0, 0.0), (0.0, 50.0)],
        3,
        service_s=[60, 3000, 60],
        windows=[(0, 1500), (900, 1000), (0, 9000)],
        shift=(0, 10_000),
    )
    ranked = rank_insertions(problem, [[2], [3], []], 1)
    assert [o.vehicle for o in ranked] == [1, 2, 0]
    assert ranked[0].feasible and ranked[0].added_travel_s == 100 + 112 - 50
    assert ranked[1].feasible and ranked[1].added_travel_s == 200
    assert not ranked[2].feasible and ranked[2].added_late_s > 0


def test_ranking_skips_vehicles_not_allowed_or_already_serving() -> None:
    """Only allowed vehicles not already serving the job are listed; bad input is refused."""
    problem = make_problem([(10.0, 0.0), (20.0, 0.0)], 3, allowed=[(0, 2), None])
    ranked = rank_insertions(problem, [[], [2], [1]], 1)
    assert [o.vehicle for o in ranked] == [0]
    with pytest.raises(ValueError, match="not a job"):
        rank_insertions(problem, [[], [], []], 0)
    with pytest.raises(ValueError, match="routes given"):
        rank_insertions(problem, [[]], 1)
