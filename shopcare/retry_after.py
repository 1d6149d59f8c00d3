"""Reading how long another server asked us to wait, shared by carrier adapters and
message senders (both talk HTTP to services that rate-limit)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def retry_after(headers: Mapping[str, str], *, now: datetime | None = None) -> float | None:
    """Seconds to wait from ``Retry-After`` (seconds or an HTTP date) or
    ``X-RateLimit-Reset`` (seconds, or an epoch timestamp); None when neither says."""
    moment = now or datetime.now(UTC)
    value = headers.get("retry-after")
    if value:
        if value.strip().isdigit():
            return float(value)
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max((when - moment).total_seconds(), 0.0)
    reset = headers.get("x-ratelimit-reset")
    if reset and reset.strip().isdigit():
        seconds = float(reset)
        if seconds > 10**9:  # an epoch timestamp, not a delay
            seconds -= moment.timestamp()
        return max(seconds, 0.0)
    return None
