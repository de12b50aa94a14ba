"""The planning rules end to end on a tiny district: each binds where it should and only there."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from constraint_helpers import DAY, QUICK, district, intervention, patient, staff

from hjemmetjeneste.domain import (
    BreakRule,
    CompetenceLevel,
    Pin,
    PlanningRules,
    Roster,
    RosterEntry,
    ShiftKind,
    Skill,
    TravelMode,
    UnplacedReason,
)
from hjemmetjeneste.pipeline import plan_range, plan_shift
from hjemmetjeneste.planning.to_problem import break_specs, build_problem
from hjemmetjeneste.tasks import build_day_plan
from hjemmetjeneste.travel import GreatCircleSource

OSLO = ZoneInfo("Europe/Oslo")
BIKE, CAR = TravelMode.BIKE, TravelMode.CAR


def _plan(data, **kwargs):
    outcome = plan_shift(data, DAY, ShiftKind.DAY, params=QUICK, **kwargs)
    assert outcome.violations == ()
    return outcome.result


def _who(result, intervention_id: str) -> list[str]:
    return sorted(
        w.staff_id
        for w in result.worklists
        for v in w.visits
        if any(t.intervention_id == intervention_id for t in v.tasks)
    )


def _start(result, intervention_id: str) -> datetime:
    (start,) = {
        v.start
        for w in result.worklists
        for v in w.visits
        if any(t.intervention_id == intervention_id for t in v.tasks)
    }
    return start


def test_nurse_and_helper_pair_is_planned_when_the_plan_allows_a_helper():
    """A lift for "one nurse and one helper" is planned with both; needing two nurses it is not."""
    team = [staff("s1"), staff("s2", CompetenceLevel.HEALTH_WORKER)]
    lift = intervention(
        "lift",
        "p1",
        competence=CompetenceLevel.NURSE,
        staff_count=2,
        second_staff_competence=CompetenceLevel.HEALTH_WORKER,
    )
    assert _who(_plan(district([lift], team)), "lift") == ["s1", "s2"]
    strict = intervention("lift", "p1", competence=CompetenceLevel.NURSE, staff_count=2)
    result = _plan(district([strict], team))
    assert [u.reason for u in result.unplaced] == [UnplacedReason.NOT_ENOUGH_QUALIFIED_STAFF]


def test_break_rule_follows_the_working_environment_act():
    """No break up to 5.5 h; a break over 5.5 h; at least 30 min from 8 h on."""
    rules = PlanningRules(breaks=BreakRule(duration_min=20))
    assert break_specs(rules, 0, 5 * 3600) == ()
    (short,) = break_specs(rules, 0, 7 * 3600)
    assert short.duration_s == 20 * 60
    (long,) = break_specs(rules, 0, 9 * 3600)
    assert long.duration_s == 30 * 60
    assert break_specs(PlanningRules(), 0, 9 * 3600) == ()


def test_every_caregiver_gets_a_break_in_the_window_never_during_a_visit():
    """With a break rule each worklist has one 30 min break inside the window, between visits."""
    work = [intervention(f"i{k}", f"p{k}", window=(time(9, 0), time(13, 0))) for k in (1, 2, 3)]
    result = _plan(
        district(work, [staff("s1"), staff("s2")], rules=PlanningRules(breaks=BreakRule()))
    )
    shift_start = datetime(2026, 12, 1, 7, 30, tzinfo=OSLO)
    for w in result.worklists:
        (pause,) = w.breaks
        assert pause.end - pause.start == timedelta(minutes=30)
        assert pause.start >= shift_start + timedelta(minutes=150)
        assert pause.end <= datetime(2026, 12, 1, 13, 30, tzinfo=OSLO)
        for v in w.visits:
            assert pause.end <= v.start or v.end <= pause.start
    assert all(not w.breaks for w in _plan(district(work, [staff("s1")])).worklists)


def test_doses_of_one_gap_group_keep_four_hours_apart_within_a_shift():
    """Two doses with overlapping windows start at least 4 h apart and are never merged."""
    doses = [
        intervention(k, "p1", window=(time(8, 0), time(14, 0)), gap_group="med", min_gap_min=240)
        for k in ("a", "b")
    ]
    result = _plan(district(doses, [staff("s1"), staff("s2")]))
    assert abs((_start(result, "b") - _start(result, "a")).total_seconds()) >= 4 * 3600
    plain = [intervention(k, "p1", window=(time(8, 0), time(14, 0))) for k in ("a", "b")]
    (visit,) = [v for w in _plan(district(plain, [staff("s1")])).worklists for v in w.visits]
    assert len(visit.tasks) == 2


def test_a_day_dose_bounds_the_evening_dose_across_shifts():
    """The evening dose follows the day dose by the minimum gap; too long a gap is explained."""

    def doses(gap):
        return [
            intervention(
                "am", "p1", window=(time(9, 0), time(10, 0)), gap_group="med", min_gap_min=gap
            ),
            intervention(
                "pm", "p1", window=(time(15, 0), time(18, 0)), gap_group="med", min_gap_min=gap
            ),
        ]

    team = [staff("s1")]
    shifts = (ShiftKind.DAY, ShiftKind.EVENING)
    day, evening = plan_range(
        district(doses(420), team, shifts=shifts), DAY, DAY, shifts, params=QUICK
    )
    assert day.violations == evening.violations == ()
    gap = _start(evening.result, "pm") - _start(day.result, "am")
    assert gap >= timedelta(minutes=420)
    _, evening = plan_range(
        district(doses(600), team, shifts=shifts), DAY, DAY, shifts, params=QUICK
    )
    (unplaced,) = evening.result.unplaced
    assert unplaced.reason == UnplacedReason.GAP_RULE
    assert unplaced.why is not None
    assert (unplaced.why.code, unplaced.why.facts["min_gap_min"]) == ("gap_earlier_shift", 600)
    assert unplaced.explanation.startswith("Intervallregel: siste dose av 'med' ble gitt ")


def test_soft_window_lets_a_visit_start_late_instead_of_being_dropped():
    """Two 60 min visits in 08:00–08:30 for one caregiver: hard drops one, soft places both."""

    def work(**soft):
        return [
            intervention(f"i{k}", f"p{k}", window=(time(8, 0), time(8, 30)), minutes=60, **soft)
            for k in (1, 2)
        ]

    hard = _plan(district(work(), [staff("s1")]))
    assert [u.reason for u in hard.unplaced] == [UnplacedReason.NO_TIME_LEFT]
    soft = _plan(district(work(late_allowance_min=90), [staff("s1")]))
    assert soft.unplaced == ()
    latest = max(_start(soft, "i1"), _start(soft, "i2"))
    assert latest > datetime(2026, 12, 1, 8, 30, tzinfo=OSLO)


def test_alternative_windows_make_one_task_that_starts_in_either():
    """An "07:30 or 12:00–12:30" task is one task; unreachable at 07:30 it starts at noon."""
    early_or_noon = intervention(
        "alt",
        "p1",
        windows=[(time(7, 30), time(7, 31)), (time(12, 0), time(12, 30))],
        alternatives=True,
    )
    result = _plan(district([early_or_noon], [staff("s1")]))
    assert result.kpis.tasks_total == 1
    start = _start(result, "alt")
    assert time(12, 0) <= start.time() <= time(12, 30)
    split = intervention(
        "alt", "p1", windows=[(time(7, 30), time(7, 31)), (time(12, 0), time(12, 30))]
    )
    assert _plan(district([split], [staff("s1")])).kpis.tasks_total == 2


def test_continuity_prefers_last_weeks_caregiver():
    """Day 1 only the cyclist works; day 2 the car is cheaper, but continuity keeps the cyclist."""
    day2 = DAY + timedelta(days=1)
    team = [staff("s1", mode=BIKE), staff("s2", mode=CAR)]

    def data(weight):
        base = district(
            [intervention("care", "p4")], team, rules=PlanningRules(continuity_weight=weight)
        )
        roster = Roster(
            entries=(
                RosterEntry(staff_id="s1", date=DAY, shift=ShiftKind.DAY, district_id="d"),
                RosterEntry(staff_id="s1", date=day2, shift=ShiftKind.DAY, district_id="d"),
                RosterEntry(staff_id="s2", date=day2, shift=ShiftKind.DAY, district_id="d"),
            )
        )
        return base.model_copy(update={"roster": roster})

    def second_day(weight):
        outcomes = plan_range(data(weight), DAY, day2, (ShiftKind.DAY,), params=QUICK)
        assert all(o.violations == () for o in outcomes)
        return _who(outcomes[1].result, "care")

    assert second_day(3600) == ["s1"]
    assert second_day(0) == ["s2"]


def test_refusal_preference_and_language_decide_between_two_caregivers():
    """The car is cheaper; a refusal, preference or language need moves the visit to the bike."""
    team = [staff("s1", mode=BIKE, skills=frozenset({Skill.LANGUAGE_PL})), staff("s2", mode=CAR)]
    work = [intervention("care", "p4")]
    assert _who(_plan(district(work, team)), "care") == ["s2"]
    for extra in (
        {"refused_staff_ids": frozenset({"s2"})},
        {"preferred_staff_ids": frozenset({"s1"})},
        {"language": Skill.LANGUAGE_PL},
    ):
        data = district(work, team, patients=[patient(4, **extra)])
        assert _who(_plan(data), "care") == ["s1"], extra


def test_every_qualified_caregiver_refused_is_explained():
    """When the patient refused everyone qualified, the task is unplaced as all_refused."""
    data = district(
        [intervention("care", "p4")],
        [staff("s1")],
        patients=[patient(4, refused_staff_ids=frozenset({"s1"}))],
    )
    (unplaced,) = _plan(data).unplaced
    assert unplaced.reason == UnplacedReason.ALL_REFUSED


def test_pins_lock_caregiver_and_time_and_a_broken_pin_is_explained():
    """A pinned task goes to its caregiver at its time; a pin to absent staff is explained."""
    team = [staff("s1", mode=BIKE), staff("s2", mode=CAR)]
    data = district([intervention("care", "p4")], team)
    task_id = "care@2026-12-01#1"
    at = datetime(2026, 12, 1, 9, 15, tzinfo=OSLO)
    result = _plan(data, pins=(Pin(task_id=task_id, staff_id="s1", start=at),))
    assert _who(result, "care") == ["s1"]
    assert _start(result, "care") == at
    assert _who(_plan(data), "care") == ["s2"]
    (unplaced,) = _plan(data, pins=(Pin(task_id=task_id, staff_id="s9"),)).unplaced
    assert unplaced.reason == UnplacedReason.PIN_CONFLICT


def test_overtime_lets_a_late_visit_finish_after_shift_end():
    """A visit ending at 15:20 needs overtime: without it the task is unplaced."""
    late = [intervention("late", "p1", window=(time(14, 40), time(14, 50)), minutes=30)]
    assert _plan(district(late, [staff("s1")])).unplaced != ()
    rules = PlanningRules(overtime_max_min=60, overtime_cost_per_min=60)
    result = _plan(district(late, [staff("s1")], rules=rules))
    assert result.unplaced == ()
    (worklist,) = result.worklists
    assert worklist.overtime_s > 0


def test_no_time_left_names_the_nearest_candidate():
    """A visit nobody can fit is explained with the nearest qualified caregiver."""
    work = [
        intervention(f"i{k}", f"p{k}", window=(time(8, 0), time(8, 30)), minutes=120)
        for k in (1, 2)
    ]
    (unplaced,) = _plan(district(work, [staff("s1")])).unplaced
    assert unplaced.reason == UnplacedReason.NO_TIME_LEFT
    assert "(s1)" in unplaced.explanation


def test_default_rules_leave_the_problem_as_before():
    """Without opt-in data the problem has no gaps, breaks, soft ends, costs or pins."""
    data = district([intervention(f"i{k}", f"p{k}") for k in (1, 2)], [staff("s1")])
    built = build_problem(build_day_plan(data, DAY, ShiftKind.DAY, "d"), GreatCircleSource())
    p = built.problem
    assert p.precedences == () and p.vehicle_breaks == ((),)
    assert not p.preference_cost.any() and not p.lateness_cost.any() and not p.overtime_cost.any()
    assert (p.soft_window_end_s == p.window_end_s).all() and (p.pinned_vehicle == -1).all()
    assert all(len(w) == 1 for w in p.time_windows)
    assert (p.vehicle_soft_end_s == p.vehicle_end_s).all()
    assert date(2026, 12, 1) == DAY
