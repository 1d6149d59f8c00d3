"""notifications: channels, unsubscribe tokens, shopper phone, owner templates.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 21:50:57.629333
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "message_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_template")),
        sa.UniqueConstraint("kind", "locale", name=op.f("uq_message_template_kind")),
    )
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("phone", sa.String(length=32), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("unsubscribe_token", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("unsubscribed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_customer_unsubscribe_token"), ["unsubscribe_token"]
        )

    # Every existing shopper gets an unguessable unsubscribe token.
    connection = op.get_bind()
    ids = connection.execute(sa.text("SELECT id FROM customer")).scalars().all()
    for customer_id in ids:
        connection.execute(
            sa.text("UPDATE customer SET unsubscribe_token = :token WHERE id = :id"),
            {"token": secrets.token_urlsafe(24), "id": customer_id},
        )

    with op.batch_alter_table("return_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_note", sa.Text(), server_default="", nullable=False))

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel", sa.String(length=16), server_default="email", nullable=False)
        )
        batch_op.add_column(sa.Column("return_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_message_return_id_return_request"),
            "return_request",
            ["return_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_message_return_id_return_request"), type_="foreignkey"
        )
        batch_op.drop_column("return_id")
        batch_op.drop_column("channel")

    with op.batch_alter_table("return_request", schema=None) as batch_op:
        batch_op.drop_column("owner_note")

    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_customer_unsubscribe_token"), type_="unique")
        batch_op.drop_column("unsubscribed_at")
        batch_op.drop_column("unsubscribe_token")
        batch_op.drop_column("phone")

    op.drop_table("message_template")
