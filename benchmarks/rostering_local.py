"""The roster local search alone on Curtois & Qu instances, on a budget of moves, not seconds.

    python benchmarks/rostering_local.py Instance7 Instance8 --moves 20000000 --seeds 0 1 2 \
        --stages 50 10 --out benchmarks/results/rostering/local-search.jsonl

For each instance and seed: :class:`hjemmetjeneste.rostering.local.LocalSearch` from the
empty roster (it breaks the minimum hours: priced), annealed for ``--moves`` moves in chunks
(:meth:`LocalSearch.anneal_moves`) once per ``--stages`` start temperature (the later ones
from the best roster so far, as the solver's restarts do), with no CP-SAT; the best roster
is scored by the benchmark's independent evaluator and its penalty split into cover
shortfall, cover excess and requests. A budget of moves compares two versions of the search
on a shared machine where wall seconds would measure the load; moves per CPU second are
reported beside it.
One JSON row per run, then one summary row per instance. Not part of any test run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np

from hjemmetjeneste.benchsets import benchmarks_dir
from hjemmetjeneste.benchsets.rostering import (
    evaluate,
    penalty_parts,
    read_instance,
    to_problem,
)
from hjemmetjeneste.rostering.cpsat import solve_roster
from hjemmetjeneste.rostering.local import DOUBLE_SWAP_TRIES, LocalSearch, compile_kernels


def _best_known() -> dict[str, int]:
    path = benchmarks_dir() / "rostering" / "bks.csv"
    with path.open(encoding="utf-8") as fh:
        return {r["instance"]: int(r["best_known_objective"]) for r in csv.DictReader(fh)}


def _describe(name: str, inst, problem, assignment: list[list[int]]) -> dict:
    """The evaluator's verdict on ``assignment`` (shift type or -1 per day), its penalty by
    kind, the short cover rows (day, shift, missing) and who works below their maximum."""
    names = [s.name for s in problem.shifts]
    roster = {
        emp.name: [names[t] if t >= 0 else None for t in row]
        for emp, row in zip(problem.employees, assignment, strict=True)
    }
    value, problems = evaluate(inst, roster)
    short = []
    for d, shift, req, _, _ in inst.cover:
        count = sum(1 for days in roster.values() if days[d] == shift)
        if count < req:
            short.append([d, shift, req - count])
    shortest = min(s.length_min for s in problem.shifts)
    below = [
        emp.name
        for emp, row in zip(problem.employees, assignment, strict=True)
        if emp.max_total_min is not None
        and sum(problem.shifts[t].length_min for t in row if t >= 0) + shortest <= emp.max_total_min
    ]
    best = _best_known()[name]
    return {
        "evaluated": value,
        "valid": not problems,
        "best_known": best,
        "gap_pct": round(100 * (value - best) / best, 2),
        **penalty_parts(inst, roster),
        "short_rows": short,
        "below_max_minutes": below,
    }


def _read(name: str):
    inst = read_instance(benchmarks_dir() / "rostering" / "instances" / f"{name}.txt")
    return inst, to_problem(inst)


def run_one(
    name: str,
    moves: int,
    seed: int,
    mix: list[float] | None,
    stages: list[float],
    t_end: float,
    tries: int,
) -> dict:
    inst, p = _read(name)
    search = LocalSearch(p, [[-1] * p.n_days for _ in p.employees], seed=seed)
    if mix is not None:
        search.mix[:] = np.cumsum(mix)
    search.tries = tries
    cpu, wall = time.process_time(), time.perf_counter()
    for i, t_start in enumerate(stages):  # each stage after the first from the best roster
        if i:
            search.reset(search.best.copy())
        search.anneal_moves(moves, t_start, t_end)
    cpu_s = time.process_time() - cpu
    return {
        "instance": name,
        "seed": seed,
        "moves": moves,
        "mix": [round(float(x), 2) for x in np.diff(search.mix, prepend=0.0)],
        "t": [*stages, t_end],
        "tries": tries,
        "best_cost": search.best_cost,
        **_describe(name, inst, p, search.best_assignment()),
        "cpu_s": round(cpu_s, 2),
        "wall_s": round(time.perf_counter() - wall, 2),
        "moves_per_cpu_s": round(moves / max(cpu_s, 1e-9)),
        "load_avg": [round(x, 2) for x in os.getloadavg()],
    }


def solve_one(name: str, seconds: float, seed: int) -> dict:
    """The whole solver (CP-SAT beside the local search, 2 workers) for ``seconds``, its
    roster described like the local search's."""
    inst, p = _read(name)
    cpu = time.process_time()
    solution = solve_roster(p, time_limit_s=seconds, workers=2, seed=seed)
    return {
        "instance": name,
        "seed": seed,
        "solver_s": seconds,
        "status": solution.status,
        **_describe(name, inst, p, [list(row) for row in solution.assignment]),
        "cpu_s": round(time.process_time() - cpu, 2),
        "wall_s": round(solution.wall_s, 2),
        "load_avg": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instances", nargs="+")
    parser.add_argument("--moves", type=int, default=20_000_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--mix", type=float, nargs="+", default=None, help="move frequencies")
    parser.add_argument(
        "--stages",
        type=float,
        nargs="+",
        default=[50.0],
        help="start temperature of each anneal of --moves moves; the later ones from the best",
    )
    parser.add_argument("--t-end", type=float, default=0.3)
    parser.add_argument("--tries", type=int, default=DOUBLE_SWAP_TRIES)
    parser.add_argument(
        "--solver",
        type=float,
        default=None,
        metavar="SECONDS",
        help="run the whole solver for SECONDS instead of the local search alone",
    )
    args = parser.parse_args()
    compile_kernels()  # compile (or load) outside every measured run
    out = args.out.open("a", encoding="utf-8") if args.out else None
    for name in args.instances:
        rows = []
        for seed in args.seeds:
            if args.solver is not None:
                row = solve_one(name, args.solver, seed)
            else:
                row = run_one(name, args.moves, seed, args.mix, args.stages, args.t_end, args.tries)
            rows.append(row)
            print(json.dumps(row), flush=True)
            if out:
                out.write(json.dumps(row) + "\n")
        summary = {
            "instance": name,
            "summary": True,
            "moves": None if args.solver is not None else args.moves,
            "solver_s": args.solver,
            "seeds": args.seeds,
            "best_known": rows[0]["best_known"],
            "min": min(r["evaluated"] for r in rows),
            "mean": round(statistics.mean(r["evaluated"] for r in rows), 1),
            "mix": rows[0].get("mix"),
            "t": rows[0].get("t"),
            "all_valid": all(r["valid"] for r in rows),
        }
        print(json.dumps(summary), flush=True)
        if out:
            out.write(json.dumps(summary) + "\n")
    if out:
        out.close()


if __name__ == "__main__":
    main()
