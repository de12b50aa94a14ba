"""planning-rule columns: refusals, preferences, language, gaps, municipality rules

Revision ID: 0002
Revises: api_0001
Create Date: 2026-11-26 00:40:00.000000

Every new column is nullable and NULL means the rule's neutral default, so a database
imported before this revision upgrades in place and plans exactly as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "api_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("municipality", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rules_json", sa.Text(), nullable=True))
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refused_staff_ids", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("preferred_staff_ids", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=32), nullable=True))
    with op.batch_alter_table("intervention", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gap_group", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("min_gap_min", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("max_gap_min", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("second_staff_competence", sa.String(length=32), nullable=True)
        )
        batch_op.add_column(sa.Column("late_allowance_min", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("separate_visit", sa.Boolean(), nullable=True))


def downgrade() -> None:
    """Revert this revision.

    Plain ``DROP COLUMN`` (SQLite 3.35+ and PostgreSQL): a batch table copy would have to
    drop ``municipality``, which the other tables' foreign keys forbid.
    """
    for table, columns in (
        (
            "intervention",
            (
                "separate_visit",
                "late_allowance_min",
                "second_staff_competence",
                "max_gap_min",
                "min_gap_min",
                "gap_group",
            ),
        ),
        ("patient", ("language", "preferred_staff_ids", "refused_staff_ids")),
        ("municipality", ("rules_json",)),
    ):
        for column in columns:
            op.drop_column(table, column)
