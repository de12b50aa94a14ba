"""the roster as it is: own hours and start/end places, homes, second-role skills

Revision ID: s18b_0004
Revises: s13_0004
Create Date: 2026-12-06 03:10:00.000000

Every new column is nullable and NULL means the neutral default (the shift's hours, the
district's base, no home, no skills asked of the second caregiver), so a database imported
before this revision upgrades in place and plans exactly as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s18b_0004"
down_revision: str | None = "s13_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _columns() -> tuple[tuple[str, tuple[sa.Column, ...]], ...]:
    return (
        (
            "roster_entry",
            (
                sa.Column("start_time", sa.String(length=8), nullable=True),
                sa.Column("end_time", sa.String(length=8), nullable=True),
                sa.Column("start_place", sa.String(length=128), nullable=True),
                sa.Column("end_place", sa.String(length=128), nullable=True),
            ),
        ),
        (
            "staff",
            (
                sa.Column("home_lat", sa.Float(precision=53), nullable=True),
                sa.Column("home_lon", sa.Float(precision=53), nullable=True),
            ),
        ),
        ("intervention", (sa.Column("second_staff_skills", sa.Text(), nullable=True),)),
    )


def upgrade() -> None:
    """Apply this revision."""
    for table, columns in _columns():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.add_column(column)


def downgrade() -> None:
    """Revert this revision (plain ``DROP COLUMN``, as 0002 does)."""
    for table, columns in reversed(_columns()):
        for column in reversed(columns):
            op.drop_column(table, column.name)
