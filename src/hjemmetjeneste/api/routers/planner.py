"""The planner's page: its static files, and the endpoints only the page needs.

- ``GET /`` and ``/static/...``: the page (``hjemmetjeneste/web/static``), no build step.
- ``GET /v1/planner/config``: tile URL and the municipality's districts with their bases.
- ``GET /v1/planner/runs/{id}/view``: a run's result with what the map and timeline need
  besides (the base, where unplaced patients live, each visit's required competence, the
  continuity figure); audited like ``/result``.
- ``GET /v1/planner/runs/{id}/events``: the run's progress as server-sent events.
- ``GET /v1/planner/runs/{id}/candidates?visit_id=``: "who could take this?", caregivers
  ranked by the lateness and travel the visit adds to their route (``solver.insertion``).
- ``POST /v1/planner/runs/{id}/replan``: pin a visit to a caregiver (and a start) and start a
  warm re-plan from this run.
- ``GET /v1/demo`` and ``POST /v1/demo/token``: the role picker, only when the server runs
  with ``api_demo`` (``serve --demo``) (404 otherwise).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from importlib.resources import files
from pathlib import Path
from statistics import mean
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hjemmetjeneste.api.auth import Role, issue_demo_token
from hjemmetjeneste.api.deps import ApiState, PlannerUser, StateDep
from hjemmetjeneste.api.routers import runs as runs_router
from hjemmetjeneste.api.schemas import PinCreate, RunPublic, problem_responses
from hjemmetjeneste.domain import MunicipalityData, PlanResult
from hjemmetjeneste.i18n import DEFAULT_LANGUAGE
from hjemmetjeneste.planning.continuity import caregivers_per_patient
from hjemmetjeneste.store import runs

__all__ = ["mount_page", "router"]

router = APIRouter(tags=["planner page"])

STATIC_DIR = Path(str(files("hjemmetjeneste.web") / "static"))
_TERMINAL = runs.FINAL_STATUSES
#: Seconds between progress events, and the longest an event stream stays open.
_EVENT_EVERY_S = 0.5
_EVENT_STREAM_MAX_S = 30 * 60
#: Content-Security-Policy of the page: its own scripts only; map tiles from anywhere the
#: deployment points the tile URL at (images only).
_PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob: https: http:; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PlacePublic(_Model):
    """A point on the map."""

    lat: float
    lon: float


class DistrictPublic(_Model):
    """A district the planner may plan, with its base."""

    district_id: str
    name: str
    base_name: str
    base: PlacePublic


class PlannerConfigPublic(_Model):
    """What the page needs before it loads a plan."""

    municipality_id: str
    timezone: str
    districts: list[DistrictPublic]
    shifts: list[str]
    tile_url: str | None
    tile_attribution: str


class UnplacedPlacePublic(_Model):
    """Where an unplaced task's patient lives and the patient's first name."""

    visit_id: str
    patient_first_name: str
    location: PlacePublic


class PlanViewPublic(_Model):
    """A run's result with what the map, the timeline and the key figures need besides."""

    run_id: str
    result: PlanResult
    base: PlacePublic
    base_name: str
    unplaced_places: list[UnplacedPlacePublic]
    visit_competence: dict[str, str]
    caregivers_per_patient: float | None = Field(
        description="continuity: distinct caregivers per patient of this plan, counted over "
        "this plan and the district's published shifts of the last continuity_days days"
    )
    continuity_days: int
    continuity_shifts: int = Field(description="plans counted (this one included)")
    overtime_s: int


class CandidatePublic(_Model):
    """One caregiver who could take a visit, and what it would cost."""

    staff_id: str
    first_name: str
    competence: str
    added_travel_s: int
    added_late_s: int
    feasible: bool
    start: AwareDatetime
    after_sequence: int = Field(description="the visit would follow this stop (0: first)")


