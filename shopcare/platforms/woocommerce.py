"""WooCommerce's REST API (wc/v3): orders a page at a time, and their tracking numbers.

The consumer key and secret go over HTTP Basic. Some hosts strip the Authorization header
before PHP sees it; WooCommerce then answers 401 ``woocommerce_rest_cannot_view``, and the
client tries once more with the key in the query string (``consumer_key`` and
``consumer_secret``, which WooCommerce accepts over HTTPS) and keeps that way from then on.

Tracking numbers live in the order's meta ``_wc_shipment_tracking_items`` (Shipment
Tracking, Advanced Shipment Tracking). Where a store does not show that meta over REST, the
client asks AST's own route for shipped orders, and stops asking once the route is absent.
The order JSON is read by ``woocommerce_orders.order_from_woocommerce``, as webhooks are.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
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
from shopcare.platforms.woocommerce_orders import (
    TRACKING_META_KEY,
    order_from_woocommerce,
    shipment_from_tracking_item,
)

NAME = "woocommerce"
PER_PAGE = 100
SHIPPED = frozenset({"completed", "shipped", "partial-shipped", "delivered"})
"""Statuses of orders that may have a parcel (AST adds the last three)."""
TRACKING_ROUTES = ("wc-shipment-tracking/v3", "wc-ast/v3")
AT_ONCE = 4
"""Tracking look-ups in flight at once: a shared WordPress host is slow, not wide."""


_KEYS_IN_URL = re.compile(r"\b(consumer_key|consumer_secret)=[^&\s\"']+")


class _HideKeys(logging.Filter):
    """httpx logs every request's address; a key sent in the query string (the fallback
    above) must not reach the log with it."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if "consumer_" in text:
            record.msg, record.args = _KEYS_IN_URL.sub(r"\1=(hidden)", text), ()
        return True


_HIDE_KEYS = _HideKeys()
for _name in ("httpx", "httpcore", "httpx_aiohttp", "aiohttp.client"):
    logging.getLogger(_name).addFilter(_HIDE_KEYS)


