""" "Email me updates": for a shopper who unsubscribed and wants news again, and for someone
who knows only a tracking number (a gift's recipient, a neighbour) and wants that parcel's news.

A watcher is a stranger to the order: their messages say only what the number page shows
(carrier, tracking number, status), link back to that page, and stop by the watch's own link.
They are queued in the poll's transaction, like the order's own messages.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.orm import object_session
from sqlmodel import Session, col, select

from shopcare.carriers.registry import carrier_label
from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import Customer, OutboxMessage, Shipment, ShipmentWatch, ShopOrder
from shopcare.domain.messages import MessageKind, link_in_message
from shopcare.domain.status import ShipmentStatus
from shopcare.domain.text import clean_text
from shopcare.domain.tokens import public_token
from shopcare.notify.base import Channel
from shopcare.notify.render import MessageContext
from shopcare.services.errors import InputError
from shopcare.services.intake.by_hand import normalise_tracking_number
from shopcare.services.messages.outbox import existing_keys, message_rows
from shopcare.services.messages.rules import MessageRules, load_rules
from shopcare.services.shop.profile import ShopProfile
from shopcare.services.tracking.shipments import shipment_by_number

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_CACHE = "shopcare.active_watches"


def number_page_path(tracking_number: str) -> str:
    return f"/track/number?tracking_number={quote(tracking_number, safe='')}"


def start_watch(
    sessions: SessionFactory, *, tracking_number: str, email: str, now: datetime
) -> bool:
    """Ask ``email`` to confirm that it wants this parcel's news; False when there is no such
    parcel. The watch stays inactive (``unsubscribed_at`` set) until the link in that email is
    confirmed, so knowing a tracking number is not enough to mail a stranger. Asking again
    keeps one watch; an active one stays active, and at most one confirmation goes out per
    watch and hour."""
    address = clean_text(email).strip().lower()
    if len(address) > 320 or not _EMAIL.fullmatch(address):
        raise InputError("Please enter a valid email address.")
    number = normalise_tracking_number(tracking_number)
    with transaction(sessions) as session:
        shipment = shipment_by_number(session, number)
        if shipment is None or shipment.id is None:
            return False
        watch = session.exec(
            select(ShipmentWatch).where(
                ShipmentWatch.shipment_id == shipment.id, ShipmentWatch.email == address
            )
        ).first()
        if watch is not None and watch.unsubscribed_at is None:
            return True  # already confirmed and active
        if watch is None:
            watch = ShipmentWatch(
                shipment_id=shipment.id,
                email=address,
                token=public_token(),
                created_at=now,
                unsubscribed_at=now,
            )
            session.add(watch)
            session.flush()
        order = session.get(ShopOrder, shipment.order_id)
        assert order is not None and watch.id is not None
        _queue_confirmation(session, order, shipment.id, watch, now=now)
        return True


def _queue_confirmation(
    session: Session, order: ShopOrder, shipment_id: int, watch: ShipmentWatch, *, now: datetime
) -> None:
    occurrence = f"w{watch.id}:{now:%Y%m%d%H}"  # one a watch and hour, however often asked
    rows = message_rows(
        MessageKind.WATCH_CONFIRM, order=order, phone="", rules=load_rules(session), now=now,
        shipment_id=shipment_id, occurrence=occurrence,
    )  # fmt: skip
    known = existing_keys(session, [order.id or 0])
    for row in rows:
        if row["channel"] == Channel.EMAIL and row["idempotency_key"] not in known:
            session.execute(sa.insert(OutboxMessage), [{**row, "recipient": watch.email}])


def resume_updates(sessions: SessionFactory, order_token: str) -> bool:
    """The order's shopper wants optional emails again; False for an unknown order."""
    with transaction(sessions) as session:
        order = session.exec(select(ShopOrder).where(ShopOrder.public_token == order_token)).first()
        customer = session.get(Customer, order.customer_id) if order else None
        if customer is None:
            return False
        customer.unsubscribed_at = None
        session.add(customer)
        return True


def watch_update_rows(
    order: ShopOrder,
    shipment_id: int,
    *,
    status: ShipmentStatus,
    rules: MessageRules,
    now: datetime,
    known: set[str],
) -> list[dict[str, Any]]:
    """Outbox rows for everyone watching the parcel, for the poll's batch insert (``known``:
    the idempotency keys already queued, updated here). The batch's session is the order's;
    the active watches are read from it once per transaction."""
    session = object_session(order)
    assert isinstance(session, Session), "the order must come from the poll's session"
    if _CACHE not in session.info:
        active: dict[int, list[ShipmentWatch]] = {}
        for watch in session.exec(
            select(ShipmentWatch).where(col(ShipmentWatch.unsubscribed_at).is_(None))
        ):
            active.setdefault(watch.shipment_id, []).append(watch)
        session.info[_CACHE] = active
    rows = []
    for watch in session.info[_CACHE].get(shipment_id, []):
        occurrence = f"w{watch.id}:{status}:{int(now.timestamp())}"
        for row in message_rows(
            MessageKind.WATCH_UPDATE, order=order, phone="", rules=rules, now=now,
            shipment_id=shipment_id, occurrence=occurrence,
        ):  # fmt: skip
            if row["channel"] == Channel.EMAIL and row["idempotency_key"] not in known:
                known.add(row["idempotency_key"])
                rows.append({**row, "recipient": watch.email})
    return rows


def watch_context(
    session: Session, row: OutboxMessage, *, profile: ShopProfile, public_url: str
) -> MessageContext:
    """What a watcher's email may say: the parcel as the number page shows it, no order data
    (no order number, name, items or address), and the watch's own stop link."""
    shipment = session.get(Shipment, row.shipment_id)
    assert shipment is not None
    watch = session.exec(
        select(ShipmentWatch).where(
            ShipmentWatch.shipment_id == shipment.id, ShipmentWatch.email == row.recipient
        )
    ).first()
    return MessageContext(
        shop_name=profile.name,
        customer_name=row.recipient,
        order_number="",
        tracking_url=link_in_message(
            public_url + number_page_path(shipment.tracking_number), MessageKind(row.kind)
        ),
        carrier=carrier_label(shipment.carrier),
        tracking_number=shipment.tracking_number,
        support_email=profile.support_email,
        brand_color=profile.brand_color,
        logo_url=profile.logo_url,
        shop_url=profile.shop_url,
        shop_address=profile.footer_address,
        unsubscribe_url=f"{public_url}/watch/{watch.token}/stop" if watch else "",
        parcel_status=shipment.status,
        confirm_url=f"{public_url}/watch/{watch.token}/confirm" if watch else "",
    )
