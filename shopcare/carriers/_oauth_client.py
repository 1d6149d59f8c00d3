"""What the direct carrier adapters share: OAuth client-credentials calls (UPS, USPS, FedEx),
splitting a batch into the calls a carrier allows, and turning dated scans into events.

A token costs quota at USPS, UPS and FedEx, so one ``TokenCache`` per adapter serves every
call; a 401 on a call means the token died early, so it is dropped and the call tried once
more with a fresh one (carriers.md §6). DHL has no OAuth but uses the batch and event helpers.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, time, timedelta, timezone, tzinfo
from typing import Any, NamedTuple

import httpx

from shopcare.carriers.base import CarrierError, ErrorKind, TrackingQuery, TrackingResult
from shopcare.carriers.http import json_of, send
from shopcare.carriers.oauth import TokenCache
from shopcare.domain.status import CarrierEvent, ShipmentStatus

log = logging.getLogger(__name__)

Outcome = TrackingResult | CarrierError
Headers = Callable[[], Mapping[str, str]]

DEFAULT_LIFETIME = 3600.0
"""Seconds a token is trusted when the carrier does not say (all three do, as a rule)."""

_OFFSET = re.compile(r"([+-])(\d{1,2}):?(\d{2})")
_RETURN = re.compile(r"\breturn(?:ed|ing)?\b.*\b(?:sender|shipper)\b")


def require(credentials: Mapping[str, str], keys: Sequence[str], *, provider: str) -> None:
    """Checked on use, not on creation, so the settings page can build an unfinished account."""
    missing = [key for key in keys if not credentials.get(key, "").strip()]
    if missing:
        raise CarrierError(
            f"{provider}: the account is missing {', '.join(missing)}",
            permanent=True,
            kind=ErrorKind.CONFIG,
        )


def bad(provider: str, what: str) -> CarrierError:
    return CarrierError(f"{provider}: {what}", permanent=False, kind=ErrorKind.BAD_RESPONSE)


def no_headers() -> Mapping[str, str]:
    return {}


class OAuthClient:
    """Calls with a cached client-credentials token; ``token_request`` holds the keyword
    arguments of the token POST, which is where the three carriers differ."""

    def __init__(
        self,
        *,
        client: httpx.AsyncClient,
        clock: Callable[[], datetime],
        provider: str,
        token_url: str,
        token_request: Mapping[str, Any],
    ) -> None:
        self._client = client
        self._provider = provider
        self._token_url = token_url
        self._token_request = token_request
        self.tokens = TokenCache(self._fetch, clock=clock)
        self._latest = ""
        self.scope: str | None = None
        """The scopes of the last token, or None when the carrier did not list them."""

    async def fresh_token(self) -> str:
        """A token fetched now, for ``check``: a cached one proves nothing about today's keys."""
        self.tokens.invalidate()
        return await self.tokens.token()

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Headers = no_headers,
        allow: tuple[int, ...] = (),
        **kwargs: Any,
    ) -> httpx.Response:
        """``headers`` is called per attempt, so a per-call id (UPS transId) stays unique.
        Calls in flight together that all meet a 401 drop the refused token once, not each."""
        response, used = await self._send(method, url, headers, allow=(*allow, 401), **kwargs)
        if response.status_code == 401:
            if used == self._latest:
                self.tokens.invalidate()
            response, _ = await self._send(method, url, headers, allow=allow, **kwargs)
        return response

    async def _send(
        self, method: str, url: str, headers: Headers, **kwargs: Any
    ) -> tuple[httpx.Response, str]:
        token = await self.tokens.token()
        sent = {**headers(), "Authorization": f"Bearer {token}"}
        response = await send(
            self._client, method, url, provider=self._provider, headers=sent, **kwargs
        )
        return response, token

    async def _fetch(self) -> tuple[str, float]:
        """OAuth answers 400 for a bad client or grant (RFC 6749 §5.2): a credential problem."""
        p = self._provider
        response = await send(
            self._client, "POST", self._token_url, provider=p, allow=(400,), **self._token_request
        )
        if response.status_code == 400:
            raise CarrierError(
                f"{p}: the token request was refused (400): {response.text.strip()[:160]}",
                permanent=True,
                kind=ErrorKind.AUTH,
            )
        body = json_of(response, provider=p)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise bad(p, "the token answer has no access_token")
        scope = body.get("scope")
        self.scope = scope if isinstance(scope, str) else None
        self._latest = token
        return token, _lifetime(body.get("expires_in"))


