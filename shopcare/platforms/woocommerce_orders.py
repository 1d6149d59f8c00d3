"""A WooCommerce REST v3 order (``/wp-json/wc/v3/orders``, and the body of an ``order.*``
webhook at API version wc/v3) turned into an ``OrderIn``.

The webhook and the API client read the same JSON, so both go through
``order_from_woocommerce``; whatever the payload lacks or gets wrong raises ``ValueError``
with the reason, which the caller records against the delivery or the import run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shopcare.domain.carrier_choice import carrier_from_name
from shopcare.domain.intake import DiscountIn, LineIn, OrderIn, ShipmentIn, Source
from shopcare.domain.money import minor_digits
from shopcare.platforms.payload_values import (
    amount,
    decimal,
    discount,
    full_name,
    items,
    mapping,
    text,
    unix_time,
    utc,
    web_url,
    whole,
)

CANCELLED_STATUSES = frozenset({"cancelled", "refunded", "failed", "trash"})
"""Statuses after which nothing of the order will be shipped: its tracking and messages stop."""
TRACKING_META_KEY = "_wc_shipment_tracking_items"
"""Where Shipment Tracking and Advanced Shipment Tracking keep an order's parcels."""


def order_from_woocommerce(payload: Mapping[str, Any]) -> OrderIn:
    """The order as ShopCare stores it. Dates come from the ``*_gmt`` fields, which are UTC;
    the others are the site's local time with no offset, used only when the GMT one is
    missing (and then read as UTC, the lesser evil than refusing the order)."""
    if not isinstance(payload, Mapping):
        raise ValueError("a WooCommerce order is a JSON object")
    order_id = payload.get("id")
    if order_id in (None, ""):
        raise ValueError("the order has no id")
    currency = text(payload.get("currency")).upper() or "EUR"
    placed_at = _date(payload, "date_created")
    if placed_at is None:
        raise ValueError(f"order {order_id} has no date_created")
    updated_at = _date(payload, "date_modified") or placed_at
    billing = mapping(payload.get("billing"))
    shipping = mapping(payload.get("shipping"))
    customer_name = full_name(billing) or full_name(shipping)
    ship_name = full_name(shipping)
    status = text(payload.get("status")).lower()
    return OrderIn(
        order_number=text(payload.get("number")) or str(order_id),
        email=text(billing.get("email")),
        placed_at=placed_at,
        lines=tuple(_line(item, currency) for item in items(payload.get("line_items"))),
        customer_name=customer_name,
        currency=currency,
        ship_name=ship_name if ship_name != customer_name else "",
        ship_address1=text(shipping.get("address_1")),
        ship_address2=text(shipping.get("address_2")),
        ship_city=text(shipping.get("city")),
        ship_region=text(shipping.get("state")),
        ship_postcode=text(shipping.get("postcode")),
        ship_country=text(shipping.get("country")).upper()[:2],
        ship_phone=text(shipping.get("phone")),
        phone=text(billing.get("phone")),
        source=Source.WOOCOMMERCE,
        shipments=shipments_from_meta(items(payload.get("meta_data"))),
        external_id=str(order_id),
        total_minor=amount(payload.get("total"), currency, "total"),
        cancelled_at=updated_at if status in CANCELLED_STATUSES else None,
        updated_at=updated_at,
        discounts=_coupons(items(payload.get("coupon_lines")), currency),
    )


def _coupons(lines: list[Any], currency: str) -> tuple[DiscountIn, ...]:
    """``coupon_lines``: ``{"code", "discount", "discount_tax"}`` each. ``discount`` is
    net of tax, so what the coupon took off the shopper's total is the two together."""
    found = (
        discount(c.get("code"), c.get("discount"), c.get("discount_tax"), currency=currency)
        for c in lines
        if isinstance(c, Mapping)
    )
    return tuple(d for d in found if d is not None)