class WooCommerce:
    name = NAME

    def __init__(
        self,
        *,
        site: str,
        consumer_key: str,
        consumer_secret: str,
        client: httpx.AsyncClient,
        sleep: Sleep = asyncio.sleep,
        key_in_query: bool = False,
    ) -> None:
        self._site = site_url(site)
        self._key = consumer_key.strip()
        self._secret = consumer_secret.strip()
        self._client = client
        self._sleep = sleep
        self.key_in_query = key_in_query
        """True once the host was found to strip the Authorization header."""
        self.tracking_route: str | None = None
        """AST's route when found; "" once known to be absent."""
        self.calls = 0

    async def check(self) -> str:
        response, _ = await self._get("/wp-json/wc/v3/orders", {"per_page": 1})
        total = response.headers.get("x-wp-total", "?")
        how = "; key sent in the address: this host strips Authorization" * self.key_in_query
        return f"connected to {self._site} ({total} orders{how})"

    async def orders(self, *, since: datetime, by: Since, cursor: str = "") -> Page:
        calls = self.calls
        page = int(cursor or "1")
        window = "after" if by is Since.CREATED else "modified_after"
        params = {
            "per_page": PER_PAGE,
            "page": page,
            window: since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            "dates_are_gmt": "true",
            "orderby": "date",
            "order": "asc",
        }
        response, payloads = await self._get("/wp-json/wc/v3/orders", params)
        if not isinstance(payloads, list):
            raise PlatformError(
                "woocommerce: the orders answer is not a list",
                permanent=False,
                kind=ErrorKind.BAD_RESPONSE,
            )
        orders, skipped = [], []
        for payload in payloads:
            try:
                orders.append((payload, order_from_woocommerce(payload)))
            except (ValueError, TypeError, AttributeError) as exc:
                ident = payload.get("id") if isinstance(payload, Mapping) else "?"
                skipped.append(f"{ident}: {exc}")
        completed = await self._with_tracking(orders)
        pages = _int(response.headers.get("x-wp-totalpages"))
        more = page < pages if pages is not None else len(payloads) == PER_PAGE
        return Page(
            orders=completed,
            cursor=str(page + 1) if more else "",
            calls=self.calls - calls,
            total=_int(response.headers.get("x-wp-total")),
            skipped=skipped,
        )

    async def _with_tracking(self, orders: list[tuple[Any, OrderIn]]) -> list[OrderIn]:
        """Parcels from AST's route for shipped orders whose JSON carried no tracking meta."""
        gate = asyncio.Semaphore(AT_ONCE)

        async def complete(payload: Mapping[str, Any], order: OrderIn) -> OrderIn:
            if self.tracking_route == "" or order.shipments or not _needs_lookup(payload):
                return order
            async with gate:
                found = await self._trackings(order.external_id)
            return replace(order, shipments=found) if found else order

        return list(await asyncio.gather(*(complete(p, o) for p, o in orders)))

    async def _trackings(self, order_id: str) -> tuple[Any, ...]:
        routes = [self.tracking_route] if self.tracking_route else list(TRACKING_ROUTES)
        for route in routes:
            path = f"/wp-json/{route}/orders/{order_id}/shipment-trackings"
            try:
                response, items = await self._get(path, {}, allow=(404,))
            except PlatformError as exc:
                if exc.kind is not ErrorKind.AUTH:
                    raise
                self.tracking_route = ""  # the plugin refuses this key: read the meta only
                return ()
            if response.status_code == 404:
                continue
            self.tracking_route = route
            items = items if isinstance(items, list) else []
            return tuple(s for s in map(shipment_from_tracking_item, items) if s is not None)
        if self.tracking_route is None:
            self.tracking_route = ""  # no tracking plugin's route on this store
        return ()

    async def _get(
        self, path: str, params: Mapping[str, Any], *, allow: tuple[int, ...] = ()
    ) -> tuple[httpx.Response, Any]:
        """The answer and its JSON (None for an allowed error status); a busy, failing or
        garbled answer (a host's maintenance page) is asked again."""

        async def attempt() -> tuple[httpx.Response, Any]:
            response = await self._get_once(path, params, allow)
            body = json_body(response, provider=NAME) if response.is_success else None
            return response, body

        return await patiently(attempt, sleep=self._sleep)

    async def _get_once(
        self, path: str, params: Mapping[str, Any], allow: tuple[int, ...]
    ) -> httpx.Response:
        if not (self._site and self._key and self._secret):
            raise PlatformError(
                "woocommerce: add the site address, consumer key and consumer secret",
                permanent=True,
                kind=ErrorKind.CONFIG,
            )
        response = await self._send(path, params, (*allow, 401))
        if response.status_code == 401 and not self.key_in_query and _header_stripped(response):
            self.key_in_query = True
            response = await self._send(path, params, (*allow, 401))
        if response.status_code == 401:
            raise PlatformError(
                "woocommerce: the consumer key or secret was refused (401); check that the key "
                "has Read access",
                permanent=True,
                kind=ErrorKind.AUTH,
            )
        return response

    async def _send(
        self, path: str, params: Mapping[str, Any], allow: tuple[int, ...]
    ) -> httpx.Response:
        self.calls += 1
        query = dict(params)
        auth: tuple[str, str] | None = (self._key, self._secret)
        if self.key_in_query:
            query |= {"consumer_key": self._key, "consumer_secret": self._secret}
            auth = None
        return await call(
            self._client,
            "GET",
            f"{self._site}{path}",
            provider=NAME,
            params=query,
            auth=auth,
            allow=allow,
        )


def _header_stripped(response: httpx.Response) -> bool:
    """WooCommerce's answer when no credentials reached it (the header was removed), as
    against a wrong key (``woocommerce_rest_authentication_error``)."""
    try:
        code = response.json().get("code", "")
    except (ValueError, AttributeError):
        return False
    return code in ("woocommerce_rest_cannot_view", "rest_forbidden")


def _needs_lookup(payload: Mapping[str, Any]) -> bool:
    meta = payload.get("meta_data")
    keys = (
        {m.get("key") for m in meta if isinstance(m, Mapping)} if isinstance(meta, list) else set()
    )
    return TRACKING_META_KEY not in keys and str(payload.get("status", "")).lower() in SHIPPED


def site_url(site: str) -> str:
    text = site.strip().rstrip("/")
    if text and not text.startswith(("http://", "https://")):
        text = f"https://{text}"
    return text


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
