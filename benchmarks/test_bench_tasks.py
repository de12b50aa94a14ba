"""Task expansion: care-plan schedules → dated tasks → visits → a shift's day plan.

Not part of the unit run. Full run (≈ 30 s):

    pytest benchmarks/test_bench_tasks.py --benchmark-json=benchmarks/results/tasks.json

Timings are compared between runs after dividing by the ``baseline`` benchmark of the same
run (``benchmarks/compare.py``). A DST day (2026-03-29, 23 hours; a Sunday, so fewer tasks)
is included because its instants take the fixed-offset path.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from district_days import DAY, DEMO
from hjemmetjeneste.domain import ShiftKind
from hjemmetjeneste.pipeline import load_export
from hjemmetjeneste.synthetic.large import generate_synthetic
from hjemmetjeneste.tasks import build_day_plan, expand_intervention, merge_into_visits
from test_bench_solver import baseline_workload

N_INTERVENTIONS = 20_000
DAYS = {"ordinary": DAY, "dst_spring": date(2026, 3, 29)}


def test_baseline_cpu_tasks(benchmark):
    """The same-run baseline for this file's timings."""
    benchmark.group = "baseline"
    assert benchmark(baseline_workload) > 0


@pytest.fixture(scope="module")
def municipality():
    return generate_synthetic(N_INTERVENTIONS, seed=7)


def _expand_all(data, day):
    tz = ZoneInfo(data.municipality.timezone)
    return [t for plan in data.care_plans for iv in plan.interventions
            for t in expand_intervention(iv, day, tz)]  # fmt: skip


@pytest.mark.parametrize("day_kind", list(DAYS))
def test_expand_interventions(benchmark, municipality, day_kind):
    """20,000 interventions expanded for one day: every task dated that day."""
    benchmark.group = "expand 20k interventions"
    day = DAYS[day_kind]
    tasks = benchmark.pedantic(_expand_all, args=(municipality, day), rounds=3, iterations=1)
    assert tasks and all(t.date == day for t in tasks)
    benchmark.extra_info.update({"tasks": len(tasks), "day": day.isoformat()})


def test_merge_into_visits(benchmark, municipality):
    """The day's tasks merged into visits: no task lost, none duplicated."""
    benchmark.group = "merge into visits"
    tasks = _expand_all(municipality, DAY)
    visits = benchmark.pedantic(merge_into_visits, args=(tasks,), rounds=3, iterations=1)
    ids = [t.task_id for v in visits for t in v.tasks]
    assert sorted(ids) == sorted(t.task_id for t in tasks)
    benchmark.extra_info.update({"tasks": len(tasks), "visits": len(visits)})


def test_demo_day_plan(benchmark):
    """The demo district's day shift: export → DayPlan (the pipeline's ``tasks`` stage)."""
    benchmark.group = "demo day plan"
    data = load_export(DEMO)
    district = data.districts[0].district_id
    plan = benchmark.pedantic(
        build_day_plan, args=(data, DAY, ShiftKind.DAY, district), rounds=5, iterations=1
    )
    assert plan.visits and all(v.tasks for v in plan.visits)
    benchmark.extra_info.update({"visits": len(plan.visits), "staff": len(plan.staff)})


def test_smoke_tasks_expand(benchmark, municipality):
    """Smoke: expanding the synthetic municipality for one day yields tasks."""
    benchmark.group = "smoke"
    tasks = benchmark.pedantic(_expand_all, args=(municipality, DAY), rounds=1, iterations=1)
    assert tasks
