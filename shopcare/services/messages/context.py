"""What a shopper message may say about an order, read from the store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta, tzinfo
from typing import Any

from sqlmodel import Session, col, select

from shopcare.carriers.registry import carrier_label
from shopcare.db.models import (
    Customer,
    OrderLine,
    OutboxMessage,
    ReturnLine,
    ReturnRequest,
    Shipment,
    ShopOrder,
    StoreCredit,
    TrackingEvent,
)
from shopcare.domain.messages import MessageKind, link_in_message
from shopcare.domain.money import format_money
from shopcare.domain.returns import ReturnStatus, outcome
from shopcare.domain.tokens import public_token
from shopcare.domain.utc import as_utc
from shopcare.notify.render import MessageContext
from shopcare.services.messages.watches import watch_context
from shopcare.services.shop.profile import ShopProfile
from shopcare.services.shopper_site.account import token_in_message
from shopcare.services.shopper_site.feedback import feedback_form


def message_context(
    session: Session, row: OutboxMessage, *, profile: ShopProfile, public_url: str
) -> MessageContext:
    if row.kind in (MessageKind.WATCH_UPDATE, MessageKind.WATCH_CONFIRM):  # the parcel only
        return watch_context(session, row, profile=profile, public_url=public_url)
    order = session.get(ShopOrder, row.order_id)
    assert order is not None
    customer = session.get(Customer, order.customer_id)
    assert customer is not None
    shipment = session.get(Shipment, row.shipment_id) if row.shipment_id else None
    returned = session.get(ReturnRequest, row.return_id) if row.return_id else None
    lines = session.exec(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.id))
    ).all()
    zone = profile.zone
    estimate = shipment.estimated_delivery if shipment else None
    return MessageContext(
        shop_name=profile.name,
        customer_name=customer.name or order.ship_name or order.email,
        order_number=order.order_number,
        tracking_url=tracking_url(public_url, order.public_token, kind=MessageKind(row.kind)),
        order_date=order.placed_at.astimezone(zone),
        items=_items(session, lines, returned),
        carrier=carrier_label(shipment.carrier) if shipment else "",
        tracking_number=shipment.tracking_number if shipment else "",
        estimated_delivery=(estimate - timedelta(seconds=1)).astimezone(zone).date()
        if estimate
        else None,
        location=_latest_location(session, shipment),
        support_email=profile.support_email,
        brand_color=profile.brand_color,
        logo_url=profile.logo_url,
        shop_url=profile.shop_url,
        shop_address=profile.footer_address,
        unsubscribe_url=f"{public_url}/unsubscribe/{unsubscribe_token(session, customer)}"
        if MessageKind(row.kind).offers_unsubscribe
        else "",
        feedback_url=_feedback_url(session, order, public_url, row)
        if row.kind == MessageKind.FEEDBACK_REQUEST
        else "",
        review_url=profile.review_url,
        return_url=f"{public_url}/r/{returned.public_token}" if returned else "",
        rma=returned.rma if returned else "",
        return_note=returned.owner_note if returned else "",
        **_return_values(session, returned, order.currency, zone=zone),
        account_url=f"{public_url}/account/{token_in_message(row)}"
        if row.kind == MessageKind.ACCOUNT_LINK
        else "",
    )


def _items(
    session: Session, lines: Sequence[OrderLine], returned: ReturnRequest | None
) -> list[str]:
    """The order's lines; for a message about a return, only what that return holds."""
    if returned is None:
        return [f"{line.quantity} × {line.title}" for line in lines]
    titles = {line.id: line.title for line in lines}
    held = session.exec(
        select(ReturnLine).where(ReturnLine.return_id == returned.id).order_by(col(ReturnLine.id))
    ).all()
    return [f"{r.quantity} × {titles.get(r.order_line_id, '')}" for r in held]


def _return_values(
    session: Session, returned: ReturnRequest | None, currency: str, *, zone: tzinfo
) -> dict[str, Any]:
    """How the return is settled: the refund, the store credit (its value in ``refund``) or
    the exchange order."""
    if returned is None:
        return {}
    credit = session.exec(select(StoreCredit).where(StoreCredit.return_id == returned.id)).first()
    exchange = (
        session.get(ShopOrder, returned.exchange_order_id) if returned.exchange_order_id else None
    )
    amount = credit.amount_minor if credit else returned.refund_minor
    return {
        "refund": format_money(amount, currency) if amount is not None else "",
        "resolution": outcome(ReturnStatus(returned.status), returned.resolution),
        "credit_code": returned.store_credit_code,
        "credit_expires": credit.expires_at.astimezone(zone).date()
        if credit and credit.expires_at
        else None,
        "exchange_order": exchange.order_number if exchange else "",
        "credit_balance": format_money(credit.balance_minor, credit.currency) if credit else "",
    }


def tracking_url(public_url: str, token: str, *, kind: MessageKind) -> str:
    """The order's tracking page as a message of ``kind`` links it (the page records the
    kind, for the dashboard's "which messages are followed")."""
    return link_in_message(f"{public_url}/t/{token}", kind)


def unsubscribe_token(session: Session, customer: Customer) -> str:
    """Made on first use for shoppers stored before tokens existed."""
    if not customer.unsubscribe_token:
        customer.unsubscribe_token = public_token()
        session.add(customer)
    return customer.unsubscribe_token


def _latest_location(session: Session, shipment: Shipment | None) -> str:
    if shipment is None:
        return ""
    latest = session.exec(
        select(TrackingEvent.location)
        .where(TrackingEvent.shipment_id == shipment.id)
        .order_by(col(TrackingEvent.occurred_at).desc())
        .limit(1)
    ).first()
    return latest or ""


def _feedback_url(session: Session, order: ShopOrder, public_url: str, row: OutboxMessage) -> str:
    """One feedback form per order; the link's token is its only key. The email adds
    ``?score=N`` to it for each of its eleven score links."""
    assert order.id is not None
    feedback = feedback_form(session, order.id, now=as_utc(row.created_at))
    return f"{public_url}/feedback/{feedback.public_token}"
