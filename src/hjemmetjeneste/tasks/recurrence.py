"""Recurrence: which interventions (tiltak) occur on a date, and their dated tasks (oppdrag).

Task ids are deterministic: ``f"{intervention_id}@{day.isoformat()}#{k}"`` with ``k`` the
1-based position of the time (FIXED) or window (WINDOW) in the schedule as the plan lists it.
Local times follow the DST rules of :mod:`hjemmetjeneste.tasks.clock`; window lengths are real
elapsed time, so 01:30–03:30 lasts 1 h on the spring-forward day and 3 h on the fall-back day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hjemmetjeneste.domain import HolidayRule, Intervention, Schedule, ScheduleKind, Task
from hjemmetjeneste.tasks.clock import in_zone, local_datetime
from hjemmetjeneste.tasks.holidays import is_public_holiday

_SUNDAY = 7


def _monday(day: date) -> date:
    """The Monday of the ISO week holding ``day``."""
    return day - timedelta(days=day.weekday())


def occurs_on(schedule: Schedule, day: date) -> bool:
    """True when the schedule's weekday and week rules select ``day``.

    ``weekdays`` are ISO numbers (1 = Monday); empty means every day. With ``every_n_weeks = n``
    greater than 1, only ISO weeks whose Monday lies a multiple of ``n·7`` days from the Monday
    of ``week_anchor``'s week qualify — before the anchor as well as after it. Validity periods
    and the AS_NEEDED kind are not looked at here (see :func:`expand_intervention`).

    On a Norwegian public holiday (:mod:`hjemmetjeneste.tasks.holidays`) ``on_holidays``
    decides: ``normal`` keeps the weekday, ``skip`` never occurs, ``as_sunday`` follows the
    Sunday rule (occurs when the schedule includes Sunday).
    """
    weekday = day.isoweekday()
    if schedule.on_holidays != HolidayRule.NORMAL and is_public_holiday(day):
        if schedule.on_holidays == HolidayRule.SKIP:
            return False
        weekday = _SUNDAY
    if schedule.weekdays and weekday not in schedule.weekdays:
        return False
    if schedule.every_n_weeks > 1:
        anchor = schedule.week_anchor
        if anchor is None:  # the Schedule validator forbids this; keep type checkers honest
            raise ValueError("every_n_weeks > 1 needs a week_anchor date")
        days_apart = (_monday(day) - _monday(anchor)).days
        return days_apart % (7 * schedule.every_n_weeks) == 0
    return True


def expand_intervention(intervention: Intervention, day: date, tz: ZoneInfo) -> list[Task]:
    """The tasks one intervention gives on ``day``, in the order the schedule lists them.

    Empty when the intervention is not valid on ``day`` (validity ends inclusive), the schedule
    does not occur on ``day``, or the schedule is AS_NEEDED (ved behov: never planned).
    FIXED gives one task per time with the start window ``[t − tolerance, t + tolerance]``
    (real minutes; near midnight the window simply reaches into the neighbouring date);
    WINDOW gives one task per time window. ``Task.date`` is always ``day``.
    """
    schedule = intervention.schedule
    if (
        schedule.kind == ScheduleKind.AS_NEEDED
        or not intervention.is_valid_on(day)
        or not occurs_on(schedule, day)
    ):
        return []
    windows: list[tuple[datetime, datetime]] = []
    if schedule.kind == ScheduleKind.FIXED:
        tolerance = timedelta(minutes=schedule.tolerance_min)
        for wall in schedule.times:
            centre = local_datetime(day, wall, tz)
            windows.append((in_zone(centre - tolerance, tz), in_zone(centre + tolerance, tz)))
    else:
        windows.extend(
            (local_datetime(day, w.start, tz), local_datetime(day, w.end, tz))
            for w in schedule.windows
        )
    if schedule.kind == ScheduleKind.WINDOW and schedule.windows_are_alternatives:
        # One task that may start in any of the windows; its window is their hull.
        task = _task(intervention, day, 1, min(w[0] for w in windows), max(w[1] for w in windows))
        return [task.model_copy(update={"alternative_windows": tuple(sorted(windows))})]
    return [
        _task(intervention, day, k, start, end) for k, (start, end) in enumerate(windows, start=1)
    ]


def _task(intervention: Intervention, day: date, k: int, start: datetime, end: datetime) -> Task:
    """The k-th task of ``intervention`` on ``day`` with the given start window."""
    return Task(
        task_id=f"{intervention.intervention_id}@{day.isoformat()}#{k}",
        intervention_id=intervention.intervention_id,
        patient_id=intervention.patient_id,
        date=day,
        window_start=start,
        window_end=end,
        duration_min=intervention.duration_min,
        description=intervention.description,
        problem_area=intervention.problem_area,
        required_competence=intervention.required_competence,
        required_skills=intervention.required_skills,
        staff_count=intervention.staff_count,
        priority=intervention.priority,
        time_critical=intervention.time_critical,
        gap_group=intervention.gap_group,
        min_gap_min=intervention.min_gap_min,
        max_gap_min=intervention.max_gap_min,
        second_staff_competence=intervention.second_staff_competence,
        second_staff_skills=intervention.second_staff_skills,
        late_allowance_min=intervention.late_allowance_min,
        separate_visit=intervention.separate_visit,
    )
