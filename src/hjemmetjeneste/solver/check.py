"""An independent feasibility checker: re-validates a solution without OR-Tools.

It recomputes every route's clock from the problem's matrices and reports typed violations,
so that a bug in the model, the extraction or a hand edit cannot go unnoticed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from hjemmetjeneste.solver.problem import Route, RoutingProblem, Solution


class ViolationKind(StrEnum):
    """What rule a solution breaks."""

    NOT_A_JOB = "not_a_job"
    SERVED_TWICE = "served_twice"
    NEITHER_SERVED_NOR_DROPPED = "neither_served_nor_dropped"
    MISSING_COMPETENCE = "missing_competence"
    STARTS_BEFORE_WINDOW = "starts_before_window"
    LATE_START = "late_start"
    STARTS_BEFORE_ARRIVAL = "starts_before_arrival"
    LEAVES_BEFORE_SHIFT = "leaves_before_shift"
    SHIFT_OVERRUN = "shift_overrun"
    UNSYNCHRONISED_DOUBLE_STAFFING = "unsynchronised_double_staffing"


@dataclass(frozen=True)
class Violation:
    """One broken rule, with where it happened and a sentence a planner can read."""

    kind: ViolationKind
    vehicle: int | None
    node: int | None
    message: str


def check_solution(problem: RoutingProblem, solution: Solution) -> list[Violation]:
    """Every violation of the problem's hard rules in ``solution`` (empty when feasible)."""
    found: list[Violation] = []
    jobs = set(problem.job_nodes)
    counts = Counter(stop.node for r in solution.routes for stop in r.stops)
    for node, count in counts.items():
        if node not in jobs:
            found.append(Violation(ViolationKind.NOT_A_JOB, None, node, f"node {node} is no job"))
        elif count > 1:
            found.append(
                Violation(ViolationKind.SERVED_TWICE, None, node, f"job {node} served {count}×")
            )
    for node in jobs - set(counts) - set(solution.dropped):
        found.append(
            Violation(
                ViolationKind.NEITHER_SERVED_NOR_DROPPED,
                None,
                node,
                f"job {node} is neither on a route nor reported as dropped",
            )
        )
    starts: dict[int, tuple[int, int]] = {}
    for route in solution.routes:
        found += _check_route(problem, route.vehicle, route, starts)
    for a, b in problem.sync_groups:
        found += _check_sync(a, b, starts)
    return found


def _check_route(
    problem: RoutingProblem, v: int, route: Route, starts: dict[int, tuple[int, int]]
) -> list[Violation]:
    found: list[Violation] = []
    travel = problem.travel_for(v)
    if route.depart_s < problem.vehicle_start_s[v]:
        found.append(
            Violation(
                ViolationKind.LEAVES_BEFORE_SHIFT,
                v,
                None,
                f"vehicle {v} leaves at {route.depart_s}s, shift starts "
                f"{problem.vehicle_start_s[v]}s",
            )
        )
    prev, ready = int(problem.vehicle_start_node[v]), route.depart_s
    for stop in route.stops:
        node = stop.node
        if node < 0 or node >= problem.n_nodes:
            continue
        earliest = ready + int(travel[prev, node])
        if v not in problem.allowed_vehicles[node]:
            found.append(
                Violation(
                    ViolationKind.MISSING_COMPETENCE,
                    v,
                    node,
                    f"vehicle {v} lacks competence or skills for job {node}",
                )
            )
        if stop.start_s < earliest:
            found.append(
                Violation(
                    ViolationKind.STARTS_BEFORE_ARRIVAL,
                    v,
                    node,
                    f"job {node} starts at {stop.start_s}s but cannot be reached before "
                    f"{earliest}s",
                )
            )
        if stop.start_s < problem.window_start_s[node]:
            found.append(
                Violation(
                    ViolationKind.STARTS_BEFORE_WINDOW,
                    v,
                    node,
                    f"job {node} starts at {stop.start_s}s, window opens "
                    f"{problem.window_start_s[node]}s",
                )
            )
        if stop.start_s > problem.window_end_s[node]:
            found.append(
                Violation(
                    ViolationKind.LATE_START,
                    v,
                    node,
                    f"job {node} starts at {stop.start_s}s, window closes "
                    f"{problem.window_end_s[node]}s",
                )
            )
        starts[node] = (v, stop.start_s)
        prev, ready = node, max(stop.start_s, earliest) + int(problem.service_s[node])
    back = ready + int(travel[prev, int(problem.vehicle_end_node[v])]) if route.stops else ready
    if back > problem.vehicle_end_s[v]:
        found.append(
            Violation(
                ViolationKind.SHIFT_OVERRUN,
                v,
                None,
                f"vehicle {v} is back at {back}s, shift ends {problem.vehicle_end_s[v]}s",
            )
        )
    return found


def _check_sync(a: int, b: int, starts: dict[int, tuple[int, int]]) -> list[Violation]:
    served = (a in starts, b in starts)
    if served == (False, False):
        return []
    if served != (True, True):
        message = f"only one caregiver of double-staffed jobs {a}/{b} is planned"
    elif starts[a][0] == starts[b][0]:
        message = f"double-staffed jobs {a}/{b} are both on vehicle {starts[a][0]}"
    elif starts[a][1] != starts[b][1]:
        message = f"double-staffed jobs {a}/{b} start at {starts[a][1]}s and {starts[b][1]}s"
    else:
        return []
    return [Violation(ViolationKind.UNSYNCHRONISED_DOUBLE_STAFFING, None, a, message)]
