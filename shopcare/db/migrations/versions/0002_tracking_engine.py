"""tracking engine: carrier accounts, provider state, pushes, estimates and stalls.

New NOT NULL columns carry server defaults so existing shipments upgrade in place.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 21:19:59.492529
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "carrier_account",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("credentials", sa.Text(), nullable=False),
        sa.Column("base_url", sa.String(length=300), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_carrier_account")),
    )
    op.create_table(
        "inbound_push",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("push_key", sa.String(length=128), nullable=False),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updates", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_push")),
        sa.UniqueConstraint("provider", "push_key", name=op.f("uq_inbound_push_provider")),
    )
    op.create_table(
        "provider_state",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("open_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("paused_reason", sa.String(length=500), nullable=False),
        sa.Column("alert_seen", sa.Boolean(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("calls_today", sa.Integer(), nullable=False),
        sa.Column("errors_today", sa.Integer(), nullable=False),
        sa.Column("hour_start", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("calls_this_hour", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("last_call_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_provider_state")),
    )
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("carrier_code", server_default="", type_=sa.String(length=32), nullable=False)
        )
        batch_op.add_column(
            sa.Column("carrier_pinned", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("carrier_estimate", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("estimated_delivery", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "estimate_source", server_default="", type_=sa.String(length=16), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("delayed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("stall_key", server_default="", type_=sa.String(length=64), nullable=False)
        )
        batch_op.add_column(
            sa.Column("stall_reason", server_default="", type_=sa.String(length=32), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.drop_column("stall_reason")
        batch_op.drop_column("stall_key")
        batch_op.drop_column("delayed")
        batch_op.drop_column("estimate_source")
        batch_op.drop_column("estimated_delivery")
        batch_op.drop_column("carrier_estimate")
        batch_op.drop_column("carrier_pinned")
        batch_op.drop_column("carrier_code")

    op.drop_table("provider_state")
    op.drop_table("inbound_push")
    op.drop_table("carrier_account")
