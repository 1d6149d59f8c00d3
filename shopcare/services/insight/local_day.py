"""The shop's own day of a stored UTC time, computed in SQL so rows can be grouped by day in
the database.

SQL stores have no notion of the shop's time zone, and a fixed offset would put parcels
delivered in the hour after midnight on the wrong day for half the year. Within the span a
query looks at, the zone's offset changes only at known instants (daylight saving time), so
the local day is the UTC day shifted by one when the time of day is past the offset in force
(a ``CASE`` over those few stretches). Text prefixes and comparisons only: SQLite's
``date()`` parses every row and took most of a year's query.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from shopcare.domain.insight import Period

MARGIN = timedelta(days=120)
"""How far before the period a time may lie and still get its exact offset (a parcel
delivered in the period was shipped in the weeks before it)."""


class _UtcDay(FunctionElement[str]):
    """``YYYY-MM-DD`` of a stored UTC time: on SQLite a prefix of the stored text, far
    cheaper than ``date()``, which parses every row."""

    type = sa.String()
    inherit_cache = True
    name = "utc_day"


class _UtcClock(FunctionElement[str]):
    """``HH:MM`` of a stored UTC time."""

    type = sa.String()
    inherit_cache = True
    name = "utc_clock"


@compiles(_UtcDay, "sqlite")
def _sqlite_day(element: _UtcDay, compiler: Any, **kw: Any) -> str:
    return f"substr({compiler.process(next(iter(element.clauses)), **kw)}, 1, 10)"


@compiles(_UtcClock, "sqlite")
def _sqlite_clock(element: _UtcClock, compiler: Any, **kw: Any) -> str:
    return f"substr({compiler.process(next(iter(element.clauses)), **kw)}, 12, 5)"


@compiles(_UtcDay)
def _pg_day(element: _UtcDay, compiler: Any, **kw: Any) -> str:  # PostgreSQL
    return f"to_char({compiler.process(next(iter(element.clauses)), **kw)}, 'YYYY-MM-DD')"


@compiles(_UtcClock)
def _pg_clock(element: _UtcClock, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(next(iter(element.clauses)), **kw)}, 'HH24:MI')"


def local_day(
    column: Any,
    zone: ZoneInfo,
    *,
    start: datetime,
    end: datetime,
    before: timedelta = timedelta(0),
) -> tuple[ColumnElement[str], ColumnElement[int]]:
    """The shop's day of ``column`` (UTC) as two cheap expressions: the UTC day and a shift
    of -1, 0 or +1 day (the time of day compared with the offset in force); exact for times
    from ``start - before`` to ``end`` (``MARGIN`` for times before the period, such as the
    day a parcel delivered in it was shipped). ``as_local`` joins them. Group by both."""
    stretches = _stretches(zone.key, start - before, end)
    clock = _UtcClock(column)
    (_, last), earlier = stretches[-1], stretches[:-1]
    if not earlier:
        return _UtcDay(column), _shift(clock, last)
    whens = [(column < _aware(until), _shift(clock, minutes)) for until, minutes in earlier]
    return _UtcDay(column), sa.case(*whens, else_=_shift(clock, last))


@lru_cache(maxsize=8192)
def as_local(utc_day: str | date, shift: int | None) -> date:
    """A year has a few hundred (day, shift) pairs and a year's rows tens of thousands."""
    day = utc_day if isinstance(utc_day, date) else date.fromisoformat(utc_day)
    return day + timedelta(days=int(shift or 0))


def _shift(clock: ColumnElement[str], minutes: int) -> ColumnElement[int]:
    """+1 when the local time is already tomorrow, -1 when still yesterday."""
    if minutes > 0:
        edge = 24 * 60 - minutes
        return sa.case((clock >= f"{edge // 60:02d}:{edge % 60:02d}", 1), else_=0)
    if minutes < 0:
        return sa.case((clock < f"{-minutes // 60:02d}:{-minutes % 60:02d}", -1), else_=0)
    return sa.literal(0)  # a parameter: a bare 0 in GROUP BY would name a column


def utc_bounds(period: Period) -> tuple[datetime, datetime]:
    """The period's start and end as the store's columns compare them (aware UTC)."""
    return _aware(period.start), _aware(period.end)


def _aware(utc_naive: datetime) -> datetime:
    return utc_naive.replace(tzinfo=UTC)


@lru_cache(maxsize=64)
def _stretches(zone_key: str, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """(until, offset in minutes) for each stretch of one offset; the last has no end."""
    zone = ZoneInfo(zone_key)
    start = start.replace(minute=0, second=0, microsecond=0)  # zones change on the hour
    found: list[tuple[datetime, int]] = []
    current = _offset(zone, start)
    moment = start
    while moment < end:
        following = moment + timedelta(days=1)
        if _offset(zone, following) != current:
            low, high = moment, following  # the change lies in between: find its minute
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if _offset(zone, middle) == current else (low, middle)
            found.append((high, current))
            current = _offset(zone, high)
        moment = following
    found.append((end, current))
    return found


def _offset(zone: ZoneInfo, utc_naive: datetime) -> int:
    aware = utc_naive.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    offset = aware.utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0
