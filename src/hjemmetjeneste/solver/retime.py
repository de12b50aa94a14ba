"""Departing as late as the plan allows: re-time a solution so nobody waits at a door
without need.

The search fixes who serves which job in which order; how the clock runs along those routes
is a separate, small question. An engine's times are often the earliest ones: everyone
leaves at the start of their day and waits at the first door for its window to open. For the
fixed order and assignment, every route's events — departure, the start of each visit, each
break, the return — form a simple temporal network of difference constraints (travel and
service between consecutive events, windows and the working day as bounds, the two starts of
a double-staffed visit equal, gaps between doses as bounds on the difference of two starts).
:func:`retime` then runs three passes over it:

1. a forward pass: the earliest time of every event (so the earliest return of each route);
2. a backward pass with each return fixed at that earliest time: the latest time of every
   event — in particular the latest departure that still returns as early;
3. a forward pass from those latest departures: every visit as early as the late departure
   allows.

On a route by itself this is the shortest working span for its order (departure as late, and
return as early, as possible), so the waiting at doors is the least the order allows; pairs
and gaps couple routes and keep the waits they need. Order, assignment, travel and distance
never change; no start leaves its window (a start inside one of several windows stays in
that window), no start moves past a soft window end it kept, no return gets later, and a
break stays between the same two visits. A solution the checker already faults, or whose
times do not fit the network, is returned unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hjemmetjeneste.solver.check import check_solution
from hjemmetjeneste.solver.problem import Route, RouteStop, RoutingProblem, Solution

__all__ = ["door_wait_s", "retime"]

_STOP, _BREAK, _DEPART, _RETURN = range(4)


@dataclass(frozen=True)
class _Event:
    """One timed event of a route: what it is, where it happens and how long it lasts."""

    kind: int
    node: int  # the job (stops), else the node the caregiver is at
    duration_s: int  # service of a stop, length of a break, 0 otherwise


@dataclass
class _Network:
    """Events with bounds ``lo <= t <= hi`` and edges ``t[j] >= t[i] + w``."""

    lo: list[int]
    hi: list[int]
    edges: list[tuple[int, int, int]]

    def add(self, lo: int, hi: int) -> int:
        self.lo.append(lo)
        self.hi.append(hi)
        return len(self.lo) - 1

    def earliest(self, lo: list[int], hi: list[int]) -> list[int] | None:
        """The earliest times (forward pass); None when the bounds cannot all hold."""
        t = list(lo)
        for _ in range(len(t) + 1):
            changed = False
            for i, j, w in self.edges:
                if t[i] + w > t[j]:
                    t[j] = t[i] + w
                    changed = True
            if not changed:
                return t if all(a <= b for a, b in zip(t, hi, strict=True)) else None
        return None  # pragma: no cover - a positive cycle: the constraints contradict

    def latest(self, lo: list[int], hi: list[int]) -> list[int] | None:
        """The latest times (backward pass); None when the bounds cannot all hold."""
        t = list(hi)
        for _ in range(len(t) + 1):
            changed = False
            for i, j, w in reversed(self.edges):
                if t[j] - w < t[i]:
                    t[i] = t[j] - w
                    changed = True
            if not changed:
                return t if all(a >= b for a, b in zip(t, lo, strict=True)) else None
        return None  # pragma: no cover


def _window_of(problem: RoutingProblem, node: int, start: int) -> tuple[int, int]:
    """The start window that holds ``start`` (and a pinned start), cut at a kept soft end."""
    lo, hi = next(
        ((a, b) for a, b in problem.time_windows[node] if a <= start <= b),
        (start, start),
    )
    pinned = int(problem.pinned_start_s[node])
    if pinned >= 0:
        lo = hi = pinned
    if int(problem.lateness_cost[node]) > 0:
        hi = min(hi, max(start, int(problem.soft_window_end_s[node])))
    return lo, hi


def _break_bounds(problem: RoutingProblem, v: int, start: int, duration: int) -> tuple[int, int]:
    """Where a taken break may move: inside the window of a required break it fits, else
    nowhere (an extra break keeps its time)."""
    for spec in problem.vehicle_breaks[v]:
        if spec.earliest_s <= start <= spec.latest_s and duration >= spec.duration_s:
            return spec.earliest_s, spec.latest_s
    return start, start


def _route_events(
    problem: RoutingProblem, route: Route, net: _Network, original: list[int]
) -> list[tuple[int, _Event]]:
    """The route's events in order, added to ``net`` with their bounds and chain edges."""
    v = route.vehicle
    travel = problem.travel_for(v)
    start_node, end_node = int(problem.vehicle_start_node[v]), int(problem.vehicle_end_node[v])
    day = (int(problem.vehicle_start_s[v]), int(problem.vehicle_end_s[v]))
    items: list[tuple[int, _Event, tuple[int, int]]] = [
        (route.depart_s, _Event(_DEPART, start_node, 0), day)
    ]
    breaks = sorted(route.breaks)
    k = 0
    for stop in route.stops:
        while k < len(breaks) and breaks[k][0] < stop.start_s:
            s, d = breaks[k]
            items.append((s, _Event(_BREAK, -1, d), _break_bounds(problem, v, s, d)))
            k += 1
        window = _window_of(problem, stop.node, stop.start_s)
        items.append(
            (stop.start_s, _Event(_STOP, stop.node, int(problem.service_s[stop.node])), window)
        )
    for s, d in breaks[k:]:
        items.append((s, _Event(_BREAK, -1, d), _break_bounds(problem, v, s, d)))
    items.append(
        (route.return_s, _Event(_RETURN, end_node, 0), (day[0], min(day[1], route.return_s)))
    )

    events: list[tuple[int, _Event]] = []
    at = start_node
    prev: tuple[int, _Event] | None = None
    for time_s, event, (lo, hi) in items:
        i = net.add(lo, hi)
        original.append(time_s)
        if prev is not None:
            p, before = prev
            gap = before.duration_s
            if event.kind in (_STOP, _RETURN):
                gap += int(travel[at, event.node])
            net.edges.append((p, i, gap))
        if event.kind == _STOP:
            at = event.node
        events.append((i, event))
        prev = (i, event)
    return events


