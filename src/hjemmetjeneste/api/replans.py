"""Applying events: the published shifts an event touches are re-planned warm, with minimal
change, through the run queue, published as their next version, and the patients told.

``apply_event`` finds the current publications the event touches, queues one run per shift
(``PlanRunJob.replan``: the event, "now" and the started visits; ``warm_from``: the published
run) and records a re-plan row for each. The run's worker (:func:`solve_replan`, in the
run's own process) re-plans with :func:`hjemmetjeneste.pipeline.replan_shift` and stores the
changes. ``finish_event`` publishes every succeeded re-plan as the shift's next version
(If-Match on the version it started from: a planner who published meanwhile wins and the
re-plan fails), writes the patients' notices (and their outbox rows) and marks the event
``applied`` with the changes per nurse and per patient. The request that applied the event
waits for its runs; the API's background task finishes any it stopped waiting for.

"Now" of a re-plan: ``?now=`` when the planner gives one; else the event's own instant (a
sick call's start, an admission's time, an emergency's request), or the wall clock when the
shift is under way and that is later; always clamped to the shift.
"""

from __future__ import annotations

import json
import logging
import time as clock
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from hjemmetjeneste.api.events import log_event
from hjemmetjeneste.api.routers import runs as runs_router
from hjemmetjeneste.domain import OSLO_TZ_NAME, PlanResult
from hjemmetjeneste.domain.events import (
    EmergencyVisit,
    Event,
    HospitalAdmission,
    HospitalDischarge,
    PatientAbsence,
    StaffAbsence,
)
from hjemmetjeneste.store import audit, runs
from hjemmetjeneste.store import events as store_events
from hjemmetjeneste.store.actuals import started_visit_ids
from hjemmetjeneste.store.codec import rules_from_json
from hjemmetjeneste.store.repository import municipality_row

if TYPE_CHECKING:
    from hjemmetjeneste.api.auth import Principal
    from hjemmetjeneste.api.deps import ApiState
    from hjemmetjeneste.api.runner import PlanRunJob
    from hjemmetjeneste.domain import MunicipalityData
    from hjemmetjeneste.pipeline import PlanOutcome

__all__ = [
    "EVENTS",
    "apply_event",
    "event_day",
    "finish_event",
    "finish_pending",
    "solve_replan",
    "subject",
]

log = logging.getLogger("hjemmetjeneste.api.events")
EVENTS: TypeAdapter[Event] = TypeAdapter(Event)
_ZONE = ZoneInfo(OSLO_TZ_NAME)


def subject(event: Event) -> tuple[str | None, str | None]:
    """(patient id, staff id) the event is about."""
    if isinstance(event, StaffAbsence):
        return None, event.staff_id
    return event.patient_id, None


def event_day(event: Event) -> date:
    """The (first) date the event concerns, in Europe/Oslo."""
    if isinstance(event, StaffAbsence | PatientAbsence):
        return event.start.astimezone(_ZONE).date()
    if isinstance(event, HospitalAdmission):
        return event.admitted_at.astimezone(_ZONE).date()
    if isinstance(event, HospitalDischarge):
        return event.discharged_on
    return event.date


def _span(event: Event) -> tuple[datetime, datetime | None]:
    """The instants the event bears on: from, until (None: open)."""
    if isinstance(event, StaffAbsence):
        return event.start, event.end
    if isinstance(event, PatientAbsence):
        return event.start, event.end
    if isinstance(event, HospitalAdmission):
        return event.admitted_at, None
    if isinstance(event, HospitalDischarge):
        return datetime.combine(event.discharged_on, datetime.min.time(), _ZONE), None
    start = datetime.combine(event.date, datetime.min.time(), _ZONE)
    return start, start + timedelta(days=2)


def _has_patient(result: PlanResult, patient_id: str) -> bool:
    return any(v.patient_id == patient_id for w in result.worklists for v in w.visits) or any(
        u.patient_id == patient_id for u in result.unplaced
    )


def _touches(event: Event, result: PlanResult, district_id: str | None) -> bool:
    """Whether re-planning ``result``'s shift can change anything for ``event``."""
    start, until = _span(event)
    if not (start < result.shift_end and (until is None or until > result.shift_start)):
        return False
    if isinstance(event, StaffAbsence):
        return any(w.staff_id == event.staff_id for w in result.worklists)
    if isinstance(event, EmergencyVisit):
        return (event.date, event.shift) == (result.date, result.shift) and (
            district_id == result.district_id
        )
    if isinstance(event, HospitalDischarge):
        return district_id == result.district_id
    return _has_patient(result, event.patient_id)


