"""Typed dependencies: the app's state, the store, and the authenticated caller by role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hjemmetjeneste.api.auth import AuthError, Principal, Role, TokenVerifier
from hjemmetjeneste.api.published import PublishedCache
from hjemmetjeneste.api.runner import RunRunner
from hjemmetjeneste.settings import Settings
from hjemmetjeneste.store import Store

__all__ = [
    "ApiState",
    "CurrentUser",
    "NurseUser",
    "PatientUser",
    "PlannerUser",
    "ReaderOfAudit",
    "SpecialistUser",
    "StateDep",
    "StoreDep",
    "require_roles",
]


@dataclass
class ApiState:
    """Everything the app builds at start and its requests share."""

    settings: Settings
    store: Store
    verifier: TokenVerifier
    runner: RunRunner
    published: PublishedCache


def get_state(request: Request) -> ApiState:
    """The app's state (built by the lifespan of :func:`create_app`)."""
    return request.app.state.api  # type: ignore[no-any-return]


StateDep = Annotated[ApiState, Depends(get_state)]


def get_store(state: StateDep) -> Store:
    """The store the app serves."""
    return state.store


StoreDep = Annotated[Store, Depends(get_store)]

_bearer = HTTPBearer(auto_error=False, bearerFormat="JWT", description="HelseID access token")


def current_user(
    state: StateDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller named by a valid bearer token; 401 otherwise."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a bearer token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        return state.verifier.verify(credentials.credentials)
    except AuthError:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "the bearer token is not valid",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from None


CurrentUser = Annotated[Principal, Depends(current_user)]


def require_roles(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency that lets only callers with one of ``roles`` through (403 otherwise)."""
    allowed = frozenset(roles)

    def check(user: CurrentUser) -> Principal:
        if user.role not in allowed:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "this role may not do that")
        return user

    return check


PlannerUser = Annotated[Principal, Depends(require_roles(Role.PLANNER))]
NurseUser = Annotated[Principal, Depends(require_roles(Role.NURSE))]
PatientUser = Annotated[Principal, Depends(require_roles(Role.PATIENT))]
SpecialistUser = Annotated[Principal, Depends(require_roles(Role.SPECIALIST))]
ReaderOfAudit = Annotated[Principal, Depends(require_roles(Role.PLANNER, Role.ADMIN))]
