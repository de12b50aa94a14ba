"""Actual times: nurses record when they started and finished a visit; planners compare.

- ``POST /v1/nurse/visits/{visit_id}/started`` and ``/done`` (nurse): her own visit of a
  current published shift; body ``{"at": datetime | null}`` (null: the server's clock).
  Idempotent: a repeat returns the time first recorded. The phone sends the moment of the
  tap, so a tap made without network and sent later keeps its real time.
- ``GET /v1/nurse/actuals?date=&shift=`` (nurse): the times she recorded on that shift.
- ``GET /v1/planner/actuals?date=&shift=&district=`` (planner): per visit of the current
  published version, planned start and end against the actual times, the delay and the
  lateness, and the key figures from actuals (on-time share, mean lateness, visits done).

Definitions (also in ``docs/api.md``): *delay* = actual start − planned start (signed);
*lateness* = how long after the visit's window the visit started (0 inside it); a visit is
*on time* when it started inside its window. Every call writes audit rows (ids only).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from statistics import mean
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Path, Query, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hjemmetjeneste.api.deps import ApiState, NurseUser, PlannerUser, StateDep
from hjemmetjeneste.api.events import log_event
from hjemmetjeneste.api.published import PublishedShift
from hjemmetjeneste.api.schemas import MAX_DATE, MIN_DATE, problem_responses
from hjemmetjeneste.domain import OSLO_TZ_NAME, ShiftKind, WorklistVisit
from hjemmetjeneste.store import actuals, audit

__all__ = ["router"]

router = APIRouter(tags=["actuals"])

#: How far before the shift's start and after its end a recorded time may lie.
EARLIEST_BEFORE_SHIFT = timedelta(hours=2)
LATEST_AFTER_SHIFT = timedelta(hours=6)
#: How far ahead of the server's clock a phone's clock may be.
CLOCK_SKEW = timedelta(minutes=5)

DateQuery = Annotated[
    date, Query(alias="date", description="Date the shift starts on.", ge=MIN_DATE, le=MAX_DATE)
]
VisitId = Annotated[str, Path(min_length=1, max_length=256)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ActualCreate(_Model):
    """When the visit was started or finished; null: now (the server's clock)."""

    at: AwareDatetime | None = None


class VisitActualPublic(_Model):
    """The times one nurse recorded for one visit."""

    visit_id: str
    staff_id: str
    district_id: str
    date: date
    shift: ShiftKind
    version: int = Field(description="the published version she recorded against first")
    started_at: AwareDatetime | None
    done_at: AwareDatetime | None
    changed: bool = Field(description="False when this call repeated a time already stored")


class NurseActualsPublic(_Model):
    """Everything a nurse recorded on one shift."""

    date: date
    shift: ShiftKind
    actuals: list[VisitActualPublic]


class PlannedActualPublic(_Model):
    """One caregiver's visit: planned against actual."""

    district_id: str
    visit_id: str
    staff_id: str
    first_name: str
    patient_id: str
    sequence: int
    window_start: AwareDatetime
    window_end: AwareDatetime
    planned_start: AwareDatetime
    planned_end: AwareDatetime
    started_at: AwareDatetime | None
    done_at: AwareDatetime | None
    delay_s: int | None = Field(description="actual start minus planned start (signed)")
    lateness_s: int | None = Field(description="seconds after the window's end it started")
    on_time: bool | None = Field(description="started inside its window")


class ActualKpisPublic(_Model):
    """Key figures from actual times; a visit of two caregivers counts once (first start,
    last finish)."""

    visits_planned: int
    visits_started: int
    visits_done: int
    on_time_share: float | None = Field(description="of started visits, share inside window")
    mean_lateness_s: float | None = Field(description="mean lateness of started visits")
    mean_delay_s: float | None = Field(description="mean delay of started visits (signed)")


class ShiftVersionPublic(_Model):
    """The published version the comparison is made against."""

    district_id: str
    version: int


class PlannerActualsPublic(_Model):
    """Planned against actual for one shift (all districts, or one)."""

    date: date
    shift: ShiftKind
    versions: list[ShiftVersionPublic]
    visits: list[PlannedActualPublic]
    kpis: ActualKpisPublic


# --- the nurse records ------------------------------------------------------------------


def _find_visit(
    state: ApiState, user: NurseUser, visit_id: str, days: list[date], shifts: list[ShiftKind]
) -> tuple[PublishedShift, WorklistVisit]:
    """The nurse's visit ``visit_id`` in a current published shift of ``days`` × ``shifts``."""
    for day in days:
        for shift in shifts:
            for pub in state.published.current(user.municipality_id, day, shift.value):
                prepared = state.published.get(user.municipality_id, pub)
                worklist = prepared.worklists.get(user.person_id)
                if worklist is None:
                    continue
                for visit in worklist.visits:
                    if visit.visit_id == visit_id:
                        return prepared, visit
    raise HTTPException(
        status.HTTP_404_NOT_FOUND, "no visit of yours with that id in a published shift"
    )


def _record(
    state: ApiState,
    user: NurseUser,
    visit_id: str,
    kind: actuals.ActualKind,
    body: ActualCreate,
    plan_date: date | None,
    shift: ShiftKind | None,
) -> VisitActualPublic:
    now = datetime.now(UTC)
    at = body.at or now
    if at > now + CLOCK_SKEW:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "the time given is in the future")
    local_day = at.astimezone(ZoneInfo(OSLO_TZ_NAME)).date()
    days = [plan_date] if plan_date else [local_day, local_day - timedelta(days=1)]
    shifts = [shift] if shift else list(ShiftKind)
    prepared, visit = _find_visit(state, user, visit_id, days, shifts)
    result = prepared.result
    if not (
        result.shift_start - EARLIEST_BEFORE_SHIFT <= at <= result.shift_end + LATEST_AFTER_SHIFT
    ):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            f"the time given ({at.isoformat()}) is not during the visit's shift "
            f"({result.shift_start.isoformat()} to {result.shift_end.isoformat()})",
        )
    pub = prepared.publication
    key = actuals.VisitKey(
        municipality_id=user.municipality_id,
        district_id=pub.district_id,
        plan_date=pub.plan_date,
        shift=pub.shift,
        visit_id=visit_id,
        staff_id=user.person_id,
    )
    try:
        stored = actuals.record_actual(
            state.store.engine, key, kind, at, patient_id=visit.patient_id, version=pub.version
        )
    except actuals.ActualTimeError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    audit.write_audit(
        state.store.engine,
        municipality_id=user.municipality_id,
        actor_id=user.person_id,
        actor_role=user.role.value,
        patient_ids=[visit.patient_id],
        action=f"visit.{kind}",
        resource=f"visit:{visit_id}",
        purpose="care",
    )
    log_event(f"visit.{kind}", visit_id=visit_id, staff_id=user.person_id, changed=stored.changed)
    return _public(stored)


