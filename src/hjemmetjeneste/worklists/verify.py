"""Re-check a written plan (worklist JSON) against the export it was made from.

The plan's worklists are mapped back onto the routing problem the pipeline builds for the
same district, date and shift (same travel source, same rules, same history), and the
independent checker (:func:`hjemmetjeneste.solver.check_solution`, no OR-Tools) re-validates
them. Works for solver-made and hand-edited plans alike; violations come back with staff and
visit ids instead of solver indices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hjemmetjeneste.domain import PlanResult
from hjemmetjeneste.solver import Route, RouteStop, Solution, ViolationKind, check_solution
from hjemmetjeneste.solver.build import BuiltProblem


@dataclass(frozen=True)
class PlanViolation:
    """A broken rule in a written plan, named in domain ids and explained."""

    kind: ViolationKind
    staff_id: str | None
    visit_id: str | None
    message: str


def solution_from_result(
    built: BuiltProblem, result: PlanResult
) -> tuple[Solution, list[PlanViolation]]:
    """The plan's worklists as a solver Solution, and the visits that match no job.

    Each worklist visit takes one job node of its visit id (a double-staffed visit has two:
    the one the caregiver may serve is preferred). Jobs of unplaced tasks count as dropped.
    """
    problem, index = built.problem, built.index
    nodes_of: dict[str, list[int]] = {}
    for node, visit_id in enumerate(index.job_visit):
        if visit_id is not None:
            nodes_of.setdefault(visit_id, []).append(node)
    vehicle_of = {sid: v for v, sid in enumerate(index.vehicle_staff)}
    unknown: list[PlanViolation] = []
    used: set[int] = set()
    routes: list[Route] = []
    for worklist in result.worklists:
        v = vehicle_of.get(worklist.staff_id)
        if v is None:
            unknown.append(
                PlanViolation(
                    ViolationKind.NOT_A_JOB,
                    worklist.staff_id,
                    None,
                    f"caregiver {worklist.staff_id} is not rostered on this shift",
                )
            )
            continue
        stops: list[RouteStop] = []
        for visit in worklist.visits:
            free = [n for n in nodes_of.get(visit.visit_id, []) if n not in used]
            if not free:
                unknown.append(
                    PlanViolation(
                        ViolationKind.NOT_A_JOB,
                        worklist.staff_id,
                        visit.visit_id,
                        f"visit {visit.visit_id} is not a plannable visit of this shift "
                        "(unknown, left out before solving, or planned once too often)",
                    )
                )
                continue
            node = next(
                (n for n in free if int(problem.pin_vehicle[n]) == v),
                next((n for n in free if v in problem.allowed_vehicles[n]), free[0]),
            )
            used.add(node)
            stops.append(
                RouteStop(
                    node=node,
                    arrival_s=index.to_seconds(visit.arrival),
                    start_s=index.to_seconds(visit.start),
                )
            )
        routes.append(
            Route(
                vehicle=v,
                depart_s=index.to_seconds(worklist.leave_base),
                stops=tuple(stops),
                return_s=index.to_seconds(worklist.return_base),
                breaks=tuple(
                    (index.to_seconds(b.start), int((b.end - b.start).total_seconds()))
                    for b in worklist.breaks
                ),
            )
        )
    listed = {r.vehicle for r in routes}
    routes += [
        Route(v, int(problem.vehicle_start_s[v]), (), int(problem.vehicle_start_s[v]))
        for v in range(problem.n_vehicles)
        if v not in listed
    ]
    unplaced_visits = {u.visit_id for u in result.unplaced}
    dropped = tuple(
        n
        for visit_id, nodes in nodes_of.items()
        if visit_id in unplaced_visits
        for n in nodes
        if n not in used
    )
    solution = Solution(
        routes=tuple(sorted(routes, key=lambda r: r.vehicle)),
        dropped=dropped,
        objective=result.solver_objective,
        status="from_json",
        wall_s=0.0,
    )
    return solution, unknown


def verify_plan(built: BuiltProblem, result: PlanResult) -> list[PlanViolation]:
    """Every violation in a written plan, with staff and visit ids (empty when feasible)."""
    index = built.index
    solution, found = solution_from_result(built, result)
    for violation in check_solution(built.problem, solution):
        staff_id = index.vehicle_staff[violation.vehicle] if violation.vehicle is not None else None
        visit_id = index.job_visit[violation.node] if violation.node is not None else None
        found.append(
            PlanViolation(violation.kind, staff_id, visit_id, _named(violation.message, built))
        )
    return found


# Durations in the checker's sentences; every other "<n>s" is a moment of the plan day.
_DURATIONS = (
    re.compile(r"(?<=no )(\d+)s(?= break)"),
    re.compile(r"(?<=with )(\d+)s(?= of break)"),
    re.compile(r"(?<=starts )(-?\d+)s(?= after)"),
    re.compile(r"(?<=be between )(\d+)s and (\d+)s"),
    re.compile(r"(?<=at least )(\d+)s"),
)


def _named(message: str, built: BuiltProblem) -> str:
    """The checker's sentence in planner terms: caregivers, visits, minutes and clock times."""
    index = built.index
    for pattern in _DURATIONS:
        message = pattern.sub(
            lambda m: " and ".join(f"{int(g) // 60} min" for g in m.groups() if g), message
        )
    message = re.sub(r"vehicle (\d+)", lambda m: index.staff_label(int(m.group(1))), message)
    message = re.sub(
        r"\bjobs? (\d+)(?:/(\d+))?",
        lambda m: str(index.job_visit[int(m.group(1))]),
        message,
    )
    return re.sub(r"\b(\d+)s\b", lambda m: index.clock(int(m.group(1))), message)
