"""Fixtures for the import tests: the bad-file corpus and stores on SQLite and PostgreSQL.

PostgreSQL comes from HJEMMETJENESTE_TEST_POSTGRES_URL (`scripts/ci_postgres.sh`); without
it those cases skip, except in CI, where that is a failure (tests/ci_guard.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from import_corpus import POSTGRES_ENV
from sqlalchemy import text

import ci_guard
from hjemmetjeneste.store import Store, create_store_engine, open_store
from hjemmetjeneste.store.models import TableBase


@pytest.fixture(params=["sqlite", "postgresql"])
def import_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'import.db'}"
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        ci_guard.skip("postgres", f"{POSTGRES_ENV} not set (run scripts/ci_postgres.sh)")
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
