"""The shopper's tracking page as one read model: the order, and per parcel what the page
says beyond the stored facts (the carrier's own page, the estimated day, why it is late),
whether a return can start, and the feedback form once everything has arrived.

This is the busiest page of the app (shoppers come back 3-6 times per order), so it is read
in one session with plain row queries: the order with its customer, its lines, its parcels,
all their events in one query, and returns and feedback only when there can be any. It does
not load what the page never shows (the order's messages), and whether a return can start is
answered from the rows already loaded, by the same policy rules as the returns portal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col

from shopcare.carriers.registry import carrier_page
from shopcare.db.engine import SessionFactory, reads_only
from shopcare.db.models import (
    Customer,
    Feedback,
    OrderLine,
    ReturnRequest,
    Setting,
    Shipment,
    ShopOrder,
    TrackingEvent,
)
from shopcare.domain.return_policy import ReturnPolicy
from shopcare.domain.status import ShipmentStatus
from shopcare.services.messages.rules import SETTING_KEY as MESSAGES_KEY
from shopcare.services.messages.rules import MessageRules
from shopcare.services.messages.subscriptions import WhatsAppChoice, whatsapp_choice
from shopcare.services.orders.views import (
    EventView,
    OrderView,
    ShipmentView,
    event_view,
    line_view,
    order_view,
    returns_for_order,
    shipment_view,
)
from shopcare.services.returns.policy import POLICY_KEY, ReturnPolicySettings, returned_units
from shopcare.services.returns.requests import any_returnable
from shopcare.services.shop.profile import PROFILE_KEY, ShopProfile
from shopcare.services.shop.settings_rows import parse_group

NOTED = frozenset(
    {
        ShipmentStatus.AVAILABLE_FOR_PICKUP,
        ShipmentStatus.FAILED_ATTEMPT,
        ShipmentStatus.EXCEPTION,
        ShipmentStatus.RETURNED_TO_SENDER,
        ShipmentStatus.EXPIRED,
    }
)
"""Statuses the stepper names on the step where they happened: its five steps alone cannot
say "the driver missed you" or "waiting at a pickup point"."""

_ENDED = frozenset(
    {ShipmentStatus.DELIVERED, ShipmentStatus.RETURNED_TO_SENDER, ShipmentStatus.EXPIRED}
)


@dataclass(frozen=True)
class ParcelView:
    shipment: ShipmentView
    carrier_name: str
    carrier_url: str
    """The carrier's own tracking page, or "" when there is none."""
    estimate: datetime | None
    """The last day of the estimate (shown as a date), while the parcel is on its way."""
    late: bool
    late_reason: str
    """A StallReason value, or "" when the reason is unknown."""
    note: ShipmentStatus | None


@dataclass(frozen=True)
class TrackingPage:
    order: OrderView
    """Without the order's messages (``order.messages`` is empty): the page never shows them."""
    parcels: list[ParcelView]
    can_return: bool
    ask_feedback: bool
    """Every parcel is delivered and the shopper has not answered yet."""
    feedback_token: str
    """The form's token when one exists; the page then links to it, else to
    ``/t/{token}/feedback``, which makes it. Viewing the page never writes."""
    whatsapp: WhatsAppChoice | None = None
    """"Get updates on WhatsApp" or "Stop WhatsApp updates"; None: neither is offered."""


def tracking_page(sessions: SessionFactory, token: str, *, now: datetime) -> TrackingPage | None:
    with sessions() as session:
        reads_only(session)
        loaded = _load(session, token, now=now)
    if loaded is None:
        return None
    order, can_return, feedback, whatsapp = loaded
    parcels = [_parcel(s) for s in order.shipments]
    delivered = bool(parcels) and all(
        p.shipment.status is ShipmentStatus.DELIVERED for p in parcels
    )
    return TrackingPage(
        order=order,
        parcels=parcels,
        can_return=can_return,
        ask_feedback=delivered and feedback != "",
        feedback_token=(feedback or "") if delivered else "",
        whatsapp=whatsapp,
    )


