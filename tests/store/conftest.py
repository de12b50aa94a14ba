"""Store fixtures: every store test runs on SQLite and on the PostgreSQL server of `.ci/run`.

PostgreSQL is reached through HJEMMETJENESTE_TEST_POSTGRES_URL (set by
`eval "$(bash scripts/ci_postgres.sh)"`); without it the PostgreSQL cases skip, except in
CI, where a missing server is a failure (tests/ci_guard.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

import ci_guard
from hjemmetjeneste.store import Store, create_store_engine, open_store
from hjemmetjeneste.store.models import TableBase

POSTGRES_ENV = "HJEMMETJENESTE_TEST_POSTGRES_URL"


def postgres_url() -> str | None:
    """The test server's URL, or None when it is not set."""
    return os.environ.get(POSTGRES_ENV)


def reset_postgres(url: str) -> None:
    """Drop every store table so that a test starts from an empty database."""
    engine = create_store_engine(url)
    with engine.begin() as conn:
        TableBase.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url = postgres_url()
    if not url:
        ci_guard.skip("postgres", f"{POSTGRES_ENV} not set (run scripts/ci_postgres.sh)")
    reset_postgres(url)
    return url


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A migrated, empty store on each kind of database."""
    opened = open_store(database_url)
    yield opened
    opened.close()
