"""Sentences for planners: why work is unplaced and what a checked plan breaks.

Violations come from :func:`hjemmetjeneste.solver.check.check_solution` as data; they are
worded by the solver's one :func:`~hjemmetjeneste.solver.check.describe`, with
:class:`PlanNames` naming caregivers, visits, clock times (Europe/Oslo) and minutes. Jobs the
search leaves out get their reason here (:func:`why_dropped`); visits kept out before the
search get theirs where the problem is built (:mod:`hjemmetjeneste.planning.to_problem`).
"""

from __future__ import annotations

from hjemmetjeneste.domain import Municipality, Task, UnplacedReason, Visit
from hjemmetjeneste.planning.to_problem import BuiltProblem
from hjemmetjeneste.solver import Solution, Violation
from hjemmetjeneste.solver.check import Names, describe
from hjemmetjeneste.tasks import defined_shifts_text

__all__ = ["PlanNames", "describe_violation", "outside_every_shift_sentence", "why_dropped"]

TIME_CRITICAL_PREFIX = "TIME-CRITICAL. "
"""Put before the explanation of each unplaced task that is itself time-critical."""


def outside_every_shift_sentence(task: Task, municipality: Municipality) -> str:
    """Why a task is in no plan: its window lies in none of the municipality's shifts."""
    return (
        f"No shift covers this task: it must start between {task.window_start:%H:%M} and "
        f"{task.window_end:%H:%M} on {task.date}, and the municipality defines only "
        f"{defined_shifts_text(municipality)}. Add the shift or move the task's time."
    )


class PlanNames(Names):
    """Violations in planner terms: caregivers by name, visits by id, clock times, minutes."""

    def __init__(self, built: BuiltProblem) -> None:
        self.index = built.index

    def vehicle(self, v: int) -> str:
        return self.index.staff_label(v)

    def job(self, node: int) -> str:
        return str(self.index.job_visit[node])

    def pair(self, a: int, b: int) -> str:
        return self.job(a)  # both jobs are the same visit

    def moment(self, s: int) -> str:
        return self.index.clock(s)

    def duration(self, s: int) -> str:
        return f"{int(s) // 60} min"


def describe_violation(built: BuiltProblem, violation: Violation) -> str:
    """The violation as a planner reads it (caregivers, visits, clock times, minutes)."""
    return describe(violation, PlanNames(built))


def why_dropped(
    built: BuiltProblem, solution: Solution, node: int, visit: Visit
) -> tuple[UnplacedReason, str]:
    """Reason and sentence for a job the solver left out.

    A gap rule when a served dose of the same gap group leaves no start inside the window;
    otherwise no time left, naming the qualified caregiver whose route passes nearest.
    """
    problem, index = built.problem, built.index
    starts = {stop.node: stop.start_s for r in solution.routes for stop in r.stops}
    lo, hi = int(problem.window_start_s[node]), int(problem.window_end_s[node])
    for p in problem.precedences:
        if p.second == node and p.first in starts:
            lo = max(lo, starts[p.first] + p.min_s)
            if p.max_s is not None:
                hi = min(hi, starts[p.first] + p.max_s)
        if p.first == node and p.second in starts:
            hi = min(hi, starts[p.second] - p.min_s)
            if p.max_s is not None:
                lo = max(lo, starts[p.second] - p.max_s)
    if lo > hi:
        return (
            UnplacedReason.GAP_RULE,
            "Gap rule: another dose of the same medication is planned too close to (or too "
            f"far from) this one; no start between {index.clock(int(problem.window_start_s[node]))}"
            f" and {index.clock(int(problem.window_end_s[node]))} keeps the required gap.",
        )
    allowed = problem.allowed_vehicles[node]
    nearest = ""
    if allowed:
        routes = {r.vehicle: r for r in solution.routes}

        def distance(v: int) -> int:
            travel = problem.travel_for(v)
            places = [int(problem.vehicle_start_node[v])]
            places += [s.node for s in routes[v].stops] if v in routes else []
            return min(int(travel[p, node]) for p in places)

        best = min(allowed, key=distance)
        nearest = (
            f" The nearest candidate, {index.staff_label(best)}, passes "
            f"{distance(best) // 60} min away but has no room in that window."
        )
    return (
        UnplacedReason.NO_TIME_LEFT,
        f"No time left: none of the {len(allowed)} qualified caregiver(s) on shift could fit "
        f"the {visit.duration_min} min visit starting between "
        f"{index.clock(int(problem.window_start_s[node]))} and "
        f"{index.clock(int(problem.window_end_s[node]))} into their route." + nearest,
    )
