"""What the label platforms (EasyPost, Shippo) share.

Both read one number per call, so a batch is fanned out a few calls at a time; both give ISO
times and location objects; both need the rule that a code we cannot place keeps the status
of the scan before it, because their histories mix normalised codes with carrier noise.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from shopcare.carriers.base import CarrierError, ErrorKind, TrackingQuery, TrackingResult
from shopcare.domain.status import CarrierEvent, ShipmentStatus

log = logging.getLogger(__name__)

_PROVIDER_WIDE = frozenset({ErrorKind.AUTH, ErrorKind.RATE_LIMITED})
"""One number's answer that speaks for the whole account: stop asking, raise it."""
_CALL_FAILURES = frozenset({ErrorKind.UNAVAILABLE, ErrorKind.NETWORK, ErrorKind.BAD_RESPONSE})

One = Callable[[TrackingQuery], Awaitable[TrackingResult]]


@dataclass(frozen=True)
class Scan:
    """One history entry before the "unknown keeps the previous status" rule is applied."""

    occurred_at: datetime
    status: ShipmentStatus | None
    """``None``: the code says nothing we can map; the previous scan's status carries on."""
    first: ShipmentStatus
    """The status of a ``None`` scan that has no earlier scan to inherit from."""
    description: str
    location: str
    raw_code: str


def events_of(scans: Iterable[Scan], *, provider: str) -> list[CarrierEvent]:
    """Oldest first, so an unmappable code inherits from the scan that really came before."""
    events: list[CarrierEvent] = []
    previous: ShipmentStatus | None = None
    for scan in sorted(scans, key=lambda s: s.occurred_at):
        status = scan.status or previous or scan.first
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
        previous = status
    return events


def note_unknown(provider: str, code: str) -> None:
    """An unmapped code is news to us, not an error: log it so the table can grow."""
    log.warning("%s: unknown status code %r keeps the previous status", provider, code)


def bad_response(provider: str, what: str) -> CarrierError:
    return CarrierError(f"{provider}: {what}", permanent=False, kind=ErrorKind.BAD_RESPONSE)


def missing_field(provider: str, label: str) -> CarrierError:
    return CarrierError(
        f"{provider}: the {label} is missing in the account settings",
        permanent=True,
        kind=ErrorKind.CONFIG,
    )


def text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def place(location: object) -> str:
    """ "City, ST, CC" from whatever parts exist; the zip is left out as shoppers read it."""
    if not isinstance(location, Mapping):
        return ""
    parts = (text(location.get(key)) for key in ("city", "state", "country"))
    return ", ".join(part for part in parts if part)


def optional_time(value: object) -> datetime | None:
    """An ISO time in UTC; a time without offset is taken as UTC rather than dropped."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def required_time(value: object, *, provider: str) -> datetime:
    """A scan without a readable time cannot be placed in the journey: the answer is broken."""
    parsed = optional_time(value)
    if parsed is None:
        raise bad_response(provider, f"a tracking event has no readable time ({value!r})")
    return parsed


async def track_each(
    queries: Sequence[TrackingQuery], one: One, *, limit: int
) -> dict[str, TrackingResult | CarrierError]:
    """One call per number, ``limit`` at a time.

    A refused key or a rate limit ends the batch (raised, later calls skipped); when every
    call failed in transport the whole call failed (raised); anything else stays per number.
    """
    gate = asyncio.Semaphore(limit)
    stopped: list[CarrierError] = []

    async def run(query: TrackingQuery) -> TrackingResult | CarrierError:
        async with gate:
            if stopped:
                return stopped[0]
            try:
                return await one(query)
            except CarrierError as exc:
                if exc.kind in _PROVIDER_WIDE:
                    stopped.append(exc)
                return exc

    unique = list({q.tracking_number: q for q in queries}.values())
    outcomes = await asyncio.gather(*(run(q) for q in unique))
    if stopped:
        raise stopped[0]
    errors = [o for o in outcomes if isinstance(o, CarrierError)]
    if errors and len(errors) == len(outcomes) and all(e.kind in _CALL_FAILURES for e in errors):
        raise errors[0]
    return {q.tracking_number: outcome for q, outcome in zip(unique, outcomes, strict=True)}
