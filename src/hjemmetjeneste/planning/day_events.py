"""The day's events in a first plan: a shift planned after an admission, an absence or a
sick call already known.

A re-plan (:mod:`hjemmetjeneste.planning.replan`) changes a published plan from "now" on; a
shift planned for the first time takes the events into its day plan instead
(:func:`apply_events`), so that a planner who plans Wednesday after Tuesday's admission gets
a Wednesday without that patient's visits — listed as cancelled with the event's id, never
dropped silently:

- a patient away or in hospital (the same pauses as the re-plan,
  :func:`hjemmetjeneste.planning.replan._pauses`): a visit that can neither be done before
  the pause begins nor start after it ends is cancelled; one that can is kept inside the part
  of its window outside the pause (the longer part when there are two);
- an absent caregiver is not rostered for her absence: absent the whole working day, she is
  off the shift; absent for part of it, her hours are cut (the longer part is kept when the
  absence lies inside the day);
- an emergency visit of the shift is added (the re-plan's visit; its window from the request);
- discharges change the care plan before the day plan is built
  (:func:`hjemmetjeneste.planning.replan.apply_discharges`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hjemmetjeneste.domain import (
    CancelledByEvent,
    DayPlan,
    Patient,
    PlanResult,
    StaffDay,
    Task,
    TaskOffWorklists,
    Visit,
)
from hjemmetjeneste.domain.events import EmergencyVisit, Event, StaffAbsence
from hjemmetjeneste.errors import unknown_patient
from hjemmetjeneste.i18n import N_
from hjemmetjeneste.planning.replan import CancelledTask, _emergency_visit, _pauses

__all__ = ["EventsApplied", "apply_events", "cancelled_tasks", "carried_cancellations"]

Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class EventsApplied:
    """A day plan with the day's events in it, and what they did."""

    day_plan: DayPlan
    cancelled: tuple[CancelledByEvent, ...]
    off_shift: tuple[tuple[str, str], ...]
    """(staff id, event id) of caregivers absent their whole working day."""
    hours_cut: tuple[tuple[str, str], ...]
    """(staff id, event id) of caregivers whose hours an absence shortened."""
    added: tuple[str, ...]
    """Visit ids of emergency visits added."""


def cancelled_tasks(visit: Visit, event_id: str) -> tuple[CancelledByEvent, ...]:
    """The visit's tasks as cancelled by ``event_id``."""
    return tuple(
        CancelledByEvent(
            task_id=t.task_id,
            visit_id=visit.visit_id,
            intervention_id=t.intervention_id,
            patient_id=t.patient_id,
            description=t.description,
            window_start=t.window_start,
            window_end=t.window_end,
            time_critical=t.time_critical,
            event_id=event_id,
        )
        for t in visit.tasks
    )


def carried_cancellations(
    previous: PlanResult, cancelled: Iterable[CancelledTask]
) -> tuple[tuple[CancelledByEvent, ...], tuple[CancelledTask, ...]]:
    """A re-plan's cancelled tasks (ids only) as the plan lists them, their details taken
    from the ``previous`` plan (a worklist, unplaced or already cancelled); and the ones the
    previous plan does not hold (a discharge's new task), for the caller to look up."""
    known: dict[str, CancelledByEvent] = {c.task_id: c for c in previous.cancelled}
    for u in previous.unplaced:
        known[u.task_id] = CancelledByEvent(
            **u.model_dump(include=set(TaskOffWorklists.model_fields)), event_id=""
        )
    for worklist in previous.worklists:
        for v in worklist.visits:
            for t in v.tasks:
                known[t.task_id] = CancelledByEvent(
                    task_id=t.task_id,
                    visit_id=v.visit_id,
                    intervention_id=t.intervention_id,
                    patient_id=v.patient_id,
                    description=t.description,
                    window_start=v.window_start,
                    window_end=v.window_end,
                    time_critical=t.time_critical,
                    event_id="",
                )
    found: list[CancelledByEvent] = []
    missing: list[CancelledTask] = []
    for c in cancelled:
        if c.task_id in known:
            update = {"event_id": c.event_id, "visit_id": c.visit_id}
            found.append(known[c.task_id].model_copy(update=update))
        else:
            missing.append(c)
    return tuple(found), tuple(missing)


def _longer(parts: Iterable[Span]) -> Span | None:
    """The longest non-empty part (the later one on a tie); None when all are empty."""
    kept = [(b - a, a, b) for a, b in parts if a <= b]
    if not kept:
        return None
    _, a, b = max(kept)
    return a, b


