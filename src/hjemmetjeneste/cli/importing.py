"""`import` and `synthetic`: load a municipality's export into the store; make big exports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hjemmetjeneste.cli.app import app, console, err_console, print_error, reported_errors
from hjemmetjeneste.cli.i18n import DEFAULT_LANGUAGE, N_, LangOption, _
from hjemmetjeneste.cli.output import shifts_in_words
from hjemmetjeneste.domain import COMPETENCE_KIND, SKILL_KIND, CatalogueItem, MunicipalityData
from hjemmetjeneste.errors import EXIT_INPUT, PlanInputError, pydantic_reason
from hjemmetjeneste.settings import Settings

__all__ = ["import_export", "synthetic"]

#: The kinds of record an import counts (the store's names), as the summary names them.
_RECORDS = {
    "municipality": N_("municipality"),
    "bases": N_("bases"),
    "districts": N_("districts"),
    "patients": N_("patients"),
    "care_plans": N_("care plans"),
    "interventions": N_("interventions"),
    "staff": N_("staff"),
    "roster": N_("roster"),
    "catalogue": N_("catalogue"),
}
#: What an implausible location belongs to (``LocationIssue.kind``).
_LOCATED = (N_("patient"), N_("base"))


def load_settings(database_url: str | None = None) -> Settings:
    """Settings from the environment, validated now; exit 2 with the reason when invalid."""
    try:
        if database_url is not None:
            return Settings(database_url=database_url)
        return Settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = ".".join(str(p) for p in error["loc"])
            print_error(
                _("setting HJEMMETJENESTE_{name}: {why}").format(
                    name=name.upper(), why=pydantic_reason(error).worded(_)
                )
            )
        raise typer.Exit(EXIT_INPUT) from None


@app.command("import")
def import_export(
    path: Annotated[Path, typer.Argument(help="Export folder, Excel workbook or FHIR file.")],
    fmt: Annotated[
        str, typer.Option("--format", help="auto, csv, parquet, xlsx or fhir.")
    ] = "auto",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and count, write nothing.")
    ] = False,
    partial: Annotated[
        bool,
        typer.Option(
            "--partial",
            help="A delta export: end nothing that is missing from it. It may hold any "
            "subset of the files (a roster alone); the rest is checked against the store.",
        ),
    ] = False,
    as_of: Annotated[
        str | None, typer.Option(help="Import date (YYYY-MM-DD); ended tiltak end the day before.")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option(help="Overrides HJEMMETJENESTE_DATABASE_URL.")
    ] = None,
    strict_catalogue: Annotated[
        bool,
        typer.Option(
            "--strict-catalogue",
            help="Refuse care-plan headings, competence titles and skills outside the "
            "catalogue (default: warn, add them; a new title counts as assistent).",
        ),
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option(help="When the export is refused, write every issue to this CSV file."),
    ] = None,
    lang: LangOption = DEFAULT_LANGUAGE,
) -> None:
    """Import a municipality's export into the store: all of it, or nothing (exit 2)."""
    from rich.markup import escape

    from hjemmetjeneste.formats.auto import EXPORT_FORMATS, read_plan_export
    from hjemmetjeneste.formats.report import write_issue_report
    from hjemmetjeneste.store import open_store
    from hjemmetjeneste.store.catalogue import import_entries

    settings = load_settings(database_url)
    if fmt not in EXPORT_FORMATS:
        print_error(
            _("--format must be one of {formats}").format(formats=", ".join(EXPORT_FORMATS))
        )
        raise typer.Exit(EXIT_INPUT)
    try:
        import_day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        print_error(_("--as-of: expected YYYY-MM-DD, found {value!r}").format(value=as_of))
        raise typer.Exit(EXIT_INPUT) from None
    with (
        reported_errors(),
        Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:,.0f} {task.fields[unit]}"),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        ) as progress,
    ):
        reading = progress.add_task(_("Reading"), total=None, unit=_("records"))
        try:
            loaded = read_plan_export(
                path,
                fmt,
                settings=settings,
                on_progress=lambda n: progress.advance(reading, n),
                base=_stored_data(settings.database_url) if partial else None,
                strict_catalogue=strict_catalogue,
                known_catalogue=lambda mid: _stored_catalogue(settings.database_url, mid),
            )
        except PlanInputError as exc:
            if report is not None:
                write_issue_report(exc.issues, report, _)
                written = escape(str(report))
                err_console.print(
                    _("Every issue ({n}) written to {path}").format(n=len(exc.issues), path=written)
                )
            raise
        progress.update(reading, total=progress.tasks[reading].completed)
        writing = progress.add_task(_("Writing"), total=None, unit=_("rows"))

        def on_write(stage: str, done: int, total: int) -> None:
            progress.update(writing, completed=done, total=max(total, 1))

        store = open_store(settings.database_url)
        try:
            summary = store.save_export(
                loaded.data,
                source=str(path),
                export_format=loaded.format,
                full=not partial,
                partial_kinds=loaded.partial_kinds,
                as_of=import_day,
                dry_run=dry_run,
                on_progress=on_write,
                catalogue=import_entries(loaded),
            )
        finally:
            store.close()

    title = (
        _("Dry run: would import {path} ({format}) into municipality {municipality}")
        if dry_run
        else _("Imported {path} ({format}) into municipality {municipality}")
    )
    # The title on a line of its own: as a table title it would wrap at the table's width.
    console.print(
        escape(title.format(path=path, format=loaded.format, municipality=summary.municipality_id))
    )
    table = Table()
    for column in (_("records"), _("added"), _("changed"), _("ended"), _("unchanged")):
        table.add_column(column, justify="right" if table.columns else "left")
    for kind, counts in summary.counts.items():
        values = (counts.added, counts.changed, counts.ended, counts.unchanged)
        known = _RECORDS.get(kind)
        table.add_row(_(known) if known else escape(kind), *(f"{v:,}" for v in values))
    table.add_row(
        "[bold]" + escape(_("total")),
        *(
            f"[bold]{v:,}"
            for v in (summary.added, summary.changed, summary.ended, summary.unchanged)
        ),
    )
    console.print(table)
    if loaded.new_problem_areas:
        names = ", ".join(f"{escape(repr(n))} ({c})" for n, c in loaded.new_problem_areas)
        err_console.print(
            "[yellow]"
            + escape(
                _(
                    "Warning: care-plan heading(s) not in the catalogue, added as the "
                    "municipality's own: {names}"
                )
            ).format(names=names)
            + "[/yellow]"
        )
    warn_new_entries(loaded.new_entries)
    if loaded.skipped:
        counts = ", ".join(f"{escape(t)} {n:,}" for t, n in loaded.skipped)
        console.print(
            escape(_("Skipped resources the planner does not need: {counts}")).format(counts=counts)
        )
    warn_outside_every_shift(loaded.data)
    warn_locations(loaded.data, settings.location_max_km)
    if summary.changes == 0:
        console.print(_("Nothing changed: the store already holds this export."))
    elif summary.batch_id is not None:
        console.print(_("Recorded as import batch {batch}.").format(batch=summary.batch_id))


