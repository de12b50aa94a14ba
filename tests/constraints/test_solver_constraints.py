"""Each constraint family of the OR-Tools model on a tiny problem: where it binds, where not."""

from __future__ import annotations

from constraint_helpers import plane, starts

from hjemmetjeneste.solver import check_solution, solve
from hjemmetjeneste.solver.problem import BreakSpec


def _ok(problem, solution) -> None:
    assert check_solution(problem, solution) == []


def test_synchronised_pair_starts_together_on_two_different_caregivers(quick):
    """A double-staffed visit: both jobs served, by different vehicles, at the same second."""
    b = plane([(0, 0), (100, 0)], n_vehicles=3)
    a1 = b.add_job(1, service_s=60, windows=[(0, 5000)], penalty=10**6, allowed=[0])
    a2 = b.add_job(1, service_s=60, windows=[(0, 5000)], penalty=10**6, allowed=[1, 2])
    b.add_sync(a1, a2)
    problem = b.build()
    solution = solve(problem, quick)
    by = solution.served_by()
    assert by[a1] == 0 and by[a2] in (1, 2)
    assert starts(solution)[a1] == starts(solution)[a2]
    _ok(problem, solution)


def test_pair_needing_two_nurses_is_dropped_with_one_nurse_on_shift(quick):
    """Without "one nurse and one helper" both halves need the nurse: the pair is dropped."""
    b = plane([(0, 0), (100, 0)], n_vehicles=2)
    a1 = b.add_job(1, service_s=60, windows=[(0, 5000)], penalty=10**6, allowed=[0])
    a2 = b.add_job(1, service_s=60, windows=[(0, 5000)], penalty=10**6, allowed=[0])
    b.add_sync(a1, a2)
    problem = b.build()
    solution = solve(problem, quick)
    assert sorted(solution.dropped) == sorted([a1, a2])
    _ok(problem, solution)


def test_break_that_would_cut_a_visit_pushes_it_out_of_its_window(quick):
    """A 1000 s break fixed at 3000 s leaves no room for a 600 s visit starting in 2500–3300."""

    def build(breaks):
        b = plane([(0, 0), (10, 0)], breaks=breaks)
        job = b.add_job(1, service_s=600, windows=[(2500, 3300)], penalty=10**6)
        return b.build(), job

    blocked, job = build([BreakSpec(3000, 3000, 1000)])
    solution = solve(blocked, quick)
    assert solution.dropped == (job,)
    _ok(blocked, solution)
    free, job = build([])
    assert solve(free, quick).dropped == ()


def test_break_is_taken_inside_its_window_between_visits(quick):
    """The break lands in its window, never during a visit, and the checker agrees."""
    b = plane([(0, 0), (10, 0), (20, 0)], breaks=[BreakSpec(1000, 2000, 600)])
    j1 = b.add_job(1, service_s=900, windows=[(500, 1200)], penalty=10**6)
    j2 = b.add_job(2, service_s=900, windows=[(1500, 2600)], penalty=10**6)
    problem = b.build()
    solution = solve(problem, quick)
    assert solution.dropped == ()
    (route,) = [r for r in solution.routes if r.stops]
    ((start, duration),) = route.breaks
    assert 1000 <= start <= 2000 and duration == 600
    for stop in route.stops:
        end = stop.start_s + int(problem.service_s[stop.node])
        assert start + duration <= stop.start_s or end <= start
    assert {j1, j2} == set(starts(solution))
    _ok(problem, solution)


def test_min_gap_holds_across_caregivers(quick):
    """Two doses in one gap group start at least 4000 s apart even on two caregivers."""

    def build(min_gap):
        b = plane([(0, 0), (50, 0)], n_vehicles=2)
        d1 = b.add_job(1, service_s=100, windows=[(0, 6000)], penalty=10**6, allowed=[0])
        d2 = b.add_job(1, service_s=100, windows=[(0, 6000)], penalty=10**6, allowed=[1])
        if min_gap:
            b.add_precedence(d1, d2, min_gap)
        return b.build(), d1, d2

    problem, d1, d2 = build(4000)
    solution = solve(problem, quick)
    assert starts(solution)[d2] - starts(solution)[d1] >= 4000
    _ok(problem, solution)
    loose, d1, d2 = build(0)
    solution = solve(loose, quick)
    assert abs(starts(solution)[d2] - starts(solution)[d1]) < 4000