def _load(
    session: Session, token: str, *, now: datetime
) -> tuple[OrderView, bool, str | None, WhatsAppChoice | None] | None:
    """The order, whether a return can start, the feedback token ("" once answered, None
    when the order has no feedback row yet) and the WhatsApp choice: three queries, and the
    order's returns only when it has some."""
    db = session.connection()
    row = db.execute(_ORDER, {"token": token}).first()
    if row is None:
        return None
    order_id: int = row.id
    shop = parse_group(ShopProfile, row.profile or "")
    zone = shop.zone
    lines = [line_view(li, row.currency) for li in db.execute(_LINES, {"order": order_id}).all()]
    shipments = _shipments(db.execute(_PARCELS, {"order": order_id}).all(), zone)
    has_returns = bool(row.has_returns)
    # While every parcel is still on its way there is nothing in hand to send back: the
    # button waits for a delivery (an order without parcels follows the policy alone).
    arrived = not shipments or any(
        at is not None or s.status is ShipmentStatus.DELIVERED for s, at in shipments
    )
    can_return = (
        bool(lines)
        and arrived
        and any_returnable(
            _policy(row.policy or ""),
            lines,
            returned=returned_units(session, order_id) if has_returns else {},
            placed_at=row.placed_at,
            delivered=[delivered for _, delivered in shipments],
            now=now,
            zone=zone,
        )
    )
    found = row.customer_found is not None
    order = order_view(
        row,
        shop=shop,
        customer_name=row.customer_name if found else "",
        customer_locale=row.customer_locale if found else "",
        subscribed=not found or row.unsubscribed_at is None,
        lines=lines,
        shipments=[s for s, _ in shipments],
        returns=returns_for_order(session, order_id, zone=zone) if has_returns else [],
        messages=[],
    )
    feedback = row.feedback
    whatsapp = (
        whatsapp_choice(
            _rules(row.messages or ""), phone=row.customer_phone, agreed_at=row.whatsapp_consent_at
        )
        if found
        else None
    )
    answered = None if feedback is None else ("" if row.answered else feedback)
    return order, can_return, answered, whatsapp


@lru_cache(maxsize=8)
def _policy(stored: str) -> ReturnPolicy:
    """The return policy as the rules take it, made once per stored text (only read)."""
    return parse_group(ReturnPolicySettings, stored).policy()


@lru_cache(maxsize=8)
def _rules(stored: str) -> MessageRules:
    """The message rules per stored text (only read: whether WhatsApp is offered)."""
    return parse_group(MessageRules, stored)


def _first(column: Any, order_id: Any) -> Any:
    return (
        sa.select(column)
        .where(col(Feedback.order_id) == order_id)
        .order_by(col(Feedback.id))
        .limit(1)
        .scalar_subquery()
    )


def _setting(key: str) -> Any:
    return sa.select(col(Setting.value)).where(col(Setting.key) == key).scalar_subquery()


