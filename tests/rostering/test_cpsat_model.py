"""The CP-SAT roster model on small problems: each rule binds where it should and not where it
should not; uncoverable demand comes back as a shortfall, never an infeasible model."""

from __future__ import annotations

import itertools

import pytest

from hjemmetjeneste.rostering.cpsat import solve_roster
from hjemmetjeneste.rostering.problem import (
    ActRules,
    Cover,
    Employee,
    Request,
    RosterProblem,
    ShiftType,
)

DAY = ShiftType("day", 450, 450)
EVENING = ShiftType("evening", 900, 450, category="evening")
NIGHT = ShiftType("night", 1350, 540, night=True, category="night")
SHIFTS = (DAY, EVENING, NIGHT)


def person(name: str = "A", **kw) -> Employee:
    return Employee(name=name, max_shifts=kw.pop("max_shifts", (99, 99, 99)), **kw)


def problem(n_days: int, employees, covers, **kw) -> RosterProblem:
    return RosterProblem(
        n_days=n_days, shifts=SHIFTS, employees=tuple(employees), covers=tuple(covers), **kw
    )


def solve(p: RosterProblem):
    return solve_roster(p, time_limit_s=5, workers=2)


def test_demand_nobody_can_cover_is_reported_as_a_shortfall_not_a_failure():
    """Two nights wanted, one person who may only work days: 2 short, named by row."""
    p = problem(
        2,
        [person(max_shifts=(9, 0, 0))],
        [Cover(0, 2, 1, 100, label="sykepleier"), Cover(1, 2, 1, 100)],
    )
    s = solve(p)
    assert s.assignment == ((-1, -1),)
    assert sorted(s.shortfalls) == [(0, 2, "sykepleier", 1), (1, 2, "total", 1)]
    assert s.objective == 200


def test_daily_rest_forbids_an_evening_before_a_day_shift_only_when_the_rule_is_on():
    covers = [Cover(0, 1, 1, 100), Cover(1, 0, 1, 100)]
    on = solve(problem(2, [person()], covers, act=ActRules(min_daily_rest_min=660)))
    off = solve(problem(2, [person()], covers))
    assert on.objective == 100  # one of the two stays short
    assert off.assignment == ((1, 0),) and off.objective == 0


def test_weekly_rest_needs_a_day_off_with_35_hours_around_it():
    """A full week of day shifts wanted of one person: the rule gives one day off."""
    covers = [Cover(d, 0, 1, 100) for d in range(7)]
    with_rule = solve(problem(7, [person()], covers, act=ActRules(weekly_rest_min=2100)))
    without = solve(problem(7, [person()], covers))
    assert sum(t >= 0 for t in with_rule.assignment[0]) == 6
    assert sum(t >= 0 for t in without.assignment[0]) == 7


def test_consecutive_limits_and_minimum_stretches():
    covers = [Cover(d, 0, 1, 100) for d in range(7)]
    s = solve(problem(7, [person(max_consecutive=3)], covers))
    runs = "".join("x" if t >= 0 else "." for t in s.assignment[0])
    assert "xxxx" not in runs and s.objective == 100 * runs.count(".")
    # A minimum of two working days in a row: a lone wanted day inside the horizon is left.
    s = solve(problem(5, [person(min_consecutive=2)], [Cover(2, 0, 1, 100)]))
    runs = "".join("x" if t >= 0 else "." for t in s.assignment[0])
    assert s.objective == 0 and ".x." not in runs


def test_one_weekend_in_three_and_hours_limits():
    covers = [Cover(d, 0, 1, 100) for d in range(21) if d % 7 in (5, 6)]
    s = solve(problem(21, [person()], covers, act=ActRules(weekend_window=(1, 3))))
    worked = [any(s.assignment[0][7 * w + k] >= 0 for k in (5, 6)) for w in range(3)]
    assert sum(worked) == 1
    s = solve(problem(7, [person(max_total_min=900)], [Cover(d, 0, 1, 100) for d in range(7)]))
    assert sum(t >= 0 for t in s.assignment[0]) == 2


def test_requests_are_granted_when_cover_allows():
    p = problem(
        2,
        [person("A"), person("B")],
        [Cover(0, 0, 1, 100), Cover(1, 0, 1, 100)],
        requests=(Request(0, 0, None, 5, on=False), Request(1, 1, 0, 5, on=False)),
    )
    s = solve(p)
    assert s.assignment[0][0] == -1 and s.assignment[1][0] == 0
    assert s.assignment[1][1] == -1 and s.assignment[0][1] == 0


def test_locked_days_keep_the_previous_roster_and_changes_cost():
    previous = ((0, 0, -1),)
    p = problem(
        3,
        [person()],
        [Cover(2, 0, 1, 100)],
        previous=previous,
        change_weight=10,
        locked_days=2,
    )
    s = solve(p)
    assert s.assignment[0][:2] == (0, 0)
    assert s.assignment[0][2] == 0  # covering (100) beats the change (10)


