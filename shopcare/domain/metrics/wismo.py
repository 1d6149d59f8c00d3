""" "Where is my order?": how often shoppers came to ask, measured from the shop's own pages.

A tracking page view before the parcel arrived is a question the shopper did not write;
comparing parcels that came on time with late ones shows what lateness costs in questions,
and, week by week, whether proactive messages cut them. Rows come grouped by day from the
store; weeks start on Monday (``delivery.week_of``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from shopcare.domain.insight import share
from shopcare.domain.metrics.delivery import week_of


class Timing(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    UNKNOWN = "unknown"
    """No estimate was ever shown: neither on time nor late."""


@dataclass(frozen=True)
class DeliveredDay:
    """Parcels delivered on one day with one timing, and their tracking views before."""

    day: date
    timing: Timing
    parcels: int
    viewed: int
    """Parcels whose order's tracking page was viewed between shipping and delivery."""
    views: int
    """Tracking page views in that time, all of them."""


@dataclass(frozen=True)
class Asked:
    parcels: int = 0
    viewed: int = 0
    views: int = 0

    @property
    def viewed_share(self) -> float | None:
        return share(self.viewed, self.parcels)

    @property
    def views_per_parcel(self) -> float | None:
        return share(self.views, self.parcels)

    def __add__(self, other: Asked) -> Asked:
        return Asked(
            self.parcels + other.parcels, self.viewed + other.viewed, self.views + other.views
        )


def asked(rows: Iterable[DeliveredDay], timing: Timing | None = None) -> Asked:
    """Every parcel's, or only those of one timing."""
    total = Asked()
    for row in rows:
        if timing is None or row.timing is timing:
            total += Asked(row.parcels, row.viewed, row.views)
    return total


@dataclass
class WismoWeek:
    week: date
    asked: dict[Timing, Asked] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    """Lookups found / failed and problem reports by reason, by their keys."""


def weekly(
    delivered: Iterable[DeliveredDay], daily_counts: Mapping[tuple[date, str], int]
) -> list[WismoWeek]:
    """Weeks with anything in them, oldest first: views by timing, and the day counts
    (``(day, key) -> n``) summed per week and key."""
    weeks: dict[date, WismoWeek] = {}

    def week(day: date) -> WismoWeek:
        start = week_of(day)
        return weeks.setdefault(start, WismoWeek(start))

    for row in delivered:
        found = week(row.day)
        found.asked[row.timing] = found.asked.get(row.timing, Asked()) + Asked(
            row.parcels, row.viewed, row.views
        )
    sums: dict[tuple[date, str], int] = defaultdict(int)
    for (day, key), n in daily_counts.items():
        sums[(week(day).week, key)] += n
    for (start, key), n in sums.items():
        weeks[start].counts[key] = n
    return [weeks[start] for start in sorted(weeks)]
