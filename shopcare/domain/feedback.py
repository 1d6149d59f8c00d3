"""What a shopper's feedback means: the score's NPS band, the aspects they may rate, how long
a feedback link stays open. Pure: no store, no clock (the caller passes ``now``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum

SCORES = range(0, 11)
"""The recommendation score (NPS question): 0 = not at all likely, 10 = extremely likely."""
RATINGS = range(1, 6)
"""Aspect ratings and CSAT: 1 = very poor / very dissatisfied, 5 = excellent / very satisfied."""
LOW_RATING = 2
"""An aspect rated this or lower is "rated low" (the owner's filter)."""
LINK_LIFETIME = timedelta(days=60)
"""A feedback link answers (and edits) for this long after it was made; later memories are
not about this order any more, and an old link in a forwarded email should not vote."""


class ScoreBand(StrEnum):
    """The NPS groups: detractors 0-6, passives 7-8, promoters 9-10."""

    DETRACTOR = "detractor"
    PASSIVE = "passive"
    PROMOTER = "promoter"


BAND_SCORES: dict[ScoreBand, tuple[int, int]] = {
    ScoreBand.DETRACTOR: (0, 6),
    ScoreBand.PASSIVE: (7, 8),
    ScoreBand.PROMOTER: (9, 10),
}
"""Lowest and highest score of each band, for queries."""


def score_band(score: int) -> ScoreBand:
    if score not in SCORES:
        raise ValueError(f"a score is 0 to 10, not {score}")
    return next(band for band, (low, high) in BAND_SCORES.items() if low <= score <= high)


class Aspect(StrEnum):
    """What a shopper may rate besides the score; each is stored as ``rating_<aspect>``."""

    PRODUCT = "product"
    DELIVERY = "delivery"
    """How fast the parcel came."""
    PACKAGING = "packaging"
    COMMUNICATION = "communication"

    @property
    def column(self) -> str:
        return f"rating_{self.value}"


def link_expired(created_at: datetime, *, now: datetime) -> bool:
    return now - created_at > LINK_LIFETIME


def ratings_in_words(csat: int | None, ratings: Mapping[Aspect, int | None]) -> str:
    """The owner's one-line summary of what was rated: "satisfaction 4/5, delivery 2/5"; ""
    when nothing was."""
    rated = [("satisfaction", csat), *((aspect.value, ratings.get(aspect)) for aspect in Aspect)]
    return ", ".join(f"{name} {value}/5" for name, value in rated if value)
