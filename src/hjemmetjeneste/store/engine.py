"""Engines for the store: SQLite (WAL, foreign keys) by default, PostgreSQL via psycopg 3."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

__all__ = ["MIGRATIONS_DIR", "create_store_engine", "migrate", "normalise_url", "writing"]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_WRITE_OPTION = "hjemmetjeneste_write"


def normalise_url(url: str | URL) -> URL:
    """The SQLAlchemy URL with the psycopg 3 driver for PostgreSQL URLs without one."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def create_store_engine(url: str | URL, *, echo: bool = False) -> Engine:
    """An engine for ``url``; SQLite connections use WAL, foreign keys and explicit BEGIN.

    pysqlite would otherwise start a transaction only at the first write, so the reads an
    import makes before writing would not belong to its transaction. Here every transaction
    starts with ``BEGIN``: reads and writes of one import see one snapshot. Transactions
    opened through :func:`writing` start with ``BEGIN IMMEDIATE`` instead.
    """
    parsed = normalise_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, echo=echo, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, echo=echo, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def writing(engine: Engine) -> Engine:
    """``engine`` for transactions that write: on SQLite they take the write lock at BEGIN.

    A deferred transaction that reads and then writes fails at once with "database is locked"
    when another connection committed in between (WAL cannot upgrade a stale snapshot, and
    the busy timeout does not apply). Taking the lock up front makes it wait its turn instead.
    PostgreSQL ignores the option.
    """
    return engine.execution_options(**{_WRITE_OPTION: True})


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the database's schema to ``revision`` with the packaged Alembic migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with writing(engine).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
