"""The OR-Tools model: the only module that imports OR-Tools.

The model is built in a fixed order, one ``_add_<constraint>`` function per constraint family.
Matrices and vectors are handed to the C++ side (RegisterTransitMatrix,
RegisterUnaryTransitVector); no Python callback runs in the search's hot path. Routes and cumul
values are extracted into plain data before anything is formatted.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Callable, Sequence

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from hjemmetjeneste.solver.params import (
    FirstSolution,
    Metaheuristic,
    SolveParams,
    first_solution_for,
)
from hjemmetjeneste.solver.problem import Route, RouteStop, RoutingProblem, Solution

ProgressCallback = Callable[[int, float], None]
"""Called with (objective, seconds since start) each time the search finds a better plan."""

TIME = "time"
PREFERENCE = "preference"
WORK = "work"
LOAD = "load"

_FIRST_SOLUTION = {
    FirstSolution.PARALLEL_CHEAPEST_INSERTION: (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    ),
    FirstSolution.LOCAL_CHEAPEST_INSERTION: (
        routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION
    ),
    FirstSolution.SAVINGS: routing_enums_pb2.FirstSolutionStrategy.SAVINGS,
    FirstSolution.LOCAL_CHEAPEST_COST_INSERTION: (
        routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_COST_INSERTION
    ),
    FirstSolution.PATH_CHEAPEST_ARC: routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC,
}
_METAHEURISTIC = {
    Metaheuristic.GUIDED_LOCAL_SEARCH: (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    ),
    Metaheuristic.SIMULATED_ANNEALING: (
        routing_enums_pb2.LocalSearchMetaheuristic.SIMULATED_ANNEALING
    ),
    Metaheuristic.TABU_SEARCH: routing_enums_pb2.LocalSearchMetaheuristic.TABU_SEARCH,
    Metaheuristic.GREEDY_DESCENT: routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT,
}
_STATUS = {
    0: "not_solved",
    1: "success",
    2: "partial_success_local_optimum_not_reached",
    3: "fail",
    4: "fail_timeout",
    5: "invalid",
    6: "infeasible",
    7: "optimal",
}


def solve_with_ortools(
    problem: RoutingProblem,
    params: SolveParams,
    on_progress: ProgressCallback | None = None,
    initial_routes: Sequence[Sequence[int]] | None = None,
) -> Solution:
    """Build the OR-Tools model of ``problem``, search under ``params`` and extract routes.

    With ``initial_routes`` (job nodes per vehicle) the search starts from them when they
    respect every hard constraint, and cold otherwise (``Solution.warm_start``).
    """
    started = time.perf_counter()
    manager = pywrapcp.RoutingIndexManager(
        problem.n_nodes,
        problem.n_vehicles,
        [int(x) for x in problem.vehicle_start_node],
        [int(x) for x in problem.vehicle_end_node],
    )
    routing = pywrapcp.RoutingModel(manager)
    _add_travel_costs(routing, problem)
    time_dim = _add_time_windows(routing, manager, problem)
    _add_soft_windows(manager, time_dim, problem)
    _add_shift_bounds(routing, time_dim, problem)
    _add_overtime(routing, time_dim, problem)
    _add_competence(routing, manager, problem)
    _add_pins(routing, manager, time_dim, problem)
    _add_drop_penalties(routing, manager, problem)
    _add_double_staffing(routing, manager, time_dim, problem)
    _add_gaps(routing, manager, time_dim, problem)
    breaks = _add_breaks(routing, manager, time_dim, problem)
    _add_workload_balance(routing, problem)
    _add_waiting_cost(time_dim, problem)
    _add_capacity(routing, problem)
    # Held here so that the callback outlives the search (SWIG keeps no reference to it).
    progress = _add_progress(routing, started, on_progress) if on_progress else None

    has_lateness = bool((problem.lateness_cost > 0).any())
    search = _search_parameters(
        params, bool(problem.sync_groups), has_lateness, len(problem.job_nodes)
    )
    warm = "none"
    assignment = None
    routes = clean_initial_routes(problem, initial_routes) if initial_routes else []
    if any(routes):
        # Reading routes needs the closed model; closing it here with the same parameters
        # leaves a cold fallback below exactly as it would have been.
        routing.CloseModelWithParameters(search)
        start = routing.ReadAssignmentFromRoutes(
            [[manager.NodeToIndex(n) for n in route] for route in routes], True
        )
        if start is not None:
            assignment = routing.SolveFromAssignmentWithParameters(start, search)
        # None: the routes break a hard constraint of this problem; search from scratch.
        warm = "used" if assignment is not None else "rejected"
    if assignment is None:
        assignment = routing.SolveWithParameters(search)
    del progress
    status = _STATUS.get(routing.status(), str(routing.status()))
    if assignment is None:
        # With every job droppable this only happens on a time-out before any plan was found.
        empty = Solution.nothing_served(problem, status, time.perf_counter() - started)
        return dataclasses.replace(empty, warm_start=warm)
    solution = _extract(routing, manager, time_dim, problem, assignment, status, started, breaks)
    return dataclasses.replace(solution, warm_start=warm)


def clean_initial_routes(
    problem: RoutingProblem, initial_routes: Sequence[Sequence[int]]
) -> list[list[int]]:
    """Initial routes the model can read: one list per vehicle, job nodes only, each once.

    Routes for vehicles beyond the problem's are ignored and missing ones are empty. Nodes
    that are not jobs of ``problem`` or repeat are dropped, and so are both jobs of a
    double-staffed pair when only one of them is routed (a half pair cannot be read).
    """
    jobs = set(problem.job_nodes)
    seen: set[int] = set()
    routes: list[list[int]] = []
    for v in range(problem.n_vehicles):
        route: list[int] = []
        for node in initial_routes[v] if v < len(initial_routes) else ():
            node = int(node)
            if node in jobs and node not in seen:
                seen.add(node)
                route.append(node)
        routes.append(route)
    half = {n for a, b in problem.sync_groups if (a in seen) != (b in seen) for n in (a, b)}
    return [[n for n in route if n not in half] for route in routes]


MATRIX_ENTRIES_MAX = 50_000_000
"""Most travel-matrix entries registered for preference columns; above it (a re-plan's
stability cost on a large day gives every caregiver her own column) the preference costs go
into a dimension instead."""


def _add_travel_costs(routing: pywrapcp.RoutingModel, problem: RoutingProblem) -> None:
    """Cost of an arc: travel seconds on the vehicle's own matrix, plus who-serves-whom costs.

    Continuity of care, preferred caregivers, language and a re-plan's stability are a cost
    per (job, caregiver): it is added to every arc *into* the job on that caregiver's matrix.
    Caregivers with the same travel class and the same preference column share one registered
    matrix. When those matrices would hold more than ``MATRIX_ENTRIES_MAX`` entries (on the
    1,500-visit day a re-plan's stability cost made 100 matrices of 1,639² entries, built
    through Python lists on each solve), one matrix per travel class is registered and the
    preference costs are the span of a PREFERENCE dimension whose per-caregiver transit out
    of a job is its cost (span cost 1): the same objective. Below the limit the matrices stay
    (the dimension slows the first plan: on the demo's range at 1 s a day shift got none).
    """
    preference = problem.preference_cost
    keys = [
        (int(problem.vehicle_class[v]), np.ascontiguousarray(preference[:, v]))
        for v in range(problem.n_vehicles)
    ]
    distinct = {(k, c.tobytes() if c.any() else b"") for k, c in keys}
    as_dimension = len(distinct) * problem.n_nodes**2 > MATRIX_ENTRIES_MAX
    registered: dict[tuple[int, bytes], int] = {}
    for v, (k, column) in enumerate(keys):
        key = (k, column.tobytes() if column.any() and not as_dimension else b"")
        if key not in registered:
            matrix = problem.travel_s[k] + column[None, :] if key[1] else problem.travel_s[k]
            registered[key] = routing.RegisterTransitMatrix(matrix.tolist())
        routing.SetArcCostEvaluatorOfVehicle(registered[key], v)
    if as_dimension and preference.any():
        callbacks = [routing.RegisterUnaryTransitVector(c.tolist()) for _, c in keys]
        capacity = int(preference.sum(axis=0).max()) + 1
        routing.AddDimensionWithVehicleTransits(callbacks, 0, capacity, True, PREFERENCE)
        routing.GetDimensionOrDie(PREFERENCE).SetSpanCostCoefficientForAllVehicles(1)


def _add_time_windows(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    problem: RoutingProblem,
) -> pywrapcp.RoutingDimension:
    """Time: service at the node plus travel to the next; waiting allowed; hard start windows.

    A job with several windows may start in any of them: the gaps between them are removed
    from the start variable's domain.
    """
    horizon = int(max(problem.vehicle_end_s.max(), problem.window_end_s.max())) + 1
    callbacks = []
    for matrix in problem.travel_s:
        with_service = matrix + problem.service_s[:, None]
        callbacks.append(routing.RegisterTransitMatrix(with_service.tolist()))
    per_vehicle = [callbacks[int(k)] for k in problem.vehicle_class]
    routing.AddDimensionWithVehicleTransits(per_vehicle, horizon, horizon, False, TIME)
    time_dim = routing.GetDimensionOrDie(TIME)
    for node in problem.job_nodes:
        index = manager.NodeToIndex(node)
        cumul = time_dim.CumulVar(index)
        cumul.SetRange(int(problem.window_start_s[node]), int(problem.window_end_s[node]))
        windows = problem.time_windows[node]
        for (_, end), (start, _) in itertools.pairwise(windows):
            cumul.RemoveInterval(int(end) + 1, int(start) - 1)
    return time_dim


def _add_soft_windows(
    manager: pywrapcp.RoutingIndexManager,
    time_dim: pywrapcp.RoutingDimension,
    problem: RoutingProblem,
) -> None:
    """Soft windows: starting after the soft end costs lateness per second (hard end stays)."""
    for node in problem.job_nodes:
        cost = int(problem.lateness_cost[node])
        soft_end = int(problem.soft_window_end_s[node])
        if cost > 0 and soft_end < int(problem.window_end_s[node]):
            time_dim.SetCumulVarSoftUpperBound(manager.NodeToIndex(node), soft_end, cost)


def _add_shift_bounds(
    routing: pywrapcp.RoutingModel, time_dim: pywrapcp.RoutingDimension, problem: RoutingProblem
) -> None:
    """Each caregiver leaves the base no earlier than shift start and is back by shift end."""
    for v in range(problem.n_vehicles):
        lo, hi = int(problem.vehicle_start_s[v]), int(problem.vehicle_end_s[v])
        time_dim.CumulVar(routing.Start(v)).SetRange(lo, hi)
        time_dim.CumulVar(routing.End(v)).SetRange(lo, hi)
        # Leave as late and return as early as the route allows: no idle time at the base.
        routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(v)))
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))


def _add_overtime(
    routing: pywrapcp.RoutingModel, time_dim: pywrapcp.RoutingDimension, problem: RoutingProblem
) -> None:
    """Overtime: getting back after the soft shift end costs per second, up to the hard end."""
    for v in range(problem.n_vehicles):
        cost = int(problem.overtime_cost[v])
        soft_end = int(problem.vehicle_soft_end_s[v])
        if cost > 0 and soft_end < int(problem.vehicle_end_s[v]):
            time_dim.SetCumulVarSoftUpperBound(routing.End(v), soft_end, cost)


def _add_competence(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    problem: RoutingProblem,
) -> None:
    """Only caregivers with the competence and skills a job needs may serve it."""
    everyone = problem.n_vehicles
    for node in problem.job_nodes:
        allowed = problem.allowed_vehicles[node]
        if len(allowed) < everyone:
            # -1 keeps the job droppable; an empty list leaves it nothing but dropping.
            routing.VehicleVar(manager.NodeToIndex(node)).SetValues([-1, *allowed])


def _add_pins(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    time_dim: pywrapcp.RoutingDimension,
    problem: RoutingProblem,
) -> None:
    """Pins: a visit a planner locked to a caregiver and/or a start time keeps them."""
    for node in problem.job_nodes:
        index = manager.NodeToIndex(node)
        vehicle, start = int(problem.pinned_vehicle[node]), int(problem.pinned_start_s[node])
        if vehicle >= 0:
            routing.VehicleVar(index).SetValues([-1, vehicle])
        if start >= 0:
            time_dim.CumulVar(index).SetValue(start)


def _add_drop_penalties(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    problem: RoutingProblem,
) -> None:
    """Every job may be left out at its penalty, so that a plan always comes back.

    The two jobs of a double-staffed visit share one disjunction whose penalty is paid once
    unless both are served: serving one half earns nothing, so the search has no reason to.
    (Forcing ActiveVar(a) == ActiveVar(b) instead stops the insertion heuristics from placing
    either half, and every double-staffed visit ends up dropped.)
    """
    paired = {node for pair in problem.sync_groups for node in pair}
    for a, b in problem.sync_groups:
        routing.AddDisjunction(
            [manager.NodeToIndex(a), manager.NodeToIndex(b)],
            int(problem.drop_penalty[a]),
            2,
            routing.PENALIZE_ONCE,
        )
    for node in problem.job_nodes:
        if node not in paired:
            routing.AddDisjunction([manager.NodeToIndex(node)], int(problem.drop_penalty[node]))


def _add_double_staffing(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    time_dim: pywrapcp.RoutingDimension,
    problem: RoutingProblem,
) -> None:
    """The two jobs of a double-staffed visit start at the same second on two caregivers.

    The equal starts are two node precedences with offset 0 (each starts no earlier than the
    other): unlike a plain constraint on the two start variables, the search's filters know
    node precedences and price a move with them, which on Mankowska's instances (half their
    pairs synchronised) cut the gap to the best known on E6 from 63 % to −3 % at 10 s.
    Half-served pairs are removed when the routes are extracted.
    """
    solver = routing.solver()
    for a, b in problem.sync_groups:
        ia, ib = manager.NodeToIndex(a), manager.NodeToIndex(b)
        time_dim.AddNodePrecedence(ia, ib, 0)
        time_dim.AddNodePrecedence(ib, ia, 0)
        different = solver.IsDifferentVar(routing.VehicleVar(ia), routing.VehicleVar(ib))
        solver.Add(different >= routing.ActiveVar(ia))
        solver.Add(different >= routing.ActiveVar(ib))


def _add_gaps(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    time_dim: pywrapcp.RoutingDimension,
    problem: RoutingProblem,
) -> None:
    """Gaps: job b starts at least min and at most max after job a, when both are served.

    Used for "medication at least 4 h apart" across caregivers and for precedence pairs
    (first one service, then the other). Node precedences bind only when both jobs are
    served, so leaving one of them out never makes the other impossible, and the search's
    filters see them (see :func:`_add_double_staffing`).
    """
    for p in problem.precedences:
        ia, ib = manager.NodeToIndex(p.first), manager.NodeToIndex(p.second)
        time_dim.AddNodePrecedence(ia, ib, int(p.min_s))
        if p.max_s is not None:
            time_dim.AddNodePrecedence(ib, ia, -int(p.max_s))


def _add_breaks(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    time_dim: pywrapcp.RoutingDimension,
    problem: RoutingProblem,
) -> list[list[pywrapcp.IntervalVar]]:
    """Breaks (Working Environment Act): each caregiver's break inside its window, never
    during a visit (the service time of a node is its "visit transit")."""
    solver = routing.solver()
    intervals: list[list[pywrapcp.IntervalVar]] = [[] for _ in range(problem.n_vehicles)]
    if not any(problem.vehicle_breaks):
        return intervals
    visit_transit = [int(problem.service_s[manager.IndexToNode(i)]) for i in range(routing.Size())]
    for v, specs in enumerate(problem.vehicle_breaks):
        if not specs:
            continue
        for k, spec in enumerate(specs):
            interval = solver.FixedDurationIntervalVar(
                int(spec.earliest_s), int(spec.latest_s), int(spec.duration_s), False, f"b{v}_{k}"
            )
            intervals[v].append(interval)
        time_dim.SetBreakIntervalsOfVehicle(intervals[v], v, visit_transit)
    return intervals


def _add_workload_balance(routing: pywrapcp.RoutingModel, problem: RoutingProblem) -> None:
    """Optional: cost on the largest service time of any route, to even out the work."""
    if problem.balance_weight == 0:
        return
    callback = routing.RegisterUnaryTransitVector([int(s) for s in problem.service_s])
    horizon = int(problem.service_s.sum()) + 1
    routing.AddDimension(callback, 0, horizon, True, WORK)
    routing.GetDimensionOrDie(WORK).SetGlobalSpanCostCoefficient(problem.balance_weight)


def _add_waiting_cost(time_dim: pywrapcp.RoutingDimension, problem: RoutingProblem) -> None:
    """Optional: cost per second of idle time on a route (the time dimension's slack:
    waiting at doors, and the breaks taken on the way). OR-Tools takes whole costs per
    second: a fraction is rounded, and one below a half leaves the slack free here (the
    ruin-and-recreate search prices it exactly)."""
    if (coefficient := round(problem.waiting_cost)) > 0:
        time_dim.SetSlackCostCoefficientForAllVehicles(int(coefficient))


def _add_capacity(routing: pywrapcp.RoutingModel, problem: RoutingProblem) -> None:
    """Load: the summed demand of a vehicle's jobs stays within its capacity (benchmarks)."""
    if not problem.demand.any() or (problem.vehicle_capacity < 0).all():
        return
    unlimited = int(problem.demand.sum())
    capacities = [unlimited if c < 0 else int(c) for c in problem.vehicle_capacity]
    callback = routing.RegisterUnaryTransitVector([int(d) for d in problem.demand])
    routing.AddDimensionWithVehicleCapacity(callback, 0, capacities, True, LOAD)


