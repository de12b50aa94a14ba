"""The checker catches a hand-made violation of every rule and passes the clean version.

Each test states the whole violation: rule, caregiver (vehicle), job and the numbers.
"""

from __future__ import annotations

from constraint_helpers import plane

from hjemmetjeneste.solver import Route, RouteStop, ViolationKind
from hjemmetjeneste.solver.problem import BreakSpec
from violations import V, assert_violations, check

K = ViolationKind


def test_refused_caregiver_is_caught():
    """Serving a patient with a caregiver they refused is a refused_caregiver violation."""
    b = plane([(0, 0), (10, 0)], n_vehicles=2)
    job = b.add_job(1, service_s=10, windows=[(0, 1000)], penalty=1, refused=[0])
    problem = b.build()
    bad = Route(0, 0, (RouteStop(job, 10, 10),), 30)
    good = Route(1, 0, (RouteStop(job, 10, 10),), 30)
    assert_violations(
        check(problem, bad, Route(1, 0, (), 0)), V(K.REFUSED_CAREGIVER, 0, job, job, 0)
    )
    assert_violations(check(problem, Route(0, 0, (), 0), good))


def test_ignored_pins_are_caught():
    """The wrong caregiver or the wrong start for a pinned job is a pin_ignored violation."""
    b = plane([(0, 0), (10, 0)], n_vehicles=2)
    job = b.add_job(
        1, service_s=10, windows=[(0, 1000)], penalty=1, pinned_vehicle=1, pinned_start_s=500
    )
    problem = b.build()
    wrong_vehicle = Route(0, 0, (RouteStop(job, 10, 500),), 520)
    wrong_time = Route(1, 0, (RouteStop(job, 10, 400),), 420)
    right = Route(1, 0, (RouteStop(job, 10, 500),), 520)
    assert_violations(
        check(problem, wrong_vehicle, Route(1, 0, (), 0)), V(K.PIN_IGNORED, 0, job, job, 1, 0)
    )
    # The wrong time is both a broken pin and outside the pinned (zero-width) window.
    assert_violations(
        check(problem, Route(0, 0, (), 0), wrong_time),
        V(K.PIN_IGNORED, 1, job, job, 500, 400),
        V(K.STARTS_BEFORE_WINDOW, 1, job, job, 400, 500),
    )
    assert_violations(check(problem, Route(0, 0, (), 0), right))


def test_pins_to_the_first_caregiver_and_to_the_first_second_hold():
    """A pin to vehicle 0 or to a start at 0 s is a pin like any other (0 is not "no pin")."""
    b = plane([(0, 0)], n_vehicles=2)
    to_first = b.add_job(0, service_s=0, windows=[(0, 1000)], penalty=1, pinned_vehicle=0)
    at_zero = b.add_job(0, service_s=0, windows=[(0, 1000)], penalty=1, pinned_start_s=0)
    problem = b.build()
    assert_violations(
        check(problem, Route(0, 0, (RouteStop(at_zero, 0, 0),), 0),
               Route(1, 0, (RouteStop(to_first, 0, 0),), 0)),
        V(K.PIN_IGNORED, 1, to_first, to_first, 0, 1),
    )  # fmt: skip
    assert_violations(
        check(problem, Route(0, 0, (RouteStop(to_first, 0, 0), RouteStop(at_zero, 5, 5)), 5),
               Route(1, 0, (), 0)),
        V(K.PIN_IGNORED, 0, at_zero, at_zero, 0, 5),
        V(K.LATE_START, 0, at_zero, at_zero, 5, 0),
    )  # fmt: skip
    assert_violations(
        check(problem, Route(0, 0, (RouteStop(to_first, 0, 0), RouteStop(at_zero, 0, 0)), 0),
               Route(1, 0, (), 0))
    )  # fmt: skip


