"""Recurrence of interventions and their expansion into dated tasks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from hjemmetjeneste.domain import (
    CompetenceLevel,
    Priority,
    ProblemArea,
    Schedule,
    ScheduleKind,
    Skill,
    TimeWindow,
)
from hjemmetjeneste.tasks import expand_intervention, merge_into_visits, occurs_on

MONDAY = date(2026, 5, 4)
SPRING = date(2026, 3, 29)
AUTUMN = date(2026, 10, 25)


def window(start: str, end: str) -> TimeWindow:
    """A TimeWindow from 'HH:MM' strings."""
    return TimeWindow(start=time.fromisoformat(start), end=time.fromisoformat(end))


def span(task) -> timedelta:
    """Real length of a task's start window."""
    return task.window_end.astimezone(UTC) - task.window_start.astimezone(UTC)


def test_fixed_time_with_tolerance_gives_one_task_with_symmetric_window(make_intervention, oslo):
    """FIXED 08:00 ±30 min gives one task 07:30–08:30 local time with a deterministic id."""
    intervention = make_intervention(
        intervention_id="INS",
        description="Insulin",
        problem_area=ProblemArea.ADVANCED_TREATMENT,
        duration_min=15,
        required_competence=CompetenceLevel.NURSE,
        required_skills=frozenset({Skill.INSULIN}),
        staff_count=2,
        priority=Priority.HIGH,
        time_critical=True,
    )
    (task,) = expand_intervention(intervention, MONDAY, oslo)
    assert task.task_id == "INS@2026-05-04#1"
    assert task.date == MONDAY
    assert task.window_start.isoformat() == "2026-05-04T07:30:00+02:00"
    assert task.window_end.isoformat() == "2026-05-04T08:30:00+02:00"
    assert (task.intervention_id, task.patient_id) == ("INS", "P1")
    assert (task.description, task.problem_area) == ("Insulin", ProblemArea.ADVANCED_TREATMENT)
    assert task.required_competence == CompetenceLevel.NURSE
    assert task.required_skills == frozenset({Skill.INSULIN})
    assert (task.staff_count, task.priority, task.time_critical) == (2, Priority.HIGH, True)
    assert task.duration_min == 15


def test_fixed_time_without_tolerance_gives_a_zero_width_window(make_intervention, oslo):
    """FIXED 12:00 with no tolerance gives a window that starts and ends at 12:00."""
    schedule = Schedule(kind=ScheduleKind.FIXED, times=(time(12, 0),))
    (task,) = expand_intervention(make_intervention(schedule), MONDAY, oslo)
    assert task.window_start == task.window_end == datetime(2026, 5, 4, 12, 0, tzinfo=oslo)


def test_window_schedule_gives_one_task_per_window(make_intervention, oslo):
    """WINDOW 08:00–10:00 and 20:00–22:00 gives two tasks with exactly those windows."""
    schedule = Schedule(
        kind=ScheduleKind.WINDOW, windows=(window("08:00", "10:00"), window("20:00", "22:00"))
    )
    tasks = expand_intervention(make_intervention(schedule), MONDAY, oslo)
    assert [t.task_id for t in tasks] == ["I1@2026-05-04#1", "I1@2026-05-04#2"]
    assert [(t.window_start.time(), t.window_end.time()) for t in tasks] == [
        (time(8, 0), time(10, 0)),
        (time(20, 0), time(22, 0)),
    ]


def test_several_times_a_day_are_numbered_in_the_order_the_plan_lists_them(make_intervention, oslo):
    """Three times a day give three tasks, #k following the schedule's order, not the clock."""
    schedule = Schedule(
        kind=ScheduleKind.FIXED,
        times=(time(20, 0), time(8, 0), time(14, 0)),
        tolerance_min=15,
    )
    tasks = expand_intervention(make_intervention(schedule), MONDAY, oslo)
    assert [(t.task_id, t.window_start.time()) for t in tasks] == [
        ("I1@2026-05-04#1", time(19, 45)),
        ("I1@2026-05-04#2", time(7, 45)),
        ("I1@2026-05-04#3", time(13, 45)),
    ]


def test_weekdays_restrict_the_days(make_intervention, oslo):
    """Mondays and Thursdays only: tasks on those ISO weekdays, none on the others."""
    schedule = Schedule(kind=ScheduleKind.FIXED, times=(time(9, 0),), weekdays=frozenset({1, 4}))
    week = [MONDAY + timedelta(days=i) for i in range(7)]
    assert [occurs_on(schedule, d) for d in week] == [True, False, False, True] + [False] * 3
    intervention = make_intervention(schedule)
    assert [len(expand_intervention(intervention, d, oslo)) for d in week] == [
        1, 0, 0, 1, 0, 0, 0
    ]  # fmt: skip


def test_empty_weekdays_mean_every_day(make_intervention):
    """A schedule without weekdays occurs on all seven days."""
    schedule = Schedule(kind=ScheduleKind.FIXED, times=(time(9, 0),))
    assert all(occurs_on(schedule, MONDAY + timedelta(days=i)) for i in range(7))


