"""The independent roster checker: each Act and contract rule catches a roster that breaks it,
and stays quiet on one that keeps it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from hjemmetjeneste.domain import Roster, RosterEntry, ShiftKind
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.rostering.check import RULES, check_roster
from hjemmetjeneste.rostering.rules import ActRuleSet, Contract

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
MONDAY = date(2026, 11, 30)
D, E, N = ShiftKind.DAY, ShiftKind.EVENING, ShiftKind.NIGHT
FULL_TIME = "S050"  # sykepleier, position 100 %
PART_TIME = "S003"  # assistent, position 20 %


@pytest.fixture(scope="module")
def demo():
    return read_export(DEMO)


def roster(staff_id: str, shifts: dict[int, ShiftKind], district: str = "trd-ost") -> Roster:
    """One person's shifts, keyed by day offset from MONDAY."""
    return Roster(
        entries=tuple(
            RosterEntry(
                staff_id=staff_id, date=MONDAY + timedelta(days=d), shift=s, district_id=district
            )
            for d, s in sorted(shifts.items())
        )
    )


def rules_broken(demo, r: Roster, **kwargs) -> set[str]:
    return {v.rule for v in check_roster(demo, r, "trd-ost", MONDAY, 14, **kwargs)}


# A fair fortnight: five day shifts, one weekend, rest everywhere.
GOOD = {0: D, 1: D, 2: D, 4: D, 5: D, 6: D, 8: N, 9: N}


def test_a_roster_that_keeps_every_rule_passes(demo):
    assert rules_broken(demo, roster(FULL_TIME, GOOD)) == set()


@pytest.mark.parametrize(
    ("rule", "shifts", "kwargs", "staff"),
    [
        ("daily_rest", {0: E, 1: D}, {}, FULL_TIME),  # 22:30 -> 07:30 is 9 h
        ("consecutive_days", dict.fromkeys(range(7), D), {}, FULL_TIME),
        ("consecutive_nights", dict.fromkeys(range(5), N), {}, FULL_TIME),
        ("weekends", {5: D, 12: D}, {}, FULL_TIME),  # both weekends of the fortnight
        ("weekly_rest", {6: D, 7: D, 8: D, 9: E, 11: D, 12: D, 13: D}, {}, FULL_TIME),
        ("week_hours", {0: D, 1: D, 2: D}, {"rules": ActRuleSet(max_week_h=20)}, FULL_TIME),
        (
            "average_week_hours",
            {0: D, 1: D, 2: D},
            {"rules": ActRuleSet(max_average_week_h=10)},
            FULL_TIME,
        ),
        ("shift_length", {0: D}, {"rules": ActRuleSet(max_shift_h=7)}, FULL_TIME),
        ("night_shift_length", {0: N}, {"rules": ActRuleSet(max_night_shift_h=8.5)}, FULL_TIME),
        ("contract_hours", {0: D, 1: D, 2: D}, {}, PART_TIME),  # 22.5 h of 14.2 + 4 h
        (
            "allowed_shift",
            {0: E},
            {"contracts": {FULL_TIME: Contract(FULL_TIME, frozenset({D}))}},
            FULL_TIME,
        ),
        (
            "fixed_day_off",
            {2: D},
            {"contracts": {FULL_TIME: Contract(FULL_TIME, fixed_days_off=frozenset({3}))}},
            FULL_TIME,
        ),
        (
            "absence",
            {3: D},
            {"absent": {FULL_TIME: frozenset({MONDAY + timedelta(days=3)})}},
            FULL_TIME,
        ),
    ],
)
def test_each_rule_catches_a_roster_that_breaks_it(demo, rule, shifts, kwargs, staff):
    assert rule in RULES
    assert rule in rules_broken(demo, roster(staff, shifts), **kwargs)


def test_the_same_limits_pass_when_the_roster_keeps_within_them(demo):
    """Where each rule does not bind: the shifts above without the breaking one."""
    assert rules_broken(demo, roster(FULL_TIME, {0: E, 2: D})) == set()  # 33 h apart
    assert rules_broken(demo, roster(FULL_TIME, dict.fromkeys(range(6), D))) == set()
    assert rules_broken(demo, roster(FULL_TIME, dict.fromkeys(range(4), N))) == set()
    assert rules_broken(demo, roster(PART_TIME, {0: D, 1: D})) == set()  # 15 h of 18.2 h
    # The weekly rest from a Saturday off: Friday's day shift to Sunday's is 40.5 h.
    assert rules_broken(demo, roster(FULL_TIME, {7: D, 8: D, 9: D, 10: D, 11: D, 13: D})) == set()


def test_two_shifts_on_one_date_and_a_wrong_district_are_caught(demo):
    two = Roster(entries=roster(FULL_TIME, {0: D}).entries + roster(FULL_TIME, {0: N}).entries)
    assert "one_shift_a_day" in rules_broken(demo, two)
    assert "district" in rules_broken(demo, roster(FULL_TIME, {0: D}, district="trd-vest"))
