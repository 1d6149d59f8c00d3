"""What shoppers' answers add up to: NPS from the 0-10 score, CSAT and aspect averages from
the 1-5 ratings. Each takes a histogram (``answer -> how many``) as the database groups it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shopcare.domain.metrics.counts import Histogram, grouped, merged
from shopcare.domain.metrics.experience import DeliveryFlags, Timing

PROMOTERS = range(9, 11)
DETRACTORS = range(0, 7)
SATISFIED = range(4, 6)
"""CSAT counts 4 and 5 ("satisfied", "very satisfied") of 1-5."""
RATINGS = range(1, 6)


def nps(scores: Histogram) -> float | None:
    """Net Promoter Score, -100..100: % promoters (9-10) - % detractors (0-6) of every
    0-10 answer; None without answers (a dash, not a score of 0)."""
    answers = sum(n for score, n in scores.items() if 0 <= score <= 10)
    if not answers:
        return None
    promoters = sum(n for score, n in scores.items() if score in PROMOTERS)
    detractors = sum(n for score, n in scores.items() if score in DETRACTORS)
    return 100 * (promoters - detractors) / answers


def csat(ratings: Histogram) -> float | None:
    """The share (0..1) of 1-5 answers that are 4 or 5."""
    answers = sum(n for rating, n in ratings.items() if rating in RATINGS)
    if not answers:
        return None
    return sum(n for rating, n in ratings.items() if rating in SATISFIED) / answers


def average(ratings: Histogram) -> float | None:
    """The mean 1-5 rating (an aspect: product, delivery, packaging, communication)."""
    answers = sum(n for rating, n in ratings.items() if rating in RATINGS)
    if not answers:
        return None
    return sum(rating * n for rating, n in ratings.items() if rating in RATINGS) / answers


def answers(scores: Histogram) -> int:
    return sum(scores.values())


@dataclass(frozen=True)
class SplitRow:
    group: str
    answers: int
    nps: float | None


def nps_by(rows: Iterable[tuple[str, int, int]]) -> list[SplitRow]:
    """``(group, score, count)`` rows -> NPS per group (a carrier, a week), in the order the
    groups first appear."""
    return [SplitRow(g, answers(h), nps(h)) for g, h in grouped(rows).items()]


def nps_by_delivery(
    rows: Iterable[tuple[DeliveryFlags, int, int]],
) -> tuple[list[SplitRow], list[SplitRow]]:
    """The question no hosted tool answers: NPS of shoppers whose parcel came on time, late
    or without an estimate to judge by; and with or without an exception on the way.
    ``rows``: ``(an order's delivery flags, score, count)``."""
    by_flags = grouped(rows)
    timing = [
        SplitRow(t.value, answers(h), nps(h))
        for t in Timing
        for h in [merged(v for f, v in by_flags.items() if f.timing is t)]
    ]
    exception = [
        SplitRow(name, answers(h), nps(h))
        for name, had in (("with_exception", True), ("without_exception", False))
        for h in [merged(v for f, v in by_flags.items() if f.exception is had)]
    ]
    return timing, exception


def averages(aspects: Mapping[str, Histogram]) -> dict[str, float | None]:
    return {aspect: average(ratings) for aspect, ratings in aspects.items()}
