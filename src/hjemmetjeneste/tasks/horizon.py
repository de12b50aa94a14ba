"""Continuity of care seen over the rota period: each patient's permanent caregivers.

Experimental and off (``PlanningRules.continuity_horizon``): on the demo it cost travel and
no continuity (benchmarks/results/continuity.md).

A district that keeps continuity gives each patient a few permanent caregivers ("faste
pleiere") for the rota period before the days are planned, from the roster: people who work
the patient's shifts, are qualified for her visits and have their other patients nearby.
:func:`preferred_caregivers` does that with a greedy cover per patient: it adds, one at a
time, the caregiver who takes most of the patient's still uncovered visits of the period
(on shift, qualified, not refused, with room left on that shift), discounted by her
distance from the patients she already has, until every visit has its caregivers (two for
a double-staffed one) or no one can take more. A member of her care team counts more
(``TEAM_BONUS``). Room is a rough capacity per caregiver and shift: her share of the
shift's visit minutes with ``CAPACITY_SLACK`` to spare, and at least the shift's longest
visit (travel and time windows are left to each shift's search). Patients with the most
visit minutes are covered first. The same roster gives the same sets (ties go to the lower id).

The rota period is the block of ``continuity_days`` days, counted from the roster's first
date in the district, that holds the plan's day: every shift of the block sees the same
sets. Each shift's search then treats a patient's set (and whoever has already visited her
in the last ``continuity_days``) as free and anyone else at the continuity weight
(:mod:`hjemmetjeneste.planning.to_problem`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from hjemmetjeneste.domain import MunicipalityData, ShiftKind
from hjemmetjeneste.tasks.dayplan import district_care, expand_on, shift_visits
from hjemmetjeneste.tasks.shifts import shift_instance

CAPACITY_SLACK = 1.25
"""A caregiver's room on a shift: her share of the shift's visit minutes times this."""
COMPACT_KM = 1.0
"""A caregiver this far from the centre of her other patients counts half as much."""

TEAM_BONUS = 1.5
"""A member of the patient's care team (and her primary contact) counts this much more."""

ShiftKey = tuple[date, ShiftKind]


@dataclass(frozen=True)
class Need:
    """One visit of the period as the cover sees it."""

    shift: ShiftKey
    able: frozenset[str]
    """Caregivers on the visit's shift who may do it (qualified, not refused)."""
    count: int
    """Caregivers the visit needs (2: double-staffed)."""
    minutes: int


def cover(
    needs: dict[str, list[Need]],
    room: dict[tuple[str, ShiftKey], float],
    where: dict[str, tuple[float, float]],
    teams: dict[str, frozenset[str]] | None = None,
) -> dict[str, tuple[str, ...]]:
    """Per patient, her permanent caregivers (sorted ids): the greedy cover of the module
    docstring. ``room``: minutes each caregiver can take per shift; ``where``: the
    patients' (lat, lon); ``teams``: the patients' care teams (members count TEAM_BONUS
    times as much)."""
    teams = teams or {}
    load: dict[tuple[str, ShiftKey], float] = defaultdict(float)
    centre: dict[str, list[float]] = {}
    chosen_by: dict[str, tuple[str, ...]] = {}
    order = sorted(needs, key=lambda p: (-sum(n.minutes * n.count for n in needs[p]), p))
    for patient in order:
        left = [[n, n.count] for n in needs[patient]]
        chosen: list[str] = []
        here = where[patient]
        team = teams.get(patient, frozenset())
        while True:
            gain: dict[str, int] = defaultdict(int)
            for item in left:
                need, missing = item
                if not missing:
                    continue
                for s in need.able.difference(chosen):  # type: ignore[union-attr]
                    if load[s, need.shift] + need.minutes <= room.get((s, need.shift), 0.0):  # type: ignore[union-attr]
                        gain[s] += 1
            if not gain:
                break
            best = max(
                sorted(gain),
                key=lambda s: (
                    gain[s] * (TEAM_BONUS if s in team else 1.0) / (1 + _away(here, centre.get(s)))
                ),
            )
            chosen.append(best)
            for item in left:
                need, missing = item
                if (
                    missing
                    and best in need.able  # type: ignore[union-attr]
                    and load[best, need.shift] + need.minutes <= room.get((best, need.shift), 0.0)  # type: ignore[union-attr]
                ):
                    item[1] = missing - 1  # type: ignore[operator]
                    load[best, need.shift] += need.minutes  # type: ignore[union-attr]
            lat, lon, n = centre.get(best, [0.0, 0.0, 0.0])
            centre[best] = [lat + here[0], lon + here[1], n + 1]
        chosen_by[patient] = tuple(sorted(chosen))
    return chosen_by


def _away(here: tuple[float, float], centre: list[float] | None) -> float:
    """Distance from ``here`` to a caregiver's patients' centre, in COMPACT_KM units (one
    unit for a caregiver without patients yet)."""
    if centre is None:
        return 1.0
    lat, lon = centre[0] / centre[2], centre[1] / centre[2]
    dy = (here[0] - lat) * 111.2
    dx = (here[1] - lon) * 111.2 * math.cos(math.radians(lat))
    return math.hypot(dx, dy) / COMPACT_KM


