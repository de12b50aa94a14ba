"""Worklists (arbeidsliste), unplaced tasks with reasons, and the plan's key figures."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import AwareDatetime, Field

from hjemmetjeneste.domain.common import Frozen, GeoPoint, ProblemAreaName, ShiftKind


class UnplacedReason(StrEnum):
    """Why a task is not on any worklist; each comes with a sentence for the planner."""

    NO_STAFF_ON_SHIFT = "no_staff_on_shift"
    NO_QUALIFIED_STAFF = "no_qualified_staff"
    NOT_ENOUGH_QUALIFIED_STAFF = "not_enough_qualified_staff"
    WINDOW_OUTSIDE_SHIFT = "window_outside_shift"
    NO_TIME_LEFT = "no_time_left"
    UNREACHABLE = "unreachable"
    GAP_RULE = "gap_rule"
    ALL_REFUSED = "all_refused"
    PIN_CONFLICT = "pin_conflict"
    OUTSIDE_EVERY_SHIFT = "outside_every_shift"
    IMPLAUSIBLE_LOCATION = "implausible_location"


class WorklistTask(Frozen):
    """One task as the nurse sees it on a visit."""

    task_id: str
    intervention_id: str
    description: str
    problem_area: ProblemAreaName
    duration_min: int
    time_critical: bool


class WorklistVisit(Frozen):
    """One stop on a worklist, with clock times in Europe/Oslo."""

    sequence: int = Field(ge=1)
    visit_id: str
    patient_id: str
    patient_name: str
    address: str
    location: GeoPoint
    key_box_note: str | None
    window_start: AwareDatetime
    window_end: AwareDatetime
    arrival: AwareDatetime
    start: AwareDatetime
    end: AwareDatetime
    travel_s: int = Field(ge=0)
    distance_m: int = Field(ge=0)
    partner_staff_ids: tuple[str, ...] = ()
    tasks: tuple[WorklistTask, ...]


class WorklistBreak(Frozen):
    """A break (pause) on a worklist."""

    start: AwareDatetime
    end: AwareDatetime


class WorklistPlace(Frozen):
    """Where a worklist starts or ends when it is not the district's base: another base
    (its id and name) or ``"home"`` (no name, no address: the home is private)."""

    place_id: str
    name: str = ""


class Worklist(Frozen):
    """A worklist (arbeidsliste): one staff member's ordered visits for one shift."""

    staff_id: str
    first_name: str
    competence: str
    travel_mode: str
    date: date
    shift: ShiftKind
    leave_base: AwareDatetime
    return_base: AwareDatetime
    visits: tuple[WorklistVisit, ...]
    travel_s: int = Field(ge=0)
    service_s: int = Field(ge=0)
    wait_s: int = Field(ge=0)
    distance_m: int = Field(ge=0)
    breaks: tuple[WorklistBreak, ...] = ()
    overtime_s: int = Field(default=0, ge=0)
    start_place: WorklistPlace | None = None
    """None: the day starts at the district's base (``leave_base`` is when it is left)."""
    end_place: WorklistPlace | None = None


Fact = int | float | str | list[str]
"""One fact an explanation quotes: a count, whole minutes, a coordinate, an id, a name, an
instant (ISO 8601 with its UTC offset) or a list of them."""


class Explanation(Frozen):
    """Why a task is unplaced, as data: which sentence (``code``) and the facts it quotes.

    Caregivers by staff id and first name, visits by id, instants as ISO 8601 (keys ending in
    ``_at``; a list of start windows as ``start/end`` pairs), durations in whole minutes.
    ``hjemmetjeneste.planning.explain.word`` turns it into bokmål or English.
    """

    code: str
    facts: dict[str, Fact] = Field(default_factory=dict)


class TaskOffWorklists(Frozen):
    """A task of the shift that is on no worklist: which task, whose, when it could start."""

    task_id: str
    visit_id: str
    intervention_id: str
    patient_id: str
    description: str
    window_start: AwareDatetime
    window_end: AwareDatetime
    time_critical: bool


class UnplacedTask(TaskOffWorklists):
    """A task that could not be placed, with a reason code, the facts behind it (``why``) and
    the sentence they make (``explanation``, bokmål unless asked for in English)."""

    reason: UnplacedReason
    explanation: str
    patient_name: str = ""
    address: str = ""
    why: Explanation | None = None


class CancelledByEvent(TaskOffWorklists):
    """A task taken out of the plan by an event (the patient away or in hospital): listed
    with the event's id, never dropped silently."""

    event_id: str


class PlanKpis(Frozen):
    """Key figures that municipalities report, for one planned shift."""

    tasks_total: int
    tasks_placed: int
    visits_total: int
    visits_placed: int
    time_critical_unplaced: int
    staff_on_shift: int
    staff_used: int
    paid_s: int
    service_s: int
    travel_s: int
    wait_s: int
    distance_m: int
    patient_time_share: float
    travel_share: float


class AsNeededItem(Frozen):
    """An "as needed" (ved behov) intervention: never planned, shown to the nurse."""

    intervention_id: str
    patient_id: str
    description: str


class PlanResult(Frozen):
    """The outcome of planning one district's shift."""

    municipality_id: str
    district_id: str
    date: date
    shift: ShiftKind
    shift_start: AwareDatetime
    shift_end: AwareDatetime
    worklists: tuple[Worklist, ...]
    unplaced: tuple[UnplacedTask, ...]
    as_needed: tuple[AsNeededItem, ...] = ()
    outside_every_shift: tuple[UnplacedTask, ...] = ()
    """Tasks dated this plan's date whose window no shift the municipality defines covers:
    printed with every plan of the date, so that no task is lost between shifts."""
    cancelled: tuple[CancelledByEvent, ...] = ()
    """Tasks of this shift that an event took out (docs/events.md): worklists + unplaced +
    cancelled hold every task of the shift."""
    kpis: PlanKpis
    solver_status: str
    solver_objective: int
    solve_seconds: float
