"""Municipality, district, base and shift definitions."""

from __future__ import annotations

from datetime import time

from pydantic import Field, model_validator

from hjemmetjeneste.domain.common import OSLO_TZ_NAME, Frozen, GeoPoint, ShiftKind
from hjemmetjeneste.i18n import N_


class ShiftDefinition(Frozen):
    """A shift's clock times (vakt) in one municipality; a night shift ends the next day."""

    kind: ShiftKind
    start: time
    end: time

    @property
    def crosses_midnight(self) -> bool:
        """True when the shift ends on the day after it starts (the night shift)."""
        return self.end <= self.start


DEFAULT_SHIFTS: tuple[ShiftDefinition, ...] = (
    ShiftDefinition(kind=ShiftKind.DAY, start=time(7, 30), end=time(15, 0)),
    ShiftDefinition(kind=ShiftKind.EVENING, start=time(15, 0), end=time(22, 30)),
    ShiftDefinition(kind=ShiftKind.NIGHT, start=time(22, 30), end=time(7, 30)),
)


class BreakRule(Frozen):
    """Breaks (pauser) per the Working Environment Act (arbeidsmiljøloven § 10-9).

    A shift longer than ``min_shift_h`` gets one break of ``duration_min``; from
    ``long_shift_h`` on it lasts at least ``long_duration_min`` (30 minutes in total). The
    break starts no earlier than ``earliest_after_start_min`` after shift start and ends no
    later than ``latest_end_before_end_min`` before shift end; it is never taken during a visit.
    """

    min_shift_h: float = Field(default=5.5, gt=0)
    duration_min: int = Field(default=30, ge=1, le=120)
    long_shift_h: float = Field(default=8.0, gt=0)
    long_duration_min: int = Field(default=30, ge=1, le=120)
    earliest_after_start_min: int = Field(default=150, ge=0)
    latest_end_before_end_min: int = Field(default=90, ge=0)


class PlanningRules(Frozen):
    """A municipality's planning rules and soft-constraint weights.

    Weights are in the objective's unit, one second of travel: ``continuity_weight`` 900
    (the default: continuity of care is on) means a caregiver new to the patient (no visit in
    the last ``continuity_days``) costs as much as 15 minutes of extra driving; 0 turns it
    off. ``primary_contact_weight`` is what any other caregiver costs when the patient's
    primary contact is on shift. The other rules change nothing by default.
    """

    breaks: BreakRule | None = None
    continuity_weight: int = Field(default=900, ge=0)
    continuity_days: int = Field(default=14, ge=1, le=90)
    preference_weight: int = Field(default=600, ge=0)
    language_weight: int = Field(default=600, ge=0)
    primary_contact_weight: int = Field(default=900, ge=0)
    lateness_cost_per_min: int = Field(default=60, ge=0)
    overtime_max_min: int = Field(default=0, ge=0, le=240)
    overtime_cost_per_min: int = Field(default=0, ge=0)
    balance_weight: int = Field(default=0, ge=0)
    idle_cost_per_min: int = Field(default=30, ge=0)
    """What a minute of a caregiver's idle time (waiting at a door, idling between visits)
    costs; a minute of travel costs 60. Above 0 the fast search, after placing the visits
    as it would with waiting free, polishes the plan for less waiting at no visit fewer and
    at most 2 % more travel (``solver.lns.polish_waiting``: a second of waiting priced as
    three of travel, or at this weight where it is higher). 30 by default (issue #18,
    ``benchmarks/results/waiting-2026-12-06.md``); 0 leaves waiting free, and only
    re-timing after the search removes the waiting the order does not need."""
    notice_move_threshold_min: int | None = Field(default=None, ge=0, le=24 * 60)
    """A patient gets a notice when a re-plan moves her visit by more than this many minutes
    (a cancelled or unplaced visit always gives one); None: the server's
    ``HJEMMETJENESTE_NOTICE_MOVE_THRESHOLD_MIN`` (30 minutes unless set)."""


class Municipality(Frozen):
    """A municipality (kommune): owns patients, staff and plans; the unit of data isolation."""

    municipality_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    timezone: str = OSLO_TZ_NAME
    shifts: tuple[ShiftDefinition, ...] = DEFAULT_SHIFTS
    rules: PlanningRules = PlanningRules()

    @model_validator(mode="after")
    def _one_definition_per_shift(self) -> Municipality:
        kinds = [s.kind for s in self.shifts]
        if len(set(kinds)) != len(kinds):
            raise ValueError(N_("each shift kind may be defined only once"))
        return self

    def shift(self, kind: ShiftKind) -> ShiftDefinition:
        """The definition of one shift kind; raises KeyError when the municipality lacks it."""
        for definition in self.shifts:
            if definition.kind == kind:
                return definition
        raise KeyError(f"municipality {self.municipality_id} defines no {kind} shift")


class Base(Frozen):
    """A home-care base (hjemmetjenestebase): where shifts start and end."""

    base_id: str = Field(min_length=1)
    name: str
    address: str
    location: GeoPoint


class District(Frozen):
    """A district (sone / distrikt) of a municipality with its own base; the unit of a solve."""

    district_id: str = Field(min_length=1)
    municipality_id: str
    name: str
    base_id: str
