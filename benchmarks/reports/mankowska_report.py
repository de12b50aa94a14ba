"""Mankowska HHCRSP instances: solve, check, and compare with bks.csv (not a test).

Usage::

    .venv/bin/python benchmarks/reports/mankowska_report.py --set A --time-limit 2 \\
        --out benchmarks/results/mankowska.md

The objective is Mankowska et al.'s (D + T + Tmax) / 3 computed with the instances' exact
distances; the solver minimises D + T (Tmax is not modelled), so gaps to the best known
values are expected, larger on instances where one late service dominates.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

from hjemmetjeneste.benchsets import benchmarks_dir
from hjemmetjeneste.benchsets.mankowska import build_mankowska, read_mankowska, score_mankowska
from hjemmetjeneste.solver import FirstSolution, SolveParams, check_solution, solve


def main() -> None:
    """Run the chosen set and write a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="A", help="instance set letter(s), e.g. A or AB")
    parser.add_argument("--time-limit", type=float, default=2.0)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/mankowska.md"))
    parser.add_argument(
        "--first-solution",
        choices=[f.value for f in FirstSolution],
        default=None,
        help="construction heuristic (default: the solver's choice by problem kind)",
    )
    args = parser.parse_args()
    first = FirstSolution(args.first_solution) if args.first_solution else None
    flag = f" --first-solution {first.value}" if first else ""
    folder = benchmarks_dir() / "hhcrsp"
    rows = [r for r in csv.DictReader((folder / "bks.csv").open()) if r["instance"][0] in args.set]
    lines = [
        "# Mankowska et al. (2014) HHCRSP instances",
        "",
        f"Made by `.venv/bin/python benchmarks/reports/mankowska_report.py --set {args.set} "
        f"--time-limit {args.time_limit:g}{flag} --out {args.out}` on a shared 2-core machine "
        "(one run; with a time limit on a shared machine results vary between runs, "
        "on set B by tens of per cent).",
        "",
        "Objective in Mankowska's convention, (D + T + Tmax) / 3 with exact distances; "
        "`gap` is against `best_known` in bks.csv (the 2020 table), `gap to latest` against "
        "`best_known_latest` (the lowest value published since). The solver minimises D + T "
        "only.",
        "",
        "| instance | jobs | served | checker | D | T | Tmax | objective | best known | gap "
        "| latest | gap to latest |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        instance = read_mankowska(folder / row["file"])
        built = build_mankowska(instance)
        started = time.perf_counter()
        params = SolveParams(time_limit_s=args.time_limit, first_solution=first)
        solution = solve(built.problem, params)
        violations = check_solution(built.problem, solution)
        score = score_mankowska(built, solution)
        best, latest = float(row["best_known"]), float(row["best_known_latest"])
        lines.append(
            f"| {row['instance']} | {score.jobs} | {score.served} | "
            f"{len(violations) or 'ok'} | {score.distance:.1f} | {score.tardiness:.1f} | "
            f"{score.max_tardiness:.1f} | {score.objective:.2f} | {best:g} | "
            f"{score.objective / best - 1:+.1%} | {latest:g} | "
            f"{score.objective / latest - 1:+.1%} |"
        )
        print(lines[-1], f"({time.perf_counter() - started:.1f} s)", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
