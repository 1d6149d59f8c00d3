"""insight: indexes for the dashboard's delivery, WISMO and "needs action" panels (the first
estimate itself came with 0016)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 08:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_shipment_delivered",
        "shipment",
        ["delivered_at", "carrier", "carrier_code", "shipped_at", "first_estimate", "order_id",
         "return_id"],
    )  # fmt: skip
    op.create_index("ix_shipment_delayed", "shipment", ["delayed", "order_id"])
    op.create_index(
        "ix_tracking_event_status_at",
        "tracking_event",
        ["status", "occurred_at", "shipment_id"],
    )
    op.create_index("ix_page_view_order_kind_at", "page_view", ["order_id", "kind", "at"])


def downgrade() -> None:
    op.drop_index("ix_page_view_order_kind_at", table_name="page_view")
    op.drop_index("ix_tracking_event_status_at", table_name="tracking_event")
    op.drop_index("ix_shipment_delivered", table_name="shipment")
    op.drop_index("ix_shipment_delayed", table_name="shipment")
