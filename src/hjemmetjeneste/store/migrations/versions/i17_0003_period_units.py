"""period units: one row per planned shift of a period run, unique per input digest

Revision ID: i17_0003
Revises: 0002
Create Date: 2026-12-06 00:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i17_0003"
down_revision: str | None = "i14_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "period_unit",
        sa.Column("unit_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("district_id", sa.String(length=128), nullable=False),
        sa.Column("plan_date", sa.Date(), nullable=False),
        sa.Column("shift", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("input_digest", sa.String(length=64), nullable=False),
        sa.Column("result_json", sa.Text(), nullable=False),
        sa.Column("violations", sa.Integer(), nullable=False),
        sa.Column("solve_seconds", sa.Float(precision=53), nullable=False),
        sa.Column("worker", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_period_unit")),
        sa.UniqueConstraint(
            "municipality_id",
            "district_id",
            "plan_date",
            "shift",
            "kind",
            "input_digest",
            name="uq_period_unit_key",
        ),
    )
    with op.batch_alter_table("period_unit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_period_unit_municipality_id"), ["municipality_id"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("period_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_period_unit_municipality_id"))
    op.drop_table("period_unit")
