"""Care plans (pasientplan), their interventions (tiltak) and schedules."""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum

from pydantic import Field, model_validator

from hjemmetjeneste.domain.common import (
    CompetenceLevel,
    Frozen,
    ProblemAreaName,
    SkillName,
)
from hjemmetjeneste.errors import Phrase
from hjemmetjeneste.i18n import N_


class ScheduleKind(StrEnum):
    """How an intervention is placed in the day."""

    FIXED = "fixed"  # given clock times with a tolerance: "08:00 ±30 min"
    WINDOW = "window"  # parts of the day: "between 08:00 and 10:00"
    AS_NEEDED = "as_needed"  # ved behov: never planned, shown to the nurse


class HolidayRule(StrEnum):
    """What a schedule does on a Norwegian public holiday (17 May, Easter Monday, ...)."""

    NORMAL = "normal"  # the holiday counts as the weekday it falls on
    SKIP = "skip"  # not on public holidays ("ikke på helligdager")
    AS_SUNDAY = "as_sunday"  # the holiday follows the Sunday rule ("helligdag som søndag")


class TimeWindow(Frozen):
    """A clock-time window within one day; ``end`` after ``start``."""

    start: time
    end: time

    @model_validator(mode="after")
    def _ordered(self) -> TimeWindow:
        if self.end <= self.start:
            raise ValueError(
                Phrase.of(
                    N_("window end {end} must be after start {start}"),
                    end=self.end.strftime("%H:%M"),
                    start=self.start.strftime("%H:%M"),
                )
            )
        return self


class Schedule(Frozen):
    """When an intervention recurs.

    - ``FIXED``: one task per entry of ``times``, window ``time ± tolerance_min``.
    - ``WINDOW``: one task per entry of ``windows``.
    - ``AS_NEEDED``: no tasks.
    ``weekdays`` (ISO 1=Monday … 7=Sunday) restricts the days, empty meaning every day;
    ``every_n_weeks`` > 1 keeps only weeks ``k·n`` away from the week of ``week_anchor``.
    """

    kind: ScheduleKind
    times: tuple[time, ...] = ()
    tolerance_min: int = Field(default=0, ge=0, le=12 * 60)
    windows: tuple[TimeWindow, ...] = ()
    weekdays: frozenset[int] = frozenset()
    every_n_weeks: int = Field(default=1, ge=1, le=52)
    week_anchor: date | None = None
    windows_are_alternatives: bool = False
    on_holidays: HolidayRule = HolidayRule.NORMAL
    """WINDOW only: one task that may start in any of ``windows`` ("08–09 or 11–12")."""

    @model_validator(mode="after")
    def _consistent(self) -> Schedule:
        if self.kind == ScheduleKind.FIXED and not self.times:
            raise ValueError(N_("a fixed schedule needs at least one time"))
        if self.kind == ScheduleKind.WINDOW and not self.windows:
            raise ValueError(N_("a window schedule needs at least one window"))
        if self.kind != ScheduleKind.FIXED and self.times:
            raise ValueError(
                Phrase.of(N_("a {kind} schedule takes no times"), kind=self.kind.value)
            )
        if self.kind != ScheduleKind.WINDOW and self.windows:
            raise ValueError(
                Phrase.of(N_("a {kind} schedule takes no windows"), kind=self.kind.value)
            )
        if any(d < 1 or d > 7 for d in self.weekdays):
            raise ValueError(N_("weekdays are ISO numbers 1 (Monday) to 7 (Sunday)"))
        if self.every_n_weeks > 1 and self.week_anchor is None:
            raise ValueError(N_("every_n_weeks > 1 needs a week_anchor date"))
        return self


class Priority(StrEnum):
    """How bad it is to leave a task undone; time-critical work is flagged separately."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


class Intervention(Frozen):
    """An intervention (tiltak): one recurring thing to do — what, how long, when, by whom."""

    intervention_id: str = Field(min_length=1)
    patient_id: str
    problem_area: ProblemAreaName
    description: str
    duration_min: int = Field(ge=1, le=240)
    schedule: Schedule
    required_competence: CompetenceLevel = CompetenceLevel.ASSISTANT
    required_skills: frozenset[SkillName] = frozenset()
    staff_count: int = Field(default=1, ge=1, le=2)
    priority: Priority = Priority.NORMAL
    time_critical: bool = False
    valid_from: date
    valid_to: date | None = None
    # Opt-in planning rules; the defaults change nothing (see docs/constraints.md).
    gap_group: str | None = None
    """Occurrences of a patient's interventions with the same gap group keep the gaps below."""
    min_gap_min: int = Field(default=0, ge=0, le=24 * 60)
    max_gap_min: int | None = Field(default=None, ge=1, le=48 * 60)
    second_staff_competence: CompetenceLevel | None = None
    """Double-staffed work: the second caregiver needs only this level ("a nurse and a helper")."""
    second_staff_skills: frozenset[SkillName] = frozenset()
    """The second caregiver's role needs these skills (with ``second_staff_competence``):
    "a sykepleier with sårstell and a helsefagarbeider with kateter"."""
    late_allowance_min: int = Field(default=0, ge=0, le=12 * 60)
    """Soft window: the start may slip this far past the window end, at a lateness cost."""
    separate_visit: bool = False
    """Never merge this intervention's tasks with others into one visit."""

    @model_validator(mode="after")
    def _valid_period(self) -> Intervention:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(N_("valid_to is before valid_from"))
        if (self.min_gap_min or self.max_gap_min) and self.gap_group is None:
            raise ValueError(N_("min_gap_min/max_gap_min need a gap_group"))
        if self.max_gap_min is not None and self.max_gap_min < self.min_gap_min:
            raise ValueError(N_("max_gap_min is below min_gap_min"))
        if self.second_staff_competence is not None and self.staff_count != 2:
            raise ValueError(N_("second_staff_competence needs staff_count 2"))
        if self.second_staff_skills and self.second_staff_competence is None:
            raise ValueError(N_("second_staff_skills need a second_staff_competence"))
        return self

    def is_valid_on(self, day: date) -> bool:
        """True when ``day`` lies in the validity period (both ends inclusive)."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class CarePlan(Frozen):
    """A patient's plan (pasientplan): the interventions under their problem areas."""

    care_plan_id: str = Field(min_length=1)
    patient_id: str
    interventions: tuple[Intervention, ...] = ()

    @model_validator(mode="after")
    def _own_interventions(self) -> CarePlan:
        for intervention in self.interventions:
            if intervention.patient_id != self.patient_id:
                raise ValueError(
                    Phrase.of(
                        N_("intervention {intervention} belongs to another patient"),
                        intervention=intervention.intervention_id,
                    )
                )
        return self
