"""Minimal-change re-planning of a published shift after the day's events (sick calls,
cancellations, hospital admissions and discharges, emergency visits).

Pure over the planning code: :func:`prepare` turns a published plan, "now" and the events
into the day plan to solve (paused patients' visits taken out and reported as cancelled, an
emergency visit added with its deadline); :func:`freeze` edits the built problem so that
everything started, done or planned to start before now stays with the same caregiver at the
same time, the absent caregiver gets nothing from her absence on, and nothing new starts
before now; it returns the previous worklists (``map_plan``) as the warm start, with a
stability cost on moving a visit to another caregiver (``with_stability``).
:func:`visit_changes` compares the two versions per visit. A discharge changes the care plan
(:func:`apply_discharges`): its interventions reach the plans from the discharge date through
the normal task generation. :func:`hjemmetjeneste.pipeline.replan_shift` chains them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from hjemmetjeneste.domain import (
    CarePlan,
    CompetenceLevel,
    DayPlan,
    Intervention,
    MunicipalityData,
    Patient,
    PlanResult,
    Priority,
    ProblemArea,
    Task,
    Visit,
)
from hjemmetjeneste.domain.events import (
    ChangeType,
    EmergencyVisit,
    Event,
    HospitalAdmission,
    HospitalDischarge,
    PatientAbsence,
    StaffAbsence,
    VisitChange,
    VisitSlot,
)
from hjemmetjeneste.errors import Phrase, PlanRequestError, unknown_patient
from hjemmetjeneste.i18n import N_
from hjemmetjeneste.planning.mapping import map_plan
from hjemmetjeneste.planning.to_problem import BuiltProblem
from hjemmetjeneste.planning.warmstart import with_stability
from hjemmetjeneste.solver import Route, RouteStop, Solution
from hjemmetjeneste.tasks import local_datetime

__all__ = [
    "EMERGENCY_DESCRIPTION",
    "HOLD_MIN",
    "TOLERANCE_MIN",
    "CancelledTask",
    "Prepared",
    "apply_discharges",
    "by_nurse",
    "by_patient",
    "freeze",
    "kept_solution",
    "prepare",
    "visit_changes",
]

TOLERANCE_MIN = 15
"""A visit whose start shifts by more than this many minutes counts as moved."""

FROZEN_PENALTY = 10**9
"""Drop penalty of a frozen visit (started, done or before now): above any trade."""

HOLD_MIN = 30
"""A visit the events leave alone starts at most this many minutes from its planned start
(the default threshold of the patients' notices: an unaffected patient gets none)."""

EMERGENCY_DESCRIPTION = "Akutt besøk"
"""The task text of an emergency visit on the nurse's worklist (bokmål)."""


@dataclass(frozen=True)
class CancelledTask:
    """A task taken out of the plan by an event (a patient away or in hospital)."""

    task_id: str
    visit_id: str
    patient_id: str
    event_id: str


@dataclass(frozen=True)
class Prepared:
    """The day plan to re-plan and what the events did to it."""

    day_plan: DayPlan
    now: datetime
    frozen: frozenset[str]
    """Visit ids kept as they were: started, done, or planned to start before ``now``."""
    absent_from: Mapping[str, datetime]
    """Staff id -> when her absence begins (within this shift)."""
    cancelled: tuple[CancelledTask, ...]
    added: tuple[str, ...]
    """Visit ids of emergency visits added."""


# -- the care plan: discharges -------------------------------------------------------------


def apply_discharges(data: MunicipalityData, events: Mapping[str, Event]) -> MunicipalityData:
    """``data`` with every discharge's intervention changes in the patients' care plans.

    ``add`` makes an intervention valid from the discharge date; ``change`` ends the old one
    the day before and continues it, changed, from the discharge date (id ``<id>@<date>``);
    ``stop`` ends it the day before. Task generation does the rest. ValueError when a change
    names an intervention the patient's plans do not hold.
    """
    discharges = sorted(
        ((eid, e) for eid, e in events.items() if isinstance(e, HospitalDischarge)),
        key=lambda item: (item[1].discharged_on, item[0]),
    )
    if not discharges:
        return data
    plans = {p.care_plan_id: p for p in data.care_plans}
    for event_id, discharge in discharges:
        own = [p for p in plans.values() if p.patient_id == discharge.patient_id]
        if not own:
            if not any(p.patient_id == discharge.patient_id for p in data.patients):
                raise unknown_patient(N_("discharge"), event_id, discharge.patient_id)
            own = [
                CarePlan(care_plan_id=f"CP-{discharge.patient_id}", patient_id=discharge.patient_id)
            ]
        for k, change in enumerate(discharge.interventions):
            day = discharge.discharged_on
            if change.action == "add":
                target = own[0]
                new = Intervention(
                    intervention_id=change.intervention_id or f"{event_id}-{k + 1}",
                    patient_id=discharge.patient_id,
                    valid_from=day,
                    **change.fields(),  # type: ignore[arg-type]
                )
                own[0] = target.model_copy(update={"interventions": (*target.interventions, new)})
                continue
            found = [
                (n, i)
                for n, plan in enumerate(own)
                for i in plan.interventions
                if i.intervention_id == change.intervention_id
            ]
            if not found:
                raise PlanRequestError(
                    Phrase.of(
                        N_("discharge {event}: the patient's plan has no intervention {id}"),
                        event=event_id,
                        id=change.intervention_id,
                    )
                )
            n, old = found[0]
            kept: tuple[Intervention, ...] = ()
            if old.valid_from < day:
                kept = (old.model_copy(update={"valid_to": day - timedelta(days=1)}),)
            if change.action == "change":
                merged = old.model_dump() | change.fields() | {"valid_from": day}
                merged["intervention_id"] = f"{old.intervention_id}@{day.isoformat()}"
                merged["valid_to"] = old.valid_to if old.valid_to and old.valid_to >= day else None
                kept += (Intervention.model_validate(merged),)
            rest = tuple(i for i in own[n].interventions if i is not old)
            own[n] = own[n].model_copy(update={"interventions": rest + kept})
        for plan in own:
            plans[plan.care_plan_id] = plan
    return data.model_copy(update={"care_plans": tuple(plans.values())})


# -- the day plan: pauses, emergencies, what is frozen ---------------------------------------


def _pauses(
    events: Mapping[str, Event], zone: ZoneInfo
) -> dict[str, list[tuple[datetime, datetime | None, str]]]:
    """Per patient: (from, until or None, event id) during which home visits are paused."""
    pauses: dict[str, list[tuple[datetime, datetime | None, str]]] = {}
    for event_id, event in events.items():
        if isinstance(event, PatientAbsence):
            pauses.setdefault(event.patient_id, []).append((event.start, event.end, event_id))
        elif isinstance(event, HospitalAdmission):
            back = [
                local_datetime(e.discharged_on, time(0, 0), zone)
                for e in events.values()
                if isinstance(e, HospitalDischarge)
                and e.patient_id == event.patient_id
                and e.discharged_on >= event.admitted_at.astimezone(zone).date()
            ]
            until = min(back) if back else None
            pauses.setdefault(event.patient_id, []).append((event.admitted_at, until, event_id))
    return pauses


def _emergency_visit(event_id: str, event: EmergencyVisit, now: datetime) -> Visit:
    """The emergency as a one-task, time-critical visit starting in [now, deadline]."""
    asked = event.requested_at or now
    start = max(asked, now)
    end = max(asked + timedelta(minutes=event.within_min), start)
    task = Task(
        task_id=f"emergency-{event_id}",
        intervention_id=f"emergency-{event_id}",
        patient_id=event.patient_id,
        date=event.date,
        window_start=start,
        window_end=end,
        duration_min=event.duration_min,
        description=EMERGENCY_DESCRIPTION,
        problem_area=ProblemArea.ADVANCED_TREATMENT,
        required_competence=event.competence or CompetenceLevel.ASSISTANT,
        priority=Priority.HIGH,
        time_critical=True,
        separate_visit=True,
    )
    return Visit(visit_id=f"emergency-{event_id}", patient_id=event.patient_id, tasks=(task,))


def prepare(
    day_plan: DayPlan,
    previous: PlanResult,
    now: datetime,
    events: Mapping[str, Event],
    *,
    started: Collection[str] = (),
    patients: Iterable[Patient] = (),
) -> Prepared:
    """The day plan to re-plan from ``now``, given the published ``previous`` plan.

    Frozen: every visit of ``previous``'s worklists that starts before ``now`` and every
    visit in ``started`` (ids of visits the nurses marked started or done). A patient's
    visit that is not frozen and starts (as planned, or by its window when it was unplaced)
    while the patient is away or in hospital is taken out and listed as cancelled with the
    event's id. An emergency visit of this date and shift is added; its patient comes from
    ``patients`` when the day plan has no visit of hers. ``events`` maps event ids to events.
    """
    zone = ZoneInfo(day_plan.municipality.timezone)
    planned: dict[str, datetime] = {}
    for worklist in previous.worklists:
        for visit in worklist.visits:
            planned[visit.visit_id] = min(visit.start, planned.get(visit.visit_id, visit.start))
    frozen = frozenset(v for v, at in planned.items() if at < now) | frozenset(
        v for v in started if v in planned
    )
    pauses = _pauses(events, zone)
    cancelled: list[CancelledTask] = []
    visits: list[Visit] = []
    for visit in day_plan.visits:
        at = planned.get(visit.visit_id, visit.window_start)
        hit = next(
            (
                event_id
                for start, until, event_id in pauses.get(visit.patient_id, ())
                if start <= at and (until is None or at < until)
            ),
            None,
        )
        if hit is None or visit.visit_id in frozen:
            visits.append(visit)
        else:
            cancelled += [
                CancelledTask(t.task_id, visit.visit_id, visit.patient_id, hit) for t in visit.tasks
            ]
    shift = day_plan.shift
    known = {p.patient_id: p for p in day_plan.patients}
    extra = {p.patient_id: p for p in patients}
    added: list[str] = []
    for event_id, event in sorted(events.items()):
        if not isinstance(event, EmergencyVisit):
            continue
        if (event.date, event.shift) != (shift.date, shift.kind):
            continue
        if event.patient_id not in known:
            if event.patient_id not in extra:
                raise unknown_patient(N_("emergency"), event_id, event.patient_id)
            known[event.patient_id] = extra[event.patient_id]
        visit = _emergency_visit(event_id, event, now)
        visits.append(visit)
        added.append(visit.visit_id)
    absent_from: dict[str, datetime] = {}
    on_shift = {s.staff_id for s in day_plan.staff}
    for event in events.values():
        if isinstance(event, StaffAbsence) and event.staff_id in on_shift:
            overlaps = event.start < shift.end and (event.end is None or event.end > now)
            if overlaps:
                begins = max(event.start, shift.start)
                absent_from[event.staff_id] = min(begins, absent_from.get(event.staff_id, begins))
    updated = day_plan.model_copy(
        update={
            "visits": tuple(visits),
            "patients": tuple(sorted(known.values(), key=lambda p: p.patient_id)),
        }
    )
    return Prepared(updated, now, frozen, absent_from, tuple(cancelled), tuple(added))


def freeze(
    prepared: Prepared,
    previous: PlanResult,
    built: BuiltProblem,
    stability_weight: int,
    hold_min: int | None = HOLD_MIN,
) -> tuple[BuiltProblem, list[list[int]]]:
    """``built`` with the re-plan's rules, and the previous worklists as initial routes.

    Frozen visits are pinned to their caregiver and start. A job that is not frozen may not
    start before now (a window already passed leaves it unplaced, no time left) and may not go
    to a caregiver absent by then; a caregiver whose absence begins later keeps only jobs that
    end before it. Moving a routed job to another caregiver costs ``stability_weight``; a
    routed job of a caregiver still at work starts within ``hold_min`` of its planned start
    (None: anywhere in its window), so that the visits the events do not touch keep their
    times and their patients get no notice.
    """
    problem, index = built.problem, built.index
    now_s = index.to_seconds(prepared.now)
    hold_s = (hold_min or 0) * 60
    mapping = map_plan(prepared.day_plan, built, previous)
    absent = {
        v: index.to_seconds(prepared.absent_from[staff_id])
        for v, staff_id in enumerate(index.vehicle_staff)
        if staff_id in prepared.absent_from
    }
    fixed: dict[int, tuple[int, int]] = {}
    held: dict[int, int] = {}
    for mapped in mapping.worklists:
        for stop in mapped.stops:
            at = index.to_seconds(stop.visit.start)
            if stop.visit.visit_id in prepared.frozen:
                fixed[stop.node] = (mapped.vehicle, at)
            elif hold_min is not None and mapped.vehicle not in absent:
                held[stop.node] = at
    allowed = list(problem.allowed_vehicles)
    refused = list(problem.refused_vehicles)
    windows = list(problem.time_windows)
    start_s, end_s = problem.window_start_s.copy(), problem.window_end_s.copy()
    pinned_v, pinned_s = problem.pinned_vehicle.copy(), problem.pinned_start_s.copy()
    penalty = problem.drop_penalty.copy()
    for node in problem.job_nodes:
        if node in fixed:
            v, at = fixed[node]
            allowed[node], pinned_v[node], pinned_s[node] = (v,), v, at
            # Done or under way: never worth dropping (a ruin-and-recreate search would
            # otherwise trade a cheap frozen visit for two others).
            penalty[node] = FROZEN_PENALTY
            refused[node] = tuple(r for r in refused[node] if r != v)
            windows[node], start_s[node], end_s[node] = ((at, at),), at, at
            continue
        lo, hi = now_s, None
        if node in held:
            lo, hi = max(now_s, held[node] - hold_s), held[node] + hold_s
        open_ = tuple(
            (max(a, lo), b if hi is None else min(b, hi))
            for a, b in windows[node]
            if b >= lo and (hi is None or a <= hi)
        )
        if open_:
            windows[node], start_s[node], end_s[node] = open_, open_[0][0], open_[-1][1]
        service = int(problem.service_s[node])
        allowed[node] = tuple(
            v
            for v in (allowed[node] if open_ else ())
            if v not in absent or (absent[v] > now_s and int(end_s[node]) + service <= absent[v])
        )
        if int(pinned_v[node]) >= 0 and int(pinned_v[node]) not in allowed[node]:
            pinned_v[node] = -1
        if 0 <= int(pinned_s[node]) < now_s:
            pinned_s[node] = -1
    changed = dataclasses.replace(
        problem,
        allowed_vehicles=tuple(allowed),
        refused_vehicles=tuple(refused),
        time_windows=tuple(windows),
        window_start_s=start_s,
        window_end_s=end_s,
        pinned_vehicle=pinned_v,
        pinned_start_s=pinned_s,
        drop_penalty=penalty,
        soft_window_end_s=np.minimum(problem.soft_window_end_s, end_s),
    )
    frozen_built = dataclasses.replace(built, problem=changed)
    routes = map_plan(prepared.day_plan, frozen_built, previous).routes(changed.n_vehicles)
    stable = with_stability(changed, routes, stability_weight)
    return dataclasses.replace(frozen_built, problem=stable), routes


# -- what changed --------------------------------------------------------------------------


def _slots(result: PlanResult) -> tuple[dict[str, list[VisitSlot]], dict[str, str]]:
    slots: dict[str, list[VisitSlot]] = {}
    patient: dict[str, str] = {}
    for worklist in result.worklists:
        for visit in worklist.visits:
            slots.setdefault(visit.visit_id, []).append(
                VisitSlot(staff_id=worklist.staff_id, start=visit.start)
            )
            patient[visit.visit_id] = visit.patient_id
    return slots, patient


def visit_changes(
    previous: PlanResult,
    result: PlanResult,
    cancelled: Iterable[CancelledTask] = (),
    tolerance_min: int = TOLERANCE_MIN,
) -> tuple[VisitChange, ...]:
    """Every visit that changed from ``previous`` to ``result``: added, removed (now
    unplaced), cancelled by an event, moved (same caregiver, start shifted by more than
    ``tolerance_min``) or reassigned (another caregiver)."""
    before, patient_before = _slots(previous)
    after, patient_after = _slots(result)
    patient = patient_before | patient_after
    event_of = {c.visit_id: c.event_id for c in cancelled}
    patient |= {c.visit_id: c.patient_id for c in cancelled}
    tolerance = timedelta(minutes=tolerance_min)
    changes: list[VisitChange] = []

    def add(visit_id: str, kind: ChangeType, b: VisitSlot | None, a: VisitSlot | None) -> None:
        changes.append(
            VisitChange(
                visit_id=visit_id,
                patient_id=patient[visit_id],
                type=kind,
                before=b,
                after=a,
                event_id=event_of.get(visit_id),
            )
        )

    for visit_id in sorted(before.keys() | after.keys() | event_of.keys()):
        old, new = before.get(visit_id, []), after.get(visit_id, [])
        if not new:
            kind = ChangeType.CANCELLED if visit_id in event_of else ChangeType.REMOVED
            for slot in old or [None]:
                if slot is not None or kind == ChangeType.CANCELLED:
                    add(visit_id, kind, slot, None)
            continue
        if not old:
            for slot in new:
                add(visit_id, ChangeType.ADDED, None, slot)
            continue
        old_by = {s.staff_id: s for s in old}
        new_by = {s.staff_id: s for s in new}
        for staff_id in sorted(old_by.keys() & new_by.keys()):
            if abs(new_by[staff_id].start - old_by[staff_id].start) > tolerance:
                add(visit_id, ChangeType.MOVED, old_by[staff_id], new_by[staff_id])
        gone = [old_by[s] for s in sorted(old_by.keys() - new_by.keys())]
        came = [new_by[s] for s in sorted(new_by.keys() - old_by.keys())]
        for b, a in zip(gone, came, strict=False):
            add(visit_id, ChangeType.REASSIGNED, b, a)
        for b in gone[len(came) :]:
            add(visit_id, ChangeType.REMOVED, b, None)
        for a in came[len(gone) :]:
            add(visit_id, ChangeType.ADDED, None, a)
    return tuple(changes)


def by_nurse(changes: Iterable[VisitChange]) -> dict[str, list[VisitChange]]:
    """The changes per caregiver: each change under the caregiver before and after."""
    out: dict[str, list[VisitChange]] = {}
    for change in changes:
        staff = {s.staff_id for s in (change.before, change.after) if s is not None}
        for staff_id in sorted(staff):
            out.setdefault(staff_id, []).append(change)
    return out


def by_patient(changes: Iterable[VisitChange]) -> dict[str, list[VisitChange]]:
    """The changes per patient."""
    out: dict[str, list[VisitChange]] = {}
    for change in changes:
        out.setdefault(change.patient_id, []).append(change)
    return out


def kept_solution(
    built: BuiltProblem, routes: list[list[int]], previous: PlanResult, status: str
) -> Solution:
    """The initial routes at their previous start times, as a solution: the fallback when the
    search returns nothing better in its time (a loaded machine can stop OR-Tools before it
    has even read the routes back). Frozen and held visits keep their times; what the routes
    leave out (an absent caregiver's later visits) is dropped, so it is reported unplaced.
    Removing stops from a feasible route keeps it feasible; :func:`check_solution` confirms.
    """
    problem, index = built.problem, built.index
    starts = {
        (v.visit_id, w.staff_id): index.to_seconds(v.start)
        for w in previous.worklists
        for v in w.visits
    }
    pauses = {
        w.staff_id: tuple(
            (index.to_seconds(b.start), int((b.end - b.start).total_seconds())) for b in w.breaks
        )
        for w in previous.worklists
    }
    routed = {n for route in routes for n in route}
    half = {n for a, b in problem.sync_groups if (a in routed) != (b in routed) for n in (a, b)}
    out: list[Route] = []
    served: set[int] = set()
    for v, full in enumerate(routes):
        route = [n for n in full if n not in half]
        travel, staff = problem.travel_for(v), index.vehicle_staff[v]
        here = int(problem.vehicle_start_node[v])
        at = [starts[(index.job_visit[n] or "", staff)] for n in route]
        depart = int(problem.vehicle_start_s[v])
        if route:
            depart = max(depart, at[0] - int(travel[here, route[0]]))
        free = depart
        stops: list[RouteStop] = []
        for node, start in zip(route, at, strict=True):
            stops.append(RouteStop(node, free + int(travel[here, node]), start))
            here, free = node, start + int(problem.service_s[node])
            served.add(node)
        back = free + int(travel[here, int(problem.vehicle_end_node[v])]) if stops else depart
        breaks = pauses.get(staff, ()) if problem.vehicle_breaks[v] else ()
        out.append(Route(v, depart, tuple(stops), back, breaks))
    dropped = tuple(n for n in problem.job_nodes if n not in served)
    objective = sum(
        int(problem.travel_for(r.vehicle)[a, b])
        for r in out
        for a, b in zip(
            [int(problem.vehicle_start_node[r.vehicle]), *(s.node for s in r.stops)],
            [*(s.node for s in r.stops), int(problem.vehicle_end_node[r.vehicle])],
            strict=True,
        )
        if r.stops
    ) + int(sum(problem.drop_penalty[n] for n in dropped))
    return Solution(tuple(out), dropped, objective, status, 0.0, warm_start="kept")
