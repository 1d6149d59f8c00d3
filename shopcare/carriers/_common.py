"""What the carrier adapters share in building an adapter and reading its answers, each rule
once: missing credentials, loose JSON, times in UTC, places, and the rule that a code we
cannot map keeps the status before it. ``_calls`` holds how they call a carrier.

Where the adapters were written with different rules, a parameter keeps each one's rule and
the docstring says which adapter uses which.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

import httpx

from shopcare.carriers.base import AccountField, CarrierError, ErrorKind, TrackingResult
from shopcare.domain.status import CarrierEvent, ShipmentStatus

Outcome = TrackingResult | CarrierError
log = logging.getLogger(__name__)

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_OFFSET = re.compile(r"([+-])(\d{1,2}):?(\d{2})")
_RETURN = re.compile(r"\breturn(?:ed|ing)?\b.*\b(?:sender|shipper)\b")


class Adapter:
    """What every adapter is built with; the class itself is its spec's ``create``.
    Credentials are checked when used, not here, so an account that lacks a key still loads
    and ``check()`` can say which field is missing."""

    name: str
    label: str
    batch_size: int
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


MISSING = "the account is missing {keys}"
NO_API_KEY = "the account has no API key ({keys}); add it in the settings"


def require(
    credentials: Mapping[str, str], keys: Sequence[str], *, provider: str, wording: str = MISSING
) -> list[str]:
    """The stripped values of ``keys``, or a permanent CONFIG error naming the missing ones.

    The wording is each adapter's own: ``NO_API_KEY`` for the aggregators, "the API key (or
    token) is missing in the account settings" for EasyPost and Shippo, ``MISSING`` for the
    direct carriers; ``{keys}`` stands for the missing keys."""
    values = [(credentials.get(key) or "").strip() for key in keys]
    missing = [key for key, value in zip(keys, values, strict=True) if not value]
    if missing:
        raise CarrierError(
            f"{provider}: " + wording.format(keys=", ".join(missing)),
            permanent=True,
            kind=ErrorKind.CONFIG,
        )
    return values


def webhook_field(key: str, label: str, where: str) -> AccountField:
    return AccountField(
        key, label, secret=True, required=False, help=f"{where}; needed only for the webhook"
    )


def bad_response(provider: str, what: str) -> CarrierError:
    return CarrierError(f"{provider}: {what}", permanent=False, kind=ErrorKind.BAD_RESPONSE)


def not_found(provider: str, number: str, why: str) -> CarrierError:
    return CarrierError(f"{provider}: {number}: {why}", permanent=False, kind=ErrorKind.NOT_FOUND)


def as_dict(value: object) -> dict[str, Any]:
    """JSON objects only; anything else reads as empty, so optional fields cannot crash us."""
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def as_dicts(value: object) -> list[dict[str, Any]]:
    return [item for item in as_list(value) if isinstance(item, dict)]


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


def required_time(value: object, *, provider: str, what: str = "an event") -> datetime:
    """A scan without a readable time cannot be placed in the journey: the answer is broken.
    ``what`` names the scan in the error: "a tracking event" at EasyPost and Shippo."""
    parsed = parse_time(value)
    if parsed is None:
        raise bad_response(provider, f"{what} has no readable time ({value!r})")
    return parsed


def estimate_time(value: object, *, any_iso_day: bool = True) -> datetime | None:
    """A promised delivery. A bare date means "some time that day", so it becomes the end of
    that day: the parcel only counts as late once the whole day has passed.

    The two families read a bare date differently, and each keeps its reading. The aggregators
    (``any_iso_day``) take any ten-character ISO date, week dates such as 2026-W44-1 included,
    and an impossible one (2026-02-30) is no estimate. UPS, USPS, FedEx and DHL
    (``any_iso_day=False``) take only YYYY-MM-DD as a day, read other forms as times, and let
    an impossible date raise ValueError."""
    raw = text(value)
    if any_iso_day and len(raw) == 10:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            return None
    elif not any_iso_day and _DAY.fullmatch(raw):
        day = date.fromisoformat(raw)
    else:
        return parse_time(raw)
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def offset_zone(value: object) -> tzinfo | None:
    """A GMT offset such as "-05:00" (UPS ``gmtOffset``, USPS ``GMTOffset``) as a zone."""
    found = _OFFSET.fullmatch(text(value))
    if not found:
        return None
    sign = -1 if found[1] == "-" else 1
    return timezone(sign * timedelta(hours=int(found[2]), minutes=int(found[3])))


def join_location(*parts: object) -> str:
    return ", ".join(part for part in (text(p) for p in parts) if part)


def city_state_country(place: object) -> str:
    """ "City, ST, CC" from whatever parts a location object has; a zip is left out."""
    found = as_dict(place)
    return join_location(found.get("city"), found.get("state"), found.get("country"))


def mentions_return(words: str) -> bool:
    """'Returned to sender', 'returning the package to the shipper', 'Return to Sender'."""
    return bool(_RETURN.search(words.lower()))


def note_unknown(provider: str, code: str) -> None:
    """An unmapped code is news to us, not an error: log it so the table can grow."""
    log.warning("%s: unknown status code %r keeps the previous status", provider, code)


@dataclass(frozen=True)
class Scan:
    """One carrier scan before the unknown-code rule gave it a status."""

    occurred_at: datetime
    status: ShipmentStatus | None
    """None: a code we cannot map; the status of the scan before it carries on."""
    description: str
    location: str
    raw_code: str
    first: ShipmentStatus = ShipmentStatus.IN_TRANSIT
    """The status of an unmapped scan that has no scan before it."""


def events_of(
    scans: Iterable[Scan], *, provider: str, newest_first: bool = False, log_unknown: bool = True
) -> list[CarrierEvent]:
    """Oldest first; a scan whose code we do not know keeps the status of the scan before it
    (its ``first`` when there is none): a new carrier code must neither invent a status nor
    fail the poll (carriers.md §4).

    Scans sharing a time keep the order they came in; UPS, USPS, FedEx and DHL list newest
    first (``newest_first``), so theirs are reversed before the sort. EasyPost and Shippo log
    an unknown code as they map it (``note_unknown``) and pass ``log_unknown=False``."""
    ordered = reversed(list(scans)) if newest_first else scans
    events: list[CarrierEvent] = []
    previous: ShipmentStatus | None = None
    for scan in sorted(ordered, key=lambda s: s.occurred_at):
        status = scan.status or previous or scan.first
        if scan.status is None and log_unknown:
            log.info("%s: unknown status code %r keeps %s", provider, scan.raw_code, status)
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


def unique(events: Iterable[CarrierEvent], *, keep_last: bool = False) -> tuple[CarrierEvent, ...]:
    """A scan reported twice (by two posts, or as history and current status) kept once, where
    it first stood. The aggregators keep the first report; Shippo (``keep_last``) keeps the
    last, its current status."""
    kept: dict[str, CarrierEvent] = {}
    for event in events:
        if keep_last or event.key not in kept:
            kept[event.key] = event
    return tuple(kept.values())
