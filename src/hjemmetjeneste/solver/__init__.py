"""Vehicle routing: an index-based problem (made by ``ProblemBuilder``), its OR-Tools model,
ruin and recreate, and an independent checker."""

from hjemmetjeneste.solver.check import Violation, ViolationKind, check_solution
from hjemmetjeneste.solver.model_builder import ProblemBuilder
from hjemmetjeneste.solver.params import FirstSolution, Metaheuristic, SolveParams
from hjemmetjeneste.solver.problem import Route, RouteStop, RoutingProblem, Solution
from hjemmetjeneste.solver.solve import solve, solve_from_routes

__all__ = [
    "FirstSolution",
    "Metaheuristic",
    "ProblemBuilder",
    "Route",
    "RouteStop",
    "RoutingProblem",
    "Solution",
    "SolveParams",
    "Violation",
    "ViolationKind",
    "check_solution",
    "solve",
    "solve_from_routes",
]