def _public(stored: actuals.VisitActual) -> VisitActualPublic:
    return VisitActualPublic(
        visit_id=stored.key.visit_id,
        staff_id=stored.key.staff_id,
        district_id=stored.key.district_id,
        date=stored.key.plan_date,
        shift=ShiftKind(stored.key.shift),
        version=stored.version,
        started_at=stored.started_at,
        done_at=stored.done_at,
        changed=stored.changed,
    )


_WHICH = (
    "Date and shift of the visit; without them the nurse's current published shifts of the "
    "day of the time given (and the day before, for a night shift) are searched."
)


@router.post(
    "/v1/nurse/visits/{visit_id}/{kind}",
    response_model=VisitActualPublic,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def record_visit_time(
    visit_id: VisitId,
    kind: Annotated[actuals.ActualKind, Path(description="started or done")],
    user: NurseUser,
    state: StateDep,
    body: ActualCreate | None = None,
    plan_date: Annotated[
        date | None, Query(alias="date", ge=MIN_DATE, le=MAX_DATE, description=_WHICH)
    ] = None,
    shift: ShiftKind | None = None,
) -> VisitActualPublic:
    """Record that the caller started (``/started``) or finished (``/done``) her visit
    ``visit_id``. Idempotent: a repeat returns the time first recorded, ``changed`` false;
    409 for a finish before the recorded start (or a start after the finish)."""
    return _record(state, user, visit_id, kind, body or ActualCreate(), plan_date, shift)


@router.get(
    "/v1/nurse/actuals",
    response_model=NurseActualsPublic,
    responses=problem_responses(401, 403, 422),
)
def my_actuals(
    user: NurseUser, state: StateDep, plan_date: DateQuery, shift: ShiftKind
) -> NurseActualsPublic:
    """The times the caller recorded on one shift (her own visits only)."""
    mine = []
    for pub in state.published.current(user.municipality_id, plan_date, shift.value):
        for stored in actuals.list_actuals(
            state.store.engine, user.municipality_id, pub.district_id, plan_date, shift.value
        ):
            if stored.key.staff_id == user.person_id:
                mine.append(_public(stored))
    return NurseActualsPublic(date=plan_date, shift=shift, actuals=mine)


# --- the planner compares ---------------------------------------------------------------


def _seconds(delta: timedelta) -> int:
    return round(delta.total_seconds())


def _compare(
    prepared: PublishedShift, recorded: dict[tuple[str, str], actuals.VisitActual]
) -> list[PlannedActualPublic]:
    rows = []
    district = prepared.publication.district_id
    for worklist in prepared.result.worklists:
        for visit in worklist.visits:
            got = recorded.get((visit.visit_id, worklist.staff_id))
            started = got.started_at if got else None
            rows.append(
                PlannedActualPublic(
                    district_id=district,
                    visit_id=visit.visit_id,
                    staff_id=worklist.staff_id,
                    first_name=worklist.first_name,
                    patient_id=visit.patient_id,
                    sequence=visit.sequence,
                    window_start=visit.window_start,
                    window_end=visit.window_end,
                    planned_start=visit.start,
                    planned_end=visit.end,
                    started_at=started,
                    done_at=got.done_at if got else None,
                    delay_s=None if started is None else _seconds(started - visit.start),
                    lateness_s=(
                        None if started is None else max(0, _seconds(started - visit.window_end))
                    ),
                    on_time=(
                        None
                        if started is None
                        else visit.window_start <= started <= visit.window_end
                    ),
                )
            )
    return rows


def actual_kpis(rows: list[PlannedActualPublic]) -> ActualKpisPublic:
    """The key figures of ``rows``; a visit of two caregivers counts once, with its first
    start and its last finish."""
    by_visit: dict[tuple[str, str], list[PlannedActualPublic]] = {}
    for row in rows:
        by_visit.setdefault((row.district_id, row.visit_id), []).append(row)
    starts: list[PlannedActualPublic] = []
    done = 0
    for same in by_visit.values():
        started = [r for r in same if r.started_at is not None]
        if started:
            starts.append(min(started, key=lambda r: r.started_at or r.planned_start))
        if any(r.done_at is not None for r in same):
            done += 1
    return ActualKpisPublic(
        visits_planned=len(by_visit),
        visits_started=len(starts),
        visits_done=done,
        on_time_share=(
            round(sum(1 for r in starts if r.on_time) / len(starts), 4) if starts else None
        ),
        mean_lateness_s=(round(mean(r.lateness_s or 0 for r in starts), 1) if starts else None),
        mean_delay_s=round(mean(r.delay_s or 0 for r in starts), 1) if starts else None,
    )


@router.get(
    "/v1/planner/actuals",
    response_model=PlannerActualsPublic,
    responses=problem_responses(401, 403, 404, 422),
)
def planner_actuals(
    user: PlannerUser,
    state: StateDep,
    plan_date: DateQuery,
    shift: ShiftKind,
    district: Annotated[
        str | None,
        Query(min_length=1, max_length=128, description="One district (default: all)."),
    ] = None,
) -> PlannerActualsPublic:
    """Planned against actual for the shift's current published version: each caregiver's
    visits with their actual times, delay and lateness, and the key figures from actuals.
    An audited read (the patients' ids)."""
    publications = [
        p
        for p in state.published.current(user.municipality_id, plan_date, shift.value)
        if district is None or p.district_id == district
    ]
    if not publications:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no published plan for that shift")
    rows: list[PlannedActualPublic] = []
    for pub in publications:
        prepared = state.published.get(user.municipality_id, pub)
        recorded = {
            (a.key.visit_id, a.key.staff_id): a
            for a in actuals.list_actuals(
                state.store.engine, user.municipality_id, pub.district_id, plan_date, shift.value
            )
        }
        rows.extend(_compare(prepared, recorded))
    audit.write_audit(
        state.store.engine,
        municipality_id=user.municipality_id,
        actor_id=user.person_id,
        actor_role=user.role.value,
        patient_ids=[r.patient_id for r in rows],
        action="actuals.read",
        resource=f"actuals:{plan_date.isoformat()}/{shift.value}",
        purpose="planning",
    )
    return PlannerActualsPublic(
        date=plan_date,
        shift=shift,
        versions=[
            ShiftVersionPublic(district_id=p.district_id, version=p.version) for p in publications
        ],
        visits=rows,
        kpis=actual_kpis(rows),
    )
