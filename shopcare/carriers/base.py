"""The one seam every carrier adapter implements, and the one error it raises.

Adapters return our vocabulary (``CarrierEvent``) and keep the carrier's own code and text;
they never touch the store. A failure says whether asking again later can help.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from shopcare.domain.status import CarrierEvent


class CarrierError(Exception):
    """A carrier could not answer. ``permanent`` means retrying will not help (bad key,
    unknown number); otherwise retry, after ``retry_after`` seconds when the carrier said."""

    def __init__(self, message: str, *, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


@dataclass(frozen=True)
class TrackingQuery:
    """What we know that helps a carrier find a parcel (some APIs want a date or postcode)."""

    tracking_number: str
    shipped_at: datetime
    postal_code: str = ""


@dataclass(frozen=True)
class TrackingResult:
    events: Sequence[CarrierEvent] = field(default_factory=tuple)
    estimated_delivery: datetime | None = None


class Carrier(Protocol):
    name: str
    label: str
    clock_speed: float
    """How many seconds pass on the carrier's clock per real second: 1.0 for real carriers."""

    async def track(
        self, queries: Sequence[TrackingQuery]
    ) -> Mapping[str, TrackingResult | CarrierError]:
        """Events for each tracking number; a number the carrier failed on maps to its error.

        Raises ``CarrierError`` when the whole call failed (network, auth, rate limit).
        """
        ...
