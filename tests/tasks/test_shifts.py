"""Concrete shift instances from a municipality's shift definitions."""

from __future__ import annotations

from datetime import UTC, date, time, timedelta

import pytest

from hjemmetjeneste.domain import Municipality, ShiftDefinition, ShiftKind
from hjemmetjeneste.tasks import shift_instance

MUNICIPALITY = Municipality(municipality_id="K1", name="Testkommune")


def real_length(instance) -> timedelta:
    """Elapsed time between a shift's start and end."""
    return instance.end.astimezone(UTC) - instance.start.astimezone(UTC)


def test_day_shift_uses_the_municipality_clock_times():
    """The default day shift on an ordinary date runs 07:30–15:00 CEST on that date."""
    instance = shift_instance(MUNICIPALITY, date(2026, 5, 4), ShiftKind.DAY)
    assert (instance.date, instance.kind) == (date(2026, 5, 4), ShiftKind.DAY)
    assert instance.start.isoformat() == "2026-05-04T07:30:00+02:00"
    assert instance.end.isoformat() == "2026-05-04T15:00:00+02:00"


def test_night_shift_ends_on_the_next_date():
    """A night shift starting 22:30 on a date ends 07:30 the next date, 9 h later."""
    instance = shift_instance(MUNICIPALITY, date(2026, 5, 4), ShiftKind.NIGHT)
    assert instance.start.isoformat() == "2026-05-04T22:30:00+02:00"
    assert instance.end.isoformat() == "2026-05-05T07:30:00+02:00"
    assert real_length(instance) == timedelta(hours=9)


def test_night_shift_across_spring_forward_lasts_eight_real_hours():
    """Night 2026-03-28 22:30 CET to 2026-03-29 07:30 CEST is 8 h (21:30 to 05:30 UTC)."""
    instance = shift_instance(MUNICIPALITY, date(2026, 3, 28), ShiftKind.NIGHT)
    assert instance.start.isoformat() == "2026-03-28T22:30:00+01:00"
    assert instance.end.isoformat() == "2026-03-29T07:30:00+02:00"
    assert real_length(instance) == timedelta(hours=8)
    assert instance.end - instance.start == timedelta(hours=8)


def test_night_shift_across_fall_back_lasts_ten_real_hours():
    """Night 2026-10-24 22:30 CEST to 2026-10-25 07:30 CET is 10 h (20:30 to 06:30 UTC)."""
    instance = shift_instance(MUNICIPALITY, date(2026, 10, 24), ShiftKind.NIGHT)
    assert instance.start.isoformat() == "2026-10-24T22:30:00+02:00"
    assert instance.end.isoformat() == "2026-10-25T07:30:00+01:00"
    assert real_length(instance) == timedelta(hours=10)
    assert instance.end - instance.start == timedelta(hours=10)


def test_day_shift_on_a_dst_day_is_unaffected():
    """On the fall-back day the day shift (after the change) still lasts 7.5 h."""
    instance = shift_instance(MUNICIPALITY, date(2026, 10, 25), ShiftKind.DAY)
    assert real_length(instance) == timedelta(hours=7, minutes=30)


def test_custom_shift_times_and_a_missing_kind():
    """A municipality's own times are used; asking for a kind it lacks raises KeyError."""
    municipality = Municipality(
        municipality_id="K2",
        name="Annen kommune",
        shifts=(ShiftDefinition(kind=ShiftKind.DAY, start=time(8, 0), end=time(16, 0)),),
    )
    instance = shift_instance(municipality, date(2026, 5, 4), ShiftKind.DAY)
    assert instance.start.time() == time(8, 0) and instance.end.time() == time(16, 0)
    with pytest.raises(KeyError, match="night"):
        shift_instance(municipality, date(2026, 5, 4), ShiftKind.NIGHT)
