"""Mankowska instances with OR-Tools' search and with the fast search, side by side.

    python benchmarks/mankowska_side_by_side.py 20 A1 A2 B1 B2 C1 C2 D1 D2 E1 E2

For each instance (names as in ``hhcrsp/bks.csv``): ``solve`` with ``lns=False`` (OR-Tools'
guided local search alone) and with ``lns=None`` (the fast search wherever the rules allow),
the given seconds each, scored in Mankowska's convention against the best known; one JSON
row per run, with the independent checker's verdict. Not part of any test run.
"""

from __future__ import annotations

import csv
import json
import sys
import time

from hjemmetjeneste.benchsets import benchmarks_dir
from hjemmetjeneste.benchsets.mankowska import build_mankowska, read_mankowska, score_mankowska
from hjemmetjeneste.solver import SolveParams, check_solution, solve
from hjemmetjeneste.solver.lns import warm_up


def main(limit: float, names: list[str]) -> None:
    """One row per (instance, search)."""
    warm_up()
    root = benchmarks_dir() / "hhcrsp"
    with (root / "bks.csv").open(encoding="utf-8") as rows:
        known = {r["instance"]: (r["file"], float(r["best_known"])) for r in csv.DictReader(rows)}
    for name in names:
        path, best = known[name]
        built = build_mankowska(read_mankowska(root / path))
        for lns in (False, None):
            started = time.perf_counter()
            solution = solve(built.problem, SolveParams(time_limit_s=limit, lns=lns))
            seconds = time.perf_counter() - started
            score = score_mankowska(built, solution)
            row = {
                "instance": name,
                "search": "ortools" if lns is False else "fast",
                "limit_s": limit,
                "objective": round(score.objective, 2),
                "best_known": best,
                "gap_pct": round(100 * (score.objective - best) / best, 2),
                "served": score.served,
                "jobs": score.jobs,
                "valid": not check_solution(built.problem, solution),
                "seconds": round(seconds, 1),
                "status": solution.status,
            }
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main(float(sys.argv[1]), sys.argv[2:])
