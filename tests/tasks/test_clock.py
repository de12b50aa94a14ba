"""Wall-clock times to instants in Europe/Oslo, including both DST changes of 2026."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

import pytest

from hjemmetjeneste.tasks import in_zone, local_datetime

SPRING = date(2026, 3, 29)  # 02:00 CET -> 03:00 CEST
AUTUMN = date(2026, 10, 25)  # 03:00 CEST -> 02:00 CET


def test_ordinary_time_keeps_wall_clock_and_offset(oslo):
    """An ordinary local time keeps its wall clock and the zone's offset (CEST in May)."""
    moment = local_datetime(date(2026, 5, 4), time(8, 0), oslo)
    assert moment.isoformat() == "2026-05-04T08:00:00+02:00"
    assert moment.tzname() == "CEST"


def test_non_existent_time_is_shifted_forward_by_the_gap(oslo):
    """02:30 on the spring-forward day does not exist and becomes 03:30 CEST (01:30 UTC)."""
    moment = local_datetime(SPRING, time(2, 30), oslo)
    assert moment.isoformat() == "2026-03-29T03:30:00+02:00"
    assert moment.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_ambiguous_time_is_its_first_occurrence(oslo):
    """02:30 on the fall-back day occurs twice; the first (CEST, 00:30 UTC) is taken."""
    moment = local_datetime(AUTUMN, time(2, 30), oslo)
    assert moment.isoformat() == "2026-10-25T02:30:00+02:00"
    assert moment.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_differences_are_real_elapsed_time_across_fall_back(oslo):
    """Subtracting two returned datetimes gives real time, not the wall-clock difference."""
    start = local_datetime(AUTUMN, time(1, 30), oslo)
    end = local_datetime(AUTUMN, time(3, 30), oslo)
    assert end - start == timedelta(hours=3)


def test_in_zone_gives_the_local_offset_after_arithmetic(oslo):
    """Adding real time across the fall-back change lands on the right CET wall clock."""
    start = local_datetime(AUTUMN, time(1, 30), oslo)
    assert in_zone(start + timedelta(hours=2), oslo).isoformat() == "2026-10-25T02:30:00+01:00"


def test_naive_input_is_rejected(oslo):
    """A naive datetime has no instant and is refused, as is an aware wall-clock time."""
    with pytest.raises(ValueError, match="naive"):
        in_zone(datetime(2026, 5, 4, 8, 0), oslo)
    with pytest.raises(ValueError, match="naive"):
        local_datetime(date(2026, 5, 4), time(8, 0, tzinfo=UTC), oslo)


def test_a_zone_that_cannot_tell_its_offset_gives_no_instant(oslo):
    """A tzinfo whose offset is unknown (utcoffset() is None) is as naive as none at all."""

    class Unknown(tzinfo):
        def utcoffset(self, dt):
            return None

        def dst(self, dt):
            return None

        def tzname(self, dt):
            return "?"

    with pytest.raises(ValueError, match="naive"):
        in_zone(datetime(2026, 5, 4, 8, 0, tzinfo=Unknown()), oslo)


def test_the_second_pass_of_the_repeated_hour_is_a_plain_fixed_offset_value(oslo):
    """00:30 UTC on the fall-back day is 02:30 CET, the second 02:30: it comes back with
    the fixed CET offset and fold 0, identical to any other value of that instant."""
    moment = in_zone(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), oslo)
    cet = datetime(2026, 10, 25, 2, 30, tzinfo=timezone(timedelta(hours=1), "CET"))
    assert moment.fold == 0
    assert repr(moment) == repr(cet)
