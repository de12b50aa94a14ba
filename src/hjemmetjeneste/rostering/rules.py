"""What a roster is made of and judged by: contracts, wishes, staffing need and the Act's rules.

Plain frozen data, shared by the roster builder (:mod:`roster`), the independent checker
(:mod:`check`) and the staffing search (:mod:`staffing`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays as _holidays

from hjemmetjeneste.domain import CompetenceLevel, ShiftKind, Skill

ALL_SHIFTS = frozenset(ShiftKind)


@dataclass(frozen=True)
class Contract:
    """A staff member's contract beyond staff.csv: shifts they work and fixed days off.

    The position percentage is staff.csv's ``contracted_fte``; competence and skills come from
    staff.csv too. ``fixed_days_off`` are ISO weekdays (1 = Monday … 7 = Sunday).
    """

    staff_id: str
    allowed_shifts: frozenset[ShiftKind] = ALL_SHIFTS
    fixed_days_off: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Wish:
    """A shift request (ønsketurnus): ``on`` wants the shift, otherwise wants it off.

    ``shift`` None means the whole day. ``weight`` 1–10 says how much it matters.
    """

    staff_id: str
    day: date
    shift: ShiftKind | None
    on: bool
    weight: int = 1


@dataclass(frozen=True)
class ShiftNeed:
    """The caregivers one shift needs (bemanningsbehov), found with the routing solver.

    ``total`` caregivers, of whom at least ``by_competence[level]`` hold ``level`` or higher
    and at least ``by_skill[skill]`` hold ``skill``. ``placed_share_one_fewer`` is the share
    of the placeable tasks placed with ``total - 1`` caregivers (1.0 when total is 0).
    """

    day: date
    shift: ShiftKind
    total: int
    by_competence: dict[CompetenceLevel, int] = field(default_factory=dict)
    by_skill: dict[Skill, int] = field(default_factory=dict)
    tasks: int = 0
    placeable: int = 0
    placed_share_one_fewer: float = 1.0
    unplaceable: tuple[str, ...] = ()
    """Task ids no caregiver of the district could place, even with every one of them on."""


@dataclass(frozen=True)
class ActRuleSet:
    """The Working Environment Act's limits (arbeidsmiljøloven kap. 10) and Norwegian practice.

    Hours are the Act's: 11 h daily rest (§ 10-8 (1)), 35 h weekly rest (§ 10-8 (2)),
    10 h per shift and 48 h per week under averaging with at most 40 h per week on average
    (§ 10-5 (2)), 9 h for a night shift (§ 10-11 (5)); a full-time position on a three-shift
    rotation is 35.5 h a week (§ 10-4 (4)). Consecutive days and nights and the one weekend in
    three are common tariff practice, not the Act's wording, and can be changed.
    """

    min_daily_rest_h: float = 11.0
    weekly_rest_h: float = 35.0
    max_shift_h: float = 10.0
    max_night_shift_h: float = 9.0
    max_week_h: float = 48.0
    max_average_week_h: float = 40.0
    full_time_week_h: float = 35.5
    hours_tolerance_h: float = 4.0
    """How far above the contracted hours of the period a roster may go."""
    max_consecutive_days: int = 6
    max_consecutive_nights: int = 4
    weekend_window: tuple[int, int] = (1, 3)
    """At most one worked weekend in any three (every third weekend)."""


def norwegian_holidays(first: date, last: date) -> frozenset[date]:
    """Norwegian public holidays (helligdager) from ``first`` to ``last`` inclusive."""
    table = _holidays.country_holidays("NO", years=range(first.year, last.year + 1))
    return frozenset(d for d in table if first <= d <= last)


def dates(first: date, n_days: int) -> list[date]:
    """``n_days`` consecutive dates from ``first``."""
    return [first + timedelta(days=i) for i in range(n_days)]
