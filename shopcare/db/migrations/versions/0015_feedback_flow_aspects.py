"""feedback: aspect ratings, CSAT, when an answer was edited; answers indexed by date

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RATINGS = ("csat", "rating_product", "rating_delivery", "rating_packaging",
            "rating_communication")  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        for name in _RATINGS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_feedback_answered_at"), ["answered_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_answered_at"))
        for name in reversed(_RATINGS):
            batch_op.drop_column(name)
        batch_op.drop_column("updated_at")
