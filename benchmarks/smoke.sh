#!/usr/bin/env bash
# Smoke of the benchmarks (run by .ci/run and `make bench-smoke`): proves the paths work and
# the numbers parse; it judges no speed or quality (the machine is shared and noisy).
# Skips the quality part cleanly when the benchmark data folder is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-.venv/bin}"
DATA="${HJEMMETJENESTE_BENCHMARKS_DIR:-$(cd .. && pwd)/shared/benchmarks}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

# Speed suites: the smoke subset, timed once, written as JSON, compared with itself.
"$BIN/pytest" benchmarks -k "smoke or baseline" -q -p no:cacheprovider \
  --benchmark-min-rounds=1 --benchmark-max-time=0.2 --benchmark-json="$OUT/smoke.json"
"$BIN/python" benchmarks/compare.py "$OUT/smoke.json" "$OUT/smoke.json" > /dev/null

if [ ! -d "$DATA/solomon" ]; then
  echo "bench smoke: $DATA/solomon not found, quality smoke skipped"
  exit 0
fi
peers=""
if "$BIN/python" -c "import pyvrp, vroom" 2>/dev/null; then peers="--peers pyvrp,vroom"; fi
# shellcheck disable=SC2086
HJEMMETJENESTE_BENCHMARKS_DIR="$DATA" "$BIN/hjemmetjeneste" bench quality --set solomon \
  --time-limit 2 --instances 'C101,R101,RC201' $peers --out "$OUT"
HJEMMETJENESTE_BENCHMARKS_DIR="$DATA" "$BIN/hjemmetjeneste" bench quality --set hhcrsp \
  --time-limit 2 --instances 'A1' --out "$OUT"
# The numbers parse: every row has a value and a gap, and the summary has a mean.
"$BIN/python" - "$OUT" <<'PY'
import json, sys
from pathlib import Path
for path in sorted(Path(sys.argv[1]).glob("quality-*.json")):
    report = json.loads(path.read_text(encoding="utf-8"))
    assert report["rows"], path
    for row in report["rows"]:
        assert isinstance(row["gap_pct"], float) and row["served"] == row["jobs"], row
    overall = [s for s in report["summary"] if s["family"] == "all"]
    assert overall and all(s["mean_gap_pct"] is not None for s in overall), path
    print(f"bench smoke: {path.name}: {len(report['rows'])} rows parse")
PY
