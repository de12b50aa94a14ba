"""Which construction heuristic the solver picks by problem kind, and that the asked one wins."""

from __future__ import annotations

from hjemmetjeneste.solver.params import (
    COST_INSERTION_MAX_JOBS,
    FirstSolution,
    SolveParams,
    first_solution_for,
)


def test_lateness_costs_pick_cost_based_insertion():
    """Soft windows with lateness costs → local cheapest cost insertion, with or without pairs."""
    params = SolveParams()
    chosen = {first_solution_for(params, sync, True, 100) for sync in (False, True)}
    assert chosen == {FirstSolution.LOCAL_CHEAPEST_COST_INSERTION}


def test_large_problems_with_lateness_keep_the_arc_cost_rule():
    """Beyond the job limit cost insertion is too slow to finish: the earlier rule applies."""
    params = SolveParams()
    many = COST_INSERTION_MAX_JOBS + 1
    assert first_solution_for(params, True, True, many) == FirstSolution.LOCAL_CHEAPEST_INSERTION
    assert first_solution_for(params, False, True, many) == (
        FirstSolution.PARALLEL_CHEAPEST_INSERTION
    )


def test_without_lateness_the_earlier_rule_holds():
    """No lateness costs: pairs → local cheapest insertion, none → parallel cheapest insertion."""
    params = SolveParams()
    assert first_solution_for(params, True) == FirstSolution.LOCAL_CHEAPEST_INSERTION
    assert first_solution_for(params, False, False) == FirstSolution.PARALLEL_CHEAPEST_INSERTION


def test_an_explicit_choice_is_kept():
    """A construction the caller names is used whatever the problem kind."""
    params = SolveParams(first_solution=FirstSolution.SAVINGS)
    assert first_solution_for(params, True, True) == FirstSolution.SAVINGS
