"""Import speed: a 100,000-intervention CSV export and a 10,000-CarePlan FHIR bundle.

Not part of the unit run. Run with

    pytest benchmarks/test_bench_import.py --benchmark-json=/tmp/bench_import.json -q -s

Each timed import is the whole path `hjemmetjeneste import` takes: read and validate every
row (or resource), check its care-plan headings against the store's catalogue, then write it
into a fresh SQLite store in one transaction. The floors of
issue #3 (2 cores) are asserted: CSV <= 10 s, FHIR <= 60 s. Baselines measured in the same
run, on the same files, give the ratio in ``extra_info``: ``polars.read_csv`` of the seven
files (CSV) and ``json.loads`` of the bundle (FHIR): the cost of merely parsing the bytes.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import polars as pl
import pytest

from hjemmetjeneste.formats import write_export
from hjemmetjeneste.formats.auto import read_plan_export
from hjemmetjeneste.formats.fhir import write_fhir_bundle
from hjemmetjeneste.store import open_store
from hjemmetjeneste.store.catalogue import import_entries
from hjemmetjeneste.synthetic.large import generate_synthetic

CSV_INTERVENTIONS = 100_000
FHIR_CARE_PLANS = 10_000
CSV_FLOOR_S = 10.0
FHIR_FLOOR_S = 60.0


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The synthetic CSV export and FHIR bundle, written once."""
    root = tmp_path_factory.mktemp("import-bench")
    write_export(generate_synthetic(CSV_INTERVENTIONS, seed=1), root / "csv")
    fhir_data = generate_synthetic(FHIR_CARE_PLANS * 6, seed=2)
    assert len(fhir_data.care_plans) == FHIR_CARE_PLANS
    write_fhir_bundle(fhir_data, root / "bundle.json")
    return {"csv": root / "csv", "fhir": root / "bundle.json", "root": root}


CPU_SECONDS: dict[str, float] = {}


def _import_into_fresh_store(path: Path, url: str) -> int:
    started = time.process_time()
    store = open_store(url)
    try:
        loaded = read_plan_export(path, known_catalogue=store.catalogue_items)
        summary = store.save_export(
            loaded.data,
            partial_kinds=loaded.partial_kinds,
            catalogue=import_entries(loaded),
        )
    finally:
        store.close()
    CPU_SECONDS[str(path)] = time.process_time() - started  # this process only (not workers)
    return summary.added


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def test_bench_import_csv_100k(benchmark, exports):
    """100,000 interventions from CSV into SQLite within 10 s; ratio to polars.read_csv."""
    runs = iter(range(100))

    def setup():
        url = f"sqlite:///{exports['root'] / f'csv-{next(runs)}.db'}"
        return (exports["csv"], url), {}

    added = benchmark.pedantic(_import_into_fresh_store, setup=setup, rounds=1, iterations=1)
    assert added > CSV_INTERVENTIONS
    baseline = _seconds(
        lambda: [pl.read_csv(f, infer_schema=False) for f in exports["csv"].glob("*.csv")]
    )
    elapsed = benchmark.stats.stats.max
    benchmark.extra_info.update(
        baseline="polars.read_csv of the same files",
        baseline_s=round(baseline, 3),
        ratio_to_baseline=round(elapsed / baseline, 1),
        floor_s=CSV_FLOOR_S,
        cpu_s=round(CPU_SECONDS[str(exports["csv"])], 2),
    )
    cpu = CPU_SECONDS[str(exports["csv"])]
    print(f"\nCSV 100k: {elapsed:.2f} s, CPU {cpu:.2f} s (baseline {baseline:.2f} s)")
    assert elapsed <= CSV_FLOOR_S


def test_bench_import_fhir_10k_careplans(benchmark, exports):
    """10,000 CarePlans from one FHIR bundle into SQLite within 60 s; ratio to json.loads."""
    runs = iter(range(100))

    def setup():
        url = f"sqlite:///{exports['root'] / f'fhir-{next(runs)}.db'}"
        return (exports["fhir"], url), {}

    added = benchmark.pedantic(_import_into_fresh_store, setup=setup, rounds=1, iterations=1)
    assert added > FHIR_CARE_PLANS
    baseline = _seconds(lambda: json.loads(exports["fhir"].read_bytes()))
    elapsed = benchmark.stats.stats.max
    benchmark.extra_info.update(
        baseline="json.loads of the same bundle",
        baseline_s=round(baseline, 3),
        ratio_to_baseline=round(elapsed / baseline, 1),
        floor_s=FHIR_FLOOR_S,
        main_process_cpu_s=round(CPU_SECONDS[str(exports["fhir"])], 2),
    )
    cpu = CPU_SECONDS[str(exports["fhir"])]
    print(f"\nFHIR 10k: {elapsed:.2f} s, main-process CPU {cpu:.2f} s (baseline {baseline:.2f} s)")
    assert elapsed <= FHIR_FLOOR_S
