"""run owners and calendar feeds

Revision ID: i14_0003
Revises: 0002
Create Date: 2026-12-06 00:30:00.000000

``api_plan_run.owner_id`` names the server process running a run (heartbeats, so another
server can tell a live run from one whose server died); ``api_calendar_feed`` holds nurses'
calendar-feed tokens as SHA-256 hashes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i14_0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("api_plan_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.String(length=64), nullable=True))
    op.create_table(
        "api_calendar_feed",
        sa.Column("feed_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("feed_id"),
        sa.UniqueConstraint("token_sha256"),
    )
    with op.batch_alter_table("api_calendar_feed", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_calendar_feed_municipality_id"), ["municipality_id"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("api_calendar_feed", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_calendar_feed_municipality_id"))
    op.drop_table("api_calendar_feed")
    with op.batch_alter_table("api_plan_run", schema=None) as batch_op:
        batch_op.drop_column("owner_id")
