"""Business days: carriers do not move parcels on weekends and public holidays, so stall
rules and transit estimates count working days in the shop's own calendar."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta


def is_business_day(day: date, *, holidays: Collection[date] = ()) -> bool:
    return day.weekday() < 5 and day not in holidays


def business_days_between(start: date, end: date, *, holidays: Collection[date] = ()) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    days = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_business_day(current, holidays=holidays):
            days += 1
    return days


def add_business_days(start: date, days: int, *, holidays: Collection[date] = ()) -> date:
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_business_day(current, holidays=holidays):
            remaining -= 1
    return current
