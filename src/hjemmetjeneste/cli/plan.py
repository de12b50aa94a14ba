"""`plan` and `demo`: plan one shift (or a date range) of an export; generate the demo."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hjemmetjeneste.cli.app import (
    app,
    command_started,
    console,
    err_console,
    print_error,
    reported_errors,
)
from hjemmetjeneste.cli.i18n import DEFAULT_LANGUAGE, N_, LangOption, _, language
from hjemmetjeneste.cli.importing import load_settings, warn_locations
from hjemmetjeneste.cli.output import (
    FORMATS,
    hours,
    print_result,
    print_unplaced,
    violation_in_words,
)
from hjemmetjeneste.domain import MunicipalityData, Pin, PlanResult, ShiftKind
from hjemmetjeneste.domain.events import Event
from hjemmetjeneste.errors import (
    EXIT_INPUT,
    EXIT_OK,
    EXIT_ROUTING,
    EXIT_UNPLACED,
    pydantic_reason,
    reason_of,
)
from hjemmetjeneste.solver import SolveParams
from hjemmetjeneste.travel import TravelSource

# Options `plan` and `check` share: the data's municipality and the travel source.
MunicipalityOption = Annotated[
    str | None, typer.Option(help="Municipality id in the store, when it holds several.")
]
OsmOption = Annotated[
    Path | None,
    typer.Option(help="Travel on the roads of this OSM extract (.osm.pbf; docs/travel.md)."),
]
OsrmOption = Annotated[
    list[str] | None,
    typer.Option(help="Travel from an OSRM server: URL for all modes, or MODE=URL (repeat)."),
]

PinsOption = Annotated[
    Path | None,
    typer.Option(
        help="Pins (locked visits) from this JSON file: a list of {task_id, staff_id and/or "
        "start}, e.g. what GET /v1/pins returns. Without an export, the store's pins of the "
        "shift apply as well."
    ),
]


def load_pins(
    path: Path | None,
    data: Path | None,
    export: MunicipalityData,
    shifts: Iterable[tuple[str, date, ShiftKind]],
) -> tuple[Pin, ...]:
    """The pins of a --pins file, and without an export folder (``data``) the store's pins
    of the given (district, date, shift) triples."""
    from hjemmetjeneste.formats.pins import read_pins
    from hjemmetjeneste.pipeline import stored_pins

    pins = () if path is None else read_pins(path)
    if data is None:
        pins += stored_pins(
            load_settings().database_url, export.municipality.municipality_id, shifts
        )
    return pins


def load_events(data: Path | None, export: MunicipalityData) -> dict[str, Event]:
    """Without an export folder (``data``): the store's applied events of the municipality
    (admissions, absences, sick calls, discharges, emergencies), which every plan from the
    store takes into account as the API's plan runs do; with one: none."""
    from hjemmetjeneste.pipeline import stored_events

    if data is not None:
        return {}
    return stored_events(load_settings().database_url, export.municipality.municipality_id)


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(
            _("expected a date as YYYY-MM-DD, got {value!r}").format(value=value)
        ) from exc


