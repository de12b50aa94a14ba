"""Re-check a written plan (worklist JSON) against the export it was made from.

The plan's worklists are mapped back (:mod:`hjemmetjeneste.planning.mapping`, the mapping
warm starts use) onto the routing problem the pipeline builds for the same district, date
and shift (same travel source, same rules, same history), and the
independent checker (:func:`hjemmetjeneste.solver.check_solution`, no OR-Tools) re-validates
them. Works for solver-made and hand-edited plans alike; violations come back with staff and
visit ids instead of solver indices.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from hjemmetjeneste.domain import DayPlan, PlanResult
from hjemmetjeneste.errors import Say
from hjemmetjeneste.i18n import N_, as_written
from hjemmetjeneste.planning.explain import describe_violation, staff_lacks
from hjemmetjeneste.planning.mapping import map_plan
from hjemmetjeneste.planning.to_problem import BuiltProblem
from hjemmetjeneste.solver import (
    Route,
    RouteStop,
    Solution,
    Violation,
    ViolationKind,
    check_solution,
)


@dataclass(frozen=True)
class PlanViolation:
    """A broken rule in a written plan, named in domain ids and explained: ``message`` in
    English, :meth:`in_words` in the language a ``say`` words it in."""

    kind: ViolationKind
    staff_id: str | None
    visit_id: str | None
    message: str
    words: Callable[[Say], str] | None = field(default=None, compare=False, repr=False)

    def in_words(self, say: Say = as_written) -> str:
        """The message in the language of ``say``."""
        return self.message if self.words is None else self.words(say)


def _said(template: str, **values: object) -> Callable[[Say], str]:
    return lambda say: say(template).format(**values)


_NOT_ROSTERED = N_("caregiver {staff} is not rostered on this shift")
_NOT_PLANNABLE = N_(
    "visit {visit} is not a plannable visit of this shift "
    "(unknown, left out before solving, or planned once too often)"
)


def solution_from_result(
    day_plan: DayPlan, built: BuiltProblem, result: PlanResult
) -> tuple[Solution, list[PlanViolation]]:
    """The plan's worklists as a solver Solution, and the visits that match no job.

    The plan is read back by :func:`~hjemmetjeneste.planning.mapping.map_plan`, the mapping
    warm starts use. Every mapped visit is a stop, also one its caregiver may not serve (the
    checker then says why). Jobs of unplaced tasks count as dropped.
    """
    problem, index = built.problem, built.index
    mapping = map_plan(day_plan, built, result)
    unknown = [
        PlanViolation(
            ViolationKind.NOT_A_JOB,
            u.staff_id,
            None,
            _NOT_ROSTERED.format(staff=u.staff_id),
            _said(_NOT_ROSTERED, staff=u.staff_id),
        )
        if u.visit_id is None
        else PlanViolation(
            ViolationKind.NOT_A_JOB,
            u.staff_id,
            u.visit_id,
            _NOT_PLANNABLE.format(visit=u.visit_id),
            _said(_NOT_PLANNABLE, visit=u.visit_id),
        )
        for u in mapping.unmatched
    ]
    routes = [
        Route(
            vehicle=m.vehicle,
            depart_s=index.to_seconds(m.worklist.leave_base),
            stops=tuple(
                RouteStop(
                    node=s.node,
                    arrival_s=index.to_seconds(s.visit.arrival),
                    start_s=index.to_seconds(s.visit.start),
                )
                for s in m.stops
            ),
            return_s=index.to_seconds(m.worklist.return_base),
            breaks=tuple(
                (index.to_seconds(b.start), int((b.end - b.start).total_seconds()))
                for b in m.worklist.breaks
            ),
        )
        for m in mapping.worklists
    ]
    listed = {r.vehicle for r in routes}
    routes += [
        Route(v, int(problem.vehicle_start_s[v]), (), int(problem.vehicle_start_s[v]))
        for v in range(problem.n_vehicles)
        if v not in listed
    ]
    solution = Solution(
        routes=tuple(sorted(routes, key=lambda r: r.vehicle)),
        dropped=mapping.unplaced_nodes,
        objective=result.solver_objective,
        status="from_json",
        wall_s=0.0,
    )
    return solution, unknown


def verify_plan(day_plan: DayPlan, built: BuiltProblem, result: PlanResult) -> list[PlanViolation]:
    """Every violation in a written plan, with staff and visit ids (empty when feasible)."""
    index = built.index
    solution, found = solution_from_result(day_plan, built, result)
    for violation in check_solution(built.problem, solution):
        staff_id = index.vehicle_staff[violation.vehicle] if violation.vehicle is not None else None
        visit_id = index.job_visit[violation.node] if violation.node is not None else None
        words = _violation_words(day_plan, built, violation, staff_id, visit_id)
        found.append(PlanViolation(violation.kind, staff_id, visit_id, words(as_written), words))
    return found


def _violation_words(
    day_plan: DayPlan,
    built: BuiltProblem,
    violation: Violation,
    staff_id: str | None,
    visit_id: str | None,
) -> Callable[[Say], str]:
    """How ``violation`` is said, in any language: what a caregiver lacks named."""

    def words(say: Say) -> str:
        message = describe_violation(built, violation, say)
        if violation.kind is ViolationKind.MISSING_COMPETENCE and staff_id and visit_id:
            node = violation.node or 0
            second = built.index.job_visit.index(visit_id) != node  # the visit's second job
            lacks = staff_lacks(day_plan, staff_id, visit_id, second_role=second, say=say)
            message += ": " + lacks
        return message

    return words
