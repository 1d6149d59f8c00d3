"""indexes for the order list at 100,000 orders

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 06:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_shop_order_placed_at", "shop_order", ["placed_at", "id"])
    op.create_index("ix_shop_order_email", "shop_order", ["email"])
    op.create_index("ix_customer_name_lower", "customer", [sa.text("lower(name)")])
    op.create_index("ix_shipment_carrier", "shipment", ["carrier"])


def downgrade() -> None:
    op.drop_index("ix_shipment_carrier", table_name="shipment")
    op.drop_index("ix_customer_name_lower", table_name="customer")
    op.drop_index("ix_shop_order_email", table_name="shop_order")
    op.drop_index("ix_shop_order_placed_at", table_name="shop_order")
