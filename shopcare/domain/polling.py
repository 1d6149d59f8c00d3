"""How often to ask a carrier about a shipment, by what we know of it.

Hosted apps re-poll every 2-12 hours on a fixed clock; ShopCare asks often when news is
near (out for delivery: hourly) and rarely when it is not, stops at final statuses, and adds
jitter so thousands of parcels labelled at once do not hit the carrier in the same second.

A parcel in transit has one piece of news the shopper waits for, "out for delivery", and
carriers make that scan as the van is loaded at the delivery depot: in the morning of the
delivery day, local time. So (``next_poll_at``) a parcel in transit whose delivery is near
(from the business day before the estimate's first day, overdue included, while it still
moves) is asked every ``NEAR_EVERY`` in the ``MORNING`` window; otherwise, and for every
parcel outside that window, the owner's cadence for its status holds (the "far" cadence);
and no parcel in transit is asked at night (``NIGHT_FROM`` to the morning), when sort
centres scan what the shopper need not know: that question moves to the morning.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shopcare.domain.calendar import is_business_day
from shopcare.domain.estimates import Estimate
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

MORNING_FROM, MORNING_TO = time(5), time(13)
"""When vans are loaded and "out for delivery" scans appear, local time."""
NIGHT_FROM = time(22)
"""From here to ``MORNING_FROM`` parcels in transit are not asked about."""
NEAR_EVERY = timedelta(minutes=45)
"""In the morning window, for parcels near delivery: with the ±15 % jitter the gap stays
under 52 minutes, so a scan is seen within the hour (hourly polls would leave 69)."""
STILL_AFTER = timedelta(days=4)
"""A parcel without a scan for this long has stopped moving (lost, held): however overdue,
it is not near, and the far cadence watches it. Four days cover a long weekend."""

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
    base = timedelta(hours=hours) * (1 + JITTER * _bounded(jitter))
    return max(base / clock_speed, MIN_INTERVAL)


def next_poll_at(
    status: S,
    *,
    now: datetime,
    zone: ZoneInfo,
    estimate: Estimate | None,
    last_event_at: datetime | None,
    cadence_hours: Mapping[S, float] | None = None,
    jitter: float = 0.0,
    clock_speed: float = 1.0,
) -> datetime | None:
    """When to ask next; None means stop polling. ``zone`` is the delivery's local time,
    ``estimate`` the delivery estimate, ``jitter`` in [-1, 1]. A carrier on a fast clock
    (the demo's) keeps the plain cadence: its days are not days."""
    far = poll_interval(status, clock_speed=clock_speed, cadence_hours=cadence_hours, jitter=jitter)
    if far is None:
        return None
    if status is not S.IN_TRANSIT or clock_speed != 1:
        return now + far

    def near(day: date) -> bool:
        return is_near(day, now=now, estimate=estimate, last_event_at=last_event_at)

    local = now.astimezone(zone)
    step = far
    if _in_morning(local) and near(local.date()):
        step = min(far, NEAR_EVERY * (1 + JITTER * _bounded(jitter)))
    when = now + step
    # The first question of a window is spread over its first step: thousands of parcels
    # waiting for the morning do not all go at 05:00.
    spread = NEAR_EVERY * (1 + _bounded(jitter)) / 2
    morning = _next_morning(local)
    if when >= morning and near(morning.date()):
        return morning + spread
    if _at_night(when.astimezone(zone)):
        return _next_morning(when.astimezone(zone)) + spread
    return when


def is_near(
    day: date, *, now: datetime, estimate: Estimate | None, last_event_at: datetime | None
) -> bool:
    """Delivery may come on ``day``: from the business day before the estimate's first day
    (the learned first day is a median: many parcels come a day sooner), overdue included,
    unless the parcel has stopped moving. Without an estimate nothing is near."""
    if estimate is None:
        return False
    if last_event_at is not None and now - last_event_at > STILL_AFTER:
        return False
    start = estimate.earliest - timedelta(days=1)
    while not is_business_day(start):
        start -= timedelta(days=1)
    return day >= start


def _bounded(jitter: float) -> float:
    return max(-1.0, min(1.0, jitter))


def _in_morning(local: datetime) -> bool:
    return MORNING_FROM <= local.time() < MORNING_TO


def _at_night(local: datetime) -> bool:
    return local.time() >= NIGHT_FROM or local.time() < MORNING_FROM


def _next_morning(local: datetime) -> datetime:
    """The start of the first morning window after ``local`` (today's if before it)."""
    day = local.date() if local.time() < MORNING_FROM else local.date() + timedelta(days=1)
    return datetime.combine(day, MORNING_FROM, tzinfo=local.tzinfo)


def error_backoff(failures: int, *, clock_speed: float = 1.0) -> timedelta:
    """Exponential back-off after carrier errors, from 5 minutes up to 24 hours."""
    factor: int = 2 ** max(failures - 1, 0)
    delay = min(timedelta(minutes=5) * factor, MAX_BACKOFF)
    return max(delay / clock_speed, MIN_INTERVAL)


def urgency(status: S) -> int:
    """Lower is more urgent."""
    return URGENCY.index(status) if status in URGENCY else len(URGENCY)
