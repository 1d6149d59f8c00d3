"""Stall rules: when a parcel that should be moving has gone quiet, it is "delayed".

Delayed is derived, never stored as a status: it is raised once per stall and clears itself
when the carrier reports movement again (or, for a missed estimate, on delivery). A quiet
stall is identified by the last event before it, so a parcel that moves and then stalls
again counts as a new stall.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from shopcare.domain.calendar import business_days_between
from shopcare.domain.status import ShipmentStatus

_MOVING = frozenset(
    {
        ShipmentStatus.INFO_RECEIVED,
        ShipmentStatus.IN_TRANSIT,
        ShipmentStatus.OUT_FOR_DELIVERY,
        ShipmentStatus.FAILED_ATTEMPT,
        ShipmentStatus.EXCEPTION,
    }
)


class StallReason(StrEnum):
    NO_SCAN_AFTER_LABEL = "no_scan_after_label"
    NO_MOVEMENT = "no_movement"
    ESTIMATE_PASSED = "estimate_passed"


@dataclass(frozen=True)
class StallRules:
    label_days: int = 3
    """Business days a label may wait for the first carrier scan."""
    transit_days: int = 4
    """Business days a parcel in transit may go without a scan."""
    holidays: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Stall:
    reason: StallReason
    since: datetime
    """The last news before the stall: the stall's identity."""


def find_stall(
    *,
    status: ShipmentStatus,
    last_event_at: datetime | None,
    estimated_delivery: datetime | None,
    now: datetime,
    zone: ZoneInfo,
    rules: StallRules = StallRules(),
) -> Stall | None:
    """The stall a shipment is in at ``now``, or None. Days are counted in the shop's zone."""
    if status not in _MOVING or last_event_at is None:
        return None
    quiet = business_days_between(
        last_event_at.astimezone(zone).date(), now.astimezone(zone).date(), holidays=rules.holidays
    )
    if status is ShipmentStatus.INFO_RECEIVED and quiet >= rules.label_days:
        return Stall(StallReason.NO_SCAN_AFTER_LABEL, since=last_event_at)
    if status is not ShipmentStatus.INFO_RECEIVED and quiet >= rules.transit_days:
        return Stall(StallReason.NO_MOVEMENT, since=last_event_at)
    if estimated_delivery is not None and now > estimated_delivery:
        # Late against the promise even though it moves: one stall per promised date.
        return Stall(StallReason.ESTIMATE_PASSED, since=estimated_delivery)
    return None


def carrier_time(moment: datetime, *, origin: datetime, speed: float) -> datetime:
    """``moment`` as a carrier whose clock runs ``speed`` times fast since ``origin`` (the
    hand-over) sees it. The demo's simulated carrier lives a day per minute: its quiet spells
    and its promised date are minutes long in real time, so stall rules, which count days,
    must count in its time to ever see a demo parcel late."""
    return origin + (moment - origin) * speed


def stall_key(stall: Stall) -> str:
    """Same stall, same key: messages about it are sent once."""
    return stall.since.isoformat()
