"""A 2-process portfolio over the public :func:`~hjemmetjeneste.solver.solve.solve`.

Where ruin and recreate runs, the two worker processes search *together*: the time is cut
into stages, each worker runs a stage from the best routes the last stage found (with seeds
of its own), and one cooling schedule spans the stages (:meth:`Portfolio.improve`).
Elsewhere they search the same problem with different strategies for the same time and the
better solution wins (fewer unserved jobs first, then the lower objective — both runs price
the same model, so their objectives are comparable). Meant for machines with two free
cores; on one core it only halves each worker's share.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from hjemmetjeneste.solver.lns import Improved, improve, unsupported, use_lns
from hjemmetjeneste.solver.ortools_model import ProgressCallback
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
"""Where ruin and recreate runs (:func:`~hjemmetjeneste.solver.lns.unsupported` is None) and
strategies are asked for: the default and the same search with another seed. Without them
such problems are searched together (:data:`STAGES`). The constants above are for the
problems OR-Tools searches alone."""

STAGES = 6
"""Stages of the workers' joint ruin and recreate: after each, both go on from the best."""


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
        if self.strategies is None and use_lns(problem, params):
            return solve(problem, params, improver=self.improve)
        strategies = self.strategies or strategies_for(problem)
        variants = [params.model_copy(update=dict(s)) for s in strategies[: self.workers]]
        futures = [self._pool.submit(solve, problem, v) for v in variants]
        results = [f.result() for f in futures]
        best = results[0]
        for other in results[1:]:
            best = _better(best, other)
        return best

    def improve(
        self,
        problem: RoutingProblem,
        routes: Sequence[Sequence[int]],
        time_limit_s: float,
        seed: int = 0,
        on_progress: ProgressCallback | None = None,
        iterations: int | None = None,
        *,
        data: object = None,
        fill: bool = False,
        travel_cap_s: int | None = None,
        pair_starts: dict[int, int] | None = None,
        span: tuple[float, float] = (0.0, 1.0),
    ) -> Improved:
        """:func:`~hjemmetjeneste.solver.lns.improve` run by every worker, :data:`STAGES`
        stages in a row: each stage starts all workers from the best routes the last one
        found, each worker with a seed of its own, and cools its part of ``span``.

        The time limit (or the work budget, split evenly over the stages and run by each
        worker) is the whole search's. ``data`` is not sent: each worker builds its own.
        With ``iterations`` the result depends on ``seed`` only (ties go to the first
        worker).
        """
        del data  # the workers build the kernels' arrays themselves
        started = time.perf_counter()
        low, high = span
        stages: list[Improved] = []  # the best of each stage
        done = 0
        for stage in range(STAGES):
            left = max(time_limit_s - (time.perf_counter() - started), 0.0)
            work = None
            if iterations is not None:
                work = iterations // STAGES + (iterations % STAGES if stage == STAGES - 1 else 0)
            part = (low + (high - low) * stage / STAGES, low + (high - low) * (stage + 1) / STAGES)
            if stages:
                routes, pair_starts = stages[-1].routes, stages[-1].pair_starts
            futures = [
                self._pool.submit(
                    improve,
                    problem,
                    routes,
                    left / (STAGES - stage),
                    seed + w + self.workers * stage,
                    None,
                    work,
                    fill=fill and stage == 0,
                    travel_cap_s=travel_cap_s,
                    pair_starts=pair_starts,
                    span=part,
                )
                for w in range(self.workers)
            ]
            found = [f.result() for f in futures]
            stages.append(min(found, key=lambda f: f.objective))
            done += sum(f.iterations for f in found)
            if on_progress is not None:
                on_progress(stages[-1].objective, time.perf_counter() - started)
        best = stages[-1]
        return Improved(
            best.routes, best.objective, stages[0].start_objective, done, best.pair_starts
        )

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
