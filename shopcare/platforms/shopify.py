"""Shopify's GraphQL Admin API: orders and their fulfillments, a page at a time.

Two ways in: an Admin API access token (``X-Shopify-Access-Token``), or a Dev Dashboard
app's client id and secret, for which a token is asked with the client-credentials grant
(``POST /admin/oauth/access_token``) and asked again five minutes before it expires. The
token and its expiry are readable (``token``, ``token_expires_at``) so the service keeps
them in the store between runs.

Shopify meters by query cost: every answer carries ``extensions.cost`` with the bucket
(``throttleStatus``: maximum, currently available, restore rate per second). Before a query
the client waits until the bucket holds the query's requested cost, so a backfill runs at
the shop's pace instead of meeting THROTTLED errors; a THROTTLED answer is waited out too.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from shopcare.domain.intake import OrderIn
from shopcare.platforms.base import (
    ErrorKind,
    Page,
    PlatformError,
    Since,
    Sleep,
    call,
    json_body,
    patiently,
)
from shopcare.platforms.shopify_graphql import (
    MORE_LINES_QUERY,
    ORDER_COST,
    SHOP_QUERY,
    order_from_graphql,
    orders_query,
    page_size,
    search_filter,
)

API_VERSION = "2026-10"
"""Shopify supports a version for a year; the newest stable one when this was written."""
REFRESH_EARLY = timedelta(minutes=5)
NAME = "shopify"


class Bucket:
    """The shop's cost bucket as the last answer left it, refilled by the clock between
    calls. Unknown until the first answer: then the first call simply goes."""

    def __init__(self) -> None:
        self.maximum: float | None = None
        self.available = 0.0
        self.restore_rate = 50.0
        self.seen_at = 0.0

    def read(self, cost: Mapping[str, Any], *, at: float) -> None:
        status = cost.get("throttleStatus")
        if not isinstance(status, Mapping):
            return
        try:
            self.maximum = float(status["maximumAvailable"])
            self.available = float(status["currentlyAvailable"])
            self.restore_rate = float(status.get("restoreRate") or 50.0) or 50.0
        except (KeyError, TypeError, ValueError):
            return
        self.seen_at = at

    def wait_for(self, cost: float, *, at: float) -> float:
        """Seconds until the bucket holds ``cost`` points (0 when it does already)."""
        if self.maximum is None:
            return 0.0
        now_available = min(self.maximum, self.available + (at - self.seen_at) * self.restore_rate)
        needed = min(cost, self.maximum) - now_available
        return max(needed / self.restore_rate, 0.0)


class Shopify:
    name = NAME

    def __init__(
        self,
        *,
        shop: str,
        client: httpx.AsyncClient,
        clock: Callable[[], datetime],
        access_token: str = "",
        client_id: str = "",
        client_secret: str = "",
        token_expires_at: datetime | None = None,
        sleep: Sleep = asyncio.sleep,
        monotonic: Callable[[], float] | None = None,
        base_url: str = "",
    ) -> None:
        """``base_url`` replaces ``https://{shop}`` (tests, a proxy); ``sleep`` and
        ``monotonic`` are the waiting and the stopwatch, passed in like the clock."""
        self._shop = shop_domain(shop)
        self._base = (base_url or _base(self._shop)).rstrip("/")
        self._client = client
        self._clock = clock
        self._admin_token = access_token.strip()
        self._client_id = client_id.strip()
        self._client_secret = client_secret.strip()
        self.token = ""
        self.token_expires_at = token_expires_at
        self._sleep = sleep
        self._monotonic = monotonic or time.monotonic
        self.bucket = Bucket()
        self.calls = 0
        self.first = page_size()
        self.waited = 0.0
        """Seconds spent waiting for the bucket or a Retry-After (for the benchmark)."""

    def remember_token(self, token: str, expires_at: datetime | None) -> None:
        """A token kept from an earlier run, used until five minutes before it expires."""
        self.token, self.token_expires_at = token, expires_at

    async def check(self) -> str:
        data = await self.query(SHOP_QUERY, {}, cost=4)
        shop = data.get("shop") if isinstance(data, Mapping) else None
        name = shop.get("name") if isinstance(shop, Mapping) else None
        return f"connected to {name or self._shop}"

    async def orders(self, *, since: datetime, by: Since, cursor: str = "") -> Page:
        calls = self.calls
        window = search_filter(by, since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))

        def variables() -> dict[str, Any]:  # per attempt: a refused cost shrinks the page
            first_page = not cursor  # the window's count, for the progress bar, once
            return {"first": self.first, "after": cursor or None, "query": window,
                    "counted": first_page}  # fmt: skip

        data = await self.query(
            orders_query(by), variables, cost=lambda: 2 + self.first * ORDER_COST
        )
        connection = data.get("orders") if isinstance(data, Mapping) else None
        if not isinstance(connection, Mapping):
            raise PlatformError(
                "shopify: the answer has no orders", permanent=False, kind=ErrorKind.BAD_RESPONSE
            )
        orders: list[OrderIn] = []
        skipped: list[str] = []
        for node in connection.get("nodes") or []:
            try:
                await self._complete_lines(node)
                orders.append(order_from_graphql(node))
            except (ValueError, TypeError, AttributeError) as exc:
                skipped.append(f"{node.get('name') or node.get('id')}: {exc}")
        info = connection.get("pageInfo") or {}
        more = bool(info.get("hasNextPage")) and bool(info.get("endCursor"))
        count = (data.get("ordersCount") or {}).get("count")
        return Page(
            orders=orders,
            cursor=str(info["endCursor"]) if more else "",
            calls=self.calls - calls,
            total=count if isinstance(count, int) else None,
            skipped=skipped,
        )

    async def _complete_lines(self, node: dict[str, Any]) -> None:
        """An order with more line items than the page asks for gets the rest here."""
        lines = node.get("lineItems") or {}
        while (lines.get("pageInfo") or {}).get("hasNextPage"):
            after = lines["pageInfo"].get("endCursor")
            data = await self.query(MORE_LINES_QUERY, {"id": node["id"], "after": after}, cost=402)
            more = ((data.get("order") or {}).get("lineItems")) or {}
            lines["nodes"] = [*(lines.get("nodes") or []), *(more.get("nodes") or [])]
            lines["pageInfo"] = more.get("pageInfo") or {}

    async def query(
        self,
        text: str,
        variables: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
        *,
        cost: float | Callable[[], float],
    ) -> Any:
        """``data`` of one GraphQL call, after waiting for the bucket; busy, throttled and
        failing answers are retried (``patiently``); GraphQL errors are raised. Variables
        and cost may be functions, read again on each attempt."""

        async def attempt() -> Any:
            given = variables() if callable(variables) else variables
            return await self._query_once(text, given, cost() if callable(cost) else cost)

        return await patiently(attempt, sleep=self._pause)

    async def _pause(self, seconds: float) -> None:
        self.waited += seconds
        await self._sleep(seconds)

    async def _query_once(self, text: str, variables: Mapping[str, Any], cost: float) -> Any:
        wait = self.bucket.wait_for(cost, at=self._monotonic())
        if wait > 0:
            await self._pause(wait)
        headers = {"X-Shopify-Access-Token": await self._token()}
        url = f"{self._base}/admin/api/{API_VERSION}/graphql.json"
        body = {"query": text, "variables": dict(variables)}
        self.calls += 1
        response = await call(
            self._client, "POST", url, provider=NAME, json=body, headers=headers, allow=(401,)
        )
        if response.status_code == 401 and self._client_id:
            self.token = ""  # died early: one more try with a fresh token
            headers = {"X-Shopify-Access-Token": await self._token()}
            self.calls += 1
            response = await call(
                self._client, "POST", url, provider=NAME, json=body, headers=headers
            )
        elif response.status_code == 401:
            raise PlatformError(
                "shopify: the access token was refused (401)", permanent=True, kind=ErrorKind.AUTH
            )
        return self._data(json_body(response, provider=NAME), cost)

    def _data(self, answer: Any, cost: float) -> Any:
        if not isinstance(answer, Mapping):
            raise PlatformError(
                "shopify: the answer is not a JSON object",
                permanent=False,
                kind=ErrorKind.BAD_RESPONSE,
            )
        spent = (answer.get("extensions") or {}).get("cost") or {}
        self.bucket.read(spent, at=self._monotonic())
        errors = answer.get("errors") or []
        codes = {str(((e or {}).get("extensions") or {}).get("code", "")) for e in errors}
        if "THROTTLED" in codes:
            requested = float(spent.get("requestedQueryCost") or cost)
            wait = max(self.bucket.wait_for(requested, at=self._monotonic()), 1.0)
            raise PlatformError(
                "shopify: throttled", permanent=False, retry_after=wait, kind=ErrorKind.RATE_LIMITED
            )
        if "MAX_COST_EXCEEDED" in codes and self.first > 1:
            self.first = max(1, self.first // 2)
            raise PlatformError(
                "shopify: query too costly",
                permanent=False,
                retry_after=0,
                kind=ErrorKind.RATE_LIMITED,
            )
        if errors:
            messages = "; ".join(str((e or {}).get("message", e))[:160] for e in errors[:3])
            denied = "ACCESS_DENIED" in codes
            raise PlatformError(
                f"shopify: {messages}",
                permanent=denied,
                kind=ErrorKind.AUTH if denied else ErrorKind.BAD_RESPONSE,
            )
        return answer.get("data") or {}

    async def _token(self) -> str:
        if self._admin_token:
            return self._admin_token
        if not (self._client_id and self._client_secret):
            raise PlatformError(
                "shopify: add an Admin API access token, or the app's client id and secret",
                permanent=True,
                kind=ErrorKind.CONFIG,
            )
        now = self._clock()
        if self.token and self.token_expires_at and now < self.token_expires_at - REFRESH_EARLY:
            return self.token
        self.calls += 1
        response = await call(
            self._client,
            "POST",
            f"{self._base}/admin/oauth/access_token",
            provider=NAME,
            data={
                "grant_type": "client_credentials",
                "client_id": self._client_id,
                "client_secret": self._client_secret,
            },
            allow=(400,),
        )
        body = json_body(response, provider=NAME)
        token = body.get("access_token") if isinstance(body, Mapping) else None
        if response.status_code == 400 or not isinstance(token, str) or not token:
            raise PlatformError(
                "shopify: the client id and secret were refused for a token"
                f" ({response.status_code})",
                permanent=True,
                kind=ErrorKind.AUTH,
            )
        lifetime = _seconds(body.get("expires_in"), default=86_399.0)
        self.token, self.token_expires_at = token, now + timedelta(seconds=lifetime)
        return token


def shop_domain(shop: str) -> str:
    """What the owner pasted ('https://my-shop.myshopify.com/admin', 'my-shop') as the
    shop's domain ('my-shop.myshopify.com'). An address with a scheme on another host (a
    proxy, a loopback test server) is kept as scheme and host."""
    text = shop.strip().lower()
    scheme, _, rest = text.rpartition("://")
    host = rest.split("/", 1)[0]
    if host and "." not in host and ":" not in host:
        host = f"{host}.myshopify.com"
    if scheme in ("http", "https") and host and not host.endswith(".myshopify.com"):
        return f"{scheme}://{host}"
    return host


def _base(shop: str) -> str:
    return shop if "://" in shop else f"https://{shop}"


def _seconds(value: object, *, default: float) -> float:
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return seconds if seconds > 0 else default
