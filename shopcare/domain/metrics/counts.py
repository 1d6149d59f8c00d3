"""Distributions as the database hands them over: ``{value: how many}`` from a GROUP BY,
never one row per parcel or answer, so a year of a large shop stays a few hundred rows."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

Histogram = Mapping[int, int]
"""A whole-number value (a score, a number of days) -> how many times it occurred."""


def histogram_percentile(counts: Histogram, fraction: float) -> int | None:
    """The nearest-rank percentile of the values ``counts`` holds, exactly what
    ``domain.insight.percentile`` gives on the same values written out one by one."""
    total = sum(n for n in counts.values() if n > 0)
    if not total:
        return None
    rank = min(max(math.ceil(round(fraction * total, 9)), 1), total)
    seen = 0
    for value in sorted(counts):
        seen += max(counts[value], 0)
        if seen >= rank:
            return value
    raise AssertionError("unreachable: the ranks add up to the total")


def grouped(rows: Iterable[tuple[K, int, int]]) -> dict[K, Counter[int]]:
    """``(group, value, count)`` rows from a GROUP BY folded into one histogram per group
    (a group that comes twice adds up)."""
    found: dict[K, Counter[int]] = {}
    for group, value, count in rows:
        found.setdefault(group, Counter())[value] += count
    return found


def merged(histograms: Iterable[Histogram]) -> Counter[int]:
    total: Counter[int] = Counter()
    for one in histograms:
        total.update(one)
    return total
