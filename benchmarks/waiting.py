"""Waiting at doors before and after re-timing, on the demo day and a large district day.

Each day is solved once with re-timing off (``SolveParams(retime=False)``: the times the
search leaves) and the same solution is then re-timed (:func:`hjemmetjeneste.solver.retime`),
so travel, order and assignment are identical by construction and the two waits compare
like with like. Waiting is :func:`~hjemmetjeneste.solver.retime.door_wait_s` summed over the
routes (at each visit, its start minus the arrival after the previous visit, the travel and
any break on the way). Both solutions go through the independent checker.

    .venv/bin/python benchmarks/waiting.py --time-limit 20 --out benchmarks/results/waiting.json

With ``--idle-cost S`` each day is solved a second time with an idle cost of S per second
of waiting (``ProblemBuilder(waiting_cost=S)``), re-timed, and compared with the first solve's
waiting and travel. Ruin and recreate does not price idle time yet, so only OR-Tools' final
polish sees it; ``--idle-ortools-only`` searches with OR-Tools alone (``lns=False``).

Never collected by pytest (no ``test_`` prefix): a run takes about two time limits a day
(four with ``--idle-cost``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import time
from datetime import date
from pathlib import Path

from district_days import district_day
from hjemmetjeneste.domain import DayPlan, ShiftKind
from hjemmetjeneste.pipeline import load_export
from hjemmetjeneste.planning.to_problem import build_problem
from hjemmetjeneste.solver import SolveParams, check_solution, solve
from hjemmetjeneste.solver.retime import door_wait_s, retime
from hjemmetjeneste.synthetic.large import generate_synthetic
from hjemmetjeneste.tasks import build_day_plan
from hjemmetjeneste.travel import GreatCircleSource

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
DAY = date(2026, 12, 1)
LARGE_INTERVENTIONS = 2400  # 400 patients in two districts; the first district's day shift


def _days() -> dict[str, DayPlan]:
    demo = load_export(DEMO)
    large = generate_synthetic(LARGE_INTERVENTIONS, seed=3)
    return {
        "demo day (data/demo, 2026-12-01 day)": build_day_plan(
            demo, DAY, ShiftKind.DAY, demo.districts[0].district_id
        ),
        f"large district day (generate_synthetic({LARGE_INTERVENTIONS}, seed=3), D00)": (
            build_day_plan(large, DAY, ShiftKind.DAY, large.districts[0].district_id)
        ),
        "medium district day of the speed suite (district_day(300, 25, seed=0))": district_day(
            300, 25, seed=0
        ),
    }


def _travel_s(problem, solution) -> int:
    total = 0
    for route in solution.routes:
        if not route.stops:
            continue
        travel = problem.travel_for(route.vehicle)
        at = int(problem.vehicle_start_node[route.vehicle])
        for stop in route.stops:
            total += int(travel[at, stop.node])
            at = stop.node
        total += int(travel[at, int(problem.vehicle_end_node[route.vehicle])])
    return total


def measure(
    day: DayPlan, time_limit_s: float, seed: int, idle_cost: int, lns: bool | None = None
) -> dict[str, object]:
    """Solve ``day`` once, re-time the solution, and compare waiting and travel."""
    problem = build_problem(day, GreatCircleSource()).problem
    params = SolveParams(time_limit_s=time_limit_s, seed=seed, retime=False)
    before = solve(problem, params)
    started = time.perf_counter()
    after = retime(problem, before)
    retime_s = time.perf_counter() - started
    wait_before = sum(door_wait_s(problem, r) for r in before.routes)
    wait_after = sum(door_wait_s(problem, r) for r in after.routes)
    travel_before, travel_after = _travel_s(problem, before), _travel_s(problem, after)
    idle: dict[str, object] = {}
    if idle_cost:
        costly = dataclasses.replace(problem, waiting_cost=idle_cost)
        other = solve(costly, SolveParams(time_limit_s=time_limit_s, seed=seed, lns=lns))
        wait_idle = sum(door_wait_s(problem, r) for r in other.routes)
        travel_idle = _travel_s(problem, other)
        idle = {
            "idle_cost_per_s": idle_cost,
            "idle_jobs_served": sum(len(r.stops) for r in other.routes),
            "idle_violations": len(check_solution(problem, other)),
            "idle_wait_min": round(wait_idle / 60, 1),
            "idle_wait_reduction_pct": round(100 * (1 - wait_idle / wait_before), 1)
            if wait_before
            else 0,
            "idle_travel_min": round(travel_idle / 60, 1),
            "idle_travel_ratio": round(travel_idle / travel_before, 3) if travel_before else 0,
        }
    return {
        "visits": len(day.visits),
        "caregivers": len(day.staff),
        "jobs_served": sum(len(r.stops) for r in before.routes),
        "violations_before": len(check_solution(problem, before)),
        "violations_after": len(check_solution(problem, after)),
        "wait_before_min": round(wait_before / 60, 1),
        "wait_after_min": round(wait_after / 60, 1),
        "wait_reduction_pct": round(100 * (1 - wait_after / wait_before), 1) if wait_before else 0,
        "travel_before_min": round(travel_before / 60, 1),
        "travel_after_min": round(travel_after / 60, 1),
        "first_departure_before": min(r.depart_s for r in before.routes if r.stops) // 60,
        "first_departure_after": min(r.depart_s for r in after.routes if r.stops) // 60,
        "retime_ms": round(1000 * retime_s, 1),
        **idle,
    }


def main() -> None:
    """Run both days and print (and optionally write) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--idle-cost", type=int, default=0, help="per second; 0: skip")
    parser.add_argument(
        "--idle-ortools-only",
        action="store_true",
        help="solve the idle-cost variant with OR-Tools alone (lns=False)",
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    report = {
        "time_limit_s": args.time_limit,
        "seed": args.seed,
        "idle_search": "ortools only" if args.idle_ortools_only else "default (lns + polish)",
        "load_before": os.getloadavg(),
        "days": {
            name: measure(
                day,
                args.time_limit,
                args.seed,
                args.idle_cost,
                False if args.idle_ortools_only else None,
            )
            for name, day in _days().items()
        },
    }
    report["load_after"] = os.getloadavg()
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
