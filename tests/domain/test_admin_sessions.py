"""When an admin session is over, and when its activity is worth writing down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shopcare.domain.admin_sessions import (
    ABSOLUTE,
    DEFAULT_IDLE,
    IDLE_CHOICES,
    TOUCH_EVERY,
    browser_name,
    idle_label,
    is_expired,
    needs_touch,
)

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_a_session_ends_after_the_idle_time_without_a_request() -> None:
    seen = START + timedelta(hours=3)
    assert not is_expired(
        created_at=START,
        last_seen_at=seen,
        now=seen + DEFAULT_IDLE - timedelta(seconds=1),
        idle=DEFAULT_IDLE,
    )
    assert is_expired(
        created_at=START, last_seen_at=seen, now=seen + DEFAULT_IDLE, idle=DEFAULT_IDLE
    )


def test_a_busy_session_still_ends_at_the_absolute_limit() -> None:
    now = START + ABSOLUTE
    assert is_expired(created_at=START, last_seen_at=now, now=now, idle=DEFAULT_IDLE)


@given(
    idle=st.sampled_from(IDLE_CHOICES),
    age=st.timedeltas(min_value=timedelta(0), max_value=ABSOLUTE * 2),
    quiet=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10)),
)
def test_expiry_is_exactly_idle_or_absolute(
    idle: timedelta, age: timedelta, quiet: timedelta
) -> None:
    now = START + age
    seen = max(START, now - quiet)
    expected = now - seen >= idle or age >= ABSOLUTE
    assert is_expired(created_at=START, last_seen_at=seen, now=now, idle=idle) is expected


def test_activity_is_written_at_most_once_a_minute() -> None:
    assert not needs_touch(last_seen_at=START, now=START + TOUCH_EVERY - timedelta(seconds=1))
    assert needs_touch(last_seen_at=START, now=START + TOUCH_EVERY)


def test_every_offered_idle_time_is_shorter_than_the_absolute_limit() -> None:
    assert DEFAULT_IDLE in IDLE_CHOICES
    assert all(choice < ABSOLUTE for choice in IDLE_CHOICES)
    assert [idle_label(c) for c in IDLE_CHOICES] == [
        "30 minutes",
        "1 hour",
        "4 hours",
        "12 hours",
        "1 day",
        "7 days",
    ]


def test_the_browser_is_named_briefly() -> None:
    firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    chrome = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0 Safari/537.36"
    )
    assert browser_name(firefox) == "Firefox on Linux"
    assert browser_name(chrome) == "Chrome on Windows"
    assert browser_name("") == "—"
    assert browser_name("python-httpx/0.29") == "Unknown browser"