def _fits(net: _Network, t: list[int]) -> bool:
    return all(lo <= x <= hi for lo, x, hi in zip(net.lo, t, net.hi, strict=True)) and all(
        t[j] >= t[i] + w for i, j, w in net.edges
    )


def retime(problem: RoutingProblem, solution: Solution) -> Solution:
    """``solution`` with every route timed to depart as late as its order allows (module
    docstring); unchanged when it breaks a hard rule or nothing can move."""
    if check_solution(problem, solution):
        return solution
    net = _Network([], [], [])
    original: list[int] = []
    timed: list[tuple[Route, list[tuple[int, _Event]]]] = []
    start_of: dict[int, int] = {}
    for route in solution.routes:
        if not route.stops:
            continue
        events = _route_events(problem, route, net, original)
        timed.append((route, events))
        start_of.update({e.node: i for i, e in events if e.kind == _STOP})
    if not timed:
        return solution
    for a, b in problem.sync_groups:
        if a in start_of and b in start_of:
            net.edges += [(start_of[a], start_of[b], 0), (start_of[b], start_of[a], 0)]
    for p in problem.precedences:
        if p.first in start_of and p.second in start_of:
            net.edges.append((start_of[p.first], start_of[p.second], p.min_s))
            if p.max_s is not None:
                net.edges.append((start_of[p.second], start_of[p.first], -p.max_s))
    if not _fits(net, original):
        return solution
    times = _three_passes(net, timed)
    if times is None:  # pragma: no cover - the original times are a witness of feasibility
        return solution
    routes = {r.vehicle: _rebuilt(problem, r, events, times) for r, events in timed}
    result = replace(solution, routes=tuple(routes.get(r.vehicle, r) for r in solution.routes))
    return result if not check_solution(problem, result) else solution


def _three_passes(
    net: _Network, timed: list[tuple[Route, list[tuple[int, _Event]]]]
) -> list[int] | None:
    """Earliest times; latest times with the returns at their earliest; earliest again from
    the latest departures."""
    earliest = net.earliest(net.lo, net.hi)
    if earliest is None:
        return None
    hi = list(net.hi)
    for _, events in timed:
        back = events[-1][0]
        hi[back] = earliest[back]
    latest = net.latest(net.lo, hi)
    if latest is None:
        return None
    lo = list(net.lo)
    for _, events in timed:
        depart = events[0][0]
        lo[depart] = latest[depart]
    return net.earliest(lo, hi)


def _rebuilt(
    problem: RoutingProblem, route: Route, events: list[tuple[int, _Event]], t: list[int]
) -> Route:
    """The route with the new times; a stop's arrival is when the caregiver gets to the door
    (after travel, and after a break taken on the way)."""
    travel = problem.travel_for(route.vehicle)
    at = int(problem.vehicle_start_node[route.vehicle])
    ready = t[events[0][0]]
    stops: list[RouteStop] = []
    breaks: list[tuple[int, int]] = []
    for i, event in events[1:-1]:
        if event.kind == _BREAK:
            breaks.append((t[i], event.duration_s))
            ready = t[i] + event.duration_s
            continue
        stops.append(RouteStop(event.node, ready + int(travel[at, event.node]), t[i]))
        ready, at = t[i] + event.duration_s, event.node
    return Route(
        vehicle=route.vehicle,
        depart_s=t[events[0][0]],
        stops=tuple(stops),
        return_s=t[events[-1][0]],
        breaks=tuple(breaks),
    )


def door_wait_s(problem: RoutingProblem, route: Route) -> int:
    """Seconds the caregiver waits at doors on ``route``: at each visit, the start minus the
    arrival, where the arrival follows the previous visit's end (or the departure), the
    travel and any break taken on the way. The same measure before and after re-timing."""
    travel = problem.travel_for(route.vehicle)
    at, ready = int(problem.vehicle_start_node[route.vehicle]), route.depart_s
    total = 0
    for stop in route.stops:
        paused = sum(d for s, d in route.breaks if ready <= s < stop.start_s)
        arrival = ready + paused + int(travel[at, stop.node])
        total += max(0, stop.start_s - arrival)
        ready, at = stop.start_s + int(problem.service_s[stop.node]), stop.node
    return total
