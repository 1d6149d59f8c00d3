"""Finding an order or a parcel for a shopper who has no link.

By order number plus email or postcode: wrong email and unknown order give the same answer
after the same work, so the form cannot be used to learn which order numbers exist.
By tracking number alone: only what the carrier publishes (carrier, status, scans), never
anything about the order or the person behind it.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from sqlmodel import col, select

from shopcare.carriers.registry import carrier_label
from shopcare.db.engine import SessionFactory
from shopcare.db.models import ShopOrder
from shopcare.domain.progress import Progress, progress
from shopcare.domain.status import ShipmentStatus
from shopcare.domain.text import clean_text
from shopcare.services.intake.by_hand import normalise_tracking_number
from shopcare.services.orders.views import EventView, shipment_events
from shopcare.services.shop.profile import load_profile
from shopcare.services.tracking.shipments import shipment_by_number

_NEVER = b"\x00never-matches\x00"
"""Compared against when no order was found, so both cases run the same comparisons."""


@dataclass(frozen=True)
class FoundOrder:
    id: int
    token: str


def find_order(sessions: SessionFactory, *, order_number: str, secret: str) -> FoundOrder | None:
    """The order when ``secret`` is its email or shipping postcode (spaces and case ignored).

    Both comparisons always run, against a value that cannot match when the order number is
    unknown, so a wrong email and an unknown order cost the same time."""
    number = fold_order_number(order_number)
    given = _fold(secret)
    with sessions() as session:
        order = session.exec(
            select(ShopOrder).where(col(ShopOrder.order_number).in_([number, f"#{number}"]))
        ).first()
    email = _fold(order.email) if order else _NEVER
    postcode = _fold(order.ship_postcode) if order and order.ship_postcode else _NEVER
    by_email = hmac.compare_digest(given, email)
    by_postcode = hmac.compare_digest(given, postcode)
    if order is None or order.id is None or not given or not number:
        return None
    return FoundOrder(order.id, order.public_token) if by_email or by_postcode else None


def find_order_token(sessions: SessionFactory, *, order_number: str, secret: str) -> str | None:
    """The order's public token when ``secret`` is its email or shipping postcode."""
    found = find_order(sessions, order_number=order_number, secret=secret)
    return found.token if found else None


def fold_order_number(order_number: str) -> str:
    """ "#1001 " and "1001" are the same order number (also the key its attempts count on)."""
    return order_number.strip().lstrip("#").strip()


def _fold(value: str) -> bytes:
    """Spaces, case and invisible characters ignored (``domain.text``), on both sides."""
    return "".join(clean_text(value).split()).casefold().encode()


@dataclass(frozen=True)
class ParcelView:
    """A parcel as anyone holding its tracking number may see it: the carrier's public
    information, nothing from the order."""

    carrier_label: str
    tracking_number: str
    status: ShipmentStatus
    steps: list[Progress]
    events: list[EventView]
    order_id: int
    """For the owner's lookup figures only; never shown."""


def parcel_by_number(sessions: SessionFactory, tracking_number: str) -> ParcelView | None:
    """The newest parcel with this number on its way to a shopper (return parcels are the
    returns portal's business)."""
    number = normalise_tracking_number(tracking_number)
    if not number or len(number) > 64:
        return None
    with sessions() as session:
        shipment = shipment_by_number(session, number)
        if shipment is None or shipment.id is None:
            return None
        zone = load_profile(session).zone
        events = shipment_events(session, shipment.id, zone)
    status = ShipmentStatus(shipment.status)
    return ParcelView(
        carrier_label=carrier_label(shipment.carrier),
        tracking_number=shipment.tracking_number,
        status=status,
        steps=progress(status),
        events=events,
        order_id=shipment.order_id,
    )
