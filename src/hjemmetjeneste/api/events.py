"""Structured logs: one JSON line per state change, with ids only; scrubbed access logs.

Every import, plan run (queued, started, ended), cancel, pin, publication, calendar-feed
change and specialist read is logged as ``{"ts", "event", ...ids}`` on the logger
``hjemmetjeneste.events``. Values are ids, counts and statuses: never names, addresses,
notes or national ids. uvicorn's access log gets a filter that blanks national-id-like
numbers (11 digits) and calendar-feed tokens from the request line.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

__all__ = ["EVENTS_LOGGER", "configure_logging", "log_event", "scrub"]

EVENTS_LOGGER = "hjemmetjeneste.events"
_events = logging.getLogger(EVENTS_LOGGER)

#: An 11-digit number standing alone: a fødselsnummer or D-number would look like this.
_NATIONAL_ID = re.compile(r"(?<!\d)\d{11}(?!\d)")
#: A calendar feed's secret in its URL.
_FEED_TOKEN = re.compile(r"(/v1/calendar/)[^/?#\s\"]+")


def log_event(event: str, **ids: str | int | float | bool | None) -> None:
    """Log one state change as a JSON line: the event's name and the ids given."""
    if _events.isEnabledFor(logging.INFO):
        record = {"ts": datetime.now(UTC).isoformat(timespec="milliseconds"), "event": event}
        record.update(ids)
        _events.info(json.dumps(record, separators=(",", ":"), ensure_ascii=False))


def scrub(text: str) -> str:
    """``text`` with national-id-like numbers and calendar-feed tokens blanked."""
    return _FEED_TOKEN.sub(r"\1***", _NATIONAL_ID.sub("***********", text))


class _ScrubAccessLog(logging.Filter):
    """Blanks national ids and feed tokens in uvicorn's access-log arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(scrub(a) if isinstance(a, str) else a for a in record.args)
        return True


def configure_logging() -> None:
    """Send the events logger's JSON lines to stderr (once) and scrub uvicorn's access log."""
    if not any(isinstance(f, _ScrubAccessLog) for f in logging.getLogger("uvicorn.access").filters):
        logging.getLogger("uvicorn.access").addFilter(_ScrubAccessLog())
    if _events.level == logging.NOTSET:
        _events.setLevel(logging.INFO)
    if not _events.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        _events.addHandler(handler)
