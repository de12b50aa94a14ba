"""API fixtures: a store with the demo municipality (5001) and a synthetic second one (5002).

The template database is built once per session: both exports imported and one plan run of
the demo's 2026-12-01 day shift solved in-process (1 s) and recorded as succeeded. Each test
gets its own copy of that file, so tests never see each other's writes.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hjemmetjeneste.api import create_app
from hjemmetjeneste.api.auth import Role, issue_demo_token
from hjemmetjeneste.domain import PlanResult, ShiftKind
from hjemmetjeneste.importers import read_export
from hjemmetjeneste.settings import Settings
from hjemmetjeneste.store import open_store, runs

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


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """Both municipalities imported and one succeeded run of 5001's day shift."""
    from hjemmetjeneste.pipeline import plan_shift
    from hjemmetjeneste.solver import SolveParams

    folder = tmp_path_factory.mktemp("api-template")
    path = folder / "template.db"
    store = open_store(f"sqlite:///{path}")
    demo = read_export(DEMO)
    store.save_export(demo, source="demo")
    store.save_export(read_export(write_other_municipality(folder / "other")), source="other")
    record = runs.create_run(
        store.engine,
        municipality_id=OWN,
        district_id=demo.districts[0].district_id,
        plan_date=DAY,
        shift=SHIFT.value,
        params={"time_limit_s": 1.0, "pins": 0},
        created_by="planner-1",
    )
    runs.start_run(store.engine, record.run_id)
    outcome = plan_shift(demo, DAY, SHIFT, params=SolveParams(time_limit_s=1.0))
    runs.finish_run(
        store.engine,
        record.run_id,
        "succeeded",
        result_json=outcome.result.model_dump_json(),
        kpis=outcome.result.kpis.model_dump(mode="json"),
        violations=len(outcome.violations),
    )
    store.close()
    return Template(path=path, run_id=record.run_id, result=outcome.result)


@pytest.fixture
def settings(template: Template, tmp_path: Path) -> Settings:
    """Settings over a fresh copy of the template database."""
    db = tmp_path / "api.db"
    shutil.copyfile(template.path, db)
    return Settings(database_url=f"sqlite:///{db}")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client of the app (lifespan started) over the copy."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


TokenFactory = Callable[..., dict[str, str]]


@pytest.fixture
def auth(settings: Settings) -> TokenFactory:
    """Authorization headers for a role, person and municipality."""

    def make(role: str, person: str, municipality: str = OWN) -> dict[str, str]:
        token = issue_demo_token(
            settings, role=Role(role), person_id=person, municipality_id=municipality
        )
        return {"Authorization": f"Bearer {token}"}

    return make


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
