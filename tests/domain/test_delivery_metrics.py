"""Delivery per carrier on hand-made parcels whose answers are known."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from shopcare.domain.insight import percentile
from shopcare.domain.metrics.delivery import (
    DeliveryGroup,
    by_carrier,
    distribution,
    figures,
    transit_days,
    week_of,
    weekly_on_time,
    weighted_percentile,
)

MONDAY = date(2026, 11, 2)


def test_ten_deliveries_with_three_late_are_70_percent_on_time() -> None:
    groups = [
        DeliveryGroup("dhl", MONDAY, date(2026, 11, 4), 7, with_estimate=7, on_time=7,
                      first_attempt=7),
        DeliveryGroup("dhl", MONDAY, date(2026, 11, 6), 3, with_estimate=3, on_time=0,
                      first_attempt=2, exceptions=1),
    ]  # fmt: skip
    found = figures(groups)
    assert found.parcels == 10
    assert found.on_time == 0.7
    assert found.first_attempt == 0.9
    assert found.exception_rate == 0.1
    assert (found.p50, found.p90) == (2, 4)


def test_parcels_without_an_estimate_are_left_out_of_the_on_time_rate() -> None:
    groups = [DeliveryGroup("ups", MONDAY, MONDAY, 4, with_estimate=2, on_time=1)]
    assert figures(groups).on_time == 0.5
    assert figures([DeliveryGroup("ups", MONDAY, MONDAY, 4)]).on_time is None


def test_transit_skips_a_weekend_and_a_holiday() -> None:
    friday, tuesday = date(2026, 12, 4), date(2026, 12, 8)
    parcel = DeliveryGroup("dhl", friday, tuesday, 1)
    assert transit_days(parcel) == 2  # Monday, Tuesday
    assert transit_days(parcel, holidays={date(2026, 12, 7)}) == 1  # Monday off: Tuesday


def test_the_distribution_counts_parcels_per_carrier_and_day() -> None:
    groups = [
        DeliveryGroup("dhl", MONDAY, date(2026, 11, 3), 5),
        DeliveryGroup("dhl", date(2026, 11, 3), date(2026, 11, 4), 2),
        DeliveryGroup("ups", MONDAY, date(2026, 11, 9), 1),  # over a weekend: 5 days
    ]
    assert distribution(groups) == {"dhl": Counter({1: 7}), "ups": Counter({5: 1})}


def test_the_weighted_percentile_agrees_with_the_plain_one() -> None:
    values = [1, 1, 2, 2, 2, 3, 5, 8, 8, 13]
    counts = Counter(values)
    for fraction in (0.1, 0.5, 0.9, 1.0):
        assert weighted_percentile(counts, fraction) == percentile(values, fraction)
    assert weighted_percentile({}, 0.5) is None


def test_carriers_come_busiest_first_with_their_own_figures() -> None:
    groups = [
        DeliveryGroup("ups", MONDAY, date(2026, 11, 3), 1, with_estimate=1, on_time=0),
        DeliveryGroup("dhl", MONDAY, date(2026, 11, 3), 2, with_estimate=2, on_time=2),
    ]
    assert [(f.carrier, f.parcels, f.on_time) for f in by_carrier(groups)] == [
        ("dhl", 2, 1.0),
        ("ups", 1, 0.0),
    ]


def test_the_weekly_trend_groups_by_the_week_of_delivery() -> None:
    sunday = date(2026, 11, 8)
    groups = [
        DeliveryGroup("dhl", MONDAY, MONDAY, 1, with_estimate=1, on_time=1),
        DeliveryGroup("dhl", MONDAY, sunday, 1, with_estimate=1, on_time=0),
        DeliveryGroup("dhl", MONDAY, date(2026, 11, 9), 2, with_estimate=2, on_time=2),
    ]
    assert week_of(sunday) == MONDAY
    assert [(w.week, w.carrier, w.rate) for w in weekly_on_time(groups)] == [
        (MONDAY, "dhl", 0.5),
        (date(2026, 11, 9), "dhl", 1.0),
    ]


def test_a_year_of_transit_counts_agrees_with_the_calendar_day_by_day() -> None:
    holidays = {date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1)}
    groups = [
        DeliveryGroup("dhl", date(2026, 12, 1) + timedelta(days=k), date(2026, 12, 1)
                      + timedelta(days=k + span), 1)
        for k in range(40) for span in (0, 1, 3, 9)
    ]  # fmt: skip
    expected: Counter[int] = Counter(transit_days(g, holidays=holidays) for g in groups)
    assert distribution(groups, holidays=holidays) == {"dhl": expected}
