"""Events, re-plans, notices, patient messages and the webhook outbox: the store's records of
the day as it happens (issue #16).

An event (sick call, patient absence, admission, discharge, emergency) is one row with its
kind, status (``requested``, ``applying``, ``applied``, ``rejected``, ``failed``) and the
event's JSON (ids, times, intervention fields; no names). Applying an event queues one plan
run per published shift it touches; each is a re-plan row, finished by publishing the new
version. A notice tells a patient that a visit moved or was cancelled; every notice also gets
an outbox row that a delivery worker POSTs to the municipality's messaging service (ids
only) with retries. Nothing here imports FastAPI or OR-Tools; every function takes the
engine it works on.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Date, DateTime, Engine, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from hjemmetjeneste.domain.events import Event
from hjemmetjeneste.store.engine import writing
from hjemmetjeneste.store.models import TableBase
from hjemmetjeneste.store.runs import _aware, _now

__all__ = [
    "EventRecord",
    "EventRow",
    "MessageRecord",
    "NoticeRecord",
    "NoticeRow",
    "OutboxRecord",
    "OutboxRow",
    "PatientMessageRow",
    "ReplanRecord",
    "ReplanRow",
    "add_message",
    "add_notices",
    "applied_events",
    "claim_replan",
    "create_event",
    "create_replan",
    "due_outbox",
    "events_applying",
    "finish_replan",
    "get_event",
    "get_replan",
    "list_events",
    "list_messages",
    "list_notices",
    "list_outbox",
    "mark_outbox",
    "patient_district",
    "replans_for_shift",
    "replans_of_event",
    "set_event_status",
    "set_replan_details",
    "staff_district",
]


class EventRow(TableBase):
    """One event of the day, as sent (JSON of the domain event) and what became of it."""

    __tablename__ = "api_event"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    municipality_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    patient_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    staff_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    event_date: Mapped[date] = mapped_column(Date)
    payload_json: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(128))
    created_role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    result_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class ReplanRow(TableBase):
    """One shift re-planned for an event: the run, the version it started from, the changes."""

    __tablename__ = "api_replan"

    run_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), index=True)
    municipality_id: Mapped[str] = mapped_column(String(64))
    district_id: Mapped[str] = mapped_column(String(128))
    plan_date: Mapped[date] = mapped_column(Date)
    shift: Mapped[str] = mapped_column(String(16))
    base_run_id: Mapped[str] = mapped_column(String(36))
    base_version: Mapped[int] = mapped_column(Integer)
    now: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))
    changes_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    cancelled_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NoticeRow(TableBase):
    """A notice to a patient: a visit cancelled or moved, an absence accepted or rejected."""

    __tablename__ = "api_notice"

    notice_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_id: Mapped[str] = mapped_column(String(64), index=True)
    patient_id: Mapped[str] = mapped_column(String(128), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    visit_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    visit_id: Mapped[str | None] = mapped_column(String(256), nullable=True)
    old_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    old_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    new_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    new_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    event_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PatientMessageRow(TableBase):
    """A patient's message to the home-care office (text shown to planners, never logged)."""

    __tablename__ = "api_patient_message"

    message_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_id: Mapped[str] = mapped_column(String(64), index=True)
    patient_id: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OutboxRow(TableBase):
    """One webhook delivery of a notice: ids-only JSON, attempts, when to try next."""

    __tablename__ = "api_webhook_outbox"

    outbox_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_id: Mapped[str] = mapped_column(String(64), index=True)
    notice_id: Mapped[int] = mapped_column(Integer)
    payload_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


@dataclass(frozen=True)
class EventRecord:
    """A stored event."""

    event_id: str
    municipality_id: str
    kind: str
    status: str
    patient_id: str | None
    staff_id: str | None
    event_date: date
    payload: dict[str, Any]
    created_by: str
    created_role: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    result: dict[str, Any] | None
    error: str | None


def _event(row: EventRow) -> EventRecord:
    return EventRecord(
        event_id=row.event_id,
        municipality_id=row.municipality_id,
        kind=row.kind,
        status=row.status,
        patient_id=row.patient_id,
        staff_id=row.staff_id,
        event_date=row.event_date,
        payload=json.loads(row.payload_json),
        created_by=row.created_by,
        created_role=row.created_role,
        created_at=_aware(row.created_at),  # type: ignore[arg-type]
        decided_by=row.decided_by,
        decided_at=_aware(row.decided_at),
        result=None if row.result_json is None else json.loads(row.result_json),
        error=row.error,
    )