def replan_instant(
    event: Event, result: PlanResult, given: datetime | None, wall: datetime
) -> datetime:
    """ "Now" of the re-plan of ``result``'s shift (module docstring)."""
    start, end = result.shift_start, result.shift_end
    if given is not None:
        instant = given
    else:
        if isinstance(event, StaffAbsence | PatientAbsence):
            instant = event.start
        elif isinstance(event, HospitalAdmission):
            instant = event.admitted_at
        elif isinstance(event, EmergencyVisit):
            instant = event.requested_at or wall
        else:
            instant = start
        if start <= wall < end:
            instant = max(instant, wall)
    return min(max(instant, start), end)


def apply_event(
    state: ApiState,
    user: Principal,
    record: store_events.EventRecord,
    now: datetime | None = None,
) -> store_events.EventRecord:
    """Queue the re-plans of every published shift ``record`` touches and wait (at most
    ``settings.event_apply_wait_s``) until they are published; the event as it then is."""
    engine, mid = state.store.engine, record.municipality_id
    assert user.municipality_id == mid
    if not store_events.set_event_status(
        engine, record.event_id, "applying", expected=("requested",), decided_by=user.person_id
    ):
        return store_events.get_event(engine, mid, record.event_id) or record
    event = EVENTS.validate_python(record.payload)
    patient_id, _ = subject(event)
    district = (
        None if patient_id is None else store_events.patient_district(engine, mid, patient_id)
    )
    first, until = _span(event)
    pubs = runs.current_publications(
        engine,
        mid,
        from_date=first.astimezone(_ZONE).date() - timedelta(days=1),
        to_date=None if until is None else until.astimezone(_ZONE).date(),
    )
    wall = datetime.now(UTC)
    queued = 0
    for pub in pubs:
        result = state.published.get(mid, pub).result
        if not _touches(event, result, district):
            continue
        instant = replan_instant(event, result, now, wall)
        run = runs_router.queue_run(
            state,
            user,
            pub.district_id,
            pub.plan_date,
            pub.shift,
            state.settings.event_replan_time_limit_s,
            warm_from=pub.run_id,
            replan={"event_id": record.event_id, "now": instant.isoformat()},
        )
        store_events.create_replan(
            engine,
            run_id=run.run_id,
            event_id=record.event_id,
            municipality_id=mid,
            district_id=pub.district_id,
            plan_date=pub.plan_date,
            shift=pub.shift,
            base_run_id=pub.run_id,
            base_version=pub.version,
            now=instant,
        )
        queued += 1
    log_event("event.applying", event_id=record.event_id, municipality_id=mid, runs=queued)
    deadline = clock.monotonic() + state.settings.event_apply_wait_s
    while not finish_event(state, mid, record.event_id) and clock.monotonic() < deadline:
        clock.sleep(0.2)
    return store_events.get_event(engine, mid, record.event_id) or record


def finish_event(state: ApiState, municipality_id: str, event_id: str) -> bool:
    """Publish the event's finished re-plans and write notices; True once all are done."""
    engine = state.store.engine
    record = store_events.get_event(engine, municipality_id, event_id)
    if record is None or record.status != "applying":
        return True
    replans = store_events.replans_of_event(engine, event_id)
    for replan in replans:
        if replan.status != "queued":
            continue
        run = runs.get_run(engine, municipality_id, replan.run_id)
        if run is None or run.status not in runs.FINAL_STATUSES:
            continue
        if store_events.claim_replan(engine, replan.run_id):  # one finisher per re-plan
            _publish(state, record, replan, run)
    replans = store_events.replans_of_event(engine, event_id)
    if any(r.status in ("queued", "publishing") for r in replans):
        return False
    published = [r for r in replans if r.status == "published"]
    failed = [r for r in replans if r.status == "failed"]
    by_nurse: dict[str, list[dict[str, Any]]] = {}
    by_patient: dict[str, list[dict[str, Any]]] = {}
    for replan in published:
        for change in replan.changes or ():
            for slot in ("before", "after"):
                staff = (change.get(slot) or {}).get("staff_id")
                if staff and change not in by_nurse.get(staff, []):
                    by_nurse.setdefault(staff, []).append(change)
            by_patient.setdefault(change["patient_id"], []).append(change)
    result = {
        "version": max((r.version or 0 for r in published), default=None),
        "versions": [
            {
                "district_id": r.district_id,
                "date": r.plan_date.isoformat(),
                "shift": r.shift,
                "version": r.version,
            }
            for r in published
        ],
        "changes": {"by_nurse": by_nurse, "by_patient": by_patient},
    }
    status = "failed" if failed and not published else "applied"
    won = store_events.set_event_status(
        engine,
        event_id,
        status,
        expected=("applying",),
        result=result,
        error=f"{len(failed)} re-plan(s) failed" if failed else None,
    )
    if not won:  # another finisher (the background task) ended it
        return True
    if status == "applied" and isinstance(EVENTS.validate_python(record.payload), PatientAbsence):
        _notify_absence(state, record, accepted=True)
    log_event("event.finished", event_id=event_id, status=status, versions=len(published))
    return True


