"""How a planner reads the solver's verdicts (``planning.explain``).

A violation is worded with the caregiver's first name and staff id, the visit's id, local
clock times (Europe/Oslo) and whole minutes; a job the search left out is explained by the
gap rule when a served dose of its gap group leaves it no start, otherwise by lack of time,
naming the qualified caregiver whose route passes nearest. Each test compares whole
results (reason, sentence code and every fact), and the sentence they make in English.
Small hand-made shifts: ``make mutation`` runs these.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from hjemmetjeneste.domain import Explanation, Task, UnplacedReason, Visit
from hjemmetjeneste.planning.explain import PlanNames, Why, describe_violation, why_dropped, word
from hjemmetjeneste.planning.to_problem import BuiltProblem, IndexMap
from hjemmetjeneste.solver import ProblemBuilder, Route, RouteStop, Solution, Violation
from hjemmetjeneste.solver import ViolationKind as K

ZONE = ZoneInfo("Europe/Oslo")
H = 3600  # seconds in an hour of the plan day (local midnight of 2026-12-01)


def _built(
    jobs: list[tuple[int, tuple[int, int], dict]],
    travel: list[list[int]] | None = None,
    precedences: tuple[tuple[int, int, int, int | None], ...] = (),
    names: tuple[str, ...] = ("Anna", "Bjørn"),
) -> BuiltProblem:
    """Base at location 0, three caregivers (anna, bjorn, cato), one job node per
    (location, window, add_job options); job k is node k + 1 and visit ``v<k+1>``."""
    size = 1 + max((loc for loc, _, _ in jobs), default=0)
    builder = ProblemBuilder()
    builder.add_travel_class(travel or [[0] * size for _ in range(size)])
    base = builder.add_depot(0, (6 * H, 16 * H))
    for _ in range(3):
        builder.add_vehicle(start_depot=base, window=(6 * H, 16 * H))
    for location, window, options in jobs:
        builder.add_job(location, service_s=600, windows=[window], penalty=1000, **options)
    for a, b, min_s, max_s in precedences:
        builder.add_precedence(a, b, min_s, max_s)
    index = IndexMap(
        day_start=datetime(2026, 12, 1, tzinfo=ZONE),
        zone=ZONE,
        job_visit=(None, *(f"v{k + 1}" for k in range(len(jobs)))),
        vehicle_staff=("anna", "bjorn", "cato"),
        travel_modes=(),
        vehicle_names=names,
    )
    return BuiltProblem(builder.build(), index, ())


def _visit(minutes: int = 25) -> Visit:
    tasks = (Task.model_construct(task_id="t1", duration_min=minutes - 5),)
    tasks += (Task.model_construct(task_id="t2", duration_min=5),)
    return Visit.model_construct(visit_id="v", tasks=tasks)


def _solution(*routes: Route) -> Solution:
    return Solution(routes=routes, dropped=(), objective=0, status="hand", wall_s=0.0)


def _route(vehicle: int, *stops: tuple[int, int]) -> Route:
    return Route(vehicle, 6 * H, tuple(RouteStop(n, s, s) for n, s in stops), 16 * H)


# -- violations in planner terms -------------------------------------------------------


@pytest.mark.parametrize(
    ("violation", "sentence"),
    [
        (
            Violation(K.LATE_START, 0, 1, values={"start_s": 8 * H + 300, "window_end_s": 8 * H}),
            "v1 starts at 08:05, window closes 08:00",
        ),
        (
            Violation(
                K.SHIFT_OVERRUN, 1, None, values={"back_s": 16 * H + 59, "shift_end_s": 16 * H}
            ),
            "Bjørn (bjorn) is back at 16:00, the shift may last until 16:00 at most",
        ),
        (
            Violation(K.REFUSED_CAREGIVER, 2, 2),
            "the patient of v2 has refused cato",
        ),
        (
            Violation(K.PIN_IGNORED, 0, 2, other=1),
            "v2 is pinned to Bjørn (bjorn) but is on Anna (anna)",
        ),
        (
            Violation(
                K.MISSING_BREAK,
                0,
                None,
                values={"duration_s": 30 * 60 + 59, "earliest_s": 11 * H, "latest_s": 13 * H},
            ),
            "Anna (anna) takes no 30 min break starting between 11:00 and 13:00",
        ),
        (
            Violation(
                K.UNSYNCHRONISED_DOUBLE_STAFFING,
                None,
                1,
                other=2,
                values={"start_s": 9 * H, "other_start_s": 9 * H + 600},
            ),
            "double-staffed v1 start at 09:00 and 09:10",
        ),
        (
            Violation(K.GAP_VIOLATED, 1, 2, other=1, values={"gap_s": 90, "min_s": 4 * H}),
            "v2 starts 1 min after v1; it must be at least 240 min",
        ),
        (
            Violation(
                K.START_BETWEEN_WINDOWS,
                0,
                1,
                windows=((8 * H, 9 * H), (11 * H, 12 * H)),
                values={"start_s": 10 * H},
            ),
            "v1 starts at 10:00, between its windows 08:00–09:00, 11:00–12:00",
        ),
        (
            Violation(
                K.STARTS_BEFORE_ARRIVAL, 0, 1, values={"start_s": 8 * H, "earliest_s": 8 * H + 600}
            ),
            "v1 starts at 08:00 but cannot be reached before 08:10",
        ),
        (
            Violation(
                K.STARTS_BEFORE_ARRIVAL,
                0,
                1,
                values={"start_s": 8 * H, "earliest_s": 8 * H + 600, "break_s": 300},
            ),
            "v1 starts at 08:00 but cannot be reached before 08:10 (with 5 min of break)",
        ),
    ],
)
def test_a_violation_names_caregivers_visits_clock_times_and_minutes(violation, sentence):
    built = _built([(1, (8 * H, 9 * H), {}), (1, (8 * H, 9 * H), {})], names=("Anna", "Bjørn"))
    assert describe_violation(built, violation) == sentence


def test_plan_names_read_the_index():
    """The names a violation is worded with: a caregiver without a first name is her staff
    id; moments are local clock times, also across the change to summer time."""
    built = _built([(1, (8 * H, 9 * H), {})], names=("Anna",))
    names = PlanNames(built)
    assert [names.vehicle(0), names.vehicle(1)] == ["Anna (anna)", "bjorn"]
    assert [names.job(1), names.pair(1, 0)] == ["v1", "v1"]
    assert [names.moment(0), names.moment(13 * H + 59 * 60 + 59)] == ["00:00", "13:59"]
    assert [names.duration(0), names.duration(59), names.duration(3600)] == [
        "0 min",
        "0 min",
        "60 min",
    ]


# -- why a job was left out -------------------------------------------------------------

DAY = date(2026, 12, 1)


def at(hours: float) -> str:
    """The instant ``hours`` after local midnight of the plan day (winter time, +01:00)."""
    h, m = int(hours), round(hours % 1 * 60)
    return f"2026-12-01T{h:02d}:{m:02d}:00+01:00"


def _gap(window: tuple[int, int], served_start: int, precedence: tuple[int, int, int, int | None]):
    """Dose 1 (node 1) served by Anna at ``served_start``; why is dose 2 (node 2) out?"""
    built = _built([(1, (0, 16 * H), {}), (1, window, {})], precedences=(precedence,))
    return why_dropped(built, _solution(_route(0, (1, served_start))), 2, _visit())


def _no_time(window: tuple[int, int]) -> tuple[UnplacedReason, Explanation]:
    return (
        UnplacedReason.NO_TIME_LEFT,
        Explanation(
            code=Why.NO_TIME_LEFT_NEAREST,
            facts={
                "qualified": 3,
                "duration_min": 25,
                "window_start_at": at(window[0] / H),
                "window_end_at": at(window[1] / H),
                "staff_id": "anna",
                "staff_name": "Anna",
                "nearest_min": 0,
            },
        ),
    )


def _gap_rule(window: tuple[int, int]) -> tuple[UnplacedReason, Explanation]:
    return (
        UnplacedReason.GAP_RULE,
        Explanation(
            code=Why.GAP_NO_START,
            facts={"window_start_at": at(window[0] / H), "window_end_at": at(window[1] / H)},
        ),
    )


@pytest.mark.parametrize(
    ("window", "served", "precedence", "gap_rule"),
    [
        # dose 2 at least 4 h after dose 1 (08:00): no start before 12:00 fits
        ((9 * H, 11 * H), 8 * H, (1, 2, 4 * H, None), True),
        ((9 * H, 12 * H), 8 * H, (1, 2, 4 * H, None), False),  # 12:00 is exactly 4 h
        # dose 2 at most 1 h after dose 1 (08:00): no start after 09:00 fits
        ((10 * H, 12 * H), 8 * H, (1, 2, 0, H), True),
        ((9 * H, 12 * H), 8 * H, (1, 2, 0, H), False),  # 09:00 is exactly 1 h
        # dose 2 must come 4 h before dose 1 (14:00): no start after 10:00 fits
        ((11 * H, 13 * H), 14 * H, (2, 1, 4 * H, None), True),
        ((10 * H, 13 * H), 14 * H, (2, 1, 4 * H, None), False),
        # dose 2 at most 1 h before dose 1 (14:00): no start before 13:00 fits
        ((9 * H, 12 * H), 14 * H, (2, 1, 0, H), True),
        ((9 * H, 13 * H), 14 * H, (2, 1, 0, H), False),
    ],
)
def test_a_dose_the_gap_rule_leaves_no_start_is_explained_by_the_gap(
    window, served, precedence, gap_rule
):
    """Gap rule when the served dose's gap (minimum or maximum, before or after) leaves no
    start inside the window; a start exactly on the bound still fits, so it is no time."""
    expected = _gap_rule(window) if gap_rule else _no_time(window)
    assert _gap(window, served, precedence) == expected


def test_the_gap_rule_and_no_time_in_words():
    """The window quoted is the visit's own, not the one the gap leaves."""
    _, gap = _gap((9 * H, 11 * H), 8 * H, (1, 2, 4 * H, None))
    assert word(gap, DAY, "en") == (
        "Gap rule: another dose of the same medication is planned too close to (or too far "
        "from) this one; no start between 09:00 and 11:00 keeps the required gap."
    )
    assert word(gap, DAY) == (
        "Intervallregel: en annen dose av samme legemiddel er planlagt for nær (eller for langt "
        "fra) denne; ingen start mellom 09:00 og 11:00 holder det påkrevde intervallet."
    )
    _, no_time = _gap((9 * H, 12 * H), 8 * H, (1, 2, 4 * H, None))
    assert word(no_time, DAY, "en") == (
        "No time left: none of the 3 qualified caregiver(s) on shift could fit the 25 min "
        "visit starting between 09:00 and 12:00 into their route. The nearest candidate, "
        "Anna (anna), passes 0 min away but has no room in that window."
    )


