"""Mankowska instances through OR-Tools' search and the fast search, scored against both tables.

    python benchmarks/mankowska_side_by_side.py 60 --searches fast --out benchmarks/results/x.jsonl
    python benchmarks/mankowska_side_by_side.py 20 A1 A2 B1 B2 C1 C2 D1 D2 E1 E2

For each instance (names as in ``hhcrsp/bks.csv``; none given: all of A–E): ``solve`` with
``lns=False`` (OR-Tools' guided local search alone) and/or ``lns=None`` (the fast search
wherever the rules allow), the given seconds each, scored in Mankowska's convention against
the best known of the 2020 table (``best_known``) and the latest published value
(``best_known_latest``); one JSON row per run with the independent checker's verdict, then a
summary row per search. With ``--plans DIR`` each run's plan is also written in the
instance's own terms (``DIR/<instance>-<search>.json``, :func:`plan_of`), for a second
evaluator such as ``tests/benchsets/test_mankowska_rescore.py``. Not part of any test run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import time
from pathlib import Path
from typing import TextIO

from hjemmetjeneste.benchsets import benchmarks_dir
from hjemmetjeneste.benchsets.mankowska import (
    build_mankowska,
    plan_of,
    read_mankowska,
    score_mankowska,
)
from hjemmetjeneste.solver import SolveParams, check_solution, solve
from hjemmetjeneste.solver.lns import warm_up

SEARCHES = {"ortools": False, "fast": None}


def _gap(objective: float, best: float) -> float:
    return round(100 * (objective - best) / best, 2)


def _summary(search: str, rows: list[dict]) -> dict:
    gaps = [r["gap_pct"] for r in rows]
    latest = [r["gap_latest_pct"] for r in rows]
    return {
        "summary": search,
        "instances": len(rows),
        "mean_gap_pct": round(statistics.fmean(gaps), 2),
        "at_or_below": sum(g <= 0 for g in gaps),
        "mean_gap_latest_pct": round(statistics.fmean(latest), 2),
        "at_or_below_latest": sum(g <= 0 for g in latest),
        "all_valid": all(r["valid"] for r in rows),
        "all_served": all(r["served"] == r["jobs"] for r in rows),
    }


def main(
    limit: float,
    names: list[str],
    searches: list[str],
    out: TextIO | None,
    plans: Path | None = None,
) -> None:
    """One row per (instance, search), then one summary row per search."""
    warm_up()
    root = benchmarks_dir() / "hhcrsp"
    with (root / "bks.csv").open(encoding="utf-8") as rows:
        known = {r["instance"]: r for r in csv.DictReader(rows)}
    names = names or [n for n in known if n[0] in "ABCDE"]
    done: dict[str, list[dict]] = {s: [] for s in searches}

    def emit(row: dict) -> None:
        line = json.dumps(row)
        print(line, flush=True)
        if out is not None:
            out.write(line + "\n")
            out.flush()

    emit({"limit_s": limit, "load_before": os.getloadavg()[0], "nice": os.nice(0)})
    for name in names:
        entry = known[name]
        built = build_mankowska(read_mankowska(root / entry["file"]))
        for search in searches:
            started = time.perf_counter()
            solution = solve(built.problem, SolveParams(time_limit_s=limit, lns=SEARCHES[search]))
            seconds = time.perf_counter() - started
            score = score_mankowska(built, solution)
            row = {
                "instance": name,
                "search": search,
                "limit_s": limit,
                "objective": round(score.objective, 2),
                "best_known": float(entry["best_known"]),
                "gap_pct": _gap(score.objective, float(entry["best_known"])),
                "best_known_latest": float(entry["best_known_latest"]),
                "gap_latest_pct": _gap(score.objective, float(entry["best_known_latest"])),
                "served": score.served,
                "jobs": score.jobs,
                "valid": not check_solution(built.problem, solution),
                "seconds": round(seconds, 1),
                "status": solution.status,
                "load": round(os.getloadavg()[0], 2),
            }
            done[search].append(row)
            emit(row)
            if plans is not None:
                plans.mkdir(parents=True, exist_ok=True)
                plan = {**plan_of(built, solution), "row": row}
                (plans / f"{name}-{search}.json").write_text(json.dumps(plan) + "\n")
    for search, rows in done.items():
        emit(_summary(search, rows))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("limit", type=float, help="seconds per instance and search")
    parser.add_argument("names", nargs="*", help="instances (default: all of A–E)")
    parser.add_argument(
        "--searches", nargs="+", choices=sorted(SEARCHES), default=["ortools", "fast"]
    )
    parser.add_argument("--out", type=Path, help="also write the JSON rows to this file")
    parser.add_argument("--plans", type=Path, help="also write each plan to this folder")
    args = parser.parse_args()
    handle = args.out.open("w", encoding="utf-8") if args.out else None
    try:
        main(args.limit, args.names, args.searches, handle, args.plans)
    finally:
        if handle is not None:
            handle.close()
