"""Norwegian public holidays: schedules can skip them or treat them as Sundays."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hjemmetjeneste.domain import HolidayRule, MunicipalityData, Schedule, ScheduleKind, ShiftKind
from hjemmetjeneste.formats import read_export, write_export
from hjemmetjeneste.synthetic.demo import generate_demo
from hjemmetjeneste.tasks import build_day_plan, occurs_on
from hjemmetjeneste.tasks.holidays import holiday_name, is_public_holiday

CONSTITUTION_DAY = date(2027, 5, 17)  # a Monday, and Whit Monday in 2027
EASTER_MONDAY = date(2027, 3, 29)
ORDINARY_MONDAY = date(2027, 5, 24)
WEEKDAYS = frozenset({1, 2, 3, 4, 5})


def test_norwegian_holidays_come_from_the_library() -> None:
    """17 May and Easter Monday 2027 are holidays with their Norwegian names; 24 May is not."""
    assert is_public_holiday(CONSTITUTION_DAY) and is_public_holiday(EASTER_MONDAY)
    assert "Grunnlovsdag" in (holiday_name(CONSTITUTION_DAY) or "")
    assert holiday_name(EASTER_MONDAY) == "Andre påskedag"
    assert not is_public_holiday(ORDINARY_MONDAY)


@pytest.mark.parametrize("day", [CONSTITUTION_DAY, EASTER_MONDAY])
def test_schedule_rules_on_a_holiday(day: date) -> None:
    """normal keeps the weekday, skip drops the day, as_sunday follows the Sunday rule."""

    def schedule(weekdays: frozenset[int], rule: HolidayRule) -> Schedule:
        return Schedule(kind=ScheduleKind.AS_NEEDED, weekdays=weekdays, on_holidays=rule)

    assert occurs_on(schedule(WEEKDAYS, HolidayRule.NORMAL), day)
    assert not occurs_on(schedule(WEEKDAYS, HolidayRule.SKIP), day)
    assert not occurs_on(schedule(WEEKDAYS, HolidayRule.AS_SUNDAY), day)
    assert occurs_on(schedule(frozenset({7}), HolidayRule.AS_SUNDAY), day)
    assert not occurs_on(schedule(frozenset({7}), HolidayRule.NORMAL), day)
    assert occurs_on(schedule(WEEKDAYS, HolidayRule.SKIP), ORDINARY_MONDAY)


def _skip_holidays(data: MunicipalityData) -> MunicipalityData:
    plans = tuple(
        plan.model_copy(
            update={
                "interventions": tuple(
                    item.model_copy(
                        update={
                            "schedule": item.schedule.model_copy(
                                update={"on_holidays": HolidayRule.SKIP}
                            )
                        }
                    )
                    for item in plan.interventions
                )
            }
        )
        for plan in data.care_plans
    )
    return data.model_copy(update={"care_plans": plans})


def test_demo_plans_17_may_and_easter_monday_as_holidays(tmp_path: Path) -> None:
    """Through the export (column on_holidays, read back equal), the day plan of 17 May and
    Easter Monday 2027 holds no visit of a schedule that skips holidays; 24 May does."""
    demo = generate_demo()
    skipping = _skip_holidays(demo)
    write_export(skipping, tmp_path / "export")
    assert "on_holidays" in (tmp_path / "export" / "interventions.csv").read_text().split("\n")[0]
    data = read_export(tmp_path / "export")
    assert data == skipping
    district = data.districts[0].district_id
    for day in (CONSTITUTION_DAY, EASTER_MONDAY):
        assert build_day_plan(demo, day, ShiftKind.DAY, district).visits
        assert not build_day_plan(data, day, ShiftKind.DAY, district).visits
    assert build_day_plan(data, ORDINARY_MONDAY, ShiftKind.DAY, district).visits
