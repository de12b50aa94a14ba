"""The one entry point for every export format: detect it, read it, say what it covers.

``import``, ``plan EXPORT``, ``check --data EXPORT``, the API upload and the benchmarks all
read exports here, so whatever one of them accepts the others accept too.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from hjemmetjeneste._gc import gc_paused
from hjemmetjeneste.domain import (
    COMPETENCE_KIND,
    PROBLEM_AREA_KIND,
    SKILL_KIND,
    Catalogue,
    CatalogueItem,
    CatalogueName,
    CompetenceTitle,
    MunicipalityData,
    catalogue_key,
    competence_level,
)
from hjemmetjeneste.errors import InputIssue, PlanInputError
from hjemmetjeneste.formats.geocoding import AddressRegister, Geocoder, ServiceGeocoder
from hjemmetjeneste.formats.schema import STORE_KINDS
from hjemmetjeneste.formats.tabular import TABULAR_FORMATS, detect_format, read_tabular
from hjemmetjeneste.i18n import N_
from hjemmetjeneste.settings import Settings

__all__ = ["EXPORT_FORMATS", "LoadedExport", "make_geocoder", "read_export", "read_plan_export"]

EXPORT_FORMATS = ("auto", *TABULAR_FORMATS, "fhir")


@dataclass(frozen=True)
class LoadedExport:
    """A validated export, its format, and the kinds of record it does not carry in full."""

    data: MunicipalityData
    format: str
    partial_kinds: tuple[str, ...] = ()
    skipped: tuple[tuple[str, int], ...] = ()
    """FHIR resource types the planner does not need, and how many were skipped."""
    new_problem_areas: tuple[tuple[str, int], ...] = ()
    """Care-plan headings in neither the standard catalogue nor the export's catalogue file
    (``problem_areas.csv``) nor the store's: added as the municipality's own, with how many
    interventions."""
    catalogue_file: tuple[str, ...] = ()
    """The headings the export's catalogue file lists (the municipality's own catalogue)."""
    own_headings: tuple[str, ...] = ()
    """Every heading outside the standard catalogue that the interventions use."""
    listed_items: tuple[CatalogueItem, ...] = ()
    """The competence titles (with their level) and skills the catalogue file lists."""
    new_items: tuple[CatalogueItem, ...] = ()
    """The titles and skills the export uses that no catalogue held (see ``new_entries``)."""
    new_entries: tuple[tuple[str, str, int], ...] = ()
    """(kind, name, uses) of the titles and skills no catalogue held, added as the
    municipality's own: a title at the lowest level (assistent), a skill as written."""


def make_geocoder(
    address_register: Path | None, geocoder_url: str | None, geocoder_kind: str = "nominatim"
) -> Geocoder | None:
    """The configured geocoder: the local address register first, else the service, else None."""
    if address_register is not None:
        return AddressRegister.from_csv(address_register)
    if geocoder_url:
        return ServiceGeocoder(geocoder_url, geocoder_kind)
    return None


