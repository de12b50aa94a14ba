"""Compare a new pytest-benchmark JSON with the previous saved one; exit 1 on a regression.

    python benchmarks/compare.py benchmarks/results/solver.json new-solver.json

Thresholds (stated, change them only with a reason in the commit):

- time: a benchmark is a regression when its time, divided by the same run's ``baseline``
  benchmark (group ``baseline``, a fixed CPU workload), grew by more than 25 %
  (``--time-threshold 0.25``). Dividing by the baseline cancels most of the difference
  between machines and between a quiet and a busy machine; the minimum over rounds is used
  (the least disturbed round). Benchmarks that run to a fixed time limit (``limit_s`` in
  ``extra_info``) are not timed.
- objective: when both runs record ``objective`` in ``extra_info`` (at the same ``limit_s``,
  if any), more than 5 % worse is a regression (``--objective-threshold 0.05``). First-solution
  objectives are deterministic; time-limited ones depend on how much search the machine did.

Benchmarks present in only one file are listed, never failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

TIME_THRESHOLD = 0.25
OBJECTIVE_THRESHOLD = 0.05


def _load(path: Path) -> dict[str, dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {b["fullname"]: b for b in data.get("benchmarks", [])}


def _baselines(benches: dict[str, dict[str, Any]]) -> dict[str, float]:
    """Per test file (fullname before ``::``): the baseline's minimum time."""
    out: dict[str, float] = {}
    for name, b in benches.items():
        if b.get("group") == "baseline":
            out[name.split("::")[0]] = float(b["stats"]["min"])
    return out


def _normalised(name: str, bench: dict[str, Any], baselines: dict[str, float]) -> float | None:
    if not baselines:
        return None
    base = baselines.get(name.split("::")[0]) or next(iter(baselines.values()))
    return float(bench["stats"]["min"]) / base


def compare(
    old_path: Path,
    new_path: Path,
    time_threshold: float = TIME_THRESHOLD,
    objective_threshold: float = OBJECTIVE_THRESHOLD,
) -> tuple[list[str], list[str]]:
    """(report lines, regressions) of ``new_path`` against ``old_path``."""
    old, new = _load(old_path), _load(new_path)
    old_base, new_base = _baselines(old), _baselines(new)
    lines: list[str] = []
    regressions: list[str] = []
    if not old_base or not new_base:
        lines.append("warning: no baseline benchmark in one file; comparing raw times")
    for name in sorted(set(old) & set(new)):
        o, n = old[name], new[name]
        if o.get("group") == "baseline":
            continue
        o_info, n_info = o.get("extra_info", {}), n.get("extra_info", {})
        limited = "limit_s" in n_info or "limit_s" in o_info
        if not limited:
            o_t = _normalised(name, o, old_base) or float(o["stats"]["min"])
            n_t = _normalised(name, n, new_base) or float(n["stats"]["min"])
            ratio = n_t / o_t if o_t > 0 else 1.0
            verdict = "REGRESSION" if ratio > 1 + time_threshold else "ok"
            lines.append(f"{verdict:>10}  time ×{ratio:5.2f} (vs baseline)  {name}")
            if verdict != "ok":
                regressions.append(f"{name}: time ×{ratio:.2f} > ×{1 + time_threshold:.2f}")
        if "objective" in o_info and "objective" in n_info:
            if o_info.get("limit_s") != n_info.get("limit_s"):
                lines.append(f"{'skipped':>10}  objective at different limits  {name}")
                continue
            o_obj, n_obj = float(o_info["objective"]), float(n_info["objective"])
            ratio = n_obj / o_obj if o_obj > 0 else (1.0 if n_obj <= o_obj else float("inf"))
            verdict = "REGRESSION" if ratio > 1 + objective_threshold else "ok"
            lines.append(f"{verdict:>10}  objective ×{ratio:5.3f}  {name}")
            if verdict != "ok":
                regressions.append(
                    f"{name}: objective {n_obj:.0f} vs {o_obj:.0f} (×{ratio:.3f} > "
                    f"×{1 + objective_threshold:.2f})"
                )
    for name in sorted(set(new) - set(old)):
        lines.append(f"{'new':>10}  {name}")
    for name in sorted(set(old) - set(new)):
        lines.append(f"{'gone':>10}  {name}")
    return lines, regressions


def main(argv: list[str] | None = None) -> int:
    """Print the comparison; exit status 1 when anything regressed beyond its threshold."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path, help="the previous saved pytest-benchmark JSON")
    parser.add_argument("new", type=Path, help="the new pytest-benchmark JSON")
    parser.add_argument("--time-threshold", type=float, default=TIME_THRESHOLD)
    parser.add_argument("--objective-threshold", type=float, default=OBJECTIVE_THRESHOLD)
    args = parser.parse_args(argv)
    lines, regressions = compare(args.old, args.new, args.time_threshold, args.objective_threshold)
    print("\n".join(lines))
    if regressions:
        print(f"\n{len(regressions)} regression(s):\n  " + "\n  ".join(regressions))
        return 1
    print("\nno regression beyond the thresholds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
