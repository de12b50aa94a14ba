"""Settings: HJEMMETJENESTE_* environment variables, validated when built."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hjemmetjeneste.settings import Settings
from hjemmetjeneste.store import create_store_engine


def test_database_url_defaults_to_sqlite_in_the_working_directory(monkeypatch):
    """Without the variable the store is hjemmetjeneste.db in the working directory."""
    monkeypatch.delenv("HJEMMETJENESTE_DATABASE_URL", raising=False)
    assert Settings().database_url == "sqlite:///hjemmetjeneste.db"


def test_environment_variable_sets_the_database_url(monkeypatch):
    """HJEMMETJENESTE_DATABASE_URL selects PostgreSQL."""
    monkeypatch.setenv("HJEMMETJENESTE_DATABASE_URL", "postgresql://u@127.0.0.1/db")
    assert Settings().database_url == "postgresql://u@127.0.0.1/db"


@pytest.mark.parametrize("url", ["mysql://u@h/db", "hjemmetjeneste.db", "oracle://x"])
def test_unsupported_database_urls_are_rejected_at_start(url):
    """Anything but SQLite or PostgreSQL fails validation with the setting's name."""
    with pytest.raises(ValidationError, match="database_url"):
        Settings(database_url=url)


def test_sqlite_engine_uses_write_ahead_logging(tmp_path):
    """SQLite connections run in WAL mode with foreign keys on."""
    engine = create_store_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_cache_and_benchmark_folders_come_from_settings(monkeypatch, tmp_path):
    """HJEMMETJENESTE_CACHE_DIR and HJEMMETJENESTE_BENCHMARKS_DIR are read by Settings, and
    the travel cache and benchmark readers take their folders from it."""
    from hjemmetjeneste.benchsets import benchmarks_dir
    from hjemmetjeneste.settings import Settings
    from hjemmetjeneste.travel.osm import default_cache_dir

    monkeypatch.setenv("HJEMMETJENESTE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HJEMMETJENESTE_BENCHMARKS_DIR", str(tmp_path / "bench"))
    assert Settings().cache_dir == tmp_path / "cache" == default_cache_dir()
    assert Settings().benchmarks_dir == tmp_path / "bench" == benchmarks_dir()
    monkeypatch.delenv("HJEMMETJENESTE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "hjemmetjeneste"
