"""The rules inside the fast search, on seeded district days (not part of any test run).

    python benchmarks/lns_rules.py days --visits 300 --staff 25 --limits 5 20 60
    python benchmarks/lns_rules.py days --visits 0 --limits 20 --waiting 1   # the demo day
    python benchmarks/lns_rules.py deadline --visits 450 --staff 30 --limits 5 20

``days`` plans one district day (:func:`district_days.district_day`) with the Working
Environment Act's break rule off and on (and, with ``--waiting``, a waiting weight) at each
time limit and prints one row per run: objective, unplaced, travel, waiting at doors, the
independent checker's violations and which search ran. ``--visits 0`` plans the demo day;
``--waiting W`` sets the problem's waiting cost per second. ``deadline`` plans the demo day and a
district day through :func:`hjemmetjeneste.pipeline.plan_day_plan` with a deadline as
``plan --time-limit T`` does and prints how long the solve stage ran against ``T``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time

from district_days import demo_day, district_day
from hjemmetjeneste.domain import BreakRule, DayPlan
from hjemmetjeneste.pipeline import plan_day_plan
from hjemmetjeneste.planning.to_problem import build_problem
from hjemmetjeneste.solver import RoutingProblem, Solution, SolveParams, check_solution, solve
from hjemmetjeneste.solver.lns import warm_up
from hjemmetjeneste.travel import GreatCircleSource


def with_breaks(day: DayPlan, rule: BreakRule | None = BreakRule()) -> DayPlan:  # noqa: B008
    """``day`` with the municipality's break rule set to ``rule`` (default: the Act's; None:
    no breaks — the demo municipality these days are built on has the rule on)."""
    rules = day.municipality.rules.model_copy(update={"breaks": rule})
    municipality = day.municipality.model_copy(update={"rules": rules})
    return day.model_copy(update={"municipality": municipality})


def measures(problem: RoutingProblem, solution: Solution) -> dict[str, int]:
    """Travel and waiting at doors (seconds) of ``solution``, recomputed from the matrices."""
    travel = waiting = 0
    for route in solution.routes:
        matrix = problem.travel_for(route.vehicle)
        prev = int(problem.vehicle_start_node[route.vehicle])
        for stop in route.stops:
            travel += int(matrix[prev, stop.node])
            waiting += stop.start_s - stop.arrival_s
            prev = stop.node
        if route.stops:
            travel += int(matrix[prev, int(problem.vehicle_end_node[route.vehicle])])
    breaks = sum(d for route in solution.routes for _, d in route.breaks)
    return {"travel_s": travel, "waiting_s": waiting, "breaks_s": breaks}


def days(args: argparse.Namespace) -> None:
    """One row per (break rule, time limit) on one seeded district day."""
    warm_up()
    day = demo_day() if args.visits == 0 else district_day(args.visits, args.staff, args.seed)
    for label, variant in (("no breaks", with_breaks(day, None)), ("breaks", with_breaks(day))):
        if args.only and label != args.only:
            continue
        problem = build_problem(variant, GreatCircleSource()).problem
        problem = dataclasses.replace(problem, waiting_cost=args.waiting)
        for limit in args.limits:
            started = time.perf_counter()
            solution = solve(problem, SolveParams(time_limit_s=limit, seed=args.seed))
            wall = time.perf_counter() - started
            row = {
                "day": "demo" if args.visits == 0 else f"{args.visits}/{args.staff}",
                "rules": label,
                "waiting_cost": args.waiting,
                "limit_s": limit,
                "objective": solution.objective,
                "unplaced": len(solution.dropped),
                **measures(problem, solution),
                "violations": len(check_solution(problem, solution)),
                "solve_s": round(wall, 2),
                "status": solution.status,
            }
            print(json.dumps(row), flush=True)


def deadline(args: argparse.Namespace) -> None:
    """The solve stage against ``plan --time-limit T`` on the demo day and a district day."""
    warm_up()
    plans = {"demo": demo_day(), f"district {args.visits}/{args.staff}": None}
    for name, day in plans.items():
        day = day or district_day(args.visits, args.staff, seed=args.seed)
        for breaks in (False, True):
            variant = with_breaks(day, BreakRule() if breaks else None)
            for limit in args.limits:
                started = time.monotonic()
                outcome = plan_day_plan(
                    variant, params=SolveParams(time_limit_s=limit), deadline=started + limit
                )
                row = {
                    "day": name,
                    "breaks": breaks,
                    "limit_s": limit,
                    "stages_s": {k: round(v, 2) for k, v in outcome.stage_seconds.items()},
                    "over_s": round(outcome.stage_seconds["solve"] - limit, 2),
                }
                print(json.dumps(row), flush=True)


def main() -> None:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("days", "deadline"):
        p = sub.add_parser(name)
        p.add_argument("--visits", type=int, default=300)
        p.add_argument("--staff", type=int, default=25)
        p.add_argument("--seed", type=int, default=2026)
        p.add_argument("--limits", type=float, nargs="+", default=[5.0, 20.0, 60.0])
        p.add_argument("--only", choices=("no breaks", "breaks"), default=None)
        p.add_argument("--waiting", type=int, default=0, help="waiting cost per second")
    args = parser.parse_args()
    {"days": days, "deadline": deadline}[args.command](args)


if __name__ == "__main__":
    main()
