"""FHIR ``Timing`` (CarePlan activity schedules) to the domain's Schedule."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from pydantic import ValidationError

from hjemmetjeneste.domain import (
    Schedule,
    ScheduleKind,
    TimeWindow,
)
from hjemmetjeneste.errors import InputIssue, pydantic_reason
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
from hjemmetjeneste.i18n import N_


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
        if detail.scheduledPeriod is not None:
            return _from_period(ctx, entry, f"{where}.scheduledPeriod", detail.scheduledPeriod)
        if detail.scheduledString is not None:
            return _from_text(ctx, entry, f"{where}.scheduledString", detail.scheduledString)
        if ctx.default_schedule is not None:
            return _from_text(
                ctx, entry, f"{where} (mapping default_schedule)", ctx.default_schedule
            )
        reader.add(
            entry.row,
            f"{where}.scheduledTiming",
            N_(
                "expected a scheduledTiming, scheduledPeriod or scheduledString "
                "(or default_schedule in the mapping file)"
            ),
        )
        return None
    tpath = f"{where}.scheduledTiming"
    if timing.event:
        reader.add(entry.row, f"{tpath}.event", N_("unsupported Timing: fixed event dates"))
        return None
    repeat = timing.repeat
    if repeat is None:
        reader.add(entry.row, f"{tpath}.repeat", N_("expected Timing.repeat"))
        return None
    rpath = f"{tpath}.repeat"
    ok = True
    for name in _UNSUPPORTED_REPEAT:
        if getattr(repeat, name, None) is not None:
            message = N_("unsupported Timing: {name}")
            reader.add(entry.row, f"{rpath}.{name}", message, name=name)
            ok = False
    if repeat.duration is None:
        reader.add(entry.row, f"{rpath}.duration", N_("expected the activity's duration"))
        ok = False
        duration = None
    else:
        duration = _minutes(float(repeat.duration), repeat.durationUnit)
        if duration is None:
            reader.add(
                entry.row,
                f"{rpath}.durationUnit",
                N_("expected 's', 'min' or 'h', found {value!r}"),
                value=repeat.durationUnit,
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

    unknown_days = [str(d) for d in (repeat.dayOfWeek or []) if str(d) not in _DAYS]
    if unknown_days:
        reader.add(
            entry.row,
            f"{rpath}.dayOfWeek",
            N_("expected days {days}, found {found}"),
            days=", ".join(_DAYS),
            found=", ".join(map(repr, unknown_days)),
        )
        return None
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
                N_("expected HH:MM-HH:MM with the end after the start, found {value!r}"),
                value=ext.valueString,
            )
            ok = False
    offset = int(repeat.offset or 0)
    for code in repeat.when or []:
        code = str(code)
        if code not in WHEN_WINDOWS:
            message = N_("unsupported Timing: when code {code!r}")
            reader.add(entry.row, f"{rpath}.when", message, code=code)
            ok = False
            continue
        a, b = (_parse_time(t) for t in WHEN_WINDOWS[code])
        shifted = [(t.hour * 60 + t.minute + offset) for t in (a, b)]
        if shifted[0] < 0 or shifted[1] > 23 * 60 + 59:
            reader.add(
                entry.row,
                f"{rpath}.offset",
                N_("offset {offset} min moves {code!r} outside the day (impossible time)"),
                offset=offset,
                code=code,
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
        message = N_("unsupported Timing: both timeOfDay and when/time-window")
        reader.add(entry.row, rpath, message)
        ok = False
    per_day = len(times) or len(windows)
    if per_day == 0 and ok:
        reader.add(
            entry.row,
            rpath,
            N_("unsupported Timing: no timeOfDay, when or time-window says when in the day"),
        )
        ok = False
    unit = repeat.periodUnit or "d"
    period = float(repeat.period) if repeat.period is not None else 1.0
    every_n_weeks = 1
    if unit == "d":
        if period != 1:
            message = N_("unsupported Timing: every {period:g} days")
            reader.add(entry.row, f"{rpath}.period", message, period=period)
            ok = False
        days_per_period = 1
    elif unit == "wk":
        if period != int(period) or not 1 <= period <= 52:
            reader.add(entry.row, f"{rpath}.period", N_("expected a whole number of weeks 1-52"))
            ok = False
        every_n_weeks = int(period)
        days_per_period = len(weekdays) or 7
    else:
        message = N_("unsupported Timing: periodUnit {unit!r}")
        reader.add(entry.row, f"{rpath}.periodUnit", message, unit=unit)
        ok = False
        days_per_period = 1
    if repeat.frequency is not None and ok and int(repeat.frequency) != per_day * days_per_period:
        reader.add(
            entry.row,
            f"{rpath}.frequency",
            N_(
                "frequency {frequency} per {period:g} {unit} does not match the "
                "{per_day} time(s) a day on {days} day(s)"
            ),
            frequency=repeat.frequency,
            period=period,
            unit=unit,
            per_day=per_day,
            days=days_per_period,
        )
        ok = False
    anchor = _ext_value(timing, "week-anchor", "valueDate") or start
    if every_n_weeks > 1 and anchor is None:
        reader.add(
            entry.row,
            f"{rpath}.boundsPeriod.start",
            N_("every n weeks needs a start date to count from"),
        )
        ok = False
    tolerance = _ext_value(timing, "tolerance", "valueDuration")
    tolerance_min = ctx.default_tolerance_min
    if tolerance is not None:
        value = _minutes(float(tolerance.value or 0), tolerance.unit or tolerance.code)
        if value is None or not 0 <= value <= 720:
            reader.add(entry.row, f"{tpath}.extension(tolerance)", N_("expected 0-720 minutes"))
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
        reader.issues.append(
            InputIssue.because(reader.file, entry.row, rpath, pydantic_reason(exc.errors()[0]))
        )
        return None
    return schedule, round(duration), start, end


def _from_period(
    ctx: _Context, entry: _Entry, path: str, period: Any
) -> tuple[Schedule, int, date | None, date | None] | None:
    """``scheduledPeriod``: start and end clock times on one day are a single visit at the
    start, as long as the period; a period of dates is an as-needed activity within it."""
    start, end = period.start, period.end
    if start is None:
        ctx.reader.add(entry.row, f"{path}.start", N_("expected the period's start"))
        return None
    first, last = _to_date(start), _to_date(end)
    if isinstance(start, datetime) and isinstance(end, datetime) and first == last:
        minutes = (end - start).total_seconds() / 60
        if minutes <= 0:
            ctx.reader.add(entry.row, f"{path}.end", N_("expected the end after the start"))
            return None
        at = start.timetz().replace(tzinfo=None, second=0, microsecond=0)
        schedule = Schedule(
            kind=ScheduleKind.FIXED, times=(at,), tolerance_min=ctx.default_tolerance_min
        )
        return schedule, round(minutes), first, last
    duration = _default_duration(ctx, entry, path)
    if duration is None:
        return None
    return Schedule(kind=ScheduleKind.AS_NEEDED), duration, first, last


def _default_duration(ctx: _Context, entry: _Entry, path: str) -> int | None:
    if ctx.default_duration_min is None:
        ctx.reader.add(
            entry.row,
            path,
            N_(
                "says no duration: give a scheduledTiming with repeat.duration, write it in "
                "the text ('15 min') or set default_duration_min in the mapping file"
            ),
        )
    return ctx.default_duration_min


_WORD_WHEN = {
    "morgen": "MORN",
    "morning": "MORN",
    "formiddag": "MORN.late",
    "lunsj": "NOON",
    "noon": "NOON",
    "ettermiddag": "AFT",
    "afternoon": "AFT",
    "kveld": "EVE",
    "evening": "EVE",
    "natt": "NIGHT",
    "night": "NIGHT",
    "leggetid": "HS",
    "bedtime": "HS",
}
_WORD_DAYS = {
    **{name: {i + 1} for i, name in enumerate(_DAYS)},
    **{name: {i + 1} for i, name in enumerate(("man", "tir", "ons", "tor", "fre", "lør", "søn"))},
    **{
        name: {i + 1}
        for i, name in enumerate(
            ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
        )
    },
    **{
        name: {i + 1}
        for i, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
    "hverdager": {1, 2, 3, 4, 5},
    "weekdays": {1, 2, 3, 4, 5},
    "helg": {6, 7},
    "helger": {6, 7},
    "weekends": {6, 7},
}
#: Words that carry no schedule of their own ("daglig kl. 08:00 og 20:00").
_FILLER = {
    "daglig", "daily", "hver", "every", "dag", "day", "kl", "at", "og", "and", "om", "in",
    "the", "på", "pa", "i", "per", "x", "gang", "ganger", "times", "once", "en", "to",
}  # fmt: skip
_DURATION = re.compile(
    r"(\d+)\s*(min|minutt|minutter|minutes?|t|time|timer|h|hours?)\b", re.IGNORECASE
)
_RANGE = re.compile(r"\b(\d{1,2})[:.](\d{2})\s*(?:-|–|til|to)\s*(\d{1,2})[:.](\d{2})\b")
_CLOCK = re.compile(r"\b(\d{1,2})[:.](\d{2})\b")


def _from_text(
    ctx: _Context, entry: _Entry, path: str, value: Any
) -> tuple[Schedule, int, date | None, date | None] | None:
    """``scheduledString`` in bokmål or English: clock times ("kl. 08:00 og 20:00"), windows
    ("08:00-10:00", "18.00 til 20.00"), parts of the day ("morgen og kveld"), weekdays
    ("man, ons, fre", "hverdager"), "ved behov", a duration ("15 min"). A word it does not
    know is an error naming it, never ignored."""
    text = str(value).strip().lower()
    if "t" in text and text[:1].isdigit():
        try:
            moment = datetime.fromisoformat(text.upper())
        except ValueError:
            moment = None
        if moment is not None:  # one dateTime, as the HL7 example f003 writes it
            minutes = _default_duration(ctx, entry, path)
            if minutes is None:
                return None
            at = time(moment.hour, moment.minute)
            schedule = Schedule(
                kind=ScheduleKind.FIXED, times=(at,), tolerance_min=ctx.default_tolerance_min
            )
            return schedule, minutes, moment.date(), moment.date()
    duration: int | None = None
    found = _DURATION.search(text)
    if found:
        amount = int(found.group(1))
        duration = (
            amount * 60
            if found.group(2) in ("t", "time", "timer", "h", "hour", "hours")
            else amount
        )
        text = text[: found.start()] + " " + text[found.end() :]
    windows: list[TimeWindow] = []
    for found_range in _RANGE.finditer(text):
        h1, m1, h2, m2 = (int(g) for g in found_range.groups())
        try:
            windows.append(TimeWindow(start=time(h1, m1), end=time(h2, m2)))
        except (ValueError, ValidationError):
            ctx.reader.add(
                entry.row,
                path,
                N_("expected a window with the end after the start, found {value!r}"),
                value=found_range.group(0),
            )
            return None
    text = _RANGE.sub(" ", text)
    times: list[time] = []
    for hour, minute in _CLOCK.findall(text):
        if int(hour) > 23 or int(minute) > 59:
            message = N_("impossible clock time {hour}:{minute}")
            ctx.reader.add(entry.row, path, message, hour=hour, minute=minute)
            return None
        times.append(time(int(hour), int(minute)))
    text = _CLOCK.sub(" ", text)
    as_needed = any(phrase in text for phrase in _AS_NEEDED_TEXT)
    for phrase in _AS_NEEDED_TEXT:
        text = text.replace(phrase, " ")
    weekdays: set[int] = set()
    unknown: list[str] = []
    for word in re.findall(r"[^\W\d_]+|\d+", text):
        if word in _WORD_WHEN:
            a, b = WHEN_WINDOWS[_WORD_WHEN[word]]
            windows.append(TimeWindow(start=_parse_time(a), end=_parse_time(b)))
        elif word in _WORD_DAYS:
            weekdays |= _WORD_DAYS[word]
        elif word not in _FILLER:
            unknown.append(word)
    if unknown:
        ctx.reader.add(
            entry.row,
            path,
            N_("could not read the schedule text: unknown word(s) {words}"),
            words=", ".join(repr(word) for word in unknown),
        )
        return None
    if duration is None:
        duration = _default_duration(ctx, entry, path)
        if duration is None:
            return None
    if as_needed:
        return Schedule(kind=ScheduleKind.AS_NEEDED), duration, None, None
    if times and windows:
        ctx.reader.add(entry.row, path, N_("both clock times and windows or parts of the day"))
        return None
    if not times and not windows:
        ctx.reader.add(
            entry.row, path, N_("says not when in the day (e.g. 'kl. 08:00' or 'morgen og kveld')")
        )
        return None
    schedule = Schedule(
        kind=ScheduleKind.FIXED if times else ScheduleKind.WINDOW,
        times=tuple(sorted(times)),
        tolerance_min=ctx.default_tolerance_min if times else 0,
        windows=tuple(windows),
        weekdays=frozenset(weekdays),
    )
    return schedule, duration, None, None