def test_every_second_week_counts_iso_weeks_from_the_anchor_both_ways():
    """Every 2nd Wednesday from the anchor's ISO week, also for dates before the anchor."""
    schedule = Schedule(
        kind=ScheduleKind.WINDOW,
        windows=(window("10:00", "12:00"),),
        weekdays=frozenset({3}),
        every_n_weeks=2,
        week_anchor=date(2026, 5, 8),  # a Friday: only its ISO week (Monday 2026-05-04) counts
    )
    on = [date(2026, 5, 6), date(2026, 5, 20), date(2026, 4, 22), date(2026, 4, 8)]
    off = [date(2026, 5, 13), date(2026, 4, 29), date(2026, 4, 15), date(2026, 5, 7)]
    assert all(occurs_on(schedule, d) for d in on)
    assert not any(occurs_on(schedule, d) for d in off)


def test_every_third_week_without_weekdays_covers_the_whole_anchor_week():
    """Every 3rd week and no weekdays: all seven days of each selected week, none between."""
    schedule = Schedule(
        kind=ScheduleKind.FIXED,
        times=(time(9, 0),),
        every_n_weeks=3,
        week_anchor=date(2026, 5, 6),
    )
    selected_mondays = [date(2026, 5, 4), date(2026, 5, 25), date(2026, 4, 13)]
    for monday in selected_mondays:
        assert all(occurs_on(schedule, monday + timedelta(days=i)) for i in range(7))
    for monday in [date(2026, 5, 11), date(2026, 5, 18), date(2026, 4, 20), date(2026, 4, 27)]:
        assert not any(occurs_on(schedule, monday + timedelta(days=i)) for i in range(7))


def test_validity_period_is_inclusive_at_both_ends(make_intervention, oslo):
    """Tasks from valid_from through valid_to inclusive, none the day before or after."""
    intervention = make_intervention(valid_from=date(2026, 5, 4), valid_to=date(2026, 5, 6))
    counts = {
        d.isoformat(): len(expand_intervention(intervention, d, oslo))
        for d in (date(2026, 5, 3), date(2026, 5, 4), date(2026, 5, 6), date(2026, 5, 7))
    }
    assert counts == {"2026-05-03": 0, "2026-05-04": 1, "2026-05-06": 1, "2026-05-07": 0}


def test_as_needed_is_never_planned(make_intervention, oslo):
    """An AS_NEEDED (ved behov) intervention gives no tasks even while valid."""
    intervention = make_intervention(Schedule(kind=ScheduleKind.AS_NEEDED))
    assert all(
        expand_intervention(intervention, MONDAY + timedelta(days=i), oslo) == [] for i in range(7)
    )


def test_tolerance_window_crossing_midnight_extends_into_the_next_date(make_intervention, oslo):
    """23:50 ±30 min ends at 00:20 the next day; the task keeps its own date."""
    schedule = Schedule(kind=ScheduleKind.FIXED, times=(time(23, 50),), tolerance_min=30)
    (task,) = expand_intervention(make_intervention(schedule), MONDAY, oslo)
    assert task.date == MONDAY
    assert task.window_start.isoformat() == "2026-05-04T23:20:00+02:00"
    assert task.window_end.isoformat() == "2026-05-05T00:20:00+02:00"
    assert task.task_id == "I1@2026-05-04#1"


def test_window_across_spring_forward_lasts_one_real_hour(make_intervention, oslo):
    """01:30–03:30 on 2026-03-29 spans the skipped hour, so it lasts 1 h of real time."""
    schedule = Schedule(kind=ScheduleKind.WINDOW, windows=(window("01:30", "03:30"),))
    (task,) = expand_intervention(make_intervention(schedule), SPRING, oslo)
    assert task.window_start.isoformat() == "2026-03-29T01:30:00+01:00"
    assert task.window_end.isoformat() == "2026-03-29T03:30:00+02:00"
    assert span(task) == timedelta(hours=1)
    assert task.window_end - task.window_start == timedelta(hours=1)


def test_window_across_fall_back_lasts_three_real_hours(make_intervention, oslo):
    """01:30–03:30 on 2026-10-25 spans the repeated hour, so it lasts 3 h of real time."""
    schedule = Schedule(kind=ScheduleKind.WINDOW, windows=(window("01:30", "03:30"),))
    (task,) = expand_intervention(make_intervention(schedule), AUTUMN, oslo)
    assert task.window_start.isoformat() == "2026-10-25T01:30:00+02:00"
    assert task.window_end.isoformat() == "2026-10-25T03:30:00+01:00"
    assert span(task) == timedelta(hours=3)
    assert task.window_end - task.window_start == timedelta(hours=3)


def test_fixed_time_in_the_skipped_hour_moves_forward_by_the_gap(make_intervention, oslo):
    """FIXED 02:30 ±30 on the spring-forward day is centred on 03:30 CEST, 1 h wide."""
    schedule = Schedule(kind=ScheduleKind.FIXED, times=(time(2, 30),), tolerance_min=30)
    (task,) = expand_intervention(make_intervention(schedule), SPRING, oslo)
    assert task.window_start.isoformat() == "2026-03-29T03:00:00+02:00"
    assert task.window_end.isoformat() == "2026-03-29T04:00:00+02:00"
    assert span(task) == timedelta(hours=1)


