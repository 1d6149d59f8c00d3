"""Returns as the owner weighs them: how many orders and items come back, which products,
why, how they are settled, what money leaves as a refund and what stays in the shop as an
exchange or store credit, and how long each step takes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shopcare.domain.insight import share
from shopcare.domain.metrics.counts import Histogram, histogram_percentile
from shopcare.domain.returns import ReturnStatus

TOP = 20


@dataclass(frozen=True)
class ProductRow:
    """One product or SKU: units ordered in the period and units asked back."""

    key: str
    title: str
    ordered: int
    returned: int

    @property
    def rate(self) -> float | None:
        return share(self.returned, self.ordered)


def top_returned(rows: Iterable[ProductRow], *, limit: int = TOP) -> list[ProductRow]:
    """The products (or SKUs) most units of which came back, most first; ties by the
    higher rate, then by key, so the list is the same on every reload."""
    return sorted(rows, key=lambda r: (-r.returned, -(r.rate if r.rate is not None else 0), r.key))[
        :limit
    ]


@dataclass(frozen=True)
class ValueSplit:
    """Minor units of one currency."""

    refunded: int = 0
    exchanged: int = 0
    credited: int = 0

    @property
    def kept(self) -> int:
        """Value that stayed in the shop: exchanged or taken as store credit."""
        return self.exchanged + self.credited

    @property
    def kept_share(self) -> float | None:
        return share(self.kept, self.kept + self.refunded)


def value_split(rows: Iterable[tuple[str, str, int]]) -> dict[str, ValueSplit]:
    """``(settled status, currency, minor units)`` rows -> the split per currency."""
    found: dict[str, dict[str, int]] = {}
    for outcome, currency, amount in rows:
        mine = found.setdefault(currency, {})
        mine[outcome] = mine.get(outcome, 0) + amount
    return {
        currency: ValueSplit(
            refunded=amounts.get(ReturnStatus.REFUNDED, 0),
            exchanged=amounts.get(ReturnStatus.EXCHANGED, 0),
            credited=amounts.get(ReturnStatus.CREDITED, 0),
        )
        for currency, amounts in found.items()
    }


@dataclass(frozen=True)
class Days:
    """p50 and p90 of whole days between two steps, and how many returns took them."""

    p50: int | None
    p90: int | None
    returns: int


def days(histogram: Histogram) -> Days:
    return Days(
        histogram_percentile(histogram, 0.5),
        histogram_percentile(histogram, 0.9),
        sum(histogram.values()),
    )


def shares(counts: Mapping[str, int]) -> list[tuple[str, int, float | None]]:
    """``(name, count, share of all)``, most first: reasons, resolutions."""
    whole = sum(counts.values())
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [(name, n, share(n, whole)) for name, n in ordered]