class CandidatesPublic(_Model):
    """The ranked caregivers for a visit; ``note`` says why the list is empty, if it is:
    nobody on shift is qualified, or every qualified caregiver already has the visit."""

    visit_id: str
    candidates: list[CandidatePublic]
    note: Literal["nobody_qualified", "everyone_has_it"] | None = None


class ReplanCreate(_Model):
    """Move a visit by hand: pin it to a caregiver (and optionally a start), then re-plan."""

    visit_id: str = Field(min_length=1, max_length=256)
    staff_id: str = Field(min_length=1, max_length=128)
    start: AwareDatetime | None = None
    time_limit_s: float = Field(default=5.0, ge=0.5, le=300.0)


class ReplanPublic(_Model):
    """The warm re-plan that was started and the pins it made (delete them to undo)."""

    run: RunPublic
    pin_ids: list[int]


class DemoPublic(_Model):
    """The roles the demo's role picker offers."""

    roles: list[str]


class DemoTokenCreate(_Model):
    """A demo sign-in as a role."""

    role: Role


class DemoTokenPublic(_Model):
    """A demo bearer token and whom it names."""

    token: str
    role: str
    person_id: str
    municipality_id: str


# --- the municipality's data, cached briefly per server process ------------------------

_DATA_TTL_S = 60.0
_BUILT_MAX = 4


@dataclass
class _PageCache:
    """Per server process: each municipality's data (with a load number) and built shifts."""

    lock: threading.Lock
    data: dict[str, tuple[float, int, MunicipalityData]]
    built: OrderedDict[str, Any]
    results: OrderedDict[str, PlanResult]
    loads: int = 0


_CACHE_LOCK = threading.Lock()


def _cache(request: Request) -> _PageCache:
    with _CACHE_LOCK:
        cache = getattr(request.app.state, "planner_page", None)
        if cache is None:
            cache = _PageCache(
                lock=threading.Lock(), data={}, built=OrderedDict(), results=OrderedDict()
            )
            request.app.state.planner_page = cache
    return cache  # type: ignore[no-any-return]


def _loaded(
    request: Request, state: ApiState, municipality_id: str
) -> tuple[int, MunicipalityData]:
    """The municipality's current data and its load number; at most a minute old."""
    cache = _cache(request)
    now = time.monotonic()
    with cache.lock:
        hit = cache.data.get(municipality_id)
    if hit is not None and now - hit[0] < _DATA_TTL_S:
        return hit[1], hit[2]
    try:
        data = state.store.load_municipality(municipality_id)
    except Exception:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, "import your municipality's export first"
        ) from None
    with cache.lock:
        cache.loads += 1
        cache.data[municipality_id] = (now, cache.loads, data)
        return cache.loads, data


def _municipality(request: Request, state: ApiState, municipality_id: str) -> MunicipalityData:
    """The municipality's current data; at most a minute old (imports are daily)."""
    return _loaded(request, state, municipality_id)[1]


def _place(point: Any) -> PlacePublic:
    return PlacePublic(lat=point.lat, lon=point.lon)


def _first_name(name: str) -> str:
    return name.split()[0] if name.split() else ""


# --- the page itself --------------------------------------------------------------------


def mount_page(app: FastAPI) -> None:
    """Serve the page at ``/`` and its files under ``/static`` (call after the routers)."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        """The planner's page (it signs in with a bearer token; it holds no data itself)."""
        return FileResponse(
            STATIC_DIR / "index.html",
            headers={"Content-Security-Policy": _PAGE_CSP, "Cache-Control": "no-cache"},
        )


@router.get(
    "/v1/planner/config",
    response_model=PlannerConfigPublic,
    responses=problem_responses(401, 403, 404),
)
def planner_config(request: Request, user: PlannerUser, state: StateDep) -> PlannerConfigPublic:
    """The districts the planner may plan (with their bases), the shifts and the tile URL."""
    data = _municipality(request, state, user.municipality_id)
    bases = {b.base_id: b for b in data.bases}
    return PlannerConfigPublic(
        municipality_id=user.municipality_id,
        timezone=data.municipality.timezone,
        districts=[
            DistrictPublic(
                district_id=d.district_id,
                name=d.name,
                base_name=bases[d.base_id].name,
                base=_place(bases[d.base_id].location),
            )
            for d in data.districts
        ],
        shifts=[s.kind.value for s in data.municipality.shifts],
        tile_url=state.settings.map_tile_url,
        tile_attribution=state.settings.map_tile_attribution,
    )


