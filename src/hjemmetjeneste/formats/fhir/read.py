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

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hjemmetjeneste.domain import (
    DEFAULT_SHIFTS,
    OSLO_TZ_NAME,
    Base,
    CarePlan,
    Catalogue,
    CatalogueName,
    CompetenceLevel,
    CompetenceTitle,
    District,
    Intervention,
    Municipality,
    MunicipalityData,
    Patient,
    Priority,
    ProblemArea,
    Roster,
    Skill,
    Staff,
    TravelMode,
    problem_area,
    skill,
)
from hjemmetjeneste.errors import InputIssue, PlanInputError, Term, pydantic_reason
from hjemmetjeneste.formats.fhir.codes import (
    COMPETENCE_SYSTEM,
    GEOLOCATION,
    HPR_CATEGORIES,
    MUNICIPALITY_SYSTEM,
    NO_BASIS_MUNICIPALITY,
    SKILL_SYSTEM,
    SUPPORTED_RESOURCES,
    _default_competence,
)
from hjemmetjeneste.formats.fhir.mapping import (
    MAPPING_FILE,
    FhirMapping,
    find_mapping,
    load_mapping,
)
from hjemmetjeneste.formats.fhir.resources import (
    _codes,
    _Context,
    _Entry,
    _ext,
    _ext_value,
    _physical_type,
    _raw_resources,
    _Reader,
    _ref_id,
    _to_date,
    _validate,
)
from hjemmetjeneste.formats.fhir.timing import _schedule
from hjemmetjeneste.formats.geocoding import AddressQuery, Geocoder
from hjemmetjeneste.i18n import N_

__all__ = ["read_fhir"]


def _location(ctx: _Context, entry: _Entry, require: bool) -> tuple[Any, str] | None:
    """(GeoPoint, address text) of a Patient's or Location's position or address."""
    model = entry.model
    if entry.raw["resourceType"] == "Location":
        address = model.address
        position = model.position
        address_text = _address_text(address)
        if position is not None:
            point = (float(position.latitude), float(position.longitude))
            return _point(ctx, entry, "position", point, address_text)
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
                    N_("expected latitude and longitude sub-extensions"),
                )
                return None
            where = "address[0].extension(geolocation)"
            point = (float(values["latitude"]), float(values["longitude"]))
            return _point(ctx, entry, where, point, address_text)
    return _geocode(ctx, entry, address, address_text, "address[0]", require)


def _point(
    ctx: _Context, entry: _Entry, where: str, point: tuple[float, float], address_text: str
) -> tuple[Any, str] | None:
    """(GeoPoint fields, address text), or an issue when the position is no coordinate (a
    damaged export: ``634262.0`` for ``63.4262``) — never a validation error escaping."""
    lat, lon = point
    if -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0:
        return {"lat": lat, "lon": lon}, address_text
    ctx.reader.add(
        entry.row,
        f"{entry.ref} {where}",
        N_("({lat}, {lon}) is no coordinate (lat -90..90, lon -180..180)"),
        lat=lat,
        lon=lon,
    )
    return None


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
            N_("no coordinates (geolocation extension or Location.position) and no address")
            if not text
            else N_(
                "no coordinates (geolocation extension or Location.position) and no geocoder "
                "configured (docs/addresses.md)"
            ),
        )
        return None
    street = " ".join(address.line or []) if address is not None and address.line else text
    numbers = _municipality_numbers(address) if address is not None else []
    point = ctx.geocoder.geocode(
        AddressQuery(
            address=street,
            postal_code=getattr(address, "postalCode", None),
            municipality_number=numbers[0] if numbers else None,
        )
    )
    if point is None:
        ctx.reader.add(
            entry.row,
            f"{entry.ref} {path}",
            N_("address could not be resolved to coordinates by {geocoder}"),
            geocoder=ctx.geocoder.describe(),
        )
        return None
    return {"lat": point.lat, "lon": point.lon}, text


