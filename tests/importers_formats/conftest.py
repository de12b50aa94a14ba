"""Fixtures for the import tests: the bad-file corpus and stores on SQLite and PostgreSQL.

PostgreSQL comes from HJEMMETJENESTE_TEST_POSTGRES_URL (`scripts/ci_postgres.sh`); without
it those cases skip, except in CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from hjemmetjeneste.store import Store, create_store_engine, open_store
from hjemmetjeneste.store.models import TableBase

CORPUS = Path(__file__).parent / "corpus"
EXPECTED: dict[str, dict] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
POSTGRES_ENV = "HJEMMETJENESTE_TEST_POSTGRES_URL"


@pytest.fixture(params=["sqlite", "postgresql"])
def import_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'import.db'}"
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{POSTGRES_ENV} is not set in CI: .ci/run must start PostgreSQL")
        pytest.skip(f"{POSTGRES_ENV} not set (run scripts/ci_postgres.sh)")
    engine = create_store_engine(url)
    with engine.begin() as conn:
        TableBase.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    return url


@pytest.fixture
def import_store(import_db_url: str) -> Iterator[Store]:
    """A migrated, empty store on each kind of database."""
    store = open_store(import_db_url)
    yield store
    store.close()


def corpus_path(name: str, tmp_path: Path) -> Path:
    """The bad export ``name`` as a path to import (a CSV defect is laid over the valid one)."""
    spec = EXPECTED[name]
    if spec["format"] == "csv":
        folder = tmp_path / name
        shutil.copytree(CORPUS / "valid_csv", folder)
        for file in (CORPUS / "csv" / name).iterdir():
            shutil.copy(file, folder / file.name)
        return folder
    if spec["format"] == "parquet":
        return CORPUS / "parquet" / name
    if spec["format"] == "xlsx":
        return CORPUS / "xlsx" / f"{name}.xlsx"
    return CORPUS / "fhir" / f"{name}.json"
