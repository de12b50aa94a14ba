"""Care history (what published shifts did) for planning the next ones.

:func:`served_tasks` reads a published plan as served tasks; the lookups give the problem
builder (:mod:`hjemmetjeneste.planning.to_problem`) what it needs from the history: the last
dose of each gap group (gap rules across shifts) and who served each patient when
(continuity of care).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from hjemmetjeneste.domain import CareHistory, MunicipalityData, PlanResult, ServedTask

__all__ = ["caregivers_by_patient", "last_doses", "served_tasks"]


def served_tasks(data: MunicipalityData, result: PlanResult) -> tuple[ServedTask, ...]:
    """What a published plan did, task by task: who started it when, with its gap rule."""
    interventions = {i.intervention_id: i for c in data.care_plans for i in c.interventions}
    staff: dict[str, list[str]] = {}
    first: dict[str, tuple[str, str, datetime]] = {}
    for worklist in result.worklists:
        for visit in worklist.visits:
            for task in visit.tasks:
                staff.setdefault(task.task_id, []).append(worklist.staff_id)
                first.setdefault(
                    task.task_id, (task.intervention_id, visit.patient_id, visit.start)
                )
    served = []
    for task_id, (intervention_id, patient_id, start) in first.items():
        intervention = interventions.get(intervention_id)
        served.append(
            ServedTask(
                task_id=task_id,
                intervention_id=intervention_id,
                patient_id=patient_id,
                staff_ids=tuple(staff[task_id]),
                start=start,
                gap_group=intervention.gap_group if intervention else None,
                min_gap_min=intervention.min_gap_min if intervention else 0,
                max_gap_min=intervention.max_gap_min if intervention else None,
            )
        )
    return tuple(served)


def last_doses(history: CareHistory) -> dict[tuple[str, str], ServedTask]:
    """The latest served task per (patient, gap group) in the history."""
    last: dict[tuple[str, str], ServedTask] = {}
    for t in history.served:
        if t.gap_group is None:
            continue
        key = (t.patient_id, t.gap_group)
        if key not in last or t.start > last[key].start:
            last[key] = t
    return last


def caregivers_by_patient(
    history: CareHistory,
) -> dict[str, list[tuple[datetime, tuple[str, ...]]]]:
    """Per patient: (start, staff ids) of every served task in the history."""
    by_patient: dict[str, list[tuple[datetime, tuple[str, ...]]]] = defaultdict(list)
    for t in history.served:
        by_patient[t.patient_id].append((t.start, t.staff_ids))
    return by_patient
