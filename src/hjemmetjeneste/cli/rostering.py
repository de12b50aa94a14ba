"""`staffing` and `roster`: the caregivers each shift needs, and a roster that covers them."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from hjemmetjeneste.cli.app import app, console, err_console, reported_errors
from hjemmetjeneste.cli.i18n import DEFAULT_LANGUAGE, LangOption, _, language, set_language
from hjemmetjeneste.domain import MunicipalityData

if TYPE_CHECKING:
    from hjemmetjeneste.rostering.roster import Shortfall

_DATA_HELP = (
    "Export folder (canonical CSV); omitted: the store at HJEMMETJENESTE_DATABASE_URL. "
    "Optional contracts.csv and wishes.csv in the folder are read too."
)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(
            _("expected a date as YYYY-MM-DD, got {value!r}").format(value=value)
        ) from exc


def _load(data: Path | None, municipality: str | None) -> MunicipalityData:
    from hjemmetjeneste.cli.plan import load_data

    return load_data(data, municipality)


def _district(data: MunicipalityData, district: str | None) -> str:
    from hjemmetjeneste.pipeline import default_district

    return district or default_district(data)


@app.command()
def staffing(
    day: Annotated[str, typer.Option("--date", help="First date, YYYY-MM-DD.")],
    data: Annotated[Path | None, typer.Argument(help=_DATA_HELP)] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last date (default: --date).")] = None,
    district: Annotated[
        str | None, typer.Option(help="District id (several in the export).")
    ] = None,
    municipality: Annotated[str | None, typer.Option(help="Municipality id in the store.")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the need as CSV, or JSON when the name ends .json.")
    ] = None,
    lang: LangOption = DEFAULT_LANGUAGE,
) -> None:
    """The caregivers each shift needs to place every task, by competence level and skill,
    found with the routing solver (docs/rostering.md)."""
    from hjemmetjeneste.pipeline import defined_shift_kinds
    from hjemmetjeneste.rostering.files import write_needs
    from hjemmetjeneste.rostering.staffing import staffing_need

    first = _date(day)
    last = _date(to) if to else first
    with reported_errors(ValueError, KeyError):
        loaded = _load(data, municipality)
        district_id = _district(loaded, district)
        needs = staffing_need(
            loaded,
            first,
            last,
            district_id,
            shifts=defined_shift_kinds(loaded),
            on_need=lambda n: err_console.print(
                _("{day} {shift}: {n} caregiver(s)").format(
                    day=n.day, shift=_(n.shift.value), n=n.total
                ),
                highlight=False,
            ),
        )
    table = Table(
        title=escape(
            _("Staffing need {district} {first}–{last}").format(
                district=district_id, first=first, last=last
            )
        )
    )
    for column in (
        _("date"), _("shift"), _("caregivers"), _("competence"), _("skills"), _("tasks"),
    ):  # fmt: skip
        table.add_column(column, overflow="fold")
    table.add_column(_("share placed with one fewer"))
    for n in needs:
        table.add_row(
            str(n.day),
            _(n.shift.value),
            str(n.total),
            escape(", ".join(f"{k} ≥ {v}" for k, v in n.by_competence.items())),
            escape(", ".join(f"{_(str(k))} ≥ {v}" for k, v in sorted(n.by_skill.items()))),
            f"{n.placeable}/{n.tasks}",
            f"{n.placed_share_one_fewer:.1%}",
        )
    console.print(table)
    if out is not None:
        write_needs(needs, out)
        console.print(_("Wrote {path}").format(path=escape(str(out))))


def _absences(values: list[str]) -> dict[str, frozenset[date]]:
    """``STAFF:FROM:TO`` (dates inclusive) per option value."""
    result: dict[str, set[date]] = {}
    for value in values:
        try:
            sid, start, end = value.split(":")
            first, last = date.fromisoformat(start), date.fromisoformat(end)
        except ValueError as exc:
            raise typer.BadParameter(
                _("--absent expects STAFF:YYYY-MM-DD:YYYY-MM-DD, got {value!r}").format(value=value)
            ) from exc
        days = result.setdefault(sid, set())
        while first <= last:
            days.add(first)
            first += timedelta(days=1)
    return {k: frozenset(v) for k, v in result.items()}


@app.command()
def roster(
    day: Annotated[str, typer.Option("--date", help="First date of the roster (a Monday suits).")],
    data: Annotated[Path | None, typer.Argument(help=_DATA_HELP)] = None,
    weeks: Annotated[int, typer.Option(help="Weeks to roster.", min=1, max=52)] = 2,
    out: Annotated[Path, typer.Option(help="roster.csv to write (canonical format).")] = Path(
        "roster.csv"
    ),
    district: Annotated[
        str | None, typer.Option(help="District id (several in the export).")
    ] = None,
    municipality: Annotated[str | None, typer.Option(help="Municipality id in the store.")] = None,
    need: Annotated[
        Path | None, typer.Option(help="Staffing need from `staffing --out` (default: derive it).")
    ] = None,
    contracts: Annotated[
        Path | None, typer.Option(help="contracts.csv (default: the export's).")
    ] = None,
    wishes: Annotated[Path | None, typer.Option(help="wishes.csv (default: the export's).")] = None,
    previous: Annotated[
        Path | None,
        typer.Option("--from", help="Published roster.csv to change as little as possible."),
    ] = None,
    lock_until: Annotated[
        str | None, typer.Option(help="With --from: dates before this stay exactly as published.")
    ] = None,
    absent: Annotated[
        list[str] | None,
        typer.Option(help="STAFF:FROM:TO, a long absence (repeat for several people)."),
    ] = None,
    time_limit: Annotated[float, typer.Option(help="Seconds of CP-SAT search.", min=0.1)] = 60.0,
    workers: Annotated[int, typer.Option(help="CP-SAT workers (threads).", min=1)] = 2,
    verify: Annotated[
        bool, typer.Option(help="Plan every shift of the period with the new roster and report.")
    ] = False,
    english: Annotated[bool, typer.Option(help="The same as --lang en.")] = False,
    lang: LangOption = DEFAULT_LANGUAGE,
) -> None:
    """Generate a roster that covers the staffing need under the contracts and the Working
    Environment Act, check it independently, and write it as roster.csv (docs/rostering.md)."""
    from hjemmetjeneste.pipeline import defined_shift_kinds
    from hjemmetjeneste.rostering.check import check_roster
    from hjemmetjeneste.rostering.files import (
        CONTRACTS_FILE,
        WISHES_FILE,
        read_contracts,
        read_needs,
        read_roster_file,
        read_wishes,
        write_roster_csv,
    )
    from hjemmetjeneste.rostering.roster import RosterInput, generate_roster, merged_roster
    from hjemmetjeneste.rostering.staffing import staffing_need

    if english:
        set_language("en")
    first = _date(day)
    n_days = 7 * weeks
    last = first + timedelta(days=n_days - 1)
    with reported_errors(ValueError, KeyError, RuntimeError, TimeoutError):
        loaded = _load(data, municipality)
        district_id = _district(loaded, district)
        if contracts is None and data is not None and (data / CONTRACTS_FILE).is_file():
            contracts = data / CONTRACTS_FILE
        if wishes is None and data is not None and (data / WISHES_FILE).is_file():
            wishes = data / WISHES_FILE
        contract_map = read_contracts(contracts, loaded) if contracts else {}
        wish_list = read_wishes(wishes, loaded) if wishes else []
        if need is not None:
            needs = read_needs(need)
        else:
            err_console.print(_("Finding the staffing need with the routing solver …"))
            needs = staffing_need(
                loaded, first, last, district_id, shifts=defined_shift_kinds(loaded)
            )
        spec = RosterInput(
            district_id=district_id,
            first=first,
            n_days=n_days,
            needs=needs,
            contracts=contract_map,
            wishes=wish_list,
            previous=read_roster_file(previous, loaded) if previous else None,
            lock_until=_date(lock_until) if lock_until else None,
            absent=_absences(absent or []),
        )
        outcome = generate_roster(loaded, spec, time_limit_s=time_limit, workers=workers)
    violations = check_roster(
        loaded,
        outcome.roster,
        district_id,
        first,
        n_days,
        contracts=contract_map,
        rules=spec.rules,
        absent=spec.absent,
    )
    full = merged_roster(loaded, district_id, first, n_days, outcome.roster)
    write_roster_csv(full, out)
    changed = _(", {n} changed days").format(n=outcome.changed) if spec.previous is not None else ""
    console.print(
        escape(
            _(
                "Roster {district} {first}–{last}: {n} shifts, CP-SAT {status} in {secs:.1f} s"
            ).format(
                district=district_id, first=first, last=last, n=len(outcome.roster.entries),
                status=outcome.status, secs=outcome.wall_s,
            )
            + changed
        )
    )  # fmt: skip
    for s in outcome.shortfalls:
        console.print(f"[yellow]{escape(_shortfall(s))}[/yellow]")
    if not outcome.shortfalls:
        console.print(_("Every shift's need is covered."))
    for v in violations:
        err_console.print(f"[red]{escape(v.in_words(_))}[/red]")
    console.print(
        _("Wrote {path} ({n} entries)").format(path=escape(str(out)), n=len(full.entries))
    )
    if verify:
        _verify(loaded.model_copy(update={"roster": full}), first, last, district_id)
    if violations:
        raise typer.Exit(3)


def _shortfall(s: Shortfall) -> str:
    """A cover row left short, in the planner's words: weekday, date, shift, who is missing."""
    from babel.dates import format_date

    return _("{weekday} {day} {shift}: {missing} {label} short (need {required})").format(
        weekday=format_date(s.day, "EEEE", locale=language()), day=s.day,
        shift=_(s.shift.value), missing=s.missing, required=s.required,
        label=_("caregivers in all") if s.label == "total" else s.label,
    )  # fmt: skip


def _verify(data: MunicipalityData, first: date, last: date, district_id: str) -> None:
    """Plan every shift with the new roster; report unplaced tasks, time-critical ones first."""
    from hjemmetjeneste.pipeline import PlanOutcome, plan_range
    from hjemmetjeneste.solver import SolveParams

    critical = 0
    unplaced = 0

    def on_shift(outcome: PlanOutcome) -> None:
        nonlocal critical, unplaced
        result = outcome.result
        crit = [u for u in result.unplaced if u.time_critical]
        critical += len(crit)
        unplaced += len(result.unplaced)
        err_console.print(
            _(
                "{day} {shift}: {n} worklists, {unplaced} unplaced ({critical} time-critical)"
            ).format(
                day=result.date, shift=_(result.shift.value), n=len(result.worklists),
                unplaced=len(result.unplaced), critical=len(crit),
            ),
            highlight=False,
        )  # fmt: skip

    plan_range(
        data,
        first,
        last,
        district_id=district_id,
        params=SolveParams(time_limit_s=2.0),
        on_shift=on_shift,
    )
    console.print(
        _("Planned with the roster: {n} tasks unplaced, {critical} time-critical").format(
            n=unplaced, critical=critical
        )
    )
