"""Read queries on patients' care plans, as domain objects (the API never sees a row)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hjemmetjeneste.domain import Intervention
from hjemmetjeneste.store.codec import intervention_from_row
from hjemmetjeneste.store.models import CarePlanRow, InterventionRow, PatientRow

__all__ = ["CurrentCarePlan", "current_care_plan"]


@dataclass(frozen=True)
class CurrentCarePlan:
    """A patient's care plan (pasientplan) as it stands: the interventions in force."""

    patient_id: str
    display_name: str
    care_plan_ids: tuple[str, ...]
    interventions: tuple[Intervention, ...]


def current_care_plan(
    session: Session, municipality_id: str, patient_id: str, today: date
) -> CurrentCarePlan | None:
    """The patient's current care plans and the interventions in force on ``today`` (not
    ended, ``valid_to`` not before today), in export order; None when the municipality has
    no such current patient."""
    patient = session.execute(
        select(PatientRow.patient_id, PatientRow.display_name).where(
            PatientRow.municipality_id == municipality_id,
            PatientRow.patient_id == patient_id,
            PatientRow.ended_batch_id.is_(None),
        )
    ).first()
    if patient is None:
        return None
    plan_ids = tuple(
        session.scalars(
            select(CarePlanRow.care_plan_id)
            .where(
                CarePlanRow.municipality_id == municipality_id,
                CarePlanRow.patient_id == patient_id,
                CarePlanRow.ended_batch_id.is_(None),
            )
            .order_by(CarePlanRow.position)
        )
    )
    rows = session.scalars(
        select(InterventionRow)
        .where(
            InterventionRow.municipality_id == municipality_id,
            InterventionRow.patient_id == patient_id,
            InterventionRow.care_plan_id.in_(plan_ids),
            InterventionRow.ended_batch_id.is_(None),
            or_(InterventionRow.valid_to.is_(None), InterventionRow.valid_to >= today),
        )
        .order_by(InterventionRow.position)
    )
    interventions = tuple(intervention_from_row(r) for r in rows)
    return CurrentCarePlan(patient.patient_id, patient.display_name, plan_ids, interventions)
