"""Settings from ``HJEMMETJENESTE_*`` environment variables, validated once at start.

Build one :class:`Settings` where the program starts (the CLI command, the API factory) and
pass it down; there is deliberately no module-level instance.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEMO_JWT_SECRET", "Settings"]

#: The demo's token secret: public, for the synthetic demo data only (see docs/api.md).
DEMO_JWT_SECRET = "hjemmetjeneste-demo-secret-NOT-FOR-PRODUCTION"

_SUPPORTED_SCHEMES = ("sqlite", "postgresql")


def _user_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/hjemmetjeneste`` (``~/.cache/hjemmetjeneste``)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "hjemmetjeneste"


def _shared_benchmarks_dir() -> Path:
    """``<repo>/../shared/benchmarks``: where the benchmark data sits beside a checkout."""
    return Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks"


class Settings(BaseSettings):
    """Where the store lives and how imports fill in what an export leaves out."""

    model_config = SettingsConfigDict(env_prefix="HJEMMETJENESTE_", extra="ignore", frozen=True)

    #: SQLAlchemy URL of the store: a SQLite file (default, in the working directory) or a
    #: PostgreSQL database (``postgresql://user@host/db`` uses the psycopg 3 driver).
    database_url: str = "sqlite:///hjemmetjeneste.db"
    #: Tolerance (± minutes) for a FHIR activity time when the export carries no window
    #: extension (``docs/fhir-mapping.md``).
    default_tolerance_min: int = Field(default=30, ge=0, le=720)
    #: A patient farther than this from the district's base (or a base this far from its
    #: patients) is an implausible location: warned at import, unplaced when planned.
    location_max_km: float = Field(default=60.0, gt=0)
    #: A local copy of Kartverket's address register (CSV) for offline geocoding.
    address_register: Path | None = None
    #: A geocoding service the municipality runs (Nominatim or Photon base URL).
    geocoder_url: str | None = None
    #: ``nominatim`` or ``photon``: the protocol of ``geocoder_url``.
    geocoder_kind: str = "nominatim"
    #: API: HS256 secret for bearer tokens when no JWKS is configured. The default is the
    #: published DEMO secret (``hjemmetjeneste token``): anyone can mint tokens with it, so a
    #: real deployment sets ``jwt_jwks_url`` (HelseID, RS256) or its own secret.
    jwt_secret: SecretStr = SecretStr(DEMO_JWT_SECRET)
    #: API: the OpenID Connect provider's JWKS URL; when set, only RS256 tokens signed by one
    #: of its keys are accepted and ``jwt_secret`` is ignored.
    jwt_jwks_url: str | None = None
    #: API: the audience (``aud``) every token must carry.
    jwt_audience: str = "hjemmetjeneste"
    #: API: the issuer (``iss``) every token must carry; None accepts any issuer.
    jwt_issuer: str | None = "hjemmetjeneste-demo"
    #: API: plan runs solved at once per server process (each in its own spawned process).
    api_run_workers: int = Field(default=1, ge=1, le=16)
    #: Road graphs and travel matrices cached on disk (``HJEMMETJENESTE_CACHE_DIR``).
    cache_dir: Path = Field(default_factory=_user_cache_dir)
    #: Published benchmark instances (``HJEMMETJENESTE_BENCHMARKS_DIR``); may not exist.
    benchmarks_dir: Path = Field(default_factory=_shared_benchmarks_dir)

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        scheme = value.split(":", 1)[0].split("+", 1)[0]
        if scheme == "postgres":
            scheme = "postgresql"
        if scheme not in _SUPPORTED_SCHEMES or "://" not in value:
            raise ValueError(
                "database_url must be a SQLAlchemy URL starting with sqlite:// or "
                f"postgresql://, found {value.split('://', 1)[0]!r}"
            )
        return value

    @field_validator("geocoder_kind")
    @classmethod
    def _known_geocoder(cls, value: str) -> str:
        if value not in ("nominatim", "photon"):
            raise ValueError(f"geocoder_kind must be 'nominatim' or 'photon', found {value!r}")
        return value