def read_plan_export(
    path: Path,
    fmt: str = "auto",
    *,
    geocoder: Geocoder | None = None,
    default_tolerance_min: int = 30,
    on_progress: Callable[[int], None] | None = None,
    settings: Settings | None = None,
    base: MunicipalityData | None = None,
    strict_catalogue: bool = False,
    known_catalogue: Callable[[str | None], Iterable[CatalogueItem]] | None = None,
) -> LoadedExport:
    """Read an export in any supported format (``auto`` detects it from the files).

    ``settings``, when given, supplies the geocoder (address register or service) and the
    default FHIR tolerance in place of ``geocoder`` and ``default_tolerance_min``.
    Raises :class:`~hjemmetjeneste.errors.PlanInputError` listing every problem.
    ``on_progress(n)`` is called as tables (n rows) or FHIR resources (n=1) are read.
    ``base`` (the store's data, ``import --partial``) lets a tabular export hold any subset
    of its files: the others come from ``base`` and are listed in ``partial_kinds``.
    Care-plan headings, competence titles and skills outside the catalogue (the standard
    values, the export's catalogue file, those ``base`` uses and
    ``known_catalogue(municipality_id)``, the store's entries) are new entries
    (``new_problem_areas``, ``new_entries``), or errors with ``strict_catalogue``.
    """
    if settings is not None:
        geocoder = make_geocoder(
            settings.address_register, settings.geocoder_url, settings.geocoder_kind
        )
        default_tolerance_min = settings.default_tolerance_min
    folder = Path(path) if Path(path).is_dir() else Path(path).parent
    items = read_catalogue_file(folder)
    # the store's entries: of the municipality of a partial import, else of the store's only one
    mid = None if base is None else base.municipality.municipality_id
    stored_items = () if known_catalogue is None else tuple(known_catalogue(mid))
    catalogue = Catalogue((*items, *stored_items, *_base_items(base)), strict=strict_catalogue)
    with gc_paused():
        loaded = _read(path, fmt, geocoder, default_tolerance_min, on_progress, base, catalogue)
    if loaded.format == "fhir":
        _activity_skills(loaded.data, catalogue, path)
    listed = tuple(i.name for i in items if i.kind == PROBLEM_AREA_KIND)
    if known_catalogue is not None and loaded.data.municipality.municipality_id != mid:
        stored_items = tuple(known_catalogue(loaded.data.municipality.municipality_id))
    stored = tuple(i.name for i in stored_items if i.kind == PROBLEM_AREA_KIND)
    used = _own_headings(loaded.data)
    known = {catalogue_key(n) for n in (*listed, *stored)} | {
        catalogue_key(str(i.problem_area))
        for plan in (base.care_plans if base is not None else ())
        for i in plan.interventions
    }
    new = tuple(sorted((n, c) for n, c in used.items() if catalogue_key(n) not in known))
    if new and strict_catalogue:
        raise PlanInputError(
            [
                InputIssue.of(
                    str(path),
                    None,
                    "problem_area",
                    N_(
                        "care-plan heading {name!r} ({n} intervention(s)) is not in the "
                        "catalogue: add it to problem_areas.csv, or import without "
                        "--strict-catalogue"
                    ),
                    name=name,
                    n=count,
                )
                for name, count in new
            ]
        )
    return dataclasses.replace(
        loaded,
        new_problem_areas=new,
        catalogue_file=listed,
        own_headings=tuple(used),
        listed_items=tuple(i for i in items if i.kind != PROBLEM_AREA_KIND),
        new_items=tuple(catalogue.new_items()),
        new_entries=tuple((k, n, c) for (k, n), c in sorted(catalogue.new.items())),
    )


def _activity_skills(data: MunicipalityData, catalogue: Catalogue, path: Path) -> None:
    """FHIR activities' skills (``ext:required-skill``, read outside the catalogue, in the
    CarePlan workers) against the catalogue: new ones counted, or refused when strict."""
    issues: list[InputIssue] = []
    for plan in data.care_plans:
        for item in plan.interventions:
            for name in (*item.required_skills, *item.second_staff_skills):
                if isinstance(name, CatalogueName):
                    try:
                        catalogue.skill(str(name))
                    except ValueError as exc:
                        where = f"CarePlan/{plan.care_plan_id}"
                        issues.append(InputIssue.from_error(str(path), None, where, exc))
    if issues:
        raise PlanInputError(issues)


def _base_items(base: MunicipalityData | None) -> list[CatalogueItem]:
    """The own titles (with their level) and skills the store's data already uses."""
    if base is None:
        return []
    items = [
        CatalogueItem(COMPETENCE_KIND, str(s.competence), s.competence.level)
        for s in base.staff
        if isinstance(s.competence, CompetenceTitle)
    ]
    skills = {k for s in base.staff for k in s.skills} | {
        k for p in base.care_plans for i in p.interventions for k in i.required_skills
    }
    return items + [
        CatalogueItem(SKILL_KIND, str(k)) for k in skills if isinstance(k, CatalogueName)
    ]


#: The export's own catalogue: one entry a row; columns ``name`` and optionally ``kind``
#: (problem_area, the default; competence; skill), ``level`` (the level a competence title
#: counts as) and ``aliases`` (other spellings, separated by ``|``). Norwegian headers and
#: kinds are understood too (navn, type, nivå, alias; problemområde, kompetanse, ferdighet).
CATALOGUE_FILES = ("catalogue.csv", "katalog.csv", "problem_areas.csv", "problemområder.csv")
_KINDS = {
    "": PROBLEM_AREA_KIND,
    "problem_area": PROBLEM_AREA_KIND,
    "problemområde": PROBLEM_AREA_KIND,
    "heading": PROBLEM_AREA_KIND,
    "competence": COMPETENCE_KIND,
    "kompetanse": COMPETENCE_KIND,
    "title": COMPETENCE_KIND,
    "tittel": COMPETENCE_KIND,
    "skill": SKILL_KIND,
    "ferdighet": SKILL_KIND,
}