def create_event(
    engine: Engine,
    *,
    municipality_id: str,
    kind: str,
    status: str,
    patient_id: str | None,
    staff_id: str | None,
    event_date: date,
    payload: dict[str, Any],
    created_by: str,
    created_role: str,
) -> EventRecord:
    """Record a new event and return it."""
    row = EventRow(
        event_id=str(uuid.uuid4()),
        municipality_id=municipality_id,
        kind=kind,
        status=status,
        patient_id=patient_id,
        staff_id=staff_id,
        event_date=event_date,
        payload_json=json.dumps(payload, sort_keys=True),
        created_by=created_by,
        created_role=created_role,
        created_at=_now(),
    )
    with Session(writing(engine)) as session, session.begin():
        session.add(row)
        session.flush()
        return _event(row)


def get_event(engine: Engine, municipality_id: str, event_id: str) -> EventRecord | None:
    """The event ``event_id`` of ``municipality_id`` (None for another municipality's)."""
    with Session(engine) as session:
        row = session.get(EventRow, event_id)
        if row is None or row.municipality_id != municipality_id:
            return None
        return _event(row)


def list_events(
    engine: Engine,
    municipality_id: str,
    *,
    status: str | None = None,
    event_date: date | None = None,
    patient_id: str | None = None,
    created_by: str | None = None,
    limit: int = 500,
) -> list[EventRecord]:
    """The municipality's events matching the filters, newest first."""
    given = {
        EventRow.status: status,
        EventRow.event_date: event_date,
        EventRow.patient_id: patient_id,
        EventRow.created_by: created_by,
    }
    query = select(EventRow).where(
        EventRow.municipality_id == municipality_id,
        *(column == value for column, value in given.items() if value is not None),
    )
    query = query.order_by(EventRow.created_at.desc()).limit(limit)
    with Session(engine) as session:
        return [_event(r) for r in session.scalars(query)]


_EVENT: TypeAdapter[Event] = TypeAdapter(Event)


def applied_events(
    engine: Engine, municipality_id: str, also: str | None = None
) -> dict[str, Event]:
    """The municipality's applied events, plus ``also`` when it is applying, as id -> event:
    what every plan of the municipality takes into account (docs/events.md)."""
    records = list_events(engine, municipality_id, status="applied", limit=10_000)
    records += list_events(engine, municipality_id, status="applying", limit=10_000)
    return {
        r.event_id: _EVENT.validate_python(r.payload)
        for r in records
        if r.status == "applied" or r.event_id == also
    }


def events_applying(engine: Engine) -> list[EventRecord]:
    """Every municipality's events still being applied, oldest first."""
    query = select(EventRow).where(EventRow.status == "applying").order_by(EventRow.created_at)
    with Session(engine) as session:
        return [_event(r) for r in session.scalars(query)]


