"""Period runs of the synthetic large municipality on 1 and 2 workers, and a projection.

    python benchmarks/period_scaling.py --days 14 --workers 1,2 --solution-limit 30 \\
        --out benchmarks/results/period_scaling.json

Each run plans every district × day × shift of the synthetic Oslo (15 districts, about
6,000 visits a day, rules on: breaks, continuity, gaps) from a fresh copy of one SQLite store
(so no run reuses another's units), on a local pool of N processes, through
``executors.plan_period`` — the code path of ``plan --all-districts`` — with lending on.
The per-shift budget is a work budget (``solution_limit``) with a generous time limit as a
safety net, so that the runs do the same work whatever the machine's load.

Reported per run: wall time (pool start included), throughput in shifts per minute, unit
times by shift kind, peak memory per worker process, loans, unplaced and time-critical
unplaced tasks (each must carry a reason and an explanation), checker violations, and the
load average before and after. Then the scaling (throughput at N workers over 1 worker) and
a projection to a 32-worker cluster from the measured unit times: a district's shifts run in
order, so one municipality cannot finish faster than its longest district chain.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hjemmetjeneste.executors import LocalPool, PeriodReport, UnitOutcome, plan_period
from hjemmetjeneste.solver import SolveParams
from hjemmetjeneste.store import open_store
from hjemmetjeneste.synthetic.municipality import generate_municipality

FIRST = date(2026, 11, 30)


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _units(report: PeriodReport) -> list[UnitOutcome]:
    return report.outcomes + report.lend_outcomes + report.declined


def _summary(report: PeriodReport, workers: int, load_before: list[float]) -> dict[str, Any]:
    by_kind: dict[str, list[float]] = defaultdict(list)
    for o in report.outcomes:
        by_kind[o.shift.value].append(o.unit_seconds)
    peak: dict[str, float] = defaultdict(float)
    for o in _units(report):
        peak[o.worker] = max(peak[o.worker], o.peak_rss_mb)
    lent = {(x.borrower_id, x.day, x.shift, x.visit_id) for x in report.loans}
    unplaced = critical = unexplained = 0
    for o in report.outcomes:
        if o.result is None:
            continue
        for u in o.result.unplaced:
            if (o.district_id, o.day, o.shift, u.visit_id) in lent:
                continue
            unplaced += 1
            if u.time_critical:
                critical += 1
                unexplained += not (u.explanation.strip() and u.reason)
    shifts = len(report.outcomes)
    return {
        "workers": workers,
        "shifts": shifts,
        "loan_replans": len(report.lend_outcomes) + len(report.declined),
        "wall_s": round(report.wall_seconds, 2),
        "shifts_per_minute": round(shifts / (report.wall_seconds / 60.0), 2),
        "own_plans_wall_s": round(report.own_seconds, 2),
        "own_plans_shifts_per_minute": round(shifts / (report.own_seconds / 60.0), 2),
        "loan_replans_wall_s": round(report.lend_seconds, 2),
        "loan_replans_unit_s_sum": round(
            sum(o.unit_seconds for o in report.lend_outcomes + report.declined), 2
        ),
        "unit_s_sum": round(sum(o.unit_seconds for o in _units(report)), 2),
        "unit_s_by_shift": {
            k: {
                "n": len(v),
                "mean": round(statistics.fmean(v), 3),
                "median": round(statistics.median(v), 3),
                "max": round(max(v), 3),
            }
            for k, v in sorted(by_kind.items())
        },
        "peak_rss_mb_per_worker": {k: round(v, 1) for k, v in sorted(peak.items())},
        "visits_total": sum(o.result.kpis.visits_total for o in report.outcomes if o.result),
        "visits_placed": sum(o.result.kpis.visits_placed for o in report.outcomes if o.result),
        "loans": len(lent),
        "unplaced_tasks_after_loans": unplaced,
        "time_critical_unplaced_after_loans": critical,
        "time_critical_unplaced_without_explanation": unexplained,
        "violations": sum(o.violations for o in _units(report)),
        "failed_units": [f"{o.label}: {o.error}" for o in report.failed],
        "retried_units": report.retried,
        "load_before": load_before,
        "load_after": _load(),
    }


def _projection(report: PeriodReport, workers: int, municipalities: int) -> dict[str, Any]:
    """Wall time on ``workers`` from measured unit times; chains bound it from below."""
    chains: dict[str, float] = defaultdict(float)
    for o in report.outcomes:
        chains[o.district_id] += o.unit_seconds
    work = sum(chains.values()) * municipalities
    longest = max(chains.values())
    lend = [o.unit_seconds for o in report.lend_outcomes + report.declined]
    lend_s = max(sum(lend) * municipalities / workers, max(lend, default=0.0))
    wall = max(work / workers, longest) + lend_s
    shifts = len(report.outcomes) * municipalities
    return {
        "workers": workers,
        "municipalities": municipalities,
        "work_s": round(work, 1),
        "longest_district_chain_s": round(longest, 1),
        "projected_wall_s": round(wall, 1),
        "projected_shifts_per_minute": round(shifts / (wall / 60.0), 1),
        "bound": "district chain" if longest > work / workers else "workers",
    }


def main() -> None:
    """Run the measurement and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--solution-limit", type=int, default=30)
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=Path("out/period_scaling.json"))
    args = parser.parse_args()
    params = SolveParams(time_limit_s=args.time_limit, solution_limit=args.solution_limit)
    last = FIRST + timedelta(days=args.days - 1)
    work = Path(tempfile.mkdtemp(prefix="period-scaling-"))
    template = work / "template.db"
    started = time.perf_counter()
    data = generate_municipality(args.seed)
    store = open_store(f"sqlite:///{template}")
    store.save_export(data)
    store.close()
    print(f"generated and imported in {time.perf_counter() - started:.1f} s", flush=True)
    runs = []
    reports = {}
    for workers in (int(w) for w in args.workers.split(",")):
        db = work / f"run-{workers}.db"
        shutil.copyfile(template, db)
        before = _load()
        pool = LocalPool(workers)
        try:
            report = plan_period(
                f"sqlite:///{db}",
                FIRST,
                last,
                pool,
                params=params,
                on_unit=lambda o: print(f"  {o.label} {o.kind} {o.unit_seconds:.2f} s", flush=True),
            )
        finally:
            pool.close()
        reports[workers] = report
        runs.append(_summary(report, workers, before))
        print(json.dumps(runs[-1], indent=1), flush=True)
    base = min(reports)
    scaling = {
        str(w): {
            "whole_period": round(r["shifts_per_minute"] / runs[0]["shifts_per_minute"], 3),
            "own_plans": round(
                r["own_plans_shifts_per_minute"] / runs[0]["own_plans_shifts_per_minute"], 3
            ),
        }
        for w, r in zip(reports, runs, strict=True)
    }
    result = {
        "benchmark": "period_scaling",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "municipality": {
            "districts": len(data.districts),
            "patients": len(data.patients),
            "staff": len(data.staff),
            "rules": data.municipality.rules.model_dump(mode="json"),
        },
        "period": {"first": FIRST.isoformat(), "last": last.isoformat(), "days": args.days},
        "budget": params.model_dump(mode="json"),
        "runs": runs,
        "scaling_vs_1_worker": scaling,
        "projection_from_1_worker_unit_times": [
            _projection(reports[base], 32, 1),
            _projection(reports[base], 32, 4),
        ],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("scaling_vs_1_worker",)}, indent=1))
    print(f"wrote {args.out}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
