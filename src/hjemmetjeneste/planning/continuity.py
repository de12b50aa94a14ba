"""Continuity of care over planned shifts: distinct caregivers per patient."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import timedelta

from hjemmetjeneste.domain import CareHistory, DayPlan, PlanResult, ServedTask
from hjemmetjeneste.planning.history import caregivers_by_patient
from hjemmetjeneste.planning.to_problem import BuiltProblem
from hjemmetjeneste.solver import Solution


def caregivers_per_patient(results: Iterable[PlanResult]) -> dict[str, int]:
    """The number of distinct caregivers who visit each patient across ``results``.

    Every worklist that holds a visit to a patient counts its caregiver, so both caregivers
    of a double-staffed visit count. Patients without a planned visit are absent. This is
    the figure municipalities report as "distinct caregivers per patient per 14 days" when
    ``results`` are the shifts of 14 days.
    """
    caregivers: dict[str, set[str]] = defaultdict(set)
    for result in results:
        for worklist in result.worklists:
            for visit in worklist.visits:
                caregivers[visit.patient_id].add(worklist.staff_id)
    return {patient: len(staff) for patient, staff in caregivers.items()}


NEWCOMER_SEARCH_SHARE = 0.3
"""Share of a shift's search (iterations or seconds) spent after the newcomers are chosen."""


def newcomers(day_plan: DayPlan, built: BuiltProblem, solution: Solution) -> tuple[ServedTask, ...]:
    """Continuity within the shift: the search prices each visit alone, so a caregiver new
    to a patient costs the continuity weight on every one of her visits, and two newcomers
    sharing the patient's visits cost no more than one doing them all — yet each is one
    more distinct caregiver. Per patient whose visits in ``solution`` went to two or more
    caregivers new to her (none of her caregivers of the last ``continuity_days``; anyone
    before her first visit), the one with most of her visits (ties: the first vehicle) as a
    served task at the shift's start: with it in the history the newcomer is hers for the
    rest of the search, and the others cost the weight for taking her visits from her."""
    since = day_plan.shift.start - timedelta(days=day_plan.municipality.rules.continuity_days)
    recent: dict[str, set[str]] = defaultdict(set)
    for patient, served in caregivers_by_patient(day_plan.history).items():
        recent[patient].update(s for start, ids in served if start >= since for s in ids)
    patient_of = {v.visit_id: v.patient_id for v in day_plan.visits}
    staff = built.index.vehicle_staff
    jobs: dict[str, Counter[int]] = defaultdict(Counter)
    for route in solution.routes:
        for stop in route.stops:
            visit = built.index.job_visit[stop.node]
            if visit is not None and staff[route.vehicle] not in recent[patient_of[visit]]:
                jobs[patient_of[visit]][route.vehicle] += 1
    return tuple(
        ServedTask(
            task_id=f"newcomer:{patient}",
            intervention_id="newcomer",
            patient_id=patient,
            staff_ids=(staff[min(by, key=lambda v: (-by[v], v))],),
            start=day_plan.shift.start,
        )
        for patient, by in sorted(jobs.items())
        if len(by) >= 2
    )


def with_newcomers(day_plan: DayPlan, served: tuple[ServedTask, ...]) -> DayPlan:
    """``day_plan`` whose history holds ``served`` too (:func:`newcomers`)."""
    history = CareHistory(served=(*day_plan.history.served, *served))
    return day_plan.model_copy(update={"history": history})
