"""The OR-Tools model: the only module that imports OR-Tools.

The model is built in a fixed order, one ``_add_<constraint>`` function per constraint family.
Matrices and vectors are handed to the C++ side (RegisterTransitMatrix,
RegisterUnaryTransitVector); no Python callback runs in the search's hot path. Routes and cumul
values are extracted into plain data before anything is formatted.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from hjemmetjeneste.solver.params import FirstSolution, Metaheuristic, SolveParams
from hjemmetjeneste.solver.problem import Route, RouteStop, RoutingProblem, Solution

ProgressCallback = Callable[[int, float], None]
"""Called with (objective, seconds since start) each time the search finds a better plan."""

TIME = "time"
WORK = "work"

_FIRST_SOLUTION = {
    FirstSolution.PARALLEL_CHEAPEST_INSERTION: (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    ),
    FirstSolution.LOCAL_CHEAPEST_INSERTION: (
        routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION
    ),
    FirstSolution.SAVINGS: routing_enums_pb2.FirstSolutionStrategy.SAVINGS,
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
) -> Solution:
    """Build the OR-Tools model of ``problem``, search under ``params`` and extract routes."""
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
    _add_shift_bounds(routing, time_dim, problem)
    _add_competence(routing, manager, problem)
    _add_drop_penalties(routing, manager, problem)
    _add_double_staffing(routing, manager, time_dim, problem)
    _add_workload_balance(routing, problem)
    # Held here so that the callback outlives the search (SWIG keeps no reference to it).
    progress = _add_progress(routing, started, on_progress) if on_progress else None

    assignment = routing.SolveWithParameters(_search_parameters(params))
    del progress
    status = _STATUS.get(routing.status(), str(routing.status()))
    if assignment is None:
        # With every job droppable this only happens on a time-out before any plan was found.
        return Solution.nothing_served(problem, status, time.perf_counter() - started)
    return _extract(routing, manager, time_dim, problem, assignment, status, started)


def _add_travel_costs(routing: pywrapcp.RoutingModel, problem: RoutingProblem) -> None:
    """Cost of an arc: travel seconds on the vehicle's own travel-time matrix."""
    for k, matrix in enumerate(problem.travel_s):
        callback = routing.RegisterTransitMatrix(matrix.tolist())
        for v in np.flatnonzero(problem.vehicle_class == k):
            routing.SetArcCostEvaluatorOfVehicle(callback, int(v))


def _add_time_windows(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    problem: RoutingProblem,
) -> pywrapcp.RoutingDimension:
    """Time: service at the node plus travel to the next; waiting allowed; hard start windows."""
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
        time_dim.CumulVar(index).SetRange(
            int(problem.window_start_s[node]), int(problem.window_end_s[node])
        )
    return time_dim


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


def _add_drop_penalties(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    problem: RoutingProblem,
) -> None:
    """Every job may be left out at its penalty, so that a plan always comes back."""
    for node in problem.job_nodes:
        routing.AddDisjunction([manager.NodeToIndex(node)], int(problem.drop_penalty[node]))


def _add_double_staffing(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    time_dim: pywrapcp.RoutingDimension,
    problem: RoutingProblem,
) -> None:
    """The two jobs of a double-staffed visit: both or neither, two caregivers, same start."""
    solver = routing.solver()
    for a, b in problem.sync_groups:
        ia, ib = manager.NodeToIndex(a), manager.NodeToIndex(b)
        solver.Add(routing.ActiveVar(ia) == routing.ActiveVar(ib))
        solver.Add(time_dim.CumulVar(ia) == time_dim.CumulVar(ib))
        different = solver.IsDifferentVar(routing.VehicleVar(ia), routing.VehicleVar(ib))
        solver.Add(different >= routing.ActiveVar(ia))


def _add_workload_balance(routing: pywrapcp.RoutingModel, problem: RoutingProblem) -> None:
    """Optional: cost on the largest service time of any route, to even out the work."""
    if problem.balance_weight == 0:
        return
    callback = routing.RegisterUnaryTransitVector([int(s) for s in problem.service_s])
    horizon = int(problem.service_s.sum()) + 1
    routing.AddDimension(callback, 0, horizon, True, WORK)
    routing.GetDimensionOrDie(WORK).SetGlobalSpanCostCoefficient(problem.balance_weight)


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


def _search_parameters(params: SolveParams) -> pywrapcp.DefaultRoutingSearchParameters:
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = _FIRST_SOLUTION[params.first_solution]
    search.local_search_metaheuristic = _METAHEURISTIC[params.metaheuristic]
    search.time_limit.FromMilliseconds(int(params.time_limit_s * 1000))
    if params.solution_limit is not None:
        search.solution_limit = params.solution_limit
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
) -> Solution:
    routes: list[Route] = []
    served: set[int] = set()
    for v in range(problem.n_vehicles):
        travel = problem.travel_for(v)
        index = routing.Start(v)
        depart = assignment.Value(time_dim.CumulVar(index))
        prev_node, prev_end = manager.IndexToNode(index), depart
        stops: list[RouteStop] = []
        index = assignment.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            start = assignment.Value(time_dim.CumulVar(index))
            arrival = prev_end + int(travel[prev_node, node])
            stops.append(RouteStop(node=node, arrival_s=arrival, start_s=start))
            served.add(node)
            prev_node, prev_end = node, start + int(problem.service_s[node])
            index = assignment.Value(routing.NextVar(index))
        end_node = manager.IndexToNode(index)
        return_s = prev_end + int(travel[prev_node, end_node]) if stops else depart
        routes.append(Route(vehicle=v, depart_s=depart, stops=tuple(stops), return_s=return_s))
    dropped = tuple(n for n in problem.job_nodes if n not in served)
    return Solution(
        routes=tuple(routes),
        dropped=dropped,
        objective=int(assignment.ObjectiveValue()),
        status=status,
        wall_s=time.perf_counter() - started,
    )