@app.command()
def plan(
    day: Annotated[
        str, typer.Option("--date", help="Date of the shift (first date with --to), YYYY-MM-DD.")
    ],
    data: Annotated[
        Path | None,
        typer.Argument(
            help="Export (folder, workbook or FHIR file; any format `import` accepts) for a "
            "one-off plan; omitted: read the store at HJEMMETJENESTE_DATABASE_URL (fill it "
            "with `hjemmetjeneste import`)."
        ),
    ] = None,
    shift: Annotated[
        list[ShiftKind] | None,
        typer.Option(
            help="day, evening or night (default day). With --to: repeat to choose each "
            "date's shifts (default all three)."
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Plan every shift from --date to this date (inclusive, YYYY-MM-DD) in order, "
            "each seeing the earlier ones (gaps across shifts, continuity of care).",
        ),
    ] = None,
    district: Annotated[
        str | None, typer.Option(help="District id; needed when the export has several.")
    ] = None,
    time_limit: Annotated[
        float,
        typer.Option(
            help="Seconds for one shift's plan: reading, building and search together (the "
            "search gets what reading and building leave, at least 0.5 s).",
            min=0.1,
        ),
    ] = 20.0,
    seed: Annotated[int, typer.Option(help="Seed of the search's random choices.", min=0)] = 0,
    iterations: Annotated[
        int | None,
        typer.Option(
            help="Work budget: exactly this many ruin-and-recreate iterations instead of as "
            "many as fit in the time limit. With --seed the same export gives the same plan.",
            min=1,
        ),
    ] = None,
    timings: Annotated[
        bool,
        typer.Option(
            "--timings/--no-timings",
            help="Write the search's seconds into the plan JSON; --no-timings writes 0 so "
            "that two runs with the same --seed and --iterations are byte-identical.",
        ),
    ] = True,
    out: Annotated[
        Path | None, typer.Option(help="Write the plan as JSON into DIR (one per shift with --to).")
    ] = None,
    details: Annotated[
        bool | None,
        typer.Option(
            "--details/--no-details",
            help="Print every worklist's visits (default: yes for one shift, no with --to).",
        ),
    ] = None,
    municipality: MunicipalityOption = None,
    osm: OsmOption = None,
    osrm: OsrmOption = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="table (default), text (no boxes), csv (one row per visit and unplaced "
            "task) or json (the plan's JSON) on stdout.",
        ),
    ] = "table",
    lang: LangOption = DEFAULT_LANGUAGE,
    all_districts: Annotated[
        bool,
        typer.Option(
            "--all-districts",
            help="Plan every district × day × shift of the store's municipality (an export "
            "folder is imported first) on the executor: a local process pool, or Dask when "
            "HJEMMETJENESTE_DASK_SCHEDULER is set (docs/deployment.md).",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            help="--all-districts on the local pool: processes (default: CPU cores).", min=1
        ),
    ] = None,
    solution_limit: Annotated[
        int | None,
        typer.Option(
            help="--all-districts: a work budget per shift (solutions the search may find); "
            "with it, equal inputs give equal plans on any executor.",
            min=1,
        ),
    ] = None,
    lending: Annotated[
        bool,
        typer.Option(
            "--lending/--no-lending",
            help="--all-districts: offer unplaced visits to neighbouring districts' caregivers.",
        ),
    ] = True,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="Re-plan from this earlier plan of the same shift (a JSON written by --out): "
            "the search starts from its worklists (docs/architecture.md, re-planning).",
        ),
    ] = None,
    pins: PinsOption = None,
    absent: Annotated[
        list[str] | None,
        typer.Option(
            "--absent",
            help="A caregiver (staff id) off sick from --now: re-plan the published plan of "
            "the shift (or --from, or a fresh plan) with minimal change (docs/events.md).",
        ),
    ] = None,
    now: Annotated[
        str | None, typer.Option("--now", help="The time of the events, HH:MM on --date.")
    ] = None,
    cancel_patient: Annotated[
        list[str] | None,
        typer.Option("--cancel-patient", help="A patient away from --now (visits cancelled)."),
    ] = None,
    admit: Annotated[
        list[str] | None,
        typer.Option("--admit", help="A patient admitted to hospital at --now."),
    ] = None,
    emergency: Annotated[
        list[str] | None,
        typer.Option(
            "--emergency", help="An emergency visit PATIENT:MINUTES:WITHIN_MINUTES from --now."
        ),
    ] = None,
) -> None:
    """Plan one district's shift and print the worklists, unplaced tasks and key figures.

    With --to: plan every chosen shift from --date to --to, then print totals and continuity.
    """
    from hjemmetjeneste.pipeline import default_district, plan_shift
    from hjemmetjeneste.planning.explain import worded

    plan_day = _parse_date(day)
    if fmt not in FORMATS:
        print_error(
            _("--format must be one of {formats}; got {value!r}").format(
                formats=", ".join(FORMATS), value=fmt
            )
        )
        raise typer.Exit(EXIT_INPUT)
    if all_districts:
        from hjemmetjeneste.cli.period import plan_all_districts

        plan_all_districts(
            data, municipality, plan_day, _parse_date(to) if to else plan_day, shift or [],
            time_limit, solution_limit, workers, lending, out,
        )  # fmt: skip
        return
    if to is not None:
        _plan_range(
            data, municipality, plan_day, to, shift or [], district, time_limit, out,
            bool(details), osm, osrm or [], previous, fmt, _params(time_limit, seed, iterations),
            timings,
        )  # fmt: skip
        return
    if shift is not None and len(set(shift)) > 1:
        print_error(_("--shift is given more than once; give --to to plan a range"))
        raise typer.Exit(EXIT_INPUT)
    one_shift = shift[0] if shift else ShiftKind.DAY
    if absent or cancel_patient or admit or emergency:
        options = (absent or [], cancel_patient or [], admit or [], emergency or [])
        _replan_events(
            data, municipality, plan_day, one_shift, district, now, options, previous,
            _params(time_limit, seed, iterations), osm, osrm or [], out,
        )  # fmt: skip
        return
    with reported_errors(KeyError, ValueError, FileNotFoundError):
        travel = travel_source(osm, osrm or [])
        earlier = _read_previous(previous) if previous is not None else None
        export = load_data(data, municipality)
        require_shifts(export, [one_shift])
        locked = load_pins(
            pins, data, export, [(district or default_district(export), plan_day, one_shift)]
        )
        events = load_events(data, export)
        with _progress(
            _("Planning"), _("best cost {cost}").format(cost="{task.fields[best]}")
        ) as progress:
            bar = progress.add_task(f"{plan_day} {one_shift.value}", total=time_limit, best="-")

            def on_progress(objective: int, elapsed_s: float) -> None:
                progress.update(bar, completed=min(elapsed_s, time_limit), best=f"{objective:,}")

            outcome = plan_shift(
                export,
                plan_day,
                one_shift,
                district,
                travel=travel,
                params=_params(time_limit, seed, iterations),
                on_progress=on_progress,
                previous=earlier,
                pins=locked,
                location_max_km=load_settings().location_max_km,
                deadline=command_started() + time_limit,
                events=events,
            )

    result = worded(outcome.result if timings else _without_timings(outcome.result), lang)
    # The plan file first: whatever the terminal output does, the plan is on disk.
    written = _write_plan(out, result) if out is not None else None
    _warn_roster(export, plan_day, result)
    warn_locations(export, load_settings().location_max_km, result.district_id)
    print_result(result, details is not False, fmt)
    # csv and json keep stdout machine-readable: the rest goes to stderr.
    info = console if fmt in ("table", "text") else err_console
    info.print(
        _("Stages (s): ")
        + ", ".join(f"{_(_STAGES.get(k, k))} {v:.2f}" for k, v in outcome.stage_seconds.items())
    )
    if previous is not None:
        info.print(
            _("Warm start {how}; previous plan: {path}").format(
                how=_(_WARM[outcome.warm_start]), path=escape(str(previous))
            )
        )
    if written is not None:
        info.print(_("Wrote {path}").format(path=escape(str(written))))
    if outcome.violations:
        print_error(_("The checker found {n} violation(s):").format(n=len(outcome.violations)))
        for violation in outcome.violations:
            print_error("  " + violation_in_words(violation))
        raise typer.Exit(EXIT_ROUTING)
    code = exit_code([result])
    if code != EXIT_OK:
        raise typer.Exit(code)


