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
from hjemmetjeneste.domain import CatalogueName, MunicipalityData, catalogue_key
from hjemmetjeneste.errors import InputIssue, PlanInputError
from hjemmetjeneste.formats.geocoding import AddressRegister, Geocoder, ServiceGeocoder
from hjemmetjeneste.formats.schema import STORE_KINDS
from hjemmetjeneste.formats.tabular import TABULAR_FORMATS, detect_format, read_tabular
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
    known_headings: Callable[[str], Iterable[str]] | None = None,
) -> LoadedExport:
    """Read an export in any supported format (``auto`` detects it from the files).

    ``settings``, when given, supplies the geocoder (address register or service) and the
    default FHIR tolerance in place of ``geocoder`` and ``default_tolerance_min``.
    Raises :class:`~hjemmetjeneste.errors.PlanInputError` listing every problem.
    ``on_progress(n)`` is called as tables (n rows) or FHIR resources (n=1) are read.
    ``base`` (the store's data, ``import --partial``) lets a tabular export hold any subset
    of its files: the others come from ``base`` and are listed in ``partial_kinds``.
    Care-plan headings outside the catalogue (the standard headings, the export's
    ``problem_areas.csv``, those ``base`` uses and ``known_headings(municipality_id)``, the
    store's catalogue) are new entries (``new_problem_areas``), or errors with
    ``strict_catalogue``.
    """
    if settings is not None:
        geocoder = make_geocoder(
            settings.address_register, settings.geocoder_url, settings.geocoder_kind
        )
        default_tolerance_min = settings.default_tolerance_min
    with gc_paused():
        loaded = _read(path, fmt, geocoder, default_tolerance_min, on_progress, base)
    folder = Path(path) if Path(path).is_dir() else Path(path).parent
    listed = catalogue_file_headings(folder)
    municipality_id = loaded.data.municipality.municipality_id
    stored = () if known_headings is None else known_headings(municipality_id)
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
                InputIssue(
                    str(path),
                    None,
                    "problem_area",
                    f"care-plan heading {name!r} ({count} intervention(s)) is not in the "
                    "catalogue: add it to problem_areas.csv, or import without "
                    "--strict-catalogue",
                )
                for name, count in new
            ]
        )
    return dataclasses.replace(
        loaded, new_problem_areas=new, catalogue_file=listed, own_headings=tuple(used)
    )


#: The export's own catalogue of care-plan headings: one heading a row, column ``name``.
CATALOGUE_FILES = ("problem_areas.csv", "problemområder.csv")


def _own_headings(data: MunicipalityData) -> dict[str, int]:
    """Headings outside the standard catalogue the interventions use, and how often."""
    counts: dict[str, int] = {}
    for plan in data.care_plans:
        for item in plan.interventions:
            if isinstance(item.problem_area, CatalogueName):
                counts[str(item.problem_area)] = counts.get(str(item.problem_area), 0) + 1
    return counts


def catalogue_file_headings(folder: Path) -> tuple[str, ...]:
    """The headings the export's catalogue file(s) in ``folder`` list, in file order."""
    listed: list[str] = []
    for name in CATALOGUE_FILES:
        if (folder / name).is_file():
            with (folder / name).open(encoding="utf-8-sig", newline="") as handle:
                sample = handle.readline()
                handle.seek(0)
                separator = ";" if sample.count(";") > sample.count(",") else ","
                for row in csv.DictReader(handle, delimiter=separator):
                    value = " ".join((row.get("name") or row.get("navn") or "").split())
                    if value:
                        listed.append(value)
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
        path, fmt, geocoder=geocoder, on_table=on_table, base=base, from_base=from_base
    )
    kinds = tuple(k for f in sorted(from_base) for k in STORE_KINDS[f])
    return LoadedExport(data=data, format=fmt, partial_kinds=kinds)
