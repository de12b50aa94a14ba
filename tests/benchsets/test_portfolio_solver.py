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


def test_strategies_follow_the_problem_kind(tiny_data: Path):
    """Without pairs the second arm is savings; with a synchronised pair it keeps the default
    construction (pairs need local cheapest insertion) and changes the metaheuristic."""
    from hjemmetjeneste.solver.model_builder import ProblemBuilder
    from hjemmetjeneste.solver.portfolio import strategies_for

    vrptw = solomon.to_problem(solomon.read_solomon(tiny_data / "solomon/instances/TINY2.txt"))
    assert strategies_for(vrptw)[1]["first_solution"] == "savings"
    builder = ProblemBuilder()
    builder.add_travel_class([[0, 5], [5, 0]])
    depot = builder.add_depot(0, (0, 100))
    for _ in range(2):
        builder.add_vehicle(start_depot=depot, window=(0, 100))
    a = builder.add_job(1, service_s=5, windows=[(0, 50)], penalty=1000)
    b = builder.add_job(1, service_s=5, windows=[(0, 50)], penalty=1000)
    builder.add_sync(a, b)
    paired = strategies_for(builder.build())
    assert "first_solution" not in paired[1] and paired[1]["metaheuristic"] != "guided_local_search"