def test_a_problem_with_rows_out_of_range_is_refused():
    with pytest.raises(ValueError, match="cover row"):
        problem(2, [person()], [Cover(5, 0, 1, 100)])


def test_nights_and_holiday_shifts_are_shared_by_position_when_fairness_counts():
    """Four nights for two full-timers: 2 + 2 with the fairness term (4 + 0 is as cheap
    without it); a half-time person gets fewer than a full-timer."""
    covers = [Cover(d, 2, 1, 100) for d in range(4)]
    people = [person("A", max_consecutive=9), person("B", max_consecutive=9)]
    fair = solve(problem(4, people, covers, fairness_weight=5))
    assert sorted(sum(t == 2 for t in row) for row in fair.assignment) == [2, 2]
    half = [person("A", fte=0.5), person("B")]
    covers = [Cover(d, 2, 1, 100) for d in range(6)]
    s = solve(problem(6, half, covers, holidays=frozenset({0, 1}), fairness_weight=5))
    nights = [sum(t == 2 for t in row) for row in s.assignment]
    assert nights[0] < nights[1] and sum(nights) == 6


def test_norwegian_public_holidays_come_from_the_holidays_package():
    from datetime import date

    from hjemmetjeneste.rostering.rules import norwegian_holidays

    christmas = norwegian_holidays(date(2026, 12, 20), date(2027, 1, 2))
    assert christmas == {date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1)}


def _lns_problem() -> RosterProblem:
    """Six people, two weeks, three shifts under the Act's daily rest, stretches, minimum
    hours and wishes: enough that a first roster is far from the best."""
    people = [
        person(
            f"P{i}",
            max_consecutive=4,
            min_consecutive=2,
            min_total_min=6 * 450,
            max_total_min=9 * 540,
            max_shifts=(9, 9, 3),
        )
        for i in range(6)
    ]
    covers = [Cover(d, t, 1 + (t == 0), 100, 1) for d in range(14) for t in range(3)]
    wishes = tuple(Request(i, (3 * i) % 14, None, 7, on=False) for i in range(6))
    return problem(14, people, covers, requests=wishes, act=ActRules(min_daily_rest_min=660))


def _rules_hold(p: RosterProblem, rows: list[list[int]]) -> None:
    forbidden = p.rest_forbidden_next()
    for e, row in enumerate(rows):
        emp = p.employees[e]
        minutes = sum(p.shifts[t].length_min for t in row if t >= 0)
        assert emp.min_total_min <= minutes <= emp.max_total_min
        assert all((a, b) not in forbidden for a, b in itertools.pairwise(row))
        runs = "".join("x" if t >= 0 else "." for t in row)
        assert "x" * (emp.max_consecutive + 1) not in runs
        assert ".x." not in runs  # at least two working days in a row inside the horizon
        assert sum(t == 2 for t in row) <= emp.max_shifts[2]


def _rows(m, p: RosterProblem, solution: list[int]) -> list[list[int]]:
    return [
        [
            next((t for t in range(3) if (e, d, t) in m.x and solution[m.x[e, d, t].index]), -1)
            for d in range(p.n_days)
        ]
        for e in range(len(p.employees))
    ]


def test_the_neighbourhood_search_only_improves_and_keeps_every_rule():
    """From the first roster a feasibility search finds, the large-neighbourhood search
    returns a roster that keeps every rule (checked here on the rows, not by the model) at
    an objective no higher, and the objective it reports is that of its solution."""
    import time

    from hjemmetjeneste.rostering.cpsat import _feasible_first, _improve, _objective_of, build_model

    p = _lns_problem()
    m = build_model(p)
    start = _feasible_first(m, time.perf_counter() + 20, 2, 0)
    assert start is not None
    first = _objective_of(m, start)
    _rules_hold(p, _rows(m, p, start))
    best = _improve(m, start, first, time.perf_counter() + 4, seed=3, workers=2)
    assert best.steps > 0 and best.objective <= first
    assert _objective_of(m, best.solution) == best.objective
    _rules_hold(p, _rows(m, p, best.solution))


def test_the_neighbourhood_search_stops_once_a_resolve_of_everything_proves_optimality():
    """On a problem small enough, the freed part grows to everything and the search stops
    with the optimum proved: here 1 person, 5 days, one wanted day shift a day."""
    import time

    from hjemmetjeneste.rostering.cpsat import _feasible_first, _improve, _objective_of, build_model

    p = problem(5, [person(max_consecutive=3)], [Cover(d, 0, 1, 100) for d in range(5)])
    m = build_model(p)
    start = _feasible_first(m, time.perf_counter() + 10, 1, 0)
    assert start is not None
    best = _improve(m, start, _objective_of(m, start), time.perf_counter() + 30, seed=0, workers=1)
    assert best.proved and best.objective == 100  # four of the five days: one short
