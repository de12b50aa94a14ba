"""Secure by default: the settings a server may start with, checked before it listens.

A server refuses to start when anyone could mint its tokens (the public demo secret, outside
``serve --demo`` on a loopback host), when its secret is short enough to guess, or when a
JWKS is configured without the issuer and audience that make its tokens ours.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from hjemmetjeneste.errors import HjemmetjenesteError
from hjemmetjeneste.settings import DEMO_JWT_SECRET, Settings

__all__ = ["MIN_SECRET_BYTES", "InsecureSettingsError", "check_settings", "is_loopback"]

#: The shortest HS256 secret accepted (RFC 7518 §3.2: at least the hash size, 256 bits).
MIN_SECRET_BYTES = 32

_TOKEN_SETTINGS = (
    "HJEMMETJENESTE_JWT_JWKS_URL (with HJEMMETJENESTE_JWT_ISSUER and HJEMMETJENESTE_JWT_AUDIENCE)"
    " or HJEMMETJENESTE_JWT_SECRET (at least 32 bytes)"
)


class InsecureSettingsError(HjemmetjenesteError):
    """The server's settings would let it serve health data unsafely; names the settings."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("refusing to start: " + "; ".join(problems))


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine (127.0.0.0/8, ::1, localhost)."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _origin_problem(name: str, value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{name} must be an http(s) URL, found {value!r}"
    return None


def check_settings(
    settings: Settings, host: str | None = None, *, demo_needs_flag: bool = True
) -> None:
    """Raise :class:`InsecureSettingsError` naming every unsafe setting.

    ``host`` is the address the server listens on when known (``serve``); the demo secret is
    accepted only with ``settings.api_demo`` (``serve --demo``) and a loopback host.
    ``demo_needs_flag=False`` (an app built in-process, as tests do) skips the flag.
    """
    problems: list[str] = []
    if settings.jwt_jwks_url:
        problem = _origin_problem("HJEMMETJENESTE_JWT_JWKS_URL", settings.jwt_jwks_url)
        if problem:
            problems.append(problem)
        else:
            parts = urlsplit(settings.jwt_jwks_url)
            if parts.scheme != "https" and not is_loopback(parts.hostname or ""):
                problems.append("HJEMMETJENESTE_JWT_JWKS_URL must use https")
        if not settings.jwt_issuer or settings.jwt_issuer == "hjemmetjeneste-demo":
            problems.append(
                "HJEMMETJENESTE_JWT_ISSUER must name the token issuer when "
                "HJEMMETJENESTE_JWT_JWKS_URL is set"
            )
        if not settings.jwt_audience.strip():
            problems.append("HJEMMETJENESTE_JWT_AUDIENCE must not be empty")
    else:
        secret = settings.jwt_secret.get_secret_value()
        if secret == DEMO_JWT_SECRET:
            if demo_needs_flag and not settings.api_demo:
                problems.append(
                    "no token key is configured and the public demo secret lets anyone mint "
                    f"tokens: set {_TOKEN_SETTINGS}, or use `serve --demo` on 127.0.0.1 for "
                    "the synthetic demo"
                )
            elif host is not None and not is_loopback(host):
                problems.append(
                    f"--demo serves on a loopback host only (127.0.0.1, ::1), not {host!r}; "
                    f"set {_TOKEN_SETTINGS} to listen on {host}"
                )
        elif len(secret.encode()) < MIN_SECRET_BYTES:
            problems.append(
                f"HJEMMETJENESTE_JWT_SECRET is {len(secret.encode())} bytes; at least "
                f"{MIN_SECRET_BYTES} random bytes are required"
            )
    if settings.api_tile_origin:
        problem = _origin_problem("HJEMMETJENESTE_API_TILE_ORIGIN", settings.api_tile_origin)
        if problem:
            problems.append(problem)
    if problems:
        raise InsecureSettingsError(problems)
