"""A cancelled order is no longer followed and sends nothing more: its parcels leave the
polling schedule and the messages still waiting in the outbox are skipped. Store credit it
redeemed at the checkout is given back (``credit_ledger.reverse_order_redemptions``)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from shopcare.db.models import OutboxMessage, Shipment, ShopOrder
from shopcare.domain.status import ShipmentStatus
from shopcare.services.returns.credit_ledger import reverse_order_redemptions

_ORDER = ShopOrder.__table__  # type: ignore[attr-defined]
_SHIPMENT = Shipment.__table__  # type: ignore[attr-defined]
_OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
_FINAL = [s.value for s in (ShipmentStatus.DELIVERED, ShipmentStatus.RETURNED_TO_SENDER)]


def cancel_order(
    session: Session, order_id: int, *, now: datetime, at: datetime | None = None
) -> bool:
    """Cancel in the caller's transaction; False when it was cancelled already (or unknown)."""
    changed = session.execute(
        sa.update(_ORDER)
        .where(_ORDER.c.id == order_id, _ORDER.c.cancelled_at.is_(None))
        .values(cancelled_at=at or now, updated_at=now)
    ).rowcount
    if changed:
        stop_following(session, order_id, now=now)
        reverse_order_redemptions(session, order_id, now=now)
    return bool(changed)


def stop_following(session: Session, order_id: int, *, now: datetime) -> None:
    session.execute(
        sa.update(_SHIPMENT)
        .where(_SHIPMENT.c.order_id == order_id, _SHIPMENT.c.return_id.is_(None))
        .values(next_poll_at=None)
    )
    session.execute(
        sa.update(_OUTBOX)
        .where(_OUTBOX.c.order_id == order_id, _OUTBOX.c.status == "queued")
        .values(status="skipped", last_error="order cancelled")
    )


def resume_following(session: Session, order_id: int, *, now: datetime) -> None:
    """The platform took the cancellation back (WooCommerce lets an order leave
    "cancelled"): its parcels are followed again. Skipped messages stay skipped."""
    session.execute(
        sa.update(_ORDER).where(_ORDER.c.id == order_id).values(cancelled_at=None, updated_at=now)
    )
    session.execute(
        sa.update(_SHIPMENT)
        .where(
            _SHIPMENT.c.order_id == order_id,
            _SHIPMENT.c.carrier != "",
            _SHIPMENT.c.status.not_in(_FINAL),
        )
        .values(next_poll_at=now)
    )
