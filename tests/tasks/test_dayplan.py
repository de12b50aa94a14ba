"""Building one district's day plan for one shift: tasks by midpoint, visits, staff."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from hjemmetjeneste.domain import (
    CompetenceLevel,
    Municipality,
    ProblemArea,
    Schedule,
    ScheduleKind,
    ShiftKind,
    Task,
    TimeWindow,
)
from hjemmetjeneste.tasks import belongs_to_shift, build_day_plan, shift_instance, window_midpoint

MONDAY = date(2026, 5, 4)
MUNICIPALITY = Municipality(municipality_id="K1", name="Testkommune")


def fixed(*times: str, tolerance_min: int = 0) -> Schedule:
    """A FIXED schedule at the given 'HH:MM' times."""
    return Schedule(
        kind=ScheduleKind.FIXED,
        times=tuple(time.fromisoformat(t) for t in times),
        tolerance_min=tolerance_min,
    )


def windowed(start: str, end: str) -> Schedule:
    """A WINDOW schedule with one 'HH:MM'–'HH:MM' window."""
    return Schedule(
        kind=ScheduleKind.WINDOW,
        windows=(TimeWindow(start=time.fromisoformat(start), end=time.fromisoformat(end)),),
    )


def task_ids(plan) -> list[str]:
    """Every task id in the plan's visits, sorted."""
    return sorted(t.task_id for v in plan.visits for t in v.tasks)


def utc_task(start: datetime, end: datetime) -> Task:
    """A bare task with the given window."""
    return Task(
        task_id="T",
        intervention_id="T",
        patient_id="P1",
        date=start.date(),
        window_start=start,
        window_end=end,
        duration_min=10,
        description="t",
        problem_area=ProblemArea.NUTRITION,
        required_competence=CompetenceLevel.ASSISTANT,
    )


def test_midpoint_decides_the_shift_and_ties_go_to_the_later_shift(make_data, make_intervention):
    """Windows straddling 15:00 go where most of them lie; a midpoint of exactly 15:00 goes late."""
    data = make_data(
        plans={
            "P1": [
                make_intervention(windowed("13:30", "15:30"), intervention_id="MOSTLY_DAY"),
                make_intervention(windowed("14:00", "16:00"), intervention_id="TIE"),
                make_intervention(windowed("14:30", "16:30"), intervention_id="MOSTLY_EVENING"),
            ]
        }
    )
    day_plan = build_day_plan(data, MONDAY, ShiftKind.DAY, "D1")
    evening_plan = build_day_plan(data, MONDAY, ShiftKind.EVENING, "D1")
    assert task_ids(day_plan) == ["MOSTLY_DAY@2026-05-04#1"]
    assert task_ids(evening_plan) == ["MOSTLY_EVENING@2026-05-04#1", "TIE@2026-05-04#1"]


def test_midpoint_is_real_time_and_the_interval_is_half_open():
    """The midpoint of 01:30–03:30 on the fall-back day is 02:00 CET; shift end is exclusive."""
    start = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)  # 01:30 CEST
    end = datetime(2026, 10, 25, 2, 30, tzinfo=UTC)  # 03:30 CET
    assert window_midpoint(utc_task(start, end)) == datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
    night = shift_instance(MUNICIPALITY, date(2026, 10, 24), ShiftKind.NIGHT)
    at_end = night.end.astimezone(UTC)
    assert not belongs_to_shift(utc_task(at_end, at_end), night)
    just_before = at_end - timedelta(minutes=1)
    assert belongs_to_shift(utc_task(just_before, just_before), night)


def test_night_shift_collects_next_dates_early_tasks_but_not_the_evening(
    make_data, make_intervention
):
    """Night of 05-04 takes 23:00 of 05-04 and 03:00 of 05-05, not 21:00 nor 03:00 of 05-04."""
    data = make_data(
        plans={
            "P1": [
                make_intervention(fixed("03:00", tolerance_min=30), intervention_id="TURN"),
                make_intervention(fixed("21:00", tolerance_min=30), intervention_id="EVENING_MED"),
                make_intervention(fixed("23:00", tolerance_min=30), intervention_id="LATE"),
            ]
        }
    )
    plan = build_day_plan(data, MONDAY, ShiftKind.NIGHT, "D1")
    assert task_ids(plan) == ["LATE@2026-05-04#1", "TURN@2026-05-05#1"]
    turn = next(t for v in plan.visits for t in v.tasks if t.intervention_id == "TURN")
    assert turn.date == date(2026, 5, 5)
    assert turn.window_start.isoformat() == "2026-05-05T02:30:00+02:00"


