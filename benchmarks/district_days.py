"""Seeded synthetic district days of any size, resampled from the demo district's day shift.

``district_day(n_visits, n_staff, seed)`` keeps the demo's municipality, base and shift and
draws visits (with their tasks: windows, durations, competences, skills, double staffing),
caregivers and patient locations from it with a seeded RNG, so that the mix of work stays the
demo's while the size grows. Patients are spread around the base over an area that grows with
the number of visits (constant density). Nothing here is a real person.
"""

from __future__ import annotations

import math
import random
from datetime import date
from functools import cache
from pathlib import Path

from hjemmetjeneste.domain import DayPlan, GeoPoint, ShiftKind
from hjemmetjeneste.pipeline import load_export
from hjemmetjeneste.tasks import build_day_plan
from hjemmetjeneste.travel.locations import location_issues

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
DAY = date(2026, 12, 1)
SIZES = {"small": (60, 6), "medium": (300, 25), "large": (1500, 100)}
"""Name → (visits, caregivers on shift): the three district-day sizes of the speed suite."""


@cache
def demo_day() -> DayPlan:
    """The demo district's 2026-12-01 day shift (the template every size is drawn from)."""
    data = load_export(DEMO)
    # The demo's deliberately impossible patient (coordinates swapped) is no model to draw
    # from: without it the seeded days are the ones the committed runs measured.
    wrong = {i.record_id for i in location_issues(data) if i.kind == "patient"}
    day = build_day_plan(data, DAY, ShiftKind.DAY, data.districts[0].district_id)
    return day.model_copy(
        update={
            "patients": tuple(p for p in day.patients if p.patient_id not in wrong),
            "visits": tuple(v for v in day.visits if v.patient_id not in wrong),
        }
    )


def district_day(n_visits: int, n_staff: int, seed: int = 0) -> DayPlan:
    """A day plan with ``n_visits`` visits and ``n_staff`` caregivers, drawn from the demo."""
    template = demo_day()
    rng = random.Random(seed)
    base = template.base.location
    n_patients = max(1, round(n_visits / 1.5))
    # The demo packs ~130 patients within ~3 km; keep that density as the district grows.
    radius_km = 3.0 * math.sqrt(n_patients / 130)
    patients = []
    for p in range(n_patients):
        model = rng.choice(template.patients)
        r = radius_km * math.sqrt(rng.random())
        angle = rng.uniform(0.0, 2.0 * math.pi)
        lat = base.lat + (r * math.sin(angle)) / 111.2
        lon = base.lon + (r * math.cos(angle)) / (111.2 * math.cos(math.radians(base.lat)))
        patients.append(
            model.model_copy(
                update={
                    "patient_id": f"SP{p:05d}",
                    "display_name": f"Syntetisk pasient {p}",
                    "location": GeoPoint(lat=round(lat, 6), lon=round(lon, 6)),
                    "refused_staff_ids": frozenset(),
                    "preferred_staff_ids": frozenset(),
                    # The demo's teams name demo caregivers, who are not on a drawn day.
                    "primary_contact_id": None,
                    "care_team_ids": frozenset(),
                }
            )
        )
    staff = [
        rng.choice(template.staff).model_copy(
            update={"staff_id": f"SS{k:04d}", "first_name": f"Ansatt{k}"}
        )
        for k in range(n_staff)
    ]
    visits = []
    for v in range(n_visits):
        model = rng.choice(template.visits)
        patient_id = patients[v % n_patients].patient_id
        tasks = tuple(
            t.model_copy(
                update={
                    "task_id": f"ST{v:05d}-{i}",
                    "patient_id": patient_id,
                    "gap_group": None,
                }
            )
            for i, t in enumerate(model.tasks)
        )
        visits.append(
            model.model_copy(
                update={"visit_id": f"SV{v:05d}", "patient_id": patient_id, "tasks": tasks}
            )
        )
    return template.model_copy(
        update={
            "patients": tuple(patients),
            "staff": tuple(staff),
            "visits": tuple(visits),
            "pins": (),
        }
    )
