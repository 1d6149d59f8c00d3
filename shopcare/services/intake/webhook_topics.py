"""What each platform webhook topic does to the store, through the one order writer.

Orders (Shopify ``orders/*``, WooCommerce ``order.created/updated/restored``) are upserted
live: a new recent order is confirmed, an edited address or email is taken over, a
cancelled one stops its tracking and messages, an older copy changes nothing. Shopify's
fulfillment topics add parcels to an order already stored; a deleted order is cancelled.
Other topics are recorded and ignored, so the platform gets its 200 and keeps the webhook.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from shopcare.db.models import ShopOrder
from shopcare.domain.intake import Mode, OrderIn, Source
from shopcare.platforms.shopify_rest import fulfillment_from_shopify, order_from_shopify
from shopcare.platforms.woocommerce_orders import order_from_woocommerce
from shopcare.services.intake.writer import (
    Outcome,
    ParcelIn,
    Written,
    add_parcels,
    cancel_order,
    write_orders,
)

_ORDER = ShopOrder.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Applied:
    status: str
    """applied, ignored, stale or failed (WebhookDelivery.status)."""
    order_number: str = ""
    error: str = ""


Handler = Callable[[Session, Mapping[str, Any], datetime, Sequence[str]], Applied]


def apply_topic(
    session: Session,
    platform: str,
    topic: str,
    payload: Any,
    *,
    now: datetime,
    carriers: Sequence[str],
) -> Applied:
    """Apply one payload in the caller's transaction. A payload that cannot be read raises
    ValueError (nothing was written)."""
    handler = _HANDLERS.get((platform, topic.strip().lower()))
    if handler is None:
        return Applied("ignored", error=f"topic {topic or '(none)'!r} is not used")
    if not isinstance(payload, Mapping):
        raise ValueError("the payload is not a JSON object")
    return handler(session, payload, now, carriers)


def _shopify_order(
    session: Session, payload: Mapping[str, Any], now: datetime, carriers: Sequence[str]
) -> Applied:
    return _write(session, order_from_shopify(payload), now=now, carriers=carriers)


def _woocommerce_order(
    session: Session, payload: Mapping[str, Any], now: datetime, carriers: Sequence[str]
) -> Applied:
    return _write(session, order_from_woocommerce(payload), now=now, carriers=carriers)


def _write(
    session: Session, order_in: OrderIn, *, now: datetime, carriers: Sequence[str]
) -> Applied:
    (written,) = write_orders(session, [order_in], now=now, carriers=carriers, mode=Mode.LIVE)
    return _applied(written)


def _shopify_fulfillment(
    session: Session, payload: Mapping[str, Any], now: datetime, carriers: Sequence[str]
) -> Applied:
    """Parcels of an order already stored. A cancelled fulfillment adds nothing (its
    numbers will never move); a parcel the order has already changes nothing."""
    fulfillment = fulfillment_from_shopify(payload)
    number = fulfillment.order_number or fulfillment.order_external_id
    if fulfillment.cancelled:
        return Applied("ignored", number, "fulfillment cancelled on Shopify")
    if not fulfillment.shipments:
        return Applied("ignored", number, "no tracking number yet")
    parcels = [
        ParcelIn(
            order_number=fulfillment.order_number,
            shipment=shipment,
            external_order_id=fulfillment.order_external_id,
            source=Source.SHOPIFY,
        )
        for shipment in fulfillment.shipments
    ]
    results = add_parcels(session, parcels, now=now, carriers=carriers)
    problems = [p for w in results for p in w.problems]
    if problems:
        return Applied("failed", number, "; ".join(dict.fromkeys(problems)))
    return Applied("applied", results[0].order_number if results else number)


def _deleted(source: Source) -> Handler:
    """A deleted order (WooCommerce ``order.deleted`` sends only its id) is cancelled."""

    def handle(
        session: Session, payload: Mapping[str, Any], now: datetime, carriers: Sequence[str]
    ) -> Applied:
        external_id = str(payload.get("id") or "").strip()
        if not external_id:
            raise ValueError("the deleted order has no id")
        row = session.execute(
            sa.select(_ORDER.c.id, _ORDER.c.order_number).where(
                _ORDER.c.source == source.value, _ORDER.c.external_id == external_id
            )
        ).first()
        if row is None:
            return Applied("ignored", external_id, f"no order with {source.value} id {external_id}")
        cancelled = cancel_order(session, row.id, now=now)
        return Applied("applied" if cancelled else "ignored", row.order_number,
                       "" if cancelled else "already cancelled")  # fmt: skip

    return handle


def _applied(written: Written) -> Applied:
    if written.outcome is Outcome.REJECTED:
        return Applied("failed", written.order_number, "; ".join(written.problems))
    if written.outcome is Outcome.STALE:
        return Applied("stale", written.order_number, "an older copy than the one stored")
    return Applied("applied", written.order_number, "; ".join(written.warnings))


_HANDLERS: dict[tuple[str, str], Handler] = {
    ("shopify", "orders/create"): _shopify_order,
    ("shopify", "orders/updated"): _shopify_order,
    ("shopify", "orders/cancelled"): _shopify_order,
    ("shopify", "orders/paid"): _shopify_order,
    ("shopify", "orders/fulfilled"): _shopify_order,
    ("shopify", "orders/partially_fulfilled"): _shopify_order,
    ("shopify", "orders/delete"): _deleted(Source.SHOPIFY),
    ("shopify", "fulfillments/create"): _shopify_fulfillment,
    ("shopify", "fulfillments/update"): _shopify_fulfillment,
    ("woocommerce", "order.created"): _woocommerce_order,
    ("woocommerce", "order.updated"): _woocommerce_order,
    ("woocommerce", "order.restored"): _woocommerce_order,
    ("woocommerce", "order.deleted"): _deleted(Source.WOOCOMMERCE),
}
