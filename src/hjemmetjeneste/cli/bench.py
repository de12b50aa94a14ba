"""`bench quality`: our solver (and optional peers) on public sets against best-known values."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from hjemmetjeneste.cli.app import app, console, err_console, print_error

_DATA_HELP = (
    "Benchmark data folder (default $HJEMMETJENESTE_BENCHMARKS_DIR or <repo>/../shared/benchmarks)."
)
bench_app = typer.Typer(help="Benchmarks against public instance sets.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")


@bench_app.command()
def quality(
    set_name: Annotated[
        str,
        typer.Option(
            "--set", help="solomon, homberger (200 customers by default), hhcrsp or rostering."
        ),
    ],
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds per instance and solver.", min=0.1)
    ] = 10.0,
    instances: Annotated[
        str | None,
        typer.Option(help="Instance-name globs, comma-separated: 'R1*,C101' (default: the set's)."),
    ] = None,
    peers: Annotated[
        str, typer.Option(help="Comma-separated peers on the same run: pyvrp,vroom.")
    ] = "",
    portfolio: Annotated[
        bool,
        typer.Option(
            help="Ours as a 2-process portfolio (both cores search together where ruin and "
            "recreate runs; elsewhere two strategies, the best wins)."
        ),
    ] = False,
    ours: Annotated[
        bool,
        typer.Option(
            help="Run ours; --no-ours runs the peers alone (the other half of a side-by-side "
            "whose portfolio run needs the whole machine)."
        ),
    ] = True,
    data: Annotated[
        Path | None,
        typer.Option(
            help="Benchmark data folder (default $HJEMMETJENESTE_BENCHMARKS_DIR "
            "or <repo>/../shared/benchmarks)."
        ),
    ] = None,
    out: Annotated[Path, typer.Option(help="Folder for the Markdown and JSON reports.")] = Path(
        "out/bench"
    ),
) -> None:
    """Solve every instance of a set; write instance, best known, ours, gap %, vehicles,
    checker validity and seconds as Markdown and JSON, with the mean gap per family."""
    from hjemmetjeneste.benchsets.quality import (
        SETS,
        BenchmarkDataMissingError,
        QualityRow,
        Solver,
        benchmarks_dir,
        report_paths,
        run_quality,
    )
    from hjemmetjeneste.solver import solve

    if set_name not in SETS:
        raise typer.BadParameter(f"--set must be one of {', '.join(SETS)}, got {set_name!r}")
    folder = benchmarks_dir(data)
    if not folder.is_dir():
        console.print(
            f"Benchmark data folder {escape(str(folder))} not found: nothing to run. Set "
            "HJEMMETJENESTE_BENCHMARKS_DIR or --data to the folder holding solomon/, "
            "homberger/, hhcrsp/ and rostering/."
        )
        raise typer.Exit(0)
    peer_list = [p.strip() for p in peers.split(",") if p.strip()]
    pool = None
    solver: Solver | None = solve
    solver_name = "ours"
    if not ours:
        solver = None
    elif portfolio:
        from hjemmetjeneste.solver.portfolio import Portfolio

        pool = Portfolio()
        solver, solver_name = pool, "ours-portfolio"

    def show(row: QualityRow) -> None:
        gap = "-" if row.gap_pct is None else f"{row.gap_pct:6.2f} %"
        if row.gap_latest_pct is not None:
            gap += f" (latest {row.gap_latest_pct:6.2f} %)"
        valid = "valid" if row.valid else f"INVALID: {row.problems}"
        err_console.print(
            escape(
                f"{row.instance:>10} {row.solver:>14} {gap:>9} {row.vehicles:>3} veh "
                f"{row.seconds:6.1f} s {valid}"
            )
        )

    command = "hjemmetjeneste " + shlex.join(sys.argv[1:])
    try:
        report = run_quality(
            set_name,
            folder,
            time_limit,
            pattern=instances,
            peers=peer_list,
            solver=solver,
            solver_name=solver_name,
            command=command,
            out_dir=out,
            on_row=show,
        )
    except BenchmarkDataMissingError as exc:
        console.print(escape(f"{exc}: nothing to run."))
        raise typer.Exit(0) from exc
    except ValueError as exc:
        print_error(str(exc))
        raise typer.Exit(2) from exc
    finally:
        if pool is not None:
            pool.close()
    if not report.rows:
        console.print(escape(f"No {set_name} instance matches {instances!r}."))
        raise typer.Exit(0)
    for s in report.summary():
        if s["family"] == "all":
            gap = "-" if s["mean_gap_pct"] is None else f"{s['mean_gap_pct']:.2f} %"
            if s.get("mean_gap_latest_pct") is not None:
                gap += (
                    f", to the latest published values {s['mean_gap_latest_pct']:.2f} % "
                    f"({s['below_latest']} below)"
                )
            console.print(
                escape(
                    f"{s['solver']}: {s['valid']}/{s['instances']} checker-valid, mean gap {gap}"
                )
            )
    md, js = report_paths(report, out)
    console.print(escape(f"Wrote {md} and {js}"))
