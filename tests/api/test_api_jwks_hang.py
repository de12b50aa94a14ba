"""A key server that hangs must not hang the API: /health and tokens with cached keys keep
answering within 100 ms while a token with an unknown key id waits (bounded) for it."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import jwt
from api_test_helpers import OWN
from cryptography.hazmat.primitives.asymmetric import rsa

from hjemmetjeneste.api import create_app
from hjemmetjeneste.settings import Settings

ISSUER = "https://helseid.example.test"


def _listen() -> socket.socket:
    """A listening socket on 127.0.0.1, on a port of this branch's test range."""
    for port in range(18200, 18300):
        sock = socket.socket()
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            sock.close()
            continue
        sock.listen(64)
        return sock
    raise RuntimeError("no free port in 18200-18299")


@contextmanager
def _stub_key_server(document: dict | None) -> Iterator[tuple[str, list[int]]]:
    """A JWKS endpoint that answers its first request with ``document`` (never, when None)
    and then accepts connections but never answers again. Yields its URL and a counter of
    connections."""
    body = json.dumps(document or {}).encode()
    server = _listen()
    connections: list[int] = []
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connections.append(1)
            if document is not None and len(connections) == 1:
                conn.recv(65536)
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                    + body
                )
                conn.close()
            else:
                held.append(conn)  # read nothing, answer nothing

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/jwks.json", connections
    finally:
        stop.set()
        thread.join(2)
        for conn in held:
            conn.close()
        server.close()


def _token(key: rsa.RSAPrivateKey, kid: str, person: str) -> dict[str, str]:
    now = int(time.time())
    claims = {
        "sub": person,
        "role": "planner",
        "municipality": OWN,
        "aud": "hjemmetjeneste",
        "iss": ISSUER,
        "iat": now,
        "exp": now + 300,
    }
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})
    return {"Authorization": f"Bearer {token}"}


def _app(settings: Settings, jwks_url: str, **options: float):
    """The app over the test's store, taking RS256 tokens from the key server at ``jwks_url``."""
    return create_app(
        Settings(
            database_url=settings.database_url, jwt_jwks_url=jwks_url, jwt_issuer=ISSUER, **options
        )
    )


async def _timed(client: httpx.AsyncClient, path: str, headers: dict | None = None):
    started = time.perf_counter()
    response = await client.get(path, headers=headers)
    return response, time.perf_counter() - started


def test_a_hanging_key_server_delays_only_tokens_with_unknown_keys(settings):
    """The keys are fetched once (at start), then the key server hangs: while a token with an
    unknown key id waits for it, /health and new tokens signed with the known key answer
    within 100 ms; the unknown one gets 401 after the fetch timeout, and a second unknown
    key id within the refresh interval makes no new fetch."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    document = {"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}
    with _stub_key_server(document) as (url, connections):
        app = _app(settings, url, api_jwks_timeout_s=1.0, api_jwks_min_refresh_s=2.0)

        async def scenario() -> None:
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://api") as c:
                    deadline = time.monotonic() + 5
                    while app.state.api.verifier.jwks.get("k1") is None:  # the start's fetch
                        assert time.monotonic() < deadline
                        await asyncio.sleep(0.02)
                    await asyncio.sleep(2.1)  # past the refresh interval: one fetch allowed
                    unknown = asyncio.create_task(
                        c.get("/v1/me", headers=_token(key, "k-new", "planner-x"))
                    )
                    await asyncio.sleep(0.1)  # it is now waiting for the hanging server
                    assert not unknown.done()
                    health, health_s = await _timed(c, "/health")
                    known, known_s = await _timed(c, "/v1/me", _token(key, "k1", "planner-fresh"))
                    assert health.status_code == 200 and health_s < 0.1
                    assert known.status_code == 200 and known_s < 0.1
                    assert (await unknown).status_code == 401
                    fetches = len(connections)
                    # at most waits for the fetch still under way, never starts another
                    again = await c.get("/v1/me", headers=_token(key, "k-other", "planner-y"))
                    assert again.status_code == 401
                    assert len(connections) == fetches  # bounded refresh rate

        asyncio.run(scenario())


def test_a_key_server_that_never_answers_does_not_hold_up_the_start(settings):
    """With a key server that never answers, the app starts and /health answers within
    100 ms while the first fetch hangs, and again while a token waits for the key server;
    that token gets 401 after the timeout."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with _stub_key_server(None) as (url, _):
        app = _app(settings, url, api_jwks_timeout_s=0.5)

        async def scenario() -> None:
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://api") as c:
                    health, health_s = await _timed(c, "/health")
                    assert health.status_code == 200 and health_s < 0.1
                    pending = asyncio.create_task(c.get("/v1/me", headers=_token(key, "k1", "p")))
                    await asyncio.sleep(0.05)  # it waits for the key server now
                    health, health_s = await _timed(c, "/health")
                    assert health.status_code == 200 and health_s < 0.1
                    assert not pending.done()
                    assert (await pending).status_code == 401

        asyncio.run(scenario())
