"""FHIR ``Timing`` (CarePlan activity schedules) to the domain's Schedule."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from pydantic import ValidationError

from hjemmetjeneste.domain import (
    Schedule,
    ScheduleKind,
    TimeWindow,
)
from hjemmetjeneste.formats.fhir.codes import (
    _AS_NEEDED_TEXT,
    _DAYS,
    _UNSUPPORTED_REPEAT,
    WHEN_WINDOWS,
)
from hjemmetjeneste.formats.fhir.resources import (
    _codes,
    _Context,
    _Entry,
    _ext,
    _ext_value,
    _minutes,
    _to_date,
)


def _parse_time(text: Any) -> time:
    if isinstance(text, time):
        return text
    return time.fromisoformat(str(text))


def _schedule(
    ctx: _Context, entry: _Entry, path: str, detail: Any
) -> tuple[Schedule, int, date | None, date | None] | None:
    """(schedule, duration_min, bounds start, bounds end) of an activity detail."""
    reader = ctx.reader
    timing = detail.scheduledTiming
    where = f"{entry.ref} {path}"
    if timing is None:
        text = (detail.scheduledString or "").strip().lower()
        if text in _AS_NEEDED_TEXT:
            reader.add(
                entry.row,
                f"{where}.scheduledString",
                "as-needed activities need a scheduledTiming with code 'ved behov' and a duration",
            )
        else:
            reader.add(entry.row, f"{where}.scheduledTiming", "expected a scheduledTiming")
        return None
    tpath = f"{where}.scheduledTiming"
    if timing.event:
        reader.add(entry.row, f"{tpath}.event", "unsupported Timing: fixed event dates")
        return None
    repeat = timing.repeat
    if repeat is None:
        reader.add(entry.row, f"{tpath}.repeat", "expected Timing.repeat")
        return None
    rpath = f"{tpath}.repeat"
    ok = True
    for name in _UNSUPPORTED_REPEAT:
        if getattr(repeat, name, None) is not None:
            reader.add(entry.row, f"{rpath}.{name}", f"unsupported Timing: {name}")
            ok = False
    if repeat.duration is None:
        reader.add(entry.row, f"{rpath}.duration", "expected the activity's duration")
        ok = False
        duration = None
    else:
        duration = _minutes(float(repeat.duration), repeat.durationUnit)
        if duration is None:
            reader.add(
                entry.row,
                f"{rpath}.durationUnit",
                f"expected 's', 'min' or 'h', found {repeat.durationUnit!r}",
            )
            ok = False
    bounds = repeat.boundsPeriod
    start = _to_date(bounds.start) if bounds is not None else None
    end = _to_date(bounds.end) if bounds is not None else None
    codes = {code.lower() for _s, code in _codes(timing.code)}
    if codes & _AS_NEEDED_TEXT:
        if not ok or duration is None:
            return None
        return Schedule(kind=ScheduleKind.AS_NEEDED), round(duration), start, end

    weekdays = frozenset(_DAYS.index(str(d)) + 1 for d in (repeat.dayOfWeek or []))
    times = tuple(_parse_time(t) for t in (repeat.timeOfDay or []))
    windows: list[TimeWindow] = []
    for ext in _ext(timing, "time-window"):
        try:
            a, b = str(ext.valueString).split("-")
            windows.append(TimeWindow(start=_parse_time(a), end=_parse_time(b)))
        except (ValueError, ValidationError):
            reader.add(
                entry.row,
                f"{tpath}.extension(time-window)",
                f"expected HH:MM-HH:MM with the end after the start, found {ext.valueString!r}",
            )
            ok = False
    offset = int(repeat.offset or 0)
    for code in repeat.when or []:
        code = str(code)
        if code not in WHEN_WINDOWS:
            reader.add(entry.row, f"{rpath}.when", f"unsupported Timing: when code {code!r}")
            ok = False
            continue
        a, b = (_parse_time(t) for t in WHEN_WINDOWS[code])
        shifted = [(t.hour * 60 + t.minute + offset) for t in (a, b)]
        if shifted[0] < 0 or shifted[1] > 23 * 60 + 59:
            reader.add(
                entry.row,
                f"{rpath}.offset",
                f"offset {offset} min moves {code!r} outside the day (impossible time)",
            )
            ok = False
            continue
        windows.append(
            TimeWindow(
                start=time(shifted[0] // 60, shifted[0] % 60),
                end=time(shifted[1] // 60, shifted[1] % 60),
            )
        )
    if times and windows:
        reader.add(entry.row, rpath, "unsupported Timing: both timeOfDay and when/time-window")
        ok = False
    per_day = len(times) or len(windows)
    if per_day == 0 and ok:
        reader.add(
            entry.row,
            rpath,
            "unsupported Timing: no timeOfDay, when or time-window says when in the day",
        )
        ok = False
    unit = repeat.periodUnit or "d"
    period = float(repeat.period) if repeat.period is not None else 1.0
    every_n_weeks = 1
    if unit == "d":
        if period != 1:
            reader.add(entry.row, f"{rpath}.period", f"unsupported Timing: every {period:g} days")
            ok = False
        days_per_period = 1
    elif unit == "wk":
        if period != int(period) or not 1 <= period <= 52:
            reader.add(entry.row, f"{rpath}.period", "expected a whole number of weeks 1-52")
            ok = False
        every_n_weeks = int(period)
        days_per_period = len(weekdays) or 7
    else:
        reader.add(entry.row, f"{rpath}.periodUnit", f"unsupported Timing: periodUnit {unit!r}")
        ok = False
        days_per_period = 1
    if repeat.frequency is not None and ok and int(repeat.frequency) != per_day * days_per_period:
        reader.add(
            entry.row,
            f"{rpath}.frequency",
            f"frequency {repeat.frequency} per {period:g} {unit} does not match the "
            f"{per_day} time(s) a day on {days_per_period} day(s)",
        )
        ok = False
    anchor = _ext_value(timing, "week-anchor", "valueDate") or start
    if every_n_weeks > 1 and anchor is None:
        reader.add(
            entry.row,
            f"{rpath}.boundsPeriod.start",
            "every n weeks needs a start date to count from",
        )
        ok = False
    tolerance = _ext_value(timing, "tolerance", "valueDuration")
    tolerance_min = ctx.default_tolerance_min
    if tolerance is not None:
        value = _minutes(float(tolerance.value or 0), tolerance.unit or tolerance.code)
        if value is None or not 0 <= value <= 720:
            reader.add(entry.row, f"{tpath}.extension(tolerance)", "expected 0-720 minutes")
            ok = False
        else:
            tolerance_min = round(value)
    if not ok or duration is None:
        return None
    try:
        schedule = Schedule(
            kind=ScheduleKind.FIXED if times else ScheduleKind.WINDOW,
            times=times,
            tolerance_min=tolerance_min if times else 0,
            windows=tuple(windows),
            weekdays=weekdays,
            every_n_weeks=every_n_weeks,
            week_anchor=_to_date(anchor) if every_n_weeks > 1 else None,
        )
    except ValidationError as exc:
        reader.add(entry.row, rpath, exc.errors()[0]["msg"])
        return None
    return schedule, round(duration), start, end
