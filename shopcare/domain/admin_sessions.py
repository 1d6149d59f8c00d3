"""When a signed-in admin browser stops being signed in: pure rules, time passed in.

A session ends after ``idle`` without a request (the owner's choice, default 12 hours) and,
however busy, ``ABSOLUTE`` after it began, so a stolen cookie is not good forever.
Recording activity on every request would write to the store on every click, so the last
seen time is only written when it is ``TOUCH_EVERY`` old; the idle timeout is therefore up
to a minute generous, which no owner will notice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

DEFAULT_IDLE = timedelta(hours=12)
ABSOLUTE = timedelta(days=30)
TOUCH_EVERY = timedelta(minutes=1)
IDLE_CHOICES: tuple[timedelta, ...] = (
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=4),
    DEFAULT_IDLE,
    timedelta(days=1),
    timedelta(days=7),
)
"""The idle timeouts offered on the account page (never longer than ``ABSOLUTE``)."""


def is_expired(
    *, created_at: datetime, last_seen_at: datetime, now: datetime, idle: timedelta
) -> bool:
    """True once the browser was idle for ``idle`` or signed in for ``ABSOLUTE``."""
    return now - last_seen_at >= idle or now - created_at >= ABSOLUTE


def needs_touch(*, last_seen_at: datetime, now: datetime) -> bool:
    """Whether this request should record itself as the session's last activity."""
    return now - last_seen_at >= TOUCH_EVERY


def idle_label(idle: timedelta) -> str:
    """ "30 minutes", "12 hours", "1 day": how the account page names a choice."""
    minutes = int(idle.total_seconds() // 60)
    for size, unit in ((24 * 60, "day"), (60, "hour"), (1, "minute")):
        if minutes % size == 0:
            count = minutes // size
            return f"{count} {unit}" + ("" if count == 1 else "s")
    return f"{minutes} minutes"  # pragma: no cover - every whole minute matches above


def browser_name(user_agent: str) -> str:
    """A short "Firefox on Linux" for the list of sessions; the raw text is kept too."""
    agent = user_agent or ""
    browser = next(
        (name for key, name in _BROWSERS if key in agent), "Unknown browser" if agent else "—"
    )
    system = next((name for key, name in _SYSTEMS if key in agent), "")
    return f"{browser} on {system}" if system else browser


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)
