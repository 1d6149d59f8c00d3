"""insight: the message kind a page view came from, the first delivery estimate shown, and
the indexes the dashboard's messages, returns and customers panels read through

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("page_view") as batch:
        batch.add_column(sa.Column("message_kind", sa.String(length=32), nullable=True))
    with op.batch_alter_table("shipment") as batch:
        batch.add_column(
            sa.Column("first_estimate", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    # The first estimate of parcels tracked before it was kept is not known any more; the
    # current one is the best there is (for the shop's own rule it rarely moves).
    op.execute("UPDATE shipment SET first_estimate = estimated_delivery")
    op.create_index("ix_page_view_message_kind_at", "page_view", ["message_kind", "at"])
    op.create_index(
        "ix_outbox_message_created_kind", "outbox_message", ["created_at", "kind", "status"]
    )
    op.create_index("ix_customer_unsubscribed_at", "customer", ["unsubscribed_at"])
    op.create_index("ix_shop_order_customer_placed", "shop_order", ["customer_id", "placed_at"])
    op.create_index(
        "ix_tracking_event_shipment_status", "tracking_event", ["shipment_id", "status"]
    )


def downgrade() -> None:
    op.drop_index("ix_tracking_event_shipment_status", table_name="tracking_event")
    op.drop_index("ix_shop_order_customer_placed", table_name="shop_order")
    op.drop_index("ix_customer_unsubscribed_at", table_name="customer")
    op.drop_index("ix_outbox_message_created_kind", table_name="outbox_message")
    op.drop_index("ix_page_view_message_kind_at", table_name="page_view")
    with op.batch_alter_table("shipment") as batch:
        batch.drop_column("first_estimate")
    with op.batch_alter_table("page_view") as batch:
        batch.drop_column("message_kind")
