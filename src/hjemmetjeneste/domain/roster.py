"""The roster (vaktplan): who works which shift on which date."""

from __future__ import annotations

from datetime import date

from hjemmetjeneste.domain.common import Frozen, ShiftKind


class RosterEntry(Frozen):
    """One staff member working one shift on one date (the date the shift starts)."""

    staff_id: str
    date: date
    shift: ShiftKind
    district_id: str


class Roster(Frozen):
    """All roster entries of a municipality for a period."""

    entries: tuple[RosterEntry, ...] = ()

    def on_shift(self, day: date, shift: ShiftKind, district_id: str) -> tuple[str, ...]:
        """Staff ids rostered on ``shift`` starting on ``day`` in one district, sorted."""
        return tuple(
            sorted(
                e.staff_id
                for e in self.entries
                if e.date == day and e.shift == shift and e.district_id == district_id
            )
        )
