"""The CP-SAT neighbourhood search alone, on a CPU budget (not part of any test run).

    python benchmarks/rostering_lns.py Instance7 Instance8 --cpu 40 --det 0.05 0.35 --seeds 0 1

Each run starts from the same roster (the first one a feasibility search finds, improved by
the whole model for ``--start-det`` of CP-SAT's deterministic time on one worker) and repeats
the search thread's step (:func:`hjemmetjeneste.rostering.cpsat._resolve`) with a cap of
``--det`` deterministic seconds per neighbourhood until the process has used ``--cpu``
seconds of CPU. On a loaded machine wall-clock caps change what a step may do; CPU and
deterministic time do not, so two settings compare fairly while other work shares the
cores. One row per (instance, cap, seed): the start and final objective, the steps, and for
each kind of neighbourhood (whole rows of people, a window of days, a block of both) how
many were drawn, their deterministic time and how much they improved; all rows are written
to ``--out`` (JSON lines) with the machine load.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from pathlib import Path

from ortools.sat.python import cp_model

from hjemmetjeneste.benchsets import benchmarks_dir
from hjemmetjeneste.benchsets.rostering import read_instance, to_problem
from hjemmetjeneste.rostering.cpsat import (
    _feasible_first,
    _Model,
    _Neighbourhoods,
    _objective_of,
    _resolve,
    _solver,
    build_model,
)

INSTANCES = benchmarks_dir() / "rostering" / "instances"


def start_roster(m: _Model, start_det: float) -> list[int]:
    """The common start: a first roster, then the whole model on one worker for
    ``start_det`` deterministic seconds from it."""
    first = _feasible_first(m, time.perf_counter() + 600, 1, 0)
    if first is None:
        raise SystemExit("no first roster in 600 s")
    solver = _solver(600, 1, 0, False)
    solver.parameters.max_deterministic_time = start_det
    if solver.solve(m.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return list(solver.response_proto.solution)
    return first


def kind_of(m: _Model, free: set[tuple[int, int]]) -> str:
    """Which kind of neighbourhood left ``free`` free."""
    people = {e for e, _ in free}
    if len(free) == m.problem.n_days * len(people):
        return "rows"
    return "window" if len(people) == len(m.problem.employees) else "block"


def run(m: _Model, start: list[int], cpu_s: float, det: float, seed: int) -> dict[str, object]:
    """The neighbourhood search from ``start`` until the process used ``cpu_s`` more CPU."""
    hood = _Neighbourhoods(m, random.Random(seed))
    current, value = start, _objective_of(m, start)
    kinds: dict[str, dict[str, float]] = {}
    began, steps = time.process_time(), 0
    while time.process_time() - began < cpu_s:
        status, solver, free = _resolve(m.model, hood, current, 600, seed + steps, det)
        steps += 1
        row = kinds.setdefault(kind_of(m, free), {"drawn": 0, "det_s": 0.0, "gain": 0})
        row["drawn"] += 1
        row["det_s"] = round(row["det_s"] + solver.deterministic_time, 3)
        found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        if found and round(solver.objective_value) <= value:
            row["gain"] += value - round(solver.objective_value)
            current, value = list(solver.response_proto.solution), round(solver.objective_value)
        hood.adapt(status == cp_model.OPTIMAL)
    return {"final": value, "steps": steps, "share": round(hood.share, 3), "kinds": kinds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("instances", nargs="+")
    parser.add_argument("--cpu", type=float, default=40.0, help="CPU seconds per run")
    parser.add_argument("--det", type=float, nargs="+", default=[0.05, 0.35])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--start-det", type=float, default=2.0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or Path(
        f"benchmarks/results/rostering/lns-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.jsonl"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    for name in args.instances:
        m = build_model(to_problem(read_instance(INSTANCES / f"{name}.txt")))
        start = start_roster(m, args.start_det)
        for det in args.det:
            for seed in args.seeds:
                row = {
                    "instance": name,
                    "det_per_step": det,
                    "seed": seed,
                    "cpu_s": args.cpu,
                    "start": _objective_of(m, start),
                    **run(m, start, args.cpu, det, seed),
                    "load_avg_1_5_15": [round(x, 2) for x in os.getloadavg()],
                }
                print(json.dumps(row), flush=True)
                with out.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