def _replan_events(
    data: Path | None,
    municipality: str | None,
    day: date,
    shift: ShiftKind,
    district: str | None,
    now_text: str | None,
    options: tuple[list[str], list[str], list[str], list[str]],
    previous: Path | None,
    params: SolveParams,
    osm: Path | None,
    osrm: list[str],
    out: Path | None,
) -> None:
    """`plan --absent/--cancel-patient/--admit/--emergency --now`: a minimal-change re-plan
    of the shift's published plan (or --from, or a fresh plan), changes printed per nurse."""
    from hjemmetjeneste.cli.replan import cli_events, parse_now, print_changes, published_plan
    from hjemmetjeneste.pipeline import (
        default_district,
        listing_cancelled,
        plan_shift,
        replan_shift,
    )

    if now_text is None:
        print_error(_("--absent, --cancel-patient, --admit and --emergency need --now HH:MM"))
        raise typer.Exit(EXIT_INPUT)
    with reported_errors(KeyError, ValueError, FileNotFoundError):
        travel = travel_source(osm, osrm)
        export = load_data(data, municipality)
        district_id = district or default_district(export)
        require_shifts(export, [shift])
        now = parse_now(now_text, day, export.municipality.timezone)
        events = cli_events(day, shift, now, *options)
        source = str(previous) if previous is not None else _("the published plan")
        base = _read_previous(previous) if previous is not None else None
        if base is None and data is None:
            base = published_plan(load_settings().database_url, export, day, shift, district_id)
        if base is None:
            source = _("a fresh plan")
            base = plan_shift(export, day, shift, district_id, travel=travel, params=params).result
        again = replan_shift(export, base, now, events, travel=travel, params=params)
        again = listing_cancelled(again, export, events)
    result = again.result
    if out is not None:
        console.print(_("Wrote {path}").format(path=escape(str(_write_plan(out, result)))))
    print_changes(again.changes, again.by_nurse(), source)
    for c in again.cancelled:
        console.print(
            _("Cancelled by event {event}: task {task} of patient {patient}").format(
                event=escape(c.event_id), task=escape(c.task_id), patient=escape(c.patient_id)
            )
        )
    print_unplaced(_("Unplaced tasks ({n})").format(n=len(result.unplaced)), result.unplaced)
    if again.outcome.violations:
        print_error(
            _("The checker found {n} violation(s):").format(n=len(again.outcome.violations))
        )
        for violation in again.outcome.violations:
            print_error("  " + violation_in_words(violation))
        raise typer.Exit(EXIT_ROUTING)
    code = exit_code([result])
    if code != EXIT_OK:
        raise typer.Exit(code)


