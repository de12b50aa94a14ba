"""Events of the day (sick calls, absences, admissions, discharges, emergencies), notices to
patients, patients' messages and nurses' changes (issue #16; docs/events.md).

Roles: a planner sends any event and accepts or rejects requested ones; a patient reports
only her own absence; a specialist (hospital) sends only admissions and discharges. Every
call that reads or changes a patient's data writes an audit row with ids only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status

from hjemmetjeneste.api import replans
from hjemmetjeneste.api.auth import Principal, Role
from hjemmetjeneste.api.deps import (
    NurseUser,
    PatientUser,
    PlannerUser,
    StateDep,
    require_roles,
)
from hjemmetjeneste.api.event_schemas import (
    EventPublic,
    MessageCreate,
    MessagePublic,
    NoticePublic,
    NurseChangesPublic,
    WindowPublic,
)
from hjemmetjeneste.api.events import log_event
from hjemmetjeneste.api.schemas import MAX_DATE, MIN_DATE, problem_responses
from hjemmetjeneste.domain import OSLO_TZ_NAME, PlanResult, ShiftKind
from hjemmetjeneste.domain.events import Event, PatientAbsence
from hjemmetjeneste.i18n import LANGUAGES, load_translations
from hjemmetjeneste.planning.replan import visit_changes
from hjemmetjeneste.store import audit, runs
from hjemmetjeneste.store import events as store_events

router = APIRouter(tags=["events"])

_ZONE = ZoneInfo(OSLO_TZ_NAME)
EventId = Annotated[str, Path(max_length=64)]
Lang = Annotated[str, Query(pattern="^(nb|en)$", description="nb (default) or en")]
#: Who may send and read events: planners, patients (their own), specialists (what they sent).
Sender = Annotated[Principal, Depends(require_roles(Role.PLANNER, Role.PATIENT, Role.SPECIALIST))]

#: Which event kinds each role may send.
_MAY_SEND = {
    Role.PLANNER: frozenset(
        ("staff_absence", "patient_absence", "hospital_admission", "hospital_discharge",
         "emergency_visit")
    ),
    Role.PATIENT: frozenset(("patient_absence",)),
    Role.SPECIALIST: frozenset(("hospital_admission", "hospital_discharge")),
}  # fmt: skip


def _public(record: store_events.EventRecord) -> EventPublic:
    return EventPublic(
        id=record.event_id,
        kind=record.kind,
        status=record.status,  # type: ignore[arg-type]
        fields=record.payload,
        created_at=record.created_at,
        created_by=record.created_by,
        result=record.result,  # type: ignore[arg-type]
        error=record.error,
    )


def _audit(
    state: StateDep, user: Principal, patient_ids: list[str], action: str, resource: str
) -> None:
    """An audit row per patient (one with an empty patient id when the event names none)."""
    audit.write_audit(
        state.store.engine,
        municipality_id=user.municipality_id,
        actor_id=user.person_id,
        actor_role=user.role.value,
        patient_ids=patient_ids or [""],
        action=action,
        resource=resource,
        purpose="event",
    )


def _visible(user: Principal, record: store_events.EventRecord) -> bool:
    if user.role == Role.PLANNER:
        return True
    if user.role == Role.PATIENT:
        return record.patient_id == user.person_id
    return user.role == Role.SPECIALIST and record.created_by == user.person_id


@router.post(
    "/v1/events",
    status_code=status.HTTP_201_CREATED,
    response_model=EventPublic,
    responses=problem_responses(401, 403, 404, 422),
)
def create_event(
    body: Event,
    user: Sender,
    state: StateDep,
    apply: Annotated[bool, Query(description="false: record it as requested only")] = True,
    now: Annotated[
        datetime | None,
        Query(description="Re-plan as if it were this instant (what-if; default: the event's)"),
    ] = None,
) -> EventPublic:
    """Record an event; a planner's (and a hospital's) is applied at once unless
    ``apply=false``, a patient's absence waits for a planner (or a municipality rule)."""
    if body.kind not in _MAY_SEND[user.role]:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this role may not send that event")
    engine, mid = state.store.engine, user.municipality_id
    patient_id, staff_id = replans.subject(body)
    if user.role == Role.PATIENT and patient_id != user.person_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "a patient reports her own absence only")
    if patient_id is not None and store_events.patient_district(engine, mid, patient_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such patient in your municipality")
    if staff_id is not None and store_events.staff_district(engine, mid, staff_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such staff member in your municipality")
    record = store_events.create_event(
        engine,
        municipality_id=mid,
        kind=body.kind,
        status="requested",
        patient_id=patient_id,
        staff_id=staff_id,
        event_date=replans.event_day(body),
        payload=body.model_dump(mode="json"),
        created_by=user.person_id,
        created_role=user.role.value,
    )
    _audit(
        state, user, [patient_id] if patient_id else [], "event.created", f"event:{record.event_id}"
    )
    log_event(
        "event.created", event_id=record.event_id, kind=body.kind, municipality_id=mid,
        actor_id=user.person_id,
    )  # fmt: skip
    auto = user.role != Role.PATIENT or (
        isinstance(body, PatientAbsence) and state.settings.patient_absence_auto_accept
    )
    if apply and auto:
        record = replans.apply_event(state, user, record, now)
    return _public(record)


@router.get(
    "/v1/events", response_model=list[EventPublic], responses=problem_responses(401, 403, 422)
)
def list_events(
    user: Sender,
    state: StateDep,
    status_filter: Annotated[str | None, Query(alias="status", max_length=16)] = None,
    day: Annotated[date | None, Query(alias="date", ge=MIN_DATE, le=MAX_DATE)] = None,
) -> list[EventPublic]:
    """Events of the caller's municipality (planner), her own (patient) or those she sent
    (specialist), newest first."""
    records = store_events.list_events(
        state.store.engine,
        user.municipality_id,
        status=status_filter,
        event_date=day,
        patient_id=user.person_id if user.role == Role.PATIENT else None,
        created_by=user.person_id if user.role == Role.SPECIALIST else None,
    )
    patients = sorted({r.patient_id for r in records if r.patient_id})
    if patients:
        _audit(state, user, patients, "event.list", "events")
    return [_public(r) for r in records]


def _own_event(state: StateDep, user: Principal, event_id: str) -> store_events.EventRecord:
    record = store_events.get_event(state.store.engine, user.municipality_id, event_id)
    if record is None or not _visible(user, record):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such event")
    return record


@router.get(
    "/v1/events/{event_id}", response_model=EventPublic, responses=problem_responses(401, 403, 404)
)
def get_event(event_id: EventId, user: Sender, state: StateDep) -> EventPublic:
    """One event the caller may see (404 otherwise)."""
    record = _own_event(state, user, event_id)
    if record.patient_id:
        _audit(state, user, [record.patient_id], "event.read", f"event:{event_id}")
    return _public(record)


@router.post(
    "/v1/events/{event_id}/accept",
    response_model=EventPublic,
    responses=problem_responses(401, 403, 404, 409),
)
def accept_event(
    event_id: EventId,
    user: PlannerUser,
    state: StateDep,
    now: Annotated[datetime | None, Query(description="Re-plan as if it were this instant")] = None,
) -> EventPublic:
    """Apply a requested event: warm minimal-change re-plans of every published shift it
    touches, each published as the next version."""
    record = _own_event(state, user, event_id)
    if record.status != "requested":
        raise HTTPException(status.HTTP_409_CONFLICT, f"the event is {record.status}")
    _audit(
        state,
        user,
        [record.patient_id] if record.patient_id else [],
        "event.accepted",
        f"event:{event_id}",
    )
    return _public(replans.apply_event(state, user, record, now))


@router.post(
    "/v1/events/{event_id}/reject",
    response_model=EventPublic,
    responses=problem_responses(401, 403, 404, 409),
)
def reject_event(event_id: EventId, user: PlannerUser, state: StateDep) -> EventPublic:
    """Reject a requested event (a patient's absence gets a notice saying so)."""
    record = _own_event(state, user, event_id)
    if not store_events.set_event_status(
        state.store.engine, event_id, "rejected", expected=("requested",), decided_by=user.person_id
    ):
        raise HTTPException(status.HTTP_409_CONFLICT, f"the event is {record.status}")
    _audit(
        state,
        user,
        [record.patient_id] if record.patient_id else [],
        "event.rejected",
        f"event:{event_id}",
    )
    log_event("event.rejected", event_id=event_id, actor_id=user.person_id)
    rejected = _own_event(state, user, event_id)
    replans.notify_rejected(state, rejected)
    return _public(rejected)


# -- notices and messages -------------------------------------------------------------------

_TEXT = {
    "visit_cancelled": "Your visit on {date} at {start} is cancelled.",
    "visit_moved": "Your visit on {date} has moved from {old} to {new}.",
    "visit_unplaced": (
        "Your visit on {date} at {start} could not be planned; "
        "the home-care service will contact you."
    ),
    "absence_accepted": "Your absence report is accepted; the visits in that period are cancelled.",
    "absence_rejected": "Your absence report is not accepted; please call the home-care office.",
}
#: The same notices for a visit that had no planned time (it was not on the plan before).
_TEXT_WITHOUT_TIME = {
    "visit_cancelled": "Your visit on {date} is cancelled.",
    "visit_unplaced": (
        "Your visit on {date} could not be planned; the home-care service will contact you."
    ),
}


def _clock(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(_ZONE).strftime("%H:%M")


def notice_text(notice: store_events.NoticeRecord, lang: str) -> str:
    """The notice's sentence in ``lang`` from the message catalogue."""
    texts = _TEXT_WITHOUT_TIME if notice.old_start is None else _TEXT
    template = load_translations(lang).gettext(texts.get(notice.kind, _TEXT[notice.kind]))
    day = "" if notice.visit_date is None else notice.visit_date.strftime("%d.%m.%Y")
    return template.format(
        date=day,
        start=_clock(notice.old_start),
        old=_clock(notice.old_start),
        new=_clock(notice.new_start),
    )


def _window(start: datetime | None, end: datetime | None) -> WindowPublic | None:
    return None if start is None else WindowPublic(start=start, end=end)


@router.get(
    "/v1/patient/notices", response_model=list[NoticePublic], responses=problem_responses(401, 403)
)
def my_notices(user: PatientUser, state: StateDep, lang: Lang = "nb") -> list[NoticePublic]:
    """The caller's notices, newest first, in bokmål (or ``lang=en``)."""
    assert lang in LANGUAGES
    notices = store_events.list_notices(state.store.engine, user.municipality_id, user.person_id)
    _audit(state, user, [user.person_id], "notice.read", "patient/notices")
    return [
        NoticePublic(
            id=n.notice_id,
            created_at=n.created_at,
            kind=n.kind,  # type: ignore[arg-type]
            visit_date=n.visit_date,
            old_window=_window(n.old_start, n.old_end),
            new_window=_window(n.new_start, n.new_end),
            text=notice_text(n, lang),
        )
        for n in notices
    ]


@router.post(
    "/v1/patient/messages",
    status_code=status.HTTP_201_CREATED,
    response_model=MessagePublic,
    responses=problem_responses(401, 403, 422),
)
def send_message(body: MessageCreate, user: PatientUser, state: StateDep) -> MessagePublic:
    """A message from the patient to the home-care office (the text is never logged)."""
    message = store_events.add_message(
        state.store.engine, user.municipality_id, user.person_id, body.text
    )
    _audit(state, user, [user.person_id], "message.created", f"message:{message.message_id}")
    log_event("message.created", message_id=message.message_id, patient_id=user.person_id)
    return MessagePublic(
        id=message.message_id,
        patient_id=message.patient_id,
        text=message.text,
        created_at=message.created_at,
    )


@router.get(
    "/v1/planner/messages",
    response_model=list[MessagePublic],
    responses=problem_responses(401, 403),
)
def planner_messages(user: PlannerUser, state: StateDep) -> list[MessagePublic]:
    """Patients' messages to the municipality's home-care office, newest first."""
    messages = store_events.list_messages(state.store.engine, user.municipality_id)
    if messages:
        _audit(state, user, sorted({m.patient_id for m in messages}), "message.read", "messages")
    return [
        MessagePublic(
            id=m.message_id, patient_id=m.patient_id, text=m.text, created_at=m.created_at
        )
        for m in messages
    ]


# -- nurses' changes ------------------------------------------------------------------------


def _published_result(state: StateDep, mid: str, pub: runs.PublicationRecord) -> PlanResult:
    return state.published.get(mid, pub).result


@router.get(
    "/v1/nurse/changes",
    response_model=NurseChangesPublic,
    responses=problem_responses(401, 403, 404, 422),
)
def my_changes(
    user: NurseUser,
    state: StateDep,
    day: Annotated[date, Query(alias="date", ge=MIN_DATE, le=MAX_DATE)],
    shift: ShiftKind,
    since_version: Annotated[int | None, Query(ge=0, le=10**6)] = None,
) -> NurseChangesPublic:
    """The caller's changes between the version she last opened (``since_version``; default
    the one before the current) and the current version of her shift."""
    engine, mid = state.store.engine, user.municipality_id
    mine: list[Any] = []
    for pub in runs.current_publications(engine, mid, day, shift.value):
        current = _published_result(state, mid, pub)
        if not any(w.staff_id == user.person_id for w in current.worklists):
            continue
        history = runs.publication_history(engine, mid, pub.district_id, day, shift.value)
        since = pub.version - 1 if since_version is None else min(since_version, pub.version)
        older = next((h for h in history if h.version == since), None)
        cancelled = [
            c
            for r in store_events.replans_for_shift(engine, mid, pub.district_id, day, shift.value)
            if r.version is not None and since < r.version <= pub.version
            for c in r.cancelled or ()
        ]
        if older is None:
            before = current.model_copy(update={"worklists": ()})
        else:
            before = _published_result(state, mid, older)
        changes = visit_changes(before, current, _cancelled(cancelled))
        mine = [
            c
            for c in changes
            if user.person_id in {s.staff_id for s in (c.before, c.after) if s is not None}
        ]
        if mine:
            _audit(
                state, user, sorted({c.patient_id for c in mine}), "changes.read", "nurse/changes"
            )
        return NurseChangesPublic(current_version=pub.version, since_version=since, changes=mine)
    raise HTTPException(status.HTTP_404_NOT_FOUND, "no published worklist of yours for that shift")


def _cancelled(rows: list[dict[str, Any]]) -> list[Any]:
    from hjemmetjeneste.planning.replan import CancelledTask

    return [
        CancelledTask(r["task_id"], r["visit_id"], r["patient_id"], r["event_id"]) for r in rows
    ]


__all__ = ["notice_text", "router"]