def _add_progress(
    routing: pywrapcp.RoutingModel, started: float, on_progress: ProgressCallback
) -> Callable[[], None]:
    """Report each improving solution (runs once per accepted solution, never per arc)."""
    best = [None]

    def report() -> None:
        # The cost variable exists only once the model is closed: look it up here.
        objective = int(routing.CostVar().Value())
        if best[0] is None or objective < best[0]:
            best[0] = objective
            on_progress(objective, time.perf_counter() - started)

    routing.AddAtSolutionCallback(report)
    return report


def _search_parameters(
    params: SolveParams, has_sync: bool, has_lateness: bool = False, n_jobs: int = 0
) -> pywrapcp.DefaultRoutingSearchParameters:
    search = pywrapcp.DefaultRoutingSearchParameters()
    first = first_solution_for(params, has_sync, has_lateness, n_jobs)
    search.first_solution_strategy = _FIRST_SOLUTION[first]
    search.local_search_metaheuristic = _METAHEURISTIC[params.metaheuristic]
    search.time_limit.FromMilliseconds(int(params.time_limit_s * 1000))
    if params.solution_limit is not None:
        search.solution_limit = params.solution_limit
        # A work budget must not depend on the clock: OR-Tools cuts each LNS sub-search at
        # 100 ms of wall time by default, so a loaded machine found other plans for the same
        # budget (period runs: 14 of 30,281 visits placed differently). Only the overall
        # time limit bounds them now.
        search.lns_time_limit.FromMilliseconds(int(params.time_limit_s * 1000))
    search.log_search = params.log_search
    return search


