"""Planners: start, follow and cancel plan runs; read results; pin visits; publish."""

from __future__ import annotations

import logging
from datetime import date
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, HTTPException, Path, Query, Response, status

from hjemmetjeneste.api.deps import PlannerUser, StateDep
from hjemmetjeneste.api.events import log_event
from hjemmetjeneste.api.schemas import (
    MAX_DATE,
    MAX_ID,
    MIN_DATE,
    District,
    PinCreate,
    PinPublic,
    PublicationHistoryPublic,
    PublicationPublic,
    RunCreate,
    RunPublic,
    RunResultPublic,
    problem_responses,
)
from hjemmetjeneste.domain import PlanKpis, PlanResult, ShiftKind
from hjemmetjeneste.errors import record_words
from hjemmetjeneste.i18n import DEFAULT_LANGUAGE, translate
from hjemmetjeneste.planning.explain import worded
from hjemmetjeneste.store import audit, runs

router = APIRouter(tags=["planner"])
log = logging.getLogger("hjemmetjeneste.api.runs")

DateFilter = Annotated[date | None, Query(alias="date", ge=MIN_DATE, le=MAX_DATE)]
RunId = Annotated[str, Path(max_length=64)]
Lang = Annotated[
    Literal["nb", "en"],
    Query(description="Language of people-facing text (explanations): nb (default) or en."),
]


def _run_public(record: runs.RunRecord, lang: str = DEFAULT_LANGUAGE) -> RunPublic:
    """The run as the API shows it; its error worded in ``lang``."""
    return RunPublic(
        run_id=record.run_id,
        district_id=record.district_id,
        date=record.plan_date,
        shift=ShiftKind(record.shift),
        status=record.status,  # type: ignore[arg-type]
        progress=record.progress,
        best_objective=record.best_objective,
        time_limit_s=float(record.params.get("time_limit_s", 0.0)),
        created_by=record.created_by,
        created_at=record.created_at,
        started_at=record.started_at,
        finished_at=record.finished_at,
        cancel_requested=record.cancel_requested,
        error=record_words(record.error, partial(translate, lang=lang)),
        violations=record.violations,
        pins=int(record.params.get("pins", 0)),
        kpis=None if record.kpis is None else PlanKpis.model_validate(record.kpis),
    )


def _pin_public(pin: runs.PinRecord) -> PinPublic:
    return PinPublic(
        pin_id=pin.pin_id,
        district_id=pin.district_id,
        date=pin.plan_date,
        shift=ShiftKind(pin.shift),
        task_id=pin.task_id,
        visit_id=pin.visit_id,
        staff_id=pin.staff_id,
        start=pin.start,
        created_by=pin.created_by,
        created_at=pin.created_at,
    )


def _publication_public(pub: runs.PublicationRecord) -> PublicationPublic:
    return PublicationPublic(
        district_id=pub.district_id,
        date=pub.plan_date,
        shift=ShiftKind(pub.shift),
        version=pub.version,
        run_id=pub.run_id,
        published_by=pub.published_by,
        published_at=pub.published_at,
    )


def _own_run(state: StateDep, user: PlannerUser, run_id: str) -> runs.RunRecord:
    record = runs.get_run(state.store.engine, user.municipality_id, run_id)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such run in your municipality")
    return record


def _finished_result(state: StateDep, user: PlannerUser, run_id: str) -> PlanResult:
    record = _own_run(state, user, run_id)
    if record.status != "succeeded":
        raise HTTPException(status.HTTP_409_CONFLICT, f"the run is {record.status}, not succeeded")
    text = runs.run_result_json(state.store.engine, user.municipality_id, run_id)
    if text is None:  # pragma: no cover - a succeeded run always has its result
        raise HTTPException(status.HTTP_409_CONFLICT, "the run has no result")
    return PlanResult.model_validate_json(text)


@router.get(
    "/v1/districts",
    response_model=list[District],
    operation_id="list_districts",
    responses=problem_responses(401, 403),
)
def list_districts(user: PlannerUser, state: StateDep) -> list[District]:
    """The municipality's districts in force: what ``district_id`` of a run may name."""
    ids = runs.active_district_ids(state.store.engine, user.municipality_id)
    return [District(district_id=d) for d in sorted(ids)]


