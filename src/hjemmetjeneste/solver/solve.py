"""``solve``: a pure function of problem and parameters."""

from __future__ import annotations

from collections.abc import Sequence

from hjemmetjeneste.solver.lns import Improver, improve, solve_warm, solve_with_lns, use_lns
from hjemmetjeneste.solver.ortools_model import ProgressCallback, solve_with_ortools
from hjemmetjeneste.solver.params import SolveParams
from hjemmetjeneste.solver.problem import RoutingProblem, Solution
from hjemmetjeneste.solver.retime import retime


def solve(
    problem: RoutingProblem,
    params: SolveParams | None = None,
    on_progress: ProgressCallback | None = None,
    initial_routes: Sequence[Sequence[int]] | None = None,
    *,
    improver: Improver = improve,
) -> Solution:
    """Route ``problem`` under ``params`` (defaults: 10 s, cheapest insertion + GLS).

    Problems without cross-route or time-priced rules are improved by ruin and recreate
    after OR-Tools' first plan (``params.lns``; :mod:`hjemmetjeneste.solver.lns`), searched
    by ``improver`` (the portfolio's search over two processes, or one process's).

    The routes are then timed to depart as late as their order allows (``params.retime``).

    Always returns a solution: jobs that cannot be served are listed in ``Solution.dropped``.
    An empty problem (no jobs or no vehicles) is answered without calling the engine.

    ``initial_routes`` (one sequence of job nodes per vehicle, index = vehicle) warm-starts
    the search: jobs left out of them are inserted by the search. Routes that break a hard
    constraint are rejected and the search starts cold; ``Solution.warm_start`` says which.
    """
    params = params or SolveParams()
    if not problem.job_nodes or problem.n_vehicles == 0:
        return Solution.nothing_served(problem, "trivial", 0.0)
    if use_lns(problem, params):
        solution = solve_with_lns(problem, params, on_progress, initial_routes, improver)
    else:
        solution = solve_with_ortools(problem, params, on_progress, initial_routes)
    return retime(problem, solution) if params.retime else solution


def solve_from_routes(
    problem: RoutingProblem,
    routes: Sequence[Sequence[int]],
    params: SolveParams | None = None,
    on_progress: ProgressCallback | None = None,
) -> Solution:
    """Re-plan ``problem`` from feasible ``routes`` (one sequence of job nodes per vehicle):
    the minimal-change re-plan's search.

    Ruin and recreate starts from the routes themselves, with no OR-Tools model to build
    (:func:`~hjemmetjeneste.solver.lns.solve_warm`): jobs left out are placed where they
    fit, then the search improves the plan for the time limit. Where it cannot (a rule the
    kernels do not keep, routes they find late, ``params`` asking for OR-Tools), this is
    :func:`solve` with the routes as its warm start. Routes are timed as :func:`solve` does.
    """
    params = params or SolveParams()
    if not problem.job_nodes or problem.n_vehicles == 0:
        return Solution.nothing_served(problem, "trivial", 0.0)
    solution = solve_warm(problem, params, routes, on_progress)
    if solution is None:
        return solve(problem, params, on_progress, routes)
    return retime(problem, solution) if params.retime else solution
