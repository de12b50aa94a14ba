"""Our Mankowska scores, recomputed by a second, plain evaluator from the instance file alone.

A score below a published best known value is a claim: this evaluator shares nothing with
:mod:`hjemmetjeneste.benchsets.mankowska` (its own reader, the file's distances, its own
schedule walk) and judges plans in the instance's terms — (patient, service, start minute)
per caregiver, as :func:`~hjemmetjeneste.benchsets.mankowska.plan_of` writes them. It checks
that every required service is done once by a qualified caregiver, a double service by two
caregivers, at or after the earliest start, no earlier than the caregiver can be there (the
instance's distances as travel minutes and its processing times), synchronised pairs
together, precedences within their gap; then D, T (per service) and Tmax.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from hjemmetjeneste.benchsets.mankowska import (
    build_mankowska,
    plan_of,
    read_mankowska,
    score_mankowska,
    solution_of,
)
from hjemmetjeneste.solver import SolveParams, check_solution, solve

FIXTURES = Path(__file__).parent / "fixtures"
BELOW_LATEST = {
    "e1": ("InstanzVNS_HCSRP_100_1.txt", 1306.89),
    "e3": ("InstanzVNS_HCSRP_100_3.txt", 783.51),
}
"""Plans of E1 and E3 (100 patients) by the fast search at 40 s that scored below the latest
published values (bks.csv's ``best_known_latest``), written by
``benchmarks/mankowska_side_by_side.py 40 E1 E3 --searches fast --plans DIR``."""

EPS = 1e-6


def _sections(path: Path) -> dict[str, list[float]]:
    """The file's keyword sections as flat lists of numbers."""
    sections: dict[str, list[float]] = {}
    current = ""
    for token in path.read_text(encoding="utf-8").split():
        if token[0].isalpha():
            current = token
            sections[current] = []
        else:
            sections[current].append(float(token))
    return sections


def rescore(path: Path, routes: list[list[list[float]]]) -> tuple[float, float, float, list[str]]:
    """(D, T, Tmax, problems) of ``routes`` (per caregiver: [patient, service, start]) on the
    instance file ``path``."""
    f = _sections(path)
    n, k, s = int(f["nbNodes"][0]), int(f["nbVehi"][0]), int(f["nbServi"][0])
    d = [f["d"][i * n : (i + 1) * n] for i in range(n)]
    x, y = f["x"], f["y"]
    problems: list[str] = []
    distance, tardiness, starts = 0.0, [], {}
    assert len(routes) <= k
    for car, stops in enumerate(routes):
        at, time = 0, 0.0
        for patient, service, start in stops:
            i, j = int(patient), int(service)
            # The file's distance is the Euclidean one to its printed precision.
            assert math.isclose(d[at][i], math.hypot(x[at] - x[i], y[at] - y[i]), abs_tol=1e-3)
            if not f["r"][i * s + j] or not 0 < i < n - 1:
                problems.append(f"{car}: patient {i} does not require service {j}")
            if not f["a"][car * s + j]:
                problems.append(f"{car}: not qualified for service {j}")
            if start < time + d[at][i] - EPS:
                problems.append(
                    f"{car}: at {i} at {start}, cannot be there before {time + d[at][i]}"
                )
            if start < f["e"][i] - EPS:
                problems.append(f"{car}: at {i} at {start}, before its earliest {f['e'][i]}")
            if (i, j) in starts:
                problems.append(f"service {j} of {i} done twice")
            starts[(i, j)] = (car, start)
            distance += d[at][i]
            tardiness.append(max(0.0, start - f["l"][i]))
            at, time = i, start + f["p"][(i * k + car) * s + j]
        if stops:
            distance += d[at][n - 1]
    double = {int(v) - 1 for v in f["DS"]}
    for i in range(1, n - 1):
        required = [j for j in range(s) if f["r"][i * s + j]]
        missing = [j for j in required if (i, j) not in starts]
        if missing:
            problems.append(f"patient {i}: services {missing} not done")
            continue
        if i not in double:
            continue
        (c1, t1), (c2, t2) = starts[(i, required[0])], starts[(i, required[1])]
        lo, hi = f["mind"][i], f["maxd"][i]
        if c1 == c2:
            problems.append(f"patient {i}: both services by caregiver {c1}")
        if not lo - EPS <= t2 - t1 <= hi + EPS:
            problems.append(f"patient {i}: second service {t2 - t1} after the first, not {lo}-{hi}")
    return distance, sum(tardiness), max(tardiness, default=0.0), problems


def _agree(path: Path, plan: dict) -> float:
    """Rescore ``plan`` both ways; assert they agree and the plan is valid; the objective."""
    distance, tardiness, worst, problems = rescore(path, plan["routes"])
    assert problems == []
    built = build_mankowska(read_mankowska(path))
    solution = solution_of(built, plan)
    assert solution.dropped == ()
    assert check_solution(built.problem, solution) == []
    ours = score_mankowska(built, solution)
    assert ours.distance == pytest.approx(distance, abs=1e-6)
    assert ours.tardiness == pytest.approx(tardiness, abs=1e-6)
    assert ours.max_tardiness == pytest.approx(worst, abs=1e-6)
    assert ours.served == ours.jobs
    objective = (distance + tardiness + worst) / 3
    assert ours.objective == pytest.approx(objective, abs=1e-6)
    return objective


@pytest.mark.parametrize("name", sorted(BELOW_LATEST))
def test_a_plan_below_the_latest_published_value_holds(shared_benchmarks: Path, name: str):
    """The stored plan scores below the lowest published value by both evaluators, and is
    valid by both (and by our checker)."""
    plan = json.loads((FIXTURES / f"mankowska_{name}_plan.json").read_text(encoding="utf-8"))
    file, latest = BELOW_LATEST[name]
    path = shared_benchmarks / "hhcrsp" / "instances" / file
    assert plan["instance"] == path.stem
    objective = _agree(path, plan)
    assert objective < latest
    assert objective == pytest.approx(plan["row"]["objective"], abs=0.005)


def test_a_fresh_plan_scores_the_same_both_ways(shared_benchmarks: Path):
    """A plan the solver makes now (A2, 1 s) scores the same by both evaluators."""
    path = shared_benchmarks / "hhcrsp" / "instances" / "InstanzCPLEX_HCSRP_10_2.txt"
    built = build_mankowska(read_mankowska(path))
    plan = plan_of(built, solve(built.problem, SolveParams(time_limit_s=1.0)))
    assert _agree(path, plan) >= 246.6 - 0.01  # proven optimal: nothing can be below


def test_the_second_evaluator_finds_what_is_wrong(shared_benchmarks: Path):
    """It is no rubber stamp: a late start, a missing service, a broken sync are caught."""
    path = shared_benchmarks / "hhcrsp" / "instances" / "InstanzCPLEX_HCSRP_10_1.txt"
    built = build_mankowska(read_mankowska(path))
    plan = plan_of(built, solve(built.problem, SolveParams(time_limit_s=1.0)))
    assert rescore(path, plan["routes"])[3] == []
    route = next(r for r in plan["routes"] if len(r) >= 2)
    first = list(route[1])
    route[1][2] = route[0][2]  # the second stop starts with the first: no time to get there
    assert any("cannot be there" in p for p in rescore(path, plan["routes"])[3])
    route[1] = first
    dropped = route.pop()
    assert any("not done" in p for p in rescore(path, plan["routes"])[3])
    route.append([dropped[0], dropped[1], dropped[2] + 0.5])
    problems = rescore(path, plan["routes"])[3]
    patient = int(dropped[0])
    if patient in read_mankowska(path).double:  # half a pair moved alone
        assert any(f"patient {patient}" in p for p in problems)
    else:  # served later, tardier: still valid, and the score follows it
        assert problems == []
