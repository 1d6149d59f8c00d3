"""What the shop platform clients share: one error type, one page of orders, one way to call.

A platform client reads orders a page at a time and hands back ``OrderIn`` values; it never
touches the store. Its failures say whether asking again can help, as ``CarrierError`` does
for carriers (the same kinds, so the owner reads the same words):

    PlatformError(kind=...)
      AUTH          401/403, a refused token request -> tell the owner, stop
      RATE_LIMITED  429 or GraphQL THROTTLED -> wait retry_after seconds
      UNAVAILABLE   5xx -> back off
      NETWORK       timeout, refused, DNS -> back off
      BAD_RESPONSE  not JSON, GraphQL errors, a shape we cannot read
      CONFIG        the connection lacks a field
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar

import httpx

from shopcare.carriers.base import CarrierError, ErrorKind
from shopcare.carriers.http import json_of, send
from shopcare.domain.intake import OrderIn

__all__ = ["ErrorKind", "Page", "Platform", "PlatformError", "Since", "call", "json_body"]

Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")
RETRIES = 4
"""Attempts at one page when the platform is busy or down, before the run stops and waits
for the next reconcile or a resume: a backfill should ride out a short outage."""
MAX_WAIT_S = 120.0
"""The longest wait the client accepts between attempts; longer Retry-After values stop
the run instead of holding it for hours."""


class PlatformError(Exception):
    """A platform could not answer. ``permanent`` means retrying will not help (bad
    credentials, missing scope); otherwise retry, after ``retry_after`` seconds when said."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        retry_after: float | None = None,
        kind: ErrorKind = ErrorKind.UNAVAILABLE,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after
        self.kind = kind


class Since(StrEnum):
    """Which of an order's times a window of orders is read by."""

    CREATED = "created"
    """A backfill: orders placed in the last N days."""
    UPDATED = "updated"
    """A reconcile: orders changed since the last one."""


@dataclass(frozen=True)
class Page:
    orders: Sequence[OrderIn]
    cursor: str
    """Where the next page starts; "" when this was the last."""
    calls: int
    """HTTP calls this page took (retries, tracking look-ups and tokens included)."""
    total: int | None = None
    """How many orders the whole window holds, when the platform says."""
    skipped: Sequence[str] = field(default_factory=tuple)
    """Orders that could not be read at all (order id: why)."""


class Platform(Protocol):
    name: str
    calls: int
    """HTTP calls made so far (pages, retries, tokens, look-ups)."""

    async def check(self) -> str:
        """The cheapest call that proves the credentials; a short text, or PlatformError."""
        ...

    async def orders(self, *, since: datetime, by: Since, cursor: str = "") -> Page:
        """One page of the orders created or updated at or after ``since``, oldest first;
        ``cursor`` is a previous page's, to go on."""
        ...


def from_carrier_error(exc: CarrierError, provider: str) -> PlatformError:
    message = str(exc)
    if exc.kind is ErrorKind.NOT_FOUND:
        message = f"{provider}: not found (404): check the shop address"
        return PlatformError(message, permanent=True, kind=ErrorKind.CONFIG)
    return PlatformError(
        message, permanent=exc.permanent, retry_after=exc.retry_after, kind=exc.kind
    )


async def call(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    provider: str,
    allow: tuple[int, ...] = (),
    **kwargs: Any,
) -> httpx.Response:
    """``carriers.http.send`` (timeouts, status codes, Retry-After read in one place), its
    errors spoken as the platform's."""
    try:
        return await send(client, method, url, provider=provider, allow=allow, **kwargs)
    except CarrierError as exc:
        raise from_carrier_error(exc, provider) from exc


def json_body(response: httpx.Response, *, provider: str) -> Any:
    try:
        return json_of(response, provider=provider)
    except CarrierError as exc:
        raise from_carrier_error(exc, provider) from exc


async def patiently(
    attempt: Callable[[], Awaitable[T]],
    *,
    sleep: Sleep = asyncio.sleep,
    retries: int = RETRIES,
) -> T:
    """``attempt`` again after a passing failure (busy, down, no network), waiting as long as
    the platform asked, else 1, 2, 4… seconds; a permanent failure or a long wait is raised."""
    for number in range(1, retries + 1):
        try:
            return await attempt()
        except PlatformError as exc:
            wait = exc.retry_after if exc.retry_after is not None else float(2 ** (number - 1))
            if exc.permanent or number == retries or wait > MAX_WAIT_S:
                raise
            await sleep(wait)
    raise AssertionError("unreachable")


def numeric_id(gid: object) -> str:
    """'gid://shopify/Order/123' -> '123'; a plain id stays as it is."""
    text = str(gid or "")
    return text.rsplit("/", 1)[-1]


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time as platforms send it ('2026-11-02T09:00:00Z'); None when absent or
    unreadable, so one odd field does not lose an order."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
