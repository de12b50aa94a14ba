"""Re-planning the demo day shift after a sick call: warm start versus cold, same limit.

Not part of the unit run. Run with

    pytest benchmarks/test_bench_warm_start.py --benchmark-json=benchmarks/results/warm_start.json

The 2026-12-01 day shift is planned once (2 s), the nurse with the median-sized worklist is
taken off the roster, and the shift is re-planned under the same 2 s limit twice in the same
run: cold (the baseline) and warm from the first plan (``plan_shift(previous=...)``).
``extra_info`` holds, for each, the objective, the visits placed and the share of the other
nurses' visits, still planned, that kept exactly their caregivers (``kept_share``). The wall
time is bounded by the limit; what is compared is the quality and the stability.
"""

from __future__ import annotations

from datetime import date

import pytest

from factories import DEMO, off_shift, owners
from hjemmetjeneste.domain import ShiftKind
from hjemmetjeneste.pipeline import load_export, plan_shift
from hjemmetjeneste.solver import SolveParams

DAY = date(2026, 12, 1)
LIMIT = SolveParams(time_limit_s=2.0)


@pytest.fixture(scope="module")
def sick_call():
    """The first plan, the sick nurse, and the export without her on that shift."""
    data = load_export(DEMO)
    first = plan_shift(data, DAY, ShiftKind.DAY, params=LIMIT).result
    by_size = sorted((w for w in first.worklists if w.visits), key=lambda w: len(w.visits))
    sick = by_size[len(by_size) // 2].staff_id
    return first, sick, off_shift(data, sick, DAY, ShiftKind.DAY)


@pytest.mark.parametrize("start", ["cold", "warm"])
def test_replan_after_sick_call(benchmark, sick_call, start):
    """Re-plan without the sick nurse; record objective and how many visits kept their nurse."""
    first, sick, data = sick_call
    benchmark.group = "re-plan demo day shift after a sick call (2 s)"
    outcome = benchmark.pedantic(
        plan_shift,
        args=(data, DAY, ShiftKind.DAY),
        kwargs={"params": LIMIT, "previous": first if start == "warm" else None},
        rounds=1,
        iterations=1,
    )
    assert outcome.violations == ()
    assert outcome.warm_start == ("used" if start == "warm" else "none")
    before, after = owners(first), owners(outcome.result)
    still = [v for v, staff in before.items() if sick not in staff and v in after]
    kept = sum(before[v] == after[v] for v in still)
    k = outcome.result.kpis
    benchmark.extra_info.update(
        {
            "start": start,
            "warm_start": outcome.warm_start,
            "objective": outcome.result.solver_objective,
            "first_plan_objective": first.solver_objective,
            "visits_placed": k.visits_placed,
            "visits_total": k.visits_total,
            "travel_s": k.travel_s,
            "kept": kept,
            "compared": len(still),
            "kept_share": round(kept / len(still), 4) if still else None,
        }
    )
