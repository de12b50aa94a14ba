"""The re-plan's search: ruin and recreate from given feasible routes, without OR-Tools."""

from __future__ import annotations

import dataclasses
import importlib

import numpy as np
import pytest
from solver_helpers import make_problem

from hjemmetjeneste.solver import SolveParams, check_solution, solve_from_routes
from hjemmetjeneste.solver import lns as lns_module
from hjemmetjeneste.solver.lns import _data, nearest_first

# Jobs on a line east of the depot and one north: two caregivers, room for everything.
POINTS = [(100.0, 0.0), (200.0, 0.0), (300.0, 0.0), (0.0, 100.0), (0.0, 200.0), (0.0, 300.0)]
BUDGET = SolveParams(time_limit_s=5.0, iterations=200, seed=3)


def _no_ortools(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the warm re-plan built an OR-Tools model")

    monkeypatch.setattr(lns_module, "solve_with_ortools", refuse)
    solve_module = importlib.import_module("hjemmetjeneste.solver.solve")
    monkeypatch.setattr(solve_module, "solve_with_ortools", refuse)


def test_jobs_left_out_of_the_routes_are_placed_without_an_ortools_model(monkeypatch):
    """Routes that leave two jobs out (an absent caregiver's): both are placed where there is
    room, the given ones stay served, OR-Tools is never called and the checker agrees."""
    _no_ortools(monkeypatch)
    problem = make_problem(POINTS, n_vehicles=2, service_s=60)
    routes = [[1, 2], [4, 5]]  # jobs 3 and 6 (nodes) left out
    solution = solve_from_routes(problem, routes, BUDGET)
    assert solution.warm_start == "used"
    assert "warm ruin and recreate" in solution.status
    assert solution.dropped == ()
    assert check_solution(problem, solution) == []


def test_placing_the_left_out_jobs_needs_no_search_iterations(monkeypatch):
    """With a budget of one iteration the greedy insertion alone places what fits: the
    time-critical (costlier to drop) job first when only one of two fits."""
    _no_ortools(monkeypatch)
    # One caregiver whose day has room for one more 600 s visit only.
    problem = make_problem(
        [(100.0, 0.0), (200.0, 0.0), (150.0, 0.0)],
        n_vehicles=1,
        service_s=600,
        shift=(0, 1_900),
    )
    penalty = problem.drop_penalty.copy()
    penalty[2], penalty[3] = 1_000, 50_000  # node 3 is the time-critical one
    problem = dataclasses.replace(problem, drop_penalty=penalty)
    solution = solve_from_routes(problem, [[1]], SolveParams(iterations=1, seed=0))
    assert solution.dropped == (2,)
    assert check_solution(problem, solution) == []


def test_pinned_jobs_of_the_routes_keep_their_caregiver_and_start(monkeypatch):
    """A job pinned to its caregiver and start (the frozen prefix) stays exactly there
    while the search moves the others."""
    _no_ortools(monkeypatch)
    problem = make_problem(POINTS, n_vehicles=2, service_s=60)
    pinned_v, pinned_s = problem.pinned_vehicle.copy(), problem.pinned_start_s.copy()
    pinned_v[4], pinned_s[4] = 1, 500
    problem = dataclasses.replace(problem, pinned_vehicle=pinned_v, pinned_start_s=pinned_s)
    solution = solve_from_routes(problem, [[1, 2, 3], [4, 5, 6]], BUDGET)
    stops = {s.node: (r.vehicle, s.start_s) for r in solution.routes for s in r.stops}
    assert stops[4] == (1, 500)
    assert solution.dropped == () and check_solution(problem, solution) == []


def test_routes_the_kernels_find_late_fall_back_to_the_ortools_warm_start():
    """A route that misses a window is no start for ruin and recreate: the OR-Tools search
    gets the routes instead (and rejects them), and its plan is still checker-clean."""
    problem = make_problem(POINTS[:3], n_vehicles=1, windows=[(0, 10_000), (0, 10_000), (0, 150)])
    solution = solve_from_routes(problem, [[1, 2, 3]], SolveParams(time_limit_s=1.0))
    assert "warm ruin and recreate" not in solution.status
    assert solution.warm_start == "rejected"
    assert check_solution(problem, solution) == []


def test_a_problem_with_an_empty_route_list_is_planned_from_nothing(monkeypatch):
    """No routes at all: every job is inserted greedily and improved, still without OR-Tools."""
    _no_ortools(monkeypatch)
    problem = make_problem(POINTS, n_vehicles=2, service_s=60)
    solution = solve_from_routes(problem, [[], []], BUDGET)
    assert solution.dropped == () and check_solution(problem, solution) == []


@pytest.mark.parametrize(("size", "take", "spread"), [(40, 10, 4), (7, 7, 3), (30, 50, 2)])
def test_nearest_first_is_the_head_of_a_stable_sort(size, take, spread):
    """The partitioned nearest neighbours equal the first columns of a stable argsort,
    ties (many, from a small spread of values) broken by column as the sort does."""
    rng = np.random.default_rng(size)
    near = rng.integers(0, spread, (size, size))
    take = min(take, size)
    expected = np.argsort(near, axis=1, kind="stable")[:, :take]
    assert (nearest_first(near, take) == expected).all()


def test_the_kernels_read_the_builders_travel_block_without_a_copy():
    """The builder's classes are views of one block; the kernels' data is that block."""
    problem = make_problem(POINTS, n_vehicles=2)
    travel = _data(problem)["travel"]
    assert np.shares_memory(travel, problem.travel_s[0])
    copied = dataclasses.replace(problem, travel_s=(problem.travel_s[0].copy(),))
    again = _data(copied)["travel"]
    assert not np.shares_memory(again, copied.travel_s[0])
    assert (again[0] == travel[0]).all()


def test_neighbours_found_a_few_rows_at_a_time_are_the_whole_sorts(monkeypatch):
    """The kernels' neighbour lists, found in steps of a few jobs, equal those of one
    stable sort of the whole symmetric job-to-job matrix (the job itself first)."""
    rng = np.random.default_rng(5)
    points = [(float(x), float(y)) for x, y in rng.integers(0, 40, (23, 2))]  # ties too
    problem = make_problem(points, n_vehicles=2)
    monkeypatch.setattr(lns_module, "NEAREST_ROWS", 4)
    got = _data(problem)["neighbours"]
    jobs = np.asarray(problem.job_nodes)
    near = problem.travel_s[0][np.ix_(jobs, jobs)]
    near = np.minimum(near, near.T)
    expected = jobs[np.argsort(near, axis=1, kind="stable")]
    expected[:, 0] = jobs
    assert (got[jobs] == expected).all()
