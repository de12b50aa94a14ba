"""SQLite write transactions wait for the write lock instead of failing on a stale snapshot."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from hjemmetjeneste.store import create_store_engine
from hjemmetjeneste.store.engine import writing


def _counter(tmp_path: Path) -> Engine:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with writing(engine).begin() as connection:
        connection.exec_driver_sql("CREATE TABLE counter (n INTEGER)")
        connection.exec_driver_sql("INSERT INTO counter VALUES (0)")
    return engine


def _read_then_write(engine: Engine, other_writer: threading.Thread) -> None:
    """Read, let another connection write meanwhile, then write: the API's read-modify-write."""
    with engine.begin() as connection:
        n = connection.execute(text("SELECT n FROM counter")).scalar_one()
        other_writer.start()
        other_writer.join(timeout=0.5)  # blocked on our lock, or done
        connection.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})


def _bump(engine: Engine, errors: list[Exception]) -> None:
    try:
        with writing(engine).begin() as connection:
            connection.execute(text("UPDATE counter SET n = n + 10"))
    except Exception as exc:  # reported by the test
        errors.append(exc)


def test_a_writing_transaction_waits_its_turn_and_loses_no_update(tmp_path: Path) -> None:
    engine = _counter(tmp_path)
    errors: list[Exception] = []
    other = threading.Thread(target=_bump, args=(engine, errors))
    _read_then_write(writing(engine), other)
    other.join(timeout=30)
    assert errors == []
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM counter")).scalar_one() == 11


def test_a_deferred_transaction_fails_on_the_stale_snapshot(tmp_path: Path) -> None:
    """The failure ``writing`` prevents: the plain deferred BEGIN cannot upgrade its snapshot."""
    engine = _counter(tmp_path)
    errors: list[Exception] = []
    other = threading.Thread(target=_bump, args=(engine, errors))
    with pytest.raises(OperationalError, match="database is locked"):
        _read_then_write(engine, other)
    other.join(timeout=30)
    assert errors == []
