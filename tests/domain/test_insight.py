from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from shopcare.domain.insight import Period, Table, percentile, share

BERLIN = ZoneInfo("Europe/Berlin")


def test_period_bounds_are_the_shops_midnights_in_utc() -> None:
    period = Period(date(2026, 7, 1), date(2026, 7, 31), BERLIN)
    assert period.days == 31
    assert period.start == datetime(2026, 6, 30, 22, 0)
    assert period.end == datetime(2026, 7, 31, 22, 0)


def test_previous_period_has_the_same_length_just_before() -> None:
    period = Period(date(2026, 3, 1), date(2026, 3, 30), BERLIN)
    before = period.previous()
    assert (before.first, before.last) == (date(2026, 1, 30), date(2026, 2, 28))
    assert before.days == period.days


def test_last_days_ends_today_in_the_shops_zone() -> None:
    late_evening_utc = datetime(2026, 12, 4, 23, 30)  # already the 5th in Berlin
    period = Period.last_days(30, now=late_evening_utc, zone=BERLIN)
    assert period.last == date(2026, 12, 5)
    assert period.days == 30


def test_a_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError):
        Period(date(2026, 3, 2), date(2026, 3, 1), BERLIN)


def test_nearest_rank_percentiles() -> None:
    days = [1, 2, 2, 3, 3, 3, 4, 5, 8, 13]
    assert percentile(days, 0.5) == 3
    assert percentile(days, 0.9) == 8  # 9 of 10 parcels arrive within 8 days
    assert percentile([], 0.5) is None


def test_share_of_nothing_is_unknown_not_zero() -> None:
    assert share(7, 10) == 0.7
    assert share(0, 0) is None


def test_table_csv_writes_blanks_for_missing_values() -> None:
    table = Table("t", "T", ("carrier", "p50"), (("DHL", 2), ("UPS", None)))
    assert table.csv() == "carrier,p50\r\nDHL,2\r\nUPS,\r\n"


def test_table_csv_defuses_text_a_spreadsheet_would_run() -> None:
    table = Table("t", "T", ("sku", "n"), (('=HYPERLINK("http://x")', -3), ("@SUM(A1)", 1)))
    assert table.csv() == 'sku,n\r\n"\'=HYPERLINK(""http://x"")",-3\r\n\'@SUM(A1),1\r\n'