def test_start_between_two_windows_is_caught():
    """A start in the gap between a job's windows is a start_between_windows violation."""
    b = plane([(0, 0), (10, 0)])
    job = b.add_job(1, service_s=10, windows=[(0, 100), (500, 600)], penalty=1)
    problem = b.build()
    assert_violations(
        check(problem, Route(0, 0, (RouteStop(job, 10, 300),), 320)),
        V(K.START_BETWEEN_WINDOWS, 0, job, job, 300, 0, 100, 500, 600),
    )
    assert_violations(check(problem, Route(0, 0, (RouteStop(job, 10, 550),), 570)))
    assert_violations(check(problem, Route(0, 0, (RouteStop(job, 10, 100),), 120)))


def test_overlapping_visits_are_caught():
    """Starting a visit before the previous one ends is an overlap violation."""
    b = plane([(0, 0), (10, 0), (10, 0)])
    j1 = b.add_job(1, service_s=100, windows=[(0, 1000)], penalty=1)
    j2 = b.add_job(2, service_s=100, windows=[(0, 1000)], penalty=1)
    problem = b.build()
    overlap = Route(0, 0, (RouteStop(j1, 10, 10), RouteStop(j2, 110, 50)), 160)
    assert_violations(check(problem, overlap), V(K.OVERLAP, 0, j2, j2, 50, j1, 110))
    fine = Route(0, 0, (RouteStop(j1, 10, 10), RouteStop(j2, 110, 110)), 220)
    assert_violations(check(problem, fine))


def test_missing_break_and_break_during_visit_are_caught():
    """No break in the window is missing_break; a break over a visit is break_during_visit."""
    b = plane([(0, 0), (10, 0)], breaks=[BreakSpec(200, 400, 100)])
    job = b.add_job(1, service_s=100, windows=[(0, 1000)], penalty=1)
    problem = b.build()
    stop = (RouteStop(job, 10, 250),)
    assert_violations(
        check(problem, Route(0, 0, stop, 360)), V(K.MISSING_BREAK, 0, None, 0, 100, 200, 400)
    )
    assert_violations(
        check(problem, Route(0, 0, stop, 460, breaks=((300, 100),))),
        V(K.BREAK_DURING_VISIT, 0, job, 0, 300, 400, job, 250, 350),
    )
    assert_violations(check(problem, Route(0, 0, stop, 460, breaks=((350, 100),))))


def test_break_without_time_for_it_is_caught():
    """A break squeezed into a leg too short for travel plus break delays the next start."""
    b = plane([(0, 0), (10, 0), (60, 0)], breaks=[BreakSpec(0, 1000, 100)])
    j1 = b.add_job(1, service_s=10, windows=[(0, 1000)], penalty=1)
    j2 = b.add_job(2, service_s=10, windows=[(0, 1000)], penalty=1)
    problem = b.build()
    tight = Route(0, 0, (RouteStop(j1, 10, 10), RouteStop(j2, 70, 130)), 200, breaks=((20, 100),))
    # Ready at 20 s, 50 s of driving and the 100 s break: 170 s at the earliest.
    assert_violations(check(problem, tight), V(K.STARTS_BEFORE_ARRIVAL, 0, j2, j2, 130, 170, 100))
    room = Route(0, 0, (RouteStop(j1, 10, 10), RouteStop(j2, 70, 170)), 240, breaks=((20, 100),))
    assert_violations(check(problem, room))


def test_violated_gap_is_caught():
    """Two doses closer than their minimum gap, or further than the maximum, are caught."""
    b = plane([(0, 0), (10, 0)], n_vehicles=2)
    d1 = b.add_job(1, service_s=10, windows=[(0, 9000)], penalty=1)
    d2 = b.add_job(1, service_s=10, windows=[(0, 9000)], penalty=1)
    b.add_precedence(d1, d2, 1000, 2000)
    problem = b.build()

    def plan(t1: int, t2: int):
        return check(
            problem,
            Route(0, 0, (RouteStop(d1, 10, t1),), t1 + 20),
            Route(1, 0, (RouteStop(d2, 10, t2),), t2 + 20),
        )

    assert_violations(plan(100, 600), V(K.GAP_VIOLATED, 1, d2, d2, 500, d1, 1000, 2000))
    assert_violations(plan(100, 2500), V(K.GAP_VIOLATED, 1, d2, d2, 2400, d1, 1000, 2000))
    assert_violations(plan(100, 1500))


