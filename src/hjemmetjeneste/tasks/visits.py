"""Visits (besøk): a patient's tasks whose start windows overlap, done in one stop.

Rules:

- Tasks are grouped per patient and taken in the order ``(window_start, task_id)``.
- Greedy first fit: each task joins the first visit opened so far for its patient that has the
  same ``staff_count`` and whose window (the intersection of its tasks' windows) still meets
  the task's window; otherwise it opens a new visit. Windows are closed intervals, so windows
  that only touch, or a zero-width window at the edge, do meet. Tasks with different staff
  counts are never merged: double-staffed work stays its own visit. Tasks marked
  ``separate_visit``, tasks with several alternative windows, and two tasks of one gap group
  (doses that must be apart) are never merged either.
- A visit's window is the intersection of its tasks' windows (``Visit.window_start`` /
  ``Visit.window_end``); its tasks keep the order above.
- ``visit_id`` is ``f"visit:{first_task_id}"`` with the visit's earliest task: unique because
  each task lies in exactly one visit, and stable across runs and when unrelated tasks come
  or go.
- Output is sorted by (window start, patient_id, visit_id).

All comparisons are made on UTC instants, so they are exact across DST changes whatever
tzinfo the tasks carry.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from hjemmetjeneste.domain import Task, Visit


def _utc(moment: datetime) -> datetime:
    """The instant in UTC, for exact comparisons whatever the tzinfo."""
    return moment.astimezone(UTC)


def _task_order(task: Task) -> tuple[datetime, str]:
    """Sort key of tasks: start of window (as an instant), then id."""
    return (_utc(task.window_start), task.task_id)


@dataclass
class _OpenVisit:
    """A visit being built: its staff count, window intersection (UTC) and tasks."""

    staff_count: int
    start: datetime
    end: datetime
    tasks: list[Task] = field(default_factory=list)

    def try_add(self, task: Task) -> bool:
        """Add ``task`` when it fits (same staff count, windows meet); report whether it did."""
        if task.staff_count != self.staff_count or not _mergeable(task):
            return False
        if any(not _mergeable(t) for t in self.tasks):
            return False
        if task.gap_group is not None and any(t.gap_group == task.gap_group for t in self.tasks):
            return False
        start = max(self.start, _utc(task.window_start))
        end = min(self.end, _utc(task.window_end))
        if start > end:
            return False
        self.start, self.end = start, end
        self.tasks.append(task)
        return True


def _mergeable(task: Task) -> bool:
    """False for tasks that must stay a visit of their own."""
    return not task.separate_visit and not task.alternative_windows


def merge_into_visits(tasks: Sequence[Task]) -> tuple[Visit, ...]:
    """Merge tasks into visits, per patient, by overlapping start windows.

    See the module docstring for the merge rule, the visit ids and the output order.
    Raises ValueError when two tasks share a task_id.
    """
    counts = Counter(t.task_id for t in tasks)
    duplicates = sorted(task_id for task_id, n in counts.items() if n > 1)
    if duplicates:
        raise ValueError(f"task ids must be unique; repeated: {', '.join(duplicates[:10])}")

    by_patient: dict[str, list[Task]] = {}
    for task in tasks:
        by_patient.setdefault(task.patient_id, []).append(task)

    visits: list[Visit] = []
    for patient_id, patient_tasks in by_patient.items():
        open_visits: list[_OpenVisit] = []
        for task in sorted(patient_tasks, key=_task_order):
            if not any(v.try_add(task) for v in open_visits):
                open_visits.append(
                    _OpenVisit(
                        staff_count=task.staff_count,
                        start=_utc(task.window_start),
                        end=_utc(task.window_end),
                        tasks=[task],
                    )
                )
        visits.extend(
            Visit(
                visit_id=f"visit:{v.tasks[0].task_id}",
                patient_id=patient_id,
                tasks=tuple(v.tasks),
            )
            for v in open_visits
        )
    return tuple(sorted(visits, key=_visit_order))


def _visit_order(visit: Visit) -> tuple[datetime, str, str]:
    """Sort key of visits: start of the joint window (as an instant), patient, id."""
    start = max(_utc(t.window_start) for t in visit.tasks)
    return (start, visit.patient_id, visit.visit_id)
