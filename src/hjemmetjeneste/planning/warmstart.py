"""A previous plan's worklists as the solver's initial routes (re-planning, warm starts).

The plan is mapped back by :mod:`hjemmetjeneste.planning.mapping`. What no longer matches
(a caregiver off the shift, a task that is new or gone) is simply left out: the search
inserts the jobs that are missing.
"""

from __future__ import annotations

import dataclasses

from hjemmetjeneste.domain import DayPlan, PlanResult
from hjemmetjeneste.planning.mapping import map_plan
from hjemmetjeneste.planning.to_problem import BuiltProblem
from hjemmetjeneste.solver import RoutingProblem

STABILITY_WEIGHT = 600
"""Default cost of moving a visit to another caregiver when re-planning: the objective's
units (seconds of travel), so a visit moves only where that saves over ten minutes."""


def initial_routes(day_plan: DayPlan, built: BuiltProblem, previous: PlanResult) -> list[list[int]]:
    """One list of job nodes per vehicle of ``built``: its caregiver's visits in ``previous``.

    The plan is read back by :func:`~hjemmetjeneste.planning.mapping.map_plan` (the mapping
    ``check`` uses too). A double-staffed visit has one job per caregiver; each caregiver gets
    a job of the visit that she is allowed to serve. Visits of caregivers no longer on shift,
    new visits and jobs she may no longer serve (competence, refusal, a pin on someone else)
    are not in any route: the search inserts them rather than rejecting the whole start.
    ValueError when ``previous`` plans another district, date or shift.
    """
    return map_plan(day_plan, built, previous).routes(built.problem.n_vehicles)


def with_stability(
    problem: RoutingProblem, routes: list[list[int]], weight: int = STABILITY_WEIGHT
) -> RoutingProblem:
    """``problem`` where serving a routed job with another caregiver costs ``weight``.

    Without it a warm start is only a starting point: the search moves any visit whose move
    saves a second, and on the demo's sick call between 30 % and 90 % of the other nurses'
    visits changed nurse depending on how long it searched. The cost goes through the same
    per-caregiver preference costs as continuity of care.
    """
    if weight <= 0 or not any(routes):
        return problem
    cost = problem.preference_cost.copy()
    for v, route in enumerate(routes):
        if route:  # each node is in one route only (initial_routes takes each job once)
            cost[route] += weight
            cost[route, v] -= weight
    return dataclasses.replace(problem, preference_cost=cost)