def _own_headings(data: MunicipalityData) -> dict[str, int]:
    """Headings outside the standard catalogue the interventions use, and how often."""
    counts: dict[str, int] = {}
    for plan in data.care_plans:
        for item in plan.interventions:
            if isinstance(item.problem_area, CatalogueName):
                counts[str(item.problem_area)] = counts.get(str(item.problem_area), 0) + 1
    return counts


def read_catalogue_file(folder: Path) -> tuple[CatalogueItem, ...]:
    """The entries the export's catalogue file(s) in ``folder`` list, in file order.

    Raises :class:`PlanInputError` naming file, row and column of every bad row (an unknown
    kind, a competence title without a level it counts as)."""
    listed: list[CatalogueItem] = []
    issues: list[InputIssue] = []
    for name in CATALOGUE_FILES:
        if not (folder / name).is_file():
            continue
        with (folder / name).open(encoding="utf-8-sig", newline="") as handle:
            sample = handle.readline()
            handle.seek(0)
            separator = ";" if sample.count(";") > sample.count(",") else ","
            for number, raw in enumerate(csv.DictReader(handle, delimiter=separator), start=1):
                row = {str(k).strip().casefold(): (v or "").strip() for k, v in raw.items()}
                value = " ".join((row.get("name") or row.get("navn") or "").split())
                if not value:
                    continue
                kind = _KINDS.get(catalogue_key(row.get("kind") or row.get("type") or ""))
                if kind is None:
                    issues.append(
                        InputIssue.of(
                            name,
                            number,
                            "kind",
                            N_(
                                "unknown kind {value!r}: expected problem_area, competence or skill"
                            ),
                            value=row.get("kind") or row.get("type"),
                        )
                    )
                    continue
                level_text = row.get("level") or row.get("nivå") or ""
                level = competence_level(level_text) if level_text else None
                if kind == COMPETENCE_KIND and level is None:
                    issues.append(
                        InputIssue.of(
                            name,
                            number,
                            "level",
                            N_(
                                "competence title {name!r} needs the level it counts as, one "
                                "of assistent, helsefagarbeider, vernepleier, sykepleier, "
                                "spesialsykepleier (found {value!r})"
                            ),
                            name=value,
                            value=level_text,
                        )
                    )
                    continue
                aliases = tuple(
                    " ".join(a.split())
                    for a in (row.get("aliases") or row.get("alias") or "").split("|")
                    if a.strip()
                )
                listed.append(CatalogueItem(kind, value, level, aliases))
    if issues:
        raise PlanInputError(issues)
    return tuple(listed)


def read_export(
    path: Path,
    fmt: str = "auto",
    *,
    geocoder: Geocoder | None = None,
    default_tolerance_min: int = 30,
    on_progress: Callable[[int], None] | None = None,
    settings: Settings | None = None,
) -> MunicipalityData:
    """The validated data of an export in any supported format: :func:`read_plan_export`
    without the format and coverage (what a one-off plan or check needs)."""
    return read_plan_export(
        path,
        fmt,
        geocoder=geocoder,
        default_tolerance_min=default_tolerance_min,
        on_progress=on_progress,
        settings=settings,
    ).data


def _read(
    path: Path,
    fmt: str,
    geocoder: Geocoder | None,
    default_tolerance_min: int,
    on_progress: Callable[[int], None] | None,
    base: MunicipalityData | None = None,
    catalogue: Catalogue | None = None,
) -> LoadedExport:
    path = Path(path)
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}")
    if fmt == "auto":
        fmt = detect_format(path)
    if fmt == "fhir":
        from hjemmetjeneste.formats.fhir import read_fhir

        skipped: dict[str, int] = {}
        data = read_fhir(
            path,
            default_tolerance_min=default_tolerance_min,
            geocoder=geocoder,
            on_resource=on_progress,
            skipped=skipped,
            catalogue=catalogue,
        )
        return LoadedExport(
            data=data,
            format=fmt,
            partial_kinds=("roster",),
            skipped=tuple(sorted(skipped.items())),
        )
    on_table = None if on_progress is None else (lambda _file, rows: on_progress(rows))
    from_base: set[str] = set()
    data = read_tabular(
        path,
        fmt,
        geocoder=geocoder,
        on_table=on_table,
        base=base,
        from_base=from_base,
        catalogue=catalogue,
    )
    kinds = tuple(k for f in sorted(from_base) for k in STORE_KINDS[f])
    return LoadedExport(data=data, format=fmt, partial_kinds=kinds)
