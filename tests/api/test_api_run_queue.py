"""The run queue: fair across municipalities, limited per municipality, heartbeats that tell
a dead server's runs from a live one's, and cancels that always take effect.

The scheduler tests swap the executor (the one function that executes a run) for one that
waits until it is told to stop or released, so that the queue's own behaviour is what is
measured; the servers tests at the end run real servers and real solves.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from api_test_helpers import DAY, OTHER, OWN, SHIFT

from hjemmetjeneste.api.auth import Role, issue_demo_token
from hjemmetjeneste.api.runner import PlanRunJob, RunOutcome, RunScheduler
from hjemmetjeneste.settings import Settings
from hjemmetjeneste.store import create_store_engine, runs


class HeldExecutor:
    """Executes a run by waiting until it is released (succeeds) or stopped (cancelled)."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.release: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def __call__(self, job: PlanRunJob, report) -> RunOutcome:
        with self._lock:
            self.started.append(job.run_id)
            event = self.release.setdefault(job.run_id, threading.Event())
        while not event.wait(0.05):
            if report(0.5, 100):
                return RunOutcome("cancelled")
        return RunOutcome("failed", error="released by the test")


@pytest.fixture
def engine(settings: Settings) -> Iterator:
    engine = create_store_engine(settings.database_url)
    yield engine
    engine.dispose()


def _queue(engine, municipality: str, n: int = 1) -> list[str]:
    district = "trd-ost"
    out = []
    for _ in range(n):
        record = runs.create_run(
            engine,
            municipality_id=municipality,
            district_id=district,
            plan_date=DAY,
            shift=SHIFT.value,
            params={"time_limit_s": 300.0, "pins": 0},
            created_by="planner-1",
        )
        out.append(record.run_id)
        time.sleep(0.002)  # distinct creation times: queue order is creation order
    return out


def _status(engine, run_id: str) -> str:
    return runs.get_run_any(engine, run_id).status  # type: ignore[union-attr]


def _wait(predicate, timeout_s: float = 10.0) -> float:
    """Seconds until ``predicate()`` held; fails after ``timeout_s``."""
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout_s, "timed out"
        time.sleep(0.05)
    return time.monotonic() - started


def _scheduler(engine, settings, executor, **kwargs) -> RunScheduler:
    options = {"workers": 2, "per_municipality": 1, "tick_s": 0.1, "stale_after_s": 1.0}
    scheduler = RunScheduler(engine, settings.database_url, executor=executor, **options | kwargs)
    scheduler.start()
    return scheduler


def test_one_municipality_cannot_take_every_worker(engine, settings):
    """50 queued long runs of one municipality and then one of another: with two workers and
    one run per municipality, the other municipality's run starts at once."""
    executor = HeldExecutor()
    busy = _queue(engine, OTHER, 50)
    scheduler = _scheduler(engine, settings, executor)
    try:
        _wait(lambda: len(executor.started) == 1)
        mine = _queue(engine, OWN)[0]
        scheduler.wake()
        _wait(lambda: _status(engine, mine) == "running", 3.0)
        assert sum(_status(engine, r) == "running" for r in busy) == 1
    finally:
        scheduler.shutdown()


def test_runs_are_taken_round_robin_across_municipalities(engine, settings):
    """With one worker, after a run of 5002 ends the next run taken is 5001's, although
    more of 5002's were queued before it."""
    executor = HeldExecutor()
    first, *rest = _queue(engine, OTHER, 3)
    scheduler = _scheduler(engine, settings, executor, workers=1)
    try:
        _wait(lambda: executor.started == [first])
        mine = _queue(engine, OWN)[0]
        executor.release.setdefault(first, threading.Event()).set()
        _wait(lambda: len(executor.started) == 2)
        assert executor.started[1] == mine
        assert all(_status(engine, r) == "queued" for r in rest)
    finally:
        scheduler.shutdown()


def test_two_schedulers_never_end_each_others_live_runs(engine, settings):
    """Two servers' schedulers on one store, each running a run: over several stale
    periods neither marks the other's run interrupted, nor runs the same run twice."""
    first, second = HeldExecutor(), HeldExecutor()
    ids = _queue(engine, OWN) + _queue(engine, OTHER)
    a = _scheduler(engine, settings, first, workers=1)
    b = _scheduler(engine, settings, second, workers=1)
    try:
        _wait(lambda: len(first.started) + len(second.started) == 2)
        time.sleep(3.5)  # more than three stale periods (1 s)
        assert [_status(engine, r) for r in ids] == ["running", "running"]
        assert sorted(first.started + second.started) == sorted(ids)
    finally:
        a.shutdown()
        b.shutdown()
    assert [_status(engine, r) for r in ids] == ["interrupted", "interrupted"]


