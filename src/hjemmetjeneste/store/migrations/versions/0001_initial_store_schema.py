"""initial store schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-25 21:35:29.075085
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    # the store schema of docs/architecture.md (see store/models.py)
    op.create_table(
        "import_batch",
        sa.Column("batch_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("export_format", sa.String(length=16), nullable=False),
        sa.Column("export_digest", sa.String(length=64), nullable=False),
        sa.Column("full_export", sa.Boolean(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("ended", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_import_batch")),
    )
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_import_batch_municipality_id"), ["municipality_id"], unique=False
        )

    op.create_table(
        "municipality",
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("shifts_json", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("first_batch_id", sa.Integer(), nullable=False),
        sa.Column("last_batch_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("municipality_id", name=op.f("pk_municipality")),
    )
    op.create_table(
        "base",
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("base_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("lat", sa.Float(precision=53), nullable=False),
        sa.Column("lon", sa.Float(precision=53), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("first_batch_id", sa.Integer(), nullable=False),
        sa.Column("last_batch_id", sa.Integer(), nullable=False),
        sa.Column("ended_batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.municipality_id"],
            name=op.f("fk_base_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint("municipality_id", "base_id", name=op.f("pk_base")),
    )
    op.create_table(
        "care_plan",
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("care_plan_id", sa.String(length=128), nullable=False),
        sa.Column("patient_id", sa.String(length=128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("first_batch_id", sa.Integer(), nullable=False),
        sa.Column("last_batch_id", sa.Integer(), nullable=False),
        sa.Column("ended_batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.municipality_id"],
            name=op.f("fk_care_plan_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint("municipality_id", "care_plan_id", name=op.f("pk_care_plan")),
    )
    op.create_table(
        "district",
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("district_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("base_id", sa.String(length=128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("first_batch_id", sa.Integer(), nullable=False),
        sa.Column("last_batch_id", sa.Integer(), nullable=False),
        sa.Column("ended_batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.municipality_id"],
            name=op.f("fk_district_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint("municipality_id", "district_id", name=op.f("pk_district")),
    )
    op.create_table(
        "intervention",
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("intervention_id", sa.String(length=128), nullable=False),
        sa.Column("care_plan_id", sa.String(length=128), nullable=False),
        sa.Column("patient_id", sa.String(length=128), nullable=False),
        sa.Column("problem_area", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=False),
        sa.Column("schedule_json", sa.Text(), nullable=False),
        sa.Column("required_competence", sa.String(length=32), nullable=False),
        sa.Column("required_skills", sa.Text(), nullable=False),
        sa.Column("staff_count", sa.Integer(), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("time_critical", sa.Boolean(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("first_batch_id", sa.Integer(), nullable=False),
        sa.Column("last_batch_id", sa.Integer(), nullable=False),
        sa.Column("ended_batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.municipality_id"],
            name=op.f("fk_intervention_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint("municipality_id", "intervention_id", name=op.f("pk_intervention")),
    )
    op.create_table(
        "patient",
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.String(length=128), nullable=False),
        sa.Column("district_id", sa.String(length=128), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("lat", sa.Float(precision=53), nullable=False),
        sa.Column("lon", sa.Float(precision=53), nullable=False),
        sa.Column("key_box_note", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("first_batch_id", sa.Integer(), nullable=False),
        sa.Column("last_batch_id", sa.Integer(), nullable=False),
        sa.Column("ended_batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.municipality_id"],
            name=op.f("fk_patient_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint("municipality_id", "patient_id", name=op.f("pk_patient")),
    )
    op.create_table(
        "roster_entry",
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.String(length=128), nullable=False),
        sa.Column("shift_date", sa.Date(), nullable=False),
        sa.Column("shift", sa.String(length=16), nullable=False),
        sa.Column("district_id", sa.String(length=128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("first_batch_id", sa.Integer(), nullable=False),
        sa.Column("last_batch_id", sa.Integer(), nullable=False),
        sa.Column("ended_batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.municipality_id"],
            name=op.f("fk_roster_entry_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint(
            "municipality_id", "staff_id", "shift_date", "shift", name=op.f("pk_roster_entry")
        ),
    )
    op.create_table(
        "staff",
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.String(length=128), nullable=False),
        sa.Column("district_id", sa.String(length=128), nullable=False),
        sa.Column("first_name", sa.Text(), nullable=False),
        sa.Column("competence", sa.String(length=32), nullable=False),
        sa.Column("skills", sa.Text(), nullable=False),
        sa.Column("travel_mode", sa.String(length=16), nullable=False),
        sa.Column("contracted_fte", sa.Float(precision=53), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("first_batch_id", sa.Integer(), nullable=False),
        sa.Column("last_batch_id", sa.Integer(), nullable=False),
        sa.Column("ended_batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.municipality_id"],
            name=op.f("fk_staff_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint("municipality_id", "staff_id", name=op.f("pk_staff")),
    )


def downgrade() -> None:
    """Revert this revision."""
    # the store schema of docs/architecture.md (see store/models.py)
    op.drop_table("staff")
    op.drop_table("roster_entry")
    op.drop_table("patient")
    op.drop_table("intervention")
    op.drop_table("district")
    op.drop_table("care_plan")
    op.drop_table("base")
    op.drop_table("municipality")
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_batch_municipality_id"))

    op.drop_table("import_batch")
