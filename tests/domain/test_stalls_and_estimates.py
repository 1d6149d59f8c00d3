from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from shopcare.domain.breaker import ProviderHealth, after_failure, after_success, paused
from shopcare.domain.calendar import add_business_days, business_days_between
from shopcare.domain.estimates import EstimateSource, estimate_delivery, transit_stats
from shopcare.domain.polling import poll_interval, urgency
from shopcare.domain.ratelimit import TokenBucket
from shopcare.domain.stalls import StallReason, StallRules, find_stall, stall_key
from shopcare.domain.status import ShipmentStatus as S

BERLIN = ZoneInfo("Europe/Berlin")
FRIDAY = datetime(2026, 11, 6, 15, 0, tzinfo=UTC)


def test_weekends_and_holidays_are_not_business_days() -> None:
    monday = date(2026, 11, 9)
    assert business_days_between(FRIDAY.date(), monday) == 1
    assert business_days_between(FRIDAY.date(), monday, holidays={monday}) == 0
    assert add_business_days(FRIDAY.date(), 1) == monday
    assert add_business_days(FRIDAY.date(), 1, holidays={monday}) == date(2026, 11, 10)


def stall_at(now: datetime, status: S = S.IN_TRANSIT, **rules: object):  # type: ignore[no-untyped-def]
    return find_stall(
        status=status,
        last_event_at=FRIDAY,
        estimated_delivery=None,
        now=now,
        zone=BERLIN,
        rules=StallRules(**rules),  # type: ignore[arg-type]
    )


def test_a_quiet_weekend_is_not_a_stall() -> None:
    assert stall_at(FRIDAY + timedelta(days=3)) is None  # Monday: one business day


def test_no_movement_for_four_business_days_is_a_stall() -> None:
    assert stall_at(FRIDAY + timedelta(days=5)) is None  # Wednesday: 3 days
    stall = stall_at(FRIDAY + timedelta(days=6))  # Thursday: 4 days
    assert stall is not None and stall.reason is StallReason.NO_MOVEMENT


def test_a_holiday_extends_the_grace() -> None:
    monday = date(2026, 11, 9)
    assert stall_at(FRIDAY + timedelta(days=6), holidays=frozenset({monday})) is None


def test_a_label_without_a_first_scan_stalls_sooner() -> None:
    stall = stall_at(FRIDAY + timedelta(days=5), status=S.INFO_RECEIVED)
    assert stall is not None and stall.reason is StallReason.NO_SCAN_AFTER_LABEL


def test_a_passed_estimate_is_a_stall_and_final_statuses_never_stall() -> None:
    late = find_stall(
        status=S.IN_TRANSIT,
        last_event_at=FRIDAY,
        estimated_delivery=FRIDAY + timedelta(hours=1),
        now=FRIDAY + timedelta(hours=2),
        zone=BERLIN,
    )
    assert late is not None and late.reason is StallReason.ESTIMATE_PASSED
    assert late.since == FRIDAY + timedelta(hours=1)  # one stall per promised date
    for status in (S.DELIVERED, S.RETURNED_TO_SENDER, S.PENDING, S.AVAILABLE_FOR_PICKUP):
        assert stall_at(FRIDAY + timedelta(days=30), status=status) is None


def test_the_stall_clears_itself_and_a_new_stall_has_a_new_key() -> None:
    first = stall_at(FRIDAY + timedelta(days=6))
    assert first is not None
    moved = FRIDAY + timedelta(days=6, hours=1)
    assert (
        find_stall(
            status=S.IN_TRANSIT,
            last_event_at=moved,
            estimated_delivery=None,
            now=moved + timedelta(hours=1),
            zone=BERLIN,
        )
        is None
    )
    second = find_stall(
        status=S.IN_TRANSIT,
        last_event_at=moved,
        estimated_delivery=None,
        now=moved + timedelta(days=7),
        zone=BERLIN,
    )
    assert second is not None and stall_key(second) != stall_key(first)


def test_the_carriers_estimate_wins_then_history_then_the_shops_rule() -> None:
    shipped = FRIDAY
    carrier = estimate_delivery(
        shipped_at=shipped,
        carrier_estimate=FRIDAY + timedelta(days=4),
        history=None,
        rule_days=(2, 5),
        zone=BERLIN,
    )
    assert carrier.source is EstimateSource.CARRIER and carrier.latest == date(2026, 11, 10)
    rule = estimate_delivery(
        shipped_at=shipped, carrier_estimate=None, history=None, rule_days=(2, 5), zone=BERLIN
    )
    assert (rule.earliest, rule.latest) == (date(2026, 11, 10), date(2026, 11, 13))
    stats = transit_stats([1, 2, 2, 2, 3, 3, 4, 9, 2, 2])
    assert stats is not None and (stats.median_days, stats.p90_days) == (2, 4)
    learned = estimate_delivery(
        shipped_at=shipped, carrier_estimate=None, history=stats, rule_days=(2, 5), zone=BERLIN
    )
    assert learned.source is EstimateSource.HISTORY and learned.latest == date(2026, 11, 12)
    assert transit_stats([1, 2, 3]) is None  # too little history


def test_urgent_statuses_come_first_and_polling_jitter_is_bounded() -> None:
    assert urgency(S.OUT_FOR_DELIVERY) < urgency(S.IN_TRANSIT) < urgency(S.PENDING)
    base = poll_interval(S.IN_TRANSIT)
    assert base is not None
    for jitter in (-1.0, -0.3, 0.0, 0.7, 1.0, 5.0):
        spread = poll_interval(S.IN_TRANSIT, jitter=jitter)
        assert spread is not None and 0.85 * base <= spread <= 1.15 * base
    assert poll_interval(S.IN_TRANSIT, cadence_hours={S.IN_TRANSIT: 8}) == 2 * base


def test_the_token_bucket_spaces_calls_to_its_rate() -> None:
    bucket = TokenBucket(rate=2, capacity=2)
    t = FRIDAY
    assert bucket.reserve(t) == 0 and bucket.reserve(t) == 0
    assert bucket.reserve(t) == 0.5  # the burst is spent: wait half a second
    assert bucket.reserve(t) == 1.0  # the next caller queues behind it
    assert bucket.reserve(t + timedelta(seconds=10)) == 0  # refilled, never above capacity
    assert bucket.reserve(t + timedelta(seconds=10)) == 0
    assert bucket.reserve(t + timedelta(seconds=10)) == 0.5


def test_the_breaker_opens_after_five_failures_and_closes_on_success() -> None:
    health = ProviderHealth()
    for _ in range(4):
        health = after_failure(health, now=FRIDAY)
    assert health.available(FRIDAY)
    health = after_failure(health, now=FRIDAY)
    assert not health.available(FRIDAY + timedelta(minutes=14))
    assert health.available(FRIDAY + timedelta(minutes=15))
    assert after_success(health) == ProviderHealth()
    limited = after_failure(ProviderHealth(), now=FRIDAY, retry_after=60)
    assert not limited.available(FRIDAY + timedelta(seconds=59))
    assert not paused(ProviderHealth(), "401").available(FRIDAY + timedelta(days=9))
