"""privacy: the record of each shopper erasure, and the erased shoppers' old links

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 13:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shopper_erasure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("erased_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shopper_erasure")),
    )
    with op.batch_alter_table("shopper_erasure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shopper_erasure_email_hash"), ["email_hash"], unique=False
        )
    op.create_table(
        "erased_link",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("erased_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_erased_link")),
    )


def downgrade() -> None:
    op.drop_table("erased_link")
    with op.batch_alter_table("shopper_erasure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shopper_erasure_email_hash"))
    op.drop_table("shopper_erasure")