def test_overrun_past_the_hard_maximum_is_caught_but_overtime_before_it_is_not():
    """Returning between soft and hard end is allowed overtime; after the hard end it is not."""
    b = plane([(0, 0), (100, 0)], shift=(0, 1000), soft_end_s=500, overtime_cost=1)
    job = b.add_job(1, service_s=100, windows=[(0, 1000)], penalty=1)
    problem = b.build()
    assert_violations(check(problem, Route(0, 400, (RouteStop(job, 500, 500),), 700)))
    assert_violations(check(problem, Route(0, 700, (RouteStop(job, 800, 800),), 1000)))
    assert_violations(
        check(problem, Route(0, 800, (RouteStop(job, 900, 900),), 1100)),
        V(K.SHIFT_OVERRUN, 0, None, 0, 1100, 1000),
    )


def test_second_caregiver_without_competence_is_caught():
    """In a "nurse and helper" pair, a helper on the nurse's half is missing competence."""
    b = plane([(0, 0), (10, 0)], n_vehicles=2)
    nurse_half = b.add_job(1, service_s=10, windows=[(0, 1000)], penalty=1, allowed=[0])
    helper_half = b.add_job(1, service_s=10, windows=[(0, 1000)], penalty=1, allowed=[0, 1])
    b.add_sync(nurse_half, helper_half)
    problem = b.build()
    swapped = (
        Route(0, 0, (RouteStop(helper_half, 10, 10),), 30),
        Route(1, 0, (RouteStop(nurse_half, 10, 10),), 30),
    )
    assert_violations(
        check(problem, *swapped), V(K.MISSING_COMPETENCE, 1, nurse_half, 1, nurse_half)
    )
    right = (
        Route(0, 0, (RouteStop(nurse_half, 10, 10),), 30),
        Route(1, 0, (RouteStop(helper_half, 10, 10),), 30),
    )
    assert_violations(check(problem, *right))


def test_capacity_exceeded_is_caught():
    """A route carrying more than its vehicle's capacity is a capacity_exceeded violation."""
    b = plane([(0, 0), (10, 0), (10, 0)], capacity=5)
    j1 = b.add_job(1, service_s=0, windows=[(0, 1000)], penalty=1, demand=3)
    j2 = b.add_job(2, service_s=0, windows=[(0, 1000)], penalty=1, demand=3)
    problem = b.build()
    both = Route(0, 0, (RouteStop(j1, 10, 10), RouteStop(j2, 10, 10)), 20)
    assert_violations(check(problem, both), V(K.CAPACITY_EXCEEDED, 0, None, 0, 6, 5))
    assert_violations(check(problem, Route(0, 0, (RouteStop(j1, 10, 10),), 20), dropped=(j2,)))


def test_a_stop_that_is_no_job_is_caught():
    """A route that visits a depot or an unknown node as if it were a job is caught, once."""
    b = plane([(0, 0), (10, 0)])
    job = b.add_job(1, service_s=0, windows=[(0, 1000)], penalty=1)
    problem = b.build()
    depot_stop = Route(0, 0, (RouteStop(0, 0, 0),), 0)
    assert_violations(check(problem, depot_stop, dropped=(job,)), V(K.NOT_A_JOB, None, 0, 0))
    unknown = problem.n_nodes
    assert_violations(
        check(problem, Route(0, 0, (RouteStop(unknown, 0, 0),), 0), dropped=(job,)),
        V(K.NOT_A_JOB, None, unknown, unknown),
    )
    assert_violations(check(problem, Route(0, 0, (), 0), dropped=(job,)))
    # The stops after it are still checked: the job cannot be reached 10 s away at 5 s.
    on_the_way = Route(0, 0, (RouteStop(0, 0, 0), RouteStop(job, 5, 5)), 15)
    assert_violations(
        check(problem, on_the_way),
        V(K.NOT_A_JOB, None, 0, 0),
        V(K.STARTS_BEFORE_ARRIVAL, 0, job, job, 5, 10),
    )