def _problem_area(
    detail: Any, plan: Any, mapped: dict[str, str]
) -> ProblemArea | CatalogueName | None:
    """The heading from reasonCode, CarePlan.category, the displays of CarePlan.addresses or
    the activity's code: the first the mapping file maps, else the first that names a
    standard heading (any case or alias); else the first ``text`` of reasonCode or category
    as the municipality's own heading."""
    concepts = [*(detail.reasonCode or []), *(plan.category or [])]
    texts: list[str] = []
    for concept in concepts:
        texts += [code for _system, code in _codes(concept)]
        for coding in concept.coding or []:
            if coding.display:
                texts.append(coding.display)
    texts += [a.display for a in plan.addresses or [] if a.display]
    texts += [code for _system, code in _codes(detail.code)]
    for concept in [detail.code] if detail.code is not None else []:
        texts += [c.display for c in concept.coding or [] if c.display]
    for text in texts:
        if text.strip().casefold() in mapped:
            return problem_area(mapped[text.strip().casefold()])
    for text in texts:
        area = problem_area(text) if text.strip() else None
        if isinstance(area, ProblemArea):
            return area
    for concept in concepts:
        if concept.text and concept.text.strip():
            return problem_area(concept.text)
    return None


def _team_keys(raw: dict[str, Any], keys: dict[str, list[str]]) -> None:
    """A CareTeam (read raw, not imported) gives its patient and its practitioners the keys
    ``CareTeam/<id>`` and its managing and member organizations, for the mapping file."""

    def refs(values: Any) -> list[str]:
        items = values if isinstance(values, list) else [values]
        return [str(v["reference"]) for v in items if isinstance(v, dict) and v.get("reference")]

    members = refs([p.get("member") for p in raw.get("participant") or [] if isinstance(p, dict)])
    team = [f"CareTeam/{raw.get('id')}"] if raw.get("id") else []
    team += refs(raw.get("managingOrganization") or [])
    team += [r for r in members if r.startswith("Organization/")]
    for who in [*refs(raw.get("subject")), *members]:
        if who.startswith(("Patient/", "Practitioner/")):
            keys.setdefault(who, []).extend(team)


def _patient_keys(model: Any) -> list[str]:
    """What may name a patient's district in the mapping file: the managing organization and
    general practitioner references, the municipality numbers (HL7 Norway no-basis
    ``no-basis-municipalitycode`` on the address or its ``district``) and postcodes."""
    keys = [
        r.reference
        for r in [model.managingOrganization, *(model.generalPractitioner or [])]
        if r is not None and r.reference
    ]
    for address in model.address or []:
        keys += _municipality_numbers(address)
        if address.postalCode:
            keys.append(address.postalCode)
    return keys


def _municipality_numbers(address: Any) -> list[str]:
    """Municipality numbers of an Address (HL7 Norway no-basis ``no-basis-municipalitycode``,
    on the address or on its ``district`` element)."""
    return [
        str(ext.valueCoding.code)
        for holder in (address, getattr(address, "district__ext", None))
        for ext in getattr(holder, "extension", None) or []
        if ext.url == NO_BASIS_MUNICIPALITY and ext.valueCoding is not None
    ]


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


def _qualifications(
    codes: list[tuple[str | None, str]], mapping: FhirMapping, catalogue: Catalogue
) -> tuple[CompetenceLevel | CompetenceTitle | None, frozenset[Skill | CatalogueName]]:
    """A Practitioner's competence and skills from its qualification codes: the codes the
    mapping file maps (to a title or a skill, read against the catalogue), HPR categories,
    level values and the project's skill codes. The highest-ranked competence wins; none
    gives the mapping's default."""
    found: list[CompetenceLevel | CompetenceTitle] = [
        catalogue.competence(mapping.competence[code])
        for _s, code in codes
        if code in mapping.competence
    ]
    found += [level] if (level := _competence_of(codes)) is not None else []
    found += [  # the municipality's own titles in the project's code system
        catalogue.competence(code)
        for system, code in codes
        if system == COMPETENCE_SYSTEM and _competence_of([(system, code)]) is None
    ]
    skills = frozenset(
        catalogue.skill(mapping.skills.get(code, code))
        for system, code in codes
        if system == SKILL_SYSTEM or code in mapping.skills
    )
    best = max(found, key=lambda c: c.rank, default=mapping.default_competence)
    return best, skills


