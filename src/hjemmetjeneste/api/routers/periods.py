"""Planners: plan the municipality's whole period (every district × day × shift) in one call.

The API equivalent of ``hjemmetjeneste plan --all-districts``: the same
:func:`hjemmetjeneste.executors.plan_period` on the same executor (a local process pool, or
Dask when ``HJEMMETJENESTE_DASK_SCHEDULER`` is set), started in the background; the plans go
to the store's period units. A planner sees and starts periods of her own municipality only.
Period runs live in this server process: after a restart, start the period again (units
already in the store are not solved twice).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import Literal

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field

from hjemmetjeneste.api.deps import PlannerUser, StateDep
from hjemmetjeneste.api.routers.runs import Lang
from hjemmetjeneste.api.schemas import problem_responses
from hjemmetjeneste.domain import ShiftKind
from hjemmetjeneste.errors import phrase_record, record_words, run_failure
from hjemmetjeneste.executors import PeriodReport, UnitOutcome, make_executor, plan_period
from hjemmetjeneste.i18n import DEFAULT_LANGUAGE, translate
from hjemmetjeneste.solver import SolveParams

router = APIRouter(tags=["planner"])
log = logging.getLogger("hjemmetjeneste.api.periods")

#: The longest period one call may plan.
MAX_DAYS = 31


class PeriodCreate(BaseModel):
    """What to plan: a date range, its shifts, the per-shift budget, lending on or off."""

    model_config = ConfigDict(extra="forbid")

    first: date
    last: date
    shifts: list[ShiftKind] = Field(default_factory=lambda: list(ShiftKind))
    time_limit_s: float = Field(default=20.0, gt=0.0, le=600.0)
    solution_limit: int | None = Field(default=None, ge=1, le=100_000)
    lending: bool = True


class UnitPublic(BaseModel):
    """One planned (or failed) shift of the period: ids and counts only."""

    district_id: str
    date: date
    shift: ShiftKind
    kind: str
    visits_total: int
    visits_placed: int
    time_critical_unplaced: int
    violations: int
    error: str | None


class LoanPublic(BaseModel):
    """A visit done by a caregiver of a neighbouring district."""

    date: date
    shift: ShiftKind
    borrower_id: str
    lender_id: str
    staff_id: str
    visit_id: str
    time_critical: bool


class PeriodPublic(BaseModel):
    """A period run: its progress, every unit done so far, and the loans."""

    period_id: str
    status: Literal["running", "succeeded", "failed"]
    first: date
    last: date
    created_by: str
    created_at: datetime
    units_total: int
    units_done: int
    units: list[UnitPublic]
    loans: list[LoanPublic]
    error: str | None = None


@dataclass
class _Period:
    period_id: str
    municipality_id: str
    body: PeriodCreate
    created_by: str
    created_at: datetime
    status: str = "running"
    total: int = 0
    done: list[UnitOutcome] = field(default_factory=list)
    report: PeriodReport | None = None
    error: str | None = None


def _registry(request: Request) -> tuple[threading.Lock, dict[str, _Period]]:
    """This app's period runs (created with the first one)."""
    state = request.app.state
    if not hasattr(state, "periods"):
        state.periods = (threading.Lock(), {})
    return state.periods  # type: ignore[no-any-return]


def _unit_public(o: UnitOutcome, say: Callable[[str], str]) -> UnitPublic:
    k = o.result.kpis if o.result is not None else None
    return UnitPublic(
        district_id=o.district_id,
        date=o.day,
        shift=o.shift,
        kind=o.kind,
        visits_total=k.visits_total if k else 0,
        visits_placed=k.visits_placed if k else 0,
        time_critical_unplaced=k.time_critical_unplaced if k else 0,
        violations=o.violations,
        error=record_words(o.error, say),
    )


def _public(period: _Period, lang: str = DEFAULT_LANGUAGE) -> PeriodPublic:
    """The period as the API shows it; errors worded in ``lang``."""
    say = partial(translate, lang=lang)
    loans = period.report.loans if period.report is not None else []
    return PeriodPublic(
        period_id=period.period_id,
        status=period.status,  # type: ignore[arg-type]
        first=period.body.first,
        last=period.body.last,
        created_by=period.created_by,
        created_at=period.created_at,
        units_total=period.total,
        units_done=len(period.done),
        units=[_unit_public(o, say) for o in list(period.done)],
        loans=[LoanPublic(**vars(x)) for x in loans],
        error=record_words(period.error, say),
    )


def _run(period: _Period, database_url: str, scheduler: str | None, workers: int) -> None:
    body = period.body
    try:
        with make_executor(scheduler, workers) as executor:
            period.report = plan_period(
                database_url,
                body.first,
                body.last,
                executor,
                municipality_id=period.municipality_id,
                shifts=tuple(body.shifts),
                params=SolveParams(
                    time_limit_s=body.time_limit_s, solution_limit=body.solution_limit
                ),
                lending=body.lending,
                on_unit=period.done.append,
                on_planned=lambda n: setattr(period, "total", n),
            )
        period.status = "succeeded"
    except Exception as exc:  # reported on the period; ids and messages only, no data
        log.exception("period %s failed", period.period_id)
        period.error = phrase_record(run_failure(exc))
        period.status = "failed"


@router.post(
    "/v1/periods",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Plan every district, day and shift of a period (in the background)",
    responses=problem_responses(401, 403, 409, 422),
)
def start_period(
    body: PeriodCreate, request: Request, state: StateDep, user: PlannerUser
) -> PeriodPublic:
    """Start planning the caller's municipality from ``first`` to ``last``; poll its URL.

    One period run per municipality at a time (409 while one is running).
    """
    days = (body.last - body.first).days + 1
    if not 1 <= days <= MAX_DAYS:
        raise HTTPException(422, f"a period is 1 to {MAX_DAYS} days from first to last")
    period = _Period(
        period_id=str(uuid.uuid4()),
        municipality_id=user.municipality_id,
        body=body,
        created_by=user.person_id,
        created_at=datetime.now(UTC),
    )
    lock, periods = _registry(request)
    with lock:
        # One period run of a municipality at a time: they would plan the same units.
        if any(
            p.municipality_id == user.municipality_id and p.status == "running"
            for p in periods.values()
        ):
            raise HTTPException(409, "a period run of this municipality is still running")
        periods[period.period_id] = period
    settings = state.settings
    threading.Thread(
        target=_run,
        args=(period, settings.database_url, settings.dask_scheduler, settings.period_workers or 1),
        name=f"period-{period.period_id}",
        daemon=True,
    ).start()
    log.info("period %s started by %s", period.period_id, user.person_id)
    return _public(period)


@router.get(
    "/v1/periods/{period_id}",
    summary="A period run: progress, units, loans",
    responses=problem_responses(401, 403, 404),
)
def get_period(
    period_id: str, request: Request, user: PlannerUser, lang: Lang = DEFAULT_LANGUAGE
) -> PeriodPublic:
    """The period run ``period_id`` of the caller's municipality (404 for any other); errors
    in bokmål, or English with ``?lang=en``."""
    lock, periods = _registry(request)
    with lock:
        period = periods.get(period_id)
    if period is None or period.municipality_id != user.municipality_id:
        raise HTTPException(404, "no such period run")
    return _public(period, lang)
