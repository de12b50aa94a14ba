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
from hjemmetjeneste.benchsets.rostering import evaluate, read_instance, to_problem
from hjemmetjeneste.rostering.local import LocalSearch, compile_kernels


def _best_known() -> dict[str, int]:
    path = benchmarks_dir() / "rostering" / "bks.csv"
    with path.open(encoding="utf-8") as fh:
        return {r["instance"]: int(r["best_known_objective"]) for r in csv.DictReader(fh)}


def _breakdown(inst, roster: dict[str, list[str | None]]) -> dict[str, int]:
    """The penalty of ``roster`` by kind (the evaluator's rules, split)."""
    n = inst.horizon
    under = over = requests = 0
    for e, d, shift, w in inst.on_requests:
        requests += w * (roster.get(e, [None] * n)[d] != shift)
    for e, d, shift, w in inst.off_requests:
        requests += w * (roster.get(e, [None] * n)[d] == shift)
    for d, shift, req, u, o in inst.cover:
        count = sum(1 for days in roster.values() if days[d] == shift)
        under += (req - count) * u if count < req else 0
        over += (count - req) * o if count > req else 0
    return {"cover_under": under, "cover_over": over, "requests": requests}


def run_one(
    name: str,
    moves: int,
    seed: int,
    mix: list[float] | None,
    stages: list[float],
    t_end: float,
) -> dict:
    inst = read_instance(benchmarks_dir() / "rostering" / "instances" / f"{name}.txt")
    p = to_problem(inst)
    search = LocalSearch(p, [[-1] * p.n_days for _ in p.employees], seed=seed)
    if mix is not None:
        search.mix[:] = np.cumsum(mix)
    cpu, wall = time.process_time(), time.perf_counter()
    for i, t_start in enumerate(stages):  # each stage after the first from the best roster
        if i:
            search.reset(search.best.copy())
        search.anneal_moves(moves, t_start, t_end)
    cpu_s = time.process_time() - cpu
    names = [s.name for s in p.shifts]
    roster = {
        emp.name: [names[t] if t >= 0 else None for t in row]
        for emp, row in zip(p.employees, search.best_assignment(), strict=True)
    }
    value, problems = evaluate(inst, roster)
    best = _best_known()[name]
    return {
        "instance": name,
        "seed": seed,
        "moves": moves,
        "mix": [round(float(x), 2) for x in np.diff(search.mix, prepend=0.0)],
        "t": [*stages, t_end],
        "best_cost": search.best_cost,
        "evaluated": value,
        "valid": not problems,
        "best_known": best,
        "gap_pct": round(100 * (value - best) / best, 2),
        **_breakdown(inst, roster),
        "cpu_s": round(cpu_s, 2),
        "wall_s": round(time.perf_counter() - wall, 2),
        "moves_per_cpu_s": round(moves / max(cpu_s, 1e-9)),
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
    args = parser.parse_args()
    compile_kernels()  # compile (or load) outside every measured run
    out = args.out.open("a", encoding="utf-8") if args.out else None
    for name in args.instances:
        rows = []
        for seed in args.seeds:
            row = run_one(name, args.moves, seed, args.mix, args.stages, args.t_end)
            rows.append(row)
            print(json.dumps(row), flush=True)
            if out:
                out.write(json.dumps(row) + "\n")
        summary = {
            "instance": name,
            "summary": True,
            "moves": args.moves,
            "seeds": args.seeds,
            "best_known": rows[0]["best_known"],
            "min": min(r["evaluated"] for r in rows),
            "mean": round(statistics.mean(r["evaluated"] for r in rows), 1),
            "mix": rows[0]["mix"],
            "t": rows[0]["t"],
            "all_valid": all(r["valid"] for r in rows),
        }
        print(json.dumps(summary), flush=True)
        if out:
            out.write(json.dumps(summary) + "\n")
    if out:
        out.close()


if __name__ == "__main__":
    main()
