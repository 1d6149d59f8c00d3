""" "Where is my order?" figures on hand-made days whose answers are known."""

from __future__ import annotations

from datetime import date

from shopcare.domain.metrics.wismo import Asked, DeliveredDay, Timing, asked, weekly

MONDAY = date(2026, 11, 2)


def test_late_parcels_are_asked_about_more_than_those_on_time() -> None:
    rows = [
        DeliveredDay(MONDAY, Timing.ON_TIME, parcels=8, viewed=2, views=3),
        DeliveredDay(MONDAY, Timing.LATE, parcels=2, viewed=2, views=6),
        DeliveredDay(date(2026, 11, 3), Timing.ON_TIME, parcels=2, viewed=1, views=1),
    ]
    on_time, late = asked(rows, Timing.ON_TIME), asked(rows, Timing.LATE)
    assert (on_time.viewed_share, on_time.views_per_parcel) == (0.3, 0.4)
    assert (late.viewed_share, late.views_per_parcel) == (1.0, 3.0)
    assert asked(rows) == Asked(parcels=12, viewed=5, views=10)
    assert Asked().viewed_share is None


def test_weeks_sum_their_days_and_counts() -> None:
    next_monday = date(2026, 11, 9)
    rows = [
        DeliveredDay(MONDAY, Timing.LATE, 1, 1, 2),
        DeliveredDay(date(2026, 11, 8), Timing.LATE, 1, 0, 0),  # Sunday: the same week
        DeliveredDay(next_monday, Timing.ON_TIME, 1, 0, 0),
    ]
    counts = {(MONDAY, "lookup_failed"): 2, (date(2026, 11, 5), "lookup_failed"): 1,
              (date(2026, 11, 20), "damaged"): 1}  # fmt: skip
    weeks = weekly(rows, counts)
    assert [w.week for w in weeks] == [MONDAY, next_monday, date(2026, 11, 16)]
    assert weeks[0].asked == {Timing.LATE: Asked(2, 1, 2)}
    assert weeks[0].counts == {"lookup_failed": 3}
    assert weeks[2].counts == {"damaged": 1} and weeks[2].asked == {}
