"""Large synthetic municipality exports for tests and benchmarks (no real person).

``generate_synthetic(n_interventions, seed)`` builds a consistent municipality of any size:
patients with six interventions each on average (fixed times, day windows, weekdays, every
second week, as needed), staff in proportion, and a two-week roster. Write it with
``write_export`` (CSV) or ``write_fhir_bundle`` / ``write_fhir_ndjson`` (FHIR).
"""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from hjemmetjeneste.domain import (
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
    RosterEntry,
    Schedule,
    ScheduleKind,
    ShiftKind,
    Skill,
    Staff,
    TimeWindow,
    TravelMode,
)

__all__ = ["SYNTHETIC_MUNICIPALITY_ID", "generate_synthetic"]

SYNTHETIC_MUNICIPALITY_ID = "9901"
_START = date(2026, 11, 30)
_FIRST = ("Kari", "Ola", "Ingrid", "Per", "Sigrid", "Lars", "Astrid", "Nils", "Solveig", "Knut")
_LAST = ("Fjellmo", "Strandvik", "Lundeby", "Aasgard", "Myrholt", "Brekkestad", "Tjernli")
_STREETS = ("Bjørkevegen", "Granlia", "Sjøgata", "Åsvegen", "Kirkebakken", "Elvestien")
_TASKS: tuple[tuple[ProblemArea, str, CompetenceLevel, frozenset[Skill]], ...] = (
    (ProblemArea.MEDICATION, "Gi morgenmedisin", CompetenceLevel.SOCIAL_EDUCATOR, frozenset()),
    (ProblemArea.MEDICATION, "Sette insulin", CompetenceLevel.NURSE, frozenset({Skill.INSULIN})),
    (ProblemArea.PERSONAL_HYGIENE, "Morgenstell", CompetenceLevel.ASSISTANT, frozenset()),
    (ProblemArea.NUTRITION, "Tilrettelegge måltid", CompetenceLevel.ASSISTANT, frozenset()),
    (ProblemArea.SKIN_AND_TISSUE, "Sårstell", CompetenceLevel.NURSE, frozenset({Skill.WOUND_CARE})),
    (ProblemArea.ELIMINATION, "Tømme kateterpose", CompetenceLevel.HEALTH_WORKER, frozenset()),
    (ProblemArea.SLEEP_AND_REST, "Kveldsstell", CompetenceLevel.ASSISTANT, frozenset()),
    (ProblemArea.PAIN, "Smertelindring ved behov", CompetenceLevel.NURSE, frozenset()),
)


