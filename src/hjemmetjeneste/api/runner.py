"""Plan runs outside the web process: a queue in the store, fair across municipalities.

The queue is the ``api_plan_run`` table: ``POST /v1/runs`` records a queued run and wakes
the scheduler; nothing about it lives only in memory, so any server on the store may run it
and a restart loses nothing. Each server process has one :class:`RunScheduler`, a thread
that every ``tick_s``:

1. heartbeats the runs it is running (progress, best cost) and learns of cancels;
2. marks ``running`` runs whose heartbeat is older than ``stale_after_s`` — their server
   died — as ``interrupted`` (a live server heartbeats every ``tick_s``, so servers never
   end each other's live runs; queued runs are never swept, they wait for any server);
3. takes queued runs while it has free slots, round-robin over municipalities (the one
   served least recently first) and never more than ``per_municipality`` running at once
   per municipality over every server (the claim is one conditional ``UPDATE``).

Executing one run is one function, :data:`Executor`: ``(job, report) -> RunOutcome``,
where ``report(progress, best_objective)`` returns True when the run must stop. The
default, :func:`execute_in_process`, solves in a spawned process ('spawn': numba's OpenMP
layer is not fork-safe) that it terminates on cancel. A process pool or Dask executor
(issue #17) can replace it without touching the queue.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, Literal

from hjemmetjeneste.api.events import log_event
from hjemmetjeneste.errors import Phrase, phrase_record, run_failure
from hjemmetjeneste.i18n import N_
from hjemmetjeneste.store import runs

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = [
    "Executor",
    "PlanRunJob",
    "RunOutcome",
    "RunScheduler",
    "execute_in_process",
    "pick_municipality",
    "run_job",
]

log = logging.getLogger("hjemmetjeneste.api.runs")


@dataclass(frozen=True)
class PlanRunJob:
    """Everything needed to solve one plan run, picklable for another process or host."""

    run_id: str
    database_url: str
    municipality_id: str
    district_id: str
    plan_date: date
    shift: str
    time_limit_s: float
    pins: tuple[dict[str, Any], ...]
    #: An earlier run of the same shift whose worklists start the search (a warm re-plan).
    warm_from: str | None = None
    #: A minimal-change re-plan for an event (``{"event_id", "now"}``; api/replans.py).
    replan: dict[str, Any] | None = None


@dataclass(frozen=True)
class RunOutcome:
    """How a run ended: its result on success, a short error (ids only) on failure."""

    status: Literal["succeeded", "failed", "cancelled"]
    result_json: str | None = None
    kpis: dict[str, Any] | None = None
    violations: int | None = None
    error: str | None = None


#: ``report(progress 0–1, best objective or None) -> stop?``
Report = Callable[[float, int | None], bool]
#: Executes one run, calling ``report`` at least every half second; returns how it ended.
Executor = Callable[[PlanRunJob, Report], RunOutcome]


def _watch_parent(parent_pid: int) -> None:
    """In the child: end this process when the server that started it is gone (kill -9)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent_pid:
            os._exit(3)


def run_job(job: PlanRunJob, on_progress: Callable[[int, float], None]) -> tuple[str, Any, int]:
    """Load the municipality, plan (or re-plan) the job's shift: (result JSON, KPIs, violations).

    Applied events count for every run: a first plan takes them into its day plan (discharges
    change the care plans, paused patients' visits are cancelled with the event's id, absent
    caregivers are off or their hours cut, emergencies added); a re-plan (``job.replan``)
    also freezes what is done.
    """
    from hjemmetjeneste.api.replans import applied_events, solve_replan
    from hjemmetjeneste.domain import Pin, PlanResult, ShiftKind
    from hjemmetjeneste.pipeline import plan_shift
    from hjemmetjeneste.solver import SolveParams
    from hjemmetjeneste.store import open_store

    store = open_store(job.database_url, migrate_schema=False)
    try:
        data = store.load_municipality(job.municipality_id)
        previous_json = (
            runs.run_result_json(store.engine, job.municipality_id, job.warm_from)
            if job.warm_from
            else None
        )
        previous = None if previous_json is None else PlanResult.model_validate_json(previous_json)
        events = applied_events(
            store.engine, job.municipality_id, job.replan["event_id"] if job.replan else None
        )
        if job.replan is not None and previous is not None:
            outcome = solve_replan(job, store.engine, data, previous, events, on_progress)
        else:
            outcome = plan_shift(
                data,
                job.plan_date,
                ShiftKind(job.shift),
                job.district_id,
                params=SolveParams(time_limit_s=job.time_limit_s),
                on_progress=on_progress,
                pins=tuple(Pin.model_validate(p) for p in job.pins),
                previous=previous,
                events=events,
            )
    finally:
        store.close()
    return (
        outcome.result.model_dump_json(),
        outcome.result.kpis.model_dump(mode="json"),
        len(outcome.violations),
    )


