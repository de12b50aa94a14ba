"""An independent feasibility checker: re-validates a solution without OR-Tools.

It recomputes every route's clock from the problem's matrices and reports typed violations,
so that a bug in the model, the extraction or a hand edit cannot go unnoticed. Each kind is a
rule a planner would name; each violation carries a sentence saying what is wrong.
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
    REFUSED_CAREGIVER = "refused_caregiver"
    PIN_IGNORED = "pin_ignored"
    STARTS_BEFORE_WINDOW = "starts_before_window"
    LATE_START = "late_start"
    START_BETWEEN_WINDOWS = "start_between_windows"
    STARTS_BEFORE_ARRIVAL = "starts_before_arrival"
    OVERLAP = "overlap"
    LEAVES_BEFORE_SHIFT = "leaves_before_shift"
    SHIFT_OVERRUN = "shift_overrun"
    MISSING_BREAK = "missing_break"
    BREAK_DURING_VISIT = "break_during_visit"
    UNSYNCHRONISED_DOUBLE_STAFFING = "unsynchronised_double_staffing"
    GAP_VIOLATED = "gap_violated"
    CAPACITY_EXCEEDED = "capacity_exceeded"


@dataclass(frozen=True)
class Violation:
    """One broken rule, with where it happened and a sentence a planner can read."""

    kind: ViolationKind
    vehicle: int | None
    node: int | None
    message: str


def check_solution(problem: RoutingProblem, solution: Solution) -> list[Violation]:
    """Every violation of the problem's hard rules in ``solution`` (empty when feasible).

    Soft rules (lateness after a soft window end, overtime before the hard maximum,
    preferences, continuity) cost but are never violations.
    """
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
    for node in sorted(jobs - set(counts) - set(solution.dropped)):
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
    found += _check_gaps(problem, starts)
    return found


def _v(kind: ViolationKind, v: int | None, node: int | None, message: str) -> Violation:
    return Violation(kind, v, node, message)


def _check_assignment(problem: RoutingProblem, v: int, node: int) -> list[Violation]:
    """Who may serve the job: refusals first, then pins, then competence."""
    if v in problem.refused_vehicles[node]:
        return [
            _v(
                ViolationKind.REFUSED_CAREGIVER,
                v,
                node,
                f"the patient of job {node} has refused caregiver (vehicle) {v}",
            )
        ]
    pinned = int(problem.pin_vehicle[node])
    if pinned >= 0 and pinned != v:
        return [
            _v(
                ViolationKind.PIN_IGNORED,
                v,
                node,
                f"job {node} is pinned to vehicle {pinned} but is on vehicle {v}",
            )
        ]
    if v not in problem.allowed_vehicles[node]:
        return [
            _v(
                ViolationKind.MISSING_COMPETENCE,
                v,
                node,
                f"vehicle {v} lacks competence or skills for job {node}",
            )
        ]
    return []


def _check_window(problem: RoutingProblem, v: int, node: int, start: int) -> list[Violation]:
    found: list[Violation] = []
    pinned = int(problem.pin_start[node])
    if pinned >= 0 and start != pinned:
        found.append(
            _v(
                ViolationKind.PIN_IGNORED,
                v,
                node,
                f"job {node} is pinned to start at {pinned}s but starts at {start}s",
            )
        )
    if start < problem.window_start_s[node]:
        found.append(
            _v(
                ViolationKind.STARTS_BEFORE_WINDOW,
                v,
                node,
                f"job {node} starts at {start}s, window opens {problem.window_start_s[node]}s",
            )
        )
    elif start > problem.window_end_s[node]:
        found.append(
            _v(
                ViolationKind.LATE_START,
                v,
                node,
                f"job {node} starts at {start}s, window closes {problem.window_end_s[node]}s",
            )
        )
    elif not any(a <= start <= b for a, b in problem.time_windows[node]):
        found.append(
            _v(
                ViolationKind.START_BETWEEN_WINDOWS,
                v,
                node,
                f"job {node} starts at {start}s, between its windows "
                f"{list(problem.time_windows[node])}",
            )
        )
    return found


def _check_route(
    problem: RoutingProblem, v: int, route: Route, starts: dict[int, tuple[int, int]]
) -> list[Violation]:
    found: list[Violation] = []
    travel = problem.travel_for(v)
    if route.depart_s < problem.vehicle_start_s[v]:
        found.append(
            _v(
                ViolationKind.LEAVES_BEFORE_SHIFT,
                v,
                None,
                f"vehicle {v} leaves at {route.depart_s}s, shift starts "
                f"{problem.vehicle_start_s[v]}s",
            )
        )
    breaks = sorted(route.breaks)
    prev, ready, prev_end = int(problem.vehicle_start_node[v]), route.depart_s, None
    busy: list[tuple[int, int, int]] = []  # (start, end, node) of each service
    jobs = set(problem.job_nodes)
    for stop in route.stops:
        node = stop.node
        if node not in jobs:
            continue  # a depot or unknown node: check_solution reports it once, as not_a_job
        # A break taken between the previous stop and this one delays the arrival.
        paused = sum(d for s, d in breaks if ready <= s < stop.start_s)
        earliest = ready + int(travel[prev, node]) + paused
        found += _check_assignment(problem, v, node)
        if prev_end is not None and stop.start_s < prev_end:
            found.append(
                _v(
                    ViolationKind.OVERLAP,
                    v,
                    node,
                    f"job {node} starts at {stop.start_s}s while the caregiver is still busy "
                    f"at job {prev} until {prev_end}s",
                )
            )
        elif stop.start_s < earliest:
            found.append(
                _v(
                    ViolationKind.STARTS_BEFORE_ARRIVAL,
                    v,
                    node,
                    f"job {node} starts at {stop.start_s}s but cannot be reached before "
                    f"{earliest}s" + (f" (with {paused}s of break)" if paused else ""),
                )
            )
        found += _check_window(problem, v, node, stop.start_s)
        starts[node] = (v, stop.start_s)
        end = stop.start_s + int(problem.service_s[node])
        busy.append((stop.start_s, end, node))
        prev, ready, prev_end = node, max(end, ready), end
    if route.stops:
        paused = sum(d for s, d in breaks if s >= ready)
        back = ready + int(travel[prev, int(problem.vehicle_end_node[v])]) + paused
        back = max(back, route.return_s)
    else:
        back = ready
    if back > problem.vehicle_end_s[v]:
        found.append(
            _v(
                ViolationKind.SHIFT_OVERRUN,
                v,
                None,
                f"vehicle {v} is back at {back}s, the shift may last until "
                f"{problem.vehicle_end_s[v]}s at most",
            )
        )
    found += _check_breaks(problem, v, breaks, busy)
    capacity = int(problem.capacity[v])
    load = sum(int(problem.load[s.node]) for s in route.stops if s.node in jobs)
    if capacity >= 0 and load > capacity:
        found.append(
            _v(
                ViolationKind.CAPACITY_EXCEEDED,
                v,
                None,
                f"vehicle {v} carries {load}, more than its capacity {capacity}",
            )
        )
    return found


def _check_breaks(
    problem: RoutingProblem,
    v: int,
    breaks: list[tuple[int, int]],
    busy: list[tuple[int, int, int]],
) -> list[Violation]:
    """Each required break is taken, long enough, inside its window and never during a visit."""
    found: list[Violation] = []
    specs = sorted(problem.vehicle_breaks[v], key=lambda b: b.earliest_s)
    # Which taken break counts for which required one is a matching (each break counts once):
    # a greedy choice could spend on a wide lunch window the only break a narrow pause fits.
    fits = [
        [i for i, (s, d) in enumerate(breaks) if spec.earliest_s <= s <= spec.latest_s
         and d >= spec.duration_s]
        for spec in specs
    ]  # fmt: skip
    counted_for: dict[int, int] = {}  # taken break -> the required break it counts for

    def count(k: int, tried: set[int]) -> bool:
        for i in fits[k]:
            if i not in tried:
                tried.add(i)
                if i not in counted_for or count(counted_for[i], tried):
                    counted_for[i] = k
                    return True
        return False

    for k, spec in enumerate(specs):
        if not count(k, set()):
            found.append(
                _v(
                    ViolationKind.MISSING_BREAK,
                    v,
                    None,
                    f"vehicle {v} takes no {spec.duration_s}s break starting between "
                    f"{spec.earliest_s}s and {spec.latest_s}s",
                )
            )
    for start, duration in breaks:
        for s, e, node in busy:
            if start < e and s < start + duration:
                found.append(
                    _v(
                        ViolationKind.BREAK_DURING_VISIT,
                        v,
                        node,
                        f"vehicle {v}'s break {start}s–{start + duration}s overlaps job {node} "
                        f"({s}s–{e}s)",
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


def _check_gaps(problem: RoutingProblem, starts: dict[int, tuple[int, int]]) -> list[Violation]:
    """Minimum and maximum gaps between the starts of two served jobs."""
    found: list[Violation] = []
    for p in problem.precedences:
        if p.first not in starts or p.second not in starts:
            continue
        gap = starts[p.second][1] - starts[p.first][1]
        if gap < p.min_s or (p.max_s is not None and gap > p.max_s):
            bound = (
                f"between {p.min_s}s and {p.max_s}s"
                if p.max_s is not None
                else (f"at least {p.min_s}s")
            )
            found.append(
                _v(
                    ViolationKind.GAP_VIOLATED,
                    starts[p.second][0],
                    p.second,
                    f"job {p.second} starts {gap}s after job {p.first}; it must be {bound}",
                )
            )
    return found
