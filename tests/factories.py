"""Test data shared across the test packages (and the benchmarks): the demo export and the
changes tests make to it. Every person in it is synthetic."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

from hjemmetjeneste.domain import MunicipalityData, PlanResult, ShiftKind

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
"""The committed demo municipality export (``hjemmetjeneste demo``, seed 2026)."""


def off_shift(
    data: MunicipalityData, staff_id: str, day: date, shift: ShiftKind
) -> MunicipalityData:
    """The same export with ``staff_id`` taken off ``shift`` on ``day`` (a sick call)."""
    entries = tuple(
        e
        for e in data.roster.entries
        if not (e.staff_id == staff_id and e.date == day and e.shift == shift)
    )
    return data.model_copy(update={"roster": data.roster.model_copy(update={"entries": entries})})


def owners(result: PlanResult) -> dict[str, frozenset[str]]:
    """Visit id -> the staff ids serving it in ``result``."""
    found: dict[str, set[str]] = defaultdict(set)
    for worklist in result.worklists:
        for visit in worklist.visits:
            found[visit.visit_id].add(worklist.staff_id)
    return {k: frozenset(v) for k, v in found.items()}