def _solve_in_child(conn: Connection, job: PlanRunJob, parent_pid: int) -> None:
    """Child process: load the municipality, plan the shift, send progress and the result."""
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    try:

        def progress(objective: int, elapsed_s: float) -> None:
            """Relay an improved solution's cost and time to the parent."""
            conn.send(("progress", int(objective), float(elapsed_s)))

        conn.send(("done", *run_job(job, progress)))
    except Exception as exc:  # reported to the run, never re-raised in the child
        # The message of a project error names ids and fields, never names or descriptions.
        conn.send(("error", phrase_record(run_failure(exc))))
    finally:
        conn.close()


def execute_in_process(job: PlanRunJob, report: Report) -> RunOutcome:
    """Solve ``job`` in a spawned process; terminate it as soon as ``report`` says stop."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(
        target=_solve_in_child,
        args=(child, job, os.getpid()),
        daemon=True,
        name=f"plan-run-{job.run_id[:8]}",
    )
    process.start()
    child.close()
    best: int | None = None
    elapsed = 0.0
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
            # Until the search reports, count the set-up time against the limit too.
            fraction = max(elapsed, time.monotonic() - started - 2.0) / max(job.time_limit_s, 0.1)
            if report(min(fraction, 0.99), best):
                process.terminate()
                process.join(5)
                return RunOutcome("cancelled")
    finally:
        parent.close()
    process.join(10)
    if process.is_alive():
        process.kill()
    if outcome is None:
        return RunOutcome(
            "failed",
            error=phrase_record(
                Phrase.of(
                    N_("the solver process ended without a result (exit code {code})"),
                    code=process.exitcode,
                )
            ),
        )
    if outcome[0] == "done":
        _, result_json, kpis, violations = outcome
        return RunOutcome("succeeded", result_json=result_json, kpis=kpis, violations=violations)
    return RunOutcome("failed", error=outcome[1])


def pick_municipality(
    queued: list[runs.QueuedMunicipality], last_served: dict[str, float], per_municipality: int
) -> list[str]:
    """Municipalities to take a run from, in turn: under their limit, least recently served
    first (never served first of all), then the one waiting longest."""
    eligible = [q for q in queued if q.running < per_municipality]
    eligible.sort(
        key=lambda q: (last_served.get(q.municipality_id, float("-inf")), q.oldest_queued)
    )
    return [q.municipality_id for q in eligible]


@dataclass
class _Active:
    job: PlanRunJob
    progress: float = 0.0
    best: int | None = None
    stop: threading.Event = field(default_factory=threading.Event)


class RunScheduler:
    """This server process's share of the run queue; see the module's docstring."""

    def __init__(
        self,
        engine: Engine,
        database_url: str,
        *,
        workers: int = 2,
        per_municipality: int = 1,
        executor: Executor = execute_in_process,
        tick_s: float = 0.5,
        stale_after_s: float = 5.0,
    ) -> None:
        self.owner_id = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self._engine = engine
        self._database_url = database_url
        self._workers = workers
        self._per_municipality = per_municipality
        self._executor = executor
        self._tick_s = tick_s
        self.stale_after = timedelta(seconds=stale_after_s)
        self._active: dict[str, _Active] = {}
        self._threads: list[threading.Thread] = []
        self._last_served: dict[str, float] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closing = threading.Event()
        self._loop = threading.Thread(target=self._dispatch, name="run-scheduler", daemon=True)

    def start(self) -> None:
        """Start the dispatcher thread (once, when the app starts)."""
        self._loop.start()

    def wake(self) -> None:
        """Look at the queue now (a run was queued or a slot freed)."""
        self._wake.set()

    def shutdown(self) -> None:
        """Stop taking runs, stop the running ones and mark them interrupted; queued runs
        stay queued for the next server."""
        self._closing.set()
        self._wake.set()
        with self._lock:
            for active in self._active.values():
                active.stop.set()
        if self._loop.is_alive():
            self._loop.join(10)
        for thread in list(self._threads):
            thread.join(15)
        for run_id in runs.release_owned_runs(self._engine, self.owner_id):
            log_event("run.ended", run_id=run_id, status="interrupted")

    # -- the dispatcher thread ---------------------------------------------------------------

    def _dispatch(self) -> None:
        while not self._closing.is_set():
            try:
                self._tick()
            except Exception:  # the dispatcher must outlive a database hiccup
                log.exception("the run scheduler's tick failed")
            self._wake.wait(self._tick_s)
            self._wake.clear()

    def _tick(self) -> None:
        with self._lock:
            active = list(self._active.items())
        for run_id, state in active:
            cancel = runs.set_run_progress(self._engine, run_id, state.progress, state.best)
            if cancel:
                state.stop.set()
        for run_id in runs.sweep_interrupted_runs(self._engine, self.stale_after):
            log.warning("plan run %s: its server stopped; marked interrupted", run_id)
            log_event("run.ended", run_id=run_id, status="interrupted")
        while not self._closing.is_set() and len(self._active) < self._workers:
            if not self._claim_one():
                break

    def _claim_one(self) -> bool:
        queued = runs.queued_municipalities(self._engine)
        for municipality_id in pick_municipality(queued, self._last_served, self._per_municipality):
            record = runs.claim_run(
                self._engine, municipality_id, self.owner_id, self._per_municipality
            )
            if record is None:
                continue
            self._last_served[municipality_id] = time.monotonic()
            self._start(record)
            return True
        return False

    def _start(self, record: runs.RunRecord) -> None:
        job = PlanRunJob(
            run_id=record.run_id,
            database_url=self._database_url,
            municipality_id=record.municipality_id,
            district_id=record.district_id,
            plan_date=record.plan_date,
            shift=record.shift,
            time_limit_s=float(record.params["time_limit_s"]),
            pins=tuple(record.params.get("pin_list", ())),
            warm_from=record.params.get("warm_from"),
            replan=record.params.get("replan"),
        )
        state = _Active(job)
        with self._lock:
            self._active[job.run_id] = state
        log_event("run.started", run_id=job.run_id, municipality_id=job.municipality_id)
        thread = threading.Thread(
            target=self._execute, args=(state,), name=f"plan-run-{job.run_id[:8]}", daemon=True
        )
        self._threads.append(thread)
        thread.start()

    # -- one worker thread per running run ---------------------------------------------------

    def _execute(self, state: _Active) -> None:
        run_id = state.job.run_id

        def report(progress: float, best: int | None) -> bool:
            state.progress, state.best = progress, best
            return state.stop.is_set()

        try:
            outcome = self._executor(state.job, report)
        except Exception as exc:  # a worker must never die silently
            log.exception("plan run %s failed in its worker", run_id)
            outcome = RunOutcome("failed", error=phrase_record(run_failure(exc)))
        try:
            if outcome.status == "cancelled" and self._closing.is_set():
                pass  # the server is stopping: shutdown marks it interrupted
            else:
                runs.finish_run(
                    self._engine,
                    run_id,
                    outcome.status,
                    result_json=outcome.result_json,
                    kpis=outcome.kpis,
                    violations=outcome.violations,
                    error=outcome.error,
                )
                log_event("run.ended", run_id=run_id, status=outcome.status)
        finally:
            with self._lock:
                self._active.pop(run_id, None)
                self._threads = [t for t in self._threads if t.is_alive()]
            self._wake.set()
