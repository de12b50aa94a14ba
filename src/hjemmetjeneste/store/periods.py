"""Plan units of a period run: one row per planned shift, written once.

A period run (``hjemmetjeneste plan --all-districts``) plans every district × day × shift
as a unit of work on an executor (:mod:`hjemmetjeneste.executors`). Each unit writes its
plan here under a key made of municipality, district, date, shift, kind and the digest of
everything the plan depends on (the imported data, the solve parameters, the history of
the shifts before it). The unique constraint on that key is what makes a unit idempotent:
a unit retried after its worker died, or run twice by the engine, finds the row already
there and writes nothing; of two attempts racing to write, exactly one insert wins.

Nothing here imports FastAPI or OR-Tools; every function takes the engine it works on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Date, DateTime, Engine, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from hjemmetjeneste.store.engine import writing
from hjemmetjeneste.store.models import TableBase

__all__ = ["PeriodUnitRow", "StoredUnit", "UnitKey", "count_units", "get_unit", "record_unit"]


class PeriodUnitRow(TableBase):
    """One planned shift of a period run (a unit of work), keyed by what it depends on."""

    __tablename__ = "period_unit"
    __table_args__ = (
        UniqueConstraint(
            "municipality_id",
            "district_id",
            "plan_date",
            "shift",
            "kind",
            "input_digest",
            name="uq_period_unit_key",
        ),
    )

    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_id: Mapped[str] = mapped_column(String(64), index=True)
    district_id: Mapped[str] = mapped_column(String(128))
    plan_date: Mapped[date] = mapped_column(Date)
    shift: Mapped[str] = mapped_column(String(16))
    #: ``plan`` (the district's own plan) or ``lend`` (re-planned with a neighbour's visits).
    kind: Mapped[str] = mapped_column(String(8))
    input_digest: Mapped[str] = mapped_column(String(64))
    result_json: Mapped[str] = mapped_column(Text)
    violations: Mapped[int] = mapped_column(Integer)
    solve_seconds: Mapped[float] = mapped_column(Float(53))
    worker: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class UnitKey:
    """What identifies a unit: its shift, its kind and the digest of its inputs."""

    municipality_id: str
    district_id: str
    plan_date: date
    shift: str
    kind: str
    input_digest: str


@dataclass(frozen=True)
class StoredUnit:
    """A stored unit's plan JSON and who wrote it."""

    result_json: str
    violations: int
    solve_seconds: float
    worker: str


def get_unit(engine: Engine, key: UnitKey) -> StoredUnit | None:
    """The unit stored under ``key``, or None."""
    where = [getattr(PeriodUnitRow, name) == value for name, value in vars(key).items()]
    with Session(engine) as session:
        row = session.query(PeriodUnitRow).filter(*where).one_or_none()
        if row is None:
            return None
        return StoredUnit(row.result_json, row.violations, row.solve_seconds, row.worker)


def record_unit(engine: Engine, key: UnitKey, unit: StoredUnit) -> tuple[StoredUnit, bool]:
    """Write a unit's plan unless one is stored under ``key``; (the stored unit, written?).

    When another attempt of the same unit wrote first, its row is returned and nothing is
    written: the unique key lets exactly one insert win.
    """
    row = PeriodUnitRow(**vars(key), **vars(unit), created_at=datetime.now(UTC))
    try:
        with Session(writing(engine)) as session, session.begin():
            session.add(row)
        return unit, True
    except IntegrityError:
        stored = get_unit(engine, key)
        if stored is None:  # pragma: no cover - the winner's row cannot vanish
            raise
        return stored, False


def count_units(engine: Engine, municipality_id: str) -> list[tuple[str, date, str, str, str]]:
    """Every stored unit of ``municipality_id`` as (district, date, shift, kind, digest)."""
    c = PeriodUnitRow
    with Session(engine) as session:
        rows = session.query(c.district_id, c.plan_date, c.shift, c.kind, c.input_digest).filter(
            c.municipality_id == municipality_id
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]
