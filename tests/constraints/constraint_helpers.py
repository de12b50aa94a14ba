"""Helpers for the constraint tests: plane problems and a four-patient district."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, time

import numpy as np

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
    PlanningRules,
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
from hjemmetjeneste.solver import Metaheuristic, SolveParams
from hjemmetjeneste.solver.model_builder import ProblemBuilder

DAY = date(2026, 12, 1)


QUICK = SolveParams(
    time_limit_s=1.0, metaheuristic=Metaheuristic.GREEDY_DESCENT, seed=0, iterations=2_000
)
"""Greedy descent, and where ruin and recreate runs, 2,000 iterations of seed 0: a fixed
amount of work, plenty for a handful of jobs; the second only bounds OR-Tools' stages."""


def plane(
    points: Sequence[tuple[float, float]],
    *,
    n_vehicles: int = 1,
    shift: tuple[int, int] = (0, 10_000),
    slowness: Sequence[float] = (1.0,),
    vehicle_class: Sequence[int] | None = None,
    **vehicle_options: object,
) -> ProblemBuilder:
    """A builder with a depot at location 0 (points[0]) and ``n_vehicles`` vehicles there.

    Travel class k takes Euclidean distance × ``slowness[k]`` seconds; vehicle v drives class
    ``vehicle_class[v]`` (default 0). ``vehicle_options`` go to every ``add_vehicle`` call.
    """
    builder = ProblemBuilder()
    base = np.array([[math.dist(p, q) for q in points] for p in points])
    for factor in slowness:
        builder.add_travel_class(np.rint(base * factor).astype(np.int64), np.rint(base))
    depot = builder.add_depot(0, shift)
    classes = list(vehicle_class) if vehicle_class is not None else [0] * n_vehicles
    for k in classes:
        builder.add_vehicle(
            start_depot=depot,
            travel_class=k,
            window=shift,
            **vehicle_options,  # type: ignore[arg-type]
        )
    return builder


def starts(solution) -> dict[int, int]:
    """Start second of every served job."""
    return {s.node: s.start_s for r in solution.routes for s in r.stops}


# --- a tiny district ---------------------------------------------------------------------


def patient(i: int, **extra: object) -> Patient:
    """Patient p<i> a few hundred metres from the base."""
    return Patient(
        patient_id=f"p{i}",
        municipality_id="m",
        district_id="d",
        display_name=f"Test Patient {i}",
        address=f"Testveien {i}",
        location=GeoPoint(lat=63.43 + 0.003 * i, lon=10.40 + 0.004 * i),
        **extra,  # type: ignore[arg-type]
    )


def intervention(
    iid: str,
    patient_id: str,
    *,
    window: tuple[time, time] = (time(8, 0), time(10, 0)),
    windows: Sequence[tuple[time, time]] | None = None,
    minutes: int = 20,
    competence: CompetenceLevel = CompetenceLevel.ASSISTANT,
    skills: frozenset[Skill] = frozenset(),
    **extra: object,
) -> Intervention:
    """A WINDOW intervention every day."""
    spans = windows if windows is not None else [window]
    alternatives = bool(extra.pop("alternatives", False))
    return Intervention(
        intervention_id=iid,
        patient_id=patient_id,
        problem_area=ProblemArea.MEDICATION,
        description=f"task {iid}",
        duration_min=minutes,
        schedule=Schedule(
            kind=ScheduleKind.WINDOW,
            windows=tuple(TimeWindow(start=a, end=b) for a, b in spans),
            windows_are_alternatives=alternatives,
        ),
        required_competence=competence,
        required_skills=skills,
        valid_from=date(2026, 1, 1),
        **extra,  # type: ignore[arg-type]
    )


def staff(
    sid: str,
    competence: CompetenceLevel = CompetenceLevel.NURSE,
    skills: frozenset[Skill] = frozenset(),
    mode: TravelMode = TravelMode.CAR,
) -> Staff:
    """A caregiver of district d."""
    return Staff(
        staff_id=sid,
        municipality_id="m",
        district_id="d",
        first_name=sid.upper(),
        competence=competence,
        skills=skills,
        travel_mode=mode,
    )


def district(
    interventions: Sequence[Intervention],
    staff_list: Sequence[Staff],
    *,
    rules: PlanningRules | None = None,
    patients: Sequence[Patient] | None = None,
    days: Sequence[date] = (DAY,),
    shifts: Sequence[ShiftKind] = (ShiftKind.DAY,),
) -> MunicipalityData:
    """Municipality m, district d, patients p1..p4, everyone rostered on ``days``/``shifts``."""
    people = list(patients) if patients is not None else [patient(i) for i in range(1, 5)]
    known = {p.patient_id for p in people}
    people += [patient(i) for i in range(1, 5) if f"p{i}" not in known]
    return MunicipalityData(
        municipality=Municipality(
            municipality_id="m", name="Testkommune", rules=rules or PlanningRules()
        ),
        districts=(District(district_id="d", municipality_id="m", name="D", base_id="b"),),
        bases=(
            Base(base_id="b", name="Base", address="B", location=GeoPoint(lat=63.43, lon=10.40)),
        ),
        patients=tuple(people),
        care_plans=tuple(
            CarePlan(
                care_plan_id=f"cp-{p.patient_id}",
                patient_id=p.patient_id,
                interventions=tuple(i for i in interventions if i.patient_id == p.patient_id),
            )
            for p in people
        ),
        staff=tuple(staff_list),
        roster=Roster(
            entries=tuple(
                RosterEntry(staff_id=s.staff_id, date=d, shift=k, district_id="d")
                for s in staff_list
                for d in days
                for k in shifts
            )
        ),
    )