def test_a_gap_to_a_dose_that_is_not_served_explains_nothing():
    """Only a served dose constrains: with dose 1 left out too, dose 2 lacks time."""
    built = _built(
        [(1, (0, 16 * H), {}), (1, (9 * H, 11 * H), {})], precedences=((1, 2, H, 4 * H),)
    )
    assert why_dropped(built, _solution(_route(0)), 2, _visit()) == _no_time((9 * H, 11 * H))
    built = _built(
        [(1, (9 * H, 11 * H), {}), (1, (0, 16 * H), {})], precedences=((1, 2, H, 4 * H),)
    )
    assert why_dropped(built, _solution(_route(0)), 1, _visit()) == _no_time((9 * H, 11 * H))


def _left_out(allowed: list[int]) -> tuple[UnplacedReason, Explanation]:
    """The 40 min visit at location 1 (09:00-10:00) left out; Anna has no stops, Bjørn one
    at location 2 (15 min from it), Cato one at location 3 (5 min from it); the base is
    location 0 (50 min from it). Only ``allowed`` caregivers may take it."""
    travel = [
        [0, 3000, 2000, 600],
        [3000, 0, 900, 300],
        [2000, 900, 0, 1000],
        [600, 300, 1000, 0],
    ]
    jobs = [(1, (9 * H, 10 * H), {"allowed": allowed}), (2, (0, 16 * H), {}), (3, (0, 16 * H), {})]
    solution = _solution(_route(0), _route(1, (2, 8 * H)), _route(2, (3, 8 * H)))
    return why_dropped(_built(jobs, travel), solution, 1, _visit(40))


