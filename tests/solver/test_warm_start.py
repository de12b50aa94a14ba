"""Warm starts: the search may start from given routes (re-planning), never crashing on bad ones."""

from __future__ import annotations

import random

from solver_helpers import make_problem

from hjemmetjeneste.solver import SolveParams, check_solution, solve
from hjemmetjeneste.solver.ortools_model import clean_initial_routes

TINY = SolveParams(time_limit_s=0.1)


def _routes(solution) -> list[list[int]]:
    return [[stop.node for stop in route.stops] for route in solution.routes]


def _random_problem(seed: int, n_jobs: int = 30, n_vehicles: int = 3):
    rng = random.Random(seed)
    jobs = [(rng.randint(-300, 300), rng.randint(-300, 300)) for _ in range(n_jobs)]
    windows = []
    for _ in jobs:
        start = rng.randint(0, 4000)
        windows.append((start, start + rng.randint(1500, 3000)))
    return make_problem(jobs, n_vehicles, service_s=60, windows=windows, shift=(0, 8000))


def test_warm_start_from_own_routes_is_no_worse(quick):
    """Starting from a solution's own routes with a tiny limit gives an objective <= its own."""
    problem = _random_problem(1)
    first = solve(problem, quick)
    assert first.warm_start == "none"
    again = solve(problem, TINY, initial_routes=_routes(first))
    assert again.warm_start == "used"
    assert again.objective <= first.objective
    assert check_solution(problem, again) == []


def test_jobs_left_out_of_the_routes_are_inserted_by_the_search(quick):
    """Jobs missing from the initial routes are still served: the search inserts them."""
    problem = _random_problem(2, n_jobs=12, n_vehicles=2)
    first = solve(problem, quick)
    assert first.dropped == ()
    partial = [route[1:] for route in _routes(first)]  # each route loses its first job
    warm = solve(problem, quick, initial_routes=partial)
    assert warm.warm_start == "used"
    assert warm.dropped == ()
    assert check_solution(problem, warm) == []


def test_routes_breaking_competence_are_rejected_and_plan_is_still_full(quick):
    """A job on a caregiver lacking its competence: routes rejected, a full cold plan returned."""
    problem = make_problem([(10, 0), (20, 0), (0, 10)], 2, allowed=[[0], [0], [1]])
    solution = solve(problem, quick, initial_routes=[[3], [1, 2]])
    assert solution.warm_start == "rejected"
    assert solution.dropped == ()
    assert solution.served_by() == {1: 0, 2: 0, 3: 1}
    assert check_solution(problem, solution) == []


def test_routes_in_an_impossible_time_order_are_rejected(quick):
    """An order missing a hard window is rejected; the same jobs in a feasible order are used."""
    problem = make_problem([(10, 0), (50, 0)], windows=[(200, 300), (0, 60)], shift=(0, 1000))
    rejected = solve(problem, quick, initial_routes=[[1, 2]])
    assert rejected.warm_start == "rejected"
    assert rejected.dropped == ()
    assert _routes(rejected) == [[2, 1]]
    used = solve(problem, quick, initial_routes=[[2, 1]])
    assert used.warm_start == "used"


def test_half_of_a_double_staffed_pair_does_not_crash(quick):
    """Routes holding one job of a pair are read without it; two caregivers serve the pair."""
    problem = make_problem([(10, 0), (10, 0), (0, 10)], 2, sync_groups=[(1, 2)])
    solution = solve(problem, quick, initial_routes=[[1, 3], []])
    assert solution.warm_start == "used"
    assert solution.dropped == ()
    served = solution.served_by()
    assert served[1] != served[2]
    assert check_solution(problem, solution) == []


def test_unknown_and_repeated_nodes_are_dropped_from_the_routes():
    """Depots, unknown nodes, repeats and half pairs are removed; whole pairs are kept."""
    problem = make_problem([(10, 0), (10, 0), (0, 10), (5, 5)], 2, sync_groups=[(1, 2)])
    assert clean_initial_routes(problem, [[0, 1, 3, 99, 3], [3, -1]]) == [[3], []]
    assert clean_initial_routes(problem, [[1, 3], [2, 1], [4]]) == [[1, 3], [2]]
    assert clean_initial_routes(problem, [[4]]) == [[4], []]


def test_empty_initial_routes_mean_a_cold_start(quick):
    """Routes that hold no usable job leave the search cold and say so ("none")."""
    problem = make_problem([(10, 0), (20, 0)], 1)
    solution = solve(problem, quick, initial_routes=[[0, 77]])
    assert solution.warm_start == "none"
    assert solution.dropped == ()
