"""Waiting at doors against travel: today's plans, re-timing, the shipped default and a sweep
of waiting weights, on the demo day and a large district day, in one run.

Every variant is planned through the product's own path (``plan_shift`` for the demo,
``plan_day_plan`` for the drawn district day: build, solve, check, worklists) and judged by
:func:`evaluate`, which reads only the worklists: travel from a fresh great-circle matrix over
the worklist's own places (start place, each visit's location, end place), waiting at doors
from the worklist's clock times (a visit's start minus the arrival after the previous visit's
end, that travel and any break taken on the way). The solver's own travel and waiting
figures are not used. Each plan is also re-checked by the independent checker
(:func:`hjemmetjeneste.planning.verify.verify_plan`) and its unplaced tasks are counted.

Variants (``idle`` is the municipality rule ``idle_cost_per_min``; a minute of travel costs 60):

* ``baseline`` — today's plans: no waiting cost, no re-timing (what ``main`` published when
  issue #18 was filed);
* ``retime`` — the same search, routes re-timed to depart as late as they allow;
* ``shipped`` — what the product plans by default now (the rules as the data has them);
* ``idle=N`` — waiting priced at N per minute (N/60 of a travel minute), re-timed.

With ``--iterations`` the ruin-and-recreate search runs exactly that many iterations, so the
plans depend on the seed only, not on the machine's load (these days have breaks, so there
is no time-limited OR-Tools polish after it); without it each search runs to the time limit.

    .venv/bin/python benchmarks/waiting.py --iterations 20000 --weights 3,6,12,30 \
        --out benchmarks/results/waiting-budget.json

Never collected by pytest (no ``test_`` prefix).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from district_days import district_day
from hjemmetjeneste.domain import DayPlan, PlanningRules, PlanResult, ShiftKind, TravelMode
from hjemmetjeneste.pipeline import PlanOutcome, load_export, plan_day_plan, plan_shift
from hjemmetjeneste.planning.to_problem import DROP_PENALTY, TIME_CRITICAL_PENALTY, build_problem
from hjemmetjeneste.planning.verify import verify_plan
from hjemmetjeneste.solver import SolveParams, lns
from hjemmetjeneste.tasks import build_day_plan
from hjemmetjeneste.travel import GreatCircleSource

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
DAY = date(2026, 12, 1)
DISTRICT = (300, 25, 0)
"""The speed suite's medium district day (``district_day(300, 25, seed=0)``, drawn from the
demo's day shift: its rules, breaks, windows and double-staffed visits), the main "large
district day" of issue #18; ``--large`` adds the speed suite's large day (1500, 100)."""
LARGE = (1500, 100, 0)

Planner = Callable[[int | None, SolveParams], tuple[DayPlan, PlanOutcome]]


def _with_idle(day: DayPlan, idle: int | None) -> DayPlan:
    """``day`` with the municipality rule ``idle_cost_per_min`` set (None: as it is)."""
    if idle is None:
        return day
    m = day.municipality
    rules = m.rules.model_copy(update={"idle_cost_per_min": idle})
    return day.model_copy(update={"municipality": m.model_copy(update={"rules": rules})})


def _demo_planner() -> Planner:
    data = load_export(DEMO)
    district = data.districts[0].district_id

    def plan(idle: int | None, params: SolveParams) -> tuple[DayPlan, PlanOutcome]:
        ruled = data
        if idle is not None:
            m = data.municipality
            rules = m.rules.model_copy(update={"idle_cost_per_min": idle})
            m = m.model_copy(update={"rules": rules})
            ruled = data.model_copy(update={"municipality": m})
        day = build_day_plan(ruled, DAY, ShiftKind.DAY, district)
        return day, plan_shift(ruled, DAY, ShiftKind.DAY, district, params=params)

    return plan


def _drawn_planner(n_visits: int, n_staff: int, seed: int) -> Planner:
    template = district_day(n_visits, n_staff, seed)

    def plan(idle: int | None, params: SolveParams) -> tuple[DayPlan, PlanOutcome]:
        day = _with_idle(template, idle)
        return day, plan_day_plan(day, params=params)

    return plan


