"""The store's tables (SQLAlchemy 2 declarative models).

Every entity table is keyed by ``(municipality_id, <entity>_id)`` and carries:

- ``position``: the record's place in the last export, so that loading keeps export order;
- ``content_hash``: SHA-256 of the record's canonical JSON, to tell unchanged from changed;
- ``first_batch_id`` / ``last_batch_id``: the import that added it and the last one that
  changed it;
- ``ended_batch_id``: set when a full export no longer contains the record. Nothing is ever
  deleted: an ended intervention also gets ``valid_to``, so past worklists still resolve.

The Alembic migrations in ``store/migrations`` create exactly these tables; a test checks
that the two agree.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "BaseRow",
    "CarePlanRow",
    "DistrictRow",
    "ImportBatchRow",
    "InterventionRow",
    "MunicipalityRow",
    "PatientRow",
    "RosterEntryRow",
    "StaffRow",
    "TableBase",
]

_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class TableBase(DeclarativeBase):
    """Declarative base of every store table."""

    metadata = MetaData(naming_convention=_NAMING)


class ImportBatchRow(TableBase):
    """One import that changed the store: the export's digest, when, and what it changed."""

    __tablename__ = "import_batch"

    batch_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_id: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(Text)
    export_format: Mapped[str] = mapped_column(String(16))
    export_digest: Mapped[str] = mapped_column(String(64))
    full_export: Mapped[bool] = mapped_column(Boolean)
    as_of: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    added: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)
    ended: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)


class _Versioned:
    """Columns every entity table shares (see the module docstring)."""

    position: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    first_batch_id: Mapped[int] = mapped_column(Integer)
    last_batch_id: Mapped[int] = mapped_column(Integer)
    ended_batch_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class MunicipalityRow(TableBase):
    """A municipality (kommune) with its shift definitions as JSON."""

    __tablename__ = "municipality"

    municipality_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(String(64))
    shifts_json: Mapped[str] = mapped_column(Text)
    rules_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    """The non-default ``PlanningRules`` fields as JSON; NULL = every rule at its default."""
    content_hash: Mapped[str] = mapped_column(String(64))
    first_batch_id: Mapped[int] = mapped_column(Integer)
    last_batch_id: Mapped[int] = mapped_column(Integer)


class BaseRow(_Versioned, TableBase):
    """A home-care base (hjemmetjenestebase)."""

    __tablename__ = "base"

    municipality_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("municipality.municipality_id"), primary_key=True
    )
    base_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(Text)
    lat: Mapped[float] = mapped_column(Float(53))
    lon: Mapped[float] = mapped_column(Float(53))


class DistrictRow(_Versioned, TableBase):
    """A district (sone / distrikt)."""

    __tablename__ = "district"

    municipality_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("municipality.municipality_id"), primary_key=True
    )
    district_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    base_id: Mapped[str] = mapped_column(String(128))


class PatientRow(_Versioned, TableBase):
    """A patient (pasient / bruker): what planning needs, never a national identity number."""

    __tablename__ = "patient"

    municipality_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("municipality.municipality_id"), primary_key=True
    )
    patient_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    district_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(Text)
    lat: Mapped[float] = mapped_column(Float(53))
    lon: Mapped[float] = mapped_column(Float(53))
    key_box_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Planning rules (docs/constraints.md); NULL = none (ids are "|"-separated, sorted).
    refused_staff_ids: Mapped[str | None] = mapped_column(Text, nullable=True)
    preferred_staff_ids: Mapped[str | None] = mapped_column(Text, nullable=True)
    language: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Continuity of care (migration s12_0004); NULL = none.
    primary_contact_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    care_team_ids: Mapped[str | None] = mapped_column(Text, nullable=True)


class CarePlanRow(_Versioned, TableBase):
    """A care plan (pasientplan); its interventions reference it."""

    __tablename__ = "care_plan"

    municipality_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("municipality.municipality_id"), primary_key=True
    )
    care_plan_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    patient_id: Mapped[str] = mapped_column(String(128))


class InterventionRow(_Versioned, TableBase):
    """An intervention (tiltak); ``schedule_json`` is the domain Schedule as JSON."""

    __tablename__ = "intervention"

    municipality_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("municipality.municipality_id"), primary_key=True
    )
    intervention_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    care_plan_id: Mapped[str] = mapped_column(String(128))
    patient_id: Mapped[str] = mapped_column(String(128))
    problem_area: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    duration_min: Mapped[int] = mapped_column(Integer)
    schedule_json: Mapped[str] = mapped_column(Text)
    required_competence: Mapped[str] = mapped_column(String(32))
    required_skills: Mapped[str] = mapped_column(Text)
    staff_count: Mapped[int] = mapped_column(Integer)
    priority: Mapped[str] = mapped_column(String(16))
    time_critical: Mapped[bool] = mapped_column(Boolean)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    # Planning rules (docs/constraints.md); NULL = the default (no gap, no lateness, ...).
    gap_group: Mapped[str | None] = mapped_column(String(128), nullable=True)
    min_gap_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_gap_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    second_staff_competence: Mapped[str | None] = mapped_column(String(32), nullable=True)
    late_allowance_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    separate_visit: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    second_staff_skills: Mapped[str | None] = mapped_column(Text, nullable=True)


class StaffRow(_Versioned, TableBase):
    """A staff member (ansatt)."""

    __tablename__ = "staff"

    municipality_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("municipality.municipality_id"), primary_key=True
    )
    staff_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    district_id: Mapped[str] = mapped_column(String(128))
    first_name: Mapped[str] = mapped_column(Text)
    #: the level (the one the title counts as, for an own title)
    competence: Mapped[str] = mapped_column(String(32))
    skills: Mapped[str] = mapped_column(Text)
    travel_mode: Mapped[str] = mapped_column(String(16))
    #: the municipality's own title (NULL: the competence is a level as such)
    competence_title: Mapped[str | None] = mapped_column(Text, nullable=True)
    contracted_fte: Mapped[float] = mapped_column(Float(53))
    # Where a day that starts or ends at home starts; NULL = no home given.
    home_lat: Mapped[float | None] = mapped_column(Float(53), nullable=True)
    home_lon: Mapped[float | None] = mapped_column(Float(53), nullable=True)


class RosterEntryRow(_Versioned, TableBase):
    """A roster entry (vaktplan): one staff member on one shift starting on one date."""

    __tablename__ = "roster_entry"

    municipality_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("municipality.municipality_id"), primary_key=True
    )
    staff_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    shift_date: Mapped[date] = mapped_column(Date, primary_key=True)
    shift: Mapped[str] = mapped_column(String(16), primary_key=True)
    district_id: Mapped[str] = mapped_column(String(128))
    # The roster as it is; NULL = the shift's hours, the district's base.
    start_time: Mapped[str | None] = mapped_column(String(8), nullable=True)
    end_time: Mapped[str | None] = mapped_column(String(8), nullable=True)
    start_place: Mapped[str | None] = mapped_column(String(128), nullable=True)
    end_place: Mapped[str | None] = mapped_column(String(128), nullable=True)