def set_event_status(
    engine: Engine,
    event_id: str,
    status: str,
    *,
    expected: Sequence[str] | None = None,
    decided_by: str | None = None,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> bool:
    """Move an event to ``status`` (only from one of ``expected`` when given); True if it moved."""
    values: dict[str, Any] = {"status": status}
    if decided_by is not None:
        values |= {"decided_by": decided_by, "decided_at": _now()}
    if result is not None:
        values["result_json"] = json.dumps(result, sort_keys=True)
    if error is not None:
        values["error"] = error[:500]
    statement = update(EventRow).where(EventRow.event_id == event_id)
    if expected is not None:
        statement = statement.where(EventRow.status.in_(list(expected)))
    with writing(engine).begin() as connection:
        return connection.execute(statement.values(**values)).rowcount == 1


# -- re-plans -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplanRecord:
    """A stored re-plan of one shift for one event."""

    run_id: str
    event_id: str
    municipality_id: str
    district_id: str
    plan_date: date
    shift: str
    base_run_id: str
    base_version: int
    now: datetime
    status: str
    changes: list[dict[str, Any]] | None
    cancelled: list[dict[str, Any]] | None
    version: int | None


def _replan(row: ReplanRow) -> ReplanRecord:
    return ReplanRecord(
        run_id=row.run_id,
        event_id=row.event_id,
        municipality_id=row.municipality_id,
        district_id=row.district_id,
        plan_date=row.plan_date,
        shift=row.shift,
        base_run_id=row.base_run_id,
        base_version=row.base_version,
        now=_aware(row.now),  # type: ignore[arg-type]
        status=row.status,
        changes=None if row.changes_json is None else json.loads(row.changes_json),
        cancelled=None if row.cancelled_json is None else json.loads(row.cancelled_json),
        version=row.version,
    )


def create_replan(
    engine: Engine,
    *,
    run_id: str,
    event_id: str,
    municipality_id: str,
    district_id: str,
    plan_date: date,
    shift: str,
    base_run_id: str,
    base_version: int,
    now: datetime,
) -> None:
    """Record that run ``run_id`` re-plans a shift for ``event_id`` from ``base_version``."""
    row = ReplanRow(
        run_id=run_id,
        event_id=event_id,
        municipality_id=municipality_id,
        district_id=district_id,
        plan_date=plan_date,
        shift=shift,
        base_run_id=base_run_id,
        base_version=base_version,
        now=now.astimezone(UTC),  # SQLite keeps the wall clock only
        status="queued",
        created_at=_now(),
    )
    with Session(writing(engine)) as session, session.begin():
        session.add(row)


def get_replan(engine: Engine, run_id: str) -> ReplanRecord | None:
    """The re-plan of run ``run_id``, or None."""
    with Session(engine) as session:
        row = session.get(ReplanRow, run_id)
        return None if row is None else _replan(row)


def replans_of_event(engine: Engine, event_id: str) -> list[ReplanRecord]:
    """Every re-plan made for ``event_id``."""
    with Session(engine) as session:
        rows = session.scalars(select(ReplanRow).where(ReplanRow.event_id == event_id))
        return [_replan(r) for r in rows]


def replans_for_shift(
    engine: Engine, municipality_id: str, district_id: str, plan_date: date, shift: str
) -> list[ReplanRecord]:
    """Every re-plan of one shift."""
    query = select(ReplanRow).where(
        ReplanRow.municipality_id == municipality_id,
        ReplanRow.district_id == district_id,
        ReplanRow.plan_date == plan_date,
        ReplanRow.shift == shift,
    )
    with Session(engine) as session:
        return [_replan(r) for r in session.scalars(query)]


def set_replan_details(
    engine: Engine, run_id: str, changes: list[dict[str, Any]], cancelled: list[dict[str, Any]]
) -> None:
    """Store the changes and cancelled tasks a re-plan run computed."""
    with writing(engine).begin() as connection:
        connection.execute(
            update(ReplanRow)
            .where(ReplanRow.run_id == run_id)
            .values(changes_json=json.dumps(changes), cancelled_json=json.dumps(cancelled))
        )


def claim_replan(engine: Engine, run_id: str) -> bool:
    """Take a queued re-plan to publish it (``publishing``); True for exactly one caller."""
    with writing(engine).begin() as connection:
        done = connection.execute(
            update(ReplanRow)
            .where(ReplanRow.run_id == run_id, ReplanRow.status == "queued")
            .values(status="publishing")
        )
        return done.rowcount == 1


def finish_replan(engine: Engine, run_id: str, status: str, version: int | None = None) -> None:
    """Mark a claimed re-plan ``published`` (with its version) or ``failed``."""
    with writing(engine).begin() as connection:
        connection.execute(
            update(ReplanRow)
            .where(ReplanRow.run_id == run_id)
            .values(status=status, version=version)
        )


# -- notices and the outbox -----------------------------------------------------------------


@dataclass(frozen=True)
class NoticeRecord:
    """A stored notice."""

    notice_id: int
    municipality_id: str
    patient_id: str
    kind: str
    visit_date: date | None
    visit_id: str | None
    old_start: datetime | None
    old_end: datetime | None
    new_start: datetime | None
    new_end: datetime | None
    event_id: str | None
    version: int | None
    created_at: datetime


def _notice(row: NoticeRow) -> NoticeRecord:
    return NoticeRecord(
        notice_id=row.notice_id,
        municipality_id=row.municipality_id,
        patient_id=row.patient_id,
        kind=row.kind,
        visit_date=row.visit_date,
        visit_id=row.visit_id,
        old_start=_aware(row.old_start),
        old_end=_aware(row.old_end),
        new_start=_aware(row.new_start),
        new_end=_aware(row.new_end),
        event_id=row.event_id,
        version=row.version,
        created_at=_aware(row.created_at),  # type: ignore[arg-type]
    )


def add_notices(engine: Engine, notices: Sequence[dict[str, Any]]) -> list[NoticeRecord]:
    """Store notices and, in the same transaction, one outbox row each (ids-only payload)."""
    now = _now()
    out: list[NoticeRecord] = []
    with Session(writing(engine)) as session, session.begin():
        for given in notices:
            # In UTC: SQLite keeps a datetime's wall clock and drops its offset.
            fields = {
                k: v.astimezone(UTC) if isinstance(v, datetime) and v.tzinfo else v
                for k, v in given.items()
            }
            row = NoticeRow(**fields, created_at=now)
            session.add(row)
            session.flush()
            payload = {
                "notice_id": row.notice_id,
                "municipality_id": row.municipality_id,
                "patient_id": row.patient_id,
                "kind": row.kind,
                "visit_date": None if row.visit_date is None else row.visit_date.isoformat(),
                "event_id": row.event_id,
                "created_at": now.isoformat(),
            }
            session.add(
                OutboxRow(
                    municipality_id=row.municipality_id,
                    notice_id=row.notice_id,
                    payload_json=json.dumps(payload, sort_keys=True),
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
            out.append(_notice(row))
    return out


def list_notices(
    engine: Engine, municipality_id: str, patient_id: str, limit: int = 100
) -> list[NoticeRecord]:
    """A patient's notices, newest first."""
    query = (
        select(NoticeRow)
        .where(NoticeRow.municipality_id == municipality_id, NoticeRow.patient_id == patient_id)
        .order_by(NoticeRow.notice_id.desc())
        .limit(limit)
    )
    with Session(engine) as session:
        return [_notice(r) for r in session.scalars(query)]


@dataclass(frozen=True)
class OutboxRecord:
    """A stored webhook delivery."""

    outbox_id: int
    municipality_id: str
    notice_id: int
    payload_json: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    delivered_at: datetime | None


def _outbox(row: OutboxRow) -> OutboxRecord:
    return OutboxRecord(
        outbox_id=row.outbox_id,
        municipality_id=row.municipality_id,
        notice_id=row.notice_id,
        payload_json=row.payload_json,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=_aware(row.next_attempt_at),  # type: ignore[arg-type]
        last_error=row.last_error,
        delivered_at=_aware(row.delivered_at),
    )


def due_outbox(engine: Engine, now: datetime | None = None, limit: int = 100) -> list[OutboxRecord]:
    """Pending deliveries whose next attempt is due, oldest first."""
    query = (
        select(OutboxRow)
        .where(OutboxRow.status == "pending", OutboxRow.next_attempt_at <= (now or _now()))
        .order_by(OutboxRow.outbox_id)
        .limit(limit)
    )
    with Session(engine) as session:
        return [_outbox(r) for r in session.scalars(query)]


def list_outbox(engine: Engine, municipality_id: str | None = None) -> list[OutboxRecord]:
    """Every delivery (of one municipality), oldest first."""
    query = select(OutboxRow).order_by(OutboxRow.outbox_id)
    if municipality_id is not None:
        query = query.where(OutboxRow.municipality_id == municipality_id)
    with Session(engine) as session:
        return [_outbox(r) for r in session.scalars(query)]


def mark_outbox(
    engine: Engine,
    outbox_id: int,
    *,
    status: str,
    attempts: int,
    next_attempt_at: datetime | None = None,
    error: str | None = None,
) -> None:
    """Record one attempt: ``delivered``, ``failed`` (no more tries) or still ``pending``."""
    values: dict[str, Any] = {"status": status, "attempts": attempts, "last_error": error}
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    if status == "delivered":
        values["delivered_at"] = _now()
    with writing(engine).begin() as connection:
        connection.execute(
            update(OutboxRow).where(OutboxRow.outbox_id == outbox_id).values(**values)
        )


# -- patient messages -----------------------------------------------------------------------


@dataclass(frozen=True)
class MessageRecord:
    """A stored patient message."""

    message_id: int
    municipality_id: str
    patient_id: str
    text: str
    created_at: datetime


def add_message(engine: Engine, municipality_id: str, patient_id: str, text: str) -> MessageRecord:
    """Store a patient's message to the home-care office."""
    row = PatientMessageRow(
        municipality_id=municipality_id, patient_id=patient_id, text=text, created_at=_now()
    )
    with Session(writing(engine)) as session, session.begin():
        session.add(row)
        session.flush()
        return MessageRecord(row.message_id, municipality_id, patient_id, text, row.created_at)


def list_messages(engine: Engine, municipality_id: str, limit: int = 200) -> list[MessageRecord]:
    """The municipality's patient messages, newest first."""
    query = (
        select(PatientMessageRow)
        .where(PatientMessageRow.municipality_id == municipality_id)
        .order_by(PatientMessageRow.message_id.desc())
        .limit(limit)
    )
    with Session(engine) as session:
        return [
            MessageRecord(
                r.message_id,
                r.municipality_id,
                r.patient_id,
                r.text,
                _aware(r.created_at),  # type: ignore[arg-type]
            )
            for r in session.scalars(query)
        ]


# -- who an event is about ------------------------------------------------------------------


def patient_district(engine: Engine, municipality_id: str, patient_id: str) -> str | None:
    """The district of a current patient of ``municipality_id``, or None (no such patient)."""
    from hjemmetjeneste.store.models import PatientRow

    query = select(PatientRow.district_id).where(
        PatientRow.municipality_id == municipality_id,
        PatientRow.patient_id == patient_id,
        PatientRow.ended_batch_id.is_(None),
    )
    with Session(engine) as session:
        return session.scalars(query).first()


def staff_district(engine: Engine, municipality_id: str, staff_id: str) -> str | None:
    """The district of a current staff member of ``municipality_id``, or None."""
    from hjemmetjeneste.store.models import StaffRow

    query = select(StaffRow.district_id).where(
        StaffRow.municipality_id == municipality_id,
        StaffRow.staff_id == staff_id,
        StaffRow.ended_batch_id.is_(None),
    )
    with Session(engine) as session:
        return session.scalars(query).first()
