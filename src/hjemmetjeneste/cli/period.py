"""`plan --all-districts`: a municipality's period on the executor (local pool or Dask)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from hjemmetjeneste.cli.app import console, err_console, print_error, reported_errors
from hjemmetjeneste.cli.i18n import N_, _, language
from hjemmetjeneste.domain import ShiftKind
from hjemmetjeneste.errors import EXIT_INPUT, EXIT_ROUTING, record_words

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
        print_error(_("--to {last} is before --date {first}").format(last=last, first=first))
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
            console.print(
                _("Imported {path}: {n} change(s) in the store").format(
                    path=escape(str(data)), n=summary.changes
                )
            )
        with make_executor(settings.dask_scheduler, workers or settings.period_workers) as executor:
            where = (
                _("Dask scheduler {address}").format(address=escape(settings.dask_scheduler))
                if settings.dask_scheduler
                else _("local pool")
            )
            console.print(
                _("Executor: {where}, {n} worker(s)").format(where=where, n=executor.workers)
            )
            if settings.dask_scheduler and settings.database_url.startswith("sqlite"):
                err_console.print(
                    "[yellow]"
                    + _(
                        "Dask workers read and write the store: a SQLite file works only when "
                        "they all run on this machine; give a cluster PostgreSQL."
                    )
                    + "[/yellow]"
                )
            units = _("{done}/{total} units").format(done="{task.completed}", total="{task.total}")
            with _progress(_("Planning"), units) as progress:
                bar = progress.add_task(
                    _("{first} .. {last}, all districts").format(first=first, last=last),
                    total=None,
                )

                def on_unit(outcome: UnitOutcome) -> None:
                    if outcome.error is not None:
                        print_error(
                            _("{unit} failed: {why}").format(
                                unit=outcome.label, why=record_words(outcome.error, _)
                            )
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
        console.print(
            _("Wrote {n} plan(s) to {path}").format(
                n=len(report.final_plans()), path=escape(str(out))
            )
        )
    if report.failed:
        raise typer.Exit(EXIT_INPUT)
    if any(o.violations for o in report.outcomes + report.lend_outcomes):
        raise typer.Exit(EXIT_ROUTING)


#: The columns of the period report (borrowed/lent: visits done by a neighbour's caregivers /
#: for a neighbour).
_COLUMNS = (
    N_("District"), N_("Shifts"), N_("Failed"), N_("Placed"), N_("Unplaced"), N_("Critical"),
    N_("Borrowed"), N_("Lent"), N_("Violations"),
)  # fmt: skip


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
        title=_(
            "Period {first} .. {last}: {n} shift(s) in {districts} district(s), {secs:.1f} s "
            "on {workers} worker(s)"
        ).format(
            first=first, last=last, n=len(report.outcomes), districts=len(rows),
            secs=report.wall_seconds, workers=report.workers,
        ),
        title_justify="left",
    )  # fmt: skip
    # Borrowed/lent: visits done by a neighbour's caregivers / for a neighbour (loans).
    table.add_column(_(_COLUMNS[0]), overflow="fold", min_width=12)
    for column in _COLUMNS[1:]:
        table.add_column(_(column), justify="right")
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
        console.print(
            _("Units found in the store (planned before, same inputs): {n}").format(n=reused)
        )
    if report.retried:
        console.print(_("Units retried after a worker was lost: {n}").format(n=report.retried))
    if report.loans:
        console.print(
            _("Loans: {n} visit(s) done by caregivers of a neighbouring district (utlån)").format(
                n=len({(x.day, x.shift, x.visit_id) for x in report.loans})
            )
        )
        for x in sorted(report.loans, key=lambda x: (x.day, x.shift.value, x.visit_id)):
            loan = _("{day} {shift}: {visit} of {borrower} by {staff} of {lender}").format(
                day=x.day, shift=_(x.shift.value), visit=x.visit_id, borrower=x.borrower_id,
                staff=x.staff_id, lender=x.lender_id,
            )  # fmt: skip
            critical = _(" (time-critical)") if x.time_critical else ""
            console.print("  " + escape(loan + critical))
    for o in report.declined:
        console.print(
            escape(
                _(
                    "Loan re-plan of {unit} not used: it would have left the lender's own "
                    "visits unplaced"
                ).format(unit=o.label)
            )
        )
    for o in report.failed:
        print_error(
            _("Failed: {unit} ({kind}): {why}").format(
                unit=o.label, kind=o.kind, why=record_words(o.error, _) or ""
            )
        )
