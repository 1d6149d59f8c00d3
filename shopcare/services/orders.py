"""Orders in: by hand, and (later) from CSV, webhooks and the REST API, all through here."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import Customer, OrderLine, Shipment, ShopOrder
from shopcare.domain.carrier_choice import choose_carrier
from shopcare.domain.messages import MessageKind
from shopcare.domain.status import ShipmentStatus
from shopcare.services.errors import InputError
from shopcare.services.outbox import enqueue
from shopcare.services.product_catalog import record_order_lines

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass(frozen=True)
class LineIn:
    title: str
    quantity: int = 1
    unit_price_minor: int = 0
    sku: str = ""
    variant: str = ""
    product_key: str = ""
    tags: str = ""
    image_url: str = ""


@dataclass(frozen=True)
class ShipmentIn:
    carrier: str
    """An adapter name, or "" to choose from the number and the configured accounts."""
    tracking_number: str
    carrier_code: str = ""
    pinned: bool = True
    """Chosen by a person (False when ShopCare chose from the number)."""


@dataclass(frozen=True)
class OrderIn:
    order_number: str
    email: str
    placed_at: datetime
    lines: Sequence[LineIn]
    customer_name: str = ""
    currency: str = "EUR"
    ship_address1: str = ""
    ship_city: str = ""
    ship_postcode: str = ""
    ship_country: str = ""
    locale: str = "en"
    phone: str = ""
    source: str = "manual"
    shipments: Sequence[ShipmentIn] = field(default_factory=tuple)


def create_order(
    sessions: SessionFactory, order_in: OrderIn, *, now: datetime, carriers: Sequence[str]
) -> ShopOrder:
    """Store the order and its shipments, and queue the confirmation in the same commit."""
    problems = order_problems(order_in, carriers=carriers)
    if problems:
        raise InputError("; ".join(problems))
    with transaction(sessions) as session:
        number = order_in.order_number.strip()
        if session.exec(select(ShopOrder).where(ShopOrder.order_number == number)).first():
            raise InputError(f"order {number} exists already")
        customer = _customer(session, order_in, now=now)
        order = ShopOrder(
            order_number=number,
            customer_id=customer.id,
            email=customer.email,
            placed_at=order_in.placed_at,
            currency=order_in.currency.upper(),
            total_minor=sum(li.quantity * li.unit_price_minor for li in order_in.lines),
            ship_name=order_in.customer_name.strip(),
            ship_address1=order_in.ship_address1.strip(),
            ship_city=order_in.ship_city.strip(),
            ship_postcode=order_in.ship_postcode.strip(),
            ship_country=order_in.ship_country.strip().upper(),
            source=order_in.source,
            public_token=secrets.token_urlsafe(24),
            created_at=now,
        )
        session.add(order)
        session.flush()
        assert order.id is not None
        lines = [
            OrderLine(
                order_id=order.id,
                sku=li.sku.strip(),
                title=li.title.strip(),
                quantity=li.quantity,
                unit_price_minor=li.unit_price_minor,
                variant=li.variant.strip(),
                product_key=li.product_key.strip(),
                tags=li.tags.strip(),
                image_url=li.image_url.strip(),
            )
            for li in order_in.lines
        ]
        session.add_all(lines)
        record_order_lines(session, lines, now=now)
        for shipment_in in order_in.shipments:
            add_shipment(session, order, _resolved(shipment_in, carriers), now=now)
        enqueue(session, MessageKind.ORDER_CONFIRMED, order=order, now=now)
    return order


def add_shipment(
    session: Session, order: ShopOrder, shipment_in: ShipmentIn, *, now: datetime
) -> Shipment:
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


def order_problems(order_in: OrderIn, *, carriers: Sequence[str]) -> list[str]:
    problems = []
    if not order_in.order_number.strip():
        problems.append("order number is missing")
    if not _EMAIL.match(order_in.email.strip()):
        problems.append(f"email {order_in.email!r} is not an email address")
    if not order_in.lines:
        problems.append("an order needs at least one item")
    for li in order_in.lines:
        if not li.title.strip():
            problems.append("every item needs a title")
        if li.quantity < 1:
            problems.append(f"quantity of {li.title!r} must be at least 1")
        if li.unit_price_minor < 0:
            problems.append(f"price of {li.title!r} cannot be negative")
    if order_in.placed_at.tzinfo is None:
        problems.append("order date needs a time zone")
    for s in order_in.shipments:
        number = normalise_tracking_number(s.tracking_number)
        if not number:
            problems.append("tracking number is missing")
        elif s.carrier and s.carrier not in carriers:
            problems.append(f"unknown carrier {s.carrier!r}; known: {', '.join(carriers)}")
        elif not s.carrier and choose_carrier(number, configured=carriers) is None:
            problems.append(
                f"no carrier account can follow {number}: choose a carrier or set one up"
            )
    return problems


def _resolved(shipment_in: ShipmentIn, carriers: Sequence[str]) -> ShipmentIn:
    """Fill in the carrier from the number when the owner or platform left it out."""
    if shipment_in.carrier:
        return shipment_in
    choice = choose_carrier(
        normalise_tracking_number(shipment_in.tracking_number), configured=carriers
    )
    assert choice is not None  # checked in order_problems
    return ShipmentIn(
        choice.adapter, shipment_in.tracking_number, carrier_code=choice.carrier_code, pinned=False
    )


def normalise_tracking_number(number: str) -> str:
    return re.sub(r"[\s-]", "", number).upper()


def _customer(session: Session, order_in: OrderIn, *, now: datetime) -> Customer:
    email = order_in.email.strip().lower()
    customer = session.exec(select(Customer).where(Customer.email == email)).first()
    if customer is None:
        customer = Customer(
            email=email,
            name=order_in.customer_name.strip(),
            locale=order_in.locale,
            phone=order_in.phone.strip(),
            unsubscribe_token=secrets.token_urlsafe(24),
            created_at=now,
        )
        session.add(customer)
        session.flush()
    return customer