def _run_links() -> dict[str, Any]:
    """OpenAPI links from a run in a response body to what can be done with it next."""
    run_id = {"run_id": "$response.body#/run_id"}
    return {
        "GetRun": {"operationId": "get_run", "parameters": run_id},
        "CancelRun": {"operationId": "cancel_run", "parameters": run_id},
        "GetRunResult": {"operationId": "get_result", "parameters": run_id},
        "PublishRun": {"operationId": "publish_run", "parameters": run_id},
        "PinVisit": {"operationId": "pin_visit", "parameters": run_id},
    }


@router.post(
    "/v1/runs",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RunPublic,
    operation_id="start_run",
    responses={202: {"description": "The queued run.", "links": _run_links()}}
    | problem_responses(401, 403, 422),
)
def start_run(body: RunCreate, user: PlannerUser, state: StateDep) -> RunPublic:
    """Queue a plan run for a date, shift and district; a worker solves it (never the request).

    The shift's pins apply. Poll ``GET /v1/runs/{run_id}`` for progress.
    """
    districts = runs.active_district_ids(state.store.engine, user.municipality_id)
    district_id = body.district_id
    if district_id is None:
        if len(districts) != 1:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                "name a district_id" if districts else "import your municipality's export first",
            )
        district_id = districts[0]
    elif district_id not in districts:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "no such district in your municipality"
        )
    record = queue_run(state, user, district_id, body.date, body.shift.value, body.time_limit_s)
    return _run_public(record)


def queue_run(
    state: StateDep,
    user: PlannerUser,
    district_id: str,
    plan_date: date,
    shift: str,
    time_limit_s: float,
    warm_from: str | None = None,
    replan: dict[str, str] | None = None,
) -> runs.RunRecord:
    """Record a queued run of the shift with its pins and hand it to a worker.

    ``warm_from``: a run of the same shift whose worklists start the search (re-planning);
    ``replan``: an event's minimal-change re-plan of it (``api/replans.py``).
    """
    pins = runs.list_pins(
        state.store.engine,
        user.municipality_id,
        district_id=district_id,
        plan_date=plan_date,
        shift=shift,
    )
    params: dict[str, object] = {
        "time_limit_s": time_limit_s,
        "pins": len(pins),
        "pin_list": [
            {
                "task_id": p.task_id,
                "staff_id": p.staff_id,
                "start": None if p.start is None else p.start.isoformat(),
            }
            for p in pins
        ],
    }
    if warm_from is not None:
        params["warm_from"] = warm_from
    if replan is not None:
        params["replan"] = replan
    record = runs.create_run(
        state.store.engine,
        municipality_id=user.municipality_id,
        district_id=district_id,
        plan_date=plan_date,
        shift=shift,
        params=params,
        created_by=user.person_id,
    )
    state.runner.wake()
    log_event(
        "run.queued",
        run_id=record.run_id,
        municipality_id=user.municipality_id,
        district_id=district_id,
        actor_id=user.person_id,
    )
    return record


