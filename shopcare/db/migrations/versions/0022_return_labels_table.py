"""returns: prepaid return labels (one row per return: purchase state, the provider's
references, cost and the label file)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "return_label",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("idempotency_key", sa.String(100), nullable=False),
        sa.Column("shipment_ref", sa.String(100), nullable=False),
        sa.Column("rate_ref", sa.String(100), nullable=False),
        sa.Column("purchase_ref", sa.String(100), nullable=False),
        sa.Column("carrier", sa.String(64), nullable=False),
        sa.Column("service", sa.String(100), nullable=False),
        sa.Column("tracking_number", sa.String(64), nullable=False),
        sa.Column("label_url", sa.String(1000), nullable=False),
        sa.Column("label_type", sa.String(32), nullable=False),
        sa.Column("label_file", sa.Text(), nullable=False),
        sa.Column("cost_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("error", sa.String(500), nullable=False),
        sa.Column("error_kind", sa.String(16), nullable=False),
        sa.Column("uncertain", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("refund_status", sa.String(32), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("claimed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("bought_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["return_id"],
            ["return_request.id"],
            name=op.f("fk_return_label_return_id_return_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_label")),
        sa.UniqueConstraint("return_id", name=op.f("uq_return_label_return_id")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_return_label_idempotency_key")),
    )
    op.create_index(op.f("ix_return_label_state"), "return_label", ["state"])
    op.create_index(op.f("ix_return_label_bought_at"), "return_label", ["bought_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_return_label_bought_at"), table_name="return_label")
    op.drop_index(op.f("ix_return_label_state"), table_name="return_label")
    op.drop_table("return_label")
