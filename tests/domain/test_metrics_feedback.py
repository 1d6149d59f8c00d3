from collections import Counter
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from shopcare.domain.insight import Period, percentile
from shopcare.domain.metrics.counts import grouped, histogram_percentile
from shopcare.domain.metrics.experience import DeliveryFlags, Experience, Timing
from shopcare.domain.metrics.feedback import average, averages, csat, nps, nps_by, nps_by_delivery

ON_TIME = DeliveryFlags(late=False, judged=True, exception=False)
LATE = DeliveryFlags(late=True, judged=True, exception=False)
LATE_WITH_EXCEPTION = DeliveryFlags(late=True, judged=True, exception=True)
NO_ESTIMATE = DeliveryFlags(late=False, judged=False, exception=False)


def test_equal_promoters_and_detractors_make_an_nps_of_exactly_zero() -> None:
    assert nps({10: 2, 9: 1, 8: 4, 0: 1, 6: 2}) == 0


def test_nps_is_promoters_minus_detractors_in_percent_of_every_answer() -> None:
    assert nps({10: 6, 7: 2, 3: 2}) == 40  # 60 % - 20 %
    assert nps({10: 5}) == 100 and nps({6: 5}) == -100
    assert nps({7: 3, 8: 1}) == 0  # passives only
    assert nps({}) is None  # no answers: a dash, never 0


def test_csat_is_the_share_of_four_and_five_among_one_to_five_answers() -> None:
    assert csat({5: 3, 4: 3, 3: 2, 1: 2}) == 0.6
    assert csat({}) is None


def test_an_aspect_average_is_the_mean_rating() -> None:
    assert average({5: 2, 4: 1, 1: 1}) == 3.75
    assert averages({"packaging": {3: 2}, "product": {}}) == {"packaging": 3.0, "product": None}


def test_nps_is_split_by_delivery_timing_and_by_exception() -> None:
    rows = [
        (ON_TIME, 10, 3),  # on time: 3 promoters, 1 detractor -> 50
        (ON_TIME, 2, 1),
        (LATE, 3, 2),  # late: 1 promoter, 2 + 1 detractors -> -50
        (LATE, 9, 1),
        (LATE_WITH_EXCEPTION, 0, 1),
        (NO_ESTIMATE, 8, 2),  # unknown: passives -> 0, its own bucket
    ]
    timing, exception = nps_by_delivery(rows)
    assert [(r.group, r.answers, r.nps) for r in timing] == [
        ("on_time", 4, 50),
        ("late", 4, -50),
        ("unknown", 2, 0),
    ]
    assert [(r.group, r.answers, r.nps) for r in exception] == [
        ("with_exception", 1, -100),
        ("without_exception", 9, 100 * (4 - 3) / 9),
    ]


def test_nps_by_group_keeps_the_groups_in_order() -> None:
    rows = [("dhl", 10, 1), ("ups", 0, 1), ("dhl", 0, 1)]
    assert [(r.group, r.answers, r.nps) for r in nps_by(rows)] == [
        ("dhl", 2, 0),
        ("ups", 1, -100),
    ]


def test_delivery_flags_name_the_experience_an_exception_first() -> None:
    assert ON_TIME.timing is Timing.ON_TIME and LATE.timing is Timing.LATE
    assert NO_ESTIMATE.timing is Timing.UNKNOWN
    assert LATE_WITH_EXCEPTION.experience is Experience.EXCEPTION
    assert DeliveryFlags(late=False, judged=False, exception=True).timing is Timing.UNKNOWN


@pytest.mark.parametrize("fraction", [0.5, 0.9, 0.1, 1.0])
def test_a_histograms_percentile_is_the_same_as_on_the_values_written_out(
    fraction: float,
) -> None:
    counts = {1: 1, 2: 2, 3: 3, 4: 1, 5: 1, 8: 1, 13: 1}
    values = [v for v, n in counts.items() for _ in range(n)]
    assert histogram_percentile(counts, fraction) == percentile(values, fraction)
    assert histogram_percentile({}, fraction) is None


def test_grouped_rows_add_up_per_group() -> None:
    assert grouped([("a", 1, 2), ("a", 1, 3), ("b", 0, 1)]) == {
        "a": Counter({1: 5}),
        "b": Counter({0: 1}),
    }


def test_a_period_splits_into_weeks_from_its_first_day() -> None:
    zone = ZoneInfo("Europe/Berlin")
    weeks = Period(date(2026, 11, 1), date(2026, 11, 16), zone).weeks()
    assert [(w.first.day, w.last.day) for w in weeks] == [(1, 7), (8, 14), (15, 16)]
    start, end = weeks[0].utc_bounds()
    assert start.utcoffset() is not None and start.hour == 23 and end.day == 7
