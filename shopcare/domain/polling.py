"""How often to ask a carrier about a shipment, by what we know of it.

Hosted apps re-poll every 2-12 hours on a fixed clock; ShopCare asks often when news is
near (out for delivery: hourly) and rarely when it is not, stops at final statuses, and adds
jitter so thousands of parcels labelled at once do not hit the carrier in the same second.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from shopcare.domain.status import ShipmentStatus as S

DEFAULT_CADENCE_HOURS: dict[S, float] = {
    S.PENDING: 2,
    S.INFO_RECEIVED: 6,
    S.IN_TRANSIT: 4,
    S.OUT_FOR_DELIVERY: 1,
    S.AVAILABLE_FOR_PICKUP: 12,
    S.FAILED_ATTEMPT: 2,
    S.EXCEPTION: 4,
}

URGENCY: tuple[S, ...] = (
    S.OUT_FOR_DELIVERY,
    S.FAILED_ATTEMPT,
    S.EXCEPTION,
    S.AVAILABLE_FOR_PICKUP,
    S.IN_TRANSIT,
    S.INFO_RECEIVED,
    S.PENDING,
)
"""When a provider's budget is short, the parcels whose news matters soonest go first."""

MIN_INTERVAL = timedelta(seconds=5)
MAX_BACKOFF = timedelta(hours=24)
JITTER = 0.15


def poll_interval(
    status: S,
    *,
    clock_speed: float = 1.0,
    cadence_hours: Mapping[S, float] | None = None,
    jitter: float = 0.0,
) -> timedelta | None:
    """None means stop polling. ``jitter`` in [-1, 1] spreads the time by up to ±15 %.
    A carrier whose clock runs faster (the demo's simulated one) is asked more often."""
    if status.is_final:
        return None
    hours = (cadence_hours or DEFAULT_CADENCE_HOURS).get(status, DEFAULT_CADENCE_HOURS[status])
    base = timedelta(hours=hours) * (1 + JITTER * max(-1.0, min(1.0, jitter)))
    return max(base / clock_speed, MIN_INTERVAL)


def error_backoff(failures: int, *, clock_speed: float = 1.0) -> timedelta:
    """Exponential back-off after carrier errors, from 5 minutes up to 24 hours."""
    factor: int = 2 ** max(failures - 1, 0)
    delay = min(timedelta(minutes=5) * factor, MAX_BACKOFF)
    return max(delay / clock_speed, MIN_INTERVAL)


def urgency(status: S) -> int:
    """Lower is more urgent."""
    return URGENCY.index(status) if status in URGENCY else len(URGENCY)
