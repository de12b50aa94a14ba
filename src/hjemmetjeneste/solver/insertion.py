"""Cheapest insertion of one job into given routes: "who could take this visit?".

A pure evaluation for the planner's page: for every vehicle allowed to serve ``job``, the
position in its route where the job adds the least lateness and then the least travel, with
the job's start of service. Routes are scheduled the plain way (leave at the vehicle's start,
start each job at the earliest moment its time windows allow), so a route's figures are those
of its earliest schedule. Breaks and the synchronised start of a double-staffed partner are
not re-timed here: a warm re-plan with the choice pinned checks them.

Lateness is what the insertion adds over the route: seconds a job starts after its last time
window ends, plus seconds the vehicle is back after its working window ends. An insertion is
``feasible`` when it adds none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hjemmetjeneste.solver.problem import RoutingProblem

__all__ = ["Insertion", "RouteTimes", "best_insertion", "rank_insertions", "route_times"]


@dataclass(frozen=True)
class Insertion:
    """The best place for a job in one vehicle's route, and what it costs there."""

    vehicle: int
    position: int
    """Index the job takes in the route (0: first stop after leaving the depot)."""
    start_s: int
    added_travel_s: int
    added_late_s: int

    @property
    def feasible(self) -> bool:
        """True when the insertion makes no job late and the vehicle not back late."""
        return self.added_late_s <= 0


@dataclass(frozen=True)
class RouteTimes:
    """A route's earliest schedule: start and departure at each stop, lateness, travel."""

    starts: tuple[int, ...]
    departs: tuple[int, ...]
    late: tuple[int, ...]
    return_s: int
    return_late_s: int
    travel_s: int


def start_at(problem: RoutingProblem, node: int, arrival_s: int) -> tuple[int, int]:
    """The earliest start at ``node`` for an arrival at ``arrival_s``, and its lateness.

    The first time window that has not ended yet gives the start (waiting if it has not
    opened); after the last window the job starts on arrival and is late by the overshoot.
    """
    windows = problem.time_windows[node]
    for open_s, close_s in windows:
        if arrival_s <= close_s:
            return max(arrival_s, open_s), 0
    return arrival_s, arrival_s - windows[-1][1]


def route_times(problem: RoutingProblem, vehicle: int, route: Sequence[int]) -> RouteTimes:
    """The earliest schedule of ``route`` (job nodes in order) driven by ``vehicle``."""
    travel = problem.travel_for(vehicle)
    service = problem.service_s
    at = int(problem.vehicle_start_node[vehicle])
    clock = int(problem.vehicle_start_s[vehicle])
    starts: list[int] = []
    departs: list[int] = []
    late: list[int] = []
    total = 0
    for node in route:
        leg = int(travel[at, node])
        total += leg
        start, over = start_at(problem, node, clock + leg)
        starts.append(start)
        late.append(over)
        clock = start + int(service[node])
        departs.append(clock)
        at = node
    end = int(problem.vehicle_end_node[vehicle])
    leg = int(travel[at, end])
    back = clock + leg
    return RouteTimes(
        starts=tuple(starts),
        departs=tuple(departs),
        late=tuple(late),
        return_s=back,
        return_late_s=max(0, back - int(problem.vehicle_end_s[vehicle])),
        travel_s=total + leg,
    )


def _evaluate(
    problem: RoutingProblem,
    vehicle: int,
    route: Sequence[int],
    times: RouteTimes,
    travel: np.ndarray,
    job: int,
    position: int,
) -> Insertion:
    """Insert ``job`` before ``route[position]``; only the stops it delays are re-timed."""
    service = problem.service_s
    prev = int(problem.vehicle_start_node[vehicle]) if position == 0 else route[position - 1]
    clock = int(problem.vehicle_start_s[vehicle]) if position == 0 else times.departs[position - 1]
    end = int(problem.vehicle_end_node[vehicle])
    nxt = route[position] if position < len(route) else end
    added_travel = int(travel[prev, job]) + int(travel[job, nxt]) - int(travel[prev, nxt])
    start, added_late = start_at(problem, job, clock + int(travel[prev, job]))
    clock = start + int(service[job])
    at = job
    for k in range(position, len(route)):
        node = route[k]
        new_start, over = start_at(problem, node, clock + int(travel[at, node]))
        if new_start == times.starts[k]:
            break  # the rest of the route keeps its schedule
        added_late += over - times.late[k]
        clock = new_start + int(service[node])
        at = node
    else:
        back = clock + int(travel[at, end])
        added_late += max(0, back - int(problem.vehicle_end_s[vehicle])) - times.return_late_s
    return Insertion(vehicle, position, start, added_travel, added_late)


def best_insertion(
    problem: RoutingProblem, vehicle: int, route: Sequence[int], job: int
) -> Insertion:
    """The position in ``vehicle``'s ``route`` where ``job`` adds the least lateness, then
    the least travel (the earliest such position on ties)."""
    if job in route:
        raise ValueError(f"job {job} is already in the route of vehicle {vehicle}")
    times = route_times(problem, vehicle, route)
    travel = problem.travel_for(vehicle)
    options = (
        _evaluate(problem, vehicle, route, times, travel, job, p) for p in range(len(route) + 1)
    )
    return min(options, key=lambda o: (o.added_late_s, o.added_travel_s, o.position))


def rank_insertions(
    problem: RoutingProblem, routes: Sequence[Sequence[int]], job: int
) -> list[Insertion]:
    """The best insertion of ``job`` for every vehicle allowed to serve it that does not
    already, ranked by added lateness, then added travel, then vehicle index."""
    if job not in problem.job_nodes:
        raise ValueError(f"node {job} is not a job")
    if len(routes) != problem.n_vehicles:
        raise ValueError(f"{len(routes)} routes given for {problem.n_vehicles} vehicles")
    options = [
        best_insertion(problem, v, routes[v], job)
        for v in problem.allowed_vehicles[job]
        if job not in routes[v]
    ]
    return sorted(options, key=lambda o: (o.added_late_s, o.added_travel_s, o.vehicle))
