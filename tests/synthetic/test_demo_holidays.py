"""The demo municipality uses holiday rules: errands, laboratory samples and training are
skipped on public holidays, showers and follow-up visits follow the Sunday rule, medication
and care go on. The demo's roster (2026-11-30 .. 2026-12-13) holds no public holiday, so
Christmas Day 2026 (a Friday) is compared with the Friday two weeks before it."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from hjemmetjeneste.domain import HolidayRule, MunicipalityData, RosterEntry, ShiftKind
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.synthetic.demo import (
    DEMO_DISTRICT_ID,
    HOLIDAY_RULES,
    ROSTER_DAYS,
    ROSTER_START,
)
from hjemmetjeneste.tasks.dayplan import build_day_plan
from hjemmetjeneste.tasks.holidays import is_public_holiday

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
CHRISTMAS = date(2026, 12, 25)
FRIDAY_BEFORE = date(2026, 12, 11)  # same weekday, same week parity, no holiday


def _interventions_on(data: MunicipalityData, day: date) -> Counter[str]:
    """Interventions with a task in the day and evening plans of ``day``, by their rule,
    with the roster of FRIDAY_BEFORE moved to ``day`` (the demo's roster ends 13 Dec)."""
    moved = tuple(
        RosterEntry(staff_id=e.staff_id, date=day, shift=e.shift, district_id=e.district_id)
        for e in data.roster.entries
        if e.date == FRIDAY_BEFORE
    )
    data = data.model_copy(update={"roster": data.roster.model_copy(update={"entries": moved})})
    rules = {i.intervention_id: i.schedule.on_holidays for p in data.care_plans
             for i in p.interventions}  # fmt: skip
    found: Counter[str] = Counter()
    for shift in (ShiftKind.DAY, ShiftKind.EVENING):
        plan = build_day_plan(data, day, shift, DEMO_DISTRICT_ID)
        assert plan.staff  # the moved roster staffs it
        ids = {t.intervention_id for v in plan.visits for t in v.tasks}
        found.update(rules[i].value for i in ids)
    return found


def test_the_committed_demo_export_carries_the_holiday_rules() -> None:
    """data/demo's interventions.csv says on_holidays for the interventions the generator
    gives a rule (and only for them); some are skipped, some follow Sunday."""
    data = read_export(DEMO)
    items = [i for p in data.care_plans for i in p.interventions]
    for item in items:
        assert item.schedule.on_holidays == HOLIDAY_RULES.get(
            item.description, HolidayRule.NORMAL
        ), item.intervention_id
    rules = Counter(i.schedule.on_holidays for i in items)
    assert rules[HolidayRule.SKIP] >= 10 and rules[HolidayRule.AS_SUNDAY] >= 10
    assert not any(
        is_public_holiday(date.fromordinal(ROSTER_START.toordinal() + k))
        for k in range(ROSTER_DAYS)
    )  # hence the test date below


def test_christmas_day_skips_errands_and_moves_showers_to_the_sunday_rule() -> None:
    """On Friday 11 Dec the demo's day and evening plans hold tasks of interventions with a
    holiday rule; on Christmas Day (Friday 25 Dec) none of them, while the interventions
    without a rule (medication, care, meals) are planned as on the Friday before."""
    data = read_export(DEMO)
    assert is_public_holiday(CHRISTMAS) and not is_public_holiday(FRIDAY_BEFORE)
    before = _interventions_on(data, FRIDAY_BEFORE)
    christmas = _interventions_on(data, CHRISTMAS)
    assert before["skip"] > 0 and before["as_sunday"] > 0
    assert christmas["skip"] == 0 and christmas["as_sunday"] == 0
    assert christmas["normal"] == before["normal"] > 100
