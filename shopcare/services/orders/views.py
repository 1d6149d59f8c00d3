"""Read models for pages: an order with its items, parcels, events and returns, with times
already in the shop's time zone, so templates and admin pages hold no rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from shopcare.carriers.registry import carrier_label
from shopcare.db.engine import SessionFactory
from shopcare.db.models import (
    Customer,
    OrderLine,
    OutboxMessage,
    ProductVariant,
    ReturnLine,
    ReturnRequest,
    Shipment,
    ShopOrder,
)
from shopcare.domain.money import format_money
from shopcare.domain.progress import Progress, progress
from shopcare.domain.status import ShipmentStatus
from shopcare.services.messages.outbox import messages_for_order
from shopcare.services.shop.profile import ShopProfile, load_profile
from shopcare.services.tracking.recording import events_for_shipment


@dataclass(frozen=True)
class LineView:
    id: int
    title: str
    sku: str
    quantity: int
    price: str
    variant: str = ""
    image_url: str = ""
    tags: tuple[str, ...] = ()
    unit_price_minor: int = 0


@dataclass(frozen=True)
class EventView:
    at: datetime
    status: ShipmentStatus
    description: str
    location: str


@dataclass(frozen=True)
class ShipmentView:
    id: int
    carrier: str
    carrier_label: str
    tracking_number: str
    status: ShipmentStatus
    steps: list[Progress]
    events: list[EventView]
    last_polled_at: datetime | None
    next_poll_at: datetime | None
    last_error: str
    carrier_code: str = ""
    carrier_pinned: bool = False
    estimated_delivery: datetime | None = None
    """The moment the estimate passes (end of its last day), in the shop's zone."""
    estimate_source: str = ""
    delayed: bool = False
    stall_reason: str = ""
    poll_failures: int = 0
    """0 while the carrier answers: ``last_error`` then holds a note about its answer."""


@dataclass(frozen=True)
class ReturnView:
    rma: str
    token: str
    status: str
    reason: str
    created_at: datetime
    lines: list[tuple[str, int]]
    id: int = 0
    owner_note: str = ""
    locale: str = "en"
    """The shopper's language, for the pages and messages about this return."""
    items: list[ReturnItemView] = field(default_factory=list)
    comment: str = ""
    resolution: str = "refund"
    currency: str = "EUR"
    fee_minor: int = 0
    shipping_paid_by: str = "shopper"
    auto_approved: bool = False
    refund_minor: int | None = None
    store_credit_code: str = ""
    bonus_minor: int = 0
    """The bonus promised for choosing store credit or an exchange (returns.offers)."""
    parcels: list[ShipmentView] = field(default_factory=list)
    """The parcels the shopper sent back, tracked like any other."""


@dataclass(frozen=True)
class ReturnItemView:
    title: str
    variant: str
    quantity: int
    reason: str
    exchange_sku: str = ""
    exchange_variant: str = ""


@dataclass(frozen=True)
class OrderView:
    id: int
    order_number: str
    token: str
    placed_at: datetime
    customer_name: str
    email: str
    ship_postcode: str
    total: str
    lines: list[LineView]
    shipments: list[ShipmentView]
    returns: list[ReturnView]
    messages: list[OutboxMessage]
    shop: ShopProfile
    currency: str = "EUR"
    locale: str = "en"
    subscribed: bool = True
    """False once the shopper unsubscribed from optional emails."""
    total_minor: int = 0
    ship_country: str = ""
    customer_id: int = 0


def order_view_by_token(sessions: SessionFactory, token: str) -> OrderView | None:
    with sessions() as session:
        order = session.exec(select(ShopOrder).where(ShopOrder.public_token == token)).first()
        return _order_view(session, order) if order else None


def order_view_by_id(sessions: SessionFactory, order_id: int) -> OrderView | None:
    with sessions() as session:
        order = session.get(ShopOrder, order_id)
        return _order_view(session, order) if order else None


def _order_view(session: Session, order: ShopOrder) -> OrderView:
    assert order.id is not None
    shop = load_profile(session)
    zone = shop.zone
    customer = session.get(Customer, order.customer_id)
    lines = session.exec(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.id))
    ).all()
    shipments = session.exec(  # the order's own parcels, not the ones its returns send back
        select(Shipment)
        .where(Shipment.order_id == order.id, col(Shipment.return_id).is_(None))
        .order_by(col(Shipment.id))
    ).all()
    return order_view(
        order,
        shop=shop,
        customer_name=customer.name if customer else "",
        customer_locale=customer.locale if customer else "",
        subscribed=customer is None or customer.unsubscribed_at is None,
        lines=[line_view(li, order.currency) for li in lines],
        shipments=[_shipment_view(session, s, zone) for s in shipments],
        returns=returns_for_order(session, order.id, zone=zone),
        messages=messages_for_order(session, order.id),
    )


def order_view(
    order: Any,
    *,
    shop: ShopProfile,
    customer_name: str,
    customer_locale: str,
    subscribed: bool,
    lines: list[LineView],
    shipments: list[ShipmentView],
    returns: list[ReturnView],
    messages: list[OutboxMessage],
) -> OrderView:
    """``order``: a ShopOrder, or a row with its columns (the tracking page's one query)."""
    return OrderView(
        id=order.id,
        order_number=order.order_number,
        token=order.public_token,
        placed_at=order.placed_at.astimezone(shop.zone),
        customer_name=customer_name or order.ship_name,
        email=order.email,
        ship_postcode=order.ship_postcode,
        total=format_money(order.total_minor, order.currency),
        lines=lines,
        shipments=shipments,
        returns=returns,
        messages=messages,
        shop=shop,
        currency=order.currency,
        locale=customer_locale or "en",
        subscribed=subscribed,
        total_minor=order.total_minor,
        ship_country=order.ship_country,
        customer_id=order.customer_id,
    )


