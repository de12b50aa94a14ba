"""A content digest of the whole store: every table's rows, sorted, hashed.

Two databases with equal digests hold the same rows, whatever their files' bytes (SQLite
pages, WAL) or the server (SQLite or PostgreSQL). Tests use it to prove that a failed or
killed import left the store exactly as it was.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, inspect, select

from hjemmetjeneste.store.models import TableBase

__all__ = ["database_digest"]


def _normalise(value: Any) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # SQLite gives naive datetimes back
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return repr(value)


def database_digest(engine: Engine) -> str:
    """SHA-256 over every row of every store table (and the schema revision), in key order.

    Tables not yet created count as empty, so an unmigrated database has a digest too.
    """
    digest = hashlib.sha256()
    existing = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        if "alembic_version" in existing:
            versions = sorted(
                r[0] for r in connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            )
            digest.update(repr(versions).encode())
        for name in sorted(TableBase.metadata.tables):
            table = TableBase.metadata.tables[name]
            digest.update(f"\x00table {name}\x00".encode())
            if name not in existing:
                continue
            rows = connection.execute(select(table).order_by(*table.primary_key.columns))
            lines = sorted("\x1f".join(_normalise(v) for v in row) for row in rows)
            for line in lines:
                digest.update(line.encode("utf-8"))
                digest.update(b"\x1e")
    return digest.hexdigest()
