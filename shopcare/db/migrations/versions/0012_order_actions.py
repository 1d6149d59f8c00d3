"""order actions: who edited, cancelled or added a parcel to an order, in its timeline

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 06:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_note") as batch:
        batch.add_column(
            sa.Column("action", sa.String(length=32), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("order_note") as batch:
        batch.drop_column("action")
