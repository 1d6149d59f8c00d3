"""insight: an index for the reminder results on the dashboard's messages panel (sent
reminders of one kind in a range, failed ones of one kind)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_outbox_message_kind_status_sent", "outbox_message", ["kind", "status", "sent_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_message_kind_status_sent", table_name="outbox_message")
