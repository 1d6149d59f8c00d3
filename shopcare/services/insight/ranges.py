"""The dashboard's period as the address carries it: ``?days=30`` (the last 7, 30, 90 or 365
days up to today) or ``?from=YYYY-MM-DD&to=YYYY-MM-DD``, in the shop's time zone. What
cannot be read falls back to the last 30 days, never an error: an address is often typed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from shopcare.db.engine import SessionFactory
from shopcare.domain.insight import Period
from shopcare.services.shop.profile import load_profile

RANGES = (7, 30, 90, 365)
DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366
"""A custom range longer than this is cut: the queries are sized for a year or two."""


def period_from(params: Mapping[str, str], *, now: datetime, zone: ZoneInfo) -> Period:
    first, last = _day(params.get("from")), _day(params.get("to"))
    if first is not None and last is not None and first <= last:
        if (last - first).days >= MAX_DAYS:
            first = date.fromordinal(last.toordinal() - MAX_DAYS + 1)
        return Period(first, last, zone)
    days = _int(params.get("days"))
    return Period.last_days(days if days in RANGES else DEFAULT_DAYS, now=now, zone=zone)


def range_params(period: Period) -> dict[str, str]:
    """The address of a period (as custom days: what the CSV links carry)."""
    return {"from": period.first.isoformat(), "to": period.last.isoformat()}


def shop_zone(sessions: SessionFactory) -> ZoneInfo:
    with sessions() as session:
        return load_profile(session).zone


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 5 else None