def _clip_task(task: Task, lo: datetime, hi: datetime) -> Task | None:
    """``task`` with its start windows cut to ``[lo, hi]``; None when nothing is left."""
    windows = task.alternative_windows or ((task.window_start, task.window_end),)
    cut = tuple((max(a, lo), min(b, hi)) for a, b in windows if max(a, lo) <= min(b, hi))
    if not cut:
        return None
    return task.model_copy(
        update={
            "window_start": min(a for a, _ in cut),
            "window_end": max(b for _, b in cut),
            "alternative_windows": cut if task.alternative_windows else (),
        }
    )


def _outside_pause(visit: Visit, start: datetime, until: datetime | None) -> Visit | None:
    """``visit`` kept outside the pause ``[start, until)``: done before it begins or started
    after it ends (windows bound the start); None when neither is possible."""
    ws, we = visit.window_start, visit.window_end
    length = timedelta(minutes=visit.duration_min)
    if we + length <= start or (until is not None and ws >= until):
        return visit  # the pause does not touch it
    parts = [(ws, min(we, start - length))]
    if until is not None:
        parts.append((max(ws, until), we))
    part = _longer(parts)
    if part is None:
        return None
    tasks = [_clip_task(t, *part) for t in visit.tasks]
    if any(t is None for t in tasks):
        return None
    clipped = tuple(t for t in tasks if t is not None)
    if max(t.window_start for t in clipped) > min(t.window_end for t in clipped):
        return None
    return visit.model_copy(update={"tasks": clipped})


def _staff_hours(
    day_plan: DayPlan, events: Mapping[str, Event]
) -> tuple[dict[str, StaffDay | None], list[tuple[str, str]], list[tuple[str, str]]]:
    """Per absent caregiver her day (None: off the shift); who is off and whose hours cut."""
    days: dict[str, StaffDay | None] = {}
    off: list[tuple[str, str]] = []
    cut: list[tuple[str, str]] = []
    on_shift = {s.staff_id for s in day_plan.staff}
    for event_id, event in sorted(events.items()):
        if not isinstance(event, StaffAbsence) or event.staff_id not in on_shift:
            continue
        day = days.get(event.staff_id, day_plan.day_of(event.staff_id))
        if day is None:
            continue
        ends = event.end
        if event.start >= day.end or (ends is not None and ends <= day.start):
            continue
        parts = [(day.start, event.start)]
        if ends is not None:
            parts.append((ends, day.end))
        part = _longer((a, b) for a, b in parts if a < b)
        if part is None:
            days[event.staff_id] = None
            off.append((event.staff_id, event_id))
        else:
            days[event.staff_id] = day.model_copy(update={"start": part[0], "end": part[1]})
            cut.append((event.staff_id, event_id))
    return days, off, cut


def apply_events(
    day_plan: DayPlan,
    events: Mapping[str, Event],
    *,
    patients: Iterable[Patient] = (),
) -> EventsApplied:
    """``day_plan`` planned for the first time with ``events`` (id -> event) in it (module
    docstring). ``patients`` give an emergency's patient when the day plan has no visit of
    hers; ValueError when she is not among them either."""
    zone = ZoneInfo(day_plan.municipality.timezone)
    pauses = _pauses(events, zone)
    visits: list[Visit] = []
    cancelled: list[CancelledByEvent] = []
    for visit in day_plan.visits:
        kept: Visit | None = visit
        for start, until, event_id in sorted(
            pauses.get(visit.patient_id, ()), key=lambda p: (p[0], p[2])
        ):
            assert kept is not None
            kept = _outside_pause(kept, start, until)
            if kept is None:
                cancelled += cancelled_tasks(visit, event_id)
                break
        if kept is not None:
            visits.append(kept)
    shift = day_plan.shift
    known = {p.patient_id: p for p in day_plan.patients}
    extra = {p.patient_id: p for p in patients}
    added: list[str] = []
    for event_id, event in sorted(events.items()):
        if not isinstance(event, EmergencyVisit) or (event.date, event.shift) != (
            shift.date,
            shift.kind,
        ):
            continue
        if event.patient_id not in known:
            if event.patient_id not in extra:
                raise unknown_patient(N_("emergency"), event_id, event.patient_id)
            known[event.patient_id] = extra[event.patient_id]
        visit = _emergency_visit(event_id, event, event.requested_at or shift.start)
        visits.append(visit)
        added.append(visit.visit_id)
    days, off, cut = _staff_hours(day_plan, events)
    staff_days = tuple(d for d in day_plan.staff_days if d.staff_id not in days) + tuple(
        d for d in days.values() if d is not None
    )
    updated = day_plan.model_copy(
        update={
            "visits": tuple(visits),
            "patients": tuple(sorted(known.values(), key=lambda p: p.patient_id)),
            "staff": tuple(s for s in day_plan.staff if days.get(s.staff_id, s) is not None),
            "staff_days": tuple(sorted(staff_days, key=lambda d: d.staff_id)),
        }
    )
    return EventsApplied(updated, tuple(cancelled), tuple(off), tuple(cut), tuple(added))