def rota_period(data: MunicipalityData, day: date, district_id: str) -> tuple[date, date] | None:
    """The block of ``continuity_days`` days (from the district roster's first date, cut
    at its last) that holds ``day``; None when the roster does not cover ``day``."""
    dates = [e.date for e in data.roster.entries if e.district_id == district_id]
    if not dates or not min(dates) <= day <= max(dates):
        return None
    length = data.municipality.rules.continuity_days
    first = min(dates) + timedelta(days=(day - min(dates)).days // length * length)
    return first, min(first + timedelta(days=length - 1), max(dates))


@dataclass(frozen=True)
class Survey:
    """The district's visits of a period as the cover sees them."""

    needs: dict[str, list[Need]]
    """Per patient, her visits in time order."""
    room: dict[tuple[str, ShiftKey], float]
    """Minutes each caregiver can take on each of her shifts."""
    sets: dict[str, tuple[str, ...]]
    """Per patient, her permanent caregivers (:func:`cover`)."""


_CACHE: dict[tuple[int, str, date, date], tuple[MunicipalityData, Survey]] = {}


def survey(data: MunicipalityData, district_id: str, first: date, last: date) -> Survey:
    """Every shift the municipality defines from ``first`` to ``last``: the visits, who may
    do them, each caregiver's room, and the permanent caregivers :func:`cover` gives.
    Remembered for the last few ``data`` objects: every shift of a period asks."""
    key = (id(data), district_id, first, last)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is data:
        return hit[1]
    m = data.municipality
    patients, interventions = district_care(data, district_id)
    tasks_on = cache(expand_on(data, interventions))
    staff_by_id = {s.staff_id: s for s in data.staff}
    kinds = [k for k in ShiftKind if any(s.kind == k for s in m.shifts)]
    needs: dict[str, list[Need]] = defaultdict(list)
    room: dict[tuple[str, ShiftKey], float] = {}
    able_memo: dict[tuple[object, ...], frozenset[str]] = {}
    day = first
    while day <= last:
        for kind in kinds:
            entries = data.roster.entries_on(day, kind, district_id)
            if not entries:
                continue
            staff = [staff_by_id[e.staff_id] for e in entries]
            instance = shift_instance(m, day, kind)
            visits = shift_visits(tasks_on, day, instance)
            minutes = (instance.end - instance.start).total_seconds() / 60
            demand = sum(v.duration_min * v.staff_count for v in visits)
            share = min(1.0, CAPACITY_SLACK * demand / (minutes * len(staff)))
            longest = max((v.duration_min for v in visits), default=0)
            for s in staff:
                room[s.staff_id, (day, kind)] = max(share * minutes, longest)
            for v in visits:
                refused = patients[v.patient_id].refused_staff_ids
                key_ = (day, kind, v.required_competence, v.required_skills, refused)
                if key_ not in able_memo:
                    able_memo[key_] = frozenset(
                        s.staff_id
                        for s in staff
                        if s.staff_id not in refused
                        and s.qualifies_for(v.required_competence, v.required_skills)
                    )
                needs[v.patient_id].append(
                    Need((day, kind), able_memo[key_], v.staff_count, v.duration_min)
                )
        day += timedelta(days=1)
    where = {pid: (p.location.lat, p.location.lon) for pid, p in patients.items()}
    teams = {
        pid: p.care_team_ids | frozenset(filter(None, (p.primary_contact_id,)))
        for pid, p in patients.items()
    }
    result = Survey(dict(needs), room, cover(dict(needs), room, where, teams))
    if len(_CACHE) >= 4:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = (data, result)
    return result


def preferred_caregivers(
    data: MunicipalityData, district_id: str, first: date, last: date
) -> dict[str, tuple[str, ...]]:
    """Per patient of the district with visits from ``first`` to ``last``: her permanent
    caregivers for those days (:func:`cover` over every shift the municipality defines)."""
    return survey(data, district_id, first, last).sets


def coming_visits(
    data: MunicipalityData, day: date, shift: ShiftKind, district_id: str
) -> dict[str, tuple[frozenset[str], ...]]:
    """Per patient: who may do each of her visits on the shifts after ``shift`` of ``day``,
    up to ``continuity_days`` ahead and as far as the roster goes (the rota periods of
    :func:`rota_period` that hold them)."""
    horizon = data.municipality.rules.continuity_days
    order = list(ShiftKind)
    now = (day, order.index(shift))
    end = day + timedelta(days=horizon)
    periods = {rota_period(data, d, district_id) for d in (day, end)}
    coming: dict[str, list[frozenset[str]]] = defaultdict(list)
    for period in sorted(p for p in periods if p is not None):
        for patient, needs in survey(data, district_id, *period).needs.items():
            coming[patient] += [
                n.able
                for n in needs
                if now < (n.shift[0], order.index(n.shift[1])) and n.shift[0] <= end
            ]
    return {p: tuple(a) for p, a in coming.items() if a}
