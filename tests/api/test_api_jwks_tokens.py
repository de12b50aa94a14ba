"""RS256 tokens checked against a configured JWKS, as HelseID issues them."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from api_test_helpers import OWN
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from hjemmetjeneste.api import create_app
from hjemmetjeneste.settings import Settings


@contextmanager
def _jwks_server(document: dict) -> Iterator[str]:
    """A JWKS endpoint on 127.0.0.1 (the provider's keys), for the test's duration."""
    body = json.dumps(document).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    finally:
        server.shutdown()
        server.server_close()


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _token(key: rsa.RSAPrivateKey, kid: str, **overrides) -> str:
    now = int(time.time())
    claims = {
        "sub": "planner-1",
        "role": "planner",
        "municipality": OWN,
        "aud": "hjemmetjeneste",
        "iss": "https://helseid.example.test",
        "iat": now,
        "exp": now + 300,
    } | overrides
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def test_rs256_tokens_from_the_jwks_are_accepted_and_others_refused(settings):
    """A token signed by the JWKS's key passes; one signed by another key, an HS256 token
    made with the demo secret, or one from another issuer is refused with 401."""
    key, stranger = _key(), _key()
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    document = {"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}
    demo = jwt.encode(
        {
            "sub": "planner-1",
            "role": "planner",
            "municipality": OWN,
            "aud": "hjemmetjeneste",
            "iss": "https://helseid.example.test",
            "exp": int(time.time()) + 300,
        },
        settings.jwt_secret.get_secret_value(),
        algorithm="HS256",
        headers={"kid": "k1"},
    )
    with _jwks_server(document) as url:
        config = Settings(
            database_url=settings.database_url,
            jwt_jwks_url=url,
            jwt_issuer="https://helseid.example.test",
        )
        with TestClient(create_app(config)) as client:
            _check(client, key, stranger, demo)


def _check(client: TestClient, key, stranger, demo: str) -> None:
    def status(token: str) -> int:
        return client.get("/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code

    assert status(_token(key, "k1")) == 200
    assert status(_token(stranger, "k1")) == 401
    assert status(demo) == 401
    assert status(_token(key, "k1", iss="https://elsewhere.test")) == 401
