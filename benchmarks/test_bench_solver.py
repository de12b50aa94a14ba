"""The solver on seeded district days of three sizes (60/6, 300/25, 1,500/100).

Not part of the unit run. Full run (≈ 2–3 min on 2 cores):

    pytest benchmarks/test_bench_solver.py --benchmark-json=benchmarks/results/solver.json

then ``python benchmarks/compare.py OLD.json NEW.json`` against the previous saved run.

Every timing is divided by the ``baseline`` benchmark of the same run (a fixed CPU workload)
before two runs are compared, so a slower or busier machine does not read as a regression.
What is measured per size:

- ``build``: DayPlan → RoutingProblem (a non-solver stage; time compared);
- ``first``: the construction heuristic only (``solution_limit=1``): its objective is
  deterministic, so it is compared exactly; its time too (every size: with synchronised
  pairs as node precedences the large day's construction takes seconds, not a minute);
- ``search``: a fixed time limit; the objective is recorded in ``extra_info`` and compared
  (it depends on how much search the machine managed within the limit: noisier);
- ``ruin and recreate``: a fixed number of iterations of the numba search from the first
  solution (small and medium): time and objective both compared.

``pytest benchmarks -k smoke`` runs only the small day's first solution (seconds).
"""

from __future__ import annotations

import numpy as np
import pytest

from district_days import SIZES, district_day
from hjemmetjeneste.planning.to_problem import build_problem
from hjemmetjeneste.solver import SolveParams, check_solution, lns, solve
from hjemmetjeneste.travel import GreatCircleSource

SEED = 2026
SEARCH_LIMIT_S = {"small": 2.0, "medium": 5.0, "large": 20.0}


def baseline_workload() -> float:
    """A fixed CPU workload (sorting and a pure-Python loop) to normalise timings by."""
    rng = np.random.default_rng(0)
    values = np.sort(rng.random(400_000))
    total = 0
    for i in range(200_000):
        total += i % 7
    return float(values[1000]) + total


def test_baseline_cpu(benchmark):
    """The same-run baseline every other timing is divided by; also runs under smoke."""
    benchmark.group = "baseline"
    assert benchmark(baseline_workload) > 0


@pytest.fixture(scope="module")
def built():
    cache = {}

    def get(size: str):
        if size not in cache:
            n_visits, n_staff = SIZES[size]
            day = district_day(n_visits, n_staff, seed=SEED)
            cache[size] = (day, build_problem(day, GreatCircleSource()))
        return cache[size]

    return get


def _record(benchmark, size, problem, solution):
    violations = check_solution(problem, solution)
    assert violations == []
    benchmark.extra_info.update(
        {
            "size": size,
            "jobs": len(problem.job_nodes),
            "vehicles": problem.n_vehicles,
            "objective": solution.objective,
            "dropped": len(solution.dropped),
            "status": solution.status,
        }
    )


@pytest.mark.parametrize("size", list(SIZES))
def test_build_problem(benchmark, built, size):
    """DayPlan → RoutingProblem: every visit becomes a job or an explained pre-filtered one."""
    day, _ = built(size)
    benchmark.group = f"district day {size}"
    result = benchmark.pedantic(
        build_problem, args=(day, GreatCircleSource()), rounds=3, iterations=1
    )
    jobs_or_left_out = len(result.problem.job_nodes) + len(result.prefiltered)
    assert jobs_or_left_out >= len(day.visits)
    benchmark.extra_info.update({"size": size, "jobs": len(result.problem.job_nodes)})


@pytest.mark.parametrize("size", list(SIZES))
def test_first_solution(benchmark, built, size):
    """The construction heuristic alone: a checker-clean plan, deterministic objective."""
    _, result = built(size)
    benchmark.group = f"district day {size}"
    params = SolveParams(time_limit_s=120.0, solution_limit=1)
    solution = benchmark.pedantic(solve, args=(result.problem, params), rounds=3, iterations=1)
    _record(benchmark, size, result.problem, solution)


@pytest.mark.parametrize("size", list(SIZES))
def test_search_fixed_limit(benchmark, built, size):
    """Search under a fixed limit: a checker-clean plan; objective and dropped jobs recorded."""
    _, result = built(size)
    benchmark.group = f"district day {size}"
    params = SolveParams(time_limit_s=SEARCH_LIMIT_S[size])
    solution = benchmark.pedantic(solve, args=(result.problem, params), rounds=1, iterations=1)
    _record(benchmark, size, result.problem, solution)
    benchmark.extra_info["limit_s"] = SEARCH_LIMIT_S[size]


LNS_ITERATIONS = {"small": 20_000, "medium": 5_000}


@pytest.mark.parametrize("size", list(LNS_ITERATIONS))
def test_ruin_and_recreate_iterations(benchmark, built, size):
    """A fixed number of ruin-and-recreate iterations from the first solution: time and
    objective are both deterministic for the seed, so both are compared (the kernels were
    loaded before any timing, see conftest.py)."""
    _, result = built(size)
    benchmark.group = f"district day {size}"
    problem = result.problem
    first = solve(problem, SolveParams(time_limit_s=120.0, solution_limit=1))
    routes = [[stop.node for stop in route.stops] for route in first.routes]
    count = LNS_ITERATIONS[size]
    found = benchmark.pedantic(
        lns.improve, args=(problem, routes, 0.0), kwargs={"iterations": count}, rounds=3
    )
    assert found.objective < found.start_objective
    benchmark.extra_info.update({"size": size, "iterations": count, "objective": found.objective})


def test_smoke_small_first_solution(benchmark, built):
    """Smoke: the small day's first solution is found, checker-clean, within seconds."""
    _, result = built("small")
    benchmark.group = "smoke"
    params = SolveParams(time_limit_s=30.0, solution_limit=1)
    solution = benchmark.pedantic(solve, args=(result.problem, params), rounds=1, iterations=1)
    _record(benchmark, "small", result.problem, solution)
    assert len(solution.dropped) < len(result.problem.job_nodes)


def test_smoke_district_days_are_seeded_and_sized():
    """Same seed → same day; the requested visit and caregiver counts; unique ids."""
    a, b = district_day(60, 6, seed=SEED), district_day(60, 6, seed=SEED)
    assert a == b and a != district_day(60, 6, seed=SEED + 1)
    assert (len(a.visits), len(a.staff)) == (60, 6)
    task_ids = [t.task_id for v in a.visits for t in v.tasks]
    assert len(set(task_ids)) == len(task_ids)
    assert {v.patient_id for v in a.visits} <= {p.patient_id for p in a.patients}