def _schedule(rng: random.Random) -> Schedule:
    pick = rng.random()
    if pick < 0.35:
        hours = sorted(rng.sample(range(7, 22), rng.choice((1, 1, 2, 3))))
        return Schedule(
            kind=ScheduleKind.FIXED,
            times=tuple(time(h, rng.choice((0, 15, 30, 45))) for h in hours),
            tolerance_min=rng.choice((15, 30, 60)),
        )
    if pick < 0.75:
        start = rng.randrange(7 * 60, 20 * 60, 30)
        return Schedule(
            kind=ScheduleKind.WINDOW,
            windows=(
                TimeWindow(
                    start=time(start // 60, start % 60),
                    end=time((start + 120) // 60, (start + 120) % 60),
                ),
            ),
            weekdays=frozenset(rng.sample(range(1, 8), rng.choice((7, 7, 2, 3)))),
        )
    if pick < 0.92:
        return Schedule(
            kind=ScheduleKind.WINDOW,
            windows=(TimeWindow(start=time(10, 0), end=time(14, 0)),),
            weekdays=frozenset({rng.randint(1, 5)}),
            every_n_weeks=2,
            week_anchor=_START,
        )
    return Schedule(kind=ScheduleKind.AS_NEEDED)


def generate_synthetic(
    n_interventions: int, seed: int = 0, *, per_patient: int = 6
) -> MunicipalityData:
    """A consistent synthetic municipality with exactly ``n_interventions`` interventions."""
    if n_interventions < 1:
        raise ValueError("n_interventions must be at least 1")
    rng = random.Random(seed)
    n_patients = max(1, -(-n_interventions // per_patient))
    n_districts = max(1, min(50, n_patients // 200))
    bases = tuple(
        Base(
            base_id=f"B{d:02d}",
            name=f"Base {d}",
            address=f"Basevegen {d + 1}",
            location={"lat": 63.40 + d * 0.01, "lon": 10.40 + d * 0.01},
        )
        for d in range(n_districts)
    )
    districts = tuple(
        District(
            district_id=f"D{d:02d}",
            municipality_id=SYNTHETIC_MUNICIPALITY_ID,
            name=f"Distrikt {d}",
            base_id=f"B{d:02d}",
        )
        for d in range(n_districts)
    )
    patients = []
    plans = []
    made = 0
    for p in range(n_patients):
        district = p % n_districts
        patient_id = f"P{p:06d}"
        patients.append(
            Patient(
                patient_id=patient_id,
                municipality_id=SYNTHETIC_MUNICIPALITY_ID,
                district_id=f"D{district:02d}",
                display_name=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
                address=f"{rng.choice(_STREETS)} {rng.randint(1, 120)}",
                location={
                    "lat": round(63.40 + district * 0.01 + rng.uniform(-0.02, 0.02), 6),
                    "lon": round(10.40 + district * 0.01 + rng.uniform(-0.04, 0.04), 6),
                },
                key_box_note=rng.choice((None, "Nøkkelboks ved døra, kode i journal")),
            )
        )
        count = min(per_patient, n_interventions - made)
        items = []
        for k in range(count):
            area, text, competence, skills = rng.choice(_TASKS)
            items.append(
                Intervention(
                    intervention_id=f"I{made + k:07d}",
                    patient_id=patient_id,
                    problem_area=area,
                    description=text,
                    duration_min=rng.choice((5, 10, 15, 20, 30, 45)),
                    schedule=_schedule(rng),
                    required_competence=competence,
                    required_skills=skills,
                    staff_count=2 if rng.random() < 0.03 else 1,
                    priority=rng.choice((Priority.NORMAL, Priority.NORMAL, Priority.HIGH)),
                    time_critical=area == ProblemArea.MEDICATION and rng.random() < 0.5,
                    valid_from=_START - timedelta(days=rng.randint(0, 400)),
                    valid_to=rng.choice((None, None, None, _START + timedelta(days=90))),
                )
            )
        made += count
        plans.append(
            CarePlan(care_plan_id=f"CP{p:06d}", patient_id=patient_id, interventions=tuple(items))
        )
    n_staff = max(3, n_patients // 6)
    staff = tuple(
        Staff(
            staff_id=f"S{s:05d}",
            municipality_id=SYNTHETIC_MUNICIPALITY_ID,
            district_id=f"D{s % n_districts:02d}",
            first_name=rng.choice(_FIRST),
            competence=rng.choice(list(CompetenceLevel)),
            skills=frozenset(rng.sample(list(Skill)[:4], rng.randint(0, 2))),
            travel_mode=rng.choice(list(TravelMode)),
            contracted_fte=rng.choice((0.5, 0.8, 1.0)),
        )
        for s in range(n_staff)
    )
    entries = []
    for day in range(14):
        shift_date = _START + timedelta(days=day)
        for member in staff:
            if rng.random() < 0.6:
                entries.append(
                    RosterEntry(
                        staff_id=member.staff_id,
                        date=shift_date,
                        shift=rng.choice(list(ShiftKind)),
                        district_id=member.district_id,
                    )
                )
    return MunicipalityData(
        municipality=Municipality(
            municipality_id=SYNTHETIC_MUNICIPALITY_ID, name="Syntetisk kommune"
        ),
        districts=districts,
        bases=bases,
        patients=tuple(patients),
        care_plans=tuple(plans),
        staff=staff,
        roster=Roster(entries=tuple(entries)),
    )
