from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from shopcare.domain.quiet_hours import quiet_until

BERLIN = ZoneInfo("Europe/Berlin")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 2, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def test_a_window_over_midnight_ends_the_next_morning() -> None:
    assert quiet_until(at(23, 30), zone=BERLIN, start=22, end=7) == datetime(
        2026, 11, 3, 7, tzinfo=BERLIN
    )
    assert quiet_until(at(3), zone=BERLIN, start=22, end=7) == datetime(
        2026, 11, 2, 7, tzinfo=BERLIN
    )
    assert quiet_until(at(7), zone=BERLIN, start=22, end=7) is None
    assert quiet_until(at(12), zone=BERLIN, start=22, end=7) is None


def test_a_daytime_window_and_an_empty_one() -> None:
    assert quiet_until(at(13), zone=BERLIN, start=12, end=14) == datetime(
        2026, 11, 2, 14, tzinfo=BERLIN
    )
    assert quiet_until(at(14), zone=BERLIN, start=12, end=14) is None
    assert quiet_until(at(13), zone=BERLIN, start=9, end=9) is None