def _result(
    state: ApiState, user: PlannerUser, run_id: str, lang: str = DEFAULT_LANGUAGE
) -> PlanResult:
    return runs_router.get_result(run_id, user, state, lang).result  # type: ignore[arg-type]


@router.get(
    "/v1/planner/runs/{run_id}/view",
    response_model=PlanViewPublic,
    responses=problem_responses(401, 403, 404, 409),
)
def plan_view(
    run_id: str,
    request: Request,
    user: PlannerUser,
    state: StateDep,
    lang: runs_router.Lang = DEFAULT_LANGUAGE,
) -> PlanViewPublic:
    """A succeeded run's result with the base, unplaced patients' places, each visit's
    required competence and the continuity figure (an audited read, like ``/result``);
    explanations in bokmål, or English with ``?lang=en``."""
    result = _result(state, user, run_id, lang)
    load, data = _loaded(request, state, user.municipality_id)
    district = data.district(result.district_id)
    base = data.base(district.base_id)
    patients = {p.patient_id: p for p in data.patients}
    places: dict[str, UnplacedPlacePublic] = {}
    for task in result.unplaced:
        patient = patients.get(task.patient_id)
        if patient is not None and task.visit_id not in places:
            places[task.visit_id] = UnplacedPlacePublic(
                visit_id=task.visit_id,
                patient_first_name=_first_name(patient.display_name),
                location=_place(patient.location),
            )
    built = _built(request, load, data, result)
    days = data.municipality.rules.continuity_days
    window = [result, *_published_before(request, state, result, days)]
    seen = caregivers_per_patient(window)
    here = {v.patient_id for w in result.worklists for v in w.visits}
    per_patient = [seen[p] for p in here if p in seen]
    return PlanViewPublic(
        run_id=run_id,
        result=result,
        base=_place(base.location),
        base_name=base.name,
        unplaced_places=list(places.values()),
        visit_competence=built.competence,
        caregivers_per_patient=round(mean(per_patient), 2) if per_patient else None,
        continuity_days=days,
        continuity_shifts=len(window),
        overtime_s=sum(w.overtime_s for w in result.worklists),
    )


_RESULTS_MAX = 64


def _published_before(
    request: Request, state: ApiState, result: PlanResult, days: int
) -> list[PlanResult]:
    """The district's current published plans of the ``days`` days up to ``result``'s date,
    other than ``result``'s own shift (published results never change: cached by run)."""
    municipality_id = result.municipality_id
    publications = runs.current_publications(
        state.store.engine,
        municipality_id,
        district_id=result.district_id,
        from_date=result.date - timedelta(days=days - 1),
        to_date=result.date,
    )
    page_cache = _cache(request)
    found = []
    for pub in publications:
        if pub.plan_date == result.date and pub.shift == result.shift.value:
            continue
        with page_cache.lock:
            hit = page_cache.results.get(pub.run_id)
        if hit is None:
            text = runs.run_result_json(state.store.engine, municipality_id, pub.run_id)
            if text is None:  # pragma: no cover - a published run always has its result
                continue
            hit = PlanResult.model_validate_json(text)
            with page_cache.lock:
                page_cache.results[pub.run_id] = hit
                while len(page_cache.results) > _RESULTS_MAX:
                    page_cache.results.popitem(last=False)
        found.append(hit)
    return found


@dataclass(frozen=True)
class _Built:
    """The shift's day plan and routing problem, as the run's solver saw them (no pins)."""

    day_plan: Any
    built: Any
    competence: dict[str, str]


