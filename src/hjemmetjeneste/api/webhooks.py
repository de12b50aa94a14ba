"""The notice outbox's delivery: POST each notice (ids only) to the municipality's messaging
service, signed, with retries and exponential backoff.

The body is the outbox row's JSON (notice id, municipality, patient id, kind, date, event
id); never a name or a text. The header ``X-Hjemmetjeneste-Signature: t=<unix seconds>,
v1=<hex>`` carries HMAC-SHA256 over ``"<t>." + body`` with the configured secret, so the
receiver can check origin and freshness (:func:`verify`). A 2xx answer marks the row
delivered; anything else (another status, a refused connection, a time-out) counts an
attempt and schedules the next after ``backoff_s · 2^(attempts-1)``; after ``max_attempts``
the row is failed. ``deliver_due`` is one pass; the API runs it in the background and the
CLI's ``deliver-notices`` once.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import Engine

from hjemmetjeneste.api.events import log_event
from hjemmetjeneste.store import events as store_events

__all__ = ["SIGNATURE_HEADER", "Delivered", "deliver_due", "sign", "verify"]

SIGNATURE_HEADER = "X-Hjemmetjeneste-Signature"


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: bytes, header: str, body: bytes, max_age_s: int = 300) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` and is at most ``max_age_s`` old."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs(time.time() - timestamp) > max_age_s:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


@dataclass(frozen=True)
class Delivered:
    """What one pass did."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def deliver_due(
    engine: Engine,
    url: str,
    secret: bytes,
    *,
    max_attempts: int = 8,
    backoff_s: float = 2.0,
    timeout_s: float = 5.0,
    client: httpx.Client | None = None,
) -> Delivered:
    """Try every pending delivery that is due once; see the module docstring."""
    own = client is None
    http = client or httpx.Client(timeout=timeout_s)
    counts = {"delivered": 0, "retrying": 0, "failed": 0}
    try:
        for row in store_events.due_outbox(engine):
            body = row.payload_json.encode()
            headers = {
                "Content-Type": "application/json",
                SIGNATURE_HEADER: sign(secret, int(time.time()), body),
            }
            error: str | None = None
            try:
                answer = http.post(url, content=body, headers=headers)
                if not 200 <= answer.status_code < 300:
                    error = f"HTTP {answer.status_code}"
            except httpx.HTTPError as exc:
                error = type(exc).__name__
            attempts = row.attempts + 1
            if error is None:
                status = "delivered"
                store_events.mark_outbox(engine, row.outbox_id, status=status, attempts=attempts)
            elif attempts >= max_attempts:
                status = "failed"
                store_events.mark_outbox(
                    engine, row.outbox_id, status=status, attempts=attempts, error=error
                )
            else:
                status = "retrying"
                wait = timedelta(seconds=backoff_s * 2 ** (attempts - 1))
                store_events.mark_outbox(
                    engine,
                    row.outbox_id,
                    status="pending",
                    attempts=attempts,
                    next_attempt_at=datetime.now(UTC) + wait,
                    error=error,
                )
            counts[status] += 1
            log_event(
                "notice.delivery",
                outbox_id=row.outbox_id,
                notice_id=row.notice_id,
                status=status,
                attempts=attempts,
            )
    finally:
        if own:
            http.close()
    return Delivered(**counts)
