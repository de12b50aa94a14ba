"""Small, validated solver parameters."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class FirstSolution(StrEnum):
    """Construction heuristics; insertion ones find a first plan even with tight windows."""

    PARALLEL_CHEAPEST_INSERTION = "parallel_cheapest_insertion"
    LOCAL_CHEAPEST_INSERTION = "local_cheapest_insertion"
    SAVINGS = "savings"
    PATH_CHEAPEST_ARC = "path_cheapest_arc"
    LOCAL_CHEAPEST_COST_INSERTION = "local_cheapest_cost_insertion"
    """Like local cheapest insertion, but an insertion is priced by the whole objective
    (soft-window lateness included), not by arc costs alone."""


class Metaheuristic(StrEnum):
    """Improvement strategies after the first solution."""

    GUIDED_LOCAL_SEARCH = "guided_local_search"
    SIMULATED_ANNEALING = "simulated_annealing"
    TABU_SEARCH = "tabu_search"
    GREEDY_DESCENT = "greedy_descent"


class SolveParams(BaseModel):
    """How long and how to search. ``time_limit_s`` bounds the improvement phase."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    time_limit_s: float = Field(default=10.0, gt=0.0, le=3600.0)
    first_solution: FirstSolution | None = None
    """None picks by problem kind: see :func:`first_solution_for`."""
    metaheuristic: Metaheuristic = Metaheuristic.GUIDED_LOCAL_SEARCH
    solution_limit: int | None = Field(default=None, ge=1)
    log_search: bool = False
    lns: bool | None = None
    """Ruin and recreate after OR-Tools' first plan (:mod:`hjemmetjeneste.solver.lns`).
    None uses it where the problem's rules allow; True insists (an error where they do not);
    False searches with OR-Tools' metaheuristic only."""
    seed: int = Field(default=0, ge=0)
    """Seed of the ruin-and-recreate search's random choices."""
    iterations: int | None = Field(default=None, ge=1)
    """Work budget of ruin and recreate: exactly this many iterations, not as many as fit in
    the time limit, so that the plan depends on the seed and not on the machine's speed or
    load (tests that judge quality, reproducible runs). OR-Tools' first plan and polish stop
    by themselves on small problems; the time limit only bounds them."""
    retime: bool = True
    """After the search, time each route to depart as late as its order allows, so nobody
    waits at a door without need (:func:`hjemmetjeneste.solver.retime.retime`); order,
    assignment and travel stay as the search left them."""


# Above this many jobs cost-based insertion is too slow to finish a first plan in short limits:
# on Mankowska F (260 jobs) at 2 s it had placed 0-179 jobs when time ran out, where the
# arc-cost heuristics place 259-260; set E (130 jobs) still completes at 2 s.
COST_INSERTION_MAX_JOBS = 150


def first_solution_for(
    params: SolveParams, has_sync: bool, has_lateness: bool = False, n_jobs: int = 0
) -> FirstSolution:
    """The construction heuristic to use: the one asked for, else one chosen by problem kind.

    Parallel cheapest insertion is the default. With double-staffed (synchronised) visits it
    places pairs badly: on the demo's 2026-12-01 day shift it left 3 of 20 pairs unplaced
    after 8 s, where local cheapest insertion placed all of them.

    When jobs carry lateness costs (soft windows), the arc-cost heuristics ignore them and
    place jobs long after their due time; local cheapest *cost* insertion prices them. On
    Mankowska C1, D1, E1 at 5 s it cut the gap to the best known from 57 %, 19 %, 503 % to
    11 %, 11 %, 29 % (docs/benchmarks.md). It is slower per insertion (2.3× on a 331-job day),
    so it is used only where lateness costs exist, and only up to COST_INSERTION_MAX_JOBS.
    """
    if params.first_solution is not None:
        return params.first_solution
    if has_lateness and n_jobs <= COST_INSERTION_MAX_JOBS:
        return FirstSolution.LOCAL_CHEAPEST_COST_INSERTION
    if has_sync:
        return FirstSolution.LOCAL_CHEAPEST_INSERTION
    return FirstSolution.PARALLEL_CHEAPEST_INSERTION
