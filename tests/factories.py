"""Test data shared across the test packages (and the benchmarks): the demo export and the
changes tests make to it. Every person in it is synthetic."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from hjemmetjeneste.domain import MunicipalityData, PlanResult, ShiftKind

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
"""The committed demo municipality export (``hjemmetjeneste demo``, seed 2026)."""


def off_shift(
    data: MunicipalityData, staff_id: str, day: date, shift: ShiftKind
) -> MunicipalityData:
    """The same export with ``staff_id`` taken off ``shift`` on ``day`` (a sick call)."""
    entries = tuple(
        e
        for e in data.roster.entries
        if not (e.staff_id == staff_id and e.date == day and e.shift == shift)
    )
    return data.model_copy(update={"roster": data.roster.model_copy(update={"entries": entries})})


def owners(result: PlanResult) -> dict[str, frozenset[str]]:
    """Visit id -> the staff ids serving it in ``result``."""
    found: dict[str, set[str]] = defaultdict(set)
    for worklist in result.worklists:
        for visit in worklist.visits:
            found[visit.visit_id].add(worklist.staff_id)
    return {k: frozenset(v) for k, v in found.items()}


Tables = dict[str, list[dict[str, str]]]
TINY_DAY = date(2026, 12, 1)
"""The date the tiny export's roster centres on."""

_INTERVENTION = {
    "care_plan_id": "",
    "problem_area": "Personlig hygiene",
    "description": "Morgenstell",
    "duration_min": "30",
    "schedule_kind": "fixed",
    "times": "",
    "tolerance_min": "30",
    "windows": "",
    "weekdays": "",
    "every_n_weeks": "1",
    "week_anchor": "",
    "required_competence": "assistent",
    "required_skills": "",
    "staff_count": "1",
    "priority": "normal",
    "time_critical": "false",
    "valid_from": "2026-01-01",
    "valid_to": "",
}


def tiny_intervention(iid: str, patient: str, **changes: str) -> dict[str, str]:
    row = {"intervention_id": iid, "patient_id": patient, **_INTERVENTION}
    row["care_plan_id"] = f"CP-{patient}"
    row.update(changes)
    return row


def tiny_tables() -> Tables:
    """A tiny CSV export as tables of rows (corpus tests change one thing each): three
    patients, three caregivers on the day shift, one on the evening, one at night."""
    patients = [
        ("P1", "Kari Testesen", "Innherredsveien 10", "63.4330", "10.4200", "Nøkkelboks ved døra"),
        ("P2", "Ola Prøvesen", "Strindvegen 12", "63.4250", "10.4450", ""),
        ("P3", "Anne Eksempel", "Jonsvannsveien 20", "63.4190", "10.4560", ""),
    ]
    staff = [
        ("S1", "Sindre", "sykepleier", "insulin"),
        ("S2", "Emma", "helsefagarbeider", ""),
        ("S3", "Nora", "assistent", ""),
        ("S4", "Per", "sykepleier", "insulin"),
        ("S5", "Lise", "helsefagarbeider", ""),
    ]
    roster = [("S1", "day"), ("S2", "day"), ("S3", "day"), ("S4", "evening"), ("S5", "night")]
    return {
        "municipality": [
            {
                "municipality_id": "5001",
                "name": "Testkommune",
                "timezone": "Europe/Oslo",
                "day_start": "07:30",
                "day_end": "15:00",
                "evening_start": "15:00",
                "evening_end": "22:30",
                "night_start": "22:30",
                "night_end": "07:30",
            }
        ],
        "bases": [
            {
                "base_id": "B1",
                "name": "Basen",
                "address": "Strindvegen 40",
                "lat": "63.4262",
                "lon": "10.4398",
            }
        ],
        "districts": [
            {"district_id": "D1", "municipality_id": "5001", "name": "Østbyen", "base_id": "B1"}
        ],
        "patients": [
            {
                "patient_id": pid,
                "municipality_id": "5001",
                "district_id": "D1",
                "display_name": name,
                "address": address,
                "lat": lat,
                "lon": lon,
                "key_box_note": note,
            }
            for pid, name, address, lat, lon, note in patients
        ],
        "staff": [
            {
                "staff_id": sid,
                "municipality_id": "5001",
                "district_id": "D1",
                "first_name": name,
                "competence": level,
                "skills": skills,
                "travel_mode": "car",
                "contracted_fte": "1.0",
            }
            for sid, name, level, skills in staff
        ],
        "roster": [
            {"staff_id": sid, "date": str(d), "shift": kind, "district_id": "D1"}
            for d in (TINY_DAY - timedelta(days=1), TINY_DAY, TINY_DAY + timedelta(days=1))
            for sid, kind in roster
        ],
        "interventions": [
            tiny_intervention(
                "I1",
                "P1",
                times="08:00",
                time_critical="true",
                problem_area="Legemiddelhåndtering",
                description="Morgenmedisin",
                required_competence="helsefagarbeider",
                duration_min="10",
            ),
            tiny_intervention("I2", "P1", times="12:00", description="Lunsj"),
            tiny_intervention(
                "I3",
                "P2",
                schedule_kind="window",
                windows="09:00-11:00",
                description="Dusj",
                duration_min="45",
            ),
            tiny_intervention("I4", "P3", times="08:30|19:00", description="Tilsyn"),
            tiny_intervention("I5", "P3", times="21:00", description="Kveldsstell"),
        ],
    }


def write_tables(tables: Tables, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        columns = list(rows[0]) if rows else list(tiny_tables()[name][0])
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    return folder
