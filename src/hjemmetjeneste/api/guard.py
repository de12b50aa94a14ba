"""The API's outer guard (plain ASGI): rate limits, authentication and body limits before any
work, and security headers on every answer.

In order, for every HTTP request:

1. the client IP's token bucket (429 when empty);
2. for ``/v1/…`` (but the calendar feeds, whose secret is in the path, and the demo sign-in) and
   ``/openapi.json``: the bearer token is verified (401) and its own bucket checked (429) —
   before a byte of the body is read; an upload by a role that may not upload is refused
   (403) before its body too;
3. the body is limited per route while it streams (``Content-Length`` over the limit: 413
   at once; a body that grows past it: 413 when it does); GET, HEAD and OPTIONS bodies are
   never read by any route, so they are not counted;
4. every response gets security headers: ``/v1/…`` and ``/openapi.json`` (personal data,
   never a page) ``Content-Security-Policy: default-src 'none'`` and ``Cache-Control:
   no-store``; everything else (a planner UI) a policy for same-origin scripts and styles
   with map tiles from the configured origin.

The principal it verified is left in the scope (:data:`PRINCIPAL_KEY`) for the routes'
dependencies, so a token is verified once per request. Paths outside ``/v1/`` (a static
planner UI mounted at ``/``) pass through unauthenticated but rate-limited and with the
same headers.
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hjemmetjeneste.api.auth import AuthError, Role
from hjemmetjeneste.settings import Settings

__all__ = ["PRINCIPAL_KEY", "ApiGuard", "BodyTooLarge", "RateLimiter"]

#: Where the guard leaves the verified :class:`~hjemmetjeneste.api.auth.Principal` in the scope.
PRINCIPAL_KEY = "hjemmetjeneste.principal"

UPLOAD_PATH = "/v1/imports"
#: The demo sign-in (answers 404 unless ``serve --demo``; it carries no data).
DEMO_PATHS = frozenset({"/v1/demo", "/v1/demo/token"})
#: Roles that may send an upload's body at all.
_UPLOADERS = frozenset({Role.PLANNER})
#: Methods whose bodies no route reads (so they need no counting).
_BODILESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BodyTooLarge(HTTPException):
    """The request body grew past its route's limit while it streamed."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


class RateLimiter:
    """Token buckets by key: ``rate`` requests a second sustained, ``burst`` at once.

    In-process and lock-free (the event loop runs one request at a time): no shared store
    to reach on the hot path, at the price that each server process counts on its own, so
    ``--workers N`` allows N times the rate. Keys are forgotten when the table is full.
    """

    def __init__(self, rate: float, burst: float, max_keys: int = 100_000) -> None:
        self.rate = rate
        self.burst = burst
        self._max = max_keys
        self._buckets: dict[str, list[float]] = {}

    def wait_s(self, key: str) -> float:
        """Take one token for ``key``: 0 when allowed, else seconds until one is back."""
        now = time.monotonic()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._max:
                self._buckets.clear()
            self._buckets[key] = [self.burst - 1.0, now]
            return 0.0
        tokens = min(self.burst, bucket[0] + (now - bucket[1]) * self.rate)
        bucket[1] = now
        if tokens >= 1.0:
            bucket[0] = tokens - 1.0
            return 0.0
        bucket[0] = tokens
        return (1.0 - tokens) / self.rate


def _problem(
    status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None
) -> list[Message]:
    body = json.dumps({"detail": detail, "issues": []}).encode()
    return [
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or ()),
            ],
        },
        {"type": "http.response.body", "body": body},
    ]


def security_headers(tile_origin: str | None) -> list[tuple[bytes, bytes]]:
    """The headers of every page outside the API (a planner UI at ``/``): same-origin
    scripts and styles, images also from ``tile_origin`` (map tiles)."""
    tiles = f" {tile_origin.rstrip('/')}" if tile_origin else ""
    policy = (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' data:{tiles}; connect-src 'self'{tiles}; font-src 'self'; "
        "object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
    return [
        (b"content-security-policy", policy.encode()),
        *_COMMON_HEADERS,
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]


#: Headers of every answer.
_COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
#: Headers of API answers (JSON, calendars: personal data, never rendered as a page). The
#: strictest policy and short: these are the hot path's bytes.
API_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    *_COMMON_HEADERS,
    (b"cache-control", b"no-store"),
]


class ApiGuard:
    """ASGI middleware: see the module's docstring."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self._headers = security_headers(settings.tile_origin)
        self._by_ip = RateLimiter(settings.api_rate_per_ip, settings.api_burst_per_ip)
        self._by_token = RateLimiter(settings.api_rate_per_token, settings.api_burst_per_token)
        self._max_body = settings.api_max_body_bytes
        self._max_upload = settings.api_max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check, limit and decorate one request; see the module's docstring."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        private = path.startswith("/v1/") or path == "/openapi.json"
        extra = API_HEADERS if private else self._headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                if private:
                    headers = [h for h in headers if h[0].lower() != b"cache-control"]
                message["headers"] = [*headers, *extra]
            await send(message)

        refusal = await self._refusal(scope, path, private)
        if refusal is not None:
            for message in refusal:
                await send_with_headers(message)
            return
        if scope["method"] in _BODILESS_METHODS:  # no route reads a body of these
            await self.app(scope, receive, send_with_headers)
            return
        limit = self._max_upload if path == UPLOAD_PATH else self._max_body
        length = _content_length(scope)
        if length is not None and length > limit:
            for message in _problem(413, str(BodyTooLarge(limit).detail)):
                await send_with_headers(message)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_with_headers(message)

        try:
            await self.app(scope, _limited(receive, limit), tracking_send)
        except BodyTooLarge as exc:
            if started:
                raise
            for message in _problem(413, str(exc.detail)):
                await send_with_headers(message)

    async def _refusal(self, scope: Scope, path: str, private: bool) -> list[Message] | None:
        client = scope.get("client")
        wait = self._by_ip.wait_s(client[0] if client else "")
        if wait:
            return _too_many(wait)
        if not private or path.startswith("/v1/calendar/") or path in DEMO_PATHS:
            return None
        token = _bearer(scope)
        if token is None:
            return _problem(401, "a bearer token is required", [(b"www-authenticate", b"Bearer")])
        verifier: Any = scope["app"].state.api.verifier
        try:
            principal = verifier.cached(token) or await verifier.verify_async(token)
        except AuthError:
            return _problem(
                401,
                "the bearer token is not valid",
                [(b"www-authenticate", b'Bearer error="invalid_token"')],
            )
        wait = self._by_token.wait_s(token)
        if wait:
            return _too_many(wait)
        if path == UPLOAD_PATH and principal.role not in _UPLOADERS:
            return _problem(403, "this role may not do that")
        scope[PRINCIPAL_KEY] = principal
        return None


def _too_many(wait_s: float) -> list[Message]:
    retry = str(max(1, math.ceil(wait_s))).encode()
    return _problem(429, "too many requests; try again shortly", [(b"retry-after", retry)])


def _bearer(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            credentials = credentials.strip()
            if scheme.lower() != "bearer" or not credentials:
                return None
            return credentials
    return None


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _limited(receive: Receive, limit: int) -> Receive:
    received = 0

    async def limited_receive() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
        return message

    return limited_receive
