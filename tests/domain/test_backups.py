from datetime import UTC, datetime, timedelta

from shopcare.domain.backups import backup_name, made_at_of, to_keep


def test_a_backups_name_tells_when_it_was_made() -> None:
    moment = datetime(2026, 12, 5, 3, 30, 0, tzinfo=UTC)
    assert backup_name(moment) == "shopcare-20261205-033000.zip"
    assert made_at_of(backup_name(moment)) == moment
    assert made_at_of("shopcare-20261305-033000.zip") is None  # month 13
    assert made_at_of("my-copy.zip") is None


def test_newest_of_each_of_seven_days_and_of_four_weeks() -> None:
    start = datetime(2026, 10, 1, 3, 0)  # a Thursday
    made = [start + timedelta(days=d, hours=h) for d in range(60) for h in (0, 12)]
    kept = sorted(to_keep(made), reverse=True)
    newest = made[-1]
    days = [newest - timedelta(days=d) for d in range(7)]
    assert kept[:7] == days  # the 15:00 backup of each of the last seven days
    older = kept[7:]
    # the newest backup of each of the weeks before (the last week is already kept by days)
    assert all(m.weekday() == 6 and m.hour == 15 for m in older)
    assert len(older) == 4 - 1  # week of the newest is one of the four
    assert len(kept) == 10


def test_a_machine_off_for_a_month_keeps_its_last_backups() -> None:
    made = [datetime(2026, 1, d, 3) for d in range(1, 11)]
    kept = to_keep(made)
    assert {m.day for m in kept} >= {4, 5, 6, 7, 8, 9, 10}  # not deleted as "too old"


def test_nothing_is_kept_twice_and_nothing_is_invented() -> None:
    assert to_keep([]) == set()
    one = datetime(2026, 3, 1)
    assert to_keep([one, one]) == {one}
