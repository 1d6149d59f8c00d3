"""The fixed-window limit's rule (``domain.ratelimit``): the store computes the same in one
statement (``tests/services/test_limits.py`` checks it does)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shopcare.domain.ratelimit import Limit, Verdict, Window, next_window, verdict

LIMIT = Limit("test", attempts=2, window=timedelta(minutes=10))
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def attempt(window: Window | None, at: datetime) -> tuple[Window, Verdict]:
    counted = next_window(LIMIT, window, now=at)
    return counted, verdict(LIMIT, counted, now=at)


def test_a_key_gets_its_attempts_within_the_window_that_its_first_attempt_opened() -> None:
    window, first = attempt(None, START)
    assert first == Verdict(allowed=True, retry_after=timedelta(0))
    window, second = attempt(window, START + timedelta(minutes=4))
    assert second == Verdict(allowed=True, retry_after=timedelta(minutes=6))  # none left
    window, third = attempt(window, START + timedelta(minutes=5))
    assert third == Verdict(allowed=False, retry_after=timedelta(minutes=5))

    window, again = attempt(window, START + timedelta(minutes=10))
    assert again.allowed and window == Window(hits=1, ends_at=START + timedelta(minutes=20))


def test_refused_attempts_neither_count_on_nor_move_the_end() -> None:
    full = Window(hits=3, ends_at=START + timedelta(minutes=10))  # already one refused
    window = full
    for minute in range(9):
        window, said = attempt(window, START + timedelta(minutes=minute))
        assert said == Verdict(allowed=False, retry_after=timedelta(minutes=10 - minute))
    assert window == full


def test_read_without_an_attempt_the_wait_is_zero_while_attempts_are_left() -> None:
    assert verdict(LIMIT, None, now=START).retry_after == timedelta(0)
    one = Window(hits=1, ends_at=START + timedelta(minutes=3))
    assert verdict(LIMIT, one, now=START).retry_after == timedelta(0)
    full = Window(hits=2, ends_at=START + timedelta(minutes=3))
    assert verdict(LIMIT, full, now=START).retry_after == timedelta(minutes=3)
    assert verdict(LIMIT, full, now=START + timedelta(minutes=3)).retry_after == timedelta(0)
