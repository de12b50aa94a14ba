"""The notice outbox's webhook: signed, ids only, retried with backoff until delivered or
out of attempts; tested against a local receiver on 127.0.0.1 that fails five times."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hjemmetjeneste.api.webhooks import SIGNATURE_HEADER, deliver_due, sign, verify
from hjemmetjeneste.settings import Settings
from hjemmetjeneste.store import events as store_events
from hjemmetjeneste.store import open_store

SECRET = b"a-webhook-secret-for-the-tests-only-32b"
PORT = 18151  # helper 1's range, 127.0.0.1 only


class Receiver(ThreadingHTTPServer):
    """Answers 503 to the first ``failures`` requests, then 204; keeps what it got."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.got: list[tuple[bytes, str]] = []
        self.accepted = 0
        super().__init__(("127.0.0.1", PORT), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.got.append((body, self.headers[SIGNATURE_HEADER]))
        if len(self.server.got) <= self.server.failures:
            self.send_response(503)
        else:
            self.server.accepted += 1
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def receiver(request: pytest.FixtureRequest) -> Iterator[Receiver]:
    server = Receiver(getattr(request, "param", 5))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def engine(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'outbox.db'}")
    store_events.add_notices(
        store.engine,
        [
            {
                "municipality_id": "5001",
                "patient_id": "P0001",
                "kind": "visit_cancelled",
                "visit_date": date(2026, 12, 1),
                "visit_id": "V1",
                "event_id": "ev-1",
            }
        ],
    )
    yield store.engine
    store.close()


URL = f"http://127.0.0.1:{PORT}/notices"


def test_delivery_survives_five_failures(receiver, engine):
    """Five 503s, then accepted: delivered once, six attempts recorded, signature valid."""
    for _ in range(10):
        deliver_due(engine, URL, SECRET, max_attempts=8, backoff_s=0.0)
    assert receiver.accepted == 1 and len(receiver.got) == 6
    (row,) = store_events.list_outbox(engine)
    assert row.status == "delivered" and row.attempts == 6 and row.delivered_at is not None
    body, header = receiver.got[-1]
    assert verify(SECRET, header, body)
    assert not verify(b"another-secret", header, body)
    assert not verify(SECRET, header, body + b" ")
    payload = json.loads(body)
    assert set(payload) == {
        "notice_id", "municipality_id", "patient_id", "kind", "visit_date", "event_id",
        "created_at",
    }  # fmt: skip
    assert all(b == receiver.got[0][0] for b, _ in receiver.got)  # the same notice each time


@pytest.mark.parametrize("receiver", [100], indirect=True)
def test_delivery_gives_up_after_max_attempts(receiver, engine):
    """A receiver that never accepts: failed after the last attempt, nothing more sent."""
    for _ in range(6):
        deliver_due(engine, URL, SECRET, max_attempts=3, backoff_s=0.0)
    (row,) = store_events.list_outbox(engine)
    assert row.status == "failed" and row.attempts == 3 and row.last_error == "HTTP 503"
    assert len(receiver.got) == 3


def test_backoff_waits_before_the_next_attempt(receiver, engine):
    """After a failure the row is not due again until the backoff has passed."""
    deliver_due(engine, URL, SECRET, max_attempts=8, backoff_s=60.0)
    deliver_due(engine, URL, SECRET, max_attempts=8, backoff_s=60.0)
    (row,) = store_events.list_outbox(engine)
    assert row.status == "pending" and row.attempts == 1 and len(receiver.got) == 1


def test_signature_is_hmac_over_timestamp_and_body():
    """The header is t=<seconds>,v1=<HMAC-SHA256 of "<t>." + body>."""
    import hashlib
    import hmac

    header = sign(SECRET, 1_700_000_000, b"{}")
    expected = hmac.new(SECRET, b"1700000000.{}", hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert not verify(SECRET, header, b"{}")  # far too old


def test_settings_default_to_no_webhook():
    """Without a URL nothing is sent (notices stay in the outbox)."""
    settings = Settings()
    assert settings.webhook_url is None and settings.webhook_secret is None
