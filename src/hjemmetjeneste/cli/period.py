"""`plan --all-districts`: a municipality's period on the executor (local pool or Dask)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from hjemmetjeneste.cli.app import console, err_console, reported_errors
from hjemmetjeneste.cli.i18n import language
from hjemmetjeneste.domain import ShiftKind
from hjemmetjeneste.errors import EXIT_INPUT, EXIT_ROUTING

__all__ = ["plan_all_districts"]


def plan_all_districts(
    data: Path | None,
    municipality: str | None,
    first: date,
    last: date,
    shifts: list[ShiftKind],
    time_limit: float,
    solution_limit: int | None,
    workers: int | None,
    lending: bool,
    out: Path | None,
) -> None:
    """Plan every district × day × shift from the store; print a summary per district.

    With an export folder, the export is imported into the store first (as ``import`` does:
    a no-op when the store already holds it), because the workers read from the store.
    """
    from hjemmetjeneste.cli.importing import load_settings
    from hjemmetjeneste.cli.plan import _progress, _write_plan
    from hjemmetjeneste.executors import PeriodReport, UnitOutcome, make_executor, plan_period
    from hjemmetjeneste.pipeline import SHIFT_ORDER, load_export
    from hjemmetjeneste.planning.explain import worded
    from hjemmetjeneste.solver import SolveParams
    from hjemmetjeneste.store import open_store

    if last < first:
        err_console.print(f"[red]--to {last} is before --date {first}[/red]")
        raise typer.Exit(EXIT_INPUT)
    settings = load_settings()
    chosen = tuple(s for s in SHIFT_ORDER if s in shifts) if shifts else SHIFT_ORDER
    params = SolveParams(time_limit_s=time_limit, solution_limit=solution_limit)
    with reported_errors(KeyError, ValueError, FileNotFoundError):
        if data is not None:
            export = load_export(data)
            store = open_store(settings.database_url)
            try:
                summary = store.save_export(export, source=str(data))
            finally:
                store.close()
            municipality = export.municipality.municipality_id
            console.print(f"Imported {escape(str(data))}: {summary.changes} change(s) in the store")
        with make_executor(settings.dask_scheduler, workers or settings.period_workers) as executor:
            where = (
                f"Dask scheduler {escape(settings.dask_scheduler)}"
                if settings.dask_scheduler
                else "local pool"
            )
            console.print(f"Executor: {where}, {executor.workers} worker(s)")
            if settings.dask_scheduler and settings.database_url.startswith("sqlite"):
                err_console.print(
                    "[yellow]Dask workers read and write the store: a SQLite file works only "
                    "when they all run on this machine; give a cluster PostgreSQL.[/yellow]"
                )
            with _progress("Planning", "{task.completed}/{task.total} units") as progress:
                bar = progress.add_task(f"{first} .. {last}, all districts", total=None)

                def on_unit(outcome: UnitOutcome) -> None:
                    if outcome.error is not None:
                        err_console.print(
                            f"[red]{escape(outcome.label)} failed:[/red] {escape(outcome.error)}"
                        )
                    progress.advance(bar)

                report: PeriodReport = plan_period(
                    settings.database_url,
                    first,
                    last,
                    executor,
                    municipality_id=municipality,
                    shifts=chosen,
                    params=params,
                    lending=lending,
                    on_unit=on_unit,
                    on_planned=lambda n: progress.update(bar, total=n),
                )
    _print_report(report, first, last)
    if out is not None:
        for result in report.final_plans():
            _write_plan(out, worded(result, language()))
        console.print(f"Wrote {len(report.final_plans())} plan(s) to {escape(str(out))}")
    if report.failed:
        raise typer.Exit(EXIT_INPUT)
    if any(o.violations for o in report.outcomes + report.lend_outcomes):
        raise typer.Exit(EXIT_ROUTING)


def _print_report(report: object, first: date, last: date) -> None:
    """A row per district, the loans, and every failed unit with its district, day, shift."""
    from hjemmetjeneste.executors import PeriodReport

    assert isinstance(report, PeriodReport)
    lent = {(loan.borrower_id, loan.day, loan.shift, loan.visit_id) for loan in report.loans}
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    for o in report.outcomes:
        row = rows[o.district_id]
        row["shifts"] += 1
        if o.result is None:
            row["failed"] += 1
            continue
        k = o.result.kpis
        row["placed"] += k.visits_placed
        row["total"] += k.visits_total
        left = {
            u.visit_id
            for u in o.result.unplaced
            if (o.district_id, o.day, o.shift, u.visit_id) not in lent
        }
        row["unplaced"] += len(left)
        row["critical"] += len(
            {u.visit_id for u in o.result.unplaced if u.time_critical and u.visit_id in left}
        )
        row["violations"] += o.violations
    for o in report.lend_outcomes:
        rows[o.district_id]["violations"] += o.violations
    for borrower, lender, _day, _shift, _visit in {
        (x.borrower_id, x.lender_id, x.day, x.shift, x.visit_id) for x in report.loans
    }:
        rows[borrower]["borrowed"] += 1
        rows[lender]["lent"] += 1
    table = Table(
        title=f"Period {first} .. {last}: {len(report.outcomes)} shift(s) in {len(rows)} "
        f"district(s), {report.wall_seconds:.1f} s on {report.workers} worker(s)",
        title_justify="left",
    )
    # Borrowed/lent: visits done by a neighbour's caregivers / for a neighbour (loans).
    for column in (
        "District",
        "Shifts",
        "Failed",
        "Placed",
        "Unplaced",
        "Critical",
        "Borrowed",
        "Lent",
        "Violations",
    ):
        if column == "District":
            table.add_column(column, overflow="fold", min_width=12)
        else:
            table.add_column(column, justify="right")
    for district in sorted(rows):
        r = rows[district]
        table.add_row(
            escape(district),
            str(r["shifts"]),
            str(r["failed"]),
            f"{r['placed'] + r['borrowed']}/{r['total']}",
            str(r["unplaced"]),
            str(r["critical"]),
            str(r["borrowed"]),
            str(r["lent"]),
            str(r["violations"]),
        )
    console.print(table)
    units = report.outcomes + report.lend_outcomes
    reused = sum(1 for o in units if o.result is not None and not o.written)
    if reused:
        console.print(f"Units found in the store (planned before, same inputs): {reused}")
    if report.retried:
        console.print(f"Units retried after a worker was lost: {report.retried}")
    if report.loans:
        console.print(
            f"Loans: {len({(x.day, x.shift, x.visit_id) for x in report.loans})} visit(s) done "
            "by caregivers of a neighbouring district (utlån)"
        )
        for x in sorted(report.loans, key=lambda x: (x.day, x.shift.value, x.visit_id)):
            critical = " (time-critical)" if x.time_critical else ""
            console.print(
                f"  {x.day} {x.shift.value}: {escape(x.visit_id)} of {escape(x.borrower_id)} "
                f"by {escape(x.staff_id)} of {escape(x.lender_id)}{critical}"
            )
    for o in report.declined:
        console.print(
            f"Loan re-plan of {escape(o.label)} not used: it would have left the lender's "
            "own visits unplaced"
        )
    for o in report.failed:
        err_console.print(f"[red]Failed: {escape(o.label)} ({o.kind}): {escape(o.error or '')}")
