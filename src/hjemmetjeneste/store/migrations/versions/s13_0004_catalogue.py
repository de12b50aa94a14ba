"""catalogue: a municipality's own catalogue entries (care-plan headings it added)

Revision ID: s13_0004
Revises: i17_0003
Create Date: 2026-12-06 03:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s13_0004"
down_revision: str | None = "i17_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "catalogue_entry",
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name_key", sa.String(length=512), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("first_batch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.municipality_id"],
            name=op.f("fk_catalogue_entry_municipality_id_municipality"),
        ),
        sa.PrimaryKeyConstraint(
            "municipality_id", "kind", "name_key", name=op.f("pk_catalogue_entry")
        ),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("catalogue_entry")
