"""Mankowska et al. (2014) HHCRSP instances load through the reader, solve, and pass the checker."""

from __future__ import annotations

import pytest

import ci_guard
from hjemmetjeneste.benchsets import benchmarks_dir
from hjemmetjeneste.benchsets.mankowska import build_mankowska, read_mankowska, score_mankowska
from hjemmetjeneste.solver import SolveParams, check_solution, solve

HHCRSP = benchmarks_dir() / "hhcrsp" / "instances"

needs_data = pytest.mark.skipif(
    not HHCRSP.is_dir(),
    reason=ci_guard.reason(
        "benchmarks", f"benchmark data not found at {HHCRSP} (set HJEMMETJENESTE_BENCHMARKS_DIR)"
    ),
)


@needs_data
def test_reader_maps_services_skills_and_double_services():
    """A1: 10 patients, 3 caregivers; double services become sync pairs or precedences."""
    instance = read_mankowska(HHCRSP / "InstanzCPLEX_HCSRP_10_1.txt")
    assert (instance.n_nodes, instance.n_vehicles, instance.n_services) == (12, 3, 6)
    assert instance.double == frozenset({8, 9, 10})
    built = build_mankowska(instance)
    problem = built.problem
    jobs = sum(len(instance.services_of(p)) for p in instance.patients)
    assert len(problem.job_nodes) == jobs == 13
    simultaneous = [p for p in instance.double if instance.max_gap[p] == 0]
    assert len(problem.sync_groups) == len(simultaneous)
    assert len(problem.precedences) == len(instance.double) - len(simultaneous)
    for node, (patient, service) in built.job_service.items():
        qualified = {k for k in range(3) if instance.qualified[k, service]}
        assert set(problem.allowed_vehicles[node]) == qualified
        assert problem.soft_window_end_s[node] == instance.due[patient] * built.scale


@needs_data
@pytest.mark.parametrize("k", [1, 2, 3])
def test_set_a_instances_solve_and_pass_the_checker(k):
    """Set A instances: every service is planned, the checker finds nothing, the score is sane."""
    instance = read_mankowska(HHCRSP / f"InstanzCPLEX_HCSRP_10_{k}.txt")
    built = build_mankowska(instance)
    solution = solve(built.problem, SolveParams(time_limit_s=1.0))
    assert solution.dropped == ()
    assert check_solution(built.problem, solution) == []
    score = score_mankowska(built, solution)
    assert score.served == score.jobs
    assert score.distance > 0
    assert score.objective >= (score.distance + score.tardiness) / 3
