"""store credit: each credit's balance, expiry and voiding, and the log of its redemptions

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("store_credit") as batch:
        batch.add_column(
            sa.Column("balance_minor", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch.add_column(
            sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch.add_column(sa.Column("voided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    # Nothing recorded a redemption before: every credit issued so far is whole.
    op.execute("UPDATE store_credit SET balance_minor = amount_minor")
    op.create_table(
        "store_credit_redemption",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credit_id", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("order_number", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("order_use", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["credit_id"],
            ["store_credit.id"],
            name=op.f("fk_store_credit_redemption_credit_id_store_credit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_credit_redemption")),
        sa.UniqueConstraint("order_use", name=op.f("uq_store_credit_redemption_order_use")),
    )
    with op.batch_alter_table("store_credit_redemption") as batch:
        batch.create_index(batch.f("ix_store_credit_redemption_at"), ["at"], unique=False)
        batch.create_index(
            batch.f("ix_store_credit_redemption_credit_id"), ["credit_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("store_credit_redemption")
    with op.batch_alter_table("store_credit") as batch:
        batch.drop_column("voided_at")
        batch.drop_column("expires_at")
        batch.drop_column("balance_minor")