@router.get("/v1/runs", response_model=list[RunPublic], responses=problem_responses(401, 403, 422))
def list_runs(
    user: PlannerUser,
    state: StateDep,
    plan_date: DateFilter = None,
    shift: ShiftKind | None = None,
    district_id: Annotated[str | None, Query(max_length=128)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    lang: Lang = DEFAULT_LANGUAGE,
) -> list[RunPublic]:
    """The municipality's runs, newest first (a failed run's reason in bokmål, or English
    with ``?lang=en``)."""
    return [
        _run_public(r, lang)
        for r in runs.list_runs(
            state.store.engine,
            user.municipality_id,
            plan_date=plan_date,
            shift=None if shift is None else shift.value,
            district_id=district_id,
            limit=limit,
        )
    ]


@router.get(
    "/v1/runs/{run_id}",
    response_model=RunPublic,
    operation_id="get_run",
    responses=problem_responses(401, 403, 404, 422),
)
def get_run(
    run_id: RunId, user: PlannerUser, state: StateDep, lang: Lang = DEFAULT_LANGUAGE
) -> RunPublic:
    """A run's status, progress (0–1), best cost so far and, once done, its key figures
    (a failed run's reason in bokmål, or English with ``?lang=en``)."""
    return _run_public(_own_run(state, user, run_id), lang)


@router.post(
    "/v1/runs/{run_id}/cancel",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RunPublic,
    operation_id="cancel_run",
    responses=problem_responses(401, 403, 404, 422),
)
def cancel_run(run_id: RunId, user: PlannerUser, state: StateDep) -> RunPublic:
    """Cancel a queued run at once, or stop a running one (its solver process is ended);
    a running run whose server died is cancelled at once."""
    record = runs.request_cancel(
        state.store.engine, user.municipality_id, run_id, state.runner.stale_after
    )
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such run in your municipality")
    state.runner.wake()
    log_event("run.cancel_requested", run_id=run_id, actor_id=user.person_id)
    return _run_public(record)


@router.get(
    "/v1/runs/{run_id}/result",
    response_model=RunResultPublic,
    operation_id="get_result",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def get_result(
    run_id: RunId, user: PlannerUser, state: StateDep, lang: Lang = DEFAULT_LANGUAGE
) -> RunResultPublic:
    """A succeeded run's worklists, unplaced tasks with reasons (the explanations in bokmål,
    or English with ``?lang=en``), and KPIs (audited read)."""
    result = worded(_finished_result(state, user, run_id), lang)
    patients = [v.patient_id for w in result.worklists for v in w.visits]
    patients += [u.patient_id for u in result.unplaced]
    patients += [a.patient_id for a in result.as_needed]
    patients += [c.patient_id for c in result.cancelled]
    audit.write_audit(
        state.store.engine,
        municipality_id=user.municipality_id,
        actor_id=user.person_id,
        actor_role=user.role.value,
        patient_ids=patients,
        action="run.result.read",
        resource=f"run:{run_id}",
        purpose="planning",
    )
    return RunResultPublic(run_id=run_id, result=result)


@router.post(
    "/v1/runs/{run_id}/pins",
    status_code=status.HTTP_201_CREATED,
    response_model=list[PinPublic],
    operation_id="pin_visit",
    responses={
        201: {
            "description": "The pins made, one per task of the visit.",
            "links": {
                "DeletePin": {
                    "operationId": "delete_pin",
                    "parameters": {"pin_id": "$response.body#/0/pin_id"},
                }
            },
        }
    }
    | problem_responses(401, 403, 404, 409, 422),
)
def pin_visit(
    run_id: RunId, body: PinCreate, user: PlannerUser, state: StateDep
) -> list[PinPublic]:
    """Pin a visit of this run to a caregiver and/or a start; later runs of the shift keep it."""
    if body.staff_id is None and body.start is None:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "name a staff_id, a start, or both"
        )
    result = _finished_result(state, user, run_id)
    task_ids: list[str] = []
    for worklist in result.worklists:
        for visit in worklist.visits:
            if visit.visit_id == body.visit_id:
                task_ids = [t.task_id for t in visit.tasks]
    if not task_ids:
        task_ids = [u.task_id for u in result.unplaced if u.visit_id == body.visit_id]
    if not task_ids:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such visit in this run")
    if body.staff_id is not None and body.staff_id not in {w.staff_id for w in result.worklists}:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "that caregiver is not on this shift"
        )
    pins = runs.add_pins(
        state.store.engine,
        municipality_id=user.municipality_id,
        district_id=result.district_id,
        plan_date=result.date,
        shift=result.shift.value,
        visit_id=body.visit_id,
        task_ids=task_ids,
        staff_id=body.staff_id,
        start=body.start,
        created_by=user.person_id,
    )
    log_event(
        "pin.created",
        run_id=run_id,
        visit_id=body.visit_id,
        pin_ids=",".join(str(p.pin_id) for p in pins),
        actor_id=user.person_id,
    )
    return [_pin_public(p) for p in pins]


@router.get("/v1/pins", response_model=list[PinPublic], responses=problem_responses(401, 403, 422))
def list_pins(
    user: PlannerUser,
    state: StateDep,
    plan_date: DateFilter = None,
    shift: ShiftKind | None = None,
    district_id: Annotated[str | None, Query(max_length=128)] = None,
) -> list[PinPublic]:
    """The municipality's pins, optionally of one date, shift and district."""
    return [
        _pin_public(p)
        for p in runs.list_pins(
            state.store.engine,
            user.municipality_id,
            district_id=district_id,
            plan_date=plan_date,
            shift=None if shift is None else shift.value,
        )
    ]


