"""Delivery estimates: the carrier's when it gives one, otherwise the shop's own rule,
learned from the shop's delivered history (median and 90th percentile transit days)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from shopcare.domain.calendar import add_business_days, business_days_between, is_business_day

MIN_HISTORY = 5
"""Fewer delivered parcels than this and the shop's rule of thumb is used instead."""


class EstimateSource(StrEnum):
    CARRIER = "carrier"
    HISTORY = "history"
    RULE = "rule"


@dataclass(frozen=True)
class TransitStats:
    median_days: int
    p90_days: int
    samples: int


@dataclass(frozen=True)
class Estimate:
    earliest: date
    latest: date
    source: EstimateSource

    def end_of_latest(self, zone: ZoneInfo) -> datetime:
        """The moment the estimate has passed: the end of its last day in the shop's zone."""
        return datetime.combine(self.latest + timedelta(days=1), time(0), tzinfo=zone)


def transit_business_days(
    shipped: date, delivered: date, *, holidays: Collection[date] = ()
) -> int:
    """Business days from hand-over to arrival, as the history estimates learn them. An
    arrival on a day off (a Saturday delivery) counts as by the next business day: counted
    as the business day before, a parcel handed over on Friday and delivered on Saturday took
    0 days, and the estimate learned from such parcels (Friday) passed while they were still
    on their way, flagging every one of them late."""
    arrived = delivered
    while not is_business_day(arrived, holidays=holidays):
        arrived += timedelta(days=1)
    return business_days_between(shipped, arrived, holidays=holidays)


def transit_stats(business_days: Sequence[int]) -> TransitStats | None:
    """Median and 90th percentile (nearest rank) of delivered parcels' transit days."""
    if len(business_days) < MIN_HISTORY:
        return None
    ordered = sorted(business_days)
    median = ordered[(len(ordered) - 1) // 2]
    p90 = ordered[max(0, -(-9 * len(ordered) // 10) - 1)]
    return TransitStats(median_days=median, p90_days=p90, samples=len(ordered))


def estimate_delivery(
    *,
    shipped_at: datetime,
    carrier_estimate: datetime | None,
    history: TransitStats | None,
    rule_days: tuple[int, int],
    zone: ZoneInfo,
    holidays: Collection[date] = (),
) -> Estimate:
    """``rule_days`` is the shop's (fastest, slowest) transit in business days."""
    if carrier_estimate is not None:
        day = carrier_estimate.astimezone(zone).date()
        return Estimate(day, day, EstimateSource.CARRIER)
    start = shipped_at.astimezone(zone).date()
    if history is not None:
        low, high, source = history.median_days, history.p90_days, EstimateSource.HISTORY
    else:
        (low, high), source = rule_days, EstimateSource.RULE
    return Estimate(
        add_business_days(start, low, holidays=holidays),
        add_business_days(start, high, holidays=holidays),
        source,
    )
