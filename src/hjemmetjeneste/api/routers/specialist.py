"""Hospital specialists: a patient's current care plan, read-only; every read is audited."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy import or_, select

from hjemmetjeneste.api.deps import SpecialistUser, StateDep
from hjemmetjeneste.api.events import log_event
from hjemmetjeneste.api.schemas import (
    CarePlanPublic,
    InterventionPublic,
    ReadPurpose,
    SchedulePublic,
    problem_responses,
)
from hjemmetjeneste.domain import OSLO_TZ_NAME
from hjemmetjeneste.store import audit
from hjemmetjeneste.store.models import CarePlanRow, InterventionRow, PatientRow

router = APIRouter(prefix="/v1/patients", tags=["specialist"])


def _schedule(text: str) -> SchedulePublic:
    raw = json.loads(text)
    return SchedulePublic(
        kind=raw["kind"],
        times=raw.get("times", []),
        tolerance_min=raw.get("tolerance_min", 0),
        windows=raw.get("windows", []),
        weekdays=raw.get("weekdays", []),
        every_n_weeks=raw.get("every_n_weeks", 1),
        week_anchor=raw.get("week_anchor"),
    )


@router.get(
    "/{patient_id}/care-plan",
    response_model=CarePlanPublic,
    responses=problem_responses(401, 403, 404, 422),
)
def care_plan(
    patient_id: str,
    user: SpecialistUser,
    state: StateDep,
    purpose: Annotated[
        ReadPurpose,
        Query(description="Why the plan is read (a code), recorded in the audit log."),
    ],
) -> CarePlanPublic:
    """The patient's current care plan (interventions in force today); the read is audited
    (who, role, patient, when, purpose) before anything is returned."""
    today: date = datetime.now(ZoneInfo(OSLO_TZ_NAME)).date()
    mid = user.municipality_id
    with state.store.engine.connect() as conn:
        patient = conn.execute(
            select(PatientRow.patient_id, PatientRow.display_name).where(
                PatientRow.municipality_id == mid,
                PatientRow.patient_id == patient_id,
                PatientRow.ended_batch_id.is_(None),
            )
        ).first()
        if patient is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such patient in your municipality")
        plan_ids = list(
            conn.scalars(
                select(CarePlanRow.care_plan_id)
                .where(
                    CarePlanRow.municipality_id == mid,
                    CarePlanRow.patient_id == patient_id,
                    CarePlanRow.ended_batch_id.is_(None),
                )
                .order_by(CarePlanRow.position)
            )
        )
        rows = list(
            conn.execute(
                select(InterventionRow)
                .where(
                    InterventionRow.municipality_id == mid,
                    InterventionRow.patient_id == patient_id,
                    InterventionRow.care_plan_id.in_(plan_ids),
                    InterventionRow.ended_batch_id.is_(None),
                    or_(InterventionRow.valid_to.is_(None), InterventionRow.valid_to >= today),
                )
                .order_by(InterventionRow.position)
            )
        )
    audit.write_audit(
        state.store.engine,
        municipality_id=mid,
        actor_id=user.person_id,
        actor_role=user.role.value,
        patient_ids=[patient_id],
        action="care_plan.read",
        resource=f"patient:{patient_id}/care-plan",
        purpose=purpose.value,
    )
    log_event("care_plan.read", patient_id=patient_id, actor_id=user.person_id, purpose=purpose)
    return CarePlanPublic(
        patient_id=patient.patient_id,
        display_name=patient.display_name,
        care_plan_ids=plan_ids,
        interventions=[
            InterventionPublic(
                intervention_id=r.intervention_id,
                problem_area=r.problem_area,
                description=r.description,
                duration_min=r.duration_min,
                schedule=_schedule(r.schedule_json),
                required_competence=r.required_competence,
                required_skills=[s for s in r.required_skills.split("|") if s],
                staff_count=r.staff_count,
                priority=r.priority,
                time_critical=r.time_critical,
                valid_from=r.valid_from,
                valid_to=r.valid_to,
            )
            for r in rows
        ],
    )