def test_a_dead_servers_run_is_interrupted_and_its_cancel_takes_effect(engine, settings):
    """A run claimed by a server that then died (no more heartbeats) is marked interrupted by
    a live one within seconds; a cancel of a running run whose server is silent ends it at
    once rather than waiting for a worker that will never come."""
    dead = runs.claim_run(engine, OWN, "dead-server", 1)
    assert dead is None  # nothing queued yet
    run_id = _queue(engine, OWN)[0]
    assert runs.claim_run(engine, OWN, "dead-server", 1).run_id == run_id  # type: ignore[union-attr]
    scheduler = _scheduler(engine, settings, HeldExecutor())
    try:
        assert _wait(lambda: _status(engine, run_id) == "interrupted") < 5.0
    finally:
        scheduler.shutdown()
    other = _queue(engine, OTHER)[0]
    runs.claim_run(engine, OTHER, "dead-server", 1)
    time.sleep(1.2)
    record = runs.request_cancel(engine, OTHER, other, timedelta(seconds=1))
    assert record is not None and record.status == "cancelled"


# -- real servers ------------------------------------------------------------------------


def _port() -> int:
    for port in range(18210, 18300):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18210-18299")


def _serve(database_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HJEMMETJENESTE_DATABASE_URL": database_url,
        "HJEMMETJENESTE_API_RUN_WORKERS": "1",
    }
    env.pop("HJEMMETJENESTE_JWT_SECRET", None)
    env.pop("HJEMMETJENESTE_JWT_JWKS_URL", None)
    command = [sys.executable, "-m", "hjemmetjeneste.cli", "serve", "--demo", "--port", str(port)]
    with log.open("ab") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=out)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the server did not start:\n{log.read_text()}")


def _start_run(port: int, headers: dict[str, str]) -> str:
    response = httpx.post(
        f"http://127.0.0.1:{port}/v1/runs",
        json={"date": DAY.isoformat(), "shift": "day", "time_limit_s": 120},
        headers=headers,
    )
    assert response.status_code == 202, response.text
    return str(response.json()["run_id"])


def test_servers_killed_mid_run_restart_and_share_a_store(settings, tmp_path):
    """Two real servers on one store: A solves a run while B runs for longer than the stale
    period and leaves it alone; A is killed with SIGKILL mid-run and B marks the run
    interrupted within 10 s. Then B solves a run, is killed and restarted: the restarted
    server marks it interrupted within 10 s of answering again, and a cancel of it is
    answered with its final state."""
    headers = {
        "Authorization": "Bearer "
        + issue_demo_token(settings, role=Role.PLANNER, person_id="p1", municipality_id=OWN)
    }
    log = tmp_path / "servers.log"
    engine = create_store_engine(settings.database_url)
    port_a, servers = _port(), []
    try:
        servers.append(_serve(settings.database_url, port_a, log))
        first = _start_run(port_a, headers)
        _wait(lambda: _status(engine, first) == "running", 30)
        port_b = _port()
        servers.append(_serve(settings.database_url, port_b, log))
        time.sleep(7)  # B sweeps every half second; A's heartbeats keep its run alive
        assert _status(engine, first) == "running"
        os.kill(servers[0].pid, signal.SIGKILL)
        servers[0].wait(5)
        assert _wait(lambda: _status(engine, first) == "interrupted", 10) < 10

        second = _start_run(port_b, headers)
        _wait(lambda: _status(engine, second) == "running", 30)
        os.kill(servers[1].pid, signal.SIGKILL)
        servers[1].wait(5)
        servers.append(_serve(settings.database_url, port_b, log))  # restarted
        assert _wait(lambda: _status(engine, second) == "interrupted", 10) < 10
        cancel = httpx.post(f"http://127.0.0.1:{port_b}/v1/runs/{second}/cancel", headers=headers)
        assert cancel.json()["status"] == "interrupted"
    finally:
        engine.dispose()
        for process in servers:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