def test_no_time_names_the_qualified_caregiver_whose_route_passes_nearest():
    """Among the caregivers allowed to serve the job, the one whose base or stops lie
    nearest to it, and how far in whole minutes; unqualified caregivers are not named."""
    reason, why = _left_out(allowed=[0, 1])
    assert (reason, why) == (
        UnplacedReason.NO_TIME_LEFT,
        Explanation(
            code=Why.NO_TIME_LEFT_NEAREST,
            facts={
                "qualified": 2,
                "duration_min": 40,
                "window_start_at": at(9),
                "window_end_at": at(10),
                "staff_id": "bjorn",
                "staff_name": "Bjørn",
                "nearest_min": 15,
            },
        ),
    )
    assert word(why, DAY, "en") == (
        "No time left: none of the 2 qualified caregiver(s) on shift could fit the 40 min "
        "visit starting between 09:00 and 10:00 into their route. The nearest candidate, "
        "Bjørn (bjorn), passes 15 min away but has no room in that window."
    )


def test_a_task_whose_only_competent_caregiver_is_busy_names_her():
    """Only Anna may take the 09:00-10:00 visit (her base is 50 min away); Bjørn and Cato
    pass nearer but are not qualified: no time left, Anna named, 50 min."""
    assert _left_out(allowed=[0]) == (
        UnplacedReason.NO_TIME_LEFT,
        Explanation(
            code=Why.NO_TIME_LEFT_NEAREST,
            facts={
                "qualified": 1,
                "duration_min": 40,
                "window_start_at": at(9),
                "window_end_at": at(10),
                "staff_id": "anna",
                "staff_name": "Anna",
                "nearest_min": 50,
            },
        ),
    )


