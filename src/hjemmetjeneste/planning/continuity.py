"""Continuity of care over planned shifts: distinct caregivers per patient."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from hjemmetjeneste.domain import PlanResult


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
