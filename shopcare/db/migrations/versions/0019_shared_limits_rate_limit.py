"""limits: the attempts against guessing counted in the store, one budget for every process

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("ends_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", "key_hash", name=op.f("pk_rate_limit")),
    )
    op.create_index(op.f("ix_rate_limit_ends_at"), "rate_limit", ["ends_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_rate_limit_ends_at"), table_name="rate_limit")
    op.drop_table("rate_limit")
