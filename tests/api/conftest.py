"""API fixtures: a store with the demo municipality (5001) and a synthetic second one (5002).

The template database is built once per session: both exports imported and one plan run of
the demo's 2026-12-01 day shift solved in-process (1 s) and recorded as succeeded. Each test
gets its own copy of that file, so tests never see each other's writes.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from api_test_helpers import DAY, DEMO, OWN, SHIFT, Template, write_other_municipality
from fastapi.testclient import TestClient

from hjemmetjeneste.api import create_app
from hjemmetjeneste.api.auth import Role, issue_demo_token
from hjemmetjeneste.formats import read_export
from hjemmetjeneste.settings import Settings
from hjemmetjeneste.store import open_store, runs


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
