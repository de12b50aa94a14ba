"""The FastAPI application factory: everything is built in :func:`create_app`, nothing at import."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from hjemmetjeneste.api.auth import TokenVerifier
from hjemmetjeneste.api.deps import ApiState, CurrentUser
from hjemmetjeneste.api.fastpath import NurseWorklistFastPath
from hjemmetjeneste.api.published import PublishedCache
from hjemmetjeneste.api.routers import audit, imports, meta, nurse, patient, runs, specialist
from hjemmetjeneste.api.routers import periods as period_runs
from hjemmetjeneste.api.runner import RunRunner
from hjemmetjeneste.api.schemas import IssuePublic, ProblemPublic
from hjemmetjeneste.settings import DEMO_JWT_SECRET, Settings
from hjemmetjeneste.store import open_store
from hjemmetjeneste.store.runs import sweep_interrupted_runs

__all__ = ["app_from_environment", "create_app"]

log = logging.getLogger("hjemmetjeneste.api")

#: A queued or running run whose worker has been silent this long belonged to a stopped server.
STALE_RUN_AFTER = timedelta(seconds=60)


async def _http_problem(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    body = ProblemPublic(detail=str(exc.detail))
    return JSONResponse(body.model_dump(), exc.status_code, headers=exc.headers)


async def _validation_problem(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    issues = [
        IssuePublic(
            file="request",
            field=".".join(str(part) for part in error.get("loc", ())),
            message=str(error.get("msg", "invalid")),
        )
        for error in exc.errors()
    ]
    body = ProblemPublic(detail=f"{len(issues)} problem(s) in the request", issues=issues)
    return JSONResponse(body.model_dump(), 422)


def create_app(settings: Settings) -> FastAPI:
    """The worklist API over the store at ``settings.database_url``.

    The store is opened (and migrated), the token verifier and the plan-run workers are
    created when the app starts (its lifespan) and closed when it stops.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """Open the store, build the verifier, workers and caches; close them at exit."""
        store = open_store(settings.database_url)
        swept = sweep_interrupted_runs(store.engine, STALE_RUN_AFTER)
        if swept:
            log.warning("%d plan run(s) interrupted by a restart were marked so", swept)
        if settings.jwt_jwks_url is None and (
            settings.jwt_secret.get_secret_value() == DEMO_JWT_SECRET
        ):
            log.warning("accepting tokens signed with the public DEMO secret: demo use only")
        runner = RunRunner(store.engine, settings.database_url, settings.api_run_workers)
        app.state.api = ApiState(
            settings=settings,
            store=store,
            verifier=TokenVerifier(settings),
            runner=runner,
            published=PublishedCache(store.engine),
        )
        # Long-lived objects built so far need no more garbage-collector scans (tail latency).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            runner.shutdown()
            store.close()

    app = FastAPI(
        title="hjemmetjeneste worklist API",
        version="1",
        summary="Publish and serve home-care worklists to planners, nurses, patients and "
        "specialists; every call but /health needs a bearer token.",
        lifespan=lifespan,
        # The schema only for authenticated callers: nothing but /health answers without one.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi_schema(_user: CurrentUser) -> JSONResponse:
        """The OpenAPI schema, for authenticated callers only."""
        return JSONResponse(app.openapi())

    app.add_middleware(NurseWorklistFastPath)
    app.add_exception_handler(HTTPException, _http_problem)
    app.add_exception_handler(RequestValidationError, _validation_problem)
    # The nurses' router first: their worklist is the hot path, matched before the others.
    for module in (nurse, meta, imports, runs, patient, specialist, audit, period_runs):
        app.include_router(module.router)
    return app


def app_from_environment() -> FastAPI:
    """The app with settings from ``HJEMMETJENESTE_*`` (for ``uvicorn --factory``)."""
    return create_app(Settings())
