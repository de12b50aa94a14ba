"""Vehicle routing: an index-based problem, its OR-Tools model, and an independent checker."""

from hjemmetjeneste.solver.check import Violation, ViolationKind, check_solution
from hjemmetjeneste.solver.params import FirstSolution, Metaheuristic, SolveParams
from hjemmetjeneste.solver.problem import Route, RouteStop, RoutingProblem, Solution
from hjemmetjeneste.solver.solve import solve

__all__ = [
    "FirstSolution",
    "Metaheuristic",
    "Route",
    "RouteStop",
    "RoutingProblem",
    "Solution",
    "SolveParams",
    "Violation",
    "ViolationKind",
    "check_solution",
    "solve",
]
