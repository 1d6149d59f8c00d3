"""Which shopper messages a change causes. Whether it was already sent is the outbox's job."""

from __future__ import annotations

from enum import StrEnum

from shopcare.domain.status import ShipmentStatus


class MessageKind(StrEnum):
    ORDER_CONFIRMED = "order_confirmed"
    SHIPPED = "shipped"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    DELAYED = "delayed"


_ON_ARRIVAL: dict[ShipmentStatus, MessageKind] = {
    ShipmentStatus.INFO_RECEIVED: MessageKind.SHIPPED,
    ShipmentStatus.IN_TRANSIT: MessageKind.SHIPPED,
    ShipmentStatus.OUT_FOR_DELIVERY: MessageKind.OUT_FOR_DELIVERY,
    ShipmentStatus.DELIVERED: MessageKind.DELIVERED,
}


def messages_for_change(old: ShipmentStatus, new: ShipmentStatus) -> list[MessageKind]:
    """One message for the status reached; none when nothing changed.

    A parcel that jumps several steps between two polls gets only the news that is still
    true (delivered, not "out for delivery" after the fact).
    """
    if old == new or new not in _ON_ARRIVAL:
        return []
    return [_ON_ARRIVAL[new]]


def idempotency_key(
    kind: MessageKind, *, order_id: int, shipment_id: int | None = None, occurrence: str = ""
) -> str:
    """At most one message per (shipment, milestone), or per order for order-level news;
    ``occurrence`` tells repeatable news apart (each stall is its own delay message)."""
    base = f"order:{order_id}:{kind}" if shipment_id is None else f"shipment:{shipment_id}:{kind}"
    return f"{base}:{occurrence}" if occurrence else base