def test_zero_min_gap_still_orders_the_two_jobs(quick):
    """ "First one, then the other" with no minimum: the second may not start before the first."""

    def build(ordered, second_window):
        b = plane([(0, 0), (50, 0)], n_vehicles=2)
        first = b.add_job(1, service_s=100, windows=[(5000, 6000)], penalty=10**6, allowed=[0])
        second = b.add_job(1, service_s=100, windows=[second_window], penalty=10**6, allowed=[1])
        if ordered:
            b.add_precedence(first, second, 0)
        return b.build(), first, second

    problem, first, second = build(True, (0, 9000))
    solution = solve(problem, quick)
    assert solution.dropped == ()
    assert starts(solution)[second] >= starts(solution)[first]
    _ok(problem, solution)
    # The second's window closes before the first's opens: ordered, one of them must go.
    problem, _, _ = build(True, (0, 4000))
    solution = solve(problem, quick)
    assert len(solution.dropped) == 1
    _ok(problem, solution)
    loose, _, _ = build(False, (0, 4000))
    assert solve(loose, quick).dropped == ()


def test_max_gap_binds_and_an_impossible_gap_drops_one_dose(quick):
    """A max gap pulls the second dose close; a min gap no window allows drops a dose."""
    b = plane([(0, 0), (50, 0)])
    d1 = b.add_job(1, service_s=100, windows=[(0, 1000)], penalty=10**6)
    d2 = b.add_job(1, service_s=100, windows=[(0, 9000)], penalty=10**6)
    b.add_precedence(d1, d2, 200, 500)
    problem = b.build()
    solution = solve(problem, quick)
    gap = starts(solution)[d2] - starts(solution)[d1]
    assert 200 <= gap <= 500
    _ok(problem, solution)
    b = plane([(0, 0), (50, 0)])
    d1 = b.add_job(1, service_s=100, windows=[(0, 1000)], penalty=10**6)
    d2 = b.add_job(1, service_s=100, windows=[(0, 1000)], penalty=10**6)
    b.add_precedence(d1, d2, 5000)
    problem = b.build()
    solution = solve(problem, quick)
    assert len(solution.dropped) == 1
    _ok(problem, solution)


def test_second_window_is_used_when_the_first_cannot_be_reached(quick):
    """Windows 0–100 and 500–600: a job 300 s away starts in the second one."""
    b = plane([(0, 0), (300, 0)])
    job = b.add_job(1, service_s=10, windows=[(0, 100), (500, 600)], penalty=10**6)
    problem = b.build()
    solution = solve(problem, quick)
    assert 500 <= starts(solution)[job] <= 600
    _ok(problem, solution)
    # Reachable in time for the first window and back by 300 s: the first window is used.
    b = plane([(0, 0), (50, 0)], shift=(0, 300))
    job = b.add_job(1, service_s=10, windows=[(0, 100), (500, 600)], penalty=10**6)
    assert 50 <= starts(solve(b.build(), quick))[job] <= 100


def test_soft_window_lets_a_visit_start_late_at_a_cost_where_a_hard_one_drops_it(quick):
    """Soft end 100 s, hard 1000 s: a job 300 s away is served late; hard end 100 s drops it."""
    b = plane([(0, 0), (300, 0)])
    soft = b.add_job(
        1, service_s=10, windows=[(0, 1000)], soft_end_s=100, lateness_cost=5, penalty=10**6
    )
    problem = b.build()
    solution = solve(problem, quick)
    assert starts(solution)[soft] == 300
    assert solution.objective == 600 + 5 * 200
    _ok(problem, solution)
    b = plane([(0, 0), (300, 0)])
    hard = b.add_job(1, service_s=10, windows=[(0, 100)], penalty=10**6)
    assert solve(b.build(), quick).dropped == (hard,)


