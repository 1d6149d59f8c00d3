"""What the three aggregator adapters (17TRACK, AfterShip, Ship24) share.

They all answer in loosely typed JSON where any optional field may be missing or null, give
times sometimes with and sometimes without an offset, and leave some scans without a code we
know. These helpers keep those rules in one place: read JSON defensively, read times as UTC,
let an unknown code keep the previous status, and run per-number calls side by side without
hiding an account-wide failure behind per-number errors.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

import httpx

from shopcare.carriers.base import AccountField, CarrierError, ErrorKind, TrackingResult
from shopcare.domain.status import CarrierEvent, ShipmentStatus

Outcome = TrackingResult | CarrierError
T = TypeVar("T")
log = logging.getLogger(__name__)

# Failures that concern the whole account: the engine must see them raised to pause the
# provider or slow down, even when they surfaced in one of several per-number calls.
_ACCOUNT_WIDE = (ErrorKind.AUTH, ErrorKind.RATE_LIMITED)


class Adapter:
    """What every aggregator adapter is built with; its constructor is the spec's ``create``.
    Credentials are checked when used, not here, so an account that lacks a key still loads
    and ``check()`` can say which field is missing."""

    clock_speed = 1.0

    def __init__(
        self,
        credentials: Mapping[str, str],
        *,
        client: httpx.AsyncClient,
        clock: Callable[[], datetime],
        base_url: str,
    ) -> None:
        self._credentials = credentials
        self._client = client
        self._clock = clock
        self._base = base_url.rstrip("/")


def webhook_field(key: str, label: str, where: str) -> AccountField:
    return AccountField(
        key, label, secret=True, required=False, help=f"{where}; needed only for the webhook"
    )


def required(credentials: Mapping[str, str], key: str, *, provider: str, label: str) -> str:
    value = (credentials.get(key) or "").strip()
    if not value:
        raise CarrierError(
            f"{provider}: the account has no {label} ({key}); add it in the settings",
            permanent=True,
            kind=ErrorKind.CONFIG,
        )
    return value


def bad_response(provider: str, what: str) -> CarrierError:
    return CarrierError(f"{provider}: {what}", permanent=False, kind=ErrorKind.BAD_RESPONSE)


def not_found(provider: str, number: str, why: str) -> CarrierError:
    return CarrierError(f"{provider}: {number}: {why}", permanent=False, kind=ErrorKind.NOT_FOUND)


def as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def load_push(body: bytes, *, provider: str) -> dict[str, Any]:
    """A webhook body as a JSON object; anything else is garbage the sender must not retry."""
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise bad_response(provider, "the pushed body is not valid JSON") from exc
    if not isinstance(payload, dict):
        raise bad_response(provider, "the pushed body is not a JSON object")
    return payload


def parse_time(value: object, *, assume_utc: bool = True) -> datetime | None:
    """An ISO time in UTC. A time without offset is read as UTC (``assume_utc``) because a
    slightly wrong hour beats dropping the scan; with ``assume_utc=False`` it gives None so a
    caller can prefer another field that carries the offset."""
    raw = text(value)
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        if not assume_utc:
            return None
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_estimate(value: object) -> datetime | None:
    """A promised delivery. A bare date means "some time that day", so it becomes the end of
    that day: the parcel only counts as late once the whole day has passed."""
    raw = text(value)
    if len(raw) == 10:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            return None
        return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)
    return parse_time(raw)


def join_location(*parts: object) -> str:
    return ", ".join(part for part in (text(p) for p in parts) if part)


@dataclass(frozen=True)
class Scan:
    """One carrier scan before the unknown-code rule gave it a status."""

    occurred_at: datetime
    status: ShipmentStatus | None
    description: str
    location: str
    raw_code: str


def events_from(scans: Sequence[Scan], *, provider: str) -> tuple[CarrierEvent, ...]:
    """Oldest first; a scan whose code we do not know keeps the status of the scan before it
    (in transit when it is the first), and a scan reported twice is kept once."""
    events: list[CarrierEvent] = []
    seen: set[str] = set()
    previous = ShipmentStatus.IN_TRANSIT
    for scan in sorted(scans, key=lambda s: s.occurred_at):
        if scan.status is None and scan.raw_code:
            log.info("%s: unknown status code %r keeps %s", provider, scan.raw_code, previous)
        previous = scan.status or previous
        event = CarrierEvent(
            occurred_at=scan.occurred_at,
            status=previous,
            description=scan.description,
            location=scan.location,
            raw_code=scan.raw_code,
            provider=provider,
        )
        if event.key not in seen:
            seen.add(event.key)
            events.append(event)
    return tuple(events)


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Calls in flight at once: enough to finish a batch quickly, few enough that a burst stays
# within the providers' per-second limits and does not open dozens of sockets at a time.
AT_ONCE = 5


async def _settle(
    call: Awaitable[Outcome], gate: asyncio.Semaphore
) -> tuple[Outcome | None, CarrierError | None]:
    async with gate:
        try:
            return await call, None
        except CarrierError as exc:
            return None, exc


async def per_number(
    calls: Mapping[str, Awaitable[Outcome]], *, whole_call: bool
) -> dict[str, Outcome]:
    """Run one call per number side by side; a call that raised becomes that number's error.

    A refused key or a rate limit is raised whichever call met it, so the engine pauses the
    provider. With ``whole_call`` (the calls are the tracking request itself) a failure of
    every call is raised too: a carrier that is down is not a per-parcel problem.
    """
    gate = asyncio.Semaphore(AT_ONCE)
    settled = await asyncio.gather(*(_settle(call, gate) for call in calls.values()))
    raised = [error for _, error in settled if error is not None]
    for kind in _ACCOUNT_WIDE:
        for failure in raised:
            if failure.kind is kind:
                raise failure
    if whole_call and raised and len(raised) == len(settled):
        raise raised[0]
    outcomes: dict[str, Outcome] = {}
    for number, (value, error) in zip(calls, settled, strict=True):
        outcome = error if error is not None else value
        assert outcome is not None
        outcomes[number] = outcome
    return outcomes
