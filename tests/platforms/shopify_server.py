"""A loopback server that answers like Shopify's GraphQL Admin API, on CarrierServer.

It keeps a shop's orders as GraphQL ``Order`` nodes and answers the orders query with
cursor paging and the ``updated_at``/``created_at`` search filter, the cost bucket in
``extensions.cost`` (THROTTLED when the bucket cannot pay a query's requested cost), the
client-credentials token endpoint, and whatever failure a test queues (429, 5xx).

Its bucket refills on a ``Stopwatch`` the test also hands the client, whose ``sleep``
moves it on: waits are measured, never slept.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from shopcare.app import ShopCare
from shopcare.services.intake.connection import save_connection
from tests.adapters.carrier_server import CarrierServer, Reply, Request
from tests.conftest import FakeClock

VERSION = "2026-10"
GRAPHQL = f"/admin/api/{VERSION}/graphql.json"
TOKEN = "/admin/oauth/access_token"
ADMIN_TOKEN = "shpat_test_admin_token"
CLIENT_ID, CLIENT_SECRET = "client-id-1", "client-secret-1"
ACCESS_DENIED = {
    "message": "Access denied for orders field. Required access: `read_orders` access scope.",
    "extensions": {"code": "ACCESS_DENIED"},
}
COST_PER_ORDER = 97
"""What Shopify's rule (object 1, connection 2 + first × node) gives for one order of the
query the client sends; charged in advance, refunded down to what was returned."""


class Stopwatch:
    """Seconds that pass only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class ShopifyShop:
    server: CarrierServer
    watch: Stopwatch
    orders: list[dict[str, Any]] = field(default_factory=list)
    maximum: float = 1000.0
    restore_rate: float = 100.0
    available: float = 1000.0
    seen_at: float = 0.0
    tokens_issued: list[str] = field(default_factory=list)
    fail_next: list[Reply] = field(default_factory=list)
    throttled: int = 0
    queries: int = 0
    read_orders: bool = True
    """Whether the token has the read_orders scope."""
    down_after: int | None = None
    """Queries answered before the shop goes down (503 from then on)."""

    def __post_init__(self) -> None:
        self.server.route("POST", GRAPHQL, self._graphql)
        self.server.route("POST", TOKEN, self._token)

    @property
    def url(self) -> str:
        return self.server.url

    def add(self, *orders: dict[str, Any]) -> None:
        self.orders.extend(orders)

    def _token(self, request: Request) -> Reply:
        form = {k: v[0] for k, v in _form(request.body).items()}
        ok = form.get("client_id") == CLIENT_ID and form.get("client_secret") == CLIENT_SECRET
        if form.get("grant_type") != "client_credentials" or not ok:
            return Reply(400, json.dumps({"error": "invalid_client"}))
        token = f"shpat_cc_{len(self.tokens_issued) + 1}"
        self.tokens_issued.append(token)
        body = {"access_token": token, "scope": "read_orders", "expires_in": 86399}
        return Reply(200, json.dumps(body))

    def _graphql(self, request: Request) -> Reply:
        if self.fail_next:
            return self.fail_next.pop(0)
        if self.down_after is not None and self.queries >= self.down_after:
            return Reply(503, "Service Unavailable", content_type="text/plain")
        token = request.headers.get("x-shopify-access-token", "")
        if token != ADMIN_TOKEN and token not in self.tokens_issued[-1:]:
            return Reply(401, json.dumps({"errors": "[API] Invalid API key or access token"}))
        body = request.json()
        text, variables = body["query"], body.get("variables") or {}
        self.queries += 1
        if "MoreLines" in text:
            return self._more_lines(variables)
        if "shop {" in text:
            if not self.read_orders:
                return Reply(200, json.dumps({"errors": [ACCESS_DENIED]}))
            shop = {"name": "Test Shop", "myshopifyDomain": "t"}
            orders = {"nodes": [{"id": o["id"]} for o in self.orders[:1]]}
            return self._answer({"shop": shop, "orders": orders}, 4, 3)
        return self._orders(variables)

    def _orders(self, variables: dict[str, Any]) -> Reply:
        first = int(variables["first"])
        requested = 2 + first * COST_PER_ORDER
        if requested > 1000:
            error = {
                "message": "Query cost is too high",
                "extensions": {"code": "MAX_COST_EXCEEDED"},
            }
            return Reply(200, json.dumps({"errors": [error]}))
        refill = self._refill()
        if refill < requested:
            self.throttled += 1
            return self._throttled(requested)
        found = sorted(
            _matching(self.orders, variables.get("query") or ""), key=_sort_key(variables)
        )
        start = _after(variables.get("after"))
        nodes = found[start : start + first]
        more = start + first < len(found)
        page = {
            "pageInfo": {"hasNextPage": more, "endCursor": _cursor(start + len(nodes))},
            "nodes": [_trim_lines(n) for n in nodes],
        }
        actual = 2 + sum(8 + 4 * len(n["lineItems"]["nodes"]) for n in nodes)
        data: dict[str, Any] = {"orders": page}
        if variables.get("counted"):
            data["ordersCount"] = {"count": len(found)}
        return self._answer(data, requested, actual)

    def _more_lines(self, variables: dict[str, Any]) -> Reply:
        order = next(o for o in self.orders if o["id"] == variables["id"])
        start = _after(variables.get("after"))
        lines = order["lineItems"]["nodes"][start : start + 100]
        more = start + 100 < len(order["lineItems"]["nodes"])
        connection = {
            "pageInfo": {"hasNextPage": more, "endCursor": _cursor(start + len(lines))},
            "nodes": lines,
        }
        return self._answer({"order": {"lineItems": connection}}, 402, 2 + 4 * len(lines))

    def _refill(self) -> float:
        self.available = min(
            self.maximum, self.available + (self.watch() - self.seen_at) * self.restore_rate
        )
        self.seen_at = self.watch()
        return self.available

    def _answer(self, data: dict[str, Any], requested: float, actual: float) -> Reply:
        self._refill()
        self.available -= actual
        cost = self._cost(requested, actual)
        return Reply(200, json.dumps({"data": data, "extensions": {"cost": cost}}))

    def _throttled(self, requested: float) -> Reply:
        error = {"message": "Throttled", "extensions": {"code": "THROTTLED"}}
        cost = self._cost(requested, None)
        return Reply(200, json.dumps({"errors": [error], "extensions": {"cost": cost}}))

    def _cost(self, requested: float, actual: float | None) -> dict[str, Any]:
        return {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": {
                "maximumAvailable": self.maximum,
                "currentlyAvailable": self.available,
                "restoreRate": self.restore_rate,
            },
        }