def _params(time_limit: float, seed: int, iterations: int | None) -> SolveParams:
    return SolveParams(time_limit_s=time_limit, seed=seed, iterations=iterations)


def _without_timings(result: PlanResult) -> PlanResult:
    """The plan without the search's wall-clock seconds (the one thing a rerun changes)."""
    return result.model_copy(update={"solve_seconds": 0.0})


def exit_code(results: list[PlanResult]) -> int:
    """0 when every task is placed; 4 (the plans are written) when a time-critical task is
    unplaced or lies outside every shift, or a shift with visits has nobody rostered."""
    for r in results:
        critical = r.kpis.time_critical_unplaced + sum(
            u.time_critical for u in r.outside_every_shift
        )
        if critical or (r.kpis.staff_on_shift == 0 and r.kpis.visits_total):
            return EXIT_UNPLACED
    return EXIT_OK


def _warn_roster(export: MunicipalityData, day: date, result: PlanResult) -> None:
    """Say so when nobody is rostered on the shift, with the dates the roster covers."""
    from hjemmetjeneste.pipeline import roster_dates

    if result.kpis.staff_on_shift:
        return
    span = roster_dates(export)
    covers = (
        _("the roster covers {first}..{last}").format(first=span[0], last=span[1])
        if span
        else _("the roster is empty")
    )
    outside = _(" (the date is outside it)") if span and not span[0] <= day <= span[1] else ""
    if not result.kpis.visits_total and span and not outside:
        return  # an empty shift nobody needs to work
    print_error(
        _("Nobody is rostered on the {shift} shift of {day} in district {district}; ").format(
            shift=_(result.shift.value), day=day, district=result.district_id
        )
        + f"{covers}{outside}."
    )


