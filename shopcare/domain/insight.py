"""The shape every dashboard panel shares: a period with the one before it, headline figures
set beside the previous period's, charts, and the numbers behind each chart as a table.

Panels are built by ``services.insight.panels`` from SQL aggregates; the admin draws any
panel the same way, and every table downloads as CSV. Keeping the shape plain (no NiceGUI, no
SQL) lets each metric be unit-tested on hand-made rows and lets the export, the page and the
benchmark share one builder.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

Cell = str | int | float | None


@dataclass(frozen=True)
class Period:
    """Whole days ``first``..``last`` in the shop's time zone; ``start``/``end`` are the UTC
    instants that bound them (end exclusive), so queries compare stored UTC times."""

    first: date
    last: date
    zone: ZoneInfo

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("a period ends on or after the day it starts")

    @classmethod
    def last_days(cls, days: int, *, now: datetime, zone: ZoneInfo) -> Period:
        """The ``days`` days up to and including today in the shop's time zone."""
        today = now.astimezone(zone).date()
        return cls(today - timedelta(days=days - 1), today, zone)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime:
        return _utc_naive(datetime.combine(self.first, time(), self.zone))

    @property
    def end(self) -> datetime:
        return _utc_naive(datetime.combine(self.last + timedelta(days=1), time(), self.zone))

    def previous(self) -> Period:
        """The period of the same length just before this one: the comparison the owner
        reads every figure against."""
        return Period(
            self.first - timedelta(days=self.days), self.first - timedelta(days=1), self.zone
        )

    def key(self) -> str:
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """``start`` and ``end`` as aware UTC instants: the store's time columns refuse naive
        values, in a comparison as in a write."""
        return self.start.replace(tzinfo=UTC), self.end.replace(tzinfo=UTC)

    def weeks(self) -> tuple[Period, ...]:
        """Seven-day stretches from the first day (the last one shorter when the days do not
        divide by seven): the buckets of a weekly trend, each with its own bounds."""
        starts = range(0, self.days, 7)
        return tuple(
            Period(
                self.first + timedelta(days=n),
                min(self.first + timedelta(days=n + 6), self.last),
                self.zone,
            )
            for n in starts
        )


def _utc_naive(moment: datetime) -> datetime:
    """The store keeps naive UTC times."""
    return moment.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


@dataclass(frozen=True)
class Table:
    """The numbers behind a chart, as the owner can read and download them."""

    key: str
    """Unique within its panel; names the CSV file (``<panel>-<key>.csv``)."""
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow([_cell(value) for value in row])
        return out.getvalue()


def _cell(value: Cell) -> Cell:
    """Text a spreadsheet would run as a formula (a SKU or comment starting with ``=``,
    ``+``, ``-``, ``@``) is written with a leading apostrophe, as OWASP advises for CSV
    files opened in Excel or LibreOffice; numbers are left as they are."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@dataclass(frozen=True)
class Chart:
    """An ECharts option drawn from one of the panel's tables (``table`` names it)."""

    table: str
    options: Mapping[str, Any]


@dataclass(frozen=True)
class Figure:
    """A headline number with the previous period's beside it (None: nothing to compare)."""

    key: str
    label: str
    value: float | int | None
    previous: float | int | None = None
    unit: str = ""
    """"%" for shares in 0..1, "days", or "" for counts."""
    better: str = "up"
    """Which way is good ("up", "down"), so the change can be coloured for the owner."""
    currency: str = ""
    """Set for money: ``value`` and ``previous`` are integer minor units of this currency,
    shown with ``domain.money.format_money`` (floats never hold money)."""


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    figures: tuple[Figure, ...] = ()
    charts: tuple[Chart, ...] = ()
    tables: tuple[Table, ...] = ()
    note: str = ""
    links: Sequence[tuple[str, str]] = field(default_factory=tuple)
    """(label, admin URL) pairs, e.g. "Needs action now" items each opening their orders."""

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)


def share(part: int, whole: int) -> float | None:
    """``part / whole``, or None when there is nothing to divide (shown as a dash, never 0 %)."""
    return part / whole if whole else None


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile (p50, p90) of ``values``: a value that occurred, as an
    owner expects "9 of 10 parcels arrive within N days" to mean."""
    if not values:
        return None
    ordered = sorted(values)
    rank = math.ceil(round(fraction * len(ordered), 9))  # 0.9 * 10 is 9.000000000000002
    return ordered[min(max(rank, 1), len(ordered)) - 1]
