"""The checker at the edges of each rule: what it must compute itself, and the exact bounds.

A plan is only as trustworthy as the checker that passed it; these cases are the ones a
checker that trusts a route's own figures, or is off by one at a bound, would let through.
Each test states the whole violation: rule, caregiver (vehicle), job and the numbers.
"""

from __future__ import annotations

from constraint_helpers import plane

from hjemmetjeneste.solver import Route, RouteStop, ViolationKind
from hjemmetjeneste.solver.problem import BreakSpec
from violations import V, assert_violations, check

K = ViolationKind


# --- the drive home -------------------------------------------------------------------------


def test_a_caregiver_who_cannot_get_home_in_time_overruns_whatever_the_route_claims():
    """The visit 400 s out ends at 650 s, so the caregiver is home at 1,050 s at the earliest;
    a route claiming to be back at 950 s still overruns a shift ending at 1,000 s."""
    b = plane([(0, 0), (400, 0)], shift=(0, 1000))
    job = b.add_job(1, service_s=100, windows=[(0, 1000)], penalty=1)
    problem = b.build()
    claims_early = Route(0, 0, (RouteStop(job, 400, 550),), 950)
    assert_violations(check(problem, claims_early), V(K.SHIFT_OVERRUN, 0, None, 0, 1050, 1000))
    honest = Route(0, 0, (RouteStop(job, 400, 500),), 1000)
    assert_violations(check(problem, honest))


def test_a_break_after_the_last_visit_delays_the_drive_home():
    """Done at 500 s, a 150 s break from 500 s and 400 s of driving: home at 1,050 s, too late
    for a shift ending at 1,000 s even though the route says 900 s (without the break)."""
    b = plane([(0, 0), (400, 0)], shift=(0, 1000), breaks=[BreakSpec(450, 600, 150)])
    job = b.add_job(1, service_s=100, windows=[(0, 1000)], penalty=1)
    problem = b.build()
    route = Route(0, 0, (RouteStop(job, 400, 400),), 900, breaks=((500, 150),))
    assert_violations(check(problem, route), V(K.SHIFT_OVERRUN, 0, None, 0, 1050, 1000))
    short = BreakSpec(450, 600, 100)
    fits = plane([(0, 0), (400, 0)], shift=(0, 1000), breaks=[short])
    fits.add_job(1, service_s=100, windows=[(0, 1000)], penalty=1)
    in_time = Route(0, 0, (RouteStop(job, 400, 400),), 1000, breaks=((500, 100),))
    assert_violations(check(fits.build(), in_time))


# --- breaks ---------------------------------------------------------------------------------


def _one_visit_with_break(spec: BreakSpec):
    b = plane([(0, 0), (10, 0)], shift=(0, 2000), breaks=[spec])
    job = b.add_job(1, service_s=100, windows=[(0, 2000)], penalty=1)
    return b.build(), job


def test_a_break_outside_its_window_is_not_the_required_break():
    """A full 100 s break at 450 s does not count for one that must start 200–400 s."""
    problem, job = _one_visit_with_break(BreakSpec(200, 400, 100))
    visit = (RouteStop(job, 10, 10),)
    assert_violations(
        check(problem, Route(0, 0, visit, 700, breaks=((450, 100),))),
        V(K.MISSING_BREAK, 0, None, 0, 100, 200, 400),
    )
    assert_violations(
        check(problem, Route(0, 0, visit, 700, breaks=((150, 100),))),
        V(K.MISSING_BREAK, 0, None, 0, 100, 200, 400),
    )


def test_a_break_too_short_is_not_the_required_break():
    """50 s inside the window does not count for a 100 s break."""
    problem, job = _one_visit_with_break(BreakSpec(200, 400, 100))
    route = Route(0, 0, (RouteStop(job, 10, 10),), 700, breaks=((300, 50),))
    assert_violations(check(problem, route), V(K.MISSING_BREAK, 0, None, 0, 100, 200, 400))


def test_a_break_may_start_on_the_first_and_on_the_last_second_of_its_window():
    """Starting at 200 s or at 400 s, both ends of the window, is the required break."""
    problem, job = _one_visit_with_break(BreakSpec(200, 400, 100))
    visit = (RouteStop(job, 10, 10),)
    for start in (200, 400):
        assert_violations(check(problem, Route(0, 0, visit, 700, breaks=((start, 100),))))


def test_two_breaks_with_nested_windows_are_both_taken():
    """A short pause that must start 300–350 s inside a lunch window of 100–500 s: breaks at
    320 s and 400 s are both taken, whichever of them the lunch is counted for first."""
    b = plane([(0, 0), (10, 0)], shift=(0, 2000))
    b.add_vehicle(
        start_depot=0, window=(0, 2000), breaks=[BreakSpec(100, 500, 50), BreakSpec(300, 350, 50)]
    )
    problem = b.build()
    both = Route(1, 0, (), 450, breaks=((320, 50), (400, 50)))
    assert_violations(check(problem, Route(0, 0, (), 0), both))
    only_lunch = Route(1, 0, (), 450, breaks=((400, 50),))
    assert_violations(
        check(problem, Route(0, 0, (), 0), only_lunch),
        V(K.MISSING_BREAK, 1, None, 1, 50, 300, 350),
    )


def test_a_break_that_starts_with_a_visit_overlaps_it_and_is_no_pause_on_the_way():
    """Leaving at 250 s for a visit 10 s away at 300 s, a break from 300 s is a break during
    the visit; it does not also make the caregiver late for that visit."""
    problem, job = _one_visit_with_break(BreakSpec(200, 400, 100))
    route = Route(0, 250, (RouteStop(job, 260, 300),), 510, breaks=((300, 100),))
    assert_violations(
        check(problem, route), V(K.BREAK_DURING_VISIT, 0, job, 0, 300, 400, job, 300, 400)
    )


