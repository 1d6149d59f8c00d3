"""return actors: a return's history names the admin who took each step (their user name,
up to 100 characters) instead of the word "owner"; rows written before keep "owner"

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("return_event") as batch:
        batch.alter_column(
            "actor",
            existing_type=sa.String(length=16),
            type_=sa.String(length=100),
            existing_nullable=False,
        )


def downgrade() -> None:
    """User names longer than the old column are cut, as the old code would never read them
    whole anyway."""
    op.execute("UPDATE return_event SET actor = substr(actor, 1, 16) WHERE length(actor) > 16")
    with op.batch_alter_table("return_event") as batch:
        batch.alter_column(
            "actor",
            existing_type=sa.String(length=100),
            type_=sa.String(length=16),
            existing_nullable=False,
        )
