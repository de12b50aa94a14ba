"""Mutation testing of the modules every plan's trust rests on (``make mutation``).

Runs mutmut (configured in ``[tool.mutmut]`` of pyproject.toml) once per module, each run
limited to that module's mutants and, through mutmut's coverage map, to the selected tests
that run its functions; then writes ``benchmarks/results/mutation-<date>.md`` and ``.json``
with each module's score and every surviving mutant, argued from
``benchmarks/mutation_survivors.toml``. A run of some modules (``--module``) replaces their
rows in the day's report and keeps the others, each with the run it comes from. Exits
non-zero when a module scores below ``--min-score`` or a survivor has no argument.
CPU-heavy: one worker by default.

    .venv/bin/python benchmarks/mutation.py                # all modules
    .venv/bin/python benchmarks/mutation.py --module clock  # one module
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SURVIVORS = ROOT / "benchmarks" / "mutation_survivors.toml"
KILLED = {1, 3}  # mutmut's exit codes for a failing test run (3: pytest internal error)
TIMEOUT = {36, -24, 24, 152, 255}  # a mutant that hangs the tests is caught too


def modules() -> dict[str, str]:
    """Short name -> dotted module of every file in ``[tool.mutmut] only_mutate``."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    found = {}
    for path in config["tool"]["mutmut"]["only_mutate"]:
        dotted = path.removeprefix("src/").removesuffix(".py").replace("/", ".")
        found[dotted.rsplit(".", 1)[1]] = dotted
    return found


def run_mutmut(dotted: str, children: int, log: Path) -> float:
    """Run (or re-run) every mutant of ``dotted``; the wall seconds it took."""
    mutmut = Path(sys.executable).with_name("mutmut")
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        subprocess.run(
            [str(mutmut), "run", f"{dotted}.*", "--max-children", str(children)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )
    return time.perf_counter() - started


def results(dotted: str) -> dict[str, int | None]:
    """Mutant name -> mutmut's exit code, from the run's metadata."""
    meta = ROOT / "mutants" / "src" / (dotted.replace(".", "/") + ".py.meta")
    return json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]


def diff_of(name: str) -> str:
    """The changed lines of a mutant, as ``mutmut show`` prints them."""
    mutmut = Path(sys.executable).with_name("mutmut")
    shown = subprocess.run(
        [str(mutmut), "show", name], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    lines = shown.splitlines()
    return "\n".join(
        line for line in lines if line[:1] in "+-" and not line.startswith(("+++", "---"))
    )


def summarise(short: str, dotted: str, codes: dict[str, int | None], argued: dict) -> dict:
    """Score and survivors of one module."""
    killed = [n for n, c in codes.items() if c in KILLED or c in TIMEOUT]
    survivors = []
    for name in sorted(n for n in codes if n not in killed):
        note = argued.get(name, {})
        survivors.append(
            {
                "mutant": name,
                "status": "survived" if codes[name] == 0 else f"exit code {codes[name]}",
                "diff": diff_of(name),
                "verdict": note.get("verdict", "NOT ARGUED"),
                "why": note.get("why", ""),
            }
        )
    total = len(codes)
    return {
        "module": dotted,
        "short": short,
        "mutants": total,
        "killed": len(killed),
        "score_pct": round(100 * len(killed) / total, 1) if total else None,
        "survivors": survivors,
    }


def markdown(report: dict) -> str:
    """The human-readable results file."""
    lines = [
        f"# Mutation testing, {report['date']}",
        "",
        f"mutmut {report['mutmut']}, commit {report['commit']}, "
        f"{report['children']} worker(s), load average at start {report['load']}. "
        "Made by `make mutation` (benchmarks/mutation.py); tests per `[tool.mutmut]` in "
        "pyproject.toml. A mutant is killed when a test fails (or hangs) with it.",
        "",
        "| module | mutants | killed | score | survivors | wall s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for m in report["modules"]:
        lines.append(
            f"| `{m['module']}` | {m['mutants']} | {m['killed']} | {m['score_pct']} % "
            f"| {len(m['survivors'])} | {m['wall_s']:.0f} |"
        )
    this_run = f"{report['date']}, commit {report['commit']}"
    earlier = [m for m in report["modules"] if m.get("run", this_run) != this_run]
    if earlier:
        lines += ["", "Modules not re-run this time keep the figures of their own run:"]
        lines += [f"- `{m['module']}`: {m['run']}" for m in earlier]
    for m in report["modules"]:
        if not m["survivors"]:
            continue
        lines += ["", f"## Survivors in `{m['module']}`"]
        for s in m["survivors"]:
            lines += [
                "",
                f"### `{s['mutant']}` — {s['verdict']}",
                "",
                "```diff",
                s["diff"],
                "```",
                "",
                s["why"] or "(no argument given: add one to benchmarks/mutation_survivors.toml)",
            ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", action="append", help="short name (clock, ...); repeatable")
    parser.add_argument("--children", type=int, default=int(os.environ.get("MUTATION_CHILDREN", 1)))
    parser.add_argument("--min-score", type=float, default=90.0)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args(argv)
    os.environ.setdefault("NUMBA_CACHE_DIR", str(ROOT / ".numba_cache"))
    known = modules()
    chosen = args.module or list(known)
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        parser.error(f"unknown module(s) {unknown}; known: {sorted(known)}")
    argued = tomllib.loads(SURVIVORS.read_text(encoding="utf-8")) if SURVIVORS.is_file() else {}
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    from importlib.metadata import version

    report = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "mutmut": version("mutmut"),
        "commit": commit or "unknown",
        "children": args.children,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "modules": [],
    }
    log_dir = ROOT / "mutants"
    log_dir.mkdir(exist_ok=True)
    stem = f"mutation-{dt.date.today().isoformat()}"
    # A run of some modules updates their rows of the day's report and keeps the others.
    previous = args.out / f"{stem}.json"
    kept = {}
    if previous.is_file():
        before = json.loads(previous.read_text(encoding="utf-8"))
        for m in before["modules"]:
            if m["short"] not in chosen:
                m.setdefault("run", f"{before['date']}, commit {before['commit']}")
                kept[m["short"]] = m
    run = f"{report['date']}, commit {report['commit']}"
    for short in chosen:
        dotted = known[short]
        wall = run_mutmut(dotted, args.children, log_dir / f"run-{short}.log")
        summary = summarise(short, dotted, results(dotted), argued)
        summary["wall_s"] = round(wall, 1)
        summary["run"] = run
        kept[short] = summary
        print(f"{dotted}: {summary['killed']}/{summary['mutants']} killed "
              f"({summary['score_pct']} %), {len(summary['survivors'])} survivors")  # fmt: skip
    report["modules"] = [kept[short] for short in known if short in kept]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / f"{stem}.md").write_text(markdown(report), encoding="utf-8")
    print(f"written {args.out / stem}.md and .json")
    low = [m["module"] for m in report["modules"] if (m["score_pct"] or 0) < args.min_score]
    unargued = [s["mutant"] for m in report["modules"] for s in m["survivors"]
                if s["verdict"] == "NOT ARGUED"]  # fmt: skip
    if low or unargued:
        print(f"below {args.min_score} %: {low}; survivors without an argument: {unargued}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
