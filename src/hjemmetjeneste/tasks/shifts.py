"""Concrete shifts (vakt): a municipality's shift definition placed on a date."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from hjemmetjeneste.domain import Municipality, ShiftInstance, ShiftKind
from hjemmetjeneste.errors import Phrase, PlanRequestError, Term
from hjemmetjeneste.i18n import N_
from hjemmetjeneste.tasks.clock import local_datetime


def defined_shifts(municipality: Municipality) -> tuple[Phrase, ...] | Term:
    """The shifts a municipality defines, as ``day 07:30–15:00, evening 15:00–22:30`` in a
    message (:class:`Phrase` values), the kinds worded in the message's language."""
    return tuple(
        Phrase.of(
            N_("{shift} {start}–{end}"),
            shift=Term(d.kind.value),
            start=f"{d.start:%H:%M}",
            end=f"{d.end:%H:%M}",
        )
        for d in municipality.shifts
    ) or Term(N_("none"))


def require_shift(municipality: Municipality, kind: ShiftKind) -> None:
    """Raise :class:`PlanRequestError` (an input error) naming the shifts that exist when
    the municipality defines no shift of ``kind``."""
    if all(d.kind != kind for d in municipality.shifts):
        raise PlanRequestError(
            Phrase.of(
                N_("municipality {municipality} defines no {shift} shift; it defines: {shifts}"),
                municipality=municipality.municipality_id,
                shift=Term(kind.value),
                shifts=defined_shifts(municipality),
            )
        )


def shift_instances_around(municipality: Municipality, day: date) -> tuple[ShiftInstance, ...]:
    """Every defined shift that starts on ``day − 1``, ``day`` or ``day + 1``."""
    return tuple(
        shift_instance(municipality, day + timedelta(days=offset), d.kind)
        for offset in (-1, 0, 1)
        for d in municipality.shifts
    )


def shift_instance(municipality: Municipality, day: date, kind: ShiftKind) -> ShiftInstance:
    """The shift of ``kind`` that starts on ``day``, with aware start and end times.

    Clock times come from the municipality's ShiftDefinition in its time zone; a shift that
    crosses midnight (the night shift) ends on the next date. Length is real elapsed time:
    22:30–07:30 lasts 8 h across the spring-forward night and 10 h across the fall-back night.
    DST rules for the clock times are those of :mod:`hjemmetjeneste.tasks.clock`.
    Raises KeyError when the municipality defines no shift of ``kind``.
    """
    definition = municipality.shift(kind)
    tz = ZoneInfo(municipality.timezone)
    end_day = day + timedelta(days=1) if definition.crosses_midnight else day
    return ShiftInstance(
        date=day,
        kind=kind,
        start=local_datetime(day, definition.start, tz),
        end=local_datetime(end_day, definition.end, tz),
    )
