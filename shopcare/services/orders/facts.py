"""What the owner's order page shows beyond the shopper's view of an order: the full
shipping address with the country by name, whether an email can reach the shopper,
whether the order was cancelled, and what went into each parcel. Read only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, select

from shopcare.db.engine import SessionFactory
from shopcare.db.models import Customer, OrderLine, Shipment, ShipmentLine, ShopOrder
from shopcare.services.shop.countries import address_lines
from shopcare.services.shop.profile import load_profile


@dataclass(frozen=True)
class OrderFacts:
    address: list[str]
    """The shipping address a part a line, as on the packing slip."""
    phone: str
    email_problem: str
    """Why no message can reach the shopper; "" when one can."""
    cancelled_at: datetime | None
    """In the shop's zone."""
    source: str
    packed: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    """Shipment id -> (quantity, item title) of what went into it, when known."""


def order_facts(sessions: SessionFactory, order_id: int) -> OrderFacts | None:
    with sessions() as session:
        order = session.get(ShopOrder, order_id)
        if order is None:
            return None
        zone = load_profile(session).zone
        customer = session.get(Customer, order.customer_id)
        rows = session.exec(
            select(ShipmentLine.shipment_id, ShipmentLine.quantity, OrderLine.title)
            .join(OrderLine, col(OrderLine.id) == col(ShipmentLine.order_line_id))
            .join(Shipment, col(Shipment.id) == col(ShipmentLine.shipment_id))
            .where(Shipment.order_id == order_id)
            .order_by(col(ShipmentLine.id))
        ).all()
        packed: dict[int, list[tuple[int, str]]] = {}
        for shipment_id, quantity, title in rows:
            packed.setdefault(shipment_id, []).append((quantity, title))
        return OrderFacts(
            address=address_lines(
                name=order.ship_name,
                address1=order.ship_address1,
                address2=order.ship_address2,
                postcode=order.ship_postcode,
                city=order.ship_city,
                region=order.ship_region,
                country=order.ship_country,
            ),
            phone=order.ship_phone or (customer.phone if customer else ""),
            email_problem=order.email_problem,
            cancelled_at=order.cancelled_at.astimezone(zone) if order.cancelled_at else None,
            source=order.source,
            packed=packed,
        )
