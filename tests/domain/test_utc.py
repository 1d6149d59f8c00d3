"""Times without a zone are UTC; times with one are converted, never relabelled."""

from datetime import UTC, datetime, timedelta, timezone

from shopcare.domain.utc import as_utc, as_utc_or_none


def test_a_time_without_a_zone_is_read_as_utc() -> None:
    assert as_utc(datetime(2026, 3, 1, 12, 0)) == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_a_time_in_another_zone_is_converted_not_relabelled() -> None:
    berlin_winter = timezone(timedelta(hours=1))
    moment = as_utc(datetime(2026, 3, 1, 12, 0, tzinfo=berlin_winter))
    assert moment == datetime(2026, 3, 1, 11, 0, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(0)


def test_no_time_stays_none() -> None:
    assert as_utc_or_none(None) is None
    assert as_utc_or_none(datetime(2026, 3, 1)) == datetime(2026, 3, 1, tzinfo=UTC)
