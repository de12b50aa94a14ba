"""Two versions of the whole roster solver side by side on a CPU budget (not part of any test run).

    git archive main src | tar -x -C /tmp/main-tree
    python benchmarks/rostering_pair.py --cpu 30 --seeds 1 2 --instances Instance8 Instance12 \
        --tree base=/tmp/main-tree/src --tree new=src \
        --out benchmarks/results/rostering/pair.jsonl

For each (seed, instance) the trees' solvers (:func:`benchsets.rostering.solve_instance`, CP-SAT
beside the local search, 2 workers) run at the same time in two processes, so the machine's
load falls on both alike. ``--tree NAME=SRC[:VAR=VALUE...]`` names a source tree and, after
colons, module settings (``cpsat.TARGETED_SHARE=0``, ``local.MOVE_MIX=3,4,1,2,0,0``) set
before the solve. Each solver runs on a **CPU clock**: its deadlines read the process's CPU
seconds divided by two (the two workers' share on a quiet machine), so ``--cpu 60`` gives each
the 120 CPU seconds a quiet 60 s run gets however loaded the machine is; each CP-SAT call's
wall-clock cap is stretched by how much slower than that the process has run so far, so a
neighbourhood step gets about the CPU it gets when quiet. The clock is patched into the
modules (``cpsat.time``, ``local.time``) by this script only. One JSON row per pair, written
to ``--out`` with the load average; the rosters are scored by the independent evaluator.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import types
from pathlib import Path

from hjemmetjeneste.benchsets import benchmarks_dir

INSTANCES = benchmarks_dir() / "rostering" / "instances"


def _setting(module: types.ModuleType, name: str, text: str) -> None:
    old = getattr(module, name)
    if isinstance(old, tuple):
        value: object = tuple(type(old[0])(x) for x in text.split(","))
    else:
        value = type(old)(text)
    setattr(module, name, value)


def worker(name: str, cpu_units: float, seed: int, settings: list[str], instances: Path) -> None:
    """Solve one instance in this process on the CPU clock and print one JSON line."""
    from hjemmetjeneste.benchsets.rostering import solve_instance
    from hjemmetjeneste.rostering import cpsat, local

    local.compile_kernels()
    for item in settings:
        key, text = item.split("=", 1)
        module_name, attr = key.split(".")
        _setting({"cpsat": cpsat, "local": local}[module_name], attr, text)
    real0, cpu0 = time.perf_counter(), time.process_time()
    clock = types.SimpleNamespace(perf_counter=lambda: time.process_time() / 2)
    cpsat.time = clock  # type: ignore[assignment]
    local.time = clock  # type: ignore[assignment]
    plain = cpsat._solver

    def stretched(limit_s: float, workers: int, seed_: int, log: bool):
        slow = (time.perf_counter() - real0) / max(0.5, (time.process_time() - cpu0) / 2)
        return plain(limit_s * max(1.0, slow), workers, seed_, log)

    cpsat._solver = stretched  # type: ignore[assignment]
    value, problems, _, detail = solve_instance(instances / f"{name}.txt", cpu_units, seed=seed)
    print(json.dumps({"value": value, "valid": not problems, **detail}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpu", type=float, default=30.0, help="seconds of a quiet 2-core run")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--instances", nargs="+", default=["Instance8"])
    parser.add_argument("--tree", action="append", default=[], help="NAME=SRC[:VAR=VALUE...]")
    parser.add_argument("--out", type=Path, required=False)
    parser.add_argument("--instances-dir", type=Path, default=INSTANCES)
    parser.add_argument("--worker", nargs=3, metavar=("INSTANCE", "CPU", "SEED"))
    parser.add_argument("--set", action="append", default=[], help="(worker) VAR=VALUE")
    args = parser.parse_args()
    if args.worker:
        name, cpu, seed = args.worker
        worker(name, float(cpu), int(seed), args.set, args.instances_dir)
        return
    trees = {}
    for spec in args.tree:
        key, rest = spec.split("=", 1)
        src, *settings = rest.split(":")
        trees[key] = (str(Path(src).resolve()), settings)
    for seed in args.seeds:
        for name in args.instances:
            started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
            procs = {}
            for key, (src, settings) in trees.items():
                cache = Path(os.environ.get("NUMBA_CACHE_DIR", ".numba_cache")).resolve()
                env = dict(os.environ, PYTHONPATH=src, NUMBA_CACHE_DIR=str(cache / key))
                cmd = [sys.executable, __file__, "--worker", name, str(args.cpu), str(seed)]
                cmd += ["--instances-dir", str(args.instances_dir)]
                cmd += [f"--set={s}" for s in settings]
                procs[key] = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True)
            row: dict[str, object] = {"instance": name, "seed": seed, "cpu_units": args.cpu}
            for key, proc in procs.items():
                out, _ = proc.communicate()
                lines = out.strip().splitlines()
                row[key] = json.loads(lines[-1]) if lines else {"error": proc.returncode}
            row["started_utc"] = started
            row["trees"] = {k: ":".join([src, *s]) for k, (src, s) in trees.items()}
            row["load_avg_1_5_15"] = [round(x, 2) for x in os.getloadavg()]
            print(json.dumps(row), flush=True)
            if args.out:
                args.out.parent.mkdir(parents=True, exist_ok=True)
                with args.out.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
