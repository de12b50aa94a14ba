"""The index-based routing problem: what the solver sees, in integer seconds and metres.

Nodes are the depots of the vehicles followed by the jobs. A job is one caregiver's share of a
visit: a single-staffed visit is one job, a double-staffed visit two jobs in one sync group.
Times are integer seconds from the start of the plan day (local midnight of the shift's date).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Precedence:
    """Job ``second`` starts between ``min_s`` and ``max_s`` after job ``first`` starts.

    Binds only when both jobs are served (a medication gap, a "first helper, then nurse"
    pair). ``max_s`` None means no upper bound.
    """

    first: int
    second: int
    min_s: int = 0
    max_s: int | None = None


@dataclass(frozen=True)
class BreakSpec:
    """A break (pause) of ``duration_s`` starting between ``earliest_s`` and ``latest_s``."""

    earliest_s: int
    latest_s: int
    duration_s: int


@dataclass(frozen=True)
class RoutingProblem:
    """An immutable, validated vehicle-routing problem with time windows.

    Attributes (n = number of nodes, v = number of vehicles, c = number of travel classes):
        travel_s: c arrays n×n, travel time from node i to node j (service not included).
        distance_m: c arrays n×n, road distance estimate in metres.
        service_s: n, time spent at each node (0 at depots).
        window_start_s, window_end_s: n, bounds on the start of service at each node.
        drop_penalty: n, cost of leaving a job unserved; -1 marks a depot.
        allowed_vehicles: n, the vehicles that may serve each node (empty tuple at depots).
        sync_groups: pairs of jobs that two different vehicles start at the same time.
        vehicle_class: v, index into travel_s/distance_m for each vehicle.
        vehicle_start_node, vehicle_end_node: v, depot nodes of each vehicle.
        vehicle_start_s, vehicle_end_s: v, the vehicle's working window (shift start and end).
        balance_weight: cost per second of the longest route's service time (0 = off).
        waiting_cost: cost per second a caregiver waits at a door for a window to open,
            each route leaving its base as late as its windows allow (0 = off); a fraction
            of a travel second is allowed (0.1: a minute of waiting costs six seconds of
            travel), kept to 1/1000 by the ruin-and-recreate search.

    Constraint data that a problem may leave neutral (the neutral value changes nothing;
    :class:`~hjemmetjeneste.solver.model_builder.ProblemBuilder` states each one once, and
    every field here is required, so there is one way to make a problem: the builder):
        time_windows: per node, the allowed start windows (sorted, disjoint, inside
            [window_start_s, window_end_s]); neutral: one window per node, the hull.
        soft_window_end_s, lateness_cost: per node, starting after the soft end costs
            ``lateness_cost`` per second (up to the hard ``window_end_s``); neutral: the
            hard end, no cost.
        precedences: start-time gaps between two jobs (see Precedence); neutral: none.
        pinned_vehicle, pinned_start_s: per node, -1 or the vehicle/start a planner fixed.
        refused_vehicles: per node, vehicles the patient refuses (never in allowed_vehicles).
        vehicle_soft_end_s, overtime_cost: per vehicle, returning after the soft end costs
            ``overtime_cost`` per second, up to the hard ``vehicle_end_s``; neutral: the
            hard end, no cost.
        vehicle_breaks: per vehicle, the breaks it must take (never during service).
        preference_cost: n×v, the cost of vehicle v serving node n (continuity, preferred
            caregivers, language); neutral: zeros.
        demand, vehicle_capacity: per node a load and per vehicle the most it may carry
            (-1 = unlimited); neutral: no load (benchmark instances such as Solomon's).
    """

    travel_s: tuple[IntArray, ...]
    distance_m: tuple[IntArray, ...]
    service_s: IntArray
    window_start_s: IntArray
    window_end_s: IntArray
    drop_penalty: IntArray
    allowed_vehicles: tuple[tuple[int, ...], ...]
    vehicle_class: IntArray
    vehicle_start_node: IntArray
    vehicle_end_node: IntArray
    vehicle_start_s: IntArray
    vehicle_end_s: IntArray
    sync_groups: tuple[tuple[int, int], ...]
    balance_weight: int
    time_windows: tuple[tuple[tuple[int, int], ...], ...]
    soft_window_end_s: IntArray
    lateness_cost: IntArray
    precedences: tuple[Precedence, ...]
    pinned_vehicle: IntArray
    pinned_start_s: IntArray
    refused_vehicles: tuple[tuple[int, ...], ...]
    vehicle_soft_end_s: IntArray
    overtime_cost: IntArray
    vehicle_breaks: tuple[tuple[BreakSpec, ...], ...]
    preference_cost: IntArray
    demand: IntArray
    vehicle_capacity: IntArray
    waiting_cost: float
    job_nodes: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        n = len(self.service_s)
        v = len(self.vehicle_class)
        problems: list[str] = []
        if not self.travel_s or len(self.travel_s) != len(self.distance_m):
            problems.append("travel_s and distance_m need one matrix per travel class")
        for k, (t, d) in enumerate(zip(self.travel_s, self.distance_m, strict=False)):
            if t.shape != (n, n) or d.shape != (n, n):
                problems.append(f"matrices of class {k} must be {n}×{n}")
            elif (t < 0).any() or (d < 0).any():
                problems.append(f"matrices of class {k} hold negative values")
        for name in ("window_start_s", "window_end_s", "drop_penalty"):
            if len(getattr(self, name)) != n:
                problems.append(f"{name} must have one entry per node ({n})")
        if len(self.allowed_vehicles) != n:
            problems.append(f"allowed_vehicles must have one entry per node ({n})")
        for name in ("vehicle_start_node", "vehicle_end_node", "vehicle_start_s", "vehicle_end_s"):
            if len(getattr(self, name)) != v:
                problems.append(f"{name} must have one entry per vehicle ({v})")
        if v and (self.vehicle_class.min() < 0 or self.vehicle_class.max() >= len(self.travel_s)):
            problems.append("vehicle_class refers to a missing travel class")
        if (self.service_s < 0).any():
            problems.append("service_s holds negative values")
        if (self.window_end_s < self.window_start_s).any():
            problems.append("a window ends before it starts")
        if (self.vehicle_end_s < self.vehicle_start_s).any():
            problems.append("a vehicle's working window ends before it starts")
        # Depots carry drop penalty -1; every other node is a job.
        for node in set(self.vehicle_start_node.tolist()) | set(self.vehicle_end_node.tolist()):
            if not 0 <= node < n or self.drop_penalty[node] != -1:
                problems.append(f"depot node {node} must exist and carry drop_penalty -1")
        jobs = tuple(int(i) for i in np.flatnonzero(self.drop_penalty >= 0))
        for i in jobs:
            allowed = self.allowed_vehicles[i]
            if allowed and (min(allowed) < 0 or max(allowed) >= v):
                problems.append(f"job node {i} allows a vehicle that does not exist")
        job_set = set(jobs)
        for a, b in self.sync_groups:
            if a == b or a not in job_set or b not in job_set:
                problems.append(f"sync group ({a}, {b}) must name two different jobs")
        if self.balance_weight < 0 or self.waiting_cost < 0:
            problems.append("balance_weight and waiting_cost must be >= 0")
        if not problems:
            problems += self._validate_opt_in(n, v, job_set)
        if problems:
            raise ValueError("invalid routing problem: " + "; ".join(problems))
        object.__setattr__(self, "job_nodes", jobs)

    def _validate_opt_in(self, n: int, v: int, job_set: set[int]) -> list[str]:
        """Problems with the opt-in constraint data (shapes, ranges, references)."""
        problems: list[str] = []
        arrays = {
            name: np.asarray(getattr(self, name))
            for name in (
                "soft_window_end_s",
                "lateness_cost",
                "pinned_vehicle",
                "pinned_start_s",
                "vehicle_soft_end_s",
                "overtime_cost",
                "preference_cost",
                "demand",
                "vehicle_capacity",
            )
        }
        for name, length in (
            ("soft_window_end_s", n),
            ("lateness_cost", n),
            ("pinned_vehicle", n),
            ("pinned_start_s", n),
            ("vehicle_soft_end_s", v),
            ("overtime_cost", v),
            ("demand", n),
            ("vehicle_capacity", v),
        ):
            if len(arrays[name]) != length:
                problems.append(f"{name} must have {length} entries")
        if problems:
            return problems
        if len(self.time_windows) != n or len(self.refused_vehicles) != n:
            problems.append("time_windows and refused_vehicles need one entry per node")
        if len(self.vehicle_breaks) != v:
            problems.append("vehicle_breaks needs one entry per vehicle")
        if arrays["preference_cost"].shape != (n, v):
            problems.append(f"preference_cost must be {n}×{v}")
        if (arrays["lateness_cost"] < 0).any() or (arrays["overtime_cost"] < 0).any():
            problems.append("lateness_cost and overtime_cost must be >= 0")
        if (arrays["preference_cost"] < 0).any():
            problems.append("preference_cost must be >= 0")
        if (arrays["demand"] < 0).any() or (arrays["vehicle_capacity"] < -1).any():
            problems.append("demand must be >= 0 and vehicle_capacity >= 0 (or -1, unlimited)")
        if (arrays["vehicle_soft_end_s"] > self.vehicle_end_s).any():
            problems.append("a vehicle's soft end lies after its hard end")
        for node, windows in enumerate(self.time_windows[:n]):
            if not windows:
                problems.append(f"node {node} has no time window")
                continue
            prev_end = None
            for a, b in windows:
                if b < a or (prev_end is not None and a <= prev_end):
                    problems.append(f"node {node}: windows must be ordered and disjoint")
                    break
                prev_end = b
            if (
                windows[0][0] < self.window_start_s[node]
                or windows[-1][1] > self.window_end_s[node]
            ):
                problems.append(f"node {node}: windows lie outside its hull")
        for node, pinned in enumerate(arrays["pinned_vehicle"].tolist()):
            if pinned >= v or pinned < -1:
                problems.append(f"node {node} is pinned to a vehicle that does not exist")
        for p in self.precedences:
            if p.first == p.second or p.first not in job_set or p.second not in job_set:
                problems.append(f"precedence {p.first}->{p.second} must name two jobs")
            if p.max_s is not None and p.max_s < p.min_s:
                problems.append(f"precedence {p.first}->{p.second}: max_s < min_s")
        for k, breaks in enumerate(self.vehicle_breaks[:v]):
            for b in breaks:
                if b.latest_s < b.earliest_s or b.duration_s <= 0:
                    problems.append(f"vehicle {k} has a break with an empty window or no length")
        return problems

    @property
    def n_nodes(self) -> int:
        """Number of nodes, depots included."""
        return len(self.service_s)

    @property
    def n_vehicles(self) -> int:
        """Number of vehicles (caregivers on shift)."""
        return len(self.vehicle_class)

    def travel_for(self, vehicle: int) -> IntArray:
        """The travel-time matrix the given vehicle drives on."""
        return self.travel_s[int(self.vehicle_class[vehicle])]

    def distance_for(self, vehicle: int) -> IntArray:
        """The distance matrix the given vehicle drives on."""
        return self.distance_m[int(self.vehicle_class[vehicle])]


@dataclass(frozen=True)
class RouteStop:
    """One served job on a route: when the caregiver arrives and starts service."""

    node: int
    arrival_s: int
    start_s: int


@dataclass(frozen=True)
class Route:
    """One vehicle's route: departure from its start depot, stops, arrival at its end depot."""

    vehicle: int
    depart_s: int
    stops: tuple[RouteStop, ...]
    return_s: int
    breaks: tuple[tuple[int, int], ...] = ()  # (start_s, duration_s) of each break taken


@dataclass(frozen=True)
class Solution:
    """The solver's answer in problem indices."""

    routes: tuple[Route, ...]
    dropped: tuple[int, ...]
    objective: int
    status: str
    wall_s: float
    warm_start: str = "none"
    """Whether the search started from given routes: "used", "rejected" (they broke a hard
    constraint, so the search started cold) or "none" (no routes were given)."""

    @classmethod
    def nothing_served(cls, problem: RoutingProblem, status: str, wall_s: float) -> Solution:
        """A solution with empty routes and every job dropped."""
        routes = tuple(
            Route(
                v,
                int(problem.vehicle_start_s[v]),
                (),
                int(problem.vehicle_start_s[v]),
                tuple((b.earliest_s, b.duration_s) for b in problem.vehicle_breaks[v]),
            )
            for v in range(problem.n_vehicles)
        )
        return cls(routes, problem.job_nodes, 0, status, wall_s)

    def served_by(self) -> dict[int, int]:
        """Map from served job node to the vehicle serving it."""
        return {stop.node: r.vehicle for r in self.routes for stop in r.stops}
