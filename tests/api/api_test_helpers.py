"""Helpers shared by the API tests: the demo and a second municipality, people on shift,
publishing and waiting for runs."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hjemmetjeneste.domain import PlanResult, ShiftKind
from hjemmetjeneste.store import runs

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
OWN = "5001"
OTHER = "5002"
DAY = date(2026, 12, 1)
SHIFT = ShiftKind.DAY


def write_other_municipality(folder: Path) -> Path:
    """The demo export copied as municipality 5002: same staff ids, other patient ids."""
    folder.mkdir(parents=True, exist_ok=True)
    for src in DEMO.glob("*.csv"):
        lines = src.read_text(encoding="utf-8").splitlines()
        header = lines[0].split(",")
        out = [lines[0]]
        if "municipality_id" in header:
            col = header.index("municipality_id")
            for line in lines[1:]:
                cells = line.split(",")
                if len(cells) > col and cells[col] == OWN:
                    cells[col] = OTHER
                out.append(",".join(cells))
        else:
            out.extend(lines[1:])
        if src.name in ("patients.csv", "interventions.csv"):
            # other patients: ids that do not exist in 5001 (P0001 -> Q0001)
            out = [out[0]] + [line.replace("P0", "Q0") for line in out[1:]]
        if src.name == "municipality.csv":
            out = [out[0]] + [line.replace("Trondheim", "Andreby") for line in out[1:]]
        (folder / src.name).write_text("\n".join(out) + "\n", encoding="utf-8")
    return folder


@dataclass(frozen=True)
class Template:
    """The session's template database and what it holds."""

    path: Path
    run_id: str
    result: PlanResult


def nurse_on_shift(result: PlanResult) -> str:
    """A caregiver with at least one visit in ``result``."""
    return next(w.staff_id for w in result.worklists if w.visits)


def patient_on_shift(result: PlanResult) -> str:
    """A patient visited in ``result``."""
    return next(v.patient_id for w in result.worklists for v in w.visits)


def publish(client: TestClient, headers: dict[str, str], run_id: str, version: int = 0):
    """Publish ``run_id`` expecting the shift's current version ``version``."""
    return client.post(
        f"/v1/runs/{run_id}/publish", headers={**headers, "If-Match": f'"{version}"'}
    )


def wait_for_run(client: TestClient, headers: dict[str, str], run_id: str, timeout_s: float = 90):
    """Poll a run until it is final; returns its last state."""
    deadline = time.monotonic() + timeout_s
    while True:
        body = client.get(f"/v1/runs/{run_id}", headers=headers).json()
        if body["status"] in runs.FINAL_STATUSES or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


def record_succeeded_run(engine: Engine, result: PlanResult, plan_date: date | None = None) -> str:
    """Store ``result`` as a succeeded run of its shift (on ``plan_date`` if given); its id."""
    record = runs.create_run(
        engine,
        municipality_id=result.municipality_id,
        district_id=result.district_id,
        plan_date=plan_date or result.date,
        shift=result.shift.value,
        params={"time_limit_s": 1.0, "pins": 0},
        created_by="planner-1",
    )
    runs.start_run(engine, record.run_id)
    runs.finish_run(
        engine,
        record.run_id,
        "succeeded",
        result_json=result.model_dump_json(),
        kpis=result.kpis.model_dump(mode="json"),
        violations=0,
    )
    return record.run_id
