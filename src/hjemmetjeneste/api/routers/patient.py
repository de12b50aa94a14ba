"""Patients: their own upcoming published visits as time windows, as in the patient portal."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query

from hjemmetjeneste.api.deps import PatientUser, StateDep
from hjemmetjeneste.api.schemas import MAX_DATE, MIN_DATE, PatientVisitsPublic, problem_responses
from hjemmetjeneste.domain import OSLO_TZ_NAME
from hjemmetjeneste.store import runs

router = APIRouter(prefix="/v1/patient", tags=["patient"])

#: How far ahead the portal shows visits.
HORIZON_DAYS = 14


@router.get(
    "/visits", response_model=PatientVisitsPublic, responses=problem_responses(401, 403, 422)
)
def my_visits(
    user: PatientUser,
    state: StateDep,
    from_date: Annotated[
        date | None,
        Query(
            description="First date to show; today (Europe/Oslo) by default.",
            ge=MIN_DATE,
            le=MAX_DATE,
        ),
    ] = None,
) -> PatientVisitsPublic:
    """The caller's published visits from ``from_date`` on (14 days): when, and who by first
    name. Never the route, other patients, addresses or times of other visits."""
    start = from_date or datetime.now(ZoneInfo(OSLO_TZ_NAME)).date()
    visits = []
    for pub in runs.current_publications(
        state.store.engine,
        user.municipality_id,
        from_date=start,
        to_date=start + timedelta(days=HORIZON_DAYS),
    ):
        prepared = state.published.get(user.municipality_id, pub)
        visits.extend(prepared.patient_visits.get(user.person_id, ()))
    if from_date is None:  # upcoming: drop today's visits whose window has passed
        now = datetime.now(ZoneInfo(OSLO_TZ_NAME))
        visits = [v for v in visits if v.window_end >= now]
    visits.sort(key=lambda v: v.window_start)
    return PatientVisitsPublic(patient_id=user.person_id, visits=visits)