def _built(request: Request, load: int, data: MunicipalityData, result: PlanResult) -> _Built:
    """The day plan and routing problem of ``result``'s shift, cached per shift and data
    load (``load`` numbers the loads of the municipality's data)."""
    from hjemmetjeneste.planning.to_problem import build_problem
    from hjemmetjeneste.tasks import build_day_plan
    from hjemmetjeneste.travel import GreatCircleSource

    page_cache = _cache(request)
    cache = page_cache.built
    key = f"{load}|{result.municipality_id}|{result.district_id}|{result.date}|{result.shift.value}"
    with page_cache.lock:
        hit = cache.get(key)
        if hit is not None:
            cache.move_to_end(key)
            return hit  # type: ignore[no-any-return]
    day_plan = build_day_plan(data, result.date, result.shift, result.district_id)
    built = _Built(
        day_plan=day_plan,
        built=build_problem(day_plan, GreatCircleSource()),
        competence={v.visit_id: v.required_competence.value for v in day_plan.visits},
    )
    with page_cache.lock:
        cache[key] = built
        while len(cache) > _BUILT_MAX:
            cache.popitem(last=False)
    return built


@router.get(
    "/v1/planner/runs/{run_id}/candidates",
    response_model=CandidatesPublic,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def candidates(
    run_id: str,
    visit_id: Annotated[str, Query(min_length=1, max_length=256)],
    request: Request,
    user: PlannerUser,
    state: StateDep,
) -> CandidatesPublic:
    """Who could take this visit: every qualified caregiver on shift who does not already,
    with the cheapest place in their route, ranked by the lateness it adds, then the travel.

    The run's worklists are kept as they are; breaks and a double-staffed partner's start
    are not re-timed (a re-plan with the choice pinned checks them)."""
    from hjemmetjeneste.planning.warmstart import initial_routes
    from hjemmetjeneste.solver.insertion import rank_insertions

    result = _result(state, user, run_id)
    load, data = _loaded(request, state, user.municipality_id)
    shift = _built(request, load, data, result)
    index, problem = shift.built.index, shift.built.problem
    nodes = [n for n, v in enumerate(index.job_visit) if v == visit_id]
    known = {v.visit_id for w in result.worklists for v in w.visits}
    known |= {u.visit_id for u in result.unplaced}
    if visit_id not in known:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such visit in this run")
    if not nodes:
        return CandidatesPublic(
            visit_id=visit_id,
            candidates=[],
            note="nobody_qualified",
        )
    routes = [
        [n for n in route if n not in nodes]
        for route in initial_routes(shift.day_plan, shift.built, result)
    ]
    owners = {w.staff_id for w in result.worklists if any(v.visit_id == visit_id for v in w.visits)}
    best: dict[int, Any] = {}
    for node in nodes:
        for option in rank_insertions(problem, routes, node):
            kept = best.get(option.vehicle)
            if kept is None or (option.added_late_s, option.added_travel_s) < (
                kept.added_late_s,
                kept.added_travel_s,
            ):
                best[option.vehicle] = option
    staff = {s.staff_id: s for s in shift.day_plan.staff}
    ranked = sorted(best.values(), key=lambda o: (o.added_late_s, o.added_travel_s, o.vehicle))
    listed = []
    for option in ranked:
        staff_id = index.vehicle_staff[option.vehicle]
        if staff_id in owners:
            continue
        member = staff[staff_id]
        listed.append(
            CandidatePublic(
                staff_id=staff_id,
                first_name=member.first_name,
                competence=member.competence.value,
                added_travel_s=option.added_travel_s,
                added_late_s=option.added_late_s,
                feasible=option.feasible,
                start=index.to_instant(option.start_s),
                after_sequence=option.position,
            )
        )
    return CandidatesPublic(
        visit_id=visit_id,
        candidates=listed,
        note=None if listed else "everyone_has_it",
    )


def _start_warm_run(
    state: ApiState, user: PlannerUser, base: runs.RunRecord, time_limit_s: float
) -> runs.RunRecord:
    """Adapter to the run queue: queue a run of ``base``'s shift (with the shift's pins) that
    starts from ``base``'s worklists. The one place this page touches the run queue."""
    return runs_router.queue_run(
        state,
        user,
        base.district_id,
        base.plan_date,
        base.shift,
        time_limit_s,
        warm_from=base.run_id,
    )


@router.post(
    "/v1/planner/runs/{run_id}/replan",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ReplanPublic,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def replan(run_id: str, body: ReplanCreate, user: PlannerUser, state: StateDep) -> ReplanPublic:
    """Pin the visit to the caregiver (and start) and start a warm re-plan from this run.

    The new run starts from this run's worklists, keeps every pin of the shift, and moves
    other visits only where that saves more than the stability cost. To undo the move,
    delete the returned pins (``DELETE /v1/pins/{id}``).
    """
    pins = runs_router.pin_visit(
        run_id,
        PinCreate(visit_id=body.visit_id, staff_id=body.staff_id, start=body.start),
        user,
        state,
    )
    base = runs_router._own_run(state, user, run_id)
    record = _start_warm_run(state, user, base, body.time_limit_s)
    return ReplanPublic(run=runs_router._run_public(record), pin_ids=[p.pin_id for p in pins])


@router.get(
    "/v1/planner/runs/{run_id}/events",
    responses={200: {"content": {"text/event-stream": {}}}, **problem_responses(401, 403, 404)},
)
def run_events(
    run_id: str, user: PlannerUser, state: StateDep, lang: runs_router.Lang = DEFAULT_LANGUAGE
) -> StreamingResponse:
    """The run's state as server-sent events (``event: progress``, JSON data), every half
    second while it changes, ending with its final state (a failure's reason in bokmål, or
    English with ``?lang=en``)."""
    runs_router._own_run(state, user, run_id)  # 404 before the stream opens

    async def stream() -> AsyncIterator[bytes]:
        last = ""
        started = time.monotonic()
        while time.monotonic() - started < _EVENT_STREAM_MAX_S:
            record = await run_in_threadpool(
                runs.get_run, state.store.engine, user.municipality_id, run_id
            )
            if record is None:
                return
            body = runs_router._run_public(record, lang).model_dump_json()
            if body != last:
                last = body
                yield f"event: progress\ndata: {body}\n\n".encode()
            if record.status in _TERMINAL:
                yield b"event: end\ndata: {}\n\n"
                return
            await asyncio.sleep(_EVENT_EVERY_S)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


# --- demo sign-in -----------------------------------------------------------------------


def _demo_only(state: ApiState) -> None:
    if not state.settings.api_demo:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Not Found")


@router.get("/v1/demo", response_model=DemoPublic, responses=problem_responses(404))
async def demo(request: Request) -> DemoPublic:
    """The demo's role picker (404 unless the server runs in demo mode)."""
    _demo_only(request.app.state.api)
    return DemoPublic(roles=[r.value for r in Role])


@router.post("/v1/demo/token", response_model=DemoTokenPublic, responses=problem_responses(404))
def demo_token(body: DemoTokenCreate, request: Request, state: StateDep) -> DemoTokenPublic:
    """A token for a role in the store's demo municipality (404 unless in demo mode).

    A nurse is the first caregiver, a patient the first patient; other roles get a demo
    user id. The municipality is the store's first (the demo's, 5001).
    """
    _demo_only(state)
    ids = state.store.municipality_ids()
    if not ids:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "import the demo export first")
    municipality_id = sorted(ids)[0]
    data = _municipality(request, state, municipality_id)
    person = f"{body.role.value}-demo"
    if body.role is Role.NURSE and data.staff:
        person = data.staff[0].staff_id
    elif body.role is Role.PATIENT and data.patients:
        person = data.patients[0].patient_id
    token = issue_demo_token(
        state.settings, role=body.role, person_id=person, municipality_id=municipality_id
    )
    return DemoTokenPublic(
        token=token, role=body.role.value, person_id=person, municipality_id=municipality_id
    )
