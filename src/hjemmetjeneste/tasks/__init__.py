"""Recurrence -> dated tasks (oppdrag) -> visits (besøk) for one date, shift and district.

All datetimes produced here are aware and carry the municipality zone's offset at that
instant as a fixed offset; see :mod:`hjemmetjeneste.tasks.clock` for the DST rules.
"""

from hjemmetjeneste.tasks.clock import in_zone, local_datetime
from hjemmetjeneste.tasks.dayplan import (
    belongs_to_shift,
    build_day_plan,
    outside_every_shift,
    window_midpoint,
)
from hjemmetjeneste.tasks.recurrence import expand_intervention, occurs_on
from hjemmetjeneste.tasks.shifts import defined_shifts, require_shift, shift_instance
from hjemmetjeneste.tasks.visits import merge_into_visits

__all__ = [
    "belongs_to_shift",
    "build_day_plan",
    "defined_shifts",
    "expand_intervention",
    "in_zone",
    "local_datetime",
    "merge_into_visits",
    "occurs_on",
    "outside_every_shift",
    "require_shift",
    "shift_instance",
    "window_midpoint",
]
