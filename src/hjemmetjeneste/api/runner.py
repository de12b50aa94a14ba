"""Plan runs in workers, never in a request: a thread pool that drives spawned processes.

Each run is solved by :func:`pipeline.plan_shift` in its own process started with the
'spawn' method (numba's GNU OpenMP layer is not fork-safe once kernels ran), so a cancel
can stop it at once by terminating the process. The thread that owns the process relays
progress into the store (status, progress, best cost, heartbeat) and records the result.
The pool belongs to the app's lifespan: created at start-up, shut down at exit.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from multiprocessing.connection import Connection
from typing import Any

from sqlalchemy import Engine

from hjemmetjeneste.store import runs

__all__ = ["RunRunner"]

log = logging.getLogger("hjemmetjeneste.api.runs")

#: Seconds between progress writes to the store while a run is solving.
_PROGRESS_EVERY_S = 0.5


def _solve_in_child(
    conn: Connection,
    database_url: str,
    municipality_id: str,
    district_id: str,
    plan_date: str,
    shift: str,
    time_limit_s: float,
    pins_json: str,
    warm_from: str | None = None,
) -> None:
    """Child process: load the municipality, plan the shift, send progress and the result.

    ``warm_from`` names an earlier run of the same shift whose worklists start the search.
    """
    try:
        from hjemmetjeneste.domain import Pin, PlanResult, ShiftKind
        from hjemmetjeneste.pipeline import plan_shift
        from hjemmetjeneste.solver import SolveParams
        from hjemmetjeneste.store import open_store

        store = open_store(database_url, migrate_schema=False)
        try:
            data = store.load_municipality(municipality_id)
            previous_json = (
                runs.run_result_json(store.engine, municipality_id, warm_from)
                if warm_from
                else None
            )
        finally:
            store.close()
        pins = tuple(Pin.model_validate(p) for p in json.loads(pins_json))

        def progress(objective: int, elapsed_s: float) -> None:
            """Relay an improved solution's cost and time to the parent."""
            conn.send(("progress", int(objective), float(elapsed_s)))

        outcome = plan_shift(
            data,
            date.fromisoformat(plan_date),
            ShiftKind(shift),
            district_id,
            params=SolveParams(time_limit_s=time_limit_s),
            on_progress=progress,
            pins=pins,
            previous=None
            if previous_json is None
            else PlanResult.model_validate_json(previous_json),
        )
        conn.send(
            (
                "done",
                outcome.result.model_dump_json(),
                outcome.result.kpis.model_dump(mode="json"),
                len(outcome.violations),
            )
        )
    except Exception as exc:  # reported to the run, never re-raised in the child
        # The message of a project error names ids and fields, never names or descriptions.
        conn.send(("error", f"{type(exc).__name__}: {str(exc)[:500]}"))
    finally:
        conn.close()


class RunRunner:
    """Runs queued plan runs on a bounded pool; one spawned solver process per run."""

    def __init__(self, engine: Engine, database_url: str, workers: int = 1) -> None:
        self._engine = engine
        self._database_url = database_url
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="plan-run")
        self._context = multiprocessing.get_context("spawn")
        self._closing = False
        self._pending: set[str] = set()

    def submit(self, run_id: str, pins: list[dict[str, Any]]) -> None:
        """Queue ``run_id`` (already recorded as queued) for a worker."""
        self._pending.add(run_id)
        self._pool.submit(self._run, run_id, pins)

    def shutdown(self) -> None:
        """Stop taking work, stop running solves, wait for the worker threads, and mark the
        runs this server did not finish as interrupted (never left queued for ever)."""
        self._closing = True
        self._pool.shutdown(wait=True, cancel_futures=True)
        for run_id in list(self._pending):
            runs.finish_run(
                self._engine,
                run_id,
                "interrupted",
                error="the server stopped before the run finished; start it again",
            )

    def _run(self, run_id: str, pins: list[dict[str, Any]]) -> None:
        finished = True
        try:
            finished = self._drive(run_id, pins)
        except Exception as exc:  # a worker must never die silently
            log.exception("plan run %s failed in its worker", run_id)
            runs.finish_run(self._engine, run_id, "failed", error=type(exc).__name__)
        if finished:
            self._pending.discard(run_id)

    def _drive(self, run_id: str, pins: list[dict[str, Any]]) -> bool:
        """Solve one run; False when the server stopped first (the run is left to shutdown)."""
        if self._closing:
            return False
        if not runs.start_run(self._engine, run_id):
            return True  # cancelled while queued
        record = runs.get_run_any(self._engine, run_id)
        if record is None:
            return True
        time_limit_s = float(record.params["time_limit_s"])
        log.info("plan run %s started (%s %s)", run_id, record.plan_date, record.shift)
        parent, child = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=_solve_in_child,
            args=(
                child,
                self._database_url,
                record.municipality_id,
                record.district_id,
                record.plan_date.isoformat(),
                record.shift,
                time_limit_s,
                json.dumps(pins),
                record.params.get("warm_from"),
            ),
            daemon=True,
            name=f"plan-run-{run_id[:8]}",
        )
        process.start()
        child.close()
        best: int | None = None
        elapsed = 0.0
        last_write = 0.0
        outcome: tuple[Any, ...] | None = None
        started = time.monotonic()
        try:
            while outcome is None:
                if parent.poll(0.25):
                    try:
                        message = parent.recv()
                    except EOFError:
                        break
                    if message[0] == "progress":
                        best, elapsed = message[1], message[2]
                    else:
                        outcome = message
                        break
                elif not process.is_alive():
                    break
                now = time.monotonic()
                if now - last_write >= _PROGRESS_EVERY_S:
                    last_write = now
                    # Until the search reports, count the set-up time against the limit too.
                    fraction = max(elapsed, now - started - 2.0) / max(time_limit_s, 0.1)
                    cancel = runs.set_run_progress(self._engine, run_id, min(fraction, 0.99), best)
                    if cancel or self._closing:
                        process.terminate()
                        process.join(5)
                        if not cancel:
                            return False  # the server is stopping: shutdown marks it
                        runs.finish_run(self._engine, run_id, "cancelled")
                        log.info("plan run %s cancelled", run_id)
                        return True
        finally:
            parent.close()
        process.join(10)
        if process.is_alive():
            process.kill()
        if outcome is None:
            runs.finish_run(
                self._engine,
                run_id,
                "failed",
                error=f"the solver process ended without a result (exit code {process.exitcode})",
            )
            log.warning("plan run %s: solver process ended without a result", run_id)
        elif outcome[0] == "done":
            _, result_json, kpis, violations = outcome
            runs.finish_run(
                self._engine,
                run_id,
                "succeeded",
                result_json=result_json,
                kpis=kpis,
                violations=violations,
            )
            log.info("plan run %s succeeded (%d violation(s))", run_id, violations)
        else:
            runs.finish_run(self._engine, run_id, "failed", error=outcome[1])
            log.info("plan run %s failed", run_id)
        return True
