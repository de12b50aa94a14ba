"""Plain, obvious reference implementations that fast code (numba kernels, the solver's
bookkeeping) is tested against. Slow on purpose: each is a loop a reader can check by eye."""

from __future__ import annotations

import itertools

from hjemmetjeneste.solver import RoutingProblem


def route_schedule(
    problem: RoutingProblem, v: int, route: list[int]
) -> tuple[bool, list[int], int]:
    """Plain reference: feasible?, start of service at each stop, arc + preference cost."""
    travel = problem.travel_for(v)
    prev, ready = int(problem.vehicle_start_node[v]), int(problem.vehicle_start_s[v])
    ok, starts, cost = True, [], 0
    for u in route:
        start = max(ready + int(travel[prev, u]), int(problem.window_start_s[u]))
        ok &= start <= int(problem.window_end_s[u])
        starts.append(start)
        cost += int(travel[prev, u]) + int(problem.preference_cost[u, v])
        ready, prev = start + int(problem.service_s[u]), u
    if route:
        end = int(problem.vehicle_end_node[v])
        cost += int(travel[prev, end])
        ok &= ready + int(travel[prev, end]) <= int(problem.vehicle_end_s[v])
    return ok, starts, cost


def later_start_ok(problem: RoutingProblem, v: int, route: list[int], i: int, start: int) -> bool:
    """Whether starting stop i at ``start`` keeps every later stop and the return in time."""
    travel = problem.travel_for(v)
    if start > int(problem.window_end_s[route[i]]):
        return False
    ready, prev = start + int(problem.service_s[route[i]]), route[i]
    for u in route[i + 1 :]:
        begin = max(ready + int(travel[prev, u]), int(problem.window_start_s[u]))
        if begin > int(problem.window_end_s[u]):
            return False
        ready, prev = begin + int(problem.service_s[u]), u
    return ready + int(travel[prev, int(problem.vehicle_end_node[v])]) <= int(
        problem.vehicle_end_s[v]
    )


def rich_route_schedule(problem: RoutingProblem, v: int, route: list[int]) -> tuple[bool, int]:
    """Plain reference with breaks, several windows, lateness and overtime costs.

    Tries every way of putting the vehicle's breaks (in order of earliest start) into the
    gaps between its stops. In a gap the breaks start as early as their windows allow after
    the last service, the next stop is reached no sooner than travel plus breaks after it
    and not before the breaks end, and it starts at the first moment of its windows it can
    reach. Feasible when any way is; cost = arcs + preferences + the least lateness and
    overtime cost over the feasible ways.
    """
    if not route:
        return True, 0
    travel = problem.travel_for(v)
    specs = sorted(problem.vehicle_breaks[v], key=lambda b: (b.earliest_s, b.latest_s))
    nodes = [int(problem.vehicle_start_node[v]), *route, int(problem.vehicle_end_node[v])]
    arcs = sum(int(travel[a, b]) for a, b in itertools.pairwise(nodes))
    arcs += sum(int(problem.preference_cost[u, v]) for u in route)
    best: int | None = None
    m = len(route)
    for gaps in itertools.combinations_with_replacement(range(m + 1), len(specs)):
        ready, extra, taken, ok = int(problem.vehicle_start_s[v]), 0, 0, True
        for g in range(m + 1):
            free, paused = ready, 0
            while ok and taken < len(specs) and gaps[taken] == g:
                spec = specs[taken]
                begin = max(free, spec.earliest_s)
                ok = begin <= spec.latest_s
                free, paused, taken = begin + spec.duration_s, paused + spec.duration_s, taken + 1
            arrival = max(ready + int(travel[nodes[g], nodes[g + 1]]) + paused, free)
            if not ok:
                break
            if g == m:
                ok = arrival <= int(problem.vehicle_end_s[v])
                over = max(0, arrival - int(problem.vehicle_soft_end_s[v]))
                extra += int(problem.overtime_cost[v]) * over
                break
            x = nodes[g + 1]
            starts = [max(arrival, a) for a, b in problem.time_windows[x] if arrival <= b]
            if not starts:
                ok = False
                break
            late = max(0, starts[0] - int(problem.soft_window_end_s[x]))
            extra += int(problem.lateness_cost[x]) * late
            ready = starts[0] + int(problem.service_s[x])
        if ok and (best is None or extra < best):
            best = extra
    return best is not None, arcs + (best or 0)


def least_waiting(problem: RoutingProblem, v: int, route: list[int]) -> int:
    """Plain reference (no breaks): seconds waited at doors when the caregiver leaves the
    base as late as possible with every stop still in the window it starts in at the
    earliest, no stop later than before past its soft end and no later back past the soft
    shift end: the largest such departure delay, found by trying them (binary search)."""
    travel = problem.travel_for(v)

    def schedule(delay: int) -> tuple[list[tuple[int, int]], int]:
        prev, ready, stops = (
            int(problem.vehicle_start_node[v]),
            int(problem.vehicle_start_s[v]) + delay,
            [],
        )
        for u in route:
            arrival = ready + int(travel[prev, u])
            start = next(
                (max(arrival, a) for a, b in problem.time_windows[u] if arrival <= b), 10**12
            )
            stops.append((arrival, start))
            prev, ready = u, start + int(problem.service_s[u])
        return stops, ready + int(travel[prev, int(problem.vehicle_end_node[v])])

    earliest, back = schedule(0)
    bounds = []
    for u, (_, start) in zip(route, earliest, strict=True):
        close = next(b for a, b in problem.time_windows[u] if start <= b)
        if int(problem.lateness_cost[u]) > 0:
            close = min(close, max(int(problem.soft_window_end_s[u]), start))
        bounds.append(close)
    end_bound = int(problem.vehicle_end_s[v])
    if int(problem.overtime_cost[v]) > 0:
        end_bound = min(end_bound, max(int(problem.vehicle_soft_end_s[v]), back))

    def allowed(delay: int) -> bool:
        stops, end = schedule(delay)
        return end <= end_bound and all(s <= b for (_, s), b in zip(stops, bounds, strict=True))

    lo, hi = 0, sum(s - a for a, s in earliest)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if allowed(mid) else (lo, mid - 1)
    return sum(s - a for a, s in schedule(lo)[0])
