"""The unauthenticated health check and the caller's own identity."""

from __future__ import annotations

from fastapi import APIRouter

from hjemmetjeneste.api.deps import CurrentUser
from hjemmetjeneste.api.schemas import HealthPublic, MePublic, problem_responses

router = APIRouter()


@router.get("/health", response_model=HealthPublic, tags=["meta"])
async def health() -> HealthPublic:
    """Answers without a token: the process is up (the only unauthenticated endpoint)."""
    return HealthPublic(status="ok")


@router.get("/v1/me", response_model=MePublic, tags=["meta"], responses=problem_responses(401))
async def me(user: CurrentUser) -> MePublic:
    """Who the bearer token says the caller is: role, municipality and person id."""
    return MePublic(
        role=user.role.value, municipality_id=user.municipality_id, person_id=user.person_id
    )