def _interventions(ctx: _Context, entry: _Entry) -> tuple[str, list[Intervention]] | None:
    plan = entry.model
    reader = ctx.reader
    patient_id = _ref_id(plan.subject, "Patient")
    if patient_id is None:
        reader.add(entry.row, f"{entry.ref} subject", N_("expected a reference Patient/<id>"))
        return None
    plan_start = _to_date(plan.period.start) if plan.period is not None else None
    out: list[Intervention] = []
    for index, activity in enumerate(plan.activity or []):
        path = f"activity[{index}].detail"
        detail = activity.detail
        if detail is None:
            reader.add(entry.row, f"{entry.ref} {path}", N_("expected an activity detail"))
            continue
        if detail.status in ("cancelled", "entered-in-error", "stopped", "completed"):
            continue
        intervention_id = activity.id or f"{plan.id}-{index + 1}"
        area = _problem_area(detail, plan, ctx.problem_areas)
        if area is None:
            reader.add(
                entry.row,
                f"{entry.ref} {path}.reasonCode",
                N_(
                    "expected a problem area (problemområde) in reasonCode, CarePlan.category, "
                    "CarePlan.addresses or the activity code"
                ),
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
                    N_("unknown competence {value!r}"),
                    value=competence_code,
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
                N_("expected a start date (or CarePlan.period.start)"),
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
                        skill(str(e.valueCode)) for e in _ext(detail, "required-skill")
                    ),
                    staff_count=int(_ext_value(detail, "staff-count", "valueInteger") or 1),
                    priority=Priority(_ext_value(detail, "priority", "valueCode") or "normal"),
                    time_critical=bool(_ext_value(detail, "time-critical", "valueBoolean")),
                    valid_from=valid_from,
                    valid_to=end,
                    second_staff_competence=_ext_value(
                        detail, "second-staff-competence", "valueCode"
                    ),
                    second_staff_skills=frozenset(
                        skill(str(e.valueCode)) for e in _ext(detail, "second-staff-skill")
                    ),
                )
            )
        except (ValidationError, ValueError) as exc:
            if isinstance(exc, ValidationError):
                why = pydantic_reason(exc.errors()[0])
                reader.issues.append(
                    InputIssue.because(reader.file, entry.row, f"{entry.ref} {path}", why)
                )
            else:
                reader.issues.append(
                    InputIssue.from_error(reader.file, entry.row, f"{entry.ref} {path}", exc)
                )
    return patient_id, out


