"""Writing the FHIR mapping (synthetic exports, round-trip tests)."""

from __future__ import annotations

import json
from datetime import time
from pathlib import Path
from typing import Any

from hjemmetjeneste.domain import (
    Intervention,
    MunicipalityData,
    Priority,
    ScheduleKind,
)
from hjemmetjeneste.formats.fhir.codes import (
    _DAYS,
    COMPETENCE_SYSTEM,
    EXT,
    GEOLOCATION,
    MUNICIPALITY_SYSTEM,
    PHYSICAL_TYPE,
    PROBLEM_AREA_SYSTEM,
    SKILL_SYSTEM,
    _default_competence,
)

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
            if i.second_staff_competence is not None:  # the second performer's role
                extensions.append(
                    {
                        "url": EXT["second-staff-competence"],
                        "valueCode": i.second_staff_competence.value,
                    }
                )
            extensions += [
                {"url": EXT["second-staff-skill"], "valueCode": k.value}
                for k in sorted(i.second_staff_skills)
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
