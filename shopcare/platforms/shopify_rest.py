"""Shopify's REST-shaped webhook payloads turned into ``OrderIn`` and parcels.

Webhooks stay REST-shaped although the Admin API went GraphQL: ``orders/create``,
``orders/updated`` and ``orders/cancelled`` carry an Order object (its parcels in
``fulfillments[]``), ``fulfillments/create`` and ``fulfillments/update`` a Fulfillment object
naming its order by ``order_id``. Whatever a payload lacks or gets wrong raises
``ValueError`` with the reason, which the caller records against the delivery.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from shopcare.domain.carrier_choice import carrier_from_name
from shopcare.domain.intake import DiscountIn, LineIn, OrderIn, ShipmentIn, Source
from shopcare.platforms.payload_values import (
    amount,
    discount,
    full_name,
    items,
    mapping,
    text,
    utc,
    web_url,
    whole,
)

DEAD_FULFILLMENTS = frozenset({"cancelled", "error", "failure"})
"""Fulfillment statuses whose tracking numbers will never move: nothing to follow."""


@dataclass(frozen=True)
class FulfillmentIn:
    """The parcels of one fulfillment, for an order ShopCare should already hold."""

    order_external_id: str
    order_number: str
    """From the fulfillment's name ('#1001.1' -> '#1001'); "" when it has none."""
    shipments: tuple[ShipmentIn, ...]
    cancelled: bool
    """Cancelled, failed or in error on Shopify: its numbers are not followed."""


def order_from_shopify(payload: Mapping[str, Any]) -> OrderIn:
    """The order as ShopCare stores it. ``processed_at`` is when the shopper ordered (it
    differs from ``created_at`` for orders imported into Shopify), so it dates the order."""
    if not isinstance(payload, Mapping):
        raise ValueError("a Shopify order is a JSON object")
    order_id = text(payload.get("id"))
    if not order_id:
        raise ValueError("the order has no id")
    currency = text(payload.get("currency")).upper() or "USD"
    placed_at = utc(payload.get("processed_at"), "processed_at") or utc(
        payload.get("created_at"), "created_at"
    )
    if placed_at is None:
        raise ValueError(f"order {order_id} has no created_at")
    customer = mapping(payload.get("customer"))
    billing = mapping(payload.get("billing_address"))
    shipping = mapping(payload.get("shipping_address"))
    customer_name = full_name(customer) or text(billing.get("name"))
    ship_name = text(shipping.get("name")) or full_name(shipping)
    number = text(payload.get("name")) or text(payload.get("order_number")) or order_id
    return OrderIn(
        order_number=number,
        email=text(payload.get("email"))
        or text(payload.get("contact_email"))
        or text(customer.get("email")),
        placed_at=placed_at,
        lines=_lines(items(payload.get("line_items")), currency),
        customer_name=customer_name or ship_name,
        currency=currency,
        ship_name=ship_name if ship_name != customer_name else "",
        ship_address1=text(shipping.get("address1")),
        ship_address2=text(shipping.get("address2")),
        ship_city=text(shipping.get("city")),
        ship_region=text(shipping.get("province_code")) or text(shipping.get("province")),
        ship_postcode=text(shipping.get("zip")),
        ship_country=text(shipping.get("country_code")).upper()[:2],
        ship_phone=text(shipping.get("phone")),
        locale=text(payload.get("customer_locale")) or "en",
        phone=text(payload.get("phone")) or text(customer.get("phone")),
        source=Source.SHOPIFY,
        shipments=tuple(s for f in items(payload.get("fulfillments")) for s in _live_shipments(f)),
        external_id=order_id,
        total_minor=amount(payload.get("total_price"), currency, "total_price"),
        cancelled_at=utc(payload.get("cancelled_at"), "cancelled_at"),
        updated_at=utc(payload.get("updated_at"), "updated_at"),
        discounts=_discounts(items(payload.get("discount_codes")), currency),
    )


