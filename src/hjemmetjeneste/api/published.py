"""Published shifts, prepared once per version: nurses' worklists pre-serialised, patients' visits.

A publication never changes once written, so everything a reader needs from it is built
once per (municipality, district, date, shift, version) and kept in memory: the hot path
(a nurse fetching her worklist) is one small query for the current version and a dictionary
look-up of ready JSON bytes.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Engine

from hjemmetjeneste.api.schemas import (
    NurseWorklistPublic,
    PatientVisitPublic,
    RetimedVisitPublic,
    WorklistChangesPublic,
)
from hjemmetjeneste.domain import PlanResult, Worklist
from hjemmetjeneste.store import runs
from hjemmetjeneste.store.codec import plan_result_from_json

__all__ = ["PublishedCache", "PublishedShift"]

_Key = tuple[str, str, str, str, int]


@dataclass(frozen=True)
class PublishedShift:
    """One published version, ready to serve."""

    publication: runs.PublicationRecord
    result: PlanResult
    nurse_json: dict[str, bytes] = field(default_factory=dict)
    worklists: dict[str, Worklist] = field(default_factory=dict)
    patient_visits: dict[str, list[PatientVisitPublic]] = field(default_factory=dict)


def _changes(
    current: Worklist, previous: Worklist | None, previous_version: int | None
) -> WorklistChangesPublic:
    if previous is None:
        return WorklistChangesPublic(
            previous_version=previous_version,
            added_visit_ids=[v.visit_id for v in current.visits] if previous_version else [],
            removed_visit_ids=[],
            retimed=[],
        )
    before = {v.visit_id: v for v in previous.visits}
    now = {v.visit_id: v for v in current.visits}
    return WorklistChangesPublic(
        previous_version=previous_version,
        added_visit_ids=[v for v in now if v not in before],
        removed_visit_ids=[v for v in before if v not in now],
        retimed=[
            RetimedVisitPublic(
                visit_id=v.visit_id,
                previous_start=before[v.visit_id].start,
                start=v.start,
                previous_sequence=before[v.visit_id].sequence,
                sequence=v.sequence,
            )
            for v in current.visits
            if v.visit_id in before
            and (before[v.visit_id].start != v.start or before[v.visit_id].sequence != v.sequence)
        ],
    )


class PublishedCache:
    """Prepared publications, least recently used dropped past ``max_entries``."""

    def __init__(self, engine: Engine, max_entries: int = 512, version_ttl_s: float = 1.0) -> None:
        self._engine = engine
        self._max = max_entries
        self._items: OrderedDict[_Key, PublishedShift] = OrderedDict()
        self._lock = threading.Lock()
        self._ttl = version_ttl_s
        self._current: dict[tuple[str, date, str], tuple[float, list[runs.PublicationRecord]]] = {}

    def current(
        self, municipality_id: str, plan_date: date, shift: str
    ) -> list[runs.PublicationRecord]:
        """The current publications of one shift (all districts), at most ``version_ttl_s`` old.

        Publishing through this process invalidates at once; another server process sees a
        new version within ``version_ttl_s``. This keeps the hot path off the database.
        """
        key = (municipality_id, plan_date, shift)
        now = time.monotonic()
        hit = self._current.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        records = runs.current_publications(self._engine, municipality_id, plan_date, shift)
        if len(self._current) > 4 * self._max:
            self._current.clear()
        self._current[key] = (now + self._ttl, records)
        return records

    def peek(
        self, municipality_id: str, plan_date: date, shift: str
    ) -> list[PublishedShift] | None:
        """The prepared current publications of one shift if all are cached and fresh, else None
        (then call :meth:`current` and :meth:`get`, which may query and build)."""
        hit = self._current.get((municipality_id, plan_date, shift))
        if hit is None or hit[0] <= time.monotonic():
            return None
        out = []
        for pub in hit[1]:
            item = self._items.get(
                (
                    municipality_id,
                    pub.district_id,
                    pub.plan_date.isoformat(),
                    pub.shift,
                    pub.version,
                )
            )
            if item is None:
                return None
            out.append(item)
        return out

    def invalidate(self, municipality_id: str, plan_date: date, shift: str) -> None:
        """Forget the cached current version of one shift (after publishing it)."""
        self._current.pop((municipality_id, plan_date, shift), None)

    def get(self, municipality_id: str, publication: runs.PublicationRecord) -> PublishedShift:
        """The prepared version ``publication`` of ``municipality_id`` (built on first use)."""
        key = (
            municipality_id,
            publication.district_id,
            publication.plan_date.isoformat(),
            publication.shift,
            publication.version,
        )
        item = self._items.get(key)
        if item is not None:
            return item
        built = self._build(municipality_id, publication)
        with self._lock:
            self._items[key] = built
            while len(self._items) > self._max:
                self._items.popitem(last=False)
        return built

    def _result(self, municipality_id: str, run_id: str) -> PlanResult:
        text = runs.run_result_json(self._engine, municipality_id, run_id)
        if text is None:  # pragma: no cover - publishing requires a finished run
            raise LookupError(f"run {run_id} has no result")
        return plan_result_from_json(text)

    def _build(self, municipality_id: str, pub: runs.PublicationRecord) -> PublishedShift:
        result = self._result(municipality_id, pub.run_id)
        previous: dict[str, Worklist] = {}
        previous_version: int | None = None
        if pub.version > 1:
            history = runs.publication_history(
                self._engine, municipality_id, pub.district_id, pub.plan_date, pub.shift
            )
            older = [h for h in history if h.version < pub.version]
            if older:
                previous_version = older[0].version
                prev_result = self._result(municipality_id, older[0].run_id)
                previous = {w.staff_id: w for w in prev_result.worklists}
        shift = PublishedShift(publication=pub, result=result)
        caregivers: dict[tuple[str, str], list[str]] = {}
        first_seen: dict[tuple[str, str], tuple[datetime, datetime]] = {}
        first_names = {w.staff_id: w.first_name for w in result.worklists}
        for worklist in result.worklists:
            shift.worklists[worklist.staff_id] = worklist
            partners = {p for v in worklist.visits for p in v.partner_staff_ids}
            payload = NurseWorklistPublic(
                municipality_id=municipality_id,
                district_id=pub.district_id,
                date=pub.plan_date,
                shift=result.shift,
                version=pub.version,
                published_at=pub.published_at,
                worklist=worklist,
                changes=_changes(worklist, previous.get(worklist.staff_id), previous_version),
                partner_first_names={p: first_names.get(p, "") for p in sorted(partners)},
            )
            shift.nurse_json[worklist.staff_id] = payload.model_dump_json().encode()
            for visit in worklist.visits:
                key = (visit.patient_id, visit.visit_id)
                caregivers.setdefault(key, []).append(worklist.first_name)
                first_seen.setdefault(key, (visit.window_start, visit.window_end))
        for (patient_id, _visit_id), names in caregivers.items():
            start, end = first_seen[(patient_id, _visit_id)]
            shift.patient_visits.setdefault(patient_id, []).append(
                PatientVisitPublic(
                    date=pub.plan_date,
                    shift=result.shift,
                    window_start=start,
                    window_end=end,
                    caregiver_first_names=sorted(set(names)),
                )
            )
        return shift
