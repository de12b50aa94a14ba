"""The independent checker catches each kind of hand-made violation and passes clean plans."""

from __future__ import annotations

from solver_helpers import make_problem

from hjemmetjeneste.solver import Route, RouteStop, Solution, ViolationKind, check_solution


def _solution(*routes: Route, dropped: tuple[int, ...] = ()) -> Solution:
    return Solution(routes=routes, dropped=dropped, objective=0, status="hand-made", wall_s=0.0)


def _kinds(problem, solution) -> list[ViolationKind]:
    return [v.kind for v in check_solution(problem, solution)]


def test_feasible_hand_made_route_has_no_violations():
    """A route that respects travel, windows and shift passes the checker."""
    problem = make_problem([(100, 0)], service_s=50, windows=[(0, 500)], shift=(0, 1000))
    route = Route(0, 0, (RouteStop(1, 100, 100),), 250)
    assert _kinds(problem, _solution(route)) == []


def test_late_start_is_caught():
    """Starting after the window closes is a late start."""
    problem = make_problem([(100, 0)], windows=[(0, 150)], shift=(0, 1000))
    route = Route(0, 0, (RouteStop(1, 100, 200),), 300)
    assert _kinds(problem, _solution(route)) == [ViolationKind.LATE_START]


def test_start_before_window_is_caught():
    """Starting before the window opens is caught even if the caregiver is there."""
    problem = make_problem([(100, 0)], windows=[(300, 500)], shift=(0, 1000))
    route = Route(0, 0, (RouteStop(1, 100, 100),), 200)
    assert _kinds(problem, _solution(route)) == [ViolationKind.STARTS_BEFORE_WINDOW]


def test_start_before_possible_arrival_is_caught():
    """A start time earlier than travel allows is caught (travel time ignored by a hand edit)."""
    problem = make_problem([(100, 0)], shift=(0, 1000))
    route = Route(0, 0, (RouteStop(1, 10, 10),), 200)
    assert _kinds(problem, _solution(route)) == [ViolationKind.STARTS_BEFORE_ARRIVAL]


def test_shift_overrun_and_early_departure_are_caught():
    """Returning after shift end and leaving before shift start are both caught."""
    problem = make_problem([(400, 0)], service_s=100, shift=(100, 900))
    route = Route(0, 50, (RouteStop(1, 450, 450),), 950)
    kinds = _kinds(problem, _solution(route))
    assert ViolationKind.LEAVES_BEFORE_SHIFT in kinds
    assert ViolationKind.SHIFT_OVERRUN in kinds


def test_missing_competence_is_caught():
    """A job served by a vehicle that is not allowed to serve it is caught."""
    problem = make_problem([(10, 0)], 2, allowed=[(1,)])
    route = Route(0, 0, (RouteStop(1, 10, 10),), 20)
    assert _kinds(problem, _solution(route, Route(1, 0, (), 0))) == [
        ViolationKind.MISSING_COMPETENCE
    ]


def test_job_served_twice_and_job_forgotten_are_caught():
    """A job on two routes, and a job neither served nor dropped, are both caught."""
    problem = make_problem([(10, 0), (20, 0)], 2)
    r0 = Route(0, 0, (RouteStop(1, 10, 10),), 20)
    r1 = Route(1, 0, (RouteStop(1, 10, 10),), 20)
    kinds = _kinds(problem, _solution(r0, r1))
    assert ViolationKind.SERVED_TWICE in kinds
    assert ViolationKind.NEITHER_SERVED_NOR_DROPPED in kinds


def test_unsynchronised_double_staffing_is_caught():
    """Double-staffed jobs at different starts, on one vehicle, or half planned are caught."""
    problem = make_problem([(50, 0), (50, 0)], 2, service_s=10, sync_groups=[(1, 2)])
    apart = _solution(
        Route(0, 0, (RouteStop(1, 50, 50),), 110), Route(1, 0, (RouteStop(2, 50, 60),), 120)
    )
    same_vehicle = _solution(
        Route(0, 0, (RouteStop(1, 50, 50), RouteStop(2, 60, 60)), 120), Route(1, 0, (), 0)
    )
    half = _solution(Route(0, 0, (RouteStop(1, 50, 50),), 110), Route(1, 0, (), 0), dropped=(2,))
    for solution in (apart, same_vehicle, half):
        assert _kinds(problem, solution) == [ViolationKind.UNSYNCHRONISED_DOUBLE_STAFFING]
    together = _solution(
        Route(0, 0, (RouteStop(1, 50, 50),), 110), Route(1, 0, (RouteStop(2, 50, 50),), 110)
    )
    assert _kinds(problem, together) == []


def test_violations_are_data_and_sentences_come_from_one_place():
    """A late start carries its job, vehicle and numbers; describe() words it, with the
    caller's names (here clock-like labels), without anyone parsing the sentence."""
    from hjemmetjeneste.solver.check import Names, describe

    problem = make_problem([(100, 0)], windows=[(0, 150)], shift=(0, 1000))
    route = Route(0, 0, (RouteStop(1, 100, 200),), 300)
    (late,) = check_solution(problem, _solution(route))
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
