"""Do shoppers come back, and does their first parcel decide it? Customers whose first order
fell in a period: the share who ordered again (so far) and the days until they did, split by
what happened to that first order's parcels."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shopcare.domain.insight import share
from shopcare.domain.metrics.counts import histogram_percentile
from shopcare.domain.metrics.experience import DeliveryFlags, Experience


@dataclass(frozen=True)
class Cohort:
    group: str
    customers: int
    repeat: int
    """Of them, those with a second order."""
    days_p50: int | None
    """Median whole days from the first order to the second, among those who came back."""

    @property
    def repeat_rate(self) -> float | None:
        return share(self.repeat, self.customers)


def cohort(group: str, rows: Iterable[tuple[int | None, int]]) -> Cohort:
    """``rows``: ``(days to the second order or None for no second order, customers)``."""
    days: dict[int, int] = {}
    customers = 0
    for to_second, n in rows:
        customers += n
        if to_second is not None:
            days[to_second] = days.get(to_second, 0) + n
    return Cohort(group, customers, sum(days.values()), histogram_percentile(days, 0.5))


def by_first_delivery(
    rows: Iterable[tuple[DeliveryFlags, int | None, int]],
) -> tuple[Cohort, list[Cohort]]:
    """All new customers, then one cohort per experience of their first order (on time,
    late, exception, unknown). ``rows``: ``(flags, days to second or None, customers)``."""
    rows = list(rows)
    split = [
        cohort(e.value, [(d, n) for flags, d, n in rows if flags.experience is e])
        for e in Experience
    ]
    return cohort("all", [(d, n) for _, d, n in rows]), split
