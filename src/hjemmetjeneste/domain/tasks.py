"""Dated tasks, visits and the day plan handed to the solver."""

from __future__ import annotations

import threading
from datetime import date, datetime

from pydantic import AwareDatetime, Field, model_validator

from hjemmetjeneste.domain.common import (
    CompetenceLevel,
    Frozen,
    GeoPoint,
    ProblemAreaName,
    ShiftKind,
    SkillName,
)
from hjemmetjeneste.domain.organisation import Base, District, Municipality
from hjemmetjeneste.domain.people import Patient, Staff
from hjemmetjeneste.domain.plans import Intervention, Priority


class Task(Frozen):
    """A task (oppdrag): one occurrence of an intervention on one date.

    The window bounds the *start* of the work, as aware datetimes (Europe/Oslo).
    """

    task_id: str
    intervention_id: str
    patient_id: str
    date: date
    window_start: AwareDatetime
    window_end: AwareDatetime
    duration_min: int = Field(ge=1)
    description: str
    problem_area: ProblemAreaName
    required_competence: CompetenceLevel
    required_skills: frozenset[SkillName] = frozenset()
    staff_count: int = Field(default=1, ge=1, le=2)
    priority: Priority = Priority.NORMAL
    time_critical: bool = False
    # Opt-in rules carried over from the intervention (neutral defaults).
    gap_group: str | None = None
    min_gap_min: int = 0
    max_gap_min: int | None = None
    second_staff_competence: CompetenceLevel | None = None
    second_staff_skills: frozenset[SkillName] = frozenset()
    late_allowance_min: int = 0
    separate_visit: bool = False
    alternative_windows: tuple[tuple[AwareDatetime, AwareDatetime], ...] = ()
    """Several start windows; ``window_start``/``window_end`` are then their hull."""

    @model_validator(mode="after")
    def _ordered(self) -> Task:
        if self.window_end < self.window_start:
            raise ValueError(f"task {self.task_id}: window ends before it starts")
        return self


