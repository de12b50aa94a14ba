"""Actual times of visits: when a nurse started and finished each visit of a published shift.

One row per (municipality, district, date, shift, visit, nurse): a double-staffed visit has
one row per nurse. Recording is idempotent: the first time recorded for "started" (and for
"done") is kept, and a repeat — a phone retrying after a lost answer, a double tap — changes
nothing and gets the stored time back. A started or done visit is frozen for a re-plan
(:func:`started_visit_ids`).

Rows hold ids and times only (visit, nurse, patient ids), never names or notes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from sqlalchemy import (
    Date,
    DateTime,
    Engine,
    Integer,
    String,
    UniqueConstraint,
    or_,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from hjemmetjeneste.errors import HjemmetjenesteError
from hjemmetjeneste.store.engine import writing
from hjemmetjeneste.store.models import TableBase
from hjemmetjeneste.store.runs import _aware

__all__ = [
    "ActualKind",
    "ActualTimeError",
    "VisitActual",
    "VisitActualRow",
    "VisitKey",
    "list_actuals",
    "record_actual",
    "started_visit_ids",
]

ActualKind = Literal["started", "done"]


class VisitActualRow(TableBase):
    """When one nurse started and finished one visit (null until recorded)."""

    __tablename__ = "visit_actual"
    __table_args__ = (
        UniqueConstraint(
            "municipality_id",
            "district_id",
            "plan_date",
            "shift",
            "visit_id",
            "staff_id",
            name="uq_visit_actual_key",
        ),
    )

    actual_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_id: Mapped[str] = mapped_column(String(64), index=True)
    district_id: Mapped[str] = mapped_column(String(128))
    plan_date: Mapped[date] = mapped_column(Date)
    shift: Mapped[str] = mapped_column(String(16))
    visit_id: Mapped[str] = mapped_column(String(256))
    staff_id: Mapped[str] = mapped_column(String(128))
    patient_id: Mapped[str] = mapped_column(String(128))
    #: The published version the nurse's worklist had when she first recorded a time.
    version: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ActualTimeError(HjemmetjenesteError):
    """A time that contradicts the one stored: done before started, or started after done."""


@dataclass(frozen=True)
class VisitKey:
    """Which nurse's visit of which published shift."""

    municipality_id: str
    district_id: str
    plan_date: date
    shift: str
    visit_id: str
    staff_id: str


@dataclass(frozen=True)
class VisitActual:
    """The times stored for one nurse's visit; ``changed``: whether this call stored one."""

    key: VisitKey
    patient_id: str
    version: int
    started_at: datetime | None
    done_at: datetime | None
    changed: bool = False


def _key_filter(key: VisitKey) -> tuple[object, ...]:
    row = VisitActualRow
    return (
        row.municipality_id == key.municipality_id,
        row.district_id == key.district_id,
        row.plan_date == key.plan_date,
        row.shift == key.shift,
        row.visit_id == key.visit_id,
        row.staff_id == key.staff_id,
    )


def _actual(row: VisitActualRow, key: VisitKey, changed: bool) -> VisitActual:
    return VisitActual(
        key=key,
        patient_id=row.patient_id,
        version=row.version,
        started_at=_aware(row.started_at),
        done_at=_aware(row.done_at),
        changed=changed,
    )


def _check(kind: ActualKind, at: datetime, started: datetime | None, done: datetime | None) -> None:
    if kind == "done" and started is not None and at < started:
        raise ActualTimeError(
            f"done at {at.isoformat()} is before the visit was started ({started.isoformat()})"
        )
    if kind == "started" and done is not None and at > done:
        raise ActualTimeError(
            f"started at {at.isoformat()} is after the visit was done ({done.isoformat()})"
        )


def record_actual(
    engine: Engine,
    key: VisitKey,
    kind: ActualKind,
    at: datetime,
    *,
    patient_id: str,
    version: int,
) -> VisitActual:
    """Record that the nurse of ``key`` started (or finished) the visit at ``at``.

    Idempotent: if that time is already recorded, nothing changes and the stored one is
    returned (``changed`` False). :class:`ActualTimeError` if ``at`` contradicts the other
    time stored (done before started). ``at`` must be timezone-aware.
    """
    if at.tzinfo is None:
        raise ValueError("an actual time must be timezone-aware")
    at = at.astimezone(UTC)
    for attempt in range(2):
        try:
            with Session(writing(engine)) as session, session.begin():
                row = session.scalars(select(VisitActualRow).where(*_key_filter(key))).first()
                if row is None:
                    row = VisitActualRow(
                        municipality_id=key.municipality_id,
                        district_id=key.district_id,
                        plan_date=key.plan_date,
                        shift=key.shift,
                        visit_id=key.visit_id,
                        staff_id=key.staff_id,
                        patient_id=patient_id,
                        version=version,
                        started_at=at if kind == "started" else None,
                        done_at=at if kind == "done" else None,
                        recorded_at=datetime.now(UTC),
                    )
                    session.add(row)
                    session.flush()
                    return _actual(row, key, True)
                started, done = _aware(row.started_at), _aware(row.done_at)
                if (started if kind == "started" else done) is not None:
                    return _actual(row, key, False)
                _check(kind, at, started, done)
                if kind == "started":
                    row.started_at = at
                else:
                    row.done_at = at
                session.flush()
                return _actual(row, key, True)
        except IntegrityError:  # another request inserted the row first: read it and go on
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def list_actuals(
    engine: Engine, municipality_id: str, district_id: str, plan_date: date, shift: str
) -> list[VisitActual]:
    """Every actual time recorded for one shift of one district."""
    row = VisitActualRow
    query = (
        select(row)
        .where(
            row.municipality_id == municipality_id,
            row.district_id == district_id,
            row.plan_date == plan_date,
            row.shift == shift,
        )
        .order_by(row.actual_id)
    )
    with Session(engine) as session:
        return [
            _actual(
                r,
                VisitKey(
                    municipality_id=r.municipality_id,
                    district_id=r.district_id,
                    plan_date=r.plan_date,
                    shift=r.shift,
                    visit_id=r.visit_id,
                    staff_id=r.staff_id,
                ),
                False,
            )
            for r in session.scalars(query)
        ]


def started_visit_ids(
    session: Session,
    district_id: str,
    day: date,
    shift: str,
    *,
    municipality_id: str,
) -> frozenset[str]:
    """The visits of one shift that a nurse has started or finished: a re-plan freezes them.

    (``municipality_id`` is required: district ids are only unique within a municipality.)
    """
    row = VisitActualRow
    query = select(row.visit_id).where(
        row.municipality_id == municipality_id,
        row.district_id == district_id,
        row.plan_date == day,
        row.shift == shift,
        or_(row.started_at.is_not(None), row.done_at.is_not(None)),
    )
    found: Iterable[str] = session.scalars(query)
    return frozenset(found)