def _stored_data(database_url: str) -> MunicipalityData | None:
    """What the store holds (for a partial export's cross-file checks), or None if empty."""
    from hjemmetjeneste.store import StoreError, open_store

    store = open_store(database_url)
    try:
        return store.load_municipality()
    except StoreError:
        return None
    finally:
        store.close()


def _stored_catalogue(database_url: str, municipality_id: str | None) -> list[CatalogueItem]:
    """The entries the store's catalogue holds for ``municipality_id`` (None: the only one)."""
    from hjemmetjeneste.store import open_store

    store = open_store(database_url)
    try:
        return store.catalogue_items(municipality_id)
    finally:
        store.close()


def warn_new_entries(new: Sequence[tuple[str, str, int]]) -> None:
    """Say which competence titles and skills no catalogue held and how they were added."""
    titles = ", ".join(f"{escape(repr(n))} ({c})" for k, n, c in new if k == COMPETENCE_KIND)
    skills = ", ".join(f"{escape(repr(n))} ({c})" for k, n, c in new if k == SKILL_KIND)
    if titles:
        warning = _(
            "Warning: competence title(s) not in the catalogue, added as the municipality's "
            "own at the lowest level (assistent: they may do no work that needs more): "
            "{titles}. Give a title its level in catalogue.csv (kind competence, level) and "
            "import again."
        )
        err_console.print("[yellow]" + escape(warning).format(titles=titles) + "[/yellow]")
    if skills:
        warning = _(
            "Warning: skill(s) not in the catalogue, added as the municipality's own (a task "
            "needing one goes only to caregivers who have it): {skills}"
        )
        err_console.print("[yellow]" + escape(warning).format(skills=skills) + "[/yellow]")


