"""Plain, obvious reference implementations that fast code (numba kernels, the solver's
bookkeeping) is tested against. Slow on purpose: each is a loop a reader can check by eye."""

from __future__ import annotations

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
