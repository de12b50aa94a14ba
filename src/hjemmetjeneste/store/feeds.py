"""Calendar feeds: a nurse's secret subscription URL, stored as a hash, revocable and rotatable.

A feed token is 32 random bytes (URL-safe base64) shown once when the feed is made; the
store keeps only its SHA-256, so a copy of the database cannot subscribe to anyone's
calendar. Making a new feed revokes the nurse's previous one (rotation); revoking leaves
none. A fast hash suffices: the token is random, not a password.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import DateTime, Engine, Integer, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from hjemmetjeneste.store.engine import writing
from hjemmetjeneste.store.models import TableBase

__all__ = ["CalendarFeedRow", "FeedOwner", "create_feed", "feed_owner", "revoke_feeds"]


class CalendarFeedRow(TableBase):
    """One calendar feed of a nurse; ``revoked_at`` set once it no longer answers."""

    __tablename__ = "api_calendar_feed"

    feed_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    municipality_id: Mapped[str] = mapped_column(String(64), index=True)
    staff_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


@dataclass(frozen=True)
class FeedOwner:
    """Whose calendar a feed token opens."""

    feed_id: int
    municipality_id: str
    staff_id: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _revoke(session: Session, municipality_id: str, staff_id: str, now: datetime) -> int:
    done = session.execute(
        update(CalendarFeedRow)
        .where(
            CalendarFeedRow.municipality_id == municipality_id,
            CalendarFeedRow.staff_id == staff_id,
            CalendarFeedRow.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return int(done.rowcount)  # type: ignore[attr-defined]


def create_feed(engine: Engine, municipality_id: str, staff_id: str) -> tuple[int, str]:
    """A new feed for the nurse (revoking her earlier ones): its id and its secret token."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with Session(writing(engine)) as session, session.begin():
        _revoke(session, municipality_id, staff_id, now)
        row = CalendarFeedRow(
            token_sha256=_digest(token),
            municipality_id=municipality_id,
            staff_id=staff_id,
            created_at=now,
        )
        session.add(row)
        session.flush()
        return row.feed_id, token


def revoke_feeds(engine: Engine, municipality_id: str, staff_id: str) -> int:
    """Revoke every live feed of the nurse; how many there were."""
    with Session(writing(engine)) as session, session.begin():
        return _revoke(session, municipality_id, staff_id, datetime.now(UTC))


def feed_owner(engine: Engine, token: str) -> FeedOwner | None:
    """The nurse whose live feed ``token`` opens, or None (unknown or revoked)."""
    with engine.connect() as connection:
        row = connection.execute(
            select(
                CalendarFeedRow.feed_id, CalendarFeedRow.municipality_id, CalendarFeedRow.staff_id
            ).where(
                CalendarFeedRow.token_sha256 == _digest(token),
                CalendarFeedRow.revoked_at.is_(None),
            )
        ).first()
    return None if row is None else FeedOwner(row[0], row[1], row[2])
