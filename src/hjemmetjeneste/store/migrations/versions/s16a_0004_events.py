"""events, re-plans, notices, patient messages and the webhook outbox (issue #16)

Revision ID: s16a_0004
Revises: i17_0003
Create Date: 2026-12-06 03:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s16a_0004"
down_revision: str | None = "i17_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "api_event",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("patient_id", sa.String(length=128), nullable=True),
        sa.Column("staff_id", sa.String(length=128), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("payload_json", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_role", sa.String(length=16), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("decided_by", sa.String(length=128), nullable=True),
        sa.Column("decided_at", _TZ, nullable=True),
        sa.Column("result_json", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_api_event")),
    )
    op.create_table(
        "api_replan",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("district_id", sa.String(length=128), nullable=False),
        sa.Column("plan_date", sa.Date(), nullable=False),
        sa.Column("shift", sa.String(length=16), nullable=False),
        sa.Column("base_run_id", sa.String(length=36), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("now", _TZ, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("changes_json", sa.Text(), nullable=True),
        sa.Column("cancelled_json", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_api_replan")),
    )
    op.create_table(
        "api_notice",
        sa.Column("notice_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=True),
        sa.Column("visit_id", sa.String(length=256), nullable=True),
        sa.Column("old_start", _TZ, nullable=True),
        sa.Column("old_end", _TZ, nullable=True),
        sa.Column("new_start", _TZ, nullable=True),
        sa.Column("new_end", _TZ, nullable=True),
        sa.Column("event_id", sa.String(length=36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("notice_id", name=op.f("pk_api_notice")),
    )
    op.create_table(
        "api_patient_message",
        sa.Column("message_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_api_patient_message")),
    )
    op.create_table(
        "api_webhook_outbox",
        sa.Column("outbox_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("municipality_id", sa.String(length=64), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("payload_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _TZ, nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("delivered_at", _TZ, nullable=True),
        sa.PrimaryKeyConstraint("outbox_id", name=op.f("pk_api_webhook_outbox")),
    )
    for table, columns in (
        ("api_event", ("municipality_id",)),
        ("api_replan", ("event_id",)),
        ("api_notice", ("municipality_id", "patient_id")),
        ("api_patient_message", ("municipality_id",)),
        ("api_webhook_outbox", ("municipality_id",)),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    for table in (
        "api_webhook_outbox",
        "api_patient_message",
        "api_notice",
        "api_replan",
        "api_event",
    ):
        op.drop_table(table)