def evaluate(day: DayPlan, result: PlanResult) -> dict[str, float | int]:
    """Travel and door waiting of ``result`` from its worklists alone (module docstring)."""
    source = GreatCircleSource()
    travel_s = wait_s = 0
    for w in result.worklists:
        if not w.visits:
            continue
        staff_day = day.day_of(w.staff_id)
        points = [
            staff_day.start_place.location,
            *(v.location for v in w.visits),
            staff_day.end_place.location,
        ]
        legs = source.matrix(points, TravelMode(w.travel_mode)).duration_s
        ready = w.leave_base
        for i, visit in enumerate(w.visits):
            on_the_way = [b for b in w.breaks if ready <= b.start < visit.start]
            paused = sum((b.end - b.start).total_seconds() for b in on_the_way)
            arrival_s = (ready - w.leave_base).total_seconds() + int(legs[i, i + 1]) + paused
            wait_s += max(0, round((visit.start - w.leave_base).total_seconds() - arrival_s))
            ready = visit.end
        travel_s += sum(int(legs[i, i + 1]) for i in range(len(points) - 1))
    visits = {v.visit_id: v for v in day.visits}
    penalty = sum(
        TIME_CRITICAL_PENALTY if visits[t.visit_id].time_critical
        else DROP_PENALTY[visits[t.visit_id].priority]
        for t in result.unplaced
        if t.visit_id in visits
    )  # fmt: skip
    return {
        "travel_min": round(travel_s / 60, 1),
        "wait_min": round(wait_s / 60, 1),
        "tasks_unplaced": len(result.unplaced),
        "unplaced_penalty": penalty,
        "visits_placed": result.kpis.visits_placed,
    }


def _variant(plan: Planner, idle: int | None, params: SolveParams) -> dict[str, object]:
    cpu = resource.getrusage(resource.RUSAGE_SELF).ru_utime
    started = time.perf_counter()
    day, outcome = plan(idle, params)
    wall = time.perf_counter() - started
    cpu = resource.getrusage(resource.RUSAGE_SELF).ru_utime - cpu
    built = build_problem(day, GreatCircleSource())
    violations = verify_plan(day, built, outcome.result)
    return {
        **evaluate(day, outcome.result),
        "violations": len(violations),
        "solve_s": round(outcome.stage_seconds.get("solve", 0.0), 2),
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "solver_status": outcome.result.solver_status,
    }


def measure(
    plan: Planner,
    shipped_idle: int,
    params: SolveParams,
    seeds: list[int],
    weights: list[int],
    retime: bool = True,
) -> dict[str, object]:
    """Every variant of one day for every seed, summed over the seeds, with the ratios
    against the baseline (the floor is judged on the sums and on each seed); ``retime``
    False leaves out the re-timed baseline."""
    configs: dict[str, tuple[int | None, bool]] = {"baseline": (0, False)}
    if retime or shipped_idle == 0:
        configs["retime"] = (0, True)
    configs["shipped"] = (None, True)
    configs |= {f"idle={w}": (w, True) for w in weights if w != shipped_idle}
    runs: dict[str, list[dict[str, object]]] = {name: [] for name in configs}
    for seed in seeds:
        for name, (idle, retime) in configs.items():
            if name == "shipped" and shipped_idle == 0:
                runs[name].append(runs["retime"][-1])  # the same rules and parameters
                continue
            update = {"seed": seed, "retime": retime}
            runs[name].append(_variant(plan, idle, params.model_copy(update=update)))
    keys = ("travel_min", "wait_min", "tasks_unplaced", "violations", "solve_s", "cpu_s")
    base = {k: sum(r[k] for r in runs["baseline"]) for k in keys}
    variants: dict[str, object] = {}
    for name, rows in runs.items():
        total: dict[str, object] = {k: round(sum(r[k] for r in rows), 2) for k in keys}
        total["max_solve_s"] = max(r["solve_s"] for r in rows)
        if name != "baseline":
            total |= _against(total, base)
            per_seed = [_against(r, b) for r, b in zip(rows, runs["baseline"], strict=True)]
            total["floor_met_every_seed"] = all(s["floor_met"] for s in per_seed)
        variants[name] = {"total": total, "per_seed": rows}
    variants["idle_shipped"] = shipped_idle
    return variants


def _against(row: dict[str, object], base: dict[str, object]) -> dict[str, object]:
    """Less waiting (%) and the travel ratio against ``base``; whether the floor is met."""
    less = round(100 * (1 - row["wait_min"] / base["wait_min"]), 1) if base["wait_min"] else 0.0
    ratio = round(row["travel_min"] / base["travel_min"], 4)
    met = (
        less >= 70
        and abs(ratio - 1) <= 0.03
        and row["tasks_unplaced"] <= base["tasks_unplaced"]
        and row["violations"] == 0
    )
    return {"wait_less_pct": less, "travel_ratio": ratio, "floor_met": bool(met)}


