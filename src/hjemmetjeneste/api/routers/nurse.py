"""Nurses: their own published worklist for a shift, as JSON or as an iCalendar feed."""

from __future__ import annotations

from datetime import UTC, date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from icalendar import Calendar, Event

from hjemmetjeneste.api.deps import ApiState, NurseUser, StateDep
from hjemmetjeneste.api.published import PublishedShift
from hjemmetjeneste.api.schemas import NurseWorklistPublic, problem_responses
from hjemmetjeneste.domain import ShiftKind

router = APIRouter(prefix="/v1/nurse", tags=["nurse"])

DateQuery = Annotated[date, Query(alias="date", description="Date the shift starts on.")]


def _own_published(state: StateDep, user: NurseUser, day: date, shift: ShiftKind) -> PublishedShift:
    for pub in state.published.current(user.municipality_id, day, shift.value):
        prepared = state.published.get(user.municipality_id, pub)
        if user.person_id in prepared.nurse_json:
            return prepared
    raise HTTPException(status.HTTP_404_NOT_FOUND, "no published worklist of yours for that shift")


@router.get(
    "/worklist",
    response_class=Response,
    responses={200: {"model": NurseWorklistPublic}} | problem_responses(401, 403, 404, 422),
)
async def my_worklist(
    user: NurseUser, request: Request, plan_date: DateQuery, shift: ShiftKind
) -> Response:
    """The caller's worklist in the shift's current published version, with what changed
    since the version before it. The ETag is the version.

    The hot path: async (no thread hop), the current version from a cache at most 1 s old,
    and the worklist's JSON serialised once per published version.
    """
    state: ApiState = request.app.state.api
    ready = state.published.peek(user.municipality_id, plan_date, shift.value)
    prepared = next((p for p in ready or () if user.person_id in p.nurse_json), None)
    if prepared is None:  # not cached yet, or not hers: query and build off the event loop
        prepared = await run_in_threadpool(_own_published, state, user, plan_date, shift)
    return Response(
        content=prepared.nurse_json[user.person_id],
        media_type="application/json",
        headers={"ETag": f'"{prepared.publication.version}"', "Cache-Control": "private"},
    )


@router.get(
    "/worklist.ics",
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {"schema": {"type": "string"}}}},
    }
    | problem_responses(401, 403, 404, 422),
)
def my_worklist_ical(
    user: NurseUser, state: StateDep, plan_date: DateQuery, shift: ShiftKind
) -> Response:
    """The same worklist as an iCalendar feed: one event per visit."""
    prepared = _own_published(state, user, plan_date, shift)
    worklist = prepared.worklists[user.person_id]
    pub = prepared.publication
    calendar = Calendar()
    calendar.add("prodid", "-//hjemmetjeneste//worklist//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Worklist {pub.plan_date} {pub.shift}")
    stamp = pub.published_at.astimezone(UTC)
    for visit in worklist.visits:
        event = Event()
        event.add("uid", f"{visit.visit_id}/{worklist.staff_id}@hjemmetjeneste")
        event.add("dtstamp", stamp)
        event.add("dtstart", visit.start.astimezone(UTC))
        event.add("dtend", visit.end.astimezone(UTC))
        event.add("sequence", pub.version)
        event.add("summary", f"{visit.sequence}. {visit.patient_name}")
        event.add("location", visit.address)
        lines = [f"- {t.description} ({t.duration_min} min)" for t in visit.tasks]
        if visit.key_box_note:
            lines.append(f"Key box: {visit.key_box_note}")
        if visit.partner_staff_ids:
            lines.append("With: " + ", ".join(visit.partner_staff_ids))
        event.add("description", "\n".join(lines))
        event.add("geo", (visit.location.lat, visit.location.lon))
        calendar.add_component(event)
    return Response(
        content=calendar.to_ical(),
        media_type="text/calendar",
        headers={"ETag": f'"{pub.version}"', "Cache-Control": "private"},
    )
