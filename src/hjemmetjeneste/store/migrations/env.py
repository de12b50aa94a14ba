"""Alembic environment: runs the store's migrations on the connection the store hands in.

``hjemmetjeneste.store.migrate`` passes an open connection in ``config.attributes``; run
from the command line (``alembic -c ...``) it falls back to ``sqlalchemy.url``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from hjemmetjeneste.store.models import TableBase

config = context.config
target_metadata = TableBase.metadata


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # type: ignore[attr-defined]
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the given connection, or on one made from the config's URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as conn:
        _run(conn)


if context.is_offline_mode():  # pragma: no cover - offline SQL generation is not used
    raise SystemExit("offline migrations are not supported; run them on a database")
run_migrations_online()
