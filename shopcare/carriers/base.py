"""The one seam every carrier adapter implements, and the one error it raises.

Adapters return our vocabulary (``CarrierEvent``) and keep the carrier's own code and text;
they never touch the store. A failure says whether asking again later can help, and what
kind of failure it was, so the engine can pause a provider on bad credentials or slow down
on rate limits without knowing any carrier's API.

    CarrierError(kind=...)
      AUTH          401/403: bad key, missing scope -> pause the provider, tell the owner once
      RATE_LIMITED  429: wait retry_after seconds
      UNAVAILABLE   5xx, maintenance -> back off
      NETWORK       timeout, refused, DNS -> back off
      BAD_RESPONSE  malformed JSON, missing required fields -> back off
      NOT_FOUND     the carrier does not know the number (yet): stays pending
      CONFIG        the account is not set up (missing key)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from shopcare.domain.status import CarrierEvent


class ErrorKind(StrEnum):
    AUTH = "auth"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    NETWORK = "network"
    BAD_RESPONSE = "bad_response"
    NOT_FOUND = "not_found"
    CONFIG = "config"


class CarrierError(Exception):
    """A carrier could not answer. ``permanent`` means retrying will not help (bad key,
    unknown number); otherwise retry, after ``retry_after`` seconds when the carrier said."""

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


@dataclass(frozen=True)
class TrackingQuery:
    """What we know that helps a carrier find a parcel (some APIs want a date or postcode)."""

    tracking_number: str
    shipped_at: datetime
    postal_code: str = ""
    carrier_code: str = ""
    """The carrier behind an aggregator, when known (e.g. 'ups' for AfterShip)."""


@dataclass(frozen=True)
class TrackingResult:
    events: Sequence[CarrierEvent] = field(default_factory=tuple)
    estimated_delivery: datetime | None = None
    note: str = ""
    """What the owner should know about this answer although it was usable: the carrier had
    several parcels under the number and one was chosen, or it sent an error beside its scans.
    Shown on the order page; it is not a failure, so polling goes on as usual."""


class Carrier(Protocol):
    name: str
    label: str
    clock_speed: float
    """How many seconds pass on the carrier's clock per real second: 1.0 for real carriers."""
    batch_size: int
    """How many numbers one ``track`` call may carry."""

    async def track(
        self, queries: Sequence[TrackingQuery]
    ) -> Mapping[str, TrackingResult | CarrierError]:
        """Events for each tracking number; a number the carrier failed on maps to its error.

        Raises ``CarrierError`` when the whole call failed (network, auth, rate limit).
        """
        ...

    async def check(self) -> str:
        """Test the account with the cheapest call; a short 'ok' text, or raise CarrierError
        whose message says exactly what failed (bad key, missing scope, no network)."""
        ...


@dataclass(frozen=True)
class PushUpdate:
    """One shipment's news from a carrier's webhook."""

    tracking_number: str
    result: TrackingResult
    event_id: str = ""
    """The provider's id of this delivery, when it sends one (dedup of retried pushes)."""


class PushReceiver(Protocol):
    def verify(self, headers: Mapping[str, str], body: bytes, secret: str) -> bool:
        """Whether the raw body was signed with ``secret``; compares in constant time.
        ``headers`` keys are lower-case."""
        ...

    def parse(self, body: bytes) -> list[PushUpdate]:
        """The updates in a verified body; raises CarrierError(kind=BAD_RESPONSE) on garbage."""
        ...


@dataclass(frozen=True)
class AccountField:
    key: str
    label: str
    secret: bool = False
    required: bool = True
    help: str = ""


@dataclass(frozen=True)
class Budget:
    """Calls a provider allows per period; ``None`` fields mean no such limit."""

    per_hour: int | None = None
    per_day: int | None = None


Factory = Callable[..., Carrier]
"""``create(credentials: Mapping[str, str], *, client: httpx.AsyncClient,
clock: Callable[[], datetime], base_url: str) -> Carrier``"""


@dataclass(frozen=True)
class CarrierSpec:
    """What the registry, the settings page and the engine need to know of one adapter."""

    name: str
    label: str
    fields: tuple[AccountField, ...]
    base_url: str
    create: Factory
    rate_per_second: float = 5.0
    budget: Budget = field(default_factory=Budget)
    push: PushReceiver | None = None
    webhook_secret_field: str = ""
    """Which account field holds the webhook secret, when the provider pushes."""
