"""A 2-process portfolio over the public :func:`~hjemmetjeneste.solver.solve.solve`.

Two worker processes search the same problem with different strategies for the same time;
the better solution wins (fewer unserved jobs first, then the lower objective — both runs
price the same model, so their objectives are comparable). Meant for machines with two free
cores; on one core it only halves each strategy's share.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from hjemmetjeneste.solver.lns import unsupported
from hjemmetjeneste.solver.params import FirstSolution, Metaheuristic, SolveParams
from hjemmetjeneste.solver.problem import RoutingProblem, Solution
from hjemmetjeneste.solver.solve import solve

Strategy = dict[str, object]
"""Fields of :class:`SolveParams` that override the caller's parameters."""

DEFAULT_STRATEGIES: tuple[Strategy, ...] = (
    {},  # the default: first solution by problem kind, guided local search
    {"first_solution": FirstSolution.SAVINGS, "metaheuristic": Metaheuristic.GUIDED_LOCAL_SEARCH},
)
"""Without synchronised pairs (VRPTW): the default and savings + GLS. On 12 Solomon
instances at 5 s the default averaged 3.17 % and savings 3.27 %, but the better of the two per
instance 2.52 %: they fail on different instances."""

SYNC_STRATEGIES: tuple[Strategy, ...] = (
    {},
    {"metaheuristic": Metaheuristic.SIMULATED_ANNEALING},
)
"""With double-staffed pairs: the default (local cheapest insertion + GLS) and the same start
with simulated annealing. Savings, parallel cheapest insertion and path cheapest arc left 2–16
visits unplaced on the demo's day and evening shifts where local cheapest insertion placed all
(10 s each), so both arms start from local cheapest insertion."""


LNS_STRATEGIES: tuple[Strategy, ...] = ({}, {"seed": 1})
"""Where ruin and recreate runs (:func:`~hjemmetjeneste.solver.lns.unsupported` is None):
the default and the same search with another seed. The constants above are for the problems
OR-Tools searches alone."""


def strategies_for(problem: RoutingProblem) -> tuple[Strategy, ...]:
    """The two strategies for this kind of problem (see the constants above)."""
    if unsupported(problem) is None:
        return LNS_STRATEGIES
    return SYNC_STRATEGIES if problem.sync_groups else DEFAULT_STRATEGIES


def _better(a: Solution, b: Solution) -> Solution:
    """Fewer dropped jobs first, then the lower objective."""
    return a if (len(a.dropped), a.objective) <= (len(b.dropped), b.objective) else b


class Portfolio:
    """Worker processes kept warm across solves (start-up and imports are paid once).

    Use as a context manager; calling it solves one problem like :func:`solve_portfolio`.
    """

    def __init__(self, strategies: Sequence[Strategy] | None = None, workers: int = 2) -> None:
        self.strategies = None if strategies is None else tuple(strategies)
        self.workers = workers if strategies is None else len(self.strategies or ())
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        # Warm the workers: import OR-Tools and load the numba kernels before the first solve.
        for f in [self._pool.submit(_warm) for _ in range(self.workers)]:
            f.result()

    def __call__(self, problem: RoutingProblem, params: SolveParams | None = None) -> Solution:
        """Solve with every strategy side by side for the full time limit; the best wins.

        Strategies given at construction are used as they are; otherwise they are chosen by
        problem kind (:func:`strategies_for`).
        """
        params = params or SolveParams()
        strategies = self.strategies or strategies_for(problem)
        variants = [params.model_copy(update=dict(s)) for s in strategies[: self.workers]]
        futures = [self._pool.submit(solve, problem, v) for v in variants]
        results = [f.result() for f in futures]
        best = results[0]
        for other in results[1:]:
            best = _better(best, other)
        return best

    def close(self) -> None:
        """Stop the worker processes."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Portfolio:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _warm() -> bool:
    import hjemmetjeneste.solver.ortools_model  # noqa: F401
    from hjemmetjeneste.solver.lns import warm_up

    warm_up()
    return True


def solve_portfolio(
    problem: RoutingProblem,
    params: SolveParams | None = None,
    strategies: Sequence[Strategy] | None = None,
) -> Solution:
    """Solve ``problem`` once per strategy in parallel processes; return the best solution.

    Each strategy is a dict of :class:`SolveParams` fields overriding ``params`` (default:
    chosen by problem kind); every process gets the full time limit (they run side by side).
    Starts fresh processes: for many solves in a row use :class:`Portfolio`.
    """
    with Portfolio(strategies) as portfolio:
        return portfolio(problem, params)
