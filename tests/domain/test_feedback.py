"""What a feedback answer means: NPS bands at their edges, the 60-day link, the owner's
summary of what was rated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shopcare.domain.feedback import (
    LINK_LIFETIME,
    Aspect,
    ScoreBand,
    link_expired,
    ratings_in_words,
    score_band,
)

MADE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("score", "band"),
    [(0, ScoreBand.DETRACTOR), (6, ScoreBand.DETRACTOR), (7, ScoreBand.PASSIVE),
     (8, ScoreBand.PASSIVE), (9, ScoreBand.PROMOTER), (10, ScoreBand.PROMOTER)],
)  # fmt: skip
def test_scores_fall_in_their_nps_band(score: int, band: ScoreBand) -> None:
    assert score_band(score) is band


@pytest.mark.parametrize("score", [-1, 11])
def test_a_score_outside_0_to_10_has_no_band(score: int) -> None:
    with pytest.raises(ValueError, match="0 to 10"):
        score_band(score)


def test_a_link_answers_for_exactly_60_days() -> None:
    assert timedelta(days=60) == LINK_LIFETIME
    assert not link_expired(MADE, now=MADE + timedelta(days=60))
    assert link_expired(MADE, now=MADE + timedelta(days=60, seconds=1))


def test_the_summary_names_only_what_was_rated() -> None:
    assert ratings_in_words(None, {}) == ""
    ratings = {Aspect.DELIVERY: 2, Aspect.PRODUCT: None, Aspect.COMMUNICATION: 5}
    assert ratings_in_words(4, ratings) == "satisfaction 4/5, delivery 2/5, communication 5/5"
    assert [a.column for a in Aspect] == [
        "rating_product", "rating_delivery", "rating_packaging", "rating_communication",
    ]  # fmt: skip
