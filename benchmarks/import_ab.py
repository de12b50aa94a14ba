"""The CSV import path of the tree on ``sys.path``, timed round by round, for an A/B against
another tree (e.g. main) on the same files in the same run.

    python benchmarks/import_ab.py --export /tmp/bench/csv --rounds 3 \
        --out benchmarks/results/import-ab.json --label t13
    PYTHONPATH=/path/to/main/src python benchmarks/import_ab.py --export /tmp/bench/csv \
        --rounds 3 --out benchmarks/results/import-ab.json --label main

The export is written once (``--write``: the benchmark's synthetic 100,000 interventions,
seed 1) and then read by every round. Each round is what ``hjemmetjeneste import`` does:
read and validate every row against the catalogue, then save into a fresh SQLite store in
one transaction. It records wall and CPU seconds of reading and of saving, and the load
average, appending to ``--out`` (one JSON list, a record per round). Older trees name the
catalogue hook ``known_headings``; both are handled so that main can be measured too.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import tempfile
import time
from pathlib import Path

from hjemmetjeneste.formats.auto import read_plan_export
from hjemmetjeneste.store import catalogue as store_catalogue
from hjemmetjeneste.store import open_store


def _round(export: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'import.db'}")
        try:
            c0, t0 = time.process_time(), time.perf_counter()
            if "known_catalogue" in inspect.signature(read_plan_export).parameters:
                loaded = read_plan_export(export, known_catalogue=store.catalogue_items)
                entries = store_catalogue.import_entries(loaded)
            else:  # the tree before the open catalogue of titles and skills
                loaded = read_plan_export(
                    export, known_headings=lambda mid: [e.name for e in store.catalogue(mid)]
                )
                entries = store_catalogue.import_entries(  # type: ignore[call-arg]
                    loaded.catalogue_file, loaded.own_headings
                )
            c1, t1 = time.process_time(), time.perf_counter()
            store.save_export(loaded.data, partial_kinds=loaded.partial_kinds, catalogue=entries)
            c2, t2 = time.process_time(), time.perf_counter()
        finally:
            store.close()
    return {
        "read_s": round(t1 - t0, 3),
        "save_s": round(t2 - t1, 3),
        "total_s": round(t2 - t0, 3),
        "read_cpu_s": round(c1 - c0, 3),
        "save_cpu_s": round(c2 - c1, 3),
        "total_cpu_s": round(c2 - c0, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--export", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--label", required=True)
    parser.add_argument("--write", action="store_true", help="write the export first")
    args = parser.parse_args()
    if args.write:
        from hjemmetjeneste.formats import write_export
        from hjemmetjeneste.synthetic.large import generate_synthetic

        write_export(generate_synthetic(100_000, seed=1), args.export)
    records = json.loads(args.out.read_text()) if args.out.exists() else []
    for number in range(1, args.rounds + 1):
        load_before = os.getloadavg()[0]
        result = _round(args.export)
        record = {
            "label": args.label,
            "round": number,
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "load_1min_before": round(load_before, 2),
            "load_1min_after": round(os.getloadavg()[0], 2),
            **result,
        }
        records.append(record)
        print(json.dumps(record))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(records, indent=2) + "\n")


if __name__ == "__main__":
    main()