def read_fhir(
    path: Path,
    *,
    default_tolerance_min: int = 30,
    geocoder: Geocoder | None = None,
    on_resource: Callable[[int], None] | None = None,
    skipped: dict[str, int] | None = None,
    default_duration_min: int | None = None,
    mapping: FhirMapping | None = None,
    catalogue: Catalogue | None = None,
) -> MunicipalityData:
    """Read a FHIR R4 Bundle (``.json``), an NDJSON file, or a folder of them.

    Resource types the planner does not need (Encounter, Condition, ...) are skipped;
    ``skipped``, when given, receives how many of each type.

    ``mapping`` (else ``fhir-mapping.toml`` in the folder or beside the file, if there is
    one) fills in what an EHR bundle does not say: municipality, bases, districts, competence
    codes, defaults (docs/fhir-mapping.md). Competence titles and skills the mapping names
    are read against ``catalogue`` (the municipality's own entries; strict or not).

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
        message = N_("no FHIR .json/.ndjson found")
        raise PlanInputError([InputIssue.of(str(path), None, None, message)])
    if mapping is None:
        mapping_file = find_mapping(path)
        mapping = load_mapping(mapping_file) if mapping_file is not None else FhirMapping()
    if default_duration_min is None:
        default_duration_min = mapping.default_duration_min
    areas = {key.strip().casefold(): value for key, value in mapping.problem_areas.items()}
    readers: list[_Reader] = []
    entries: dict[str, list[_Entry]] = {r: [] for r in SUPPORTED_RESOURCES}
    ctxs: dict[int, _Context] = {}
    seen: dict[str, tuple[str, int]] = {}
    plan_items: list[tuple[str, int, dict[str, Any]]] = []
    team_keys: dict[str, list[str]] = {}
    for file in files:
        reader = _Reader(file.name)
        readers.append(reader)
        ctx = _Context(
            reader,
            default_tolerance_min,
            geocoder,
            default_duration_min,
            areas,
            mapping.default_schedule,
        )
        for row, raw in _raw_resources(file, reader):
            if on_resource is not None:
                on_resource(1)
            ref = f"{raw.get('resourceType')}/{raw.get('id')}" if isinstance(raw, dict) else ""
            if ref in seen and raw.get("id"):
                other_file, other_row = seen[ref]
                reader.add(
                    row,
                    f"{ref} id",
                    N_("duplicate id (first in {file} entry {row})"),
                    file=other_file,
                    row=other_row,
                )
                continue
            if isinstance(raw, dict) and raw.get("resourceType") == "CarePlan" and raw.get("id"):
                seen[ref] = (file.name, row)
                plan_items.append((file.name, row, raw))  # validated and mapped below
                continue
            if isinstance(raw, dict) and raw.get("resourceType") == "CareTeam":
                _team_keys(raw, team_keys)  # still skipped and counted below
            entry = _validate(row, raw, reader)
            if entry is None:
                continue
            seen[entry.ref] = (file.name, row)
            ctxs[id(entry)] = ctx
            entries[raw["resourceType"]].append(entry)
    if skipped is not None:
        for reader in readers:
            for rtype, count in reader.skipped.items():
                skipped[rtype] = skipped.get(rtype, 0) + count
    by_file = {r.file: r for r in readers}
    prepared = _prepare_care_plans(
        plan_items,
        (default_tolerance_min, default_duration_min, areas, mapping.default_schedule),
        by_file,
    )
    mapped = (
        _map(entries, ctxs, readers[0], prepared, by_file, mapping, team_keys, catalogue)
        if not any(r.issues for r in readers)
        else None
    )
    all_issues = [i for r in readers for i in r.issues]
    if all_issues or mapped is None:
        if not all_issues:
            all_issues.append(InputIssue.of(str(path), None, None, N_("no municipality found")))
        raise PlanInputError(all_issues)
    return mapped


#: (default tolerance, duration, mapped problem areas, schedule) for the CarePlan workers.
_Defaults = tuple[int, int | None, dict[str, str], str | None]
#: A CarePlan validated and mapped: (file, row, ref, care plan id, (patient, interventions)).
_Prepared = tuple[str, int, str, str, tuple[str, list[Intervention]] | None]
#: From this many CarePlans on, validation and mapping run in worker processes.
PARALLEL_MIN_CARE_PLANS = 2000
_CHUNK_CARE_PLANS = 500


def _care_plan_job(
    items: list[tuple[str, int, dict[str, Any]]], defaults: _Defaults
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
            result = _interventions(_Context(reader, defaults[0], None, *defaults[1:]), entry)
        out.append((file, row, entry.ref, entry.model.id, result))
    return out, [i for r in readers.values() for i in r.issues]


def _prepare_care_plans(
    items: list[tuple[str, int, dict[str, Any]]],
    defaults: _Defaults,
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
        results = [_care_plan_job(chunk, defaults) for chunk in chunks]
    else:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            results = list(pool.map(_care_plan_job, chunks, [defaults] * len(chunks)))
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
    mapping: FhirMapping,
    team_keys: dict[str, list[str]],
    catalogue: Catalogue | None = None,
) -> MunicipalityData | None:
    catalogue = Catalogue() if catalogue is None else catalogue
    municipalities: list[tuple[_Entry | None, str]] = []
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
                N_("expected 'jdn' (municipality), 'area' (district) or 'bu' (base building)"),
            )
    if not municipalities and mapping.municipality is not None:
        municipalities.append((None, mapping.municipality.number))
    if len(municipalities) != 1:
        first.add(
            None,
            "Location(physicalType=jdn)",
            f"expected exactly one municipality Location, found {len(municipalities)}",
        )
        return None
    mun_entry, municipality_id = municipalities[0]
    mun_name = mun_entry.model.name if mun_entry is not None else None
    if mun_entry is None and mapping.municipality is not None:
        mun_name = mapping.municipality.name
    municipality = Municipality(
        municipality_id=municipality_id,
        name=mun_name or municipality_id,
        timezone=OSLO_TZ_NAME,
        shifts=(mapping.municipality.shifts if mapping.municipality is not None else ())
        or DEFAULT_SHIFTS,
    )
    bases += [
        Base(base_id=b.id, name=b.name, address=b.address, location={"lat": b.lat, "lon": b.lon})
        for b in mapping.bases
    ]
    base_ids = {b.base_id for b in bases}
    for entry in district_entries:
        ctx = ctxs[id(entry)]
        base_ref = _ext_value(entry.model, "base", "valueReference")
        base_id = _ref_id(base_ref, "Location")
        if base_id is None or base_id not in base_ids:
            ctx.reader.add(
                entry.row,
                f"{entry.ref} extension(base)",
                N_("expected a reference to a base Location, found {value!r}"),
                value=base_id,
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
    districts += [
        District(district_id=d.id, municipality_id=municipality_id, name=d.name, base_id=d.base)
        for d in mapping.districts
    ]
    # every district Location counts, mapped or not, so one bad district is one error
    district_ids = [e.model.id for e in district_entries] + [d.id for d in mapping.districts]

    def district_of(
        entry: _Entry, reference: Any, path: str, keys: list[str] | None = None
    ) -> str | None:
        district_id = _ref_id(reference, "Location")
        if district_id is None and keys is not None:
            district_id = mapping.district_for(keys)
        if district_id is None and len(district_ids) == 1:
            return district_ids[0]
        if district_id is None:
            ctxs[id(entry)].reader.add(
                entry.row,
                f"{entry.ref} {path}",
                N_(
                    "no district: {n} districts and nothing names one (give the district "
                    "reference, or map an organization, CareTeam, municipality number or "
                    "postcode, or default_district, in {mapping})"
                ),
                n=len(district_ids),
                mapping=MAPPING_FILE,
            )
            return None
        if district_id not in district_ids:
            ctxs[id(entry)].reader.add(
                entry.row,
                f"{entry.ref} {path}",
                N_("unknown {label} {value!r}"),
                label=Term(N_("district")),
                value=district_id,
            )
            return None
        return district_id

    patients: list[Patient] = []
    for entry in entries["Patient"]:
        ctx = ctxs[id(entry)]
        model = entry.model
        district_id = district_of(
            entry,
            _ext_value(model, "district", "valueReference"),
            "extension(district)",
            _patient_keys(model) + team_keys.get(f"Patient/{model.id}", []),
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
                entry.row, f"{entry.ref} practitioner", N_("expected a reference Practitioner/<id>")
            )
            continue
        roles[staff_id] = entry
    staff: list[Staff] = []
    for entry in entries["Practitioner"]:
        ctx = ctxs[id(entry)]
        model = entry.model
        codes = [c for q in (model.qualification or []) for c in _codes(q.code)]
        try:
            competence, skills = _qualifications(codes, mapping, catalogue)
        except ValueError as exc:  # strict catalogue: a title or skill it does not hold
            ctx.reader.issues.append(
                InputIssue.from_error(ctx.reader.file, entry.row, f"{entry.ref} qualification", exc)
            )
            continue
        if competence is None:
            ctx.reader.add(
                entry.row,
                f"{entry.ref} qualification",
                N_(
                    "expected a qualification giving the competence (e.g. 'sykepleier' or HPR 'SP')"
                ),
            )
            continue
        role = roles.get(model.id)
        if role is None and not mapping.districts:
            ctx.reader.add(
                entry.row, f"{entry.ref}", N_("expected a PractitionerRole naming the district")
            )
            continue
        if role is None:
            district_id = district_of(
                entry,
                None,
                "PractitionerRole",
                [f"Practitioner/{model.id}", *team_keys.get(f"Practitioner/{model.id}", [])],
            )
        else:
            locations = role.model.location or []
            district_ref = locations[0] if locations else None
            if mapping.districts and _ref_id(district_ref, "Location") not in district_ids:
                district_ref = None  # an EHR's ward or building: the mapping's keys decide
            district_id = district_of(
                role,
                district_ref,
                "location[0]",
                [
                    r.reference
                    for r in [role.model.organization, *(role.model.location or [])]
                    if r and r.reference
                ]
                + team_keys.get(f"Practitioner/{model.id}", []),
            )
        if district_id is None:
            continue
        role_model = role.model if role is not None else model
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
                        _ext_value(role_model, "travel-mode", "valueCode") or "car"
                    ),
                    contracted_fte=float(
                        _ext_value(role_model, "contracted-fte", "valueDecimal") or 1.0
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
            message = N_("unknown patient reference Patient/{patient}")
            reader.add(row, f"{ref} subject", message, patient=patient_id)
            continue
        for item in interventions:
            if item.intervention_id in intervention_seen:
                reader.add(
                    row,
                    f"{ref} activity.id",
                    N_("duplicate activity id {value!r} (also in {other})"),
                    value=item.intervention_id,
                    other=intervention_seen[item.intervention_id],
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
        first.issues.append(
            InputIssue.because(first.file, None, None, pydantic_reason(exc.errors()[0]))
        )
        return None