def test_a_visit_may_start_the_second_a_break_ends():
    """Break 200–300 s, visit from 300 s: back to back, no overlap."""
    problem, job = _one_visit_with_break(BreakSpec(200, 400, 100))
    route = Route(0, 0, (RouteStop(job, 110, 300),), 410, breaks=((200, 100),))
    assert_violations(check(problem, route))


# --- gaps between doses ---------------------------------------------------------------------


def _doses(min_s: int, max_s: int | None):
    b = plane([(0, 0), (10, 0)], n_vehicles=2, shift=(0, 9000))
    d1 = b.add_job(1, service_s=10, windows=[(0, 9000)], penalty=1)
    d2 = b.add_job(1, service_s=10, windows=[(0, 9000)], penalty=1)
    b.add_precedence(d1, d2, min_s, max_s)
    return b.build(), d1, d2


def _dose_plan(problem, d1: int, d2: int, t1: int | None, t2: int | None):
    routes = [Route(v, 0, (RouteStop(d, 10, t),), t + 20) for v, (d, t) in
              enumerate(((d1, t1), (d2, t2))) if t is not None]  # fmt: skip
    while len(routes) < 2:
        routes.append(Route(len(routes), 0, (), 0))
    dropped = tuple(d for d, t in ((d1, t1), (d2, t2)) if t is None)
    return check(problem, *routes, dropped=dropped)


def test_dose_gap_exactly_on_its_bounds_is_kept():
    """Doses 1,000–2,000 s apart: a gap of exactly 1,000 s or 2,000 s is within the rule."""
    problem, d1, d2 = _doses(1000, 2000)
    assert_violations(_dose_plan(problem, d1, d2, 1000, 2000))
    assert_violations(_dose_plan(problem, d1, d2, 1000, 3000))


def test_dose_gap_is_measured_between_the_two_starts_not_from_the_day_start():
    """First dose at 1,000 s, second at 3,001 s: 2,001 s apart, one second too many."""
    problem, d1, d2 = _doses(1000, 2000)
    assert_violations(
        _dose_plan(problem, d1, d2, 1000, 3001),
        V(K.GAP_VIOLATED, 1, d2, d2, 2001, d1, 1000, 2000),
    )
    assert_violations(
        _dose_plan(problem, d1, d2, 1000, 1999),
        V(K.GAP_VIOLATED, 1, d2, d2, 999, d1, 1000, 2000),
    )


def test_second_dose_before_the_first_is_a_negative_gap():
    """A minimum-only gap of 600 s: the second dose 300 s before the first is caught."""
    problem, d1, d2 = _doses(600, None)
    assert_violations(
        _dose_plan(problem, d1, d2, 1000, 700), V(K.GAP_VIOLATED, 1, d2, d2, -300, d1, 600)
    )
    assert_violations(_dose_plan(problem, d1, d2, 1000, 1600))


def test_a_gap_binds_only_when_both_doses_are_planned():
    """With one dose dropped there is no gap to keep, and the next pair is still checked."""
    b = plane([(0, 0), (10, 0)], n_vehicles=2, shift=(0, 9000))
    jobs = [b.add_job(1, service_s=10, windows=[(0, 9000)], penalty=1) for _ in range(4)]
    b.add_precedence(jobs[0], jobs[1], 1000)
    b.add_precedence(jobs[2], jobs[3], 1000)
    problem = b.build()
    routes = (
        Route(0, 0, (RouteStop(jobs[1], 10, 10), RouteStop(jobs[2], 30, 30)), 50),
        Route(1, 0, (RouteStop(jobs[3], 10, 500),), 520),
    )
    assert_violations(
        check(problem, *routes, dropped=(jobs[0],)),
        V(K.GAP_VIOLATED, 1, jobs[3], jobs[3], 470, jobs[2], 1000),
    )


# --- capacity -------------------------------------------------------------------------------


def test_a_vehicle_with_capacity_zero_carries_nothing():
    """Capacity 0 is a real limit (unlimited is -1): one unit on board exceeds it."""
    b = plane([(0, 0), (10, 0), (10, 0)], capacity=0)
    heavy = b.add_job(1, service_s=0, windows=[(0, 1000)], penalty=1, demand=1)
    light = b.add_job(2, service_s=0, windows=[(0, 1000)], penalty=1, demand=0)
    problem = b.build()
    assert_violations(
        check(problem, Route(0, 0, (RouteStop(heavy, 10, 10),), 20), dropped=(light,)),
        V(K.CAPACITY_EXCEEDED, 0, None, 0, 1, 0),
    )
    assert_violations(
        check(problem, Route(0, 0, (RouteStop(light, 10, 10),), 20), dropped=(heavy,))
    )


def test_a_load_equal_to_the_capacity_fits():
    """Two loads of 3 on a vehicle of capacity 6 fit exactly."""
    b = plane([(0, 0), (10, 0), (10, 0)], capacity=6)
    j1 = b.add_job(1, service_s=0, windows=[(0, 1000)], penalty=1, demand=3)
    j2 = b.add_job(2, service_s=0, windows=[(0, 1000)], penalty=1, demand=3)
    problem = b.build()
    assert_violations(
        check(problem, Route(0, 0, (RouteStop(j1, 10, 10), RouteStop(j2, 10, 10)), 20))
    )
