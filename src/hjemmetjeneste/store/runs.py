"""Plan runs, pins and publications: the API's records in the store.

A plan run (one solve of one district's shift) is a row with its status, progress,
parameters and, once done, the ``PlanResult`` JSON; it survives a restart. A pin locks a
task to a caregiver and/or a start for later runs of the same shift. A publication is one
version of a shift's plan: versions count 1, 2, … per (municipality, district, date, shift)
and the primary key on that tuple plus the version is the database-level guard that lets
exactly one of two concurrent publishers of the same version win.

Nothing here imports FastAPI or OR-Tools; every function takes the engine it works on.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from hjemmetjeneste.errors import HjemmetjenesteError, Phrase, phrase_record
from hjemmetjeneste.i18n import N_
from hjemmetjeneste.store.engine import writing
from hjemmetjeneste.store.models import DistrictRow, TableBase

__all__ = [
    "ACTIVE_STATUSES",
    "FINAL_STATUSES",
    "PinRecord",
    "PinRow",
    "PlanRunRow",
    "PublicationRecord",
    "PublicationRow",
    "QueuedMunicipality",
    "RunRecord",
    "StaleVersionError",
    "active_district_ids",
    "add_pins",
    "claim_run",
    "create_run",
    "current_publications",
    "delete_pin",
    "finish_run",
    "get_run",
    "get_run_any",
    "list_pins",
    "list_runs",
    "publication_history",
    "publish_run",
    "queued_municipalities",
    "release_owned_runs",
    "request_cancel",
    "run_result_json",
    "set_run_progress",
    "start_run",
    "sweep_interrupted_runs",
]

#: A run waiting for or using a worker.
ACTIVE_STATUSES = ("queued", "running")
#: A run that will not change any more.
FINAL_STATUSES = ("succeeded", "failed", "cancelled", "interrupted")


class PlanRunRow(TableBase):
    """One plan run: a solve of one district's shift, started by a planner."""

    __tablename__ = "api_plan_run"

    run_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    municipality_id: Mapped[str] = mapped_column(String(64), index=True)
    district_id: Mapped[str] = mapped_column(String(128))
    plan_date: Mapped[date] = mapped_column(Date)
    shift: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    progress: Mapped[float] = mapped_column(Float(53))
    best_objective: Mapped[int | None] = mapped_column(Integer, nullable=True)
    params_json: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: The server process running it (its ``RunScheduler``'s id); None while queued.
    owner_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    violations: Mapped[int | None] = mapped_column(Integer, nullable=True)
    kpis_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    result_json: Mapped[str | None] = mapped_column(Text, nullable=True)


class PinRow(TableBase):
    """A planner's pin (fastlåst besøk) of one task for every later run of its shift."""

    __tablename__ = "api_pin"
    __table_args__ = (
        UniqueConstraint(
            "municipality_id",
            "district_id",
            "plan_date",
            "shift",
            "task_id",
            name="uq_api_pin_task",
        ),
    )

    pin_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_id: Mapped[str] = mapped_column(String(64), index=True)
    district_id: Mapped[str] = mapped_column(String(128))
    plan_date: Mapped[date] = mapped_column(Date)
    shift: Mapped[str] = mapped_column(String(16))
    task_id: Mapped[str] = mapped_column(String(256))
    visit_id: Mapped[str] = mapped_column(String(256))
    staff_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PublicationRow(TableBase):
    """One published version of a shift's plan; the primary key guards concurrent publishing."""

    __tablename__ = "api_publication"

    municipality_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    district_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    plan_date: Mapped[date] = mapped_column(Date, primary_key=True)
    shift: Mapped[str] = mapped_column(String(16), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    run_id: Mapped[str] = mapped_column(String(36))
    published_by: Mapped[str] = mapped_column(String(128))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StaleVersionError(HjemmetjenesteError):
    """The version a publisher expected is no longer the current one."""

    def __init__(self, expected: int, current: int | None) -> None:
        self.expected = expected
        self.current = current
        now = "changed meanwhile" if current is None else f"is {current}"
        super().__init__(f"expected published version {expected}, but the current version {now}")


@dataclass(frozen=True)
class RunRecord:
    """A plan run as stored, without its result JSON."""

    run_id: str
    municipality_id: str
    district_id: str
    plan_date: date
    shift: str
    status: str
    progress: float
    best_objective: int | None
    params: dict[str, Any]
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    cancel_requested: bool
    error: str | None
    violations: int | None
    kpis: dict[str, Any] | None


@dataclass(frozen=True)
class PinRecord:
    """A stored pin."""

    pin_id: int
    district_id: str
    plan_date: date
    shift: str
    task_id: str
    visit_id: str
    staff_id: str | None
    start: datetime | None
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class PublicationRecord:
    """One published version of a shift."""

    district_id: str
    plan_date: date
    shift: str
    version: int
    run_id: str
    published_by: str
    published_at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive: they were stored in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _run_record(row: PlanRunRow) -> RunRecord:
    return RunRecord(
        run_id=row.run_id,
        municipality_id=row.municipality_id,
        district_id=row.district_id,
        plan_date=row.plan_date,
        shift=row.shift,
        status=row.status,
        progress=row.progress,
        best_objective=row.best_objective,
        params=json.loads(row.params_json),
        created_by=row.created_by,
        created_at=_aware(row.created_at),  # type: ignore[arg-type]
        started_at=_aware(row.started_at),
        finished_at=_aware(row.finished_at),
        cancel_requested=row.cancel_requested,
        error=row.error,
        violations=row.violations,
        kpis=None if row.kpis_json is None else json.loads(row.kpis_json),
    )


# -- runs ---------------------------------------------------------------------------------


def create_run(
    engine: Engine,
    *,
    municipality_id: str,
    district_id: str,
    plan_date: date,
    shift: str,
    params: dict[str, Any],
    created_by: str,
) -> RunRecord:
    """Record a new, queued run and return it."""
    now = _now()
    row = PlanRunRow(
        run_id=str(uuid.uuid4()),
        municipality_id=municipality_id,
        district_id=district_id,
        plan_date=plan_date,
        shift=shift,
        status="queued",
        progress=0.0,
        best_objective=None,
        params_json=json.dumps(params, sort_keys=True),
        created_by=created_by,
        created_at=now,
        heartbeat_at=now,
        cancel_requested=False,
    )
    with Session(writing(engine)) as session, session.begin():
        session.add(row)
        session.flush()
        record = _run_record(row)
    return record


def get_run(engine: Engine, municipality_id: str, run_id: str) -> RunRecord | None:
    """The run ``run_id`` of ``municipality_id`` (None for another municipality's run)."""
    with Session(engine) as session:
        row = session.get(PlanRunRow, run_id)
        if row is None or row.municipality_id != municipality_id:
            return None
        return _run_record(row)


def get_run_any(engine: Engine, run_id: str) -> RunRecord | None:
    """The run ``run_id`` whatever its municipality (for the worker that runs it)."""
    with Session(engine) as session:
        row = session.get(PlanRunRow, run_id)
        return None if row is None else _run_record(row)


def run_result_json(engine: Engine, municipality_id: str, run_id: str) -> str | None:
    """The stored ``PlanResult`` JSON of a run of ``municipality_id``, or None."""
    with Session(engine) as session:
        return session.scalar(
            select(PlanRunRow.result_json).where(
                PlanRunRow.run_id == run_id, PlanRunRow.municipality_id == municipality_id
            )
        )


def list_runs(
    engine: Engine,
    municipality_id: str,
    *,
    plan_date: date | None = None,
    shift: str | None = None,
    district_id: str | None = None,
    limit: int = 100,
) -> list[RunRecord]:
    """The municipality's runs, newest first, optionally for one date, shift or district."""
    query = select(PlanRunRow).where(PlanRunRow.municipality_id == municipality_id)
    if plan_date is not None:
        query = query.where(PlanRunRow.plan_date == plan_date)
    if shift is not None:
        query = query.where(PlanRunRow.shift == shift)
    if district_id is not None:
        query = query.where(PlanRunRow.district_id == district_id)
    query = query.order_by(PlanRunRow.created_at.desc()).limit(limit)
    with Session(engine) as session:
        return [_run_record(r) for r in session.scalars(query)]


def start_run(engine: Engine, run_id: str) -> bool:
    """Mark a queued run running; False when it was cancelled before it started."""
    now = _now()
    with Session(writing(engine)) as session, session.begin():
        done = session.execute(
            update(PlanRunRow)
            .where(PlanRunRow.run_id == run_id, PlanRunRow.status == "queued")
            .values(status="running", started_at=now, heartbeat_at=now)
        )
        return done.rowcount == 1  # type: ignore[attr-defined]


def set_run_progress(
    engine: Engine, run_id: str, progress: float, best_objective: int | None
) -> bool:
    """Record progress (0–1) of a running run (its heartbeat); returns whether it must stop:
    a cancel was requested, or it is no longer running."""
    with Session(writing(engine)) as session, session.begin():
        session.execute(
            update(PlanRunRow)
            .where(PlanRunRow.run_id == run_id, PlanRunRow.status == "running")
            .values(
                progress=max(0.0, min(1.0, progress)),
                best_objective=best_objective,
                heartbeat_at=_now(),
            )
        )
        row = session.execute(
            select(PlanRunRow.cancel_requested, PlanRunRow.status).where(
                PlanRunRow.run_id == run_id
            )
        ).first()
        # Stop too when the run is no longer running (a sweep took it for a dead server's).
        return row is None or bool(row[0]) or row[1] != "running"


def finish_run(
    engine: Engine,
    run_id: str,
    status: str,
    *,
    result_json: str | None = None,
    kpis: dict[str, Any] | None = None,
    violations: int | None = None,
    error: str | None = None,
) -> None:
    """Record a run's end; a run already final (e.g. cancelled) keeps its status."""
    if status not in FINAL_STATUSES:
        raise ValueError(f"not a final status: {status!r}")
    values: dict[str, Any] = {"status": status, "finished_at": _now(), "heartbeat_at": _now()}
    if status == "succeeded":
        values |= {
            "progress": 1.0,
            "result_json": result_json,
            "kpis_json": None if kpis is None else json.dumps(kpis, sort_keys=True),
            "violations": violations,
        }
    if error is not None:
        values["error"] = error
    with Session(writing(engine)) as session, session.begin():
        session.execute(
            update(PlanRunRow)
            .where(PlanRunRow.run_id == run_id, PlanRunRow.status.in_(ACTIVE_STATUSES))
            .values(**values)
        )


def request_cancel(
    engine: Engine, municipality_id: str, run_id: str, stale_after: timedelta | None = None
) -> RunRecord | None:
    """Ask a run to stop: a queued run is cancelled at once, a running one by its worker.

    A running run whose worker has been silent longer than ``stale_after`` (its server
    died) is cancelled at once too: a cancel always takes effect.
    """
    now = _now()
    with Session(writing(engine)) as session, session.begin():
        row = session.get(PlanRunRow, run_id)
        if row is None or row.municipality_id != municipality_id:
            return None
        heartbeat = _aware(row.heartbeat_at)
        silent = stale_after is not None and heartbeat is not None and heartbeat < now - stale_after
        if row.status in ACTIVE_STATUSES:
            row.cancel_requested = True
        if row.status == "queued" or (row.status == "running" and silent):
            row.status = "cancelled"
            row.finished_at = now
        session.flush()
        return _run_record(row)


def sweep_interrupted_runs(engine: Engine, stale_after: timedelta) -> list[str]:
    """Mark running runs whose worker stopped heartbeating (its server died) as interrupted.

    Only ``running`` runs: a queued run waits in the store for any server's worker, so a
    server never ends another's queued run, and a live worker heartbeats far more often
    than ``stale_after``. Returns the ids of the runs marked.
    """
    cutoff = _now() - stale_after
    condition = (PlanRunRow.status == "running") & (PlanRunRow.heartbeat_at < cutoff)
    with engine.connect() as connection:  # a read first: most sweeps find nothing to write
        if connection.scalar(select(PlanRunRow.run_id).where(condition).limit(1)) is None:
            return []
    with Session(writing(engine)) as session, session.begin():
        ids = list(session.scalars(select(PlanRunRow.run_id).where(condition)))
        if ids:
            session.execute(
                update(PlanRunRow)
                .where(condition, PlanRunRow.run_id.in_(ids))
                .values(
                    status="interrupted",
                    finished_at=_now(),
                    error=phrase_record(
                        Phrase(N_("the server running it stopped; start the run again"))
                    ),
                )
            )
        return ids


def release_owned_runs(engine: Engine, owner_id: str) -> list[str]:
    """Mark the runs ``owner_id`` is still running as interrupted (its server is stopping)."""
    condition = (PlanRunRow.status == "running") & (PlanRunRow.owner_id == owner_id)
    with Session(writing(engine)) as session, session.begin():
        ids = list(session.scalars(select(PlanRunRow.run_id).where(condition)))
        session.execute(
            update(PlanRunRow)
            .where(condition)
            .values(
                status="interrupted",
                finished_at=_now(),
                error=phrase_record(
                    Phrase(N_("the server stopped before the run finished; start it again"))
                ),
            )
        )
        return ids


@dataclass(frozen=True)
class QueuedMunicipality:
    """A municipality with queued runs: when its oldest was queued, how many of its run."""

    municipality_id: str
    oldest_queued: datetime
    running: int


def queued_municipalities(engine: Engine) -> list[QueuedMunicipality]:
    """Every municipality with a queued run, with its running count (across all servers)."""
    with engine.connect() as connection:
        queued = connection.execute(
            select(PlanRunRow.municipality_id, func.min(PlanRunRow.created_at))
            .where(PlanRunRow.status == "queued")
            .group_by(PlanRunRow.municipality_id)
        ).all()
        if not queued:
            return []
        running = dict(
            connection.execute(
                select(PlanRunRow.municipality_id, func.count())
                .where(PlanRunRow.status == "running")
                .group_by(PlanRunRow.municipality_id)
            ).all()
        )
    return [
        QueuedMunicipality(m, _aware(oldest), int(running.get(m, 0)))  # type: ignore[arg-type]
        for m, oldest in queued
    ]


def claim_run(
    engine: Engine, municipality_id: str, owner_id: str, per_municipality: int
) -> RunRecord | None:
    """Take the oldest queued run of ``municipality_id`` for ``owner_id``, and mark it running.

    One conditional ``UPDATE``: the run must still be queued and the municipality must run
    fewer than ``per_municipality`` runs (over every server), so two servers never take the
    same run. None when there is nothing to take.
    """
    now = _now()
    table = PlanRunRow.__table__
    running = (
        select(func.count())
        .select_from(table)
        .where(table.c.municipality_id == municipality_id, table.c.status == "running")
        .scalar_subquery()
    )
    with Session(writing(engine)) as session, session.begin():
        run_id = session.scalar(
            select(PlanRunRow.run_id)
            .where(PlanRunRow.municipality_id == municipality_id, PlanRunRow.status == "queued")
            .order_by(PlanRunRow.created_at, PlanRunRow.run_id)
            .limit(1)
        )
        if run_id is None:
            return None
        done = session.execute(
            update(table)
            .where(table.c.run_id == run_id, table.c.status == "queued", running < per_municipality)
            .values(status="running", started_at=now, heartbeat_at=now, owner_id=owner_id)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            return None
        row = session.get(PlanRunRow, run_id)
        session.refresh(row)  # type: ignore[arg-type]
        return _run_record(row)  # type: ignore[arg-type]


def active_district_ids(engine: Engine, municipality_id: str) -> list[str]:
    """The ids of the municipality's districts in force (not ended by an import)."""
    with engine.connect() as conn:
        return list(
            conn.scalars(
                select(DistrictRow.district_id).where(
                    DistrictRow.municipality_id == municipality_id,
                    DistrictRow.ended_batch_id.is_(None),
                )
            )
        )


# -- pins ---------------------------------------------------------------------------------


def _pin_record(row: PinRow) -> PinRecord:
    return PinRecord(
        pin_id=row.pin_id,
        district_id=row.district_id,
        plan_date=row.plan_date,
        shift=row.shift,
        task_id=row.task_id,
        visit_id=row.visit_id,
        staff_id=row.staff_id,
        start=_aware(row.start),
        created_by=row.created_by,
        created_at=_aware(row.created_at),  # type: ignore[arg-type]
    )


def add_pins(
    engine: Engine,
    *,
    municipality_id: str,
    district_id: str,
    plan_date: date,
    shift: str,
    visit_id: str,
    task_ids: Sequence[str],
    staff_id: str | None,
    start: datetime | None,
    created_by: str,
) -> list[PinRecord]:
    """Pin every task of a visit (replacing earlier pins of those tasks) in one transaction."""
    now = _now()
    with Session(writing(engine)) as session, session.begin():
        out = []
        for task_id in task_ids:
            row = session.scalar(
                select(PinRow).where(
                    PinRow.municipality_id == municipality_id,
                    PinRow.district_id == district_id,
                    PinRow.plan_date == plan_date,
                    PinRow.shift == shift,
                    PinRow.task_id == task_id,
                )
            )
            if row is None:
                row = PinRow(
                    municipality_id=municipality_id,
                    district_id=district_id,
                    plan_date=plan_date,
                    shift=shift,
                    task_id=task_id,
                )
                session.add(row)
            row.visit_id = visit_id
            row.staff_id = staff_id
            row.start = start
            row.created_by = created_by
            row.created_at = now
            session.flush()
            out.append(_pin_record(row))
        return out


def list_pins(
    engine: Engine,
    municipality_id: str,
    *,
    district_id: str | None = None,
    plan_date: date | None = None,
    shift: str | None = None,
) -> list[PinRecord]:
    """The municipality's pins, optionally of one district, date and shift."""
    query = select(PinRow).where(PinRow.municipality_id == municipality_id)
    if district_id is not None:
        query = query.where(PinRow.district_id == district_id)
    if plan_date is not None:
        query = query.where(PinRow.plan_date == plan_date)
    if shift is not None:
        query = query.where(PinRow.shift == shift)
    with Session(engine) as session:
        return [_pin_record(r) for r in session.scalars(query.order_by(PinRow.pin_id))]


def delete_pin(engine: Engine, municipality_id: str, pin_id: int) -> bool:
    """Remove a pin of ``municipality_id``; False when there is no such pin."""
    with Session(writing(engine)) as session, session.begin():
        row = session.get(PinRow, pin_id)
        if row is None or row.municipality_id != municipality_id:
            return False
        session.delete(row)
        return True


# -- publications -------------------------------------------------------------------------


def _publication_record(row: Any) -> PublicationRecord:
    return PublicationRecord(
        district_id=row.district_id,
        plan_date=row.plan_date,
        shift=row.shift,
        version=row.version,
        run_id=row.run_id,
        published_by=row.published_by,
        published_at=_aware(row.published_at),  # type: ignore[arg-type]
    )


def publish_run(
    engine: Engine,
    *,
    municipality_id: str,
    district_id: str,
    plan_date: date,
    shift: str,
    run_id: str,
    expected_version: int,
    published_by: str,
) -> PublicationRecord:
    """Publish ``run_id`` as version ``expected_version + 1`` of its shift.

    One conditional ``INSERT … SELECT … WHERE current = expected`` as the transaction's first
    statement: SQLite takes its write lock before reading, and on PostgreSQL two publishers
    that both saw ``expected`` collide on the primary key. Either way exactly one wins and
    the other gets :class:`StaleVersionError`.
    """
    pub = PublicationRow.__table__
    key = (
        (pub.c.municipality_id == municipality_id)
        & (pub.c.district_id == district_id)
        & (pub.c.plan_date == plan_date)
        & (pub.c.shift == shift)
    )
    current = select(func.coalesce(func.max(pub.c.version), 0)).where(key).scalar_subquery()
    now = _now()
    new_version = expected_version + 1
    statement = (
        insert(pub)
        .from_select(
            [
                "municipality_id",
                "district_id",
                "plan_date",
                "shift",
                "version",
                "run_id",
                "published_by",
                "published_at",
            ],
            select(
                literal(municipality_id, String()),
                literal(district_id, String()),
                literal(plan_date, Date()),
                literal(shift, String()),
                literal(new_version, Integer()),
                literal(run_id, String()),
                literal(published_by, String()),
                literal(now, DateTime(timezone=True)),
            ).where(current == expected_version),
        )
        .returning(pub.c.version)
    )
    try:
        with writing(engine).begin() as connection:
            # RETURNING, not rowcount: drivers differ on rowcount of INSERT … SELECT
            inserted = len(connection.execute(statement).all())
    except IntegrityError:
        raise StaleVersionError(expected_version, None) from None
    if inserted != 1:
        latest = current_publications(
            engine, municipality_id, plan_date, shift, district_id=district_id
        )
        raise StaleVersionError(expected_version, latest[0].version if latest else 0)
    return PublicationRecord(
        district_id=district_id,
        plan_date=plan_date,
        shift=shift,
        version=new_version,
        run_id=run_id,
        published_by=published_by,
        published_at=now,
    )


def current_publications(
    engine: Engine,
    municipality_id: str,
    plan_date: date | None = None,
    shift: str | None = None,
    *,
    district_id: str | None = None,
    from_date: date | None = None,
    to_date: date | None = None,
) -> list[PublicationRecord]:
    """The latest version of each published shift of ``municipality_id`` matching the filters."""
    pub = PublicationRow.__table__
    conditions = [pub.c.municipality_id == municipality_id]
    if plan_date is not None:
        conditions.append(pub.c.plan_date == plan_date)
    if shift is not None:
        conditions.append(pub.c.shift == shift)
    if district_id is not None:
        conditions.append(pub.c.district_id == district_id)
    if from_date is not None:
        conditions.append(pub.c.plan_date >= from_date)
    if to_date is not None:
        conditions.append(pub.c.plan_date <= to_date)
    latest = (
        select(
            pub.c.district_id,
            pub.c.plan_date,
            pub.c.shift,
            func.max(pub.c.version).label("version"),
        )
        .where(*conditions)
        .group_by(pub.c.district_id, pub.c.plan_date, pub.c.shift)
        .subquery()
    )
    query = (
        select(pub)
        .join(
            latest,
            (pub.c.district_id == latest.c.district_id)
            & (pub.c.plan_date == latest.c.plan_date)
            & (pub.c.shift == latest.c.shift)
            & (pub.c.version == latest.c.version),
        )
        .where(pub.c.municipality_id == municipality_id)
        .order_by(pub.c.plan_date, pub.c.shift, pub.c.district_id)
    )
    with engine.connect() as connection:
        return [_publication_record(r) for r in connection.execute(query)]


def publication_history(
    engine: Engine, municipality_id: str, district_id: str, plan_date: date, shift: str
) -> list[PublicationRecord]:
    """Every published version of one shift, newest first."""
    pub = PublicationRow.__table__
    query = (
        select(pub)
        .where(
            pub.c.municipality_id == municipality_id,
            pub.c.district_id == district_id,
            pub.c.plan_date == plan_date,
            pub.c.shift == shift,
        )
        .order_by(pub.c.version.desc())
    )
    with engine.connect() as connection:
        return [_publication_record(r) for r in connection.execute(query)]
