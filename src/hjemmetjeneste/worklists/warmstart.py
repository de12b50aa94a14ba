"""A previous plan's worklists as the solver's initial routes (re-planning, warm starts).

Matching is by stable ids, never by position: staff ids pick the vehicle, visit ids (or,
when the visits were regrouped, the ids of their tasks) pick the job nodes. What no longer
matches (a caregiver off the shift, a task that is new or gone) is simply left out: the
search inserts the jobs that are missing.
"""

from __future__ import annotations

import dataclasses

from hjemmetjeneste.domain import DayPlan, PlanResult
from hjemmetjeneste.solver import RoutingProblem
from hjemmetjeneste.solver.build import BuiltProblem

STABILITY_WEIGHT = 600
"""Default cost of moving a visit to another caregiver when re-planning: the objective's
units (seconds of travel), so a visit moves only where that saves over ten minutes."""


def initial_routes(day_plan: DayPlan, built: BuiltProblem, previous: PlanResult) -> list[list[int]]:
    """One list of job nodes per vehicle of ``built``: its caregiver's visits in ``previous``.

    A double-staffed visit has one job per caregiver; each caregiver gets a job of the visit
    that she is allowed to serve (the second job may need another competence). Visits of
    caregivers no longer on shift, new visits and visits she may no longer serve are not in
    any route. ValueError when ``previous`` plans another district, date or shift.
    """
    shift = day_plan.shift
    wanted = (day_plan.district.district_id, shift.date, shift.kind)
    given = (previous.district_id, previous.date, previous.shift)
    if given != wanted:
        raise ValueError(
            f"the previous plan is for {given[0]} {given[1]} {given[2].value}, "
            f"not {wanted[0]} {wanted[1]} {wanted[2].value}: warm starts re-plan the same shift"
        )
    index, problem = built.index, built.problem
    nodes_of: dict[str, list[int]] = {}
    for node, visit_id in enumerate(index.job_visit):
        if visit_id is not None:
            nodes_of.setdefault(visit_id, []).append(node)
    visit_of_task = {t.task_id: v.visit_id for v in day_plan.visits for t in v.tasks}
    vehicle_of = {staff_id: v for v, staff_id in enumerate(index.vehicle_staff)}

    routes: list[list[int]] = [[] for _ in range(problem.n_vehicles)]
    taken: set[int] = set()
    for worklist in previous.worklists:
        v = vehicle_of.get(worklist.staff_id)
        if v is None:
            continue
        for stop in worklist.visits:
            visit_id = stop.visit_id
            if visit_id not in nodes_of:
                now = (visit_of_task.get(t.task_id) for t in stop.tasks)
                visit_id = next((x for x in now if x is not None and x in nodes_of), "")
            # A job she may no longer serve (competence, refusal, a pin on someone else) is
            # left for the search rather than making the solver reject the whole start.
            node = next(
                (
                    n
                    for n in nodes_of.get(visit_id, ())
                    if n not in taken
                    and v in problem.allowed_vehicles[n]
                    and int(problem.pin_vehicle[n]) in (-1, v)
                ),
                None,
            )
            if node is not None:
                taken.add(node)
                routes[v].append(node)
    return routes


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
    cost = problem.preference.copy()
    for v, route in enumerate(routes):
        if route:  # each node is in one route only (initial_routes takes each job once)
            cost[route] += weight
            cost[route, v] -= weight
    return dataclasses.replace(problem, preference_cost=cost)
