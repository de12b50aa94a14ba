"""continuity of care: the patient's primary contact and care team

Revision ID: s12_0004
Revises: s18b_0004
Create Date: 2026-12-06 03:00:00.000000

Both columns are nullable and NULL means none, so a database imported before this revision
upgrades in place and plans exactly as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s12_0004"
down_revision: str | None = "s18b_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("primary_contact_id", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("care_team_ids", sa.Text(), nullable=True))


def downgrade() -> None:
    """Revert this revision (plain ``DROP COLUMN``, as in 0002)."""
    for column in ("care_team_ids", "primary_contact_id"):
        op.drop_column("patient", column)
