"""The demo district's 2026-12-01 day shift planned end to end, through ``pipeline.plan_shift``.

Not part of the unit run. Run with

    pytest benchmarks/test_bench_demo_plan.py --benchmark-json=benchmarks/results/demo_plan.json

Two variants in the same run: the first solution only (construction heuristic, no local
search) as the baseline, and the full search under a 10 s limit. The full run's wall time is
bounded by its limit, so what matters is what the extra search buys (``extra_info``: travel,
tasks placed) and the time spent outside the solver (stage seconds), which should be small.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hjemmetjeneste.domain import ShiftKind
from hjemmetjeneste.pipeline import load_export, plan_shift
from hjemmetjeneste.solver import SolveParams

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
DAY = date(2026, 12, 1)
VARIANTS = {
    "first_solution": SolveParams(time_limit_s=60.0, solution_limit=1),
    "search_10s": SolveParams(time_limit_s=10.0),
}


@pytest.fixture(scope="module")
def export():
    data = load_export(DEMO)
    plan_shift(data, DAY, ShiftKind.DAY, params=VARIANTS["first_solution"])  # warm numba cache
    return data


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_demo_day_shift_end_to_end(benchmark, export, variant):
    """Plan the demo day shift; the checker finds nothing and every task is accounted for."""
    benchmark.group = "demo day shift 2026-12-01"
    outcome = benchmark.pedantic(
        plan_shift,
        args=(export, DAY, ShiftKind.DAY),
        kwargs={"params": VARIANTS[variant]},
        rounds=3 if variant == "first_solution" else 1,
        iterations=1,
    )
    result = outcome.result
    k = result.kpis
    assert outcome.violations == ()
    assert k.tasks_placed + len(result.unplaced) == k.tasks_total
    benchmark.extra_info.update(
        {
            "tasks_placed": k.tasks_placed,
            "tasks_total": k.tasks_total,
            "travel_s": k.travel_s,
            "patient_time_share": k.patient_time_share,
            "travel_share": k.travel_share,
            "stage_seconds": outcome.stage_seconds,
            "non_solver_seconds": round(
                sum(v for s, v in outcome.stage_seconds.items() if s != "solve"), 4
            ),
        }
    )
