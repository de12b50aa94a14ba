"""Typed dependencies: the app's state, the store, and the authenticated caller by role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hjemmetjeneste.api.auth import AuthError, Principal, Role, TokenVerifier
from hjemmetjeneste.api.guard import PRINCIPAL_KEY
from hjemmetjeneste.api.published import PublishedCache
from hjemmetjeneste.api.runner import RunScheduler
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
    runner: RunScheduler
    published: PublishedCache


async def get_state(request: Request) -> ApiState:
    """The app's state (built by the lifespan of :func:`create_app`)."""
    return request.app.state.api  # type: ignore[no-any-return]


StateDep = Annotated[ApiState, Depends(get_state)]


async def get_store(state: StateDep) -> Store:
    """The store the app serves."""
    return state.store


StoreDep = Annotated[Store, Depends(get_store)]

_bearer = HTTPBearer(auto_error=False, bearerFormat="JWT", description="HelseID access token")


def _authenticate(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    principal = request.scope.get(PRINCIPAL_KEY)
    if principal is not None:  # verified by the guard before the body was read
        return principal  # type: ignore[no-any-return]
    state: ApiState = request.app.state.api
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


BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def current_user(request: Request, credentials: BearerCredentials) -> Principal:
    """The caller named by a valid bearer token; 401 otherwise.

    Async and flat on purpose (no thread hop, one level of dependencies): verification is
    CPU only: the guard (``api/guard.py``) verified the token before the body was read.
    """
    return _authenticate(request, credentials)


CurrentUser = Annotated[Principal, Depends(current_user)]


def require_roles(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that lets only callers with one of ``roles`` through (401/403 otherwise)."""
    allowed = frozenset(roles)

    async def check(request: Request, credentials: BearerCredentials) -> Principal:
        """The authenticated caller, if their role is allowed."""
        user = _authenticate(request, credentials)
        if user.role not in allowed:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "this role may not do that")
        return user

    return check


PlannerUser = Annotated[Principal, Depends(require_roles(Role.PLANNER))]
NurseUser = Annotated[Principal, Depends(require_roles(Role.NURSE))]
PatientUser = Annotated[Principal, Depends(require_roles(Role.PATIENT))]
SpecialistUser = Annotated[Principal, Depends(require_roles(Role.SPECIALIST))]
ReaderOfAudit = Annotated[Principal, Depends(require_roles(Role.PLANNER, Role.ADMIN))]
