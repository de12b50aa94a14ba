"""The nurses' hot path as plain ASGI: a ready worklist answered before FastAPI's routing.

``GET /v1/nurse/worklist?date=YYYY-MM-DD&shift=day|evening|night`` with a valid nurse token,
whose published worklist is already prepared and whose current version is fresh in the cache,
is answered here with the same bytes and headers the FastAPI route sends. Anything else —
another path, a missing or bad token, another role, any other query, a cache miss, no worklist
— falls through to the app unchanged, so the route (and its OpenAPI description) stays the
single definition of the behaviour; this only skips routing and dependency solving.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from hjemmetjeneste.api.auth import AuthError, Role
from hjemmetjeneste.api.guard import PRINCIPAL_KEY
from hjemmetjeneste.domain import ShiftKind

__all__ = ["NURSE_WORKLIST_PATH", "NurseWorklistFastPath"]

NURSE_WORKLIST_PATH = "/v1/nurse/worklist"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SHIFTS = frozenset(s.value for s in ShiftKind)


class NurseWorklistFastPath:
    """ASGI middleware serving prepared nurse worklists; everything else goes to ``app``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a ready worklist directly, or pass the request on."""
        if (
            scope["type"] == "http"
            and scope["path"] == NURSE_WORKLIST_PATH
            and scope["method"] == "GET"
        ):
            ready = _ready(scope)
            if ready is not None:
                body, version = ready
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [
                            (b"content-length", str(len(body)).encode()),
                            (b"content-type", b"application/json"),
                            (b"etag", f'"{version}"'.encode()),
                            (b"cache-control", b"no-store"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def _ready(scope: Scope) -> tuple[bytes, int] | None:
    app: Any = scope.get("app")
    state = getattr(getattr(app, "state", None), "api", None)
    if state is None:
        return None
    token = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            if scheme.lower() != "bearer" or not credentials:
                return None
            token = credentials.strip()
            break
    if not token:
        return None
    try:
        query = parse_qsl(scope["query_string"].decode("latin-1"), strict_parsing=True)
    except ValueError:
        return None
    params = dict(query)
    if len(query) != 2 or set(params) != {"date", "shift"}:
        return None
    if not _DATE.fullmatch(params["date"]) or params["shift"] not in _SHIFTS:
        return None
    try:
        day = date.fromisoformat(params["date"])
        user = scope.get(PRINCIPAL_KEY) or state.verifier.verify(token)
    except (ValueError, AuthError):
        return None
    if user.role != Role.NURSE:
        return None
    for prepared in state.published.peek(user.municipality_id, day, params["shift"]) or ():
        body = prepared.nurse_json.get(user.person_id)
        if body is not None:
            return body, prepared.publication.version
    return None
