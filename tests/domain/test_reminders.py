"""When reminders are due, per line, and for whom never."""

from datetime import UTC, datetime, timedelta

import pytest

from shopcare.domain.messages import MessageKind
from shopcare.domain.reminders import (
    ReminderLine,
    check_tag_days,
    count_follow_ups,
    delivery_window,
    due_reminders,
    format_tag_table,
    line_delay,
    lines_occurrence,
    parse_tag_table,
    reminded_lines,
)

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
TABLE = {"consumable": 30, "coffee": 21}


def line(line_id: int, days_ago: float, tags: str = "", **kw: object) -> ReminderLine:
    return ReminderLine(
        line_id=line_id,
        order_id=kw.pop("order_id", 1),  # type: ignore[arg-type]
        delivered_at=NOW - timedelta(days=days_ago),
        tags=tags,
        **kw,  # type: ignore[arg-type]
    )


def due(*lines: ReminderLine, reminded: set[int] | None = None) -> dict[int, list[int]]:
    return due_reminders(lines, tag_days=TABLE, default=WEEK, now=NOW, reminded=reminded or set())


def test_a_tagged_line_waits_its_tags_days_and_the_shortest_tag_wins() -> None:
    assert line_delay("Consumable, gift", tag_days=TABLE, default=WEEK) == timedelta(days=30)
    assert line_delay("consumable,coffee", tag_days=TABLE, default=WEEK) == timedelta(days=21)
    assert line_delay("ceramics", tag_days=TABLE, default=WEEK) == WEEK


def test_lines_are_due_once_their_delay_passed_and_not_long_ago() -> None:
    assert due(line(1, 29, "consumable")) == {}
    assert due(line(1, 30, "consumable"), line(2, 30)) == {1: [1]}  # the mug was due 23 days ago
    assert due(line(2, 8)) == {1: [2]}
    assert due(line(2, 7 + 7.5)) == {}  # missed by over a week: dropped, not sent late


def test_returned_lines_and_unhappy_shoppers_get_no_reminder() -> None:
    assert due(line(1, 30, "consumable", returned=True)) == {}
    for score in (0, 6):
        assert due(line(1, 30, "consumable", score=score)) == {}
    assert due(line(1, 30, "consumable", score=7)) == {1: [1]}


def test_a_line_already_reminded_is_not_reminded_again() -> None:
    key = f"order:1:{MessageKind.REORDER_REMINDER}:{lines_occurrence([3, 1])}"
    assert reminded_lines([key, key + "@sms"], MessageKind.REORDER_REMINDER) == {1, 3}
    assert reminded_lines([key], MessageKind.REVIEW_REMINDER) == set()
    assert due(line(1, 30, "consumable"), line(2, 30, "coffee"), reminded={1}) == {}
    assert due(line(1, 30, "consumable"), line(4, 21, "coffee"), reminded={1}) == {1: [4]}


def test_the_window_covers_every_delay_and_the_catch_up() -> None:
    earliest, latest = delivery_window(tag_days=TABLE, default=WEEK, now=NOW)
    assert (earliest, latest) == (NOW - timedelta(days=37), NOW - WEEK)


def test_the_owners_table_is_checked_and_cleaned() -> None:
    assert check_tag_days({" Consumable ": 30}) == {"consumable": 30}
    for bad in ({"x": 0}, {"x": 731}, {"": 3}, {"a,b": 3}):
        with pytest.raises(ValueError):
            check_tag_days(bad)


def test_a_follow_up_counts_once_and_only_within_its_window() -> None:
    day = timedelta(days=1)
    sent = [(1, NOW), (2, NOW)]
    events = [(1, NOW + day), (1, NOW + 2 * day), (2, NOW - day), (2, NOW + 9 * day)]
    assert count_follow_ups(sent, events=events, within=WEEK) == 1


def test_the_table_as_typed_reads_back_as_written() -> None:
    table = parse_tag_table("Consumable = 30\n\n  coffee=21 \n")
    assert table == {"consumable": 30, "coffee": 21}
    assert parse_tag_table(format_tag_table(table)) == table
    for bad in ("consumable 30", "consumable = soon", "= 3"):
        with pytest.raises(ValueError):
            parse_tag_table(bad)
