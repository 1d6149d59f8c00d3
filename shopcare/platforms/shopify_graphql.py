"""Shopify's GraphQL Admin API orders query, and one order node of its answer turned into
an ``OrderIn``.

The query asks for what ShopCare keeps of an order and nothing more: every field costs
points out of the shop's bucket. Fulfillments carry the parcels (tracking company, number,
URL) and which line items went in each.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shopcare.domain.carrier_choice import carrier_from_name
from shopcare.domain.intake import LineIn, OrderIn, ShipmentIn, Source
from shopcare.domain.money import parse_money
from shopcare.platforms.base import Since, numeric_id, parse_time

LINE_FIELDS = """
          id title variantTitle sku quantity
          originalUnitPriceSet { shopMoney { amount } }
          product { id tags }
"""
ORDERS_QUERY = """
query Orders($first: Int!, $after: String, $query: String, $counted: Boolean!) {
  ordersCount(query: $query, limit: null) @include(if: $counted) { count }
  orders(first: $first, after: $after, query: $query, sortKey: %(sort)s) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id name email phone createdAt processedAt updatedAt cancelledAt currencyCode customerLocale
      totalPriceSet { shopMoney { amount currencyCode } }
      billingAddress { firstName lastName name phone }
      shippingAddress {
        name address1 address2 city provinceCode zip countryCodeV2 phone
      }
      lineItems(first: %(lines)d) {
        pageInfo { hasNextPage endCursor }
        nodes { %(line_fields)s }
      }
      fulfillments(first: %(fulfillments)d) {
        id status createdAt inTransitAt deliveredAt displayStatus
        trackingInfo(first: 3) { company number url }
      }
    }
  }
}
"""
MORE_LINES_QUERY = (
    "query MoreLines($id: ID!, $after: String) {\n"
    "  order(id: $id) {\n"
    "    lineItems(first: 100, after: $after) {\n"
    "      pageInfo { hasNextPage endCursor }\n"
    f"      nodes {{ {LINE_FIELDS} }}\n"
    "    }\n  }\n}\n"
)
LINES_PER_ORDER = 20
"""Line items asked with each order; an order with more is completed by ``MORE_LINES_QUERY``."""
FULFILLMENTS_PER_ORDER = 5
ORDER_COST = 5 + (2 + LINES_PER_ORDER * 4) + FULFILLMENTS_PER_ORDER * 2
"""What Shopify charges in advance for one order node of ``ORDERS_QUERY`` (an object costs
1, a connection 2 plus ``first`` times its node): about 99 points. Fulfillment line items
are left out of the page (they would cost 50 more per fulfillment); the fulfillment webhooks
carry them."""
MAX_QUERY_COST = 1000
"""Shopify refuses a single query whose requested cost is above this."""


def page_size(cost_limit: int = MAX_QUERY_COST) -> int:
    """As many orders per page as one query may cost."""
    return max(1, (cost_limit - 2) // ORDER_COST)


SHOP_QUERY = "{ shop { name myshopifyDomain } orders(first: 1) { nodes { id } } }"
"""The test of a connection: the shop's name, and one order to prove the read_orders scope."""
DEAD_FULFILLMENTS = frozenset({"CANCELLED", "ERROR", "FAILURE"})
"""A fulfillment in one of these states shipped nothing."""


def orders_query(by: Since) -> str:
    sort = "UPDATED_AT" if by is Since.UPDATED else "CREATED_AT"
    return ORDERS_QUERY % {
        "sort": sort,
        "lines": LINES_PER_ORDER,
        "fulfillments": FULFILLMENTS_PER_ORDER,
        "line_fields": LINE_FIELDS,
    }


def search_filter(by: Since, since_iso: str) -> str:
    """Shopify's search syntax: ``updated_at:>='2026-11-02T09:00:00Z'``."""
    return f"{by.value}_at:>='{since_iso}'"


