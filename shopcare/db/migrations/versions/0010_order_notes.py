"""order notes: the owner's notes in an order's timeline

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 06:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["shop_order.id"], name=op.f("fk_order_note_order_id_shop_order")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_note")),
    )
    with op.batch_alter_table("order_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_note_order_id"), ["order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("order_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_note_order_id"))
    op.drop_table("order_note")
