"""The audit log: who read which patient's data, in which role, when and why.

Records hold ids only (the reader's person id, the patient id), never names, national
identity numbers or plan content. Nothing is ever updated or deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import DateTime, Engine, Integer, String, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from hjemmetjeneste.store.engine import writing
from hjemmetjeneste.store.models import TableBase

__all__ = ["AuditEntry", "AuditRow", "read_audit", "write_audit"]


class AuditRow(TableBase):
    """One read of patient data (journal access log)."""

    __tablename__ = "api_audit"

    audit_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_id: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[str] = mapped_column(String(128))
    actor_role: Mapped[str] = mapped_column(String(16))
    patient_id: Mapped[str] = mapped_column(String(128), index=True)
    action: Mapped[str] = mapped_column(String(64))
    resource: Mapped[str] = mapped_column(String(256))
    purpose: Mapped[str] = mapped_column(String(200))


@dataclass(frozen=True)
class AuditEntry:
    """An audit record as read back."""

    audit_id: int
    municipality_id: str
    at: datetime
    actor_id: str
    actor_role: str
    patient_id: str
    action: str
    resource: str
    purpose: str


def write_audit(
    engine: Engine,
    *,
    municipality_id: str,
    actor_id: str,
    actor_role: str,
    patient_ids: Sequence[str],
    action: str,
    resource: str,
    purpose: str,
) -> int:
    """Record one read of each patient in ``patient_ids`` in one transaction; returns the count."""
    now = datetime.now(UTC)
    rows = [
        {
            "municipality_id": municipality_id,
            "at": now,
            "actor_id": actor_id,
            "actor_role": actor_role,
            "patient_id": patient_id,
            "action": action,
            "resource": resource,
            "purpose": purpose,
        }
        for patient_id in dict.fromkeys(patient_ids)
    ]
    if rows:
        with writing(engine).begin() as connection:
            connection.execute(insert(AuditRow), rows)
    return len(rows)


def read_audit(
    engine: Engine,
    municipality_id: str,
    *,
    patient_id: str | None = None,
    actor_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditEntry]:
    """The municipality's audit records, newest first, optionally for one patient or reader."""
    query = select(AuditRow).where(AuditRow.municipality_id == municipality_id)
    if patient_id is not None:
        query = query.where(AuditRow.patient_id == patient_id)
    if actor_id is not None:
        query = query.where(AuditRow.actor_id == actor_id)
    query = query.order_by(AuditRow.audit_id.desc()).limit(limit).offset(offset)
    with engine.connect() as connection:
        out = []
        for r in connection.execute(query):
            at = r.at if r.at.tzinfo is not None else r.at.replace(tzinfo=UTC)
            out.append(
                AuditEntry(
                    audit_id=r.audit_id,
                    municipality_id=r.municipality_id,
                    at=at,
                    actor_id=r.actor_id,
                    actor_role=r.actor_role,
                    patient_id=r.patient_id,
                    action=r.action,
                    resource=r.resource,
                    purpose=r.purpose,
                )
            )
        return out