def order_from_graphql(node: Mapping[str, Any]) -> OrderIn:
    """One ``Order`` node; raises ValueError with the reason when it cannot be read."""
    gid = node.get("id")
    placed_at = parse_time(node.get("processedAt")) or parse_time(node.get("createdAt"))
    if not gid or placed_at is None:
        raise ValueError(f"order {gid or '?'} has no id or creation time")
    total = _money(node.get("totalPriceSet"))
    currency = _text(total.get("currencyCode")) or _text(node.get("currencyCode")) or "USD"
    billing = _mapping(node.get("billingAddress"))  # the customer object needs read_customers
    address = _mapping(node.get("shippingAddress"))
    customer_name = " ".join(
        p for p in (_text(billing.get("firstName")), _text(billing.get("lastName"))) if p
    ) or _text(billing.get("name"))
    ship_name = _text(address.get("name"))
    lines = _nodes(node.get("lineItems"))
    return OrderIn(
        order_number=_text(node.get("name")) or numeric_id(gid),
        email=_text(node.get("email")),
        placed_at=placed_at,
        lines=tuple(_line(item, currency) for item in lines),
        customer_name=customer_name or ship_name,
        currency=currency,
        ship_name=ship_name if ship_name != (customer_name or ship_name) else "",
        ship_address1=_text(address.get("address1")),
        ship_address2=_text(address.get("address2")),
        ship_city=_text(address.get("city")),
        ship_region=_text(address.get("provinceCode")),
        ship_postcode=_text(address.get("zip")),
        ship_country=_text(address.get("countryCodeV2")).upper()[:2],
        ship_phone=_text(address.get("phone")),
        locale=_text(node.get("customerLocale")) or "en",
        phone=_text(node.get("phone")) or _text(billing.get("phone")),
        source=Source.SHOPIFY,
        shipments=tuple(
            parcel
            for fulfillment in _list(node.get("fulfillments"))
            for parcel in _parcels(fulfillment)
        ),
        external_id=numeric_id(gid),
        total_minor=_amount(total.get("amount"), currency),
        cancelled_at=parse_time(node.get("cancelledAt")),
        updated_at=parse_time(node.get("updatedAt")) or placed_at,
    )


def _line(item: Mapping[str, Any], currency: str) -> LineIn:
    product_node = _mapping(item.get("product"))
    product = numeric_id(product_node.get("id"))
    tags = ",".join(_text(t) for t in _list(product_node.get("tags")) if _text(t))
    price = _money(item.get("originalUnitPriceSet")).get("amount")
    return LineIn(
        title=_text(item.get("title")),
        quantity=_quantity(item.get("quantity")),
        unit_price_minor=_amount(price, currency) or 0,
        sku=_text(item.get("sku")),
        variant=_text(item.get("variantTitle"))[:200],
        product_key=f"shopify:{product}" if product else "",
        tags=tags[:500],
        external_id=numeric_id(item.get("id")),
    )


def _parcels(fulfillment: Any) -> list[ShipmentIn]:
    """One parcel per tracking number of a live fulfillment. A fulfillment with several
    numbers names each parcel ``<fulfillment id>`` then ``<id>:1``… as the fulfillment webhooks
    do (``shopify_rest``), so a parcel seen both ways is one parcel."""
    if not isinstance(fulfillment, dict):
        return []
    if _text(fulfillment.get("status")).upper() in DEAD_FULFILLMENTS:
        return []
    fid = numeric_id(fulfillment.get("id"))
    lines = tuple(
        (numeric_id(_mapping(n.get("lineItem")).get("id")), _quantity(n.get("quantity")))
        for n in _nodes(fulfillment.get("fulfillmentLineItems"))
    )
    delivered = bool(fulfillment.get("deliveredAt")) or (
        _text(fulfillment.get("displayStatus")).upper() == "DELIVERED"
    )
    shipped_at = parse_time(fulfillment.get("createdAt")) or parse_time(
        fulfillment.get("inTransitAt")
    )
    parcels: list[ShipmentIn] = []
    for info in _list(fulfillment.get("trackingInfo")):
        number = _text(_mapping(info).get("number"))
        if not number:
            continue
        url = _text(info.get("url"))
        parcels.append(
            ShipmentIn(
                carrier="",
                tracking_number=number,
                carrier_code=carrier_from_name(_text(info.get("company"))),
                pinned=False,
                tracking_url=url if url.startswith(("https://", "http://")) else "",
                shipped_at=shipped_at,
                external_id=fid if not parcels else f"{fid}:{len(parcels)}",
                delivered=delivered,
                line_ids=lines,
            )
        )
    return parcels


def _amount(value: Any, currency: str) -> int | None:
    """Shopify's amounts are decimal strings with a dot ('19.90')."""
    if value in (None, ""):
        return None
    try:
        return parse_money(str(value), currency, decimal=".")
    except ValueError as exc:
        raise ValueError(f"amount {value!r} is not an amount in {currency}") from exc


def _quantity(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"quantity {value!r} is not a whole number") from exc


def _money(value: Any) -> Mapping[str, Any]:
    return _mapping(_mapping(value).get("shopMoney"))


def _nodes(connection: Any) -> list[Mapping[str, Any]]:
    return [n for n in _list(_mapping(connection).get("nodes")) if isinstance(n, dict)]


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()


def _mapping(value: Any) -> Mapping[str, Any]:
    """JSON objects arrive as dicts; checking for ``dict`` (not the ``Mapping`` ABC) keeps
    reading 10,000 orders cheap."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
