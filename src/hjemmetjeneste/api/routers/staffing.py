"""Planners: the staffing need (bemanningsbehov) of their municipality's district, per shift."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict

from hjemmetjeneste.api.deps import PlannerUser, StateDep
from hjemmetjeneste.api.schemas import problem_responses
from hjemmetjeneste.domain import ShiftKind
from hjemmetjeneste.rostering.files import need_record
from hjemmetjeneste.rostering.staffing import staffing_need
from hjemmetjeneste.store import StoreError

router = APIRouter(tags=["planner"])
log = logging.getLogger("hjemmetjeneste.api.staffing")

MAX_DAYS = 14
"""The longest period one request may ask for (the search takes about a second a day)."""


class ShiftNeedPublic(BaseModel):
    """The caregivers one shift needs: in total, per competence level (that level or
    higher) and per skill, and the share of tasks placed with one caregiver fewer."""

    model_config = ConfigDict(frozen=True)

    date: date
    shift: ShiftKind
    total: int
    by_competence: dict[str, int]
    by_skill: dict[str, int]
    tasks: int
    placeable: int
    placed_share_one_fewer: float
    unplaceable: list[str]


class StaffingPublic(BaseModel):
    """The staffing need of one district from ``from_date`` to ``to_date``."""

    model_config = ConfigDict(frozen=True)

    district_id: str
    from_date: date
    to_date: date
    shifts: list[ShiftNeedPublic]


@router.get(
    "/v1/staffing", response_model=StaffingPublic, responses=problem_responses(401, 403, 422)
)
def get_staffing(
    user: PlannerUser,
    state: StateDep,
    from_date: Annotated[date, Query(description="First date.")],
    to_date: Annotated[date | None, Query(description="Last date (default: from_date).")] = None,
    district_id: Annotated[
        str | None, Query(description="District; needed when there are several.")
    ] = None,
) -> StaffingPublic:
    """The caregivers each shift needs to place every task, found with the routing solver on
    the caller's municipality's current care plans (at most 14 days per request)."""
    last = to_date or from_date
    if last < from_date or (last - from_date) >= timedelta(days=MAX_DAYS):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"to_date must be on or after from_date and at most {MAX_DAYS} days on",
        )
    try:
        data = state.store.load_municipality(user.municipality_id)
    except StoreError as exc:  # nothing imported yet
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "import your municipality's export first"
        ) from exc
    districts = [d.district_id for d in data.districts]
    if district_id is None:
        if len(districts) != 1:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "name a district_id")
        district_id = districts[0]
    elif district_id not in districts:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "no such district in your municipality"
        )
    needs = staffing_need(data, from_date, last, district_id)
    log.info("staffing need %s %s-%s read by %s", district_id, from_date, last, user.person_id)
    return StaffingPublic(
        district_id=district_id,
        from_date=from_date,
        to_date=last,
        shifts=[ShiftNeedPublic.model_validate(need_record(n)) for n in needs],
    )
