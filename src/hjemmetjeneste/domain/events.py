"""Events of the day as data (hendelser): sick calls, patient absences, hospital admissions and
discharges, emergency visits; and the changes a re-plan makes to the nurses' worklists.

Each event kind is one frozen model with a ``kind`` tag, so that the API, the CLI and the
store read and write the same shapes (``Event`` is their tagged union). Admissions and
discharges carry what the municipality receives today in PLO messages ("Melding om innlagt
pasient", "Utskrivningsrapport" / "Melding om utskrevet pasient"); ``docs/events.md`` maps
the message elements to these fields. No event holds a name, a national identity number or
a diagnosis: ids, times and the canonical intervention fields only.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, model_validator

from hjemmetjeneste.domain.common import (
    CompetenceLevel,
    Frozen,
    ProblemAreaName,
    ShiftKind,
    SkillName,
)
from hjemmetjeneste.domain.plans import Priority, Schedule
from hjemmetjeneste.errors import Phrase
from hjemmetjeneste.i18n import N_

__all__ = [
    "ChangeType",
    "EmergencyVisit",
    "Event",
    "EventKind",
    "HospitalAdmission",
    "HospitalDischarge",
    "InterventionChange",
    "PatientAbsence",
    "StaffAbsence",
    "VisitChange",
    "VisitSlot",
]

_Id = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:@-]+$")]


class EventKind(StrEnum):
    """What happened."""

    STAFF_ABSENCE = "staff_absence"
    PATIENT_ABSENCE = "patient_absence"
    HOSPITAL_ADMISSION = "hospital_admission"
    HOSPITAL_DISCHARGE = "hospital_discharge"
    EMERGENCY_VISIT = "emergency_visit"


class StaffAbsence(Frozen):
    """A caregiver's absence (fravær, e.g. a sick call) from ``start``; ``end`` None = the
    rest of the period. Within a shift the caregiver is off from ``start`` to the shift's end."""

    kind: Literal["staff_absence"] = "staff_absence"
    staff_id: _Id
    start: AwareDatetime
    end: AwareDatetime | None = None

    @model_validator(mode="after")
    def _ordered(self) -> StaffAbsence:
        if self.end is not None and self.end <= self.start:
            raise ValueError(N_("end must be after start"))
        return self


class PatientAbsence(Frozen):
    """A patient away or cancelling visits (bortreist, avlyst) from ``start`` to ``end``.

    ``reason`` is the patient's own short text for the home-care office: stored, shown to the
    planner, never logged or sent on.
    """

    kind: Literal["patient_absence"] = "patient_absence"
    patient_id: _Id
    start: AwareDatetime
    end: AwareDatetime
    reason: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _ordered(self) -> PatientAbsence:
        if self.end <= self.start:
            raise ValueError(N_("end must be after start"))
        return self


class HospitalAdmission(Frozen):
    """ "Melding om innlagt pasient": the patient is in hospital from ``admitted_at``; home
    visits are paused until a discharge."""

    kind: Literal["hospital_admission"] = "hospital_admission"
    patient_id: _Id
    admitted_at: AwareDatetime


class InterventionChange(Frozen):
    """One change of the care plan a discharge report carries.

    ``add``: a new intervention; ``intervention_id`` may be left out (one is made from the
    event), and ``problem_area``, ``description``, ``duration_min`` and ``schedule`` are
    required. ``change``: the intervention ``intervention_id`` as of the discharge date, with
    the fields given replaced. ``stop``: the intervention ends the day before discharge.
    """

    action: Literal["add", "change", "stop"]
    intervention_id: _Id | None = None
    problem_area: ProblemAreaName | None = None
    description: str | None = Field(default=None, min_length=1, max_length=500)
    duration_min: int | None = Field(default=None, ge=1, le=240)
    schedule: Schedule | None = None
    required_competence: CompetenceLevel | None = None
    required_skills: frozenset[SkillName] | None = None
    staff_count: int | None = Field(default=None, ge=1, le=2)
    priority: Priority | None = None
    time_critical: bool | None = None
    gap_group: str | None = Field(default=None, max_length=128)
    min_gap_min: int | None = Field(default=None, ge=0, le=24 * 60)
    max_gap_min: int | None = Field(default=None, ge=1, le=48 * 60)
    late_allowance_min: int | None = Field(default=None, ge=0, le=12 * 60)

    @model_validator(mode="after")
    def _complete(self) -> InterventionChange:
        if self.action in ("change", "stop") and self.intervention_id is None:
            raise ValueError(
                Phrase.of(N_("{action} needs the intervention_id it changes"), action=self.action)
            )
        if self.action == "add":
            missing = [
                f
                for f in ("problem_area", "description", "duration_min", "schedule")
                if getattr(self, f) is None
            ]
            if missing:
                raise ValueError(Phrase.of(N_("add needs {fields}"), fields=", ".join(missing)))
        return self

    def fields(self) -> dict[str, object]:
        """The intervention fields this change sets (those given)."""
        return {
            k: v
            for k, v in self.model_dump(exclude={"action", "intervention_id"}).items()
            if v is not None
        } | ({"schedule": self.schedule} if self.schedule is not None else {})


class HospitalDischarge(Frozen):
    """ "Utskrivningsrapport" / "Melding om utskrevet pasient": home visits resume on
    ``discharged_on`` with the care plan changed as the report says."""

    kind: Literal["hospital_discharge"] = "hospital_discharge"
    patient_id: _Id
    discharged_on: date
    interventions: tuple[InterventionChange, ...] = Field(default=(), max_length=50)


class EmergencyVisit(Frozen):
    """An unplanned visit (akutt besøk) that must start within ``within_min`` of
    ``requested_at`` (None: when it is applied)."""

    kind: Literal["emergency_visit"] = "emergency_visit"
    patient_id: _Id
    date: date
    shift: ShiftKind
    duration_min: int = Field(ge=1, le=240)
    within_min: int = Field(ge=1, le=24 * 60)
    requested_at: AwareDatetime | None = None
    competence: CompetenceLevel | None = None


Event = Annotated[
    StaffAbsence | PatientAbsence | HospitalAdmission | HospitalDischarge | EmergencyVisit,
    Field(discriminator="kind"),
]
"""Any event, told apart by its ``kind``."""


class ChangeType(StrEnum):
    """How a visit changed between two versions of a shift's plan."""

    ADDED = "added"
    REMOVED = "removed"
    MOVED = "moved"
    REASSIGNED = "reassigned"
    CANCELLED = "cancelled"


class VisitSlot(Frozen):
    """Who does a visit and when it starts, in one version of the plan."""

    staff_id: str
    start: AwareDatetime


class VisitChange(Frozen):
    """One visit's change between two versions (the API's change shape).

    ``removed``: no longer on any worklist (unplaced, with its reason in the plan);
    ``cancelled``: taken out by an event (``event_id``); ``moved``: same caregiver, start
    shifted by more than the tolerance; ``reassigned``: another caregiver.
    """

    visit_id: str
    patient_id: str
    type: ChangeType
    before: VisitSlot | None
    after: VisitSlot | None
    event_id: str | None = None