def test_a_caregiver_without_a_route_is_measured_from_the_base():
    """The solution may hold no route for a caregiver: she is measured from her base; a
    caregiver without a first name is named by her staff id."""
    travel = [[0, 1200], [1200, 0]]
    built = _built([(1, (9 * H, 10 * H), {"allowed": [2]})], travel)
    _, why = why_dropped(built, _solution(_route(0)), 1, _visit())
    assert (why.facts["staff_id"], why.facts["staff_name"], why.facts["nearest_min"]) == (
        "cato",
        "",
        20,
    )
    assert word(why, DAY, "en").endswith(
        "The nearest candidate, cato, passes 20 min away but has no room in that window."
    )


def test_the_nearest_place_is_a_stop_or_the_base_whichever_is_nearer():
    """A stop 10 min away beats a base 50 min away; a base 5 min away beats a stop 10 min
    away: the nearest of all the caregiver's places, in whole minutes rounded down."""
    travel = [[0, 3000, 600], [3000, 0, 659], [600, 659, 0]]
    built = _built([(1, (9 * H, 10 * H), {"allowed": [1]}), (2, (0, 16 * H), {})], travel)
    solution = _solution(_route(0), _route(1, (2, 8 * H)))
    assert why_dropped(built, solution, 1, _visit())[1].facts["nearest_min"] == 10
    travel = [[0, 300, 600], [300, 0, 659], [600, 659, 0]]
    built = _built([(1, (9 * H, 10 * H), {"allowed": [1]}), (2, (0, 16 * H), {})], travel)
    assert why_dropped(built, solution, 1, _visit())[1].facts["nearest_min"] == 5


def test_no_qualified_caregiver_names_no_candidate():
    """When nobody on shift is qualified, the sentence says so and names no one."""
    built = _built([(1, (9 * H, 10 * H), {"allowed": []})])
    reason, why = why_dropped(built, _solution(_route(0)), 1, _visit())
    assert (reason, why) == (
        UnplacedReason.NO_TIME_LEFT,
        Explanation(
            code=Why.NO_TIME_LEFT,
            facts={
                "qualified": 0,
                "duration_min": 25,
                "window_start_at": at(9),
                "window_end_at": at(10),
            },
        ),
    )
    assert word(why, DAY, "en") == (
        "No time left: none of the 0 qualified caregiver(s) on shift could fit the 25 min "
        "visit starting between 09:00 and 10:00 into their route."
    )
