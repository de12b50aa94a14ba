"""Wall-clock times on a date turned into exact instants in a municipality's time zone.

Rules, the same for every zoneinfo zone (Europe/Oslo in practice):

- A wall-clock time that does not exist (the spring-forward gap, 02:00–03:00 on the last
  Sunday in March in Oslo) is **shifted forward by the length of the gap**: 02:30 on 2026-03-29
  becomes 03:30 CEST. This is what reading the wall time with the offset in force before the
  gap (``fold=0``) and normalising through UTC gives.
- A wall-clock time that occurs twice (the fall-back hour, 02:00–03:00 on the last Sunday in
  October) means its **first occurrence** (``fold=0``, still summer time): 02:30 on 2026-10-25
  is 02:30 CEST = 00:30 UTC.

Every datetime this package returns carries a *fixed* UTC offset (``datetime.timezone``, named
``CET``/``CEST``) equal to the zone's offset at that instant. Wall clock, ``isoformat()`` and
instant are exactly those of the zoneinfo value, but arithmetic and comparisons are exact too:
Python compares and subtracts two datetimes that share one ``ZoneInfo`` object by their wall
clocks, ignoring the offset and ``fold`` — so with ``ZoneInfo`` attached, a night shift across
the fall-back night would measure 9 h instead of its real 10 h, and a window in the repeated
hour could appear to end before it starts. With fixed offsets ``end - start`` is real elapsed
time. Convert for display with ``dt.astimezone(ZoneInfo(...))`` or :func:`in_zone`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timezone
from zoneinfo import ZoneInfo


def in_zone(instant: datetime, tz: ZoneInfo) -> datetime:
    """The same instant as local time in ``tz``, with the zone's offset at that instant fixed.

    Use it after arithmetic (``start + timedelta(...)``) to get the right local wall clock and
    offset again. Raises ValueError for a naive datetime.
    """
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime {instant.isoformat()} has no instant; give a tzinfo")
    # Through UTC: astimezone() to the very tzinfo a datetime already has is a no-op, which
    # would keep a non-existent wall time such as 02:30 on the spring-forward day.
    local = instant.astimezone(UTC).astimezone(tz)
    offset = local.utcoffset()
    assert offset is not None  # a zoneinfo zone always yields an offset for aware values
    return local.replace(tzinfo=timezone(offset, local.tzname()), fold=0)


def local_datetime(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The instant when local clocks in ``tz`` show ``wall`` on ``day``.

    A non-existent wall time (spring forward) is shifted forward by the gap; an ambiguous one
    (fall back) is its first occurrence. See the module docstring for the rules and for why the
    result carries a fixed offset. Raises ValueError when ``wall`` has its own tzinfo.
    """
    if wall.tzinfo is not None:
        raise ValueError(f"wall-clock time {wall.isoformat()} must be naive (local time)")
    first_reading = datetime.combine(day, wall).replace(tzinfo=tz, fold=0)
    return in_zone(first_reading, tz)