class Visit(Frozen):
    """A visit (besøk): one stop at a patient, one or more tasks done together.

    The window is the intersection of the tasks' windows; the service time is their sum.
    """

    visit_id: str
    patient_id: str
    tasks: tuple[Task, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _same_patient(self) -> Visit:
        if any(t.patient_id != self.patient_id for t in self.tasks):
            raise ValueError(f"visit {self.visit_id} mixes patients")
        if self.window_end < self.window_start:
            raise ValueError(f"visit {self.visit_id}: its tasks' windows do not overlap")
        return self

    @property
    def window_start(self) -> datetime:
        """Earliest start: the latest of the tasks' window starts."""
        return max(t.window_start for t in self.tasks)

    @property
    def window_end(self) -> datetime:
        """Latest start: the earliest of the tasks' window ends."""
        return min(t.window_end for t in self.tasks)

    @property
    def duration_min(self) -> int:
        """Minutes at the patient: the tasks' durations added up."""
        return sum(t.duration_min for t in self.tasks)

    @property
    def required_competence(self) -> CompetenceLevel:
        """The highest competence any of the tasks requires."""
        return max((t.required_competence for t in self.tasks), key=lambda c: c.rank)

    @property
    def required_skills(self) -> frozenset[SkillName]:
        """Every skill any of the tasks requires."""
        return frozenset().union(*(t.required_skills for t in self.tasks))

    @property
    def staff_count(self) -> int:
        """Caregivers needed at once (2 for double-staffed work)."""
        return max(t.staff_count for t in self.tasks)

    @property
    def time_critical(self) -> bool:
        """True when any task must not be dropped silently."""
        return any(t.time_critical for t in self.tasks)

    @property
    def priority(self) -> Priority:
        """The highest priority of the tasks."""
        order = list(Priority)
        return max((t.priority for t in self.tasks), key=order.index)


class ShiftInstance(Frozen):
    """One concrete shift: a kind on a date with aware start and end times."""

    date: date
    kind: ShiftKind
    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def _ordered(self) -> ShiftInstance:
        if self.end <= self.start:
            raise ValueError("shift ends before it starts")
        return self


class Pin(Frozen):
    """A planner's lock (fastlåst besøk): a task's visit goes to this caregiver and/or time."""

    task_id: str
    staff_id: str | None = None
    start: AwareDatetime | None = None

    @model_validator(mode="after")
    def _something_pinned(self) -> Pin:
        if self.staff_id is None and self.start is None:
            raise ValueError(f"pin of {self.task_id} names neither a caregiver nor a start")
        return self


class ServedTask(Frozen):
    """A task as an earlier, published plan did it: who started it when."""

    task_id: str
    intervention_id: str
    patient_id: str
    staff_ids: tuple[str, ...]
    start: AwareDatetime
    gap_group: str | None = None
    min_gap_min: int = 0
    max_gap_min: int | None = None


class CareHistory(Frozen):
    """What published plans before this shift did: gaps across shifts and continuity
    (read by :mod:`hjemmetjeneste.planning.history`)."""

    served: tuple[ServedTask, ...] = ()


class Place(Frozen):
    """Where a caregiver's day starts or ends (oppmøtested): a base or home.

    ``place_id`` is the base id or ``"home"``; a home's ``name`` is empty and its location
    is used for travel only, never shown.
    """

    place_id: str
    name: str
    location: GeoPoint


class StaffDay(Frozen):
    """One caregiver's own working day on a shift: hours and start and end places."""

    staff_id: str
    start: AwareDatetime
    end: AwareDatetime
    start_place: Place
    end_place: Place

    @model_validator(mode="after")
    def _ordered(self) -> StaffDay:
        if self.end <= self.start:
            raise ValueError(f"staff {self.staff_id}: the working day ends before it starts")
        return self


class DayPlan(Frozen):
    """Everything one solve needs: one district, one shift, its visits and its staff.

    ``staff_days`` holds the caregivers whose day differs from the shift at the district's
    base (own hours, another start or end place); :meth:`day_of` answers for everyone.
    """

    municipality: Municipality
    district: District
    base: Base
    shift: ShiftInstance
    patients: tuple[Patient, ...]
    staff: tuple[Staff, ...]
    visits: tuple[Visit, ...]
    as_needed: tuple[Intervention, ...] = ()
    pins: tuple[Pin, ...] = ()
    history: CareHistory = CareHistory()
    staff_days: tuple[StaffDay, ...] = ()
    rota_ahead: tuple[tuple[str, tuple[int, ...]], ...] = ()
    """The district's roster of this shift kind over the next ``continuity_days`` days: per
    caregiver rostered on it, the days ahead (1 = tomorrow) she works it. Continuity of care
    prefers, among caregivers new to a patient, one on shift on the days the patient's known
    caregivers are not. Empty: the roster ahead is unknown (no such preference)."""

    def day_of(self, staff_id: str) -> StaffDay:
        """The caregiver's working day: their own, or the shift at the district's base."""
        for d in self.staff_days:
            if d.staff_id == staff_id:
                return d
        base = Place(place_id=self.base.base_id, name=self.base.name, location=self.base.location)
        return StaffDay(
            staff_id=staff_id,
            start=self.shift.start,
            end=self.shift.end,
            start_place=base,
            end_place=base,
        )

    def patient(self, patient_id: str) -> Patient:
        """The patient with this id; KeyError when the day plan has none."""
        return _patients_by_id(self.patients)[patient_id]


_PATIENT_INDEX_LOCK = threading.Lock()
_PATIENT_INDEX: dict[int, tuple[tuple[Patient, ...], dict[str, Patient]]] = {}
"""The last few day plans' patients by id, keyed by the tuple's identity (the tuple is kept,
so an id is not reused while its entry lives)."""


def _patients_by_id(patients: tuple[Patient, ...]) -> dict[str, Patient]:
    """``patients`` by id, the first of a repeated id winning (as a scan would find it):
    building a plan looks a patient up per visit, task and stop, and a scan of a
    1,000-patient district cost a 1,500-visit day's build about 0.2 s."""
    cached = _PATIENT_INDEX.get(id(patients))
    if cached is None or cached[0] is not patients:
        cached = (patients, {p.patient_id: p for p in reversed(patients)})
        with _PATIENT_INDEX_LOCK:  # the API plans in threads
            while len(_PATIENT_INDEX) >= 16:
                _PATIENT_INDEX.pop(next(iter(_PATIENT_INDEX)))
            _PATIENT_INDEX[id(patients)] = cached
    return cached[1]