_ORDER = (
    sa.select(
        col(ShopOrder.id),
        col(ShopOrder.order_number),
        col(ShopOrder.public_token),
        col(ShopOrder.placed_at),
        col(ShopOrder.email),
        col(ShopOrder.ship_name),
        col(ShopOrder.ship_postcode),
        col(ShopOrder.ship_country),
        col(ShopOrder.total_minor),
        col(ShopOrder.currency),
        col(ShopOrder.customer_id),
        col(Customer.id).label("customer_found"),
        col(Customer.name).label("customer_name"),
        col(Customer.locale).label("customer_locale"),
        col(Customer.unsubscribed_at),
        col(Customer.phone).label("customer_phone"),
        col(Customer.whatsapp_consent_at),
        sa.exists().where(col(ReturnRequest.order_id) == col(ShopOrder.id)).label("has_returns"),
        _first(col(Feedback.public_token), col(ShopOrder.id)).label("feedback"),
        _first(col(Feedback.answered_at), col(ShopOrder.id)).label("answered"),
        _setting(PROFILE_KEY).label("profile"),
        _setting(POLICY_KEY).label("policy"),
        _setting(MESSAGES_KEY).label("messages"),
    )
    .outerjoin(Customer, col(Customer.id) == col(ShopOrder.customer_id))
    .where(col(ShopOrder.public_token) == sa.bindparam("token"))
)
_LINES = (
    sa.select(
        col(OrderLine.id),
        col(OrderLine.title),
        col(OrderLine.sku),
        col(OrderLine.quantity),
        col(OrderLine.unit_price_minor),
        col(OrderLine.variant),
        col(OrderLine.image_url),
        col(OrderLine.tags),
    )
    .where(col(OrderLine.order_id) == sa.bindparam("order"))
    .order_by(col(OrderLine.id))
)
_PARCELS = (  # the order's own parcels (not those its returns send back), newest event first
    sa.select(
        col(Shipment.id),
        col(Shipment.carrier),
        col(Shipment.carrier_code),
        col(Shipment.carrier_pinned),
        col(Shipment.tracking_number),
        col(Shipment.status),
        col(Shipment.last_polled_at),
        col(Shipment.next_poll_at),
        col(Shipment.last_error),
        col(Shipment.estimated_delivery),
        col(Shipment.estimate_source),
        col(Shipment.delayed),
        col(Shipment.stall_reason),
        col(Shipment.delivered_at),
        col(TrackingEvent.id).label("event_id"),
        col(TrackingEvent.occurred_at),
        col(TrackingEvent.status).label("event_status"),
        col(TrackingEvent.description),
        col(TrackingEvent.location),
    )
    .outerjoin(TrackingEvent, col(TrackingEvent.shipment_id) == col(Shipment.id))
    .where(col(Shipment.order_id) == sa.bindparam("order"), col(Shipment.return_id).is_(None))
    .order_by(col(Shipment.id), col(TrackingEvent.occurred_at).desc(), col(TrackingEvent.id).desc())
)


def _shipments(rows: Sequence[Any], zone: ZoneInfo) -> list[tuple[ShipmentView, datetime | None]]:
    """Each parcel with its events, and when it was delivered (for the return window)."""
    found: list[tuple[ShipmentView, datetime | None]] = []
    events: list[EventView] = []
    for i, r in enumerate(rows):
        if r.event_id is not None:
            events.append(
                event_view(
                    occurred_at=r.occurred_at,
                    status=r.event_status,
                    description=r.description,
                    location=r.location,
                    zone=zone,
                )
            )
        if i + 1 == len(rows) or rows[i + 1].id != r.id:  # the parcel's last row
            found.append((shipment_view(r, events, zone), r.delivered_at))
            events = []
    return found


def _parcel(shipment: ShipmentView) -> ParcelView:
    name, url = carrier_page(shipment.carrier, shipment.carrier_code, shipment.tracking_number)
    on_its_way = shipment.status not in _ENDED
    estimate = shipment.estimated_delivery
    return ParcelView(
        shipment=shipment,
        carrier_name=name,
        carrier_url=url,
        # stored as the moment the estimate passes: the end of its last day
        estimate=estimate - timedelta(seconds=1) if estimate and on_its_way else None,
        late=shipment.delayed and on_its_way,
        late_reason=shipment.stall_reason,
        note=shipment.status if shipment.status in NOTED else None,
    )


def shown(page: TrackingPage) -> str:
    """Everything the page shows of ``page`` as one text, for its ETag: equal texts, equal
    pages. The polling bookkeeping of each parcel (last and next poll, the last carrier
    error) changes with every poll and is never shown, so it is left out; each parcel is
    written once (the order's list and the page's parcels hold the same ones)."""
    quiet = [
        replace(
            p,
            shipment=replace(
                p.shipment, last_polled_at=None, next_poll_at=None, last_error="", poll_failures=0
            ),
        )
        for p in page.parcels
    ]
    return repr(replace(page, order=replace(page.order, shipments=[]), parcels=quiet))
