"""Twilio's delivery reports: the MessageSid of each SMS and WhatsApp message, and what
Twilio last said became of it (delivered, read, failed with an error code)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(
            sa.Column("provider_id", sa.String(length=64), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("delivery", sa.String(length=16), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("delivery_error", sa.Integer(), nullable=True))
        batch.create_index("ix_outbox_message_provider_id", ["provider_id"])


def downgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_index("ix_outbox_message_provider_id")
        batch.drop_column("delivery_error")
        batch.drop_column("delivery")
        batch.drop_column("provider_id")