def test_night_shift_across_fall_back_takes_the_repeated_hours_task(make_data, make_intervention):
    """The 10-hour night of 2026-10-24 takes a 02:30 task of 10-25 (its first occurrence)."""
    data = make_data(plans={"P1": [make_intervention(fixed("02:30"), intervention_id="CHECK")]})
    plan = build_day_plan(data, date(2026, 10, 24), ShiftKind.NIGHT, "D1")
    assert plan.shift.end - plan.shift.start == timedelta(hours=10)
    (visit,) = plan.visits
    assert visit.window_start.isoformat() == "2026-10-25T02:30:00+02:00"


def test_windows_are_not_clipped_to_the_shift(make_data, make_intervention):
    """A 06:45–08:45 task belongs to the day shift and keeps its 06:45 start."""
    data = make_data(plans={"P1": [make_intervention(windowed("06:45", "08:45"))]})
    plan = build_day_plan(data, MONDAY, ShiftKind.DAY, "D1")
    (visit,) = plan.visits
    assert visit.window_start.time() == time(6, 45)
    assert visit.window_start < plan.shift.start


def test_only_staff_rostered_on_this_date_shift_and_district(make_data):
    """Staff are those rostered on (date, shift, district), whatever their home district."""
    data = make_data(
        roster=[
            ("S2", MONDAY, ShiftKind.DAY, "D1"),
            ("S1", MONDAY, ShiftKind.DAY, "D1"),
            ("S3", MONDAY, ShiftKind.DAY, "D1"),  # lent from D2 for the day
            ("S4", MONDAY, ShiftKind.EVENING, "D1"),  # other shift
            ("S4", MONDAY + timedelta(days=1), ShiftKind.DAY, "D1"),  # other date
            ("S1", MONDAY, ShiftKind.DAY, "D2"),  # other district (bad roster, still ignored)
        ]
    )
    plan = build_day_plan(data, MONDAY, ShiftKind.DAY, "D1")
    assert [s.staff_id for s in plan.staff] == ["S1", "S2", "S3"]
    assert build_day_plan(data, MONDAY, ShiftKind.NIGHT, "D1").staff == ()


def test_district_patients_visits_and_as_needed(make_data, make_intervention):
    """Only D1's patients are planned; as-needed items are listed and their patients included."""
    data = make_data(
        plans={
            "P1": [
                make_intervention(windowed("08:00", "10:00"), intervention_id="P1-CARE"),
                make_intervention(fixed("09:00", tolerance_min=30), intervention_id="P1-MED"),
            ],
            "P2": [
                make_intervention(
                    Schedule(kind=ScheduleKind.AS_NEEDED), intervention_id="P2-PRN", patient_id="P2"
                ),
                make_intervention(
                    Schedule(kind=ScheduleKind.AS_NEEDED),
                    intervention_id="P2-EXPIRED",
                    patient_id="P2",
                    valid_to=MONDAY - timedelta(days=1),
                ),
            ],
            "P3": [
                make_intervention(
                    windowed("08:00", "10:00"), intervention_id="P3-CARE", patient_id="P3"
                )
            ],
        }
    )
    plan = build_day_plan(data, MONDAY, ShiftKind.DAY, "D1")
    assert (plan.district.district_id, plan.base.base_id) == ("D1", "B1")
    assert (plan.shift.kind, plan.shift.date) == (ShiftKind.DAY, MONDAY)
    assert [v.visit_id for v in plan.visits] == ["visit:P1-CARE@2026-05-04#1"]
    assert task_ids(plan) == ["P1-CARE@2026-05-04#1", "P1-MED@2026-05-04#1"]
    assert [i.intervention_id for i in plan.as_needed] == ["P2-PRN"]
    assert [p.patient_id for p in plan.patients] == ["P1", "P2"]

    other = build_day_plan(data, MONDAY, ShiftKind.DAY, "D2")
    assert task_ids(other) == ["P3-CARE@2026-05-04#1"]
    assert other.as_needed == ()
    assert [p.patient_id for p in other.patients] == ["P3"]


def test_unknown_district_raises_a_clear_key_error(make_data):
    """Asking for a district the municipality lacks raises KeyError naming the known ones."""
    with pytest.raises(KeyError, match=r"unknown district 'D9'.*known districts: D1, D2"):
        build_day_plan(make_data(), MONDAY, ShiftKind.DAY, "D9")


def test_same_input_gives_the_same_plan(make_data, make_intervention):
    """Building the plan twice gives equal plans (deterministic ids and order)."""
    data = make_data(
        plans={
            "P1": [make_intervention(fixed("08:00", "12:00", tolerance_min=60))],
            "P2": [
                make_intervention(windowed("07:30", "09:00"), intervention_id="I2", patient_id="P2")
            ],
        },
        roster=[("S1", MONDAY, ShiftKind.DAY, "D1")],
    )
    assert build_day_plan(data, MONDAY, ShiftKind.DAY, "D1") == build_day_plan(
        data, MONDAY, ShiftKind.DAY, "D1"
    )