def test_fixed_time_tolerance_across_spring_forward_is_real_minutes(make_intervention, oslo):
    """FIXED 03:15 ±30 on the spring-forward day starts at 01:45 CET: 30 real minutes before."""
    schedule = Schedule(kind=ScheduleKind.FIXED, times=(time(3, 15),), tolerance_min=30)
    (task,) = expand_intervention(make_intervention(schedule), SPRING, oslo)
    assert task.window_start.isoformat() == "2026-03-29T01:45:00+01:00"
    assert task.window_end.isoformat() == "2026-03-29T03:45:00+02:00"
    assert span(task) == timedelta(hours=1)


def test_fixed_time_in_the_repeated_hour_takes_the_first_occurrence(make_intervention, oslo):
    """FIXED 02:55 ±10 on the fall-back day: 02:45 CEST to 02:05 CET, 20 real minutes."""
    schedule = Schedule(kind=ScheduleKind.FIXED, times=(time(2, 55),), tolerance_min=10)
    (task,) = expand_intervention(make_intervention(schedule), AUTUMN, oslo)
    assert task.window_start.isoformat() == "2026-10-25T02:45:00+02:00"
    assert task.window_end.isoformat() == "2026-10-25T02:05:00+01:00"
    assert task.window_start.astimezone(UTC) == datetime(2026, 10, 25, 0, 45, tzinfo=UTC)
    assert span(task) == timedelta(minutes=20)
    assert task.window_start < task.window_end


def test_alternative_windows_give_one_task_whose_window_spans_them_all(make_intervention, oslo):
    """ "11–12 or 08–09" is one task #1 that may start from the earliest start (08:00) to the
    latest end (12:00), carrying both windows in time order; not two tasks."""
    schedule = Schedule(
        kind=ScheduleKind.WINDOW,
        windows=(window("11:00", "12:00"), window("08:00", "09:00")),
        windows_are_alternatives=True,
    )
    intervention = make_intervention(schedule, description="Ettersyn", duration_min=20)
    (task,) = expand_intervention(intervention, MONDAY, oslo)
    assert task.task_id == "I1@2026-05-04#1"
    assert (task.window_start.isoformat(), task.window_end.isoformat()) == (
        "2026-05-04T08:00:00+02:00",
        "2026-05-04T12:00:00+02:00",
    )
    assert [(a.time(), b.time()) for a, b in task.alternative_windows] == [
        (time(8, 0), time(9, 0)),
        (time(11, 0), time(12, 0)),
    ]
    assert (task.date, task.patient_id, task.description, task.duration_min) == (
        MONDAY,
        "P1",
        "Ettersyn",
        20,
    )


def test_every_rule_of_the_plan_travels_with_its_task(make_intervention, oslo):
    """Gap group and gaps, the second caregiver's competence, the late allowance and the
    separate-visit mark are the intervention's, on every task it gives."""
    intervention = make_intervention(
        Schedule(kind=ScheduleKind.FIXED, times=(time(8, 0), time(20, 0))),
        staff_count=2,
        gap_group="insulin",
        min_gap_min=240,
        max_gap_min=720,
        second_staff_competence=CompetenceLevel.NURSE,
        late_allowance_min=15,
        separate_visit=True,
    )
    tasks = expand_intervention(intervention, MONDAY, oslo)
    assert len(tasks) == 2
    for task in tasks:
        assert (task.gap_group, task.min_gap_min, task.max_gap_min) == ("insulin", 240, 720)
        assert task.second_staff_competence == CompetenceLevel.NURSE
        assert (task.late_allowance_min, task.separate_visit) == (15, True)


def test_a_task_marked_separate_visit_is_never_merged_into_a_visit(make_intervention, oslo):
    """Two tasks of one patient with overlapping windows share a visit, unless the plan marks
    one as a visit of its own (a wound dressing that needs a clean room, say)."""

    def day_tasks(separate: bool) -> list:
        breakfast = make_intervention(intervention_id="FROKOST")
        dressing = make_intervention(intervention_id="SAAR", separate_visit=separate)
        return [t for i in (breakfast, dressing) for t in expand_intervention(i, MONDAY, oslo)]

    assert [len(v.tasks) for v in merge_into_visits(day_tasks(separate=False))] == [2]
    apart = merge_into_visits(day_tasks(separate=True))
    assert sorted(tuple(t.task_id for t in v.tasks) for v in apart) == [
        ("FROKOST@2026-05-04#1",),
        ("SAAR@2026-05-04#1",),
    ]


def test_a_schedule_every_few_weeks_without_an_anchor_is_refused_by_name():
    """Every second week needs the week to count from; without one (a schedule built past its
    validator) the error names the fields instead of guessing."""
    unanchored = Schedule.model_construct(
        kind=ScheduleKind.FIXED, times=(time(9, 0),), every_n_weeks=2, week_anchor=None
    )
    with pytest.raises(ValueError, match=r"^every_n_weeks > 1 needs a week_anchor date$"):
        occurs_on(unanchored, MONDAY)
