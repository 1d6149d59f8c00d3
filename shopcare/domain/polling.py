"""How often to ask a carrier about a shipment, by what we know of it."""

from __future__ import annotations

from datetime import timedelta

from shopcare.domain.status import ShipmentStatus

_CADENCE: dict[ShipmentStatus, timedelta] = {
    ShipmentStatus.PENDING: timedelta(hours=2),
    ShipmentStatus.INFO_RECEIVED: timedelta(hours=4),
    ShipmentStatus.IN_TRANSIT: timedelta(hours=4),
    ShipmentStatus.OUT_FOR_DELIVERY: timedelta(hours=1),
    ShipmentStatus.AVAILABLE_FOR_PICKUP: timedelta(hours=6),
    ShipmentStatus.FAILED_ATTEMPT: timedelta(hours=2),
    ShipmentStatus.EXCEPTION: timedelta(hours=4),
}

MIN_INTERVAL = timedelta(seconds=5)
MAX_BACKOFF = timedelta(hours=12)


def poll_interval(status: ShipmentStatus, *, clock_speed: float = 1.0) -> timedelta | None:
    """None means stop polling. A carrier whose clock runs faster is asked more often."""
    if status.is_final:
        return None
    return max(_CADENCE[status] / clock_speed, MIN_INTERVAL)


def error_backoff(failures: int, *, clock_speed: float = 1.0) -> timedelta:
    """Exponential back-off after carrier errors, from 5 minutes up to 12 hours."""
    factor: int = 2 ** max(failures - 1, 0)
    delay = min(timedelta(minutes=5) * factor, MAX_BACKOFF)
    return max(delay / clock_speed, MIN_INTERVAL)