@app.command()
def catalogue(
    municipality: Annotated[
        str | None,
        typer.Option(help="Municipality id (default: the only one in the store)."),
    ] = None,
    database_url: Annotated[
        str | None, typer.Option(help="Overrides HJEMMETJENESTE_DATABASE_URL.")
    ] = None,
) -> None:
    """List the catalogue: standard care-plan headings, competence levels and skills with
    their aliases, and the headings, titles (with their level) and skills the municipality
    added (kept in the store)."""
    from hjemmetjeneste.domain import (
        COMPETENCE_ALIASES,
        PROBLEM_AREA_ALIASES,
        PROBLEM_AREA_KIND,
        SKILL_ALIASES,
        CompetenceLevel,
        ProblemArea,
        Skill,
    )
    from hjemmetjeneste.store import CatalogueEntry, choose_municipality, open_store

    settings = load_settings(database_url)
    with reported_errors():
        store = open_store(settings.database_url)
        try:
            mid = choose_municipality(store.municipality_ids(), municipality)
            own = store.catalogue(mid)
        finally:
            store.close()

    def aliases(table: dict[str, object], value: object) -> str:
        return ", ".join(escape(a) for a, v in table.items() if v == value)

    headings = Table(
        title=escape(f"Care-plan headings (problemområder) of municipality {mid}"),
        title_justify="left",
    )
    for column in ("heading", "kind", "aliases / added by"):
        headings.add_column(column)
    for area in ProblemArea:
        headings.add_row(escape(area.value), "standard", aliases(PROBLEM_AREA_ALIASES, area))

    def added(entry: CatalogueEntry) -> str:
        how = "catalogue file" if entry.source == "file" else "used by the export"
        also = f"; aliases {', '.join(escape(a) for a in entry.aliases)}" if entry.aliases else ""
        return f"import batch {entry.first_batch_id} ({how}){also}"

    for entry in own:
        if entry.kind == PROBLEM_AREA_KIND:
            headings.add_row(escape(entry.name), "municipality", added(entry))
    console.print(headings)
    levels = Table(
        title=escape(f"Competence titles (levels lowest first) and skills of municipality {mid}"),
        title_justify="left",
    )
    for column in ("value", "kind", "level", "aliases / added by"):
        levels.add_column(column)
    for level in CompetenceLevel:
        levels.add_row(
            escape(level.value),
            "competence",
            escape(level.value),
            aliases(COMPETENCE_ALIASES, level),
        )
    for entry in own:
        if entry.kind == COMPETENCE_KIND:
            level_text = "" if entry.level is None else entry.level.value
            levels.add_row(escape(entry.name), "municipality title", level_text, added(entry))
    for skill in Skill:
        levels.add_row(escape(skill.value), "skill", "", aliases(SKILL_ALIASES, skill))
    for entry in own:
        if entry.kind == SKILL_KIND:
            levels.add_row(escape(entry.name), "municipality skill", "", added(entry))
    console.print(levels)


def warn_locations(data: MunicipalityData, max_km: float, district_id: str | None = None) -> int:
    """Warn about patients and bases whose coordinates cannot be right; how many."""
    from hjemmetjeneste.travel.locations import location_issues

    issues = [i for i in location_issues(data, max_km) if district_id in (None, i.district_id)]
    for issue in issues:
        print_error(
            _("Warning: implausible location: {kind} {id} (district {district}) at {lat:.5f}, "
              "{lon:.5f}: {why}").format(
                kind=_(issue.kind), id=issue.record_id, district=issue.district_id,
                lat=issue.location.lat, lon=issue.location.lon,
                why=_(issue.reason).format(km=issue.km, limit=f"{issue.limit_km:g}"),
            )
        )  # fmt: skip
    return len(issues)


def warn_outside_every_shift(data: MunicipalityData, shown: int = 5) -> int:
    """Warn about tasks on the roster's dates that no defined shift covers (they would be in
    no plan); the number found."""
    from hjemmetjeneste.tasks import outside_every_shift

    found = [t for day in sorted({e.date for e in data.roster.entries}) for t in
             outside_every_shift(data, day)]  # fmt: skip
    if found:
        print_error(
            _(
                "Warning: {n} task(s) on the roster's dates lie outside every shift (the "
                "municipality defines {shifts}); they will be listed with every plan of their "
                "date, never planned:"
            ).format(n=len(found), shifts=shifts_in_words(data.municipality))
        )
        for task in found[:shown]:
            print_error(
                "  "
                + _("{task} (patient {patient}): {start}–{end}").format(
                    task=task.task_id, patient=task.patient_id,
                    start=f"{task.window_start:%H:%M}", end=f"{task.window_end:%H:%M}",
                )
            )  # fmt: skip
        if len(found) > shown:
            print_error("  " + _("... and {n} more").format(n=len(found) - shown))
    return len(found)


@app.command()
def synthetic(
    out: Annotated[Path, typer.Option(help="Folder (csv) or file (fhir .json / .ndjson).")],
    interventions: Annotated[int, typer.Option(help="How many interventions.", min=1)] = 100_000,
    fmt: Annotated[str, typer.Option("--format", help="csv, fhir or ndjson.")] = "csv",
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """Generate a large synthetic export (no real person) for tests and benchmarks."""
    from hjemmetjeneste.formats import write_export
    from hjemmetjeneste.formats.fhir import write_fhir_bundle, write_fhir_ndjson
    from hjemmetjeneste.synthetic.large import generate_synthetic

    if fmt not in ("csv", "fhir", "ndjson"):
        err_console.print("[red]--format must be csv, fhir or ndjson[/red]")
        raise typer.Exit(EXIT_INPUT)
    data = generate_synthetic(interventions, seed)
    if fmt == "csv":
        write_export(data, out)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        (write_fhir_bundle if fmt == "fhir" else write_fhir_ndjson)(data, out)
    console.print(
        f"Wrote {escape(str(out))}: {len(data.patients):,} patients, "
        f"{len(data.care_plans):,} care plans, "
        f"{interventions:,} interventions, {len(data.staff):,} staff."
    )