def test_preference_cost_moves_a_job_to_the_usual_caregiver(quick):
    """A cost on the car for this job sends it to the slower bike; without, the car takes it."""

    def build(cost):
        b = plane([(0, 0), (100, 0)], slowness=(1.0, 3.0), vehicle_class=[0, 1])
        job = b.add_job(
            1,
            service_s=10,
            windows=[(0, 5000)],
            penalty=10**6,
            preference_cost={0: cost} if cost else None,
        )
        return b.build(), job

    problem, job = build(1000)
    solution = solve(problem, quick)
    assert solution.served_by() == {job: 1}
    _ok(problem, solution)
    problem, job = build(0)
    assert solve(problem, quick).served_by() == {job: 0}


def test_travel_mode_matrix_decides_who_can_reach_a_tight_window(quick):
    """Each vehicle drives its own matrix: only the car reaches the window, whatever the cost."""
    b = plane([(0, 0), (100, 0)], slowness=(1.0, 3.0), vehicle_class=[1, 0])
    job = b.add_job(1, service_s=10, windows=[(0, 150)], penalty=10**6, preference_cost={1: 500})
    problem = b.build()
    solution = solve(problem, quick)
    assert solution.served_by() == {job: 1}
    _ok(problem, solution)


def test_refused_caregiver_never_serves_the_patient(quick):
    """The nearest, cheapest caregiver is refused: the other one serves; no refusal, it's 0."""

    def build(refused):
        b = plane([(0, 0), (100, 0)], slowness=(1.0, 3.0), vehicle_class=[0, 1])
        job = b.add_job(1, service_s=10, windows=[(0, 5000)], penalty=10**6, refused=refused)
        return b.build(), job

    problem, job = build([0])
    solution = solve(problem, quick)
    assert solution.served_by() == {job: 1}
    _ok(problem, solution)
    problem, job = build([])
    assert solve(problem, quick).served_by() == {job: 0}


def test_pins_hold_caregiver_and_start(quick):
    """A job pinned to the slow vehicle at 2000 s is served by it at exactly 2000 s."""
    b = plane([(0, 0), (100, 0)], slowness=(1.0, 3.0), vehicle_class=[0, 1])
    job = b.add_job(
        1, service_s=10, windows=[(0, 5000)], penalty=10**6, pinned_vehicle=1, pinned_start_s=2000
    )
    problem = b.build()
    solution = solve(problem, quick)
    assert solution.served_by() == {job: 1}
    assert starts(solution)[job] == 2000
    _ok(problem, solution)
    b = plane([(0, 0), (100, 0)], slowness=(1.0, 3.0), vehicle_class=[0, 1])
    job = b.add_job(1, service_s=10, windows=[(0, 5000)], penalty=10**6)
    solution = solve(b.build(), quick)
    assert solution.served_by() == {job: 0} and starts(solution)[job] != 2000


def test_overtime_serves_a_late_job_up_to_the_hard_maximum(quick):
    """Soft end 1000, hard 1500: a job back at 1200 is served; with no overtime it is dropped."""
    b = plane([(0, 0), (500, 0)], shift=(0, 1500), soft_end_s=1000, overtime_cost=2)
    job = b.add_job(1, service_s=200, windows=[(0, 1500)], penalty=10**6)
    problem = b.build()
    solution = solve(problem, quick)
    assert solution.dropped == ()
    assert solution.routes[0].return_s == 1200
    assert solution.objective == 1000 + 2 * 200
    _ok(problem, solution)
    b = plane([(0, 0), (500, 0)], shift=(0, 1000))
    job = b.add_job(1, service_s=200, windows=[(0, 1000)], penalty=10**6)
    assert solve(b.build(), quick).dropped == (job,)


def test_capacity_splits_jobs_over_vehicles_only_when_it_binds(quick):
    """Three loads of 4 with capacity 8 need two vehicles; with capacity 12 one suffices."""

    def build(capacity):
        b = plane([(0, 0), (10, 0), (11, 0), (12, 0)], n_vehicles=2, capacity=capacity)
        for loc in (1, 2, 3):
            b.add_job(loc, service_s=1, windows=[(0, 5000)], penalty=10**6, demand=4)
        return b.build()

    tight = build(8)
    solution = solve(tight, quick)
    assert solution.dropped == ()
    assert sorted(len(r.stops) for r in solution.routes) == [1, 2]
    _ok(tight, solution)
    loose = solve(build(12), quick)
    assert sorted(len(r.stops) for r in loose.routes) == [0, 3]