def line_view(li: Any, currency: str) -> LineView:
    """``li``: an OrderLine, or a row with its columns."""
    return LineView(
        id=li.id or 0,
        title=li.title,
        sku=li.sku,
        quantity=li.quantity,
        price=format_money(li.unit_price_minor, currency),
        variant=li.variant,
        image_url=li.image_url,
        tags=tuple(t.strip() for t in li.tags.split(",") if t.strip()),
        unit_price_minor=li.unit_price_minor,
    )


def event_view(
    *, occurred_at: datetime, status: str, description: str, location: str, zone: ZoneInfo
) -> EventView:
    return EventView(
        at=occurred_at.astimezone(zone),
        status=ShipmentStatus(status),
        description=description,
        location=location,
    )


def shipment_view(s: Any, events: list[EventView], zone: ZoneInfo) -> ShipmentView:
    """``s``: a Shipment, or a row with its columns; times shown in ``zone``."""
    status = ShipmentStatus(s.status)
    return ShipmentView(
        id=s.id,
        carrier=s.carrier,
        carrier_label=carrier_label(s.carrier),
        tracking_number=s.tracking_number,
        status=status,
        steps=progress(status),
        events=events,
        last_polled_at=_local(s.last_polled_at, zone),
        next_poll_at=_local(s.next_poll_at, zone),
        last_error=s.last_error,
        carrier_code=s.carrier_code,
        carrier_pinned=s.carrier_pinned,
        estimated_delivery=_local(s.estimated_delivery, zone),
        estimate_source=s.estimate_source,
        delayed=s.delayed,
        stall_reason=s.stall_reason,
        poll_failures=getattr(s, "poll_failures", 0),  # the public page's rows leave it out
    )


def _local(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    return value.astimezone(zone) if value else None


def _shipment_view(session: Session, s: Shipment, zone: ZoneInfo) -> ShipmentView:
    assert s.id is not None
    return shipment_view(s, shipment_events(session, s.id, zone), zone)


def shipment_events(session: Session, shipment_id: int, zone: ZoneInfo) -> list[EventView]:
    """The parcel's events, newest first, in ``zone``."""
    return [
        event_view(
            occurred_at=e.occurred_at,
            status=e.status,
            description=e.description,
            location=e.location,
            zone=zone,
        )
        for e in events_for_shipment(session, shipment_id)
    ]


def returns_for_order(session: Session, order_id: int, *, zone: ZoneInfo) -> list[ReturnView]:
    requests = session.exec(
        select(ReturnRequest)
        .where(ReturnRequest.order_id == order_id)
        .order_by(col(ReturnRequest.id))
    ).all()
    return [return_view(session, r, zone=zone) for r in requests]


def return_view(session: Session, request: ReturnRequest, *, zone: ZoneInfo) -> ReturnView:
    rows = session.exec(
        select(ReturnLine, OrderLine)
        .join(OrderLine, col(OrderLine.id) == col(ReturnLine.order_line_id))
        .where(ReturnLine.return_id == request.id)
        .order_by(col(ReturnLine.id))
    ).all()
    order = session.get(ShopOrder, request.order_id)
    return ReturnView(
        rma=request.rma,
        token=request.public_token,
        status=request.status,
        reason=request.reason,
        created_at=request.created_at.astimezone(zone),
        lines=[(line.title, rl.quantity) for rl, line in rows],
        id=request.id or 0,
        owner_note=request.owner_note,
        locale=_shopper_locale(session, request.order_id),
        items=[_return_item(session, rl, line) for rl, line in rows],
        comment=request.comment,
        resolution=request.resolution,
        currency=order.currency if order else "EUR",
        fee_minor=request.fee_minor,
        shipping_paid_by=request.shipping_paid_by,
        auto_approved=request.auto_approved,
        refund_minor=request.refund_minor,
        store_credit_code=request.store_credit_code,
        bonus_minor=request.bonus_minor,
        parcels=[
            _shipment_view(session, s, zone)
            for s in session.exec(
                select(Shipment).where(Shipment.return_id == request.id).order_by(col(Shipment.id))
            ).all()
        ],
    )


def _return_item(session: Session, rl: ReturnLine, line: OrderLine) -> ReturnItemView:
    wanted = (
        session.exec(select(ProductVariant).where(ProductVariant.sku == rl.exchange_sku)).first()
        if rl.exchange_sku
        else None
    )
    return ReturnItemView(
        title=line.title,
        variant=line.variant,
        quantity=rl.quantity,
        reason=rl.reason,
        exchange_sku=rl.exchange_sku,
        exchange_variant=(wanted.variant or wanted.title) if wanted else rl.exchange_sku,
    )


def _shopper_locale(session: Session, order_id: int) -> str:
    order = session.get(ShopOrder, order_id)
    customer = session.get(Customer, order.customer_id) if order else None
    return customer.locale if customer else "en"
