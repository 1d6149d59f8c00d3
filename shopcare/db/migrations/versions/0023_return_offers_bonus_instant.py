"""return offers: the bonus recorded on a return, the credit an exchange for a cheaper
product leaves over, and the instant exchange's watch

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("return_request", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("bonus_minor", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("instant_exchange_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("watch_flagged_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    with op.batch_alter_table("return_line", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("exchange_credit_minor", sa.BigInteger(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("return_line", schema=None) as batch_op:
        batch_op.drop_column("exchange_credit_minor")
    with op.batch_alter_table("return_request", schema=None) as batch_op:
        batch_op.drop_column("watch_flagged_at")
        batch_op.drop_column("instant_exchange_at")
        batch_op.drop_column("bonus_minor")
