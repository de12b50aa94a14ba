"""HL7 FHIR R4 exports: a Bundle (JSON) or NDJSON of Patient, CarePlan, Practitioner,
PractitionerRole and Location, validated with fhir.resources (R4B models) and mapped to
:class:`MunicipalityData`. The mapping is documented in ``docs/fhir-mapping.md``;
:func:`fhir_resources` writes the same mapping, so synthetic exports round-trip.

Errors name the file, the entry (1-based index in the Bundle, or line of the NDJSON file) as
the row, and ``ResourceType/id`` plus the JSON path as the field. National identity numbers
(fødselsnummer, D-number) in ``Patient.identifier`` are never read into the data, never
stored and never echoed in an error.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hjemmetjeneste.domain import (
    DEFAULT_SHIFTS,
    OSLO_TZ_NAME,
    Base,
    CarePlan,
    CompetenceLevel,
    District,
    Intervention,
    Municipality,
    MunicipalityData,
    Patient,
    Priority,
    ProblemArea,
    Roster,
    Schedule,
    ScheduleKind,
    Skill,
    Staff,
    TimeWindow,
    TravelMode,
)
from hjemmetjeneste.errors import InputIssue, PlanInputError
from hjemmetjeneste.formats.geocoding import AddressQuery, Geocoder

__all__ = [
    "EXT",
    "SUPPORTED_RESOURCES",
    "fhir_resources",
    "read_fhir",
    "write_fhir_bundle",
    "write_fhir_ndjson",
]

_BASE_URL = "https://hjemmetjeneste.no/fhir"
#: Extension URLs of this mapping (docs/fhir-mapping.md).
EXT = {
    name: f"{_BASE_URL}/StructureDefinition/{name}"
    for name in (
        "district",
        "base",
        "key-box-note",
        "tolerance",
        "time-window",
        "week-anchor",
        "required-competence",
        "required-skill",
        "staff-count",
        "priority",
        "time-critical",
        "travel-mode",
        "contracted-fte",
    )
}
GEOLOCATION = "http://hl7.org/fhir/StructureDefinition/geolocation"
PHYSICAL_TYPE = "http://terminology.hl7.org/CodeSystem/location-physical-type"
COMPETENCE_SYSTEM = f"{_BASE_URL}/CodeSystem/competence"
SKILL_SYSTEM = f"{_BASE_URL}/CodeSystem/skill"
PROBLEM_AREA_SYSTEM = f"{_BASE_URL}/CodeSystem/problem-area"
MUNICIPALITY_SYSTEM = "urn:oid:2.16.578.1.12.4.1.1.3402"  # assumed: kommunenummer
#: Norwegian national ids: fødselsnummer and D-number. Never stored or logged.
NATIONAL_ID_SYSTEMS = ("urn:oid:2.16.578.1.12.4.1.4.1", "urn:oid:2.16.578.1.12.4.1.4.2")
#: Health personnel categories (HPR) accepted as competence codes, besides our own values.
HPR_CATEGORIES = {
    "AS": CompetenceLevel.ASSISTANT,  # not an HPR category: unskilled assistant
    "HF": CompetenceLevel.HEALTH_WORKER,
    "VP": CompetenceLevel.SOCIAL_EDUCATOR,
    "SP": CompetenceLevel.NURSE,
}

SUPPORTED_RESOURCES = ("Patient", "CarePlan", "Practitioner", "PractitionerRole", "Location")
_SKILL_VALUES = frozenset(s.value for s in Skill)
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_AS_NEEDED_TEXT = {"as needed", "ved behov", "prn"}

#: Timing.repeat.when codes and the clock windows they stand for (before any offset).
WHEN_WINDOWS: dict[str, tuple[str, str]] = {
    "WAKE": ("07:00", "08:00"),
    "MORN": ("08:00", "10:00"),
    "MORN.early": ("07:30", "08:30"),
    "MORN.late": ("09:30", "11:00"),
    "NOON": ("11:30", "12:30"),
    "AFT": ("12:00", "17:00"),
    "AFT.early": ("12:00", "14:00"),
    "AFT.late": ("15:00", "17:00"),
    "EVE": ("18:00", "21:00"),
    "EVE.early": ("17:00", "19:00"),
    "EVE.late": ("20:00", "22:00"),
    "NIGHT": ("22:30", "23:59"),
    "HS": ("21:00", "22:00"),
    "C": ("08:00", "09:00"),
    "CM": ("08:00", "09:00"),
    "CD": ("12:00", "13:00"),
    "CV": ("17:00", "18:00"),
    "AC": ("07:30", "08:00"),
    "ACM": ("07:30", "08:00"),
    "ACD": ("11:30", "12:00"),
    "ACV": ("16:30", "17:00"),
    "PC": ("09:00", "09:30"),
    "PCM": ("09:00", "09:30"),
    "PCD": ("13:00", "13:30"),
    "PCV": ("18:00", "18:30"),
}
_UNSUPPORTED_REPEAT = (
    "count",
    "countMax",
    "durationMax",
    "frequencyMax",
    "periodMax",
    "boundsDuration",
    "boundsRange",
)


# --------------------------------------------------------------------------------------
# Reading resources
# --------------------------------------------------------------------------------------


@dataclass
class _Entry:
    row: int
    raw: dict[str, Any]
    model: Any

    @property
    def ref(self) -> str:
        return f"{self.raw.get('resourceType')}/{self.raw.get('id')}"


@dataclass
class _Reader:
    file: str
    issues: list[InputIssue] = field(default_factory=list)

    def add(self, row: int | None, where: str | None, message: str) -> None:
        self.issues.append(InputIssue(file=self.file, row=row, field=where, message=message))


def _raw_resources(path: Path, reader: _Reader) -> Iterator[tuple[int, Any]]:
    """(row, parsed JSON) of every resource in a Bundle or NDJSON file."""
    text_bytes = path.read_bytes()
    try:
        text = text_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = text_bytes.count(b"\n", 0, exc.start) + 1
        reader.add(None, None, f"not UTF-8 (byte 0x{text_bytes[exc.start]:02x} on line {line})")
        return
    if path.suffix.lower() == ".ndjson":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                reader.add(number, None, f"invalid JSON at column {exc.colno}: {exc.msg}")
        return
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        reader.add(None, None, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")
        return
    if not isinstance(document, dict) or document.get("resourceType") != "Bundle":
        found = document.get("resourceType") if isinstance(document, dict) else type(document)
        reader.add(None, "resourceType", f"expected a Bundle, found {found!r}")
        return
    entries = document.get("entry") or []
    if not isinstance(entries, list):
        reader.add(None, "entry", "expected a list of entries")
        return
    for number, entry in enumerate(entries, start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if resource is None:
            reader.add(number, "entry.resource", "entry has no resource")
            continue
        yield number, resource


def _loc_path(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _validate(row: int, raw: Any, reader: _Reader) -> _Entry | None:
    from fhir.resources.R4B import get_fhir_model_class

    if not isinstance(raw, dict):
        reader.add(row, None, f"expected a JSON object, found {type(raw).__name__}")
        return None
    rtype = raw.get("resourceType")
    ref = f"{rtype}/{raw.get('id')}"
    if rtype not in SUPPORTED_RESOURCES:
        reader.add(
            row,
            f"{ref} resourceType",
            f"unsupported resource type {rtype!r} (expected one of "
            f"{', '.join(SUPPORTED_RESOURCES)})",
        )
        return None
    if not raw.get("id"):
        reader.add(row, f"{rtype} id", "resource has no id")
        return None
    try:
        model = get_fhir_model_class(rtype).model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors()[:20]:
            reader.add(row, f"{ref} {_loc_path(error['loc'])}", _safe_message(error))
        return None
    return _Entry(row=row, raw=raw, model=model)


def _safe_message(error: Any) -> str:
    """A validation message without the offending value when it might be personal."""
    return str(error.get("msg", "invalid value"))


# --------------------------------------------------------------------------------------
# Small helpers over the models
# --------------------------------------------------------------------------------------


def _ext(element: Any, name: str) -> list[Any]:
    url = EXT[name]
    return [e for e in (getattr(element, "extension", None) or []) if e.url == url]


def _ext_value(element: Any, name: str, attr: str) -> Any:
    found = _ext(element, name)
    return getattr(found[0], attr) if found else None


def _ref_id(reference: Any, rtype: str) -> str | None:
    if reference is None or not reference.reference:
        return None
    text = reference.reference
    prefix = f"{rtype}/"
    return text[len(prefix) :] if text.startswith(prefix) else None


def _codes(concept: Any) -> list[tuple[str | None, str]]:
    if concept is None:
        return []
    out = [(c.system, c.code) for c in (concept.coding or []) if c.code]
    if concept.text:
        out.append((None, concept.text))
    return out


def _physical_type(model: Any) -> str | None:
    for _system, code in _codes(model.physicalType):
        return code
    return None


def _to_date(value: Any) -> date | None:
    if value is None:
        return None
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _minutes(value: float, unit: str | None) -> float | None:
    factor = {"s": 1 / 60, "min": 1.0, "h": 60.0, None: 1.0}.get(unit)
    return None if factor is None else value * factor


# --------------------------------------------------------------------------------------
# Mapping
# --------------------------------------------------------------------------------------


@dataclass
class _Context:
    reader: _Reader
    default_tolerance_min: int
    geocoder: Geocoder | None


def _location(ctx: _Context, entry: _Entry, require: bool) -> tuple[Any, str] | None:
    """(GeoPoint, address text) of a Patient's or Location's position or address."""
    model = entry.model
    if entry.raw["resourceType"] == "Location":
        address = model.address
        position = model.position
        address_text = _address_text(address)
        if position is not None:
            return {"lat": float(position.latitude), "lon": float(position.longitude)}, address_text
        return _geocode(ctx, entry, address, address_text, "address", require)
    addresses = model.address or []
    address = addresses[0] if addresses else None
    address_text = _address_text(address)
    if address is not None:
        geo = [e for e in (address.extension or []) if e.url == GEOLOCATION]
        if geo:
            values = {e.url: e.valueDecimal for e in (geo[0].extension or [])}
            if values.get("latitude") is None or values.get("longitude") is None:
                ctx.reader.add(
                    entry.row,
                    f"{entry.ref} address[0].extension(geolocation)",
                    "expected latitude and longitude sub-extensions",
                )
                return None
            return {
                "lat": float(values["latitude"]),
                "lon": float(values["longitude"]),
            }, address_text
    return _geocode(ctx, entry, address, address_text, "address[0]", require)


def _address_text(address: Any) -> str:
    if address is None:
        return ""
    if address.text:
        return address.text
    return ", ".join(
        p
        for p in [
            " ".join(address.line or []),
            " ".join(filter(None, [address.postalCode, address.city])),
        ]
        if p
    )


def _geocode(
    ctx: _Context, entry: _Entry, address: Any, text: str, path: str, require: bool
) -> tuple[Any, str] | None:
    if not require:
        return None
    if ctx.geocoder is None or not text:
        ctx.reader.add(
            entry.row,
            f"{entry.ref} {path}",
            "no coordinates (geolocation extension or Location.position) and "
            + ("no address" if not text else "no geocoder configured (docs/addresses.md)"),
        )
        return None
    street = " ".join(address.line or []) if address is not None and address.line else text
    point = ctx.geocoder.geocode(
        AddressQuery(address=street, postal_code=getattr(address, "postalCode", None))
    )
    if point is None:
        ctx.reader.add(
            entry.row,
            f"{entry.ref} {path}",
            f"address could not be resolved to coordinates by {ctx.geocoder.describe()}",
        )
        return None
    return {"lat": point.lat, "lon": point.lon}, text


def _parse_time(text: Any) -> time:
    if isinstance(text, time):
        return text
    return time.fromisoformat(str(text))


def _schedule(
    ctx: _Context, entry: _Entry, path: str, detail: Any
) -> tuple[Schedule, int, date | None, date | None] | None:
    """(schedule, duration_min, bounds start, bounds end) of an activity detail."""
    reader = ctx.reader
    timing = detail.scheduledTiming
    where = f"{entry.ref} {path}"
    if timing is None:
        text = (detail.scheduledString or "").strip().lower()
        if text in _AS_NEEDED_TEXT:
            reader.add(
                entry.row,
                f"{where}.scheduledString",
                "as-needed activities need a scheduledTiming with code 'ved behov' and a duration",
            )
        else:
            reader.add(entry.row, f"{where}.scheduledTiming", "expected a scheduledTiming")
        return None
    tpath = f"{where}.scheduledTiming"
    if timing.event:
        reader.add(entry.row, f"{tpath}.event", "unsupported Timing: fixed event dates")
        return None
    repeat = timing.repeat
    if repeat is None:
        reader.add(entry.row, f"{tpath}.repeat", "expected Timing.repeat")
        return None
    rpath = f"{tpath}.repeat"
    ok = True
    for name in _UNSUPPORTED_REPEAT:
        if getattr(repeat, name, None) is not None:
            reader.add(entry.row, f"{rpath}.{name}", f"unsupported Timing: {name}")
            ok = False
    if repeat.duration is None:
        reader.add(entry.row, f"{rpath}.duration", "expected the activity's duration")
        ok = False
        duration = None
    else:
        duration = _minutes(float(repeat.duration), repeat.durationUnit)
        if duration is None:
            reader.add(
                entry.row,
                f"{rpath}.durationUnit",
                f"expected 's', 'min' or 'h', found {repeat.durationUnit!r}",
            )
            ok = False
    bounds = repeat.boundsPeriod
    start = _to_date(bounds.start) if bounds is not None else None
    end = _to_date(bounds.end) if bounds is not None else None
    codes = {code.lower() for _s, code in _codes(timing.code)}
    if codes & _AS_NEEDED_TEXT:
        if not ok or duration is None:
            return None
        return Schedule(kind=ScheduleKind.AS_NEEDED), round(duration), start, end

    weekdays = frozenset(_DAYS.index(str(d)) + 1 for d in (repeat.dayOfWeek or []))
    times = tuple(_parse_time(t) for t in (repeat.timeOfDay or []))
    windows: list[TimeWindow] = []
    for ext in _ext(timing, "time-window"):
        try:
            a, b = str(ext.valueString).split("-")
            windows.append(TimeWindow(start=_parse_time(a), end=_parse_time(b)))
        except (ValueError, ValidationError):
            reader.add(
                entry.row,
                f"{tpath}.extension(time-window)",
                f"expected HH:MM-HH:MM with the end after the start, found {ext.valueString!r}",
            )
            ok = False
    offset = int(repeat.offset or 0)
    for code in repeat.when or []:
        code = str(code)
        if code not in WHEN_WINDOWS:
            reader.add(entry.row, f"{rpath}.when", f"unsupported Timing: when code {code!r}")
            ok = False
            continue
        a, b = (_parse_time(t) for t in WHEN_WINDOWS[code])
        shifted = [(t.hour * 60 + t.minute + offset) for t in (a, b)]
        if shifted[0] < 0 or shifted[1] > 23 * 60 + 59:
            reader.add(
                entry.row,
                f"{rpath}.offset",
                f"offset {offset} min moves {code!r} outside the day (impossible time)",
            )
            ok = False
            continue
        windows.append(
            TimeWindow(
                start=time(shifted[0] // 60, shifted[0] % 60),
                end=time(shifted[1] // 60, shifted[1] % 60),
            )
        )
    if times and windows:
        reader.add(entry.row, rpath, "unsupported Timing: both timeOfDay and when/time-window")
        ok = False
    per_day = len(times) or len(windows)
    if per_day == 0 and ok:
        reader.add(
            entry.row,
            rpath,
            "unsupported Timing: no timeOfDay, when or time-window says when in the day",
        )
        ok = False
    unit = repeat.periodUnit or "d"
    period = float(repeat.period) if repeat.period is not None else 1.0
    every_n_weeks = 1
    if unit == "d":
        if period != 1:
            reader.add(entry.row, f"{rpath}.period", f"unsupported Timing: every {period:g} days")
            ok = False
        days_per_period = 1
    elif unit == "wk":
        if period != int(period) or not 1 <= period <= 52:
            reader.add(entry.row, f"{rpath}.period", "expected a whole number of weeks 1-52")
            ok = False
        every_n_weeks = int(period)
        days_per_period = len(weekdays) or 7
    else:
        reader.add(entry.row, f"{rpath}.periodUnit", f"unsupported Timing: periodUnit {unit!r}")
        ok = False
        days_per_period = 1
    if repeat.frequency is not None and ok and int(repeat.frequency) != per_day * days_per_period:
        reader.add(
            entry.row,
            f"{rpath}.frequency",
            f"frequency {repeat.frequency} per {period:g} {unit} does not match the "
            f"{per_day} time(s) a day on {days_per_period} day(s)",
        )
        ok = False
    anchor = _ext_value(timing, "week-anchor", "valueDate") or start
    if every_n_weeks > 1 and anchor is None:
        reader.add(
            entry.row,
            f"{rpath}.boundsPeriod.start",
            "every n weeks needs a start date to count from",
        )
        ok = False
    tolerance = _ext_value(timing, "tolerance", "valueDuration")
    tolerance_min = ctx.default_tolerance_min
    if tolerance is not None:
        value = _minutes(float(tolerance.value or 0), tolerance.unit or tolerance.code)
        if value is None or not 0 <= value <= 720:
            reader.add(entry.row, f"{tpath}.extension(tolerance)", "expected 0-720 minutes")
            ok = False
        else:
            tolerance_min = round(value)
    if not ok or duration is None:
        return None
    try:
        schedule = Schedule(
            kind=ScheduleKind.FIXED if times else ScheduleKind.WINDOW,
            times=times,
            tolerance_min=tolerance_min if times else 0,
            windows=tuple(windows),
            weekdays=weekdays,
            every_n_weeks=every_n_weeks,
            week_anchor=_to_date(anchor) if every_n_weeks > 1 else None,
        )
    except ValidationError as exc:
        reader.add(entry.row, rpath, exc.errors()[0]["msg"])
        return None
    return schedule, round(duration), start, end


def _problem_area(detail: Any, plan: Any) -> ProblemArea | None:
    for concept in [*(detail.reasonCode or []), *(plan.category or [])]:
        for _system, code in _codes(concept):
            try:
                return ProblemArea(code)
            except ValueError:
                continue
    return None


def _competence_of(codes: Iterable[tuple[str | None, str]]) -> CompetenceLevel | None:
    best: CompetenceLevel | None = None
    for _system, code in codes:
        level = HPR_CATEGORIES.get(code)
        if level is None:
            try:
                level = CompetenceLevel(code)
            except ValueError:
                continue
        if best is None or level.rank > best.rank:
            best = level
    return best


def _default_competence(area: ProblemArea) -> CompetenceLevel:
    """Competence an activity needs when it carries no required-competence extension."""
    if area == ProblemArea.MEDICATION:
        return CompetenceLevel.SOCIAL_EDUCATOR
    if area == ProblemArea.ADVANCED_TREATMENT:
        return CompetenceLevel.NURSE
    return CompetenceLevel.ASSISTANT


def _interventions(ctx: _Context, entry: _Entry) -> tuple[str, list[Intervention]] | None:
    plan = entry.model
    reader = ctx.reader
    patient_id = _ref_id(plan.subject, "Patient")
    if patient_id is None:
        reader.add(entry.row, f"{entry.ref} subject", "expected a reference Patient/<id>")
        return None
    plan_start = _to_date(plan.period.start) if plan.period is not None else None
    out: list[Intervention] = []
    for index, activity in enumerate(plan.activity or []):
        path = f"activity[{index}].detail"
        detail = activity.detail
        if detail is None:
            reader.add(entry.row, f"{entry.ref} {path}", "expected an activity detail")
            continue
        if detail.status in ("cancelled", "entered-in-error", "stopped", "completed"):
            continue
        intervention_id = activity.id or f"{plan.id}-{index + 1}"
        area = _problem_area(detail, plan)
        if area is None:
            reader.add(
                entry.row,
                f"{entry.ref} {path}.reasonCode",
                "expected a problem area (problemområde) as reasonCode or CarePlan.category",
            )
        parsed = _schedule(ctx, entry, path, detail)
        competence_code = _ext_value(detail, "required-competence", "valueCode")
        competence = CompetenceLevel.ASSISTANT
        if competence_code is not None:
            found = _competence_of([(None, str(competence_code))])
            if found is None:
                reader.add(
                    entry.row,
                    f"{entry.ref} {path}.extension(required-competence)",
                    f"unknown competence {competence_code!r}",
                )
                continue
            competence = found
        elif area is not None:
            competence = _default_competence(area)
        if parsed is None or area is None:
            continue
        schedule, duration, start, end = parsed
        valid_from = start or plan_start
        if valid_from is None:
            reader.add(
                entry.row,
                f"{entry.ref} {path}.scheduledTiming.repeat.boundsPeriod.start",
                "expected a start date (or CarePlan.period.start)",
            )
            continue
        try:
            out.append(
                Intervention(
                    intervention_id=intervention_id,
                    patient_id=patient_id,
                    problem_area=area,
                    description=detail.description
                    or (detail.code.text if detail.code else "")
                    or "",
                    duration_min=duration,
                    schedule=schedule,
                    required_competence=competence,
                    required_skills=frozenset(
                        Skill(str(e.valueCode)) for e in _ext(detail, "required-skill")
                    ),
                    staff_count=int(_ext_value(detail, "staff-count", "valueInteger") or 1),
                    priority=Priority(_ext_value(detail, "priority", "valueCode") or "normal"),
                    time_critical=bool(_ext_value(detail, "time-critical", "valueBoolean")),
                    valid_from=valid_from,
                    valid_to=end,
                )
            )
        except (ValidationError, ValueError) as exc:
            message = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            reader.add(entry.row, f"{entry.ref} {path}", message)
    return patient_id, out


def read_fhir(
    path: Path,
    *,
    default_tolerance_min: int = 30,
    geocoder: Geocoder | None = None,
    on_resource: Callable[[int], None] | None = None,
) -> MunicipalityData:
    """Read a FHIR R4 Bundle (``.json``), an NDJSON file, or a folder of them.

    Everything is checked before anything is returned; all problems are raised together
    in one :class:`PlanInputError`. FHIR exports carry no roster: the result's roster is
    empty (import the roster as a table, ``docs/fhir-mapping.md``).
    """
    path = Path(path)
    files = (
        sorted(p for p in path.iterdir() if p.suffix.lower() in (".json", ".ndjson"))
        if path.is_dir()
        else [path]
    )
    if not files or not all(p.is_file() for p in files):
        raise PlanInputError([InputIssue(str(path), None, None, "no FHIR .json/.ndjson found")])
    readers: list[_Reader] = []
    entries: dict[str, list[_Entry]] = {r: [] for r in SUPPORTED_RESOURCES}
    ctxs: dict[int, _Context] = {}
    seen: dict[str, tuple[str, int]] = {}
    plan_items: list[tuple[str, int, dict[str, Any]]] = []
    for file in files:
        reader = _Reader(file.name)
        readers.append(reader)
        ctx = _Context(reader, default_tolerance_min, geocoder)
        for row, raw in _raw_resources(file, reader):
            if on_resource is not None:
                on_resource(1)
            ref = f"{raw.get('resourceType')}/{raw.get('id')}" if isinstance(raw, dict) else ""
            if ref in seen and raw.get("id"):
                other_file, other_row = seen[ref]
                reader.add(
                    row, f"{ref} id", f"duplicate id (first in {other_file} entry {other_row})"
                )
                continue
            if isinstance(raw, dict) and raw.get("resourceType") == "CarePlan" and raw.get("id"):
                seen[ref] = (file.name, row)
                plan_items.append((file.name, row, raw))  # validated and mapped below
                continue
            entry = _validate(row, raw, reader)
            if entry is None:
                continue
            seen[entry.ref] = (file.name, row)
            ctxs[id(entry)] = ctx
            entries[raw["resourceType"]].append(entry)
    by_file = {r.file: r for r in readers}
    prepared = _prepare_care_plans(plan_items, default_tolerance_min, by_file)
    mapped = (
        _map(entries, ctxs, readers[0], prepared, by_file)
        if not any(r.issues for r in readers)
        else None
    )
    all_issues = [i for r in readers for i in r.issues]
    if all_issues or mapped is None:
        if not all_issues:
            all_issues.append(InputIssue(str(path), None, None, "no municipality found"))
        raise PlanInputError(all_issues)
    return mapped


#: A CarePlan validated and mapped: (file, row, ref, care plan id, (patient, interventions)).
_Prepared = tuple[str, int, str, str, tuple[str, list[Intervention]] | None]
#: From this many CarePlans on, validation and mapping run in worker processes.
PARALLEL_MIN_CARE_PLANS = 2000
_CHUNK_CARE_PLANS = 500


def _care_plan_job(
    items: list[tuple[str, int, dict[str, Any]]], default_tolerance_min: int
) -> tuple[list[_Prepared], list[InputIssue]]:
    """Validate CarePlans with the R4B model and map their activities (no cross-references)."""
    readers: dict[str, _Reader] = {}
    out: list[_Prepared] = []
    for file, row, raw in items:
        reader = readers.setdefault(file, _Reader(file))
        entry = _validate(row, raw, reader)
        if entry is None:
            continue
        result = None
        if entry.model.status not in ("revoked", "completed", "entered-in-error"):
            result = _interventions(_Context(reader, default_tolerance_min, None), entry)
        out.append((file, row, entry.ref, entry.model.id, result))
    return out, [i for r in readers.values() for i in r.issues]


def _prepare_care_plans(
    items: list[tuple[str, int, dict[str, Any]]],
    default_tolerance_min: int,
    readers: dict[str, _Reader],
) -> list[_Prepared]:
    """All CarePlans validated and mapped, in chunks on worker processes when there are many.

    fhir.resources validation costs about a millisecond per activity, so a 10,000-plan
    export is spread over the machine's cores (fork; the workers only validate and map).
    """
    chunks = [
        items[start : start + _CHUNK_CARE_PLANS]
        for start in range(0, len(items), _CHUNK_CARE_PLANS)
    ]
    workers = min(len(chunks), os.cpu_count() or 1)
    if (
        len(items) < PARALLEL_MIN_CARE_PLANS
        or workers < 2
        or "fork" not in (multiprocessing.get_all_start_methods())
    ):
        results = [_care_plan_job(chunk, default_tolerance_min) for chunk in chunks]
    else:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            results = list(pool.map(_care_plan_job, chunks, [default_tolerance_min] * len(chunks)))
    prepared: list[_Prepared] = []
    for plans, issues in results:
        prepared += plans
        for issue in issues:
            readers[issue.file].issues.append(issue)
    return prepared


def _map(
    entries: dict[str, list[_Entry]],
    ctxs: dict[int, _Context],
    first: _Reader,
    prepared: list[_Prepared],
    readers: dict[str, _Reader],
) -> MunicipalityData | None:
    municipalities: list[tuple[_Entry, str]] = []
    districts: list[District] = []
    bases: list[Base] = []
    district_entries: list[_Entry] = []
    for entry in entries["Location"]:
        ctx = ctxs[id(entry)]
        kind = _physical_type(entry.model)
        if kind == "jdn":
            number = next(
                (
                    i.value
                    for i in (entry.model.identifier or [])
                    if i.system == MUNICIPALITY_SYSTEM
                ),
                entry.model.id,
            )
            municipalities.append((entry, number))
        elif kind == "area":
            district_entries.append(entry)
        elif kind in ("bu", "si", "wi", "ro"):
            located = _location(ctx, entry, require=True)
            if located is not None:
                bases.append(
                    Base(
                        base_id=entry.model.id,
                        name=entry.model.name or "",
                        address=located[1],
                        location=located[0],
                    )
                )
        else:
            ctx.reader.add(
                entry.row,
                f"{entry.ref} physicalType",
                "expected 'jdn' (municipality), 'area' (district) or 'bu' (base building)",
            )
    if len(municipalities) != 1:
        first.add(
            None,
            "Location(physicalType=jdn)",
            f"expected exactly one municipality Location, found {len(municipalities)}",
        )
        return None
    mun_entry, municipality_id = municipalities[0]
    municipality = Municipality(
        municipality_id=municipality_id,
        name=mun_entry.model.name or municipality_id,
        timezone=OSLO_TZ_NAME,
        shifts=DEFAULT_SHIFTS,
    )
    base_ids = {b.base_id for b in bases}
    for entry in district_entries:
        ctx = ctxs[id(entry)]
        base_ref = _ext_value(entry.model, "base", "valueReference")
        base_id = _ref_id(base_ref, "Location")
        if base_id is None or base_id not in base_ids:
            ctx.reader.add(
                entry.row,
                f"{entry.ref} extension(base)",
                f"expected a reference to a base Location, found {base_id!r}",
            )
            continue
        districts.append(
            District(
                district_id=entry.model.id,
                municipality_id=municipality_id,
                name=entry.model.name or "",
                base_id=base_id,
            )
        )
    # every district Location counts, mapped or not, so one bad district is one error
    district_ids = [e.model.id for e in district_entries]

    def district_of(entry: _Entry, reference: Any, path: str) -> str | None:
        district_id = _ref_id(reference, "Location")
        if district_id is None and len(district_ids) == 1:
            return district_ids[0]
        if district_id not in district_ids:
            ctxs[id(entry)].reader.add(
                entry.row, f"{entry.ref} {path}", f"unknown district {district_id!r}"
            )
            return None
        return district_id

    patients: list[Patient] = []
    for entry in entries["Patient"]:
        ctx = ctxs[id(entry)]
        model = entry.model
        district_id = district_of(
            entry, _ext_value(model, "district", "valueReference"), "extension(district)"
        )
        located = _location(ctx, entry, require=True)
        if district_id is None or located is None:
            continue
        name = model.name[0] if model.name else None
        display = (
            name.text
            if name and name.text
            else " ".join([*(name.given or []), name.family or ""]).strip()
            if name
            else ""
        )
        patients.append(
            Patient(
                patient_id=model.id,
                municipality_id=municipality_id,
                district_id=district_id,
                display_name=display,
                address=located[1],
                location=located[0],
                key_box_note=_ext_value(model, "key-box-note", "valueString"),
            )
        )
    # every Patient resource counts, mapped or not: one bad patient gives one error, not two
    patient_ids = {e.model.id for e in entries["Patient"]}

    roles: dict[str, _Entry] = {}
    for entry in entries["PractitionerRole"]:
        staff_id = _ref_id(entry.model.practitioner, "Practitioner")
        if staff_id is None:
            ctxs[id(entry)].reader.add(
                entry.row, f"{entry.ref} practitioner", "expected a reference Practitioner/<id>"
            )
            continue
        roles[staff_id] = entry
    staff: list[Staff] = []
    for entry in entries["Practitioner"]:
        ctx = ctxs[id(entry)]
        model = entry.model
        codes = [c for q in (model.qualification or []) for c in _codes(q.code)]
        competence = _competence_of(codes)
        if competence is None:
            ctx.reader.add(
                entry.row,
                f"{entry.ref} qualification",
                "expected a qualification giving the competence (e.g. 'sykepleier' or HPR 'SP')",
            )
            continue
        skill_codes = [code for system, code in codes if system == SKILL_SYSTEM]
        unknown = [code for code in skill_codes if code not in _SKILL_VALUES]
        if unknown:
            ctx.reader.add(
                entry.row, f"{entry.ref} qualification", f"unknown skill code(s) {unknown}"
            )
            continue
        skills = frozenset(Skill(code) for code in skill_codes)
        role = roles.get(model.id)
        if role is None:
            ctx.reader.add(
                entry.row, f"{entry.ref}", "expected a PractitionerRole naming the district"
            )
            continue
        locations = role.model.location or []
        district_id = district_of(role, locations[0] if locations else None, "location[0]")
        if district_id is None:
            continue
        name = model.name[0] if model.name else None
        try:
            staff.append(
                Staff(
                    staff_id=model.id,
                    municipality_id=municipality_id,
                    district_id=district_id,
                    first_name=(name.given[0] if name and name.given else ""),
                    competence=competence,
                    skills=skills,
                    travel_mode=TravelMode(
                        _ext_value(role.model, "travel-mode", "valueCode") or "car"
                    ),
                    contracted_fte=float(
                        _ext_value(role.model, "contracted-fte", "valueDecimal") or 1.0
                    ),
                )
            )
        except (ValidationError, ValueError) as exc:
            ctx.reader.add(entry.row, entry.ref, str(exc).splitlines()[0])

    care_plans: list[CarePlan] = []
    intervention_seen: dict[str, str] = {}
    for file, row, ref, plan_id, result in prepared:
        reader = readers[file]
        if result is None:
            continue
        patient_id, interventions = result
        if patient_id not in patient_ids:
            reader.add(row, f"{ref} subject", f"unknown patient reference Patient/{patient_id}")
            continue
        for item in interventions:
            if item.intervention_id in intervention_seen:
                reader.add(
                    row,
                    f"{ref} activity.id",
                    f"duplicate activity id {item.intervention_id!r} "
                    f"(also in {intervention_seen[item.intervention_id]})",
                )
            intervention_seen[item.intervention_id] = ref
        care_plans.append(
            CarePlan(
                care_plan_id=plan_id, patient_id=patient_id, interventions=tuple(interventions)
            )
        )
    if any(r.issues for r in readers.values()):
        return None
    try:
        return MunicipalityData(
            municipality=municipality,
            districts=tuple(districts),
            bases=tuple(bases),
            patients=tuple(patients),
            care_plans=tuple(care_plans),
            staff=tuple(staff),
            roster=Roster(),
        )
    except ValidationError as exc:
        first.add(None, None, exc.errors()[0]["msg"])
        return None


# --------------------------------------------------------------------------------------
# Writing (synthetic exports, round-trip tests)
# --------------------------------------------------------------------------------------


def _hm(value: time) -> str:
    return value.strftime("%H:%M:%S")


def _timing(item: Intervention) -> dict[str, Any]:
    s = item.schedule
    repeat: dict[str, Any] = {"duration": item.duration_min, "durationUnit": "min"}
    bounds = {"start": item.valid_from.isoformat()}
    if item.valid_to is not None:
        bounds["end"] = item.valid_to.isoformat()
    repeat["boundsPeriod"] = bounds
    timing: dict[str, Any] = {}
    if s.kind == ScheduleKind.AS_NEEDED:
        timing["code"] = {"text": "ved behov"}
        timing["repeat"] = repeat
        return timing
    extensions: list[dict[str, Any]] = []
    per_day = len(s.times) or len(s.windows)
    if s.times:
        repeat["timeOfDay"] = [_hm(t) for t in s.times]
        extensions.append(
            {
                "url": EXT["tolerance"],
                "valueDuration": {
                    "value": s.tolerance_min,
                    "unit": "min",
                    "code": "min",
                    "system": "http://unitsofmeasure.org",
                },
            }
        )
    for w in s.windows:
        extensions.append(
            {"url": EXT["time-window"], "valueString": f"{w.start:%H:%M}-{w.end:%H:%M}"}
        )
    if s.weekdays:
        repeat["dayOfWeek"] = [_DAYS[d - 1] for d in sorted(s.weekdays)]
    if s.weekdays or s.every_n_weeks > 1:
        repeat.update(
            frequency=per_day * (len(s.weekdays) or 7), period=s.every_n_weeks, periodUnit="wk"
        )
    else:
        repeat.update(frequency=per_day, period=1, periodUnit="d")
    if s.week_anchor is not None:
        extensions.append({"url": EXT["week-anchor"], "valueDate": s.week_anchor.isoformat()})
    if extensions:
        timing["extension"] = extensions
    timing["repeat"] = repeat
    return timing


def fhir_resources(data: MunicipalityData) -> list[dict[str, Any]]:
    """``data`` as FHIR R4 resources in the mapping ``read_fhir`` reads (roster excluded)."""
    m = data.municipality
    out: list[dict[str, Any]] = [
        {
            "resourceType": "Location",
            "id": f"municipality-{m.municipality_id}",
            "identifier": [{"system": MUNICIPALITY_SYSTEM, "value": m.municipality_id}],
            "name": m.name,
            "physicalType": {"coding": [{"system": PHYSICAL_TYPE, "code": "jdn"}]},
        }
    ]
    for b in data.bases:
        out.append(
            {
                "resourceType": "Location",
                "id": b.base_id,
                "name": b.name,
                "address": {"text": b.address},
                "position": {"latitude": b.location.lat, "longitude": b.location.lon},
                "physicalType": {"coding": [{"system": PHYSICAL_TYPE, "code": "bu"}]},
            }
        )
    for d in data.districts:
        out.append(
            {
                "resourceType": "Location",
                "id": d.district_id,
                "name": d.name,
                "physicalType": {"coding": [{"system": PHYSICAL_TYPE, "code": "area"}]},
                "partOf": {"reference": f"Location/municipality-{m.municipality_id}"},
                "extension": [
                    {"url": EXT["base"], "valueReference": {"reference": f"Location/{d.base_id}"}}
                ],
            }
        )
    for p in data.patients:
        extensions: list[dict[str, Any]] = [
            {"url": EXT["district"], "valueReference": {"reference": f"Location/{p.district_id}"}}
        ]
        if p.key_box_note is not None:
            extensions.append({"url": EXT["key-box-note"], "valueString": p.key_box_note})
        out.append(
            {
                "resourceType": "Patient",
                "id": p.patient_id,
                "extension": extensions,
                "name": [{"text": p.display_name}],
                "address": [
                    {
                        "text": p.address,
                        "extension": [
                            {
                                "url": GEOLOCATION,
                                "extension": [
                                    {"url": "latitude", "valueDecimal": p.location.lat},
                                    {"url": "longitude", "valueDecimal": p.location.lon},
                                ],
                            }
                        ],
                    }
                ],
            }
        )
    for s in data.staff:
        qualifications = [
            {"code": {"coding": [{"system": COMPETENCE_SYSTEM, "code": s.competence.value}]}}
        ] + [
            {"code": {"coding": [{"system": SKILL_SYSTEM, "code": k.value}]}}
            for k in sorted(s.skills)
        ]
        out.append(
            {
                "resourceType": "Practitioner",
                "id": s.staff_id,
                "name": [{"given": [s.first_name]}] if s.first_name else [],
                "qualification": qualifications,
            }
        )
        out.append(
            {
                "resourceType": "PractitionerRole",
                "id": f"role-{s.staff_id}",
                "practitioner": {"reference": f"Practitioner/{s.staff_id}"},
                "location": [{"reference": f"Location/{s.district_id}"}],
                "extension": [
                    {"url": EXT["travel-mode"], "valueCode": s.travel_mode.value},
                    {"url": EXT["contracted-fte"], "valueDecimal": s.contracted_fte},
                ],
            }
        )
    for c in data.care_plans:
        activities = []
        for i in c.interventions:
            # Only what differs from the reader's defaults is written (fewer elements).
            extensions: list[dict[str, Any]] = []
            if i.required_competence != _default_competence(i.problem_area):
                extensions.append(
                    {"url": EXT["required-competence"], "valueCode": i.required_competence.value}
                )
            if i.staff_count != 1:
                extensions.append({"url": EXT["staff-count"], "valueInteger": i.staff_count})
            if i.priority != Priority.NORMAL:
                extensions.append({"url": EXT["priority"], "valueCode": i.priority.value})
            if i.time_critical:
                extensions.append({"url": EXT["time-critical"], "valueBoolean": True})
            extensions += [
                {"url": EXT["required-skill"], "valueCode": k.value}
                for k in sorted(i.required_skills)
            ]
            activities.append(
                {
                    "id": i.intervention_id,
                    "detail": {
                        **({"extension": extensions} if extensions else {}),
                        "status": "scheduled",
                        "description": i.description,
                        "reasonCode": [
                            {
                                "coding": [
                                    {"system": PROBLEM_AREA_SYSTEM, "code": i.problem_area.value}
                                ]
                            }
                        ],
                        "scheduledTiming": _timing(i),
                    },
                }
            )
        out.append(
            {
                "resourceType": "CarePlan",
                "id": c.care_plan_id,
                "status": "active",
                "intent": "plan",
                "subject": {"reference": f"Patient/{c.patient_id}"},
                "activity": activities,
            }
        )
    return out


def write_fhir_bundle(data: MunicipalityData, path: Path) -> None:
    """Write ``data`` as one FHIR ``collection`` Bundle (JSON)."""
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in fhir_resources(data)],
    }
    Path(path).write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")


def write_fhir_ndjson(data: MunicipalityData, path: Path) -> None:
    """Write ``data`` as NDJSON, one resource per line."""
    with Path(path).open("w", encoding="utf-8") as handle:
        for resource in fhir_resources(data):
            handle.write(json.dumps(resource, ensure_ascii=False) + "\n")
