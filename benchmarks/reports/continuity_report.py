"""14-day continuity report on the demo municipality (not a test; run by hand).

Plans every shift of the demo roster (2026-11-30 .. 2026-12-13, day, evening and night) twice
with :func:`hjemmetjeneste.pipeline.plan_range` — once with the continuity weight below and
once with weight 0 — with breaks per the Working Environment Act switched on, and reports
distinct caregivers per patient over the 14 days, checker violations and unplaced tasks by
reason. Usage::

    .venv/bin/python benchmarks/reports/continuity_report.py --time-limit 5 \\
        --out benchmarks/results/continuity.md

``--days N`` plans the first N days only and ``--sweep 900,1800`` makes one table row per
weight (weight 0 added) — cheaper ways to compare cost models than the full 14 days;
``--iterations N`` gives each shift a fixed work budget instead of the time limit, so that
two cost models compare on equal search effort whatever the machine's load.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from hjemmetjeneste.domain import BreakRule, MunicipalityData, PlanningRules
from hjemmetjeneste.pipeline import PlanOutcome, defined_shift_kinds, load_export, plan_range
from hjemmetjeneste.planning import caregivers_per_patient
from hjemmetjeneste.solver import SolveParams
from hjemmetjeneste.tasks import build_day_plan

FIRST, LAST = date(2026, 11, 30), date(2026, 12, 13)


def with_rules(data: MunicipalityData, continuity_weight: int) -> MunicipalityData:
    """The demo data with breaks on and the given continuity weight."""
    m = data.municipality
    rules = m.rules.model_copy(
        update={"breaks": BreakRule(), "continuity_weight": continuity_weight}
    )
    return data.model_copy(update={"municipality": m.model_copy(update={"rules": rules})})


def run(
    data: MunicipalityData,
    weight: int,
    time_limit: float,
    last: date = LAST,
    iterations: int | None = None,
) -> dict[str, object]:
    """Plan the days from FIRST to ``last`` and collect the figures of one run
    (``iterations``: a fixed work budget per shift instead of as much as fits the time)."""
    started = time.perf_counter()
    params = SolveParams(time_limit_s=time_limit, iterations=iterations)

    def progress(o: PlanOutcome) -> None:
        r = o.result
        print(
            f"  w={weight} {r.date} {r.shift.value:7s} placed {r.kpis.tasks_placed}/"
            f"{r.kpis.tasks_total} violations {len(o.violations)} "
            f"travel {r.kpis.travel_s / 3600:.2f} h ({r.solver_status.rsplit(': ', 1)[-1]})",
            file=sys.stderr,
            flush=True,
        )

    outcomes = plan_range(with_rules(data, weight), FIRST, last, params=params, on_shift=progress)
    reasons: Counter[str] = Counter()
    violations: Counter[str] = Counter()
    placed = total = travel = 0
    unexplained = 0
    for o in outcomes:
        r = o.result
        reasons.update(u.reason.value for u in r.unplaced)
        unexplained += sum(1 for u in r.unplaced if not u.explanation)
        violations.update(v.kind.value for v in o.violations)
        placed += r.kpis.tasks_placed
        total += r.kpis.tasks_total
        travel += r.kpis.travel_s
    counts = sorted(caregivers_per_patient(o.result for o in outcomes).values())
    team = {p.patient_id: p.care_team_ids for p in data.patients}
    served = [
        w.staff_id in team[v.patient_id]
        for o in outcomes
        for w in o.result.worklists
        for v in w.visits
    ]
    return {
        "weight": weight,
        "visits_by": _visits_by(data, outcomes),
        "shifts": len(outcomes),
        "patients": len(counts),
        "mean": statistics.mean(counts),
        "median": statistics.median(counts),
        "max": max(counts),
        "distribution": Counter(_bucket(c) for c in counts),
        "violations": violations,
        "reasons": reasons,
        "unexplained": unexplained,
        "placed": placed,
        "total": total,
        "travel_h": travel / 3600,
        "team_share": sum(served) / max(1, len(served)),
        "wall_s": time.perf_counter() - started,
    }


def _visits_by(data: MunicipalityData, outcomes: list[PlanOutcome]) -> Counter[str]:
    """Visits by who made them, in plan order: a caregiver the patient has seen before in
    the range, her first caregiver, or a new one while one she has seen is on the shift
    (capacity or routes chose someone else) or while none is (the roster gave no choice);
    and "patient-shifts with 2+ newcomers": a shift in which two or more caregivers new to
    a patient who already had caregivers came to her (each visit is priced alone, so two
    newcomers cost the search no more than one doing all her visits; a double-staffed visit
    by two newcomers counts too)."""
    on_shift: dict[tuple[date, str], set[str]] = {}
    for e in data.roster.entries:
        on_shift.setdefault((e.date, e.shift.value), set()).add(e.staff_id)
    seen: dict[str, set[str]] = {}
    kinds: Counter[str] = Counter()
    for o in outcomes:
        r = o.result
        rostered = on_shift.get((r.date, r.shift.value), set())
        now: dict[str, set[str]] = {}
        for w in r.worklists:
            for v in w.visits:
                known = seen.get(v.patient_id, set())
                if w.staff_id in known:
                    kinds["seen"] += 1
                elif not known:
                    kinds["first"] += 1
                elif known & rostered:
                    kinds["new, one seen on shift"] += 1
                else:
                    kinds["new, none seen on shift"] += 1
                now.setdefault(v.patient_id, set()).add(w.staff_id)
        for patient, staff in now.items():
            known = seen.get(patient, set())
            if known and len(staff - known) >= 2:
                kinds["patient-shifts with 2+ newcomers"] += 1
            seen.setdefault(patient, set()).update(staff)
    return kinds


def roster_floor(data: MunicipalityData, last: date) -> dict[str, float]:
    """What the roster alone allows: per patient, a greedy cover of her visits from FIRST to
    ``last`` by caregivers rostered on each visit's shift and qualified for it (a
    double-staffed visit needs two), ignoring travel, time and how much one caregiver can
    do. A lower bound of sorts on distinct caregivers per patient (greedy, so not exact)."""
    district = data.districts[0].district_id
    need: dict[str, list[list[object]]] = {}
    day = FIRST
    while day <= last:
        for kind in defined_shift_kinds(data):
            plan = build_day_plan(data, day, kind, district)
            for v in plan.visits:
                able = {
                    s.staff_id
                    for s in plan.staff
                    if s.qualifies_for(v.required_competence, v.required_skills)
                }
                need.setdefault(v.patient_id, []).append([able, v.staff_count])
        day += timedelta(days=1)
    counts = []
    for visits in need.values():
        chosen: set[str] = set()
        while True:
            gain = Counter(s for able, n in visits if n for s in able - chosen)  # type: ignore[operator]
            if not gain:
                break
            best = min(gain, key=lambda s: (-gain[s], s))
            chosen.add(best)
            for item in visits:
                if item[1] and best in item[0]:  # type: ignore[operator]
                    item[1] -= 1  # type: ignore[operator]
        counts.append(len(chosen))
    return {"mean": statistics.mean(counts), "max": max(counts)}


def report(
    runs: list[dict[str, object]],
    command: str,
    time_limit: float,
    last: date = LAST,
    floor: dict[str, float] | None = None,
) -> str:
    """The Markdown report."""
    with_c, without = runs
    better = 1 - float(with_c["mean"]) / float(without["mean"])  # type: ignore[arg-type]
    lines = [
        f"# Continuity of care over {(last - FIRST).days + 1} days (demo municipality)",
        "",
        f"Made by `{command}` ({_effort(command, time_limit)}, "
        "2 shared cores; solver results vary a little from run to run).",
        "",
        f"All shifts {FIRST} .. {last} (day, evening, night) of district trd-ost planned in "
        "order with `pipeline.plan_range`; each shift sees the published shifts before it. "
        "Breaks per the Working Environment Act are on (`BreakRule()` defaults: 30 min, "
        "starting 2.5 h after shift start at the earliest and ending 1.5 h before its end).",
        "",
        f"| | continuity weight {with_c['weight']} | continuity weight 0 |",
        "|---|---|---|",
    ]
    rows = [
        ("shifts planned", "shifts"),
        ("patients with a visit", "patients"),
        ("distinct caregivers per patient, mean", "mean"),
        ("distinct caregivers per patient, median", "median"),
        ("distinct caregivers per patient, max", "max"),
        ("tasks placed", "placed"),
        ("tasks in the shifts", "total"),
        ("travel, hours (all shifts)", "travel_h"),
        ("share of visits by the patient's care team", "team_share"),
        ("unplaced tasks without explanation", "unexplained"),
        ("wall time, s", "wall_s"),
    ]
    for label, key in rows:
        a, b = with_c[key], without[key]
        fmt = (lambda x: f"{x:.2f}") if isinstance(a, float) else str
        lines.append(f"| {label} | {fmt(a)} | {fmt(b)} |")
    for label, key in (
        ("patients by distinct caregivers", "distribution"),
        ("visits by", "visits_by"),
        ("checker violations", "violations"),
        ("unplaced by reason", "reasons"),
    ):
        a, b = with_c[key], without[key]
        text_a = ", ".join(f"{k} {n}" for k, n in sorted(a.items())) or "0"  # type: ignore[union-attr]
        text_b = ", ".join(f"{k} {n}" for k, n in sorted(b.items())) or "0"  # type: ignore[union-attr]
        lines.append(f"| {label} | {text_a} | {text_b} |")
    lines += (
        []
        if floor is None
        else [
            "| roster floor (greedy cover of each patient's visits by qualified caregivers on "
            "shift, no travel or capacity), mean / max "
            f"| {floor['mean']:.2f} / {floor['max']:g} | |",
        ]
    )
    lines += [
        "",
        f"Continuity: the mean number of distinct caregivers per patient over the days is "
        f"**{better:.0%} lower** with continuity weight {with_c['weight']} than with 0; "
        f"travel is {float(with_c['travel_h']) / float(without['travel_h']) - 1:+.1%}.",  # type: ignore[arg-type]
        "",
    ]
    return "\n".join(lines)


def _effort(command: str, time_limit: float) -> str:
    """The search effort per shift, as the command set it."""
    if "--iterations " in command:
        n = command.split("--iterations ", 1)[1].split()[0]
        return f"{n} ruin-and-recreate iterations per shift, the same work under any load"
    return f"{time_limit:g} s search per shift"


BUCKETS = ((1, 2), (3, 5), (6, 8), (9, 12), (13, 20), (21, 999))


def _bucket(count: int) -> str:
    """The distribution's bin of a patient's distinct-caregiver count ("03-05", "21+")."""
    for lo, hi in BUCKETS:
        if lo <= count <= hi:
            return f"{lo:02d}+" if hi == 999 else f"{lo:02d}-{hi:02d}"
    return "0"


def sweep(runs: list[dict[str, object]], command: str, time_limit: float, last: date) -> str:
    """The Markdown table of a sweep: one row per weight, travel against weight 0's run."""
    base = next(r for r in runs if r["weight"] == 0)
    lines = [
        f"# Continuity weight sweep, {FIRST} .. {last} (demo municipality)",
        "",
        f"Made by `{command}` ({_effort(command, time_limit)}, 2 shared cores).",
        "",
        "| weight | mean | median | max | travel h | travel vs 0 | team share | placed "
        "| violations | patients by distinct caregivers |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        travel = float(r["travel_h"])  # type: ignore[arg-type]
        dist = ", ".join(f"{k} {n}" for k, n in sorted(r["distribution"].items()))  # type: ignore[union-attr]
        lines.append(
            f"| {r['weight']} | {float(r['mean']):.2f} | {r['median']} | {r['max']} "  # type: ignore[arg-type]
            f"| {travel:.2f} | {travel / float(base['travel_h']) - 1:+.1%} "  # type: ignore[arg-type]
            f"| {float(r['team_share']):.2f} | {r['placed']}/{r['total']} "  # type: ignore[arg-type]
            f"| {sum(r['violations'].values())} | {dist} |"  # type: ignore[union-attr]
        )
    return "\n".join([*lines, ""])


def main() -> None:
    """Run the plans and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data/demo"))
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--weight", type=int, default=PlanningRules().continuity_weight)
    parser.add_argument(
        "--iterations",
        type=int,
        default=None,
        help="work budget per shift (ruin-and-recreate iterations): load-independent runs",
    )
    parser.add_argument("--days", type=int, default=14, help="days from 2026-11-30 (1-14)")
    parser.add_argument(
        "--sweep", default="", help="comma-separated weights: one table row each (0 is added)"
    )
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/continuity.md"))
    args = parser.parse_args()
    if not 1 <= args.days <= 14:
        parser.error(f"--days must be 1..14 (the demo roster's days), got {args.days}")
    last = FIRST + timedelta(days=args.days - 1)
    data = load_export(args.data)
    days = f" --days {args.days}" if args.days != 14 else ""
    if args.iterations:
        days += f" --iterations {args.iterations}"
    if args.sweep:
        weights = sorted({0, *(int(w) for w in args.sweep.split(","))})
        runs = [run(data, w, args.time_limit, last, args.iterations) for w in weights]
        command = (
            ".venv/bin/python benchmarks/reports/continuity_report.py "
            f"--time-limit {args.time_limit:g}{days} --sweep {args.sweep} --out {args.out}"
        )
        text = sweep(runs, command, args.time_limit, last)
    else:
        runs = [run(data, w, args.time_limit, last, args.iterations) for w in (args.weight, 0)]
        command = (
            ".venv/bin/python benchmarks/reports/continuity_report.py "
            f"--time-limit {args.time_limit:g}{days} --weight {args.weight} --out {args.out}"
        )
        text = report(runs, command, args.time_limit, last, roster_floor(data, last))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
