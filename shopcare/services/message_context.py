"""What a shopper message may say about an order, read from the store."""

from __future__ import annotations

from sqlmodel import Session, col, select

from shopcare.carriers.registry import carrier_label
from shopcare.db.models import Customer, OrderLine, OutboxMessage, Shipment, ShopOrder
from shopcare.notify.render import MessageContext
from shopcare.services.shop import ShopProfile


def message_context(
    session: Session, row: OutboxMessage, *, profile: ShopProfile, public_url: str
) -> MessageContext:
    order = session.get(ShopOrder, row.order_id)
    assert order is not None
    customer = session.get(Customer, order.customer_id)
    shipment = session.get(Shipment, row.shipment_id) if row.shipment_id else None
    lines = session.exec(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.id))
    ).all()
    return MessageContext(
        shop_name=profile.name,
        customer_name=(customer.name if customer and customer.name else order.ship_name)
        or order.email,
        order_number=order.order_number,
        tracking_url=tracking_url(public_url, order.public_token),
        items=[f"{line.quantity} × {line.title}" for line in lines],
        carrier=carrier_label(shipment.carrier) if shipment else "",
        tracking_number=shipment.tracking_number if shipment else "",
        status_text=shipment.status if shipment else "",
    )


def tracking_url(public_url: str, token: str) -> str:
    return f"{public_url}/t/{token}"
