"""`check`: re-validate written plans (worklist JSON) against their export, without OR-Tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.markup import escape

from hjemmetjeneste.cli.app import app, console, print_error, reported_errors
from hjemmetjeneste.cli.i18n import DEFAULT_LANGUAGE, LangOption, _
from hjemmetjeneste.cli.plan import MunicipalityOption, OsmOption, OsrmOption, PinsOption
from hjemmetjeneste.domain import PlanResult
from hjemmetjeneste.errors import EXIT_INPUT, EXIT_ROUTING, reason_of
from hjemmetjeneste.solver.check import KIND_NAMES


@app.command()
def check(
    plans: Annotated[
        list[Path], typer.Argument(help="Plan JSON files (from `plan --out`), any order.")
    ],
    data: Annotated[
        Path | None,
        typer.Option(
            help="Export the plans were made from (any format `import` accepts); omitted: "
            "the store at HJEMMETJENESTE_DATABASE_URL."
        ),
    ] = None,
    municipality: MunicipalityOption = None,
    osm: OsmOption = None,
    osrm: OsrmOption = None,
    pins: PinsOption = None,
    lang: LangOption = DEFAULT_LANGUAGE,
) -> None:
    """Re-check plans, solver-made or hand-edited: every hard rule, typed and explained.

    Several plans are checked in time order, each seeing the ones before it (gaps across
    shifts). Pins count: those in the store for the plans' shifts (when checking against the
    store) and those in --pins; a pinned visit on another caregiver or at another start is a
    violation. Exit code 0 when every plan is feasible, 3 when a rule is broken, 2 for bad input.
    """
    from hjemmetjeneste.cli.plan import load_data, load_pins, travel_source
    from hjemmetjeneste.pipeline import check_plans

    results: list[PlanResult] = []
    for path in plans:
        try:
            results.append(PlanResult.model_validate_json(path.read_text(encoding="utf-8")))
        except (OSError, ValidationError, ValueError) as exc:
            print_error(
                _("{path}: not a plan JSON file: {why}").format(
                    path=path, why=reason_of(exc).worded(_)
                )
            )
            raise typer.Exit(EXIT_INPUT) from exc
    with reported_errors(KeyError, ValueError, FileNotFoundError):
        travel = travel_source(osm, osrm or [])
        export = load_data(data, municipality)
        locked = load_pins(pins, data, export, ((r.district_id, r.date, r.shift) for r in results))
        checked = check_plans(export, results, travel=travel, pins=locked)
    broken = 0
    for result, violations in checked:
        title = escape(f"{result.district_id} {result.date} {_(result.shift.value)}")
        if not violations:
            console.print("[green]" + escape(_("{plan}: no violations")).format(plan=title))
            continue
        broken += len(violations)
        console.print(
            "[red]" + escape(_("{plan}: {n} violation(s)")).format(plan=title, n=len(violations))
        )
        for v in violations:
            where = " · ".join(x for x in (v.staff_id, v.visit_id) if x)
            kind = escape(_(KIND_NAMES[v.kind]))
            console.print(f"  [red]{kind}[/red] {escape(where)}: {escape(v.in_words(_))}")
    if broken:
        raise typer.Exit(EXIT_ROUTING)
