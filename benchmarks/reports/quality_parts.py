"""One side-by-side table from several `bench quality` runs of the same set and limit.

A long side-by-side run is split over processes that each have one core (for example
`--instances '*_2_1,*_2_2'` in one, `--instances '*_2_6,*_2_7'` in another); this reads
their JSON files and prints, per solver, the checker-valid count and the mean gap by family
and in all, then how often each other solver is ahead of, level with or behind ours per
instance (each of ours: "ours" in one process, "ours-portfolio" on two).

    .venv/bin/python benchmarks/reports/quality_parts.py part1/*.json part2/*.json
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path


def main(paths: list[str]) -> None:
    runs = [json.loads(Path(p).read_text()) for p in paths]
    rows = [row for run in runs for row in run["rows"]]
    limits = {run["time_limit_s"] for run in runs}
    if len(limits) != 1:
        raise SystemExit(f"the runs have different time limits: {sorted(limits)}")
    gaps: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_instance: dict[str, dict[str, float]] = defaultdict(dict)
    for row in rows:
        counts[row["solver"]][0] += 1
        if not row["valid"]:
            continue
        counts[row["solver"]][1] += 1
        gaps[row["solver"]][row["family"]].append(row["gap_pct"])
        gaps[row["solver"]]["all"].append(row["gap_pct"])
        by_instance[row["instance"]][row["solver"]] = row["value"]
    families = [*sorted({f for per in gaps.values() for f in per if f != "all"}), "all"]
    print("| solver | valid | " + " | ".join(families) + " |")
    print("|---|---:|" + "---:|" * len(families))
    for solver, per in gaps.items():
        cells = [f"{sum(per[f]) / len(per[f]):.3f}" if per[f] else "–" for f in families]
        valid = f"{counts[solver][1]}/{counts[solver][0]}"
        print(f"| {solver} | {valid} | " + " | ".join(cells) + " |")
    print()
    for ours in (s for s in gaps if s.startswith("ours")):
        for peer in (s for s in gaps if s != ours):
            ahead = level = behind = 0
            for values in by_instance.values():
                if ours not in values or peer not in values:
                    continue
                diff = values[peer] - values[ours]
                ahead += diff < -1e-6
                behind += diff > 1e-6
                level += abs(diff) <= 1e-6
            print(f"{peer}: ahead of {ours} on {ahead}, level on {level}, behind on {behind}")


if __name__ == "__main__":
    main(sys.argv[1:])
