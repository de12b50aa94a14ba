"""Hospital specialists: a patient's current care plan, read-only; every read is audited."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, status

from hjemmetjeneste.api.deps import SpecialistUser, StateDep
from hjemmetjeneste.api.events import log_event
from hjemmetjeneste.api.schemas import (
    CarePlanPublic,
    InterventionPublic,
    ReadPurpose,
    SchedulePublic,
    problem_responses,
)
from hjemmetjeneste.domain import OSLO_TZ_NAME, Intervention, Schedule
from hjemmetjeneste.store import audit
from hjemmetjeneste.store.care_plans import current_care_plan

router = APIRouter(prefix="/v1/patients", tags=["specialist"])


def _schedule(schedule: Schedule) -> SchedulePublic:
    return SchedulePublic(
        kind=schedule.kind.value,
        times=list(schedule.times),
        tolerance_min=schedule.tolerance_min,
        windows=[[w.start, w.end] for w in schedule.windows],
        weekdays=sorted(schedule.weekdays),
        every_n_weeks=schedule.every_n_weeks,
        week_anchor=schedule.week_anchor,
        windows_are_alternatives=schedule.windows_are_alternatives,
    )


def _intervention(i: Intervention) -> InterventionPublic:
    return InterventionPublic(
        intervention_id=i.intervention_id,
        problem_area=i.problem_area.value,
        description=i.description,
        duration_min=i.duration_min,
        schedule=_schedule(i.schedule),
        required_competence=i.required_competence.value,
        required_skills=sorted(s.value for s in i.required_skills),
        staff_count=i.staff_count,
        priority=i.priority.value,
        time_critical=i.time_critical,
        valid_from=i.valid_from,
        valid_to=i.valid_to,
        gap_group=i.gap_group,
        min_gap_min=i.min_gap_min,
        max_gap_min=i.max_gap_min,
        second_staff_competence=(
            None if i.second_staff_competence is None else i.second_staff_competence.value
        ),
        second_staff_skills=sorted(s.value for s in i.second_staff_skills),
        late_allowance_min=i.late_allowance_min,
        separate_visit=i.separate_visit,
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
    with state.store.session() as session:
        plan = current_care_plan(session, mid, patient_id, today)
    if plan is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such patient in your municipality")
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
        patient_id=plan.patient_id,
        display_name=plan.display_name,
        care_plan_ids=list(plan.care_plan_ids),
        interventions=[_intervention(i) for i in plan.interventions],
    )