def _lifetime(value: object) -> float:
    """UPS sends ``expires_in`` as a string, USPS and FedEx as a number."""
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return DEFAULT_LIFETIME
    return seconds if seconds > 0 else DEFAULT_LIFETIME


async def track_each(
    queries: Sequence[TrackingQuery],
    call: Callable[[Sequence[TrackingQuery]], Awaitable[Mapping[str, Outcome]]],
    *,
    size: int,
    concurrency: int = 1,
) -> dict[str, Outcome]:
    """``call`` over chunks of ``size`` numbers; the first failed call stops the rest.

    A failed call (auth, rate limit, outage, garbage) would fail the later ones too, so they are
    not made. With nothing answered the failure is raised; otherwise the answered numbers keep
    their results and the rest carry the failure, so a 429 on the 31st USPS call does not throw
    away 30 answers already paid for out of a 60-an-hour budget.
    """
    chunks = [queries[i : i + size] for i in range(0, len(queries), size)]
    results: dict[str, Outcome] = {}
    failures: list[CarrierError] = []
    gate = asyncio.Semaphore(concurrency)

    async def run(chunk: Sequence[TrackingQuery]) -> None:
        async with gate:
            if failures:
                return
            try:
                results.update(await call(chunk))
            except CarrierError as exc:
                failures.append(exc)

    await asyncio.gather(*(run(chunk) for chunk in chunks))
    if not failures:
        return results
    if not results:
        raise failures[0]
    for query in queries:
        results.setdefault(query.tracking_number, failures[0])
    return results


class Scan(NamedTuple):
    occurred_at: datetime
    status: ShipmentStatus | None
    """None: a code we cannot map."""
    description: str
    location: str
    raw_code: str


def events_of(
    scans: Sequence[Scan],
    *,
    provider: str,
    first: ShipmentStatus = ShipmentStatus.IN_TRANSIT,
) -> list[CarrierEvent]:
    """Oldest first. The carriers list newest first, so the list is reversed before a stable
    sort and scans sharing a timestamp keep their order. A code we cannot map keeps the status
    before it (``first`` when none): a new carrier code must neither invent a status nor fail
    the poll (carriers.md §4)."""
    events: list[CarrierEvent] = []
    for scan in sorted(reversed(scans), key=lambda s: s.occurred_at):
        status = scan.status
        if status is None:
            log.info("%s: unknown code %r (%s)", provider, scan.raw_code, scan.description)
            status = events[-1].status if events else first
        events.append(
            CarrierEvent(
                occurred_at=scan.occurred_at,
                status=status,
                description=scan.description,
                location=scan.location,
                raw_code=scan.raw_code,
                provider=provider,
            )
        )
    return events


def utc_time(value: object, *, provider: str) -> datetime:
    """An ISO time in UTC; one without an offset is taken as UTC (carriers.md §6)."""
    when = _iso(value)
    if when is None:
        raise bad(provider, f"an event has no readable time ({value!r})")
    return when


def estimate_time(value: object) -> datetime | None:
    """An estimate is optional: unreadable means none. A bare date means by the end of it, so
    the parcel does not count as late on the morning it is due."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        day = datetime.fromisoformat(value.strip()).date()
        return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)
    return _iso(value)


def _iso(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def offset_zone(value: object) -> tzinfo | None:
    """A GMT offset such as "-05:00" (UPS ``gmtOffset``, USPS ``GMTOffset``) as a zone."""
    found = _OFFSET.fullmatch(text(value))
    if not found:
        return None
    sign = -1 if found[1] == "-" else 1
    return timezone(sign * timedelta(hours=int(found[2]), minutes=int(found[3])))


def mentions_return(text: str) -> bool:
    """'Returned to sender', 'returning the package to the shipper', 'Return to Sender'."""
    return bool(_RETURN.search(text.lower()))


def place(*parts: object) -> str:
    return ", ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())


def obj(value: object) -> dict[str, Any]:
    """JSON objects only; anything else reads as empty, so optional fields cannot crash us."""
    return value if isinstance(value, dict) else {}


def objs(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
