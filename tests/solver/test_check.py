"""The independent checker catches each kind of hand-made violation and passes clean plans.

Each test states the whole violation: rule, caregiver (vehicle), job and the numbers.
"""

from __future__ import annotations

from solver_helpers import make_problem

from hjemmetjeneste.solver import Route, RouteStop, ViolationKind
from violations import V, assert_violations, check

K = ViolationKind


def test_feasible_hand_made_route_has_no_violations():
    """A route that respects travel, windows and shift passes the checker."""
    problem = make_problem([(100, 0)], service_s=50, windows=[(0, 500)], shift=(0, 1000))
    assert_violations(check(problem, Route(0, 0, (RouteStop(1, 100, 100),), 250)))


def test_late_start_is_caught():
    """Starting at 200 s when the window closes at 150 s is a late start of job 1."""
    problem = make_problem([(100, 0)], windows=[(0, 150)], shift=(0, 1000))
    route = Route(0, 0, (RouteStop(1, 100, 200),), 300)
    assert_violations(check(problem, route), V(K.LATE_START, 0, 1, 1, 200, 150))


def test_start_before_window_is_caught():
    """Starting at 100 s when the window opens at 300 s is caught even if the caregiver is there."""
    problem = make_problem([(100, 0)], windows=[(300, 500)], shift=(0, 1000))
    route = Route(0, 0, (RouteStop(1, 100, 100),), 200)
    assert_violations(check(problem, route), V(K.STARTS_BEFORE_WINDOW, 0, 1, 1, 100, 300))


def test_start_before_possible_arrival_is_caught():
    """A start at 10 s for a job 100 s away is caught (travel time ignored by a hand edit)."""
    problem = make_problem([(100, 0)], shift=(0, 1000))
    route = Route(0, 0, (RouteStop(1, 10, 10),), 200)
    assert_violations(check(problem, route), V(K.STARTS_BEFORE_ARRIVAL, 0, 1, 1, 10, 100))


def test_shift_overrun_and_early_departure_are_caught():
    """Leaving at 50 s for a shift from 100 s, and back at 950 s for one ending 900 s."""
    problem = make_problem([(400, 0)], service_s=100, shift=(100, 900))
    route = Route(0, 50, (RouteStop(1, 450, 450),), 950)
    assert_violations(
        check(problem, route),
        V(K.LEAVES_BEFORE_SHIFT, 0, None, 0, 50, 100),
        V(K.SHIFT_OVERRUN, 0, None, 0, 950, 900),
    )


def test_missing_competence_is_caught():
    """Job 1, which only vehicle 1 may serve, on vehicle 0 is missing competence."""
    problem = make_problem([(10, 0)], 2, allowed=[(1,)])
    route = Route(0, 0, (RouteStop(1, 10, 10),), 20)
    assert_violations(
        check(problem, route, Route(1, 0, (), 0)), V(K.MISSING_COMPETENCE, 0, 1, 0, 1)
    )


def test_job_served_twice_and_job_forgotten_are_caught():
    """Job 1 on two routes is served twice; job 2, neither served nor dropped, is forgotten."""
    problem = make_problem([(10, 0), (20, 0)], 2)
    r0 = Route(0, 0, (RouteStop(1, 10, 10),), 20)
    r1 = Route(1, 0, (RouteStop(1, 10, 10),), 20)
    assert_violations(
        check(problem, r0, r1),
        V(K.SERVED_TWICE, None, 1, 1, 2),
        V(K.NEITHER_SERVED_NOR_DROPPED, None, 2, 2),
    )


def test_unsynchronised_double_staffing_is_caught():
    """Double-staffed jobs at different starts, on one vehicle, or half planned are caught;
    both planned together, or both dropped, are fine."""
    problem = make_problem([(50, 0), (50, 0)], 2, service_s=10, sync_groups=[(1, 2)])
    apart = (Route(0, 0, (RouteStop(1, 50, 50),), 110), Route(1, 0, (RouteStop(2, 50, 60),), 120))
    same_vehicle = (
        Route(0, 0, (RouteStop(1, 50, 50), RouteStop(2, 60, 60)), 120),
        Route(1, 0, (), 0),
    )
    half = (Route(0, 0, (RouteStop(1, 50, 50),), 110), Route(1, 0, (), 0))
    unsync = K.UNSYNCHRONISED_DOUBLE_STAFFING
    assert_violations(check(problem, *apart), V(unsync, None, 1, 1, 2, 50, 60))
    assert_violations(check(problem, *same_vehicle), V(unsync, 0, 1, 1, 2, 0))
    assert_violations(check(problem, *half, dropped=(2,)), V(unsync, None, 1, 1, 2))
    together = (
        Route(0, 0, (RouteStop(1, 50, 50),), 110),
        Route(1, 0, (RouteStop(2, 50, 50),), 110),
    )
    assert_violations(check(problem, *together))
    assert_violations(check(problem, Route(0, 0, (), 0), Route(1, 0, (), 0), dropped=(1, 2)))


def test_pair_on_one_vehicle_is_caught_whatever_the_start_times():
    """Both halves on vehicle 1 at 50 s is one caregiver doing a two-person visit alone."""
    problem = make_problem([(50, 0), (50, 0)], 2, service_s=0, sync_groups=[(1, 2)])
    routes = (
        Route(0, 0, (), 0),
        Route(1, 0, (RouteStop(1, 50, 50), RouteStop(2, 50, 50)), 100),
    )
    assert_violations(check(problem, *routes), V(K.UNSYNCHRONISED_DOUBLE_STAFFING, 1, 1, 1, 2, 1))


def test_violations_are_data_and_sentences_come_from_one_place():
    """A late start carries its job, vehicle and numbers; describe() words it, with the
    caller's names (here clock-like labels), without anyone parsing the sentence."""
    from hjemmetjeneste.solver.check import Names, describe

    problem = make_problem([(100, 0)], windows=[(0, 150)], shift=(0, 1000))
    route = Route(0, 0, (RouteStop(1, 100, 200),), 300)
    (late,) = check(problem, route)
    assert (late.kind, late.vehicle, late.node) == (ViolationKind.LATE_START, 0, 1)
    assert late.values == {"start_s": 200, "window_end_s": 150}
    assert late.message == "job 1 starts at 200s, window closes 150s"

    class Labels(Names):
        def job(self, node: int) -> str:
            return f"visit V{node}"

        def moment(self, s: int) -> str:
            return f"t+{s // 60}:{s % 60:02d}"

    assert describe(late, Labels()) == "visit V1 starts at t+3:20, window closes t+2:30"


def test_every_kind_has_a_sentence():
    """describe() words every kind of violation (no kind falls through)."""
    from hjemmetjeneste.solver.check import Violation, describe

    numbers = {
        "count": 2, "pinned_start_s": 1, "start_s": 2, "window_start_s": 3, "window_end_s": 4,
        "busy_until_s": 5, "earliest_s": 6, "break_s": 7, "depart_s": 8, "shift_start_s": 9,
        "back_s": 10, "shift_end_s": 11, "duration_s": 12, "latest_s": 13, "break_start_s": 14,
        "break_end_s": 15, "end_s": 16, "other_start_s": 17, "gap_s": 18, "min_s": 19,
        "max_s": 20, "load": 21, "capacity": 22,
    }  # fmt: skip
    for kind in ViolationKind:
        text = describe(Violation(kind, 0, 1, other=2, values=numbers, windows=((0, 1),)))
        assert text and "None" not in text