def _extract(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    time_dim: pywrapcp.RoutingDimension,
    problem: RoutingProblem,
    assignment: pywrapcp.Assignment,
    status: str,
    started: float,
    breaks: list[list[pywrapcp.IntervalVar]],
) -> Solution:
    sequences: list[tuple[int, list[tuple[int, int]]]] = []
    ends: list[int] = []
    for v in range(problem.n_vehicles):
        index = routing.Start(v)
        depart = assignment.Value(time_dim.CumulVar(index))
        visits: list[tuple[int, int]] = []
        index = assignment.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            visits.append((manager.IndexToNode(index), assignment.Value(time_dim.CumulVar(index))))
            index = assignment.Value(routing.NextVar(index))
        sequences.append((depart, visits))
        ends.append(assignment.Value(time_dim.CumulVar(index)))
    served = {node for _, visits in sequences for node, _ in visits}
    half = {n for a, b in problem.sync_groups if (a in served) != (b in served) for n in (a, b)}
    taken = [
        tuple(sorted((int(assignment.StartValue(b)), int(b.DurationMin())) for b in breaks[v]))
        for v in range(problem.n_vehicles)
    ]
    routes = tuple(
        _timed_route(
            problem, v, depart, [(n, t) for n, t in visits if n not in half], taken[v], ends[v]
        )
        for v, (depart, visits) in enumerate(sequences)
    )
    kept = served - half
    return Solution(
        routes=routes,
        dropped=tuple(n for n in problem.job_nodes if n not in kept),
        objective=int(assignment.ObjectiveValue()),
        status=status,
        wall_s=time.perf_counter() - started,
    )


def _timed_route(
    problem: RoutingProblem,
    v: int,
    depart: int,
    visits: list[tuple[int, int]],
    breaks: tuple[tuple[int, int], ...] = (),
    end_cumul: int = 0,
) -> Route:
    """Arrival times recomputed from the matrices along the (possibly pruned) sequence.

    ``breaks`` are the (start, duration) of the breaks taken; the return to the base is the
    end cumul when a break after the last visit delays it.
    """
    travel = problem.travel_for(v)
    prev, ready = int(problem.vehicle_start_node[v]), depart
    stops: list[RouteStop] = []
    for node, start in visits:
        arrival = ready + int(travel[prev, node])
        start = max(start, arrival)
        stops.append(RouteStop(node=node, arrival_s=arrival, start_s=start))
        prev, ready = node, start + int(problem.service_s[node])
    if not stops:
        return Route(vehicle=v, depart_s=depart, stops=(), return_s=depart, breaks=breaks)
    return_s = ready + int(travel[prev, int(problem.vehicle_end_node[v])])
    if any(start >= ready for start, _ in breaks):
        return_s = max(return_s, end_cumul)
    return Route(vehicle=v, depart_s=depart, stops=tuple(stops), return_s=return_s, breaks=breaks)
