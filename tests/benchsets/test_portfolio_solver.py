"""The 2-process portfolio: both strategies run, the best plan comes back checker-clean."""

from __future__ import annotations

from pathlib import Path

from hjemmetjeneste.benchsets import solomon
from hjemmetjeneste.solver import SolveParams, check_solution, solve
from hjemmetjeneste.solver.portfolio import Portfolio


def test_portfolio_is_at_least_as_good_as_its_first_strategy(tiny_data: Path):
    """On TINY2 the portfolio serves everyone and costs no more than the default alone."""
    problem = solomon.to_problem(solomon.read_solomon(tiny_data / "solomon/instances/TINY2.txt"))
    params = SolveParams(time_limit_s=0.3)
    alone = solve(problem, params)
    with Portfolio() as portfolio:
        best = portfolio(problem, params)
        again = portfolio(problem, params)  # the warm workers serve a second call
    assert best.dropped == () and check_solution(problem, best) == []
    assert best.objective <= alone.objective and again.objective == best.objective
