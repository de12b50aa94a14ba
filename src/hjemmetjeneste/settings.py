"""Settings from ``HJEMMETJENESTE_*`` environment variables, validated once at start.

Build one :class:`Settings` where the program starts (the CLI command, the API factory) and
pass it down; there is deliberately no module-level instance.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

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
    api_run_workers: int = Field(default=2, ge=1, le=16)
    #: API: plan runs of one municipality solving at once, over every server on the store.
    api_runs_per_municipality: int = Field(default=1, ge=1, le=16)
    #: API: set by ``serve --demo``: accept the public demo secret (loopback hosts only).
    api_demo: bool = False
    #: API: largest JSON request body (bytes); larger answers 413 while it streams.
    api_max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    #: API: largest upload to ``/v1/imports`` (bytes, all files together, as sent).
    api_max_upload_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    #: API: largest upload once unpacked (zip members, .xlsx parts), in bytes.
    api_max_unpacked_bytes: int = Field(default=128 * 1024 * 1024, ge=1024)
    #: API: most lines in one uploaded CSV/NDJSON file.
    api_max_upload_rows: int = Field(default=200_000, ge=10)
    #: API: deepest nesting of an uploaded JSON (FHIR) document.
    api_max_json_depth: int = Field(default=64, ge=4, le=1000)
    #: API: requests per second (sustained) and burst allowed per bearer token.
    api_rate_per_token: float = Field(default=50.0, gt=0)
    api_burst_per_token: float = Field(default=200.0, ge=1)
    #: API: requests per second (sustained) and burst allowed per client IP address.
    api_rate_per_ip: float = Field(default=500.0, gt=0)
    api_burst_per_ip: float = Field(default=2000.0, ge=1)
    #: API: origin of the planner UI's map tiles (e.g. ``https://tiles.example.no``), allowed
    #: as an image source by the Content-Security-Policy; None allows only the API's own.
    api_tile_origin: str | None = None
    #: API: seconds to wait for the JWKS endpoint, and the fewest seconds between two
    #: fetches of it for tokens with an unknown key id.
    api_jwks_timeout_s: float = Field(default=2.0, gt=0, le=30)
    api_jwks_min_refresh_s: float = Field(default=30.0, ge=0)
    #: Road graphs and travel matrices cached on disk (``HJEMMETJENESTE_CACHE_DIR``).
    cache_dir: Path = Field(default_factory=_user_cache_dir)
    #: Published benchmark instances (``HJEMMETJENESTE_BENCHMARKS_DIR``); may not exist.
    benchmarks_dir: Path = Field(default_factory=_shared_benchmarks_dir)
    #: The planner's page: map tile URL template (``https://tiles.example/{z}/{x}/{y}.png``);
    #: None draws the routes on a plain background (no request leaves the page).
    map_tile_url: str | None = None
    #: The attribution the tile provider requires, shown on the map.
    map_tile_attribution: str = ""

    @property
    def tile_origin(self) -> str | None:
        """The map tiles' origin the page's Content-Security-Policy allows: the API setting,
        else the origin of the tile URL template, else none."""
        if self.api_tile_origin:
            return self.api_tile_origin
        if self.map_tile_url:
            parts = urlsplit(self.map_tile_url)
            return f"{parts.scheme}://{parts.netloc}"
        return None

    #: Period runs (``plan --all-districts``): address of a Dask distributed scheduler, e.g.
    #: ``tcp://scheduler:8786``; unset plans on a local pool of processes (docs/deployment.md).
    dask_scheduler: str | None = None
    #: Period runs on the local pool: worker processes (default: one per CPU core).
    period_workers: int | None = Field(default=None, ge=1, le=256)

    #: Events (issue #16): a patient whose planned visit moves by more than this many minutes
    #: gets a notice (cancelled and unplaced visits always do) — the default for
    #: municipalities whose rules set no ``notice_move_threshold_min`` of their own.
    notice_move_threshold_min: int = Field(default=30, ge=0, le=24 * 60)
    #: Events: a patient's own absence report is applied without a planner (a municipality
    #: rule); off by default, a planner accepts or rejects it.
    patient_absence_auto_accept: bool = False
    #: Events: seconds ``POST /v1/events`` and ``accept`` wait for the re-plan runs before
    #: answering with status ``applying`` (the server finishes them in the background).
    event_apply_wait_s: float = Field(default=120.0, ge=0, le=3600)
    #: Events: seconds of search for a re-plan run; 2 s keeps the whole warm re-plan near 3 s,
    #: inside the 5 s floor a 5 s search alone broke (docs/benchmarks.md, event re-plan limit).
    event_replan_time_limit_s: float = Field(default=2.0, gt=0, le=600)
    #: Notices: the municipality's messaging (SMS) service; every notice is POSTed there as
    #: JSON with ids only. None keeps notices in the outbox undelivered.
    webhook_url: str | None = None
    #: Notices: the HMAC-SHA256 key of the ``X-Hjemmetjeneste-Signature`` header.
    webhook_secret: SecretStr | None = None
    #: Notices: tries per notice before it is marked failed, and the first retry's delay
    #: (doubling each time).
    webhook_max_attempts: int = Field(default=8, ge=1, le=100)
    webhook_backoff_s: float = Field(default=2.0, ge=0, le=3600)
    #: Notices: seconds to wait for the receiver's answer.
    webhook_timeout_s: float = Field(default=5.0, gt=0, le=60)

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
