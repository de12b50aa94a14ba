"""visit actuals: when each nurse started and finished each visit of a published shift

Revision ID: s16b_0005
Revises: s16a_0004
Create Date: 2026-12-06 03:10:00.000000

``visit_actual`` holds one row per nurse and visit of a published shift with the times the
nurse recorded ("Startet", "Ferdig"): ids and times only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s16b_0005"
down_revision: str | None = "s16a_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "visit_actual",
        sa.Column("actual_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("district_id", sa.String(length=128), nullable=False),
        sa.Column("plan_date", sa.Date(), nullable=False),
        sa.Column("shift", sa.String(length=16), nullable=False),
        sa.Column("visit_id", sa.String(length=256), nullable=False),
        sa.Column("staff_id", sa.String(length=128), nullable=False),
        sa.Column("patient_id", sa.String(length=128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("actual_id", name=op.f("pk_visit_actual")),
        sa.UniqueConstraint(
            "municipality_id",
            "district_id",
            "plan_date",
            "shift",
            "visit_id",
            "staff_id",
            name="uq_visit_actual_key",
        ),
    )
    with op.batch_alter_table("visit_actual", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_visit_actual_municipality_id"), ["municipality_id"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("visit_actual", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_actual_municipality_id"))
    op.drop_table("visit_actual")