def shipments_from_meta(meta_data: list[Any]) -> tuple[ShipmentIn, ...]:
    """The parcels in an order's ``meta_data`` (``_wc_shipment_tracking_items``). Items
    without a tracking number are skipped: there is nothing to follow."""
    tracked: list[Any] = []
    for entry in meta_data:
        if isinstance(entry, Mapping) and entry.get("key") == TRACKING_META_KEY:
            tracked += items(_maybe_json(entry.get("value")))
    return tuple(s for s in (shipment_from_tracking_item(i) for i in tracked) if s is not None)


def shipment_from_tracking_item(item: Any) -> ShipmentIn | None:
    """One tracking item, as the meta and AST's own REST route
    (``/wp-json/wc-shipment-tracking/v3/orders/<id>/shipment-trackings``) give it."""
    if not isinstance(item, Mapping):
        return None
    number = text(item.get("tracking_number"))
    if not number:
        return None
    provider = text(item.get("custom_tracking_provider")) or text(item.get("tracking_provider"))
    link = text(item.get("custom_tracking_link")) or text(item.get("tracking_link"))
    return ShipmentIn(
        carrier="",
        tracking_number=number,
        carrier_code=carrier_from_name(provider),
        pinned=False,
        tracking_url=web_url(link),
        shipped_at=_timestamp(item.get("date_shipped")),
        external_id=text(item.get("tracking_id"))[:64],
    )


def _line(item: Any, currency: str) -> LineIn:
    if not isinstance(item, Mapping):
        raise ValueError("a line item is not a JSON object")
    quantity = whole(item.get("quantity"), "quantity")
    image = mapping(item.get("image"))
    product = item.get("variation_id") or item.get("product_id") or ""
    return LineIn(
        title=text(item.get("name")),
        quantity=quantity,
        unit_price_minor=_unit_price(item, quantity, currency),
        sku=text(item.get("sku")),
        variant=_variant(items(item.get("meta_data"))),
        product_key=f"woocommerce:{product}" if product else "",
        image_url=text(image.get("src")),
        external_id=text(item.get("id")),
    )


def _unit_price(item: Mapping[str, Any], quantity: int, currency: str) -> int:
    """What the shopper paid for one, taxes included, before order discounts: the line's
    ``subtotal`` plus ``subtotal_tax`` over its quantity. ``price`` is net of tax and often
    a long fraction (18.181818), so it is only the fallback."""
    name = f"price of {text(item.get('name'))!r}"
    gross = decimal(item.get("subtotal"), name) + decimal(item.get("subtotal_tax"), name)
    if gross == 0:
        gross = decimal(item.get("price"), name) * max(quantity, 1)
    unit = gross / max(quantity, 1)
    return int(unit.scaleb(minor_digits(currency)).quantize(Decimal(1), ROUND_HALF_UP))


def _variant(meta_data: list[Any]) -> str:
    """A variation's attributes ("Size: M") are the line's visible meta; keys starting with
    an underscore are the plugins' own."""
    shown = []
    for entry in meta_data:
        if not isinstance(entry, Mapping) or text(entry.get("key")).startswith("_"):
            continue
        value = entry.get("display_value", entry.get("value"))
        if isinstance(value, str | int | float) and str(value).strip():
            shown.append(str(value).strip())
    return ", ".join(shown)[:200]


def _date(payload: Mapping[str, Any], name: str) -> datetime | None:
    gmt = payload.get(f"{name}_gmt")
    return utc(gmt if text(gmt) else payload.get(name), name)


def _timestamp(value: Any) -> datetime | None:
    """``date_shipped`` is a Unix time, as a number or a string; some versions wrote a date.
    A shipped date that cannot be read is left out rather than losing the parcel."""
    try:
        return (
            unix_time(value, "date_shipped")
            if text(value).isdigit()
            else utc(value, "date_shipped")
        )
    except ValueError:
        return None


def _maybe_json(value: Any) -> Any:
    """Some hosts hand meta values over still encoded as a JSON string."""
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            return json.loads(value)
        except ValueError:
            return []
    return value