def finish_pending(state: ApiState) -> int:
    """Finish every event still applying (after a request stopped waiting); how many ended."""
    done = 0
    for record in store_events.events_applying(state.store.engine):
        done += finish_event(state, record.municipality_id, record.event_id)
    return done


def _publish(
    state: ApiState,
    record: store_events.EventRecord,
    replan: store_events.ReplanRecord,
    run: runs.RunRecord,
) -> None:
    engine, mid = state.store.engine, record.municipality_id
    if run.status != "succeeded" or replan.changes is None:
        store_events.finish_replan(engine, replan.run_id, "failed")
        log_event("replan.failed", run_id=run.run_id, event_id=record.event_id)
        return
    try:
        pub = runs.publish_run(
            engine,
            municipality_id=mid,
            district_id=replan.district_id,
            plan_date=replan.plan_date,
            shift=replan.shift,
            run_id=replan.run_id,
            expected_version=replan.base_version,
            published_by=record.decided_by or record.created_by,
        )
    except runs.StaleVersionError:
        store_events.finish_replan(engine, replan.run_id, "failed")
        log_event("replan.stale", run_id=run.run_id, event_id=record.event_id)
        return
    store_events.finish_replan(engine, replan.run_id, "published", pub.version)
    state.published.invalidate(mid, replan.plan_date, replan.shift)
    log_event(
        "run.published",
        run_id=replan.run_id,
        municipality_id=mid,
        district_id=replan.district_id,
        version=pub.version,
        event_id=record.event_id,
    )
    _notify_changes(state, record, replan, pub.version)


def _notify_changes(
    state: ApiState,
    record: store_events.EventRecord,
    replan: store_events.ReplanRecord,
    version: int,
) -> None:
    """Notices for cancelled visits, visits that became unplaced (on no worklist of the new
    version, not cancelled by an event) and visits moved by more than the municipality's
    threshold (:func:`notice_threshold_min`)."""
    mid = record.municipality_id
    threshold = timedelta(minutes=notice_threshold_min(state, mid))
    old = _ends(state, mid, replan.base_run_id)
    new = _ends(state, mid, replan.run_id)
    notices: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for change in replan.changes or ():
        key = (change["patient_id"], change["visit_id"])
        if key in seen:
            continue
        before, after = change.get("before"), change.get("after")
        if change["type"] == "cancelled":
            if before is None and change.get("event_id") != record.event_id:
                continue  # cancelled by an earlier event, not on the plan: nothing new
            kind = "visit_cancelled"
        elif change["type"] == "removed" and before and change["visit_id"] not in new:
            kind = "visit_unplaced"  # on no worklist of the new version, not by an event
        elif change["type"] in ("moved", "reassigned") and before and after:
            shift = abs(_instant(after["start"]) - _instant(before["start"]))
            if shift <= threshold:
                continue
            kind = "visit_moved"
        else:
            continue
        seen.add(key)
        visit_id = change["visit_id"]
        notices.append(
            {
                "municipality_id": mid,
                "patient_id": change["patient_id"],
                "kind": kind,
                "visit_date": replan.plan_date,
                "visit_id": visit_id,
                "old_start": _instant(before["start"]) if before else None,
                "old_end": old.get(visit_id),
                "new_start": _instant(after["start"]) if after else None,
                "new_end": new.get(visit_id) if after else None,
                "event_id": record.event_id,
                "version": version,
            }
        )
    _store_notices(state, record, notices)


def notice_threshold_min(state: ApiState, municipality_id: str) -> int:
    """Minutes a visit must move before its patient gets a notice: the municipality's rule
    ``notice_move_threshold_min``, or the server's setting when it sets none."""
    with Session(state.store.engine) as session:
        row = municipality_row(session, municipality_id)
        own = rules_from_json(row.rules_json).notice_move_threshold_min if row else None
    return state.settings.notice_move_threshold_min if own is None else own


