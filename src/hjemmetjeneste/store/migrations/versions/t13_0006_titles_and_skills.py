"""titles and skills: own competence titles (with their level) and skills in the catalogue

A catalogue entry may now be a competence title, with the level it counts as (``level``),
or a skill; any entry may list other spellings (``aliases``). A caregiver's own title is
kept beside the level it counts as (``staff.competence_title``; NULL for a plain level).

Revision ID: t13_0006
Revises: s16b_0005
Create Date: 2026-12-06 06:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "t13_0006"
down_revision: str | None = "s16b_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("catalogue_entry") as batch:
        batch.add_column(sa.Column("level", sa.String(32), nullable=True))
        batch.add_column(sa.Column("aliases", sa.Text(), nullable=True))
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("competence_title", sa.Text(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("competence_title")
    with op.batch_alter_table("catalogue_entry") as batch:
        batch.drop_column("aliases")
        batch.drop_column("level")
