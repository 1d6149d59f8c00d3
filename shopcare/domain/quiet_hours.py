"""Quiet hours: optional messages wait until morning in the shop's time zone."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def quiet_until(now: datetime, *, zone: ZoneInfo, start: int, end: int) -> datetime | None:
    """When the quiet window that ``now`` falls in ends, or None outside it.
    The window may run over midnight (22 to 7)."""
    local = now.astimezone(zone)
    hour = local.hour
    inside = start <= hour < end if start < end else hour >= start or hour < end
    if not inside or start == end:
        return None
    end_day = local.date() if hour < end else local.date() + timedelta(days=1)
    return datetime.combine(end_day, time(end), tzinfo=zone)
