"""Orders by hand: the Add order form, exchange orders, the demo. They go through the same
order writer as every other source (``services.intake.writer``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import Shipment, ShopOrder
from shopcare.domain.carrier_choice import carrier_from_name
from shopcare.domain.intake import LineIn, Mode, OrderIn, ShipmentIn, normalise_tracking_number
from shopcare.domain.status import ShipmentStatus
from shopcare.services.errors import InputError
from shopcare.services.intake.writer import write_orders

__all__ = [
    "LineIn",
    "OrderIn",
    "ShipmentIn",
    "add_shipment",
    "create_order",
    "normalise_tracking_number",
]


def create_order(
    sessions: SessionFactory, order_in: OrderIn, *, now: datetime, carriers: Sequence[str]
) -> ShopOrder:
    """A new order: an order number already stored is refused rather than updated."""
    number = order_in.order_number.strip()
    unknown = [
        s.carrier
        for s in order_in.shipments
        if s.carrier and s.carrier not in carriers and not carrier_from_name(s.carrier)
    ]
    with transaction(sessions) as session:
        taken = select(ShopOrder).where(ShopOrder.order_number == number)
        if number and session.exec(taken).first():
            raise InputError(f"order {number} exists already")
        (written,) = write_orders(session, [order_in], now=now, carriers=carriers, mode=Mode.LIVE)
        problems = list(written.problems)
        problems += [f"unknown carrier {c!r}; known: {', '.join(carriers)}" for c in unknown]
        if problems:
            raise InputError("; ".join(problems))
        order = session.get(ShopOrder, written.order_id)
        assert order is not None
    return order


def add_shipment(
    session: Session, order: ShopOrder, shipment_in: ShipmentIn, *, now: datetime
) -> Shipment:
    """A parcel whose adapter is already chosen (a return's parcel), in the caller's
    transaction."""
    assert order.id is not None
    shipment = Shipment(
        order_id=order.id,
        carrier=shipment_in.carrier,
        carrier_code=shipment_in.carrier_code,
        carrier_pinned=shipment_in.pinned,
        tracking_number=normalise_tracking_number(shipment_in.tracking_number),
        status=ShipmentStatus.PENDING,
        shipped_at=now,
        next_poll_at=now,
        created_at=now,
    )
    session.add(shipment)
    session.flush()
    return shipment