def _notify_absence(state: ApiState, record: store_events.EventRecord, *, accepted: bool) -> None:
    """The patient's notice that her absence was accepted or rejected."""
    if record.patient_id is None:
        return
    _store_notices(
        state,
        record,
        [
            {
                "municipality_id": record.municipality_id,
                "patient_id": record.patient_id,
                "kind": "absence_accepted" if accepted else "absence_rejected",
                "visit_date": record.event_date,
                "event_id": record.event_id,
            }
        ],
    )


def notify_rejected(state: ApiState, record: store_events.EventRecord) -> None:
    """A rejected patient absence tells the patient so."""
    if record.kind == "patient_absence":
        _notify_absence(state, record, accepted=False)


def _store_notices(
    state: ApiState, record: store_events.EventRecord, notices: list[dict[str, Any]]
) -> None:
    if not notices:
        return
    stored = store_events.add_notices(state.store.engine, notices)
    for patient_id in sorted({n.patient_id for n in stored}):
        audit.write_audit(
            state.store.engine,
            municipality_id=record.municipality_id,
            actor_id=record.decided_by or record.created_by,
            actor_role="system",
            patient_ids=[patient_id],
            action="notice.created",
            resource=f"event:{record.event_id}",
            purpose="notice",
        )
    for notice in stored:
        log_event(
            "notice.created",
            notice_id=notice.notice_id,
            patient_id=notice.patient_id,
            kind=notice.kind,
            event_id=record.event_id,
        )


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _ends(state: ApiState, mid: str, run_id: str) -> dict[str, datetime]:
    """Visit id -> planned end in a run's plan."""
    text = runs.run_result_json(state.store.engine, mid, run_id)
    if text is None:
        return {}
    result = PlanResult.model_validate_json(text)
    return {v.visit_id: v.end for w in result.worklists for v in w.visits}


# -- in the run's process ----------------------------------------------------------------


applied_events = store_events.applied_events
"""The municipality's applied events (kept importable here; it lives in the store)."""


def solve_replan(
    job: PlanRunJob,
    engine: Any,
    data: MunicipalityData,
    previous: PlanResult,
    events: Mapping[str, Event],
    on_progress: Any,
) -> PlanOutcome:
    """Re-plan the job's shift (in the run's process) and store the changes; the outcome."""
    from hjemmetjeneste.domain import Pin
    from hjemmetjeneste.pipeline import listing_cancelled, replan_shift
    from hjemmetjeneste.solver import SolveParams

    assert job.replan is not None
    now = datetime.fromisoformat(job.replan["now"])
    # Visits the nurses marked started or done are frozen too, whatever their planned time.
    with Session(engine) as session:
        started = started_visit_ids(
            session,
            job.district_id,
            job.plan_date,
            job.shift,
            municipality_id=job.municipality_id,
        )
    outcome = replan_shift(
        data,
        previous,
        now,
        events,
        started=started,
        params=SolveParams(time_limit_s=job.time_limit_s),
        pins=tuple(Pin.model_validate(p) for p in job.pins),
    )
    del on_progress  # the re-plan reports once, at the end
    outcome = listing_cancelled(outcome, data, events)
    store_events.set_replan_details(
        engine,
        job.run_id,
        [json.loads(c.model_dump_json()) for c in outcome.changes],
        [
            {
                "task_id": c.task_id,
                "visit_id": c.visit_id,
                "patient_id": c.patient_id,
                "event_id": c.event_id,
            }
            for c in outcome.cancelled
        ],
    )
    return outcome.outcome


# -- the API's background task -------------------------------------------------------------


def background_pass(state: ApiState) -> None:
    """Finish events whose requests stopped waiting; deliver due notices to the webhook."""
    from hjemmetjeneste.api.webhooks import deliver_due

    finish_pending(state)
    settings = state.settings
    if settings.webhook_url and settings.webhook_secret is not None:
        deliver_due(
            state.store.engine,
            settings.webhook_url,
            settings.webhook_secret.get_secret_value().encode(),
            max_attempts=settings.webhook_max_attempts,
            backoff_s=settings.webhook_backoff_s,
            timeout_s=settings.webhook_timeout_s,
        )


async def run_background(state: ApiState, interval_s: float = 1.0) -> None:
    """:func:`background_pass` every ``interval_s`` until cancelled (the app's lifespan)."""
    import asyncio

    while True:
        try:
            await asyncio.to_thread(background_pass, state)
        except Exception:  # the loop must outlive a database or network hiccup
            log.exception("the events background pass failed")
        await asyncio.sleep(interval_s)
