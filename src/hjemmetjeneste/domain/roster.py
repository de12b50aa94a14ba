"""The roster (vaktplan): who works which shift on which date, from when to when, and
where each day starts and ends."""

from __future__ import annotations

from datetime import date, time

from pydantic import Field

from hjemmetjeneste.domain.common import Frozen, ShiftKind
from hjemmetjeneste.domain.organisation import ShiftDefinition
from hjemmetjeneste.errors import Phrase, Term
from hjemmetjeneste.i18n import N_

#: ``RosterEntry.start_place`` / ``end_place`` value for the caregiver's home (``Staff.home``).
HOME = "home"


class RosterEntry(Frozen):
    """One staff member working one shift on one date (the date the shift starts).

    The roster as it is: ``start`` and ``end`` are the caregiver's own hours that day
    (part-day staff, staggered starts), clock times that may lie inside the shift or reach
    across its start or end; None means the shift's. ``start_place`` and ``end_place`` are
    where the day starts and ends: a base id (another district's base) or :data:`HOME`;
    None means the district's base.
    """

    staff_id: str
    date: date
    shift: ShiftKind
    district_id: str
    start: time | None = None
    end: time | None = None
    start_place: str | None = Field(default=None, min_length=1)
    end_place: str | None = Field(default=None, min_length=1)

    @property
    def is_plain(self) -> bool:
        """True when the entry keeps the shift's hours and the district's base."""
        return self.start is self.end is self.start_place is self.end_place is None

    def hour_days(self, definition: ShiftDefinition) -> tuple[tuple[int, time], tuple[int, time]]:
        """(day offset, clock time) of the caregiver's start and end, days counted from the
        entry's date: each clock time is placed on the day that puts it nearest to the
        shift's own start (or end), so 06:00 on a 07:30 day shift starts early and 23:00 on a
        22:30 night shift ends the next morning only if it is the end."""
        end_day = 1 if definition.crosses_midnight else 0
        start = (
            (0, definition.start)
            if self.start is None
            else _nearest(self.start, 0, definition.start)
        )
        end = (
            (end_day, definition.end)
            if self.end is None
            else _nearest(self.end, end_day, definition.end)
        )
        return start, end

    def hours_problem(self, definition: ShiftDefinition) -> Phrase | None:
        """Why the entry's own hours cannot be a working day (None when they can); English
        as ``str()``, worded in another language with ``Phrase.worded``."""
        if self.start is None and self.end is None:
            return None
        start, end = self.hour_days(definition)
        if end <= start:
            return Phrase.of(
                N_("the day {start}–{end} ends before it starts (the {kind} shift is {shift})"),
                start=_text(start),
                end=_text(end),
                kind=Term(self.shift.value),
                shift=f"{definition.start:%H:%M}–{definition.end:%H:%M}",
            )
        return None


def _minutes(clock: time) -> int:
    return clock.hour * 60 + clock.minute


def _nearest(clock: time, anchor_day: int, anchor: time) -> tuple[int, time]:
    """``clock`` on the day (anchor_day - 1 .. + 1) that puts it nearest to ``anchor``."""
    target = anchor_day * 1440 + _minutes(anchor)
    day = min(
        (anchor_day + k for k in (-1, 0, 1)),
        key=lambda d: (abs(d * 1440 + _minutes(clock) - target), -d),
    )
    return day, clock


def _text(moment: tuple[int, time]) -> str:
    day, clock = moment
    return f"{clock:%H:%M}" + ("" if day == 0 else f" (day {day:+d})")


class Roster(Frozen):
    """All roster entries of a municipality for a period."""

    entries: tuple[RosterEntry, ...] = ()

    def on_shift(self, day: date, shift: ShiftKind, district_id: str) -> tuple[str, ...]:
        """Staff ids rostered on ``shift`` starting on ``day`` in one district, sorted."""
        return tuple(sorted(e.staff_id for e in self.entries_on(day, shift, district_id)))

    def entries_on(self, day: date, shift: ShiftKind, district_id: str) -> tuple[RosterEntry, ...]:
        """The entries of ``shift`` starting on ``day`` in one district, by staff id."""
        return tuple(
            sorted(
                (
                    e
                    for e in self.entries
                    if e.date == day and e.shift == shift and e.district_id == district_id
                ),
                key=lambda e: e.staff_id,
            )
        )
