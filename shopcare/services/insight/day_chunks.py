"""Day-keyed query results kept per settled month, so a year's panel after new data arrives
costs about a month's queries.

Panels are rebuilt whenever a scan, page view or message arrives, which in a live shop is
every few seconds; yet a parcel delivered in March no longer changes in June. A query whose
rows each belong to one of the shop's days (parcels by day delivered, lookups by day) is run
per calendar month of the period; months that ended more than ``SETTLED`` ago are kept for
``SETTLED_AGE``, the rest are read live. What a late change to an old month (a backfill of
last year's orders) costs is that it shows within ``SETTLED_AGE`` instead of at once.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from shopcare.domain.insight import Period

SETTLED = timedelta(days=14)
SETTLED_AGE = timedelta(hours=1)
MAX_ENTRIES = 512

T = TypeVar("T")
_lock = threading.Lock()
_Kept = OrderedDict[tuple[str, ...], tuple[datetime, Sequence[Any]]]
_kept: weakref.WeakKeyDictionary[Engine, _Kept] = weakref.WeakKeyDictionary()
"""Per engine, not per URL: a store emptied and filled again at the same URL (a restore,
each PostgreSQL test's database) must not find another store's months."""


def by_month(
    session: Session,
    period: Period,
    *,
    name: str,
    now: datetime,
    compute: Callable[[Session, Period], Sequence[T]],
) -> list[T]:
    """``compute`` over each month of ``period``; its rows must belong to the month's days."""
    engine = session.get_bind().engine
    today = now.astimezone(period.zone).date()
    rows: list[T] = []
    for month in months(period):
        if month.last >= today - SETTLED:
            rows += compute(session, month)
            continue
        key = (name, period.zone.key, month.key())
        with _lock:
            kept = _kept.setdefault(engine, OrderedDict())
            found = kept.get(key)
        if found is None or not timedelta(0) <= now - found[0] <= SETTLED_AGE:
            found = (now, tuple(compute(session, month)))
            with _lock:
                kept[key] = found
                while len(kept) > MAX_ENTRIES:
                    kept.popitem(last=False)
        rows += found[1]
    return rows


def months(period: Period) -> list[Period]:
    """The period cut at the first of each month."""
    found = []
    first = period.first
    while first <= period.last:
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        last = min(period.last, following - timedelta(days=1))
        found.append(Period(first, last, period.zone))
        first = following
    return found


def forget() -> None:
    """Drop every kept month (the benchmark's cold start)."""
    with _lock:
        _kept.clear()