def _discounts(codes: list[Any], currency: str) -> tuple[DiscountIn, ...]:
    """``discount_codes``: ``{"code", "amount", "type"}`` each, the amount taken off."""
    found = (
        discount(c.get("code"), c.get("amount"), currency=currency)
        for c in codes
        if isinstance(c, Mapping)
    )
    return tuple(d for d in found if d is not None)


def fulfillment_from_shopify(payload: Mapping[str, Any]) -> FulfillmentIn:
    """A ``fulfillments/*`` payload: the parcels and the order they belong to."""
    if not isinstance(payload, Mapping):
        raise ValueError("a Shopify fulfillment is a JSON object")
    order_id = text(payload.get("order_id"))
    if not order_id:
        raise ValueError("the fulfillment names no order_id")
    name = text(payload.get("name"))
    return FulfillmentIn(
        order_external_id=order_id,
        order_number=name.rpartition(".")[0] if "." in name else "",
        shipments=shipments_of_fulfillment(payload),
        cancelled=text(payload.get("status")).lower() in DEAD_FULFILLMENTS,
    )


def shipments_of_fulfillment(fulfillment: Mapping[str, Any]) -> tuple[ShipmentIn, ...]:
    """One parcel per tracking number: a fulfillment may carry several, with their URLs in
    the same order. The first keeps the fulfillment's id as its own, so a later update of
    the same fulfillment is recognised."""
    if not isinstance(fulfillment, Mapping):
        return ()
    numbers = _strings(fulfillment.get("tracking_numbers")) or _strings(
        [fulfillment.get("tracking_number")]
    )
    urls = _strings(fulfillment.get("tracking_urls")) or _strings([fulfillment.get("tracking_url")])
    fulfillment_id = text(fulfillment.get("id"))
    company = text(fulfillment.get("tracking_company"))
    parcel_lines = [
        (text(li.get("id")), whole(li.get("quantity"), "quantity"))
        for li in items(fulfillment.get("line_items"))
        if isinstance(li, Mapping) and li.get("id") is not None
    ]
    return tuple(
        ShipmentIn(
            carrier="",
            tracking_number=number,
            carrier_code=carrier_from_name(company),
            pinned=False,
            tracking_url=web_url(urls[i] if i < len(urls) else ""),
            shipped_at=utc(fulfillment.get("created_at"), "created_at"),
            external_id=(fulfillment_id if i == 0 else f"{fulfillment_id}:{i}")[:64],
            delivered=text(fulfillment.get("shipment_status")).lower() == "delivered",
            line_ids=tuple(parcel_lines),
        )
        for i, number in enumerate(numbers)
    )


def _live_shipments(fulfillment: Any) -> tuple[ShipmentIn, ...]:
    if not isinstance(fulfillment, Mapping):
        return ()
    if text(fulfillment.get("status")).lower() in DEAD_FULFILLMENTS:
        return ()
    return shipments_of_fulfillment(fulfillment)


def _lines(line_items: Sequence[Any], currency: str) -> tuple[LineIn, ...]:
    """The items still in the order: an order edit leaves removed ones in the payload with
    ``current_quantity`` 0. If that would leave none, the items as ordered are kept."""
    lines = [_line(item, currency) for item in line_items]
    current = [
        whole(item.get("current_quantity", line.quantity), "current_quantity")
        for line, item in zip(lines, line_items, strict=True)
    ]
    kept = tuple(replace(line, quantity=q) for line, q in zip(lines, current, strict=True) if q > 0)
    return kept or tuple(lines)


def _line(item: Any, currency: str) -> LineIn:
    if not isinstance(item, Mapping):
        raise ValueError("a line item is not a JSON object")
    product = text(item.get("variant_id")) or text(item.get("product_id"))
    title = text(item.get("title")) or text(item.get("name"))
    return LineIn(
        title=title,
        quantity=whole(item.get("quantity"), "quantity"),
        unit_price_minor=amount(item.get("price"), currency, f"price of {title!r}") or 0,
        sku=text(item.get("sku")),
        variant=text(item.get("variant_title")),
        product_key=f"shopify:{product}" if product else "",
        external_id=text(item.get("id")),
    )


def _strings(values: Any) -> list[str]:
    return [t for t in (text(v) for v in items(values)) if t]
