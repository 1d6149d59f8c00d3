"""A loopback server that answers like WooCommerce's REST API (wc/v3), on CarrierServer.

Orders are WooCommerce order JSON; ``GET /wp-json/wc/v3/orders`` pages them (``page``,
``per_page``, ``X-WP-Total``, ``X-WP-TotalPages``) filtered by ``after`` or
``modified_after``. Credentials are checked over HTTP Basic or the query string; a host
that strips the Authorization header (``strips_auth``) answers Basic with
``woocommerce_rest_cannot_view``, as WordPress does when no credentials reach it. AST's
shipment-trackings route answers from ``trackings`` when ``ast_route`` is on.
"""

from __future__ import annotations

import base64
import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.adapters.carrier_server import CarrierServer, Reply, Request

ORDERS = "/wp-json/wc/v3/orders"
KEY, SECRET = "ck_test_key", "cs_test_secret"
CANNOT_VIEW = {
    "code": "woocommerce_rest_cannot_view",
    "message": "Sorry, you cannot list resources.",
    "data": {"status": 401},
}
WRONG_KEY = {
    "code": "woocommerce_rest_authentication_error",
    "message": "Consumer secret is invalid.",
    "data": {"status": 401},
}


@dataclass
class WooShop:
    server: CarrierServer
    orders: list[dict[str, Any]] = field(default_factory=list)
    strips_auth: bool = False
    ast_route: bool = True
    ast_refuses: bool = False
    trackings: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    fail_next: list[Reply] = field(default_factory=list)
    slow_pages: dict[int, float] = field(default_factory=dict)
    """Seconds a page number takes to answer."""

    def __post_init__(self) -> None:
        self.server.route("GET", ORDERS, self._orders)

    @property
    def url(self) -> str:
        return self.server.url

    def add(self, *orders: dict[str, Any]) -> None:
        self.orders.extend(orders)
        for order in orders:
            path = f"/wp-json/wc-shipment-tracking/v3/orders/{order['id']}/shipment-trackings"
            self.server.route("GET", path, self._tracking)

    def _authorised(self, request: Request) -> Reply | None:
        header = request.headers.get("authorization", "")
        if header and not self.strips_auth:
            key, _, secret = base64.b64decode(header.split()[-1]).decode().partition(":")
        else:
            key = request.query.get("consumer_key", [""])[0]
            secret = request.query.get("consumer_secret", [""])[0]
        if not key and not secret:
            return Reply(401, json.dumps(CANNOT_VIEW))
        if (key, secret) != (KEY, SECRET):
            return Reply(401, json.dumps(WRONG_KEY))
        return None

    def _orders(self, request: Request) -> Reply:
        if self.fail_next:
            return self.fail_next.pop(0)
        if (refused := self._authorised(request)) is not None:
            return refused
        q = {k: v[0] for k, v in request.query.items()}
        found = list(self.orders)
        if "after" in q:
            found = [o for o in found if _time(o["date_created_gmt"]) > _time(q["after"])]
        if "modified_after" in q:
            since = _time(q["modified_after"])
            found = [o for o in found if _time(o["date_modified_gmt"]) > since]
        found.sort(key=lambda o: (o["date_created_gmt"], o["id"]))
        per_page, page = int(q.get("per_page", 10)), int(q.get("page", 1))
        chunk = found[(page - 1) * per_page : page * per_page]
        headers = {
            "X-WP-Total": str(len(found)),
            "X-WP-TotalPages": str(max(1, math.ceil(len(found) / per_page))),
        }
        delay = self.slow_pages.get(page, 0.0)
        return Reply(200, json.dumps(chunk), headers=headers, delay=delay)

    def _tracking(self, request: Request) -> Reply:
        if not self.ast_route:
            return Reply(404, json.dumps({"code": "rest_no_route", "data": {"status": 404}}))
        if self.ast_refuses:
            return Reply(403, json.dumps({"code": "rest_forbidden", "data": {"status": 403}}))
        if (refused := self._authorised(request)) is not None:
            return refused
        order_id = int(re.findall(r"/orders/(\d+)/", request.path)[0])
        return Reply(200, json.dumps(self.trackings.get(order_id, [])))


def _time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def gmt(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def woo_order(
    order_id: int,
    *,
    created: datetime,
    modified: datetime | None = None,
    status: str = "processing",
    tracking: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A WooCommerce REST v3 order with the documented fields ShopCare reads."""
    meta = [{"id": 1, "key": "_order_source", "value": "web"}]
    if tracking is not None:
        meta.append({"id": 2, "key": "_wc_shipment_tracking_items", "value": tracking})
    return {
        "id": order_id,
        "number": str(order_id),
        "order_use": f"wc_order_{order_id}",
        "status": status,
        "currency": "EUR",
        "date_created": gmt(created),
        "date_created_gmt": gmt(created),
        "date_modified": gmt(modified or created),
        "date_modified_gmt": gmt(modified or created),
        "total": "44.70",
        "billing": {
            "first_name": "Jan",
            "last_name": f"Jansen{order_id}",
            "address_1": "Damrak 1",
            "city": "Amsterdam",
            "postcode": "1012 LG",
            "country": "NL",
            "email": f"jan{order_id}@example.com",
            "phone": "+31 20 123 4567",
        },
        "shipping": {
            "first_name": "Jan",
            "last_name": f"Jansen{order_id}",
            "address_1": "Damrak 1",
            "address_2": "",
            "city": "Amsterdam",
            "state": "",
            "postcode": "1012 LG",
            "country": "NL",
            "phone": "",
        },
        "line_items": [
            {
                "id": order_id * 10 + 1,
                "name": "Linen apron",
                "product_id": 93,
                "variation_id": 0,
                "quantity": 2,
                "sku": "APRON",
                "subtotal": "39.80",
                "subtotal_tax": "0.00",
                "total": "39.80",
                "price": 19.9,
                "meta_data": [],
            }
        ],
        "meta_data": meta,
    }


def tracking_item(number: str, *, provider: str = "postnl", shipped: datetime) -> dict[str, Any]:
    return {
        "tracking_id": f"trk-{number}",
        "tracking_provider": provider,
        "custom_tracking_provider": "",
        "custom_tracking_link": "",
        "tracking_number": number,
        "date_shipped": str(int(shipped.timestamp())),
    }