@router.delete(
    "/v1/pins/{pin_id}",
    operation_id="delete_pin",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 422),
)
def delete_pin(
    pin_id: Annotated[int, Path(ge=1, le=MAX_ID)], user: PlannerUser, state: StateDep
) -> Response:
    """Remove a pin; runs started afterwards no longer keep it."""
    if not runs.delete_pin(state.store.engine, user.municipality_id, pin_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such pin in your municipality")
    log_event("pin.deleted", pin_id=pin_id, actor_id=user.person_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _parse_if_match(value: str | None) -> int:
    if value is None:
        raise HTTPException(
            status.HTTP_428_PRECONDITION_REQUIRED,
            "If-Match with the current published version (the ETag) is required",
        )
    text = value.strip()
    if text.startswith("W/"):
        text = text[2:]
    text = text.strip('"')
    if not text.isdigit() or len(text) > 9:
        raise HTTPException(status.HTTP_409_CONFLICT, "If-Match does not name a published version")
    return int(text)


@router.post(
    "/v1/runs/{run_id}/publish",
    status_code=status.HTTP_201_CREATED,
    response_model=PublicationPublic,
    operation_id="publish_run",
    responses=problem_responses(401, 403, 404, 409, 422, 428),
)
def publish(
    run_id: RunId,
    user: PlannerUser,
    state: StateDep,
    response: Response,
    if_match: Annotated[
        str | None,
        Header(description='The current version of the shift as its ETag, e.g. "0" at first.'),
    ] = None,
) -> PublicationPublic:
    """Publish a succeeded run as the shift's next version.

    ``If-Match`` must carry the shift's current version (``"0"`` before the first
    publication); a stale one answers 409 and publishes nothing. The new ETag is returned.
    """
    expected = _parse_if_match(if_match)
    record = _own_run(state, user, run_id)
    if record.status != "succeeded":
        raise HTTPException(status.HTTP_409_CONFLICT, f"the run is {record.status}, not succeeded")
    try:
        pub = runs.publish_run(
            state.store.engine,
            municipality_id=user.municipality_id,
            district_id=record.district_id,
            plan_date=record.plan_date,
            shift=record.shift,
            run_id=run_id,
            expected_version=expected,
            published_by=user.person_id,
        )
    except runs.StaleVersionError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    state.published.invalidate(user.municipality_id, record.plan_date, record.shift)
    response.headers["ETag"] = f'"{pub.version}"'
    log_event(
        "run.published",
        run_id=run_id,
        municipality_id=user.municipality_id,
        district_id=record.district_id,
        version=pub.version,
        actor_id=user.person_id,
    )
    return _publication_public(pub)


@router.get(
    "/v1/publications",
    response_model=list[PublicationPublic],
    responses=problem_responses(401, 403, 422),
)
def current_publications(
    user: PlannerUser,
    state: StateDep,
    plan_date: DateFilter = None,
    shift: ShiftKind | None = None,
) -> list[PublicationPublic]:
    """The current version of every published shift of the municipality."""
    return [
        _publication_public(p)
        for p in runs.current_publications(
            state.store.engine,
            user.municipality_id,
            plan_date,
            None if shift is None else shift.value,
        )
    ]


@router.get(
    "/v1/publications/{district_id}/{plan_date}/{shift}",
    response_model=PublicationHistoryPublic,
    responses=problem_responses(401, 403, 422),
)
def publication_history(
    district_id: Annotated[str, Path(max_length=128)],
    plan_date: Annotated[date, Path(ge=MIN_DATE, le=MAX_DATE)],
    shift: ShiftKind,
    user: PlannerUser,
    state: StateDep,
    response: Response,
) -> PublicationHistoryPublic:
    """A shift's published history, newest first; the ETag is the current version."""
    history = runs.publication_history(
        state.store.engine, user.municipality_id, district_id, plan_date, shift.value
    )
    current = history[0].version if history else 0
    response.headers["ETag"] = f'"{current}"'
    return PublicationHistoryPublic(
        district_id=district_id,
        date=plan_date,
        shift=shift,
        current_version=current,
        versions=[_publication_public(p) for p in history],
    )
