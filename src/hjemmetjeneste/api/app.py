"""The FastAPI application factory: everything is built in :func:`create_app`, nothing at import."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hjemmetjeneste.api.auth import TokenVerifier
from hjemmetjeneste.api.deps import ApiState, CurrentUser
from hjemmetjeneste.api.events import configure_logging, log_event
from hjemmetjeneste.api.fastpath import NurseWorklistFastPath
from hjemmetjeneste.api.guard import ApiGuard
from hjemmetjeneste.api.published import PublishedCache
from hjemmetjeneste.api.replans import run_background
from hjemmetjeneste.api.routers import (
    actuals,
    audit,
    events,
    imports,
    meta,
    nurse,
    pages,
    patient,
    periods,
    planner,
    runs,
    specialist,
)
from hjemmetjeneste.api.routers import staffing as staffing_router
from hjemmetjeneste.api.runner import Executor, RunScheduler, execute_in_process
from hjemmetjeneste.api.schemas import IssuePublic, ProblemPublic
from hjemmetjeneste.api.security import check_settings
from hjemmetjeneste.settings import DEMO_JWT_SECRET, Settings
from hjemmetjeneste.store import open_store
from hjemmetjeneste.store.runs import sweep_interrupted_runs

__all__ = ["app_from_environment", "create_app"]

log = logging.getLogger("hjemmetjeneste.api")


async def _http_problem(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    body = ProblemPublic(detail=str(exc.detail))
    return JSONResponse(body.model_dump(), exc.status_code, headers=exc.headers)


async def _server_problem(_request: Request, exc: Exception) -> JSONResponse:
    """Anything unexpected: the documented shape, no internals (the log has the type)."""
    log.error("unhandled %s", type(exc).__name__)
    body = ProblemPublic(detail="internal error")
    return JSONResponse(body.model_dump(), 500)


async def _validation_problem(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    issues = [
        IssuePublic(
            file="request",
            field=".".join(str(part) for part in error.get("loc", ()))[:200],
            message=str(error.get("msg", "invalid"))[:300],
        )
        for error in exc.errors()[:50]
    ]
    body = ProblemPublic(detail=f"{len(issues)} problem(s) in the request", issues=issues)
    return JSONResponse(body.model_dump(), 422)


def create_app(settings: Settings, *, executor: Executor = execute_in_process) -> FastAPI:
    """The worklist API over the store at ``settings.database_url``.

    The settings are checked first (:func:`~hjemmetjeneste.api.security.check_settings`);
    the store is opened (and migrated), the token verifier and the run scheduler are
    created when the app starts (its lifespan) and closed when it stops. ``executor``
    executes one plan run (a spawned process by default; see ``api/runner.py``).
    """
    check_settings(settings, demo_needs_flag=False)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """Open the store, build the verifier, scheduler and caches; close them at exit."""
        configure_logging()
        store = open_store(settings.database_url)
        runner = RunScheduler(
            store.engine,
            settings.database_url,
            workers=settings.api_run_workers,
            per_municipality=settings.api_runs_per_municipality,
            executor=executor,
        )
        for run_id in sweep_interrupted_runs(store.engine, runner.stale_after):
            log_event("run.ended", run_id=run_id, status="interrupted")
        if settings.jwt_jwks_url is None and (
            settings.jwt_secret.get_secret_value() == DEMO_JWT_SECRET
        ):
            log.warning("accepting tokens signed with the public DEMO secret: demo use only")
        verifier = TokenVerifier(settings)
        app.state.api = ApiState(
            settings=settings,
            store=store,
            verifier=verifier,
            runner=runner,
            published=PublishedCache(store.engine),
        )
        runner.start()
        background = asyncio.get_running_loop().create_task(run_background(app.state.api))
        if verifier.jwks is not None:  # warm the key cache without holding up the start
            prefetch = asyncio.get_running_loop().create_task(verifier.jwks.refresh())
        # Long-lived objects built so far need no more garbage-collector scans (tail latency).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            if verifier.jwks is not None:
                prefetch.cancel()
            background.cancel()
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
    # Added last, so outermost: limits and authentication before anything reads the body.
    app.add_middleware(ApiGuard, settings=settings)
    app.add_exception_handler(StarletteHTTPException, _http_problem)
    app.add_exception_handler(Exception, _server_problem)
    app.add_exception_handler(RequestValidationError, _validation_problem)
    # The nurses' router first: their worklist is the hot path, matched before the others.
    for module in (
        nurse,
        meta,
        imports,
        runs,
        patient,
        specialist,
        audit,
        staffing_router,
        planner,
        periods,
        actuals,
        events,
    ):
        app.include_router(module.router)
    app.include_router(nurse.feed_router)
    planner.mount_page(app)
    pages.mount_pages(app)
    return app


def app_from_environment() -> FastAPI:
    """The app with settings from ``HJEMMETJENESTE_*`` (for ``uvicorn --factory``).

    Refuses (:class:`~hjemmetjeneste.api.security.InsecureSettingsError`) the public demo
    secret unless ``HJEMMETJENESTE_API_DEMO`` is set (``serve --demo`` sets it).
    """
    settings = Settings()
    check_settings(settings)
    return create_app(settings)
