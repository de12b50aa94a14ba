"""Nurses: their own published worklist for a shift, as JSON or as an iCalendar feed."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from icalendar import Calendar, Event

from hjemmetjeneste.api.deps import ApiState, NurseUser, StateDep
from hjemmetjeneste.api.events import log_event
from hjemmetjeneste.api.published import PublishedShift
from hjemmetjeneste.api.schemas import (
    MAX_DATE,
    MIN_DATE,
    CalendarFeedPublic,
    NurseWorklistPublic,
    problem_responses,
)
from hjemmetjeneste.domain import OSLO_TZ_NAME, ShiftKind
from hjemmetjeneste.store import feeds, runs

router = APIRouter(prefix="/v1/nurse", tags=["nurse"])
#: The calendar feeds: outside /v1/nurse, authenticated by the secret in their path.
feed_router = APIRouter(tags=["nurse"])

DateQuery = Annotated[
    date, Query(alias="date", description="Date the shift starts on.", ge=MIN_DATE, le=MAX_DATE)
]


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
        headers={"ETag": f'"{prepared.publication.version}"', "Cache-Control": "no-store"},
    )


def _first_name(name: str) -> str:
    return name.split()[0] if name.split() else ""


def _street(address: str) -> str:
    """The street of an address without house number, letter, entrance or place:
    ``"Lademoens gate 118B, 7042 Trondheim"`` → ``"Lademoens gate"``."""
    match = _STREET.match(address.split(",")[0])
    return match.group(1).strip() if match else ""


_STREET = re.compile(r"\s*([^\d]*[^\d\s])")


def _events(calendar: Calendar, prepared: PublishedShift, staff_id: str) -> None:
    """One event per visit of the nurse, with only the patient's first name, the street
    (no house number) and the visit's window; the rest stays in the authenticated worklist."""
    worklist = prepared.worklists[staff_id]
    pub = prepared.publication
    stamp = pub.published_at.astimezone(UTC)
    for visit in worklist.visits:
        event = Event()
        event.add("uid", f"{visit.visit_id}/{worklist.staff_id}@hjemmetjeneste")
        event.add("dtstamp", stamp)
        start = visit.window_start.astimezone(UTC)
        end = max(visit.window_end, visit.window_start + (visit.end - visit.start))
        event.add("dtstart", start)
        event.add("dtend", end.astimezone(UTC))
        event.add("sequence", pub.version)
        event.add("summary", f"Besøk: {_first_name(visit.patient_name)}")
        event.add("location", _street(visit.address))
        event.add("description", "Besøksvindu. Detaljer står i arbeidslisten.")
        calendar.add_component(event)


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//hjemmetjeneste//worklist//NO")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    return calendar


_ICS = {200: {"content": {"text/calendar": {"schema": {"type": "string"}}}}}


@router.get(
    "/worklist.ics", response_class=Response, responses=_ICS | problem_responses(401, 403, 404, 422)
)
def my_worklist_ical(
    user: NurseUser, state: StateDep, plan_date: DateQuery, shift: ShiftKind
) -> Response:
    """One shift's worklist as iCalendar: an event per visit with the patient's first name,
    the street (no house number) and the visit's window only."""
    prepared = _own_published(state, user, plan_date, shift)
    pub = prepared.publication
    calendar = _calendar(f"Arbeidsliste {pub.plan_date} {pub.shift}")
    _events(calendar, prepared, user.person_id)
    return Response(
        content=calendar.to_ical(),
        media_type="text/calendar",
        headers={"ETag": f'"{pub.version}"'},
    )


@router.post(
    "/calendar-feed",
    status_code=status.HTTP_201_CREATED,
    response_model=CalendarFeedPublic,
    responses=problem_responses(401, 403),
)
def create_calendar_feed(user: NurseUser, state: StateDep, request: Request) -> CalendarFeedPublic:
    """A secret calendar URL for the nurse's phone (no bearer token needed), shown once.

    Making a new one revokes the previous one (rotation); the store keeps only its hash.
    """
    feed_id, token = feeds.create_feed(state.store.engine, user.municipality_id, user.person_id)
    log_event("calendar_feed.created", feed_id=feed_id, staff_id=user.person_id)
    path = f"/v1/calendar/{token}.ics"
    return CalendarFeedPublic(
        feed_id=feed_id, path=path, url=str(request.base_url).rstrip("/") + path
    )


@router.delete(
    "/calendar-feed",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403),
)
def revoke_calendar_feed(user: NurseUser, state: StateDep) -> Response:
    """Revoke the nurse's calendar feed: its URL answers 404 from now on."""
    revoked = feeds.revoke_feeds(state.store.engine, user.municipality_id, user.person_id)
    log_event("calendar_feed.revoked", staff_id=user.person_id, feeds=revoked)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


#: The published shifts a feed shows: this many days back and ahead of today (Europe/Oslo).
FEED_DAYS_BACK = 7
FEED_DAYS_AHEAD = 28


def _today() -> date:
    return datetime.now(ZoneInfo(OSLO_TZ_NAME)).date()


@feed_router.get(
    "/v1/calendar/{token}.ics",
    response_class=Response,
    responses=_ICS | problem_responses(404, 422),
)
def calendar_feed(
    token: Annotated[str, Path(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")],
    state: StateDep,
) -> Response:
    """A nurse's calendar feed by its secret URL (no bearer token: calendar apps cannot send
    one): her published visits from a week back to four weeks ahead, with first names,
    streets and windows only."""
    owner = feeds.feed_owner(state.store.engine, token)
    if owner is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such calendar feed")
    today = _today()
    calendar = _calendar("Arbeidsliste")
    for pub in runs.current_publications(
        state.store.engine,
        owner.municipality_id,
        from_date=today - timedelta(days=FEED_DAYS_BACK),
        to_date=today + timedelta(days=FEED_DAYS_AHEAD),
    ):
        prepared = state.published.get(owner.municipality_id, pub)
        if owner.staff_id in prepared.worklists:
            _events(calendar, prepared, owner.staff_id)
    return Response(content=calendar.to_ical(), media_type="text/calendar")
