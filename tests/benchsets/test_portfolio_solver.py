"""The 2-process portfolio: the workers search together where ruin and recreate runs, else
both strategies run; the best plan comes back checker-clean."""

from __future__ import annotations

from pathlib import Path

from hjemmetjeneste.benchsets import solomon
from hjemmetjeneste.solver import SolveParams, check_solution, solve
from hjemmetjeneste.solver.portfolio import LNS_STRATEGIES, Portfolio


def test_portfolio_is_at_least_as_good_as_its_first_strategy(tiny_data: Path):
    """With strategies given, on TINY2 the portfolio serves everyone and costs no more than
    the default alone.

    A seed and a work budget (ruin-and-recreate iterations), not 0.3 s of wall clock: the
    default arm then finds exactly what the default alone finds, on a loaded machine too."""
    problem = solomon.to_problem(solomon.read_solomon(tiny_data / "solomon/instances/TINY2.txt"))
    params = SolveParams(time_limit_s=10.0, seed=0, iterations=2_000)
    alone = solve(problem, params)
    with Portfolio(LNS_STRATEGIES) as portfolio:
        best = portfolio(problem, params)
        again = portfolio(problem, params)  # the warm workers serve a second call
    assert best.dropped == () and check_solution(problem, best) == []
    assert best.objective <= alone.objective and again.objective == best.objective


def test_workers_search_together_in_stages(tiny_data: Path):
    """Without strategies, a ruin-and-recreate problem is searched by both workers stage by
    stage: each runs the work budget (the status counts both workers' iterations), and with a
    seed and a budget the plan does not depend on which worker finishes first."""
    problem = solomon.to_problem(solomon.read_solomon(tiny_data / "solomon/instances/TINY2.txt"))
    params = SolveParams(time_limit_s=10.0, seed=3, iterations=1_200)
    with Portfolio() as portfolio:
        found = portfolio(problem, params)
        again = portfolio(problem, params)
    assert found.dropped == () and check_solution(problem, found) == []
    assert f"ruin and recreate: {2 * 1_200} iterations" in found.status
    assert again.routes == found.routes and again.objective == found.objective
    with Portfolio() as other:
        assert other(problem, params).routes == found.routes


def test_strategies_follow_the_problem_kind(tiny_data: Path):
    """Where ruin and recreate runs, the second arm is another seed of it. Where OR-Tools
    searches alone: without pairs the second arm is savings; with a synchronised pair it keeps
    the default construction (pairs need local cheapest insertion) and changes the
    metaheuristic."""
    import dataclasses

    from hjemmetjeneste.solver.model_builder import ProblemBuilder
    from hjemmetjeneste.solver.portfolio import strategies_for
    from hjemmetjeneste.solver.problem import Precedence

    vrptw = solomon.to_problem(solomon.read_solomon(tiny_data / "solomon/instances/TINY2.txt"))
    assert strategies_for(vrptw)[1] == {"seed": 1}
    balanced = dataclasses.replace(vrptw, balance_weight=1)
    assert strategies_for(balanced)[1]["first_solution"] == "savings"
    builder = ProblemBuilder()
    builder.add_travel_class([[0, 5], [5, 0]])
    depot = builder.add_depot(0, (0, 100))
    for _ in range(2):
        builder.add_vehicle(start_depot=depot, window=(0, 100))
    a = builder.add_job(1, service_s=5, windows=[(0, 50)], penalty=1000)
    b = builder.add_job(1, service_s=5, windows=[(0, 50)], penalty=1000)
    c = builder.add_job(1, service_s=5, windows=[(0, 90)], penalty=1000)
    builder.add_sync(a, b)
    paired = builder.build()
    assert strategies_for(paired)[1] == {"seed": 1}
    gapped = dataclasses.replace(paired, precedences=(Precedence(a, c, 10, None),))
    second = strategies_for(gapped)[1]
    assert "first_solution" not in second and second["metaheuristic"] != "guided_local_search"
