"""admin roles: owner and staff

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # every account made before roles was the shop's owner's
    with op.batch_alter_table("admin_user") as batch:
        batch.add_column(
            sa.Column("role", sa.String(length=16), nullable=False, server_default="owner")
        )


def downgrade() -> None:
    with op.batch_alter_table("admin_user") as batch:
        batch.drop_column("role")
