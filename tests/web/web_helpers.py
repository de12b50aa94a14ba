"""Helpers of the page tests: the page server, the accessibility check, screenshots, a large
synthetic day."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page

from hjemmetjeneste.formats import read_export
from hjemmetjeneste.store import open_store

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
#: This suite's ports (127.0.0.1 only).
PORTS = range(18300, 18400)


@dataclass(frozen=True)
class Server:
    """The running page server."""

    url: str
    database_url: str
    pid: int
    """The server process (the solver processes of its runs are its children)."""

    def solver_processes(self) -> list[int]:
        """The server's child processes that multiprocessing spawned (a run's solver)."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
                cmdline = (stat.parent / "cmdline").read_bytes()
            except (OSError, ValueError, IndexError):
                continue
            if parent == self.pid and b"spawn_main" in cmdline:
                found.append(int(stat.parent.name))
        return found


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18300-18399")


@contextmanager
def serve_export(
    folder: Path, export: Path, settings: dict[str, str] | None = None
) -> Iterator[Server]:
    """uvicorn with the app in demo mode over a new store (in ``folder``) holding ``export``;
    ``settings``: more ``HJEMMETJENESTE_*`` environment variables."""
    database_url = f"sqlite:///{folder / 'page.db'}"
    store = open_store(database_url)
    store.save_export(read_export(export), source="demo")
    store.close()
    port = _free_port()
    env = {
        **os.environ,
        "HJEMMETJENESTE_DATABASE_URL": database_url,
        "HJEMMETJENESTE_API_DEMO": "true",
        **(settings or {}),
    }
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "hjemmetjeneste.api:app_from_environment",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = (folder / "server.log").read_text()
                raise RuntimeError(f"the server did not start: {output}")
            time.sleep(0.2)
        yield Server(url=url, database_url=database_url, pid=process.pid)
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def axe_violations(page: Page) -> list[str]:
    """Serious and critical accessibility violations that axe-core finds on the page now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.help + ' @ '"
        " + v.nodes.slice(0, 3).map(n => n.target).join(' | '))"
    )
    return list(found)


def screenshot_dir(tmp_path: Path) -> Path:
    """Where screenshots go: ``HJEMMETJENESTE_PAGE_SCREENSHOTS`` (docs/img) or a temp dir."""
    target = os.environ.get("HJEMMETJENESTE_PAGE_SCREENSHOTS")
    path = Path(target) if target else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def synthetic_view(n_staff: int = 100, visits_each: int = 15, seed: int = 7) -> dict[str, Any]:
    """A plan view of ``n_staff`` caregivers with ``visits_each`` visits each (1,500 by
    default), shaped like ``GET /v1/planner/runs/{id}/view``; every 20th visit is
    double-staffed with the next caregiver, and a few tasks are unplaced. No real person."""
    import random

    rng = random.Random(seed)
    oslo = timedelta(hours=1)
    day_start = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)  # 07:30 in Oslo

    def iso(moment: datetime) -> str:
        return (moment + oslo).replace(tzinfo=None).isoformat() + "+01:00"

    base = {"lat": 63.4262, "lon": 10.4398}
    worklists = []
    competence = {}
    for s in range(n_staff):
        staff_id = f"X{s:03d}"
        clock = day_start + timedelta(minutes=rng.randint(0, 20))
        leave = clock
        visits = []
        for k in range(visits_each):
            travel = rng.randint(120, 600)
            arrival = clock + timedelta(seconds=travel)
            start = arrival + timedelta(seconds=rng.choice([0, 0, 0, 300]))
            end = start + timedelta(minutes=rng.randint(5, 20))
            visit_id = f"visit:T{s:03d}-{k:02d}"
            partners = [f"X{(s + 1) % n_staff:03d}"] if k % 20 == 7 else []
            competence[visit_id] = "helsefagarbeider"
            visits.append(
                {
                    "sequence": k + 1,
                    "visit_id": visit_id,
                    "patient_id": f"Q{s:03d}{k:02d}",
                    "patient_name": f"Testperson {s}-{k}",
                    "address": f"Syntetisk vei {k}",
                    "location": {
                        "lat": 63.38 + rng.random() * 0.1,
                        "lon": 10.3 + rng.random() * 0.25,
                    },
                    "key_box_note": None,
                    "window_start": iso(start - timedelta(minutes=30)),
                    "window_end": iso(start + timedelta(minutes=30)),
                    "arrival": iso(arrival),
                    "start": iso(start),
                    "end": iso(end),
                    "travel_s": travel,
                    "distance_m": travel * 8,
                    "partner_staff_ids": partners,
                    "tasks": [
                        {
                            "task_id": f"I{s:03d}{k:02d}@2026-12-01#0",
                            "intervention_id": f"I{s:03d}{k:02d}",
                            "description": "Morgenstell",
                            "problem_area": "Personlig hygiene",
                            "duration_min": 15,
                            "time_critical": False,
                        }
                    ],
                }
            )
            clock = end
        back = clock + timedelta(seconds=400)
        worklists.append(
            {
                "staff_id": staff_id,
                "first_name": f"Pleier{s}",
                "competence": "sykepleier",
                "travel_mode": "car",
                "date": "2026-12-01",
                "shift": "day",
                "leave_base": iso(leave),
                "return_base": iso(back),
                "visits": visits,
                "travel_s": sum(v["travel_s"] for v in visits) + 400,
                "service_s": 0,
                "wait_s": 0,
                "distance_m": 0,
                "breaks": [
                    {
                        "start": iso(day_start + timedelta(hours=4)),
                        "end": iso(day_start + timedelta(hours=4, minutes=30)),
                    }
                ],
                "overtime_s": 0,
            }
        )
    unplaced = [
        {
            "task_id": f"U{k}@2026-12-01#0",
            "visit_id": f"visit:U{k}",
            "intervention_id": f"U{k}",
            "patient_id": f"R{k:03d}",
            "description": "Medisiner",
            "window_start": iso(day_start + timedelta(hours=2)),
            "window_end": iso(day_start + timedelta(hours=3)),
            "time_critical": k == 0,
            "reason": "no_time_left",
            "explanation": "No qualified caregiver had room for the visit.",
        }
        for k in range(5)
    ]
    n_visits = n_staff * visits_each
    result = {
        "municipality_id": "9999",
        "district_id": "synthetic",
        "date": "2026-12-01",
        "shift": "day",
        "shift_start": iso(day_start),
        "shift_end": iso(day_start + timedelta(hours=7, minutes=30)),
        "worklists": worklists,
        "unplaced": unplaced,
        "as_needed": [],
        "kpis": {
            "tasks_total": n_visits + 5,
            "tasks_placed": n_visits,
            "visits_total": n_visits + 5,
            "visits_placed": n_visits,
            "time_critical_unplaced": 1,
            "staff_on_shift": n_staff,
            "staff_used": n_staff,
            "paid_s": n_staff * 27000,
            "service_s": 0,
            "travel_s": 0,
            "wait_s": 0,
            "distance_m": 0,
            "patient_time_share": 0.58,
            "travel_share": 0.12,
        },
        "solver_status": "synthetic",
        "solver_objective": 0,
        "solve_seconds": 0.0,
    }
    return {
        "run_id": "synthetic-run",
        "result": result,
        "base": base,
        "base_name": "Syntetisk base",
        "unplaced_places": [
            {
                "visit_id": u["visit_id"],
                "patient_first_name": "Testperson",
                "location": {"lat": 63.40, "lon": 10.35 + 0.01 * k},
            }
            for k, u in enumerate(unplaced)
        ],
        "visit_competence": competence,
        "caregivers_per_patient": 1.0,
        "continuity_days": 14,
        "continuity_shifts": 1,
        "overtime_s": 0,
    }
