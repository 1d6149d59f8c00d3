"""The tracking status vocabulary and how a shipment's status follows from its events."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class ShipmentStatus(StrEnum):
    PENDING = "pending"
    INFO_RECEIVED = "info_received"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    FAILED_ATTEMPT = "failed_attempt"
    EXCEPTION = "exception"
    DELIVERED = "delivered"
    RETURNED_TO_SENDER = "returned_to_sender"
    EXPIRED = "expired"

    @property
    def is_final(self) -> bool:
        """Final statuses end polling: nothing the carrier says later is expected."""
        return self in _FINAL


_FINAL = frozenset(
    {ShipmentStatus.DELIVERED, ShipmentStatus.RETURNED_TO_SENDER, ShipmentStatus.EXPIRED}
)

# When two events carry the same timestamp, the one further along the journey wins.
_RANK = {status: rank for rank, status in enumerate(ShipmentStatus)}

EXPIRE_AFTER = timedelta(days=30)


@dataclass(frozen=True)
class CarrierEvent:
    """One scan as a carrier reported it, mapped onto our vocabulary, its own words kept."""

    occurred_at: datetime
    status: ShipmentStatus
    description: str
    location: str = ""
    raw_code: str = ""
    provider: str = ""

    @property
    def key(self) -> str:
        """Same scan reported twice (re-poll, push and pull) gives the same key."""
        basis = "|".join(
            (self.occurred_at.isoformat(), self.raw_code, self.description, self.location)
        )
        return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]


def chronological(events: Iterable[CarrierEvent]) -> list[CarrierEvent]:
    return sorted(events, key=lambda e: (e.occurred_at, _RANK[e.status]))


def derive_status(
    events: Sequence[CarrierEvent],
    *,
    now: datetime,
    since: datetime,
    expire_after: timedelta = EXPIRE_AFTER,
) -> ShipmentStatus:
    """The latest event decides; a shipment with no news for ``expire_after`` expires.

    ``since`` is when ShopCare started following the shipment: the clock for "no news"
    starts there when the carrier has said nothing at all.
    """
    ordered = chronological(events)
    if any(e.status is ShipmentStatus.DELIVERED for e in ordered):
        # A late scan after delivery (a sorting echo) never un-delivers a parcel; only a
        # return to the sender can follow.
        after = ordered[-1].status
        return after if after is ShipmentStatus.RETURNED_TO_SENDER else ShipmentStatus.DELIVERED
    if ordered and ordered[-1].status.is_final:
        return ordered[-1].status
    last_news = ordered[-1].occurred_at if ordered else since
    if now - last_news > expire_after:
        return ShipmentStatus.EXPIRED
    return ordered[-1].status if ordered else ShipmentStatus.PENDING
