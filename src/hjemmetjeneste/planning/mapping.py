"""The one way back from a finished plan to the solver's routes and jobs.

Warm starts (:mod:`.warmstart`), ``check`` (:mod:`.verify`) and the API read a published or
written plan through :func:`map_plan`, so they can never disagree on which job a visit is.

Matching is by stable ids, never by position: staff ids pick the vehicle, visit ids (or,
when the visits were regrouped since, the ids of their tasks) pick the job nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

from hjemmetjeneste.domain import DayPlan, PlanResult, Worklist, WorklistVisit
from hjemmetjeneste.errors import Phrase, PlanRequestError, Term
from hjemmetjeneste.i18n import N_
from hjemmetjeneste.planning.to_problem import BuiltProblem


@dataclass(frozen=True)
class MappedStop:
    """A worklist visit and the job node it is. ``servable``: the caregiver may serve it
    (competence, refusals, pins); a check reports it when not, a warm start leaves it out."""

    visit: WorklistVisit
    node: int
    servable: bool


@dataclass(frozen=True)
class MappedWorklist:
    """One caregiver's worklist as a vehicle and its job nodes, in the worklist's order."""

    vehicle: int
    worklist: Worklist
    stops: tuple[MappedStop, ...]


@dataclass(frozen=True)
class Unmatched:
    """A caregiver not on the shift (``visit_id`` None), or a visit that is no job of it
    (unknown, left out before solving, or planned once too often)."""

    staff_id: str
    visit_id: str | None


@dataclass(frozen=True)
class PlanMapping:
    """A plan in solver terms: mapped worklists, what matched nothing, and the job nodes of
    its unplaced tasks that no worklist serves."""

    worklists: tuple[MappedWorklist, ...]
    unmatched: tuple[Unmatched, ...]
    unplaced_nodes: tuple[int, ...]

    def routes(self, n_vehicles: int, *, servable_only: bool = True) -> list[list[int]]:
        """One list of job nodes per vehicle (index = vehicle); by default only the jobs
        each caregiver may still serve."""
        routes: list[list[int]] = [[] for _ in range(n_vehicles)]
        for mapped in self.worklists:
            routes[mapped.vehicle] += [
                s.node for s in mapped.stops if s.servable or not servable_only
            ]
        return routes


def map_plan(day_plan: DayPlan, built: BuiltProblem, result: PlanResult) -> PlanMapping:
    """``result``'s worklists on the job nodes of ``built`` (the problem of ``day_plan``).

    A double-staffed visit has one job per caregiver: each caregiver takes a free job of the
    visit, preferring the one pinned to her, then one she may serve. ValueError when
    ``result`` plans another district, date or shift.
    """
    shift = day_plan.shift
    wanted = (day_plan.district.district_id, shift.date, shift.kind)
    given = (result.district_id, result.date, result.shift)
    if given != wanted:
        raise PlanRequestError(
            Phrase.of(
                N_(
                    "the plan is for {district} {date} {shift}, not {want_district} "
                    "{want_date} {want_shift}: a plan is read back onto its own shift only "
                    "(warm starts re-plan the same shift)"
                ),
                district=given[0], date=given[1], shift=Term(given[2].value),
                want_district=wanted[0], want_date=wanted[1], want_shift=Term(wanted[2].value),
            )
        )  # fmt: skip
    index, problem = built.index, built.problem
    nodes_of: dict[str, list[int]] = {}
    for node, visit_id in enumerate(index.job_visit):
        if visit_id is not None:
            nodes_of.setdefault(visit_id, []).append(node)
    visit_of_task = {t.task_id: v.visit_id for v in day_plan.visits for t in v.tasks}
    vehicle_of = {staff_id: v for v, staff_id in enumerate(index.vehicle_staff)}

    def current_visit(visit_id: str, task_ids: list[str]) -> str:
        if visit_id in nodes_of:
            return visit_id
        now = (visit_of_task.get(t) for t in task_ids)
        return next((x for x in now if x is not None and x in nodes_of), "")

    def may_serve(node: int, v: int) -> bool:
        return v in problem.allowed_vehicles[node] and int(problem.pinned_vehicle[node]) in (-1, v)

    used: set[int] = set()
    mapped: list[MappedWorklist] = []
    unmatched: list[Unmatched] = []
    for worklist in result.worklists:
        v = vehicle_of.get(worklist.staff_id)
        if v is None:
            unmatched.append(Unmatched(worklist.staff_id, None))
            continue
        stops: list[MappedStop] = []
        for visit in worklist.visits:
            visit_id = current_visit(visit.visit_id, [t.task_id for t in visit.tasks])
            free = [n for n in nodes_of.get(visit_id, ()) if n not in used]
            if not free:
                unmatched.append(Unmatched(worklist.staff_id, visit.visit_id))
                continue
            node = next(
                (n for n in free if int(problem.pinned_vehicle[n]) == v),
                next((n for n in free if may_serve(n, v)), free[0]),
            )
            used.add(node)
            stops.append(MappedStop(visit, node, may_serve(node, v)))
        mapped.append(MappedWorklist(v, worklist, tuple(stops)))
    unplaced = {current_visit(u.visit_id, [u.task_id]) for u in result.unplaced}
    unplaced_nodes = tuple(
        n
        for visit_id, nodes in nodes_of.items()
        if visit_id in unplaced
        for n in nodes
        if n not in used
    )
    return PlanMapping(tuple(mapped), tuple(unmatched), unplaced_nodes)