def markdown(report: dict) -> str:
    """The report's per-day tables (sums over the seeds, then each seed) as Markdown."""
    lines = [
        f"{report.get('iterations') or 'no'} iterations, time limit {report['time_limit_s']} s, "
        f"seeds {report['seeds']}, polish share {report.get('polish_share')}, load "
        f"{report['load_before'][0]:.1f} -> {report['load_after'][0]:.1f}",
    ]
    for day, variants in report["days"].items():
        lines += [
            "",
            f"**{day}**",
            "",
            "| variant | waiting (min) | vs baseline | travel (min) | travel ratio "
            "| tasks unplaced | violations | longest solve (s) | floor (sum / every seed) "
            "| per seed: travel, waiting, unplaced |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name, v in variants.items():
            if name == "idle_shipped":
                continue
            t = v["total"]
            less = f"{-t['wait_less_pct']:+.1f} %" if "wait_less_pct" in t else "—"
            floor = (
                f"{'yes' if t['floor_met'] else 'no'} / "
                f"{'yes' if t['floor_met_every_seed'] else 'no'}"
                if "floor_met" in t
                else "—"
            )
            seeds = "; ".join(
                f"{r['travel_min']}, {r['wait_min']}, {r['tasks_unplaced']}" for r in v["per_seed"]
            )
            lines.append(
                f"| {name} | {t['wait_min']} | {less} | {t['travel_min']} "
                f"| {t.get('travel_ratio', 1.0)} | {t['tasks_unplaced']} | {t['violations']} "
                f"| {t['max_solve_s']} | {floor} | {seeds} |"
            )
    return "\n".join(lines)


def main() -> None:
    """Run every day and variant; print (and optionally write) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--iterations", type=int, default=None, help="work budget; none: time")
    parser.add_argument("--seeds", default="0,1,2", help="search seeds, comma-separated")
    parser.add_argument(
        "--weights", default="3,6,12,30", help="idle_cost_per_min values to sweep (60 = travel)"
    )
    parser.add_argument(
        "--polish-share",
        type=float,
        default=lns.WAITING_POLISH_SHARE,
        help="share of the search for the waiting polish (lns.WAITING_POLISH_SHARE)",
    )
    parser.add_argument(
        "--polish-travel",
        type=float,
        default=lns.WAITING_POLISH_TRAVEL,
        help="most travel the waiting polish may end with, times the search's own "
        "(lns.WAITING_POLISH_TRAVEL)",
    )
    parser.add_argument(
        "--polish-weight",
        type=float,
        default=lns.WAITING_POLISH_WEIGHT,
        help="least cost per second of waiting in the polish (lns.WAITING_POLISH_WEIGHT)",
    )
    parser.add_argument("--large", action="store_true", help="add district_day(1500, 100)")
    parser.add_argument("--only", choices=("demo", "district"), help="one day only")
    parser.add_argument(
        "--no-retime", action="store_true", help="leave out the re-timed baseline (saves a solve)"
    )
    parser.add_argument("--out", type=Path)
    parser.add_argument("--render", type=Path, help="print a result file's tables; no run")
    args = parser.parse_args()
    if args.render:
        print(markdown(json.loads(args.render.read_text(encoding="utf-8"))))
        return
    lns.WAITING_POLISH_SHARE = args.polish_share
    lns.WAITING_POLISH_TRAVEL = args.polish_travel
    lns.WAITING_POLISH_WEIGHT = args.polish_weight
    weights = [int(w) for w in args.weights.split(",") if w.strip()]
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    params = SolveParams(time_limit_s=args.time_limit, iterations=args.iterations)
    days: dict[str, Callable[[], Planner]] = {
        "demo day (data/demo, 2026-12-01 day shift)": _demo_planner,
        "district day (district_day(300, 25, seed=0))": lambda: _drawn_planner(*DISTRICT),
    }
    if args.only:
        days = {k: v for k, v in days.items() if k.startswith(args.only)}
    if args.large:
        days["large district day (district_day(1500, 100, seed=0))"] = lambda: _drawn_planner(
            *LARGE
        )
    report: dict[str, object] = {
        "time_limit_s": args.time_limit,
        "iterations": args.iterations,
        "seeds": seeds,
        "polish_share": lns.WAITING_POLISH_SHARE,
        "polish_travel": lns.WAITING_POLISH_TRAVEL,
        "polish_weight": lns.WAITING_POLISH_WEIGHT,
        "load_before": os.getloadavg(),
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    shipped = PlanningRules().idle_cost_per_min
    report["idle_cost_per_min_shipped"] = shipped
    report["days"] = {
        name: measure(make(), shipped, params, seeds, weights, not args.no_retime)
        for name, make in days.items()
    }
    report["load_after"] = os.getloadavg()
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
