"""Delivery per carrier: how long parcels take in working days, how many arrive by the first
day the shopper was promised, at the first attempt, and without an exception.

The store hands over parcels already grouped by (carrier, day shipped, day delivered), with
the counts the rates need, so a year of parcels is a few thousand rows, not one per parcel;
the transit of a group is counted once in the shop's business calendar (weekends and the
owner's holidays do not count, as carriers do not move parcels on them).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from shopcare.domain.calendar import business_days_between, is_business_day
from shopcare.domain.insight import share


@dataclass(frozen=True)
class DeliveryGroup:
    """Parcels of one carrier shipped on one day and delivered on another (shop's days)."""

    carrier: str
    shipped: date
    delivered: date
    parcels: int
    with_estimate: int = 0
    """Of them, those that had an estimate when first shown (the on-time rate's whole)."""
    on_time: int = 0
    """Delivered before the end of the first estimated day."""
    first_attempt: int = 0
    """Delivered with no failed attempt before."""
    exceptions: int = 0
    """Had an exception on the way."""


@dataclass(frozen=True)
class DeliveryFigures:
    carrier: str
    """"" for every carrier together."""
    parcels: int
    p50: int | None
    p90: int | None
    on_time: float | None
    first_attempt: float | None
    exception_rate: float | None


def transit_days(group: DeliveryGroup, *, holidays: Collection[date] = ()) -> int:
    """Working days after the day it left up to the day it arrived."""
    return business_days_between(group.shipped, group.delivered, holidays=holidays)


class _Workdays:
    """``transit_days`` for many groups at once: a running count of business days over the
    days the groups span, so each group is one subtraction (a year of groups counted day by
    day took longer than the query that fetched them)."""

    def __init__(self, groups: Sequence[DeliveryGroup], holidays: Collection[date]) -> None:
        self.first = min((g.shipped for g in groups), default=date.today())
        last = max((g.delivered for g in groups), default=self.first)
        self.running = [0]
        for offset in range(1, (last - self.first).days + 1):
            day = self.first + timedelta(days=offset)
            self.running.append(self.running[-1] + is_business_day(day, holidays=holidays))

    def between(self, group: DeliveryGroup) -> int:
        if group.delivered <= group.shipped:
            return 0
        index = self.running
        return index[(group.delivered - self.first).days] - index[(group.shipped - self.first).days]


def weighted_percentile(counts: Mapping[int, int], fraction: float) -> int | None:
    """``domain.insight.percentile`` over values given with how often each occurred."""
    total = sum(counts.values())
    if not total:
        return None
    rank = max(1, math.ceil(round(fraction * total, 9)))  # as percentile(): 0.9 * 10 is 9
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value
    return max(counts)  # pragma: no cover - rank never exceeds total


def distribution(
    groups: Sequence[DeliveryGroup], *, holidays: Collection[date] = ()
) -> dict[str, Counter[int]]:
    """Per carrier: parcels by transit days."""
    found: dict[str, Counter[int]] = defaultdict(Counter)
    workdays = _Workdays(groups, holidays)
    for group in groups:
        found[group.carrier][workdays.between(group)] += group.parcels
    return dict(found)


def figures(
    groups: Sequence[DeliveryGroup],
    *,
    holidays: Collection[date] = (),
    carrier: str = "",
    transit: Mapping[str, Counter[int]] | None = None,
) -> DeliveryFigures:
    """One carrier's figures, or every carrier's together (``carrier=""``); ``transit`` is
    ``distribution(groups)`` when the caller has it already."""
    mine = [g for g in groups if not carrier or g.carrier == carrier]
    by_carrier = distribution(groups, holidays=holidays) if transit is None else transit
    days: Counter[int] = Counter()
    for name, counts in by_carrier.items():
        if not carrier or name == carrier:
            days.update(counts)
    parcels = sum(g.parcels for g in mine)
    return DeliveryFigures(
        carrier=carrier,
        parcels=parcels,
        p50=weighted_percentile(days, 0.5),
        p90=weighted_percentile(days, 0.9),
        on_time=share(sum(g.on_time for g in mine), sum(g.with_estimate for g in mine)),
        first_attempt=share(sum(g.first_attempt for g in mine), parcels),
        exception_rate=share(sum(g.exceptions for g in mine), parcels),
    )


def by_carrier(
    groups: Sequence[DeliveryGroup], *, holidays: Collection[date] = ()
) -> list[DeliveryFigures]:
    """Every carrier that delivered, the busiest first."""
    carriers = Counter[str]()
    for group in groups:
        carriers[group.carrier] += group.parcels
    ordered = sorted(carriers, key=lambda c: (-carriers[c], c))
    transit = distribution(groups, holidays=holidays)
    return [figures(groups, carrier=c, transit=transit) for c in ordered]


def week_of(day: date) -> date:
    """The Monday that starts the day's week: the dashboard's trends are weekly."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class WeekOnTime:
    week: date
    carrier: str
    with_estimate: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return share(self.on_time, self.with_estimate)


def weekly_on_time(groups: Iterable[DeliveryGroup]) -> list[WeekOnTime]:
    """On-time rate per week of delivery and carrier, oldest week first."""
    sums: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0])
    for group in groups:
        pair = sums[(week_of(group.delivered), group.carrier)]
        pair[0] += group.with_estimate
        pair[1] += group.on_time
    return [WeekOnTime(w, c, n, k) for (w, c), (n, k) in sorted(sums.items())]
