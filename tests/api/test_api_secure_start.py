"""Secure by default: `serve` and the app factory refuse unsafe token settings, naming them."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from hjemmetjeneste.api import app_from_environment
from hjemmetjeneste.api.security import InsecureSettingsError, check_settings
from hjemmetjeneste.cli import app as cli_app
from hjemmetjeneste.settings import Settings

runner = CliRunner()


@pytest.fixture
def no_uvicorn(monkeypatch) -> list[dict]:
    """uvicorn.run replaced by a recorder: a refused start never reaches it."""
    import uvicorn

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: calls.append(k))
    for name in ("SECRET", "JWKS_URL", "ISSUER", "AUDIENCE"):
        monkeypatch.delenv(f"HJEMMETJENESTE_JWT_{name}", raising=False)
    # set (so that monkeypatch restores its absence after serve --demo set it) and off
    monkeypatch.setenv("HJEMMETJENESTE_API_DEMO", "false")
    monkeypatch.setenv("HJEMMETJENESTE_DATABASE_URL", "sqlite:///unused.db")
    return calls


@pytest.mark.parametrize(
    "args",
    [
        ["serve", "--host", "0.0.0.0"],
        ["serve", "--host", "0.0.0.0", "--workers", "2"],
        ["serve"],
        ["serve", "--demo", "--host", "0.0.0.0"],
    ],
)
def test_serve_refuses_the_demo_secret_naming_the_settings(no_uvicorn, args):
    """Without a configured key, serve exits non-zero naming the settings to set, and
    --demo is accepted on loopback hosts only."""
    result = runner.invoke(cli_app, args)
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "HJEMMETJENESTE_JWT_SECRET" in text
    assert "HJEMMETJENESTE_JWT_JWKS_URL" in text
    assert no_uvicorn == []


def test_serve_refuses_a_short_secret_and_a_jwks_without_issuer(no_uvicorn, monkeypatch):
    """A one-character secret and a JWKS without an issuer are refused by name."""
    monkeypatch.setenv("HJEMMETJENESTE_JWT_SECRET", "a")
    result = runner.invoke(cli_app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "at least 32" in " ".join(result.output.split())
    monkeypatch.delenv("HJEMMETJENESTE_JWT_SECRET")
    monkeypatch.setenv("HJEMMETJENESTE_JWT_JWKS_URL", "https://helseid.example.test/jwks")
    monkeypatch.setenv("HJEMMETJENESTE_JWT_ISSUER", "")
    result = runner.invoke(cli_app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "HJEMMETJENESTE_JWT_ISSUER" in result.output
    assert no_uvicorn == []


def test_serve_starts_with_demo_on_loopback_or_a_real_secret(no_uvicorn, monkeypatch):
    """--demo on 127.0.0.1 starts (its workers are told through the environment); a 32-byte
    secret starts on any host."""
    assert runner.invoke(cli_app, ["serve", "--demo"]).exit_code == 0
    assert no_uvicorn[-1]["host"] == "127.0.0.1"
    monkeypatch.setenv("HJEMMETJENESTE_JWT_SECRET", "s" * 32)
    monkeypatch.setenv("HJEMMETJENESTE_API_DEMO", "false")
    assert runner.invoke(cli_app, ["serve", "--host", "0.0.0.0"]).exit_code == 0
    assert len(no_uvicorn) == 2


def test_the_app_factory_refuses_the_demo_secret_without_the_demo_flag(monkeypatch):
    """uvicorn started by hand (the factory) refuses the demo secret unless
    HJEMMETJENESTE_API_DEMO is set, as serve --demo sets it."""
    monkeypatch.delenv("HJEMMETJENESTE_JWT_SECRET", raising=False)
    monkeypatch.delenv("HJEMMETJENESTE_JWT_JWKS_URL", raising=False)
    monkeypatch.setenv("HJEMMETJENESTE_API_DEMO", "false")
    with pytest.raises(InsecureSettingsError, match="HJEMMETJENESTE_JWT_SECRET"):
        app_from_environment()
    check_settings(Settings(api_demo=True), "127.0.0.1")  # accepted
    with pytest.raises(InsecureSettingsError, match="HJEMMETJENESTE_API_TILE_ORIGIN"):
        check_settings(Settings(api_demo=True, api_tile_origin="javascript:x"), "::1")
