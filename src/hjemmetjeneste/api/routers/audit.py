"""Planners and administrators read their municipality's audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from hjemmetjeneste.api.deps import ReaderOfAudit, StateDep
from hjemmetjeneste.api.schemas import AuditEntryPublic, AuditPagePublic, problem_responses
from hjemmetjeneste.store import audit

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get("", response_model=AuditPagePublic, responses=problem_responses(401, 403, 422))
def read_audit_log(
    user: ReaderOfAudit,
    state: StateDep,
    patient_id: Annotated[str | None, Query(max_length=128)] = None,
    actor_id: Annotated[str | None, Query(max_length=128)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> AuditPagePublic:
    """Who read which patient's data, newest first; only the caller's municipality."""
    entries = audit.read_audit(
        state.store.engine,
        user.municipality_id,
        patient_id=patient_id,
        actor_id=actor_id,
        limit=limit,
        offset=offset,
    )
    return AuditPagePublic(
        entries=[
            AuditEntryPublic(
                audit_id=e.audit_id,
                at=e.at,
                actor_id=e.actor_id,
                actor_role=e.actor_role,
                patient_id=e.patient_id,
                action=e.action,
                resource=e.resource,
                purpose=e.purpose,
            )
            for e in entries
        ],
        limit=limit,
        offset=offset,
    )