def _progress(verb: str, figures: str) -> Progress:
    """A transient progress bar on stderr: ``verb`` what, a bar, ``figures``, time elapsed."""
    return Progress(
        TextColumn(f"[bold]{verb}[/bold] {{task.description}}"),
        BarColumn(),
        TextColumn(figures),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


def load_data(data: Path | None, municipality: str | None) -> MunicipalityData:
    """The export folder's data, or the store's when no folder is given."""
    from hjemmetjeneste.pipeline import load_export, load_from_store

    settings = load_settings()
    if data is not None:
        return load_export(data, settings)
    return load_from_store(settings.database_url, municipality)


def _write_plan(out: Path, result: PlanResult) -> Path:
    """Write one shift's plan as JSON into ``out``; the path it wrote."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"plan-{result.district_id}-{result.date}-{result.shift.value}.json"
    path.write_text(result.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path


def _plan_range(
    data: Path | None,
    municipality: str | None,
    first: date,
    to: str,
    shifts: list[ShiftKind],
    district: str | None,
    time_limit: float,
    out: Path | None,
    details: bool,
    osm: Path | None,
    osrm: list[str],
    previous: Path | None,
    fmt: str = "table",
    params: SolveParams | None = None,
    timings: bool = True,
) -> None:
    """`plan --to`: plan every chosen shift of the range in order via ``plan_range``."""
    from hjemmetjeneste.pipeline import SHIFT_ORDER, PlanOutcome, defined_shift_kinds, plan_range
    from hjemmetjeneste.planning import caregivers_per_patient
    from hjemmetjeneste.planning.explain import worded

    last = _parse_date(to)
    if previous is not None:
        print_error(
            _(
                "--from re-plans one shift; it cannot be combined with --to "
                "(plan the range, then re-plan single shifts with --from)"
            )
        )
        raise typer.Exit(EXIT_INPUT)
    if last < first:
        print_error(_("--to {last} is before --date {first}").format(last=last, first=first))
        raise typer.Exit(EXIT_INPUT)
    outcomes: list[PlanOutcome] = []
    outside_shown: set[date] = set()
    with reported_errors(KeyError, ValueError, FileNotFoundError):
        travel = travel_source(osm, osrm)
        export = load_data(data, municipality)
        events = load_events(data, export)
        warn_locations(export, load_settings().location_max_km, district)
        chosen = (
            tuple(s for s in SHIFT_ORDER if s in shifts) if shifts else defined_shift_kinds(export)
        )
        require_shifts(export, chosen)
        count = ((last - first).days + 1) * len(chosen)
        with _progress(
            _("Planning"),
            _("{done}/{total} shifts").format(done="{task.completed}", total="{task.total}"),
        ) as progress:
            bar = progress.add_task(f"{first} .. {last}", total=count)

            def on_shift(outcome: PlanOutcome) -> None:
                r = worded(
                    outcome.result if timings else _without_timings(outcome.result), language()
                )
                k = r.kpis
                if out is not None:
                    _write_plan(out, r)
                _warn_roster(export, r.date, r)
                if details:
                    print_result(r, True, fmt)
                console.print(
                    _(
                        "{date} {shift} visits {vp}/{vt} · unplaced {unplaced} · travel "
                        "{travel:.1%} · violations {violations} · outside every shift {outside}"
                    ).format(
                        date=r.date, shift=f"{_(r.shift.value):<10}", vp=k.visits_placed,
                        vt=k.visits_total, unplaced=len(r.unplaced), travel=k.travel_share,
                        violations=len(outcome.violations), outside=len(r.outside_every_shift),
                    )
                )  # fmt: skip
                if not details and r.date not in outside_shown:
                    outside_shown.add(r.date)
                    print_unplaced(
                        _("Tasks of {date} outside every shift ({n})").format(
                            date=r.date, n=len(r.outside_every_shift)
                        ),
                        r.outside_every_shift,
                        fmt,
                    )
                outcomes.append(outcome)
                progress.advance(bar)

            plan_range(
                export,
                first,
                last,
                chosen,
                district,
                travel=travel,
                params=params or SolveParams(time_limit_s=time_limit),
                on_shift=on_shift,
                location_max_km=load_settings().location_max_km,
                events=events,
            )

    results = [o.result for o in outcomes]
    counts = list(caregivers_per_patient(results).values())
    table = Table(
        title=_("Range {first} .. {last}: {n} shift(s)").format(
            first=first, last=last, n=len(outcomes)
        ),
        title_justify="left",
    )
    table.add_column(_("Figure"))
    table.add_column(_("Value"), justify="right")
    placed = sum(r.kpis.visits_placed for r in results)
    total = sum(r.kpis.visits_total for r in results)
    table.add_row(_("Visits placed"), f"{placed}/{total}")
    table.add_row(_("Unplaced tasks"), str(sum(len(r.unplaced) for r in results)))
    table.add_row(
        _("Time-critical tasks unplaced"),
        str(sum(r.kpis.time_critical_unplaced for r in results)),
    )
    outside = {u.task_id: u for r in results for u in r.outside_every_shift}
    table.add_row(_("Tasks outside every shift"), str(len(outside)))
    travel_s, paid_s = sum(r.kpis.travel_s for r in results), sum(r.kpis.paid_s for r in results)
    share = _(" ({share:.1%} of paid time)").format(share=travel_s / paid_s) if paid_s else ""
    table.add_row(_("Travel"), f"{hours(travel_s)}{share}")
    table.add_row(_("Patients visited"), str(len(counts)))
    if counts:
        mean = f"{sum(counts) / len(counts):.2f}"
        table.add_row(_("Distinct caregivers per patient, mean"), mean)
        table.add_row(_("Distinct caregivers per patient, max"), str(max(counts)))
        spread = Counter(min(c, 9) for c in counts)
        table.add_row(
            _("Patients by distinct caregivers"),
            ", ".join(f"{k if k < 9 else '9+'}: {spread[k]}" for k in sorted(spread)),
        )
    violations = sum(len(o.violations) for o in outcomes)
    table.add_row(_("Checker violations"), str(violations))
    console.print(table)
    if out is not None:
        console.print(
            _("Wrote {n} plan(s) to {path}").format(n=len(outcomes), path=escape(str(out)))
        )
    if violations:
        print_error(_("The checker found {n} violation(s):").format(n=violations))
        for o in outcomes:
            for violation in o.violations:
                print_error(
                    f"  {o.result.date} {_(o.result.shift.value)} {violation_in_words(violation)}"
                )
        raise typer.Exit(EXIT_ROUTING)
    code = exit_code(results)
    if code != EXIT_OK:
        raise typer.Exit(code)


_WARM = {
    "used": N_("used: the search started from the previous worklists"),
    "rejected": N_(
        "rejected: the previous worklists break a hard rule of this shift, planned cold"
    ),
    "none": N_("not possible: no previous worklist matches this shift, planned cold"),
    "kept": N_("kept: the search found nothing better than the previous worklists in time"),
}
#: The stages of a plan (``PlanOutcome.stage_seconds``), as the stage line names them.
_STAGES = {
    "tasks": N_("tasks"),
    "build": N_("model"),
    "start": N_("starting point"),
    "solve": N_("search"),
    "check": N_("check"),
    "worklists": N_("worklists"),
}


def require_shifts(export: MunicipalityData, kinds: Iterable[ShiftKind]) -> None:
    """A PlanRequestError naming the shifts the municipality defines when one of ``kinds``
    is not (exit 2 in the chosen language under :func:`reported_errors`)."""
    from hjemmetjeneste.tasks import require_shift

    for kind in kinds:
        require_shift(export.municipality, kind)


def _read_previous(path: Path) -> PlanResult:
    """An earlier plan, read back from the worklist JSON that ``plan --out`` wrote."""
    try:
        return PlanResult.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise FileNotFoundError(
            _("{path}: cannot read the previous plan ({why})").format(
                path=path, why=reason_of(exc).worded(_)
            )
        ) from exc
    except ValidationError as exc:
        # Field and message only: the input value could be a name from the worklist.
        error = exc.errors(include_input=False, include_url=False)[0]
        field = ".".join(str(part) for part in error["loc"]) or "(top level)"
        raise ValueError(
            _("{path}: not a worklist JSON written by `plan --out`: field {field}: {why}").format(
                path=path, field=field, why=pydantic_reason(error).worded(_)
            )
        ) from exc


def travel_source(osm: Path | None, osrm: list[str]) -> TravelSource | None:
    """The travel source the options choose: OSM roads, OSRM, or None (great circle)."""
    from hjemmetjeneste.travel import CachedSource, OsmSource, OsrmSource, parse_osrm_urls

    if osm is not None and osrm:
        raise ValueError(_("give either --osm or --osrm, not both"))
    if osm is not None:
        return CachedSource(OsmSource(osm))
    if osrm:
        return OsrmSource(parse_osrm_urls(osrm))
    return None


@app.command()
def warmup() -> None:
    """Compile the numba kernels into the cache (NUMBA_CACHE_DIR); `make setup` runs it.

    A fresh install compiles the travel and ruin-and-recreate kernels on first use, which
    took about 35 s on 2 shared cores: without this step the first `plan --time-limit 10`
    returned after 50 s instead of 14.
    """
    import time

    from hjemmetjeneste.pipeline import plan_shift
    from hjemmetjeneste.rostering.local import compile_kernels
    from hjemmetjeneste.synthetic import generate_demo

    started = time.perf_counter()
    compile_kernels()  # the roster local search's
    data = generate_demo(2026)
    plan_shift(
        data,
        date(2026, 12, 1),
        ShiftKind.DAY,
        params=SolveParams(time_limit_s=1.0, iterations=20, lns=True),
    )
    console.print(f"Kernels compiled and cached in {time.perf_counter() - started:.1f} s.")


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder to write the export to.")] = Path("data/demo"),
    seed: Annotated[int, typer.Option(help="Random seed; 2026 makes the committed data.")] = 2026,
) -> None:
    """Generate the synthetic demo municipality (Trondheim, one district) as a CSV export."""
    from hjemmetjeneste.formats import write_export
    from hjemmetjeneste.synthetic import generate_demo

    data = generate_demo(seed)
    write_export(data, out)
    console.print(
        f"Wrote {escape(str(out))}: {len(data.patients)} patients, "
        f"{sum(len(c.interventions) for c in data.care_plans)} interventions, "
        f"{len(data.staff)} staff, {len(data.roster.entries)} roster entries."
    )
