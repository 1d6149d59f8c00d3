"""When a parcel is asked about next: often in the morning when its delivery is near,
at the owner's cadence otherwise, never at night. Fixed datetimes, never the wall clock."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from shopcare.domain.estimates import Estimate, EstimateSource
from shopcare.domain.polling import next_poll_at
from shopcare.domain.status import ShipmentStatus as S

BERLIN = ZoneInfo("Europe/Berlin")
WEDNESDAY = date(2026, 11, 4)
ESTIMATE = Estimate(WEDNESDAY, date(2026, 11, 6), EstimateSource.RULE)
"""Wednesday to Friday: near from Tuesday, the business day before."""


def local(day: int, hour: int, minute: int = 0, *, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


def when(
    now: datetime,
    *,
    status: S = S.IN_TRANSIT,
    estimate: Estimate | None = ESTIMATE,
    last_event_at: datetime | None = None,
    jitter: float = 0.0,
    cadence: dict[S, float] | None = None,
    clock_speed: float = 1.0,
) -> datetime | None:
    return next_poll_at(
        status,
        now=now,
        zone=BERLIN,
        estimate=estimate,
        last_event_at=last_event_at if last_event_at is not None else now - timedelta(hours=6),
        cadence_hours=cadence,
        jitter=jitter,
        clock_speed=clock_speed,
    )


def test_a_parcel_near_delivery_is_asked_every_45_minutes_in_the_morning() -> None:
    assert when(local(4, 7)) == local(4, 7, 45)
    assert when(local(4, 7), jitter=1) == local(4, 7) + timedelta(minutes=45 * 1.15)
    assert when(local(3, 9)) == local(3, 9, 45)  # the business day before the estimate


def test_the_morning_window_runs_from_five_to_one() -> None:
    assert when(local(4, 5)) == local(4, 5, 45)
    assert when(local(4, 12, 59)) == local(4, 13, 44)
    assert when(local(4, 13)) == local(4, 17)  # the owner's 4 hours again
    # Before five, the first question of the window, spread over its first 45 minutes.
    assert when(local(4, 4, 59), jitter=-1) == local(4, 5)
    assert when(local(4, 4, 59)) == local(4, 5, 22) + timedelta(seconds=30)
    assert when(local(4, 4, 59), jitter=1) == local(4, 5, 45)


def test_a_parcel_far_from_delivery_keeps_the_owners_cadence() -> None:
    far = Estimate(date(2026, 11, 9), date(2026, 11, 12), EstimateSource.HISTORY)
    assert when(local(3, 7), estimate=far) == local(3, 11)
    assert when(local(3, 7), estimate=None) == local(3, 11)
    # Near from Friday, the business day before Monday's first day: the weekend too.
    assert when(local(5, 7), estimate=far) == local(5, 11)
    assert when(local(6, 7), estimate=far) == local(6, 7, 45)
    assert when(local(7, 7), estimate=far) == local(7, 7, 45)


def test_no_parcel_in_transit_is_asked_at_night() -> None:
    far = Estimate(date(2026, 11, 20), date(2026, 11, 25), EstimateSource.RULE)
    assert when(local(2, 20), estimate=far, jitter=-1) == local(3, 5)
    assert when(local(2, 17, 59), estimate=far) == local(2, 21, 59)
    assert when(local(4, 19), jitter=-1) == local(5, 5)  # near: the same morning start
    assert when(local(2, 23), estimate=far, jitter=-1) == local(3, 5)


def test_a_long_owners_cadence_still_asks_first_thing_on_a_near_morning() -> None:
    cadence = {S.IN_TRANSIT: 12.0}
    assert when(local(3, 19), cadence=cadence, jitter=-1) == local(4, 5)
    far = Estimate(date(2026, 11, 20), date(2026, 11, 25), EstimateSource.RULE)
    assert when(local(3, 19), cadence=cadence, estimate=far) == local(4, 7)


def test_the_owners_cadence_is_the_far_one_and_a_shorter_one_wins_in_the_window() -> None:
    assert when(local(4, 12), cadence={S.IN_TRANSIT: 8.0}) == local(4, 12, 45)
    assert when(local(4, 13), cadence={S.IN_TRANSIT: 8.0}) == local(4, 21)
    assert when(local(4, 14), cadence={S.IN_TRANSIT: 8.0}, jitter=-1) == local(4, 20, 48)
    assert when(local(4, 16), cadence={S.IN_TRANSIT: 8.0}, jitter=-1) == local(5, 5)
    assert when(local(4, 8), cadence={S.IN_TRANSIT: 2.0}) == local(4, 8, 45)
    assert when(local(4, 8), cadence={S.IN_TRANSIT: 0.5}) == local(4, 8, 30)
    assert when(local(4, 15), cadence={S.IN_TRANSIT: 0.5}) == local(4, 15, 30)


def test_an_overdue_parcel_is_near_while_it_still_moves() -> None:
    tuesday = local(10, 7)
    moving = when(tuesday, last_event_at=local(9, 22))
    assert moving == local(10, 7, 45)
    still = when(tuesday, last_event_at=local(6, 6))  # no scan for four days
    assert still == local(10, 11)


def test_final_statuses_stop_and_other_statuses_keep_their_cadence_day_and_night() -> None:
    for final in (S.DELIVERED, S.RETURNED_TO_SENDER, S.EXPIRED):
        assert when(local(4, 7), status=final) is None
    assert when(local(4, 23), status=S.OUT_FOR_DELIVERY) == local(5, 0)
    assert when(local(4, 7), status=S.PENDING) == local(4, 9)


def test_a_carrier_on_a_fast_clock_keeps_the_plain_cadence() -> None:
    assert when(local(4, 23), clock_speed=1440) == local(4, 23) + timedelta(seconds=10)


def test_the_morning_is_five_oclock_local_time_across_the_clock_changes() -> None:
    far = Estimate(date(2026, 4, 20), date(2026, 4, 25), EstimateSource.RULE)
    # Europe/Berlin goes to summer time on Sunday 29 March 2026 at 02:00.
    spring = when(local(28, 21, month=3), estimate=far, jitter=-1)
    assert spring == local(29, 5, month=3) == datetime(2026, 3, 29, 3, tzinfo=UTC)
    assert when(local(29, 7, month=3), estimate=far) == local(29, 11, month=3)
    # And back on Sunday 25 October at 03:00.
    autumn = when(local(24, 21, month=10), estimate=far, jitter=-1)
    assert autumn == local(25, 5, month=10) == datetime(2026, 10, 25, 4, tzinfo=UTC)
    # A near parcel on the short night: the window still opens at 05:00 summer time.
    near = Estimate(date(2026, 3, 30), date(2026, 3, 31), EstimateSource.CARRIER)
    assert when(local(29, 4, month=3), estimate=near, jitter=-1) == local(29, 5, month=3)
    assert when(local(29, 5, month=3), estimate=near) == local(29, 5, 45, month=3)