LINES_ON_PAGE = 20


def _trim_lines(order: dict[str, Any]) -> dict[str, Any]:
    """The page holds the first 20 line items, as ``lineItems(first: 20)`` asks."""
    lines = order["lineItems"]["nodes"]
    more = len(lines) > LINES_ON_PAGE
    trimmed = {
        "pageInfo": {"hasNextPage": more, "endCursor": _cursor(LINES_ON_PAGE) if more else None},
        "nodes": lines[:LINES_ON_PAGE],
    }
    return {**order, "lineItems": trimmed}


def _matching(orders: list[dict[str, Any]], query: str) -> Iterator[dict[str, Any]]:
    found = re.fullmatch(r"(created|updated)_at:>='([^']+)'", query.strip())
    if not found:
        yield from orders
        return
    key = "createdAt" if found.group(1) == "created" else "updatedAt"
    since = _time(found.group(2))
    yield from (o for o in orders if _time(o[key]) >= since)


def _sort_key(variables: dict[str, Any]) -> Any:
    return lambda o: (_time(o["createdAt"]), o["id"])


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _cursor(index: int) -> str:
    return base64.b64encode(json.dumps({"last": index}).encode()).decode()


def _after(cursor: str | None) -> int:
    return int(json.loads(base64.b64decode(cursor))["last"]) if cursor else 0


def _form(body: bytes) -> dict[str, list[str]]:
    from urllib.parse import parse_qs

    return parse_qs(body.decode())


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def order_node(
    number: int,
    *,
    created: datetime,
    updated: datetime | None = None,
    email: str = "",
    lines: int = 2,
    fulfillments: list[dict[str, Any]] | None = None,
    cancelled: datetime | None = None,
) -> dict[str, Any]:
    """An ``Order`` node shaped as the GraphQL Admin API documents it."""
    oid = 5_000_000_000 + number
    return {
        "id": f"gid://shopify/Order/{oid}",
        "name": f"#{number}",
        "email": email or f"shopper{number}@example.com",
        "phone": None,
        "createdAt": iso(created),
        "processedAt": iso(created),
        "updatedAt": iso(updated or created),
        "cancelledAt": iso(cancelled) if cancelled else None,
        "currencyCode": "EUR",
        "customerLocale": "de",
        "totalPriceSet": {
            "shopMoney": {"amount": f"{19.9 * lines + 4.9:.2f}", "currencyCode": "EUR"}
        },
        "billingAddress": {
            "firstName": "Anna",
            "lastName": f"Muster{number}",
            "name": f"Anna Muster{number}",
            "phone": None,
        },
        "shippingAddress": {
            "name": f"Anna Muster{number}",
            "address1": "Hauptstraße 1",
            "address2": None,
            "city": "Berlin",
            "provinceCode": "BE",
            "zip": "10115",
            "countryCodeV2": "DE",
            "phone": "+49 30 1234567",
        },
        "lineItems": {
            "nodes": [
                {
                    "id": f"gid://shopify/LineItem/{oid * 100 + i}",
                    "title": f"Ceramic mug {i}",
                    "variantTitle": "Blue",
                    "sku": f"MUG-{i}",
                    "quantity": 1,
                    "originalUnitPriceSet": {"shopMoney": {"amount": "19.90"}},
                    "product": {
                        "id": f"gid://shopify/Product/{700 + i}",
                        "tags": ["Ceramics", "kitchen"] if i == 1 else [],
                    },
                }
                for i in range(1, lines + 1)
            ]
        },
        "fulfillments": fulfillments or [],
    }


def fulfillment(
    fid: int,
    *,
    number: str,
    company: str = "DHL Express",
    created: datetime,
    status: str = "SUCCESS",
    delivered: bool = False,
) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/Fulfillment/{fid}",
        "status": status,
        "createdAt": iso(created),
        "inTransitAt": None,
        "deliveredAt": iso(created + timedelta(days=2)) if delivered else None,
        "displayStatus": "DELIVERED" if delivered else "FULFILLED",
        "trackingInfo": [
            {"company": company, "number": number, "url": f"https://track.example/{number}"}
        ],
    }


def connect_shopify(app: ShopCare, shop: ShopifyShop, clock: FakeClock) -> None:
    """The store connected to this loopback shop with an Admin API token."""
    save_connection(
        app.sessions,
        "shopify",
        shop_url=shop.url,
        values={"access_token": ADMIN_TOKEN},
        now=clock(),
    )
