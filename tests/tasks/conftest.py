"""Tiny synthetic fixtures for the tasks stage: factories for interventions, tasks and data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hjemmetjeneste.domain import (
    Base,
    CarePlan,
    CompetenceLevel,
    District,
    GeoPoint,
    Intervention,
    Municipality,
    MunicipalityData,
    Patient,
    ProblemArea,
    Roster,
    RosterEntry,
    Schedule,
    ScheduleKind,
    ShiftKind,
    Staff,
    Task,
)

OSLO = ZoneInfo("Europe/Oslo")
MONDAY = date(2026, 5, 4)  # an ordinary Monday in summer time (UTC+2)


def hm(text: str) -> time:
    """'08:30' -> time(8, 30)."""
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


@pytest.fixture
def oslo() -> ZoneInfo:
    """The Europe/Oslo time zone."""
    return OSLO


@pytest.fixture
def make_intervention() -> Callable[..., Intervention]:
    """Factory: an intervention of patient P1 valid from 2026-01-01, fields overridable."""

    def make(schedule: Schedule | None = None, **overrides: Any) -> Intervention:
        fields: dict[str, Any] = {
            "intervention_id": "I1",
            "patient_id": "P1",
            "problem_area": ProblemArea.MEDICATION,
            "description": "Medication from the dispenser",
            "duration_min": 10,
            "schedule": schedule
            or Schedule(kind=ScheduleKind.FIXED, times=(hm("08:00"),), tolerance_min=30),
            "valid_from": date(2026, 1, 1),
        }
        fields.update(overrides)
        return Intervention(**fields)

    return make


@pytest.fixture
def make_task() -> Callable[..., Task]:
    """Factory: a task with window 'HH:MM'–'HH:MM' on ``day`` (2026-05-04 by default)."""

    def make(
        task_id: str,
        start: str,
        end: str,
        patient_id: str = "P1",
        staff_count: int = 1,
        day: date = MONDAY,
        duration_min: int = 10,
    ) -> Task:
        return Task(
            task_id=task_id,
            intervention_id=task_id.split("@")[0],
            patient_id=patient_id,
            date=day,
            window_start=datetime.combine(day, hm(start), tzinfo=OSLO),
            window_end=datetime.combine(day, hm(end), tzinfo=OSLO),
            duration_min=duration_min,
            description=f"task {task_id}",
            problem_area=ProblemArea.PERSONAL_HYGIENE,
            required_competence=CompetenceLevel.ASSISTANT,
            staff_count=staff_count,
        )

    return make


def _point(i: int) -> GeoPoint:
    return GeoPoint(lat=59.9 + i / 100, lon=10.7 + i / 100)


@pytest.fixture
def make_data() -> Callable[..., MunicipalityData]:
    """Factory: municipality K1 with districts D1 (base B1) and D2 (base B2).

    Patients P1, P2 live in D1 and P3 in D2. Staff S1, S2, S4 belong to D1 and S3 to D2.
    ``plans`` maps patient id to its interventions; ``roster`` is a list of
    (staff_id, date, shift, district_id).
    """

    def make(
        plans: dict[str, list[Intervention]] | None = None,
        roster: list[tuple[str, date, ShiftKind, str]] | None = None,
    ) -> MunicipalityData:
        municipality = Municipality(municipality_id="K1", name="Testkommune")
        districts = (
            District(district_id="D1", municipality_id="K1", name="Nord", base_id="B1"),
            District(district_id="D2", municipality_id="K1", name="Sør", base_id="B2"),
        )
        bases = tuple(
            Base(base_id=b, name=f"Base {b}", address=f"Basevegen {i}", location=_point(i))
            for i, b in enumerate(("B1", "B2"), start=1)
        )
        patients = tuple(
            Patient(
                patient_id=pid,
                municipality_id="K1",
                district_id=did,
                display_name=f"Testperson {pid}",
                address=f"Testgata {i}",
                location=_point(10 + i),
            )
            for i, (pid, did) in enumerate((("P1", "D1"), ("P2", "D1"), ("P3", "D2")))
        )
        staff = tuple(
            Staff(
                staff_id=sid,
                municipality_id="K1",
                district_id=did,
                first_name=f"Ansatt {sid}",
                competence=CompetenceLevel.NURSE,
            )
            for sid, did in (("S1", "D1"), ("S2", "D1"), ("S3", "D2"), ("S4", "D1"))
        )
        care_plans = tuple(
            CarePlan(care_plan_id=f"CP-{pid}", patient_id=pid, interventions=tuple(items))
            for pid, items in sorted((plans or {}).items())
        )
        entries = tuple(
            RosterEntry(staff_id=sid, date=day, shift=kind, district_id=did)
            for sid, day, kind, did in roster or []
        )
        return MunicipalityData(
            municipality=municipality,
            districts=districts,
            bases=bases,
            patients=patients,
            care_plans=care_plans,
            staff=staff,
            roster=Roster(entries=entries),
        )

    return make
