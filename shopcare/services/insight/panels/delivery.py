"""Delivery per carrier, for the parcels delivered in the period: transit in business days
(p50, p90), on time against the first estimate the shopper saw, delivered at the first
attempt, with an exception on the way; the transit distribution and a weekly on-time trend.

Per period, one grouped query over ``ix_shipment_delivered`` (by carrier, day shipped, day
delivered: a few thousand rows for a year), and one over the period's failed attempts and
exceptions (``ix_tracking_event_status_at``), joined to their parcels.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from shopcare.carriers.registry import carrier_label
from shopcare.db.models import Shipment, TrackingEvent
from shopcare.domain.insight import Chart, Figure, Panel, Period, Table
from shopcare.domain.metrics.delivery import (
    DeliveryFigures,
    DeliveryGroup,
    by_carrier,
    distribution,
    figures,
    weekly_on_time,
)
from shopcare.domain.status import ShipmentStatus
from shopcare.services.insight.charts import percent, series_chart
from shopcare.services.insight.day_chunks import by_month
from shopcare.services.insight.local_day import MARGIN, as_local, local_day, utc_bounds
from shopcare.services.insight.panels import InsightContext

KEY = "delivery"


def build(session: Session, period: Period, context: InsightContext) -> Panel:
    groups, before = (
        by_month(session, p, name=KEY, now=context.now, compute=delivered_groups)
        for p in (period, period.previous())
    )
    now, then = (
        figures(groups, holidays=context.holidays),
        figures(before, holidays=context.holidays),
    )
    carriers = by_carrier(groups, holidays=context.holidays)
    earlier = {f.carrier: f for f in by_carrier(before, holidays=context.holidays)}
    transit, weekly = _transit_table(groups, context), _weekly_table(groups)
    return Panel(
        key=KEY,
        title="Delivery per carrier",
        figures=_figures(now, then),
        charts=(
            Chart(
                transit.key,
                series_chart(
                    "bar",
                    categories=[row[0] for row in transit.rows],
                    series={c: [row[i] for row in transit.rows] for i, c in _named(transit)},
                    x_name="business days",
                    y_name="parcels",
                ),
            ),
            Chart(
                weekly.key,
                series_chart(
                    "line",
                    categories=[row[0] for row in weekly.rows],
                    series={c: [row[i] for row in weekly.rows] for i, c in _named(weekly)},
                    y_name="% on time",
                ),
            ),
        ),
        tables=(_carrier_table(carriers, earlier), transit, weekly),
        note=(
            "Parcels delivered in the period. Transit counts business days after the day a "
            "parcel left, in the shop's calendar; on time means before the end of the first "
            "day the shopper was shown."
        ),
    )


def delivered_groups(session: Session, period: Period) -> list[DeliveryGroup]:
    s = Shipment.__table__  # type: ignore[attr-defined]
    start, end = utc_bounds(period)
    keys = (
        sa.func.coalesce(sa.func.nullif(s.c.carrier_code, ""), s.c.carrier),
        *local_day(s.c.shipped_at, period.zone, start=period.start, end=period.end, before=MARGIN),
        *local_day(s.c.delivered_at, period.zone, start=period.start, end=period.end),
    )
    delivered = (s.c.delivered_at >= start, s.c.delivered_at < end, s.c.return_id.is_(None))
    sums: dict[tuple[str, date, date], list[int]] = {}

    def add(row: Sequence[Any], values: Sequence[int]) -> None:
        key = (row[0], as_local(row[1], row[2]), as_local(row[3], row[4]))
        found = sums.get(key)
        if found is None:
            sums[key] = [int(v or 0) for v in values]
        else:
            for i, value in enumerate(values):
                found[i] += int(value or 0)

    for row in session.execute(
        sa.select(
            *keys,
            sa.func.count(),
            sa.func.sum(_flag(s.c.first_estimate.is_not(None))),
            sa.func.sum(_flag(s.c.delivered_at < s.c.first_estimate)),
        )
        .where(*delivered)
        .group_by(*keys)
    ):
        add(row, (row[5], row[6], row[7], 0, 0))
    # Few parcels have a failed attempt or an exception: found from their scans' side.
    e = TrackingEvent.__table__  # type: ignore[attr-defined]
    statuses = (ShipmentStatus.FAILED_ATTEMPT.value, ShipmentStatus.EXCEPTION.value)
    for row in session.execute(
        sa.select(*keys, e.c.status, sa.func.count(sa.distinct(s.c.id)))
        .select_from(e.join(s, s.c.id == e.c.shipment_id))
        .where(e.c.status.in_(statuses), e.c.occurred_at >= start - MARGIN)
        .where(e.c.occurred_at < end, e.c.occurred_at < s.c.delivered_at, *delivered)
        .group_by(*keys, e.c.status)
    ):
        failed = row[5] == statuses[0]
        add(row, (0, 0, 0, row[6] if failed else 0, 0 if failed else row[6]))
    return [
        DeliveryGroup(
            carrier, shipped, delivered_on, parcels=n, with_estimate=est, on_time=on,
            first_attempt=n - failed, exceptions=exc,
        )
        for (carrier, shipped, delivered_on), (n, est, on, failed, exc) in sums.items()
    ]  # fmt: skip


def _flag(condition: Any) -> Any:
    return sa.case((condition, 1), else_=0)


def _figures(now: DeliveryFigures, then: DeliveryFigures) -> tuple[Figure, ...]:
    return (
        Figure("parcels", "Parcels delivered", now.parcels, then.parcels),
        Figure("on_time", "On time", now.on_time, then.on_time, unit="%"),
        Figure("p50", "Transit, half within", now.p50, then.p50, unit="days", better="down"),
        Figure("p90", "Transit, 9 in 10 within", now.p90, then.p90, unit="days", better="down"),
        Figure("first_attempt", "First attempt", now.first_attempt, then.first_attempt, unit="%"),
        Figure(
            "exceptions",
            "With an exception",
            now.exception_rate,
            then.exception_rate,
            unit="%",
            better="down",
        ),
    )


def _carrier_table(
    carriers: Sequence[DeliveryFigures], earlier: dict[str, DeliveryFigures]
) -> Table:
    none = DeliveryFigures("", 0, None, None, None, None, None)
    return Table(
        "carriers",
        "Per carrier",
        ("carrier", "parcels", "transit p50 (days)", "transit p90 (days)", "on time %",
         "first attempt %", "exception %", "parcels before", "on time % before"),
        tuple(
            (carrier_label(f.carrier), f.parcels, f.p50, f.p90, percent(f.on_time),
             percent(f.first_attempt), percent(f.exception_rate),
             earlier.get(f.carrier, none).parcels, percent(earlier.get(f.carrier, none).on_time))
            for f in carriers
        ),
    )  # fmt: skip


def _transit_table(groups: Sequence[DeliveryGroup], context: InsightContext) -> Table:
    counts = distribution(groups, holidays=context.holidays)
    carriers = sorted(counts, key=lambda c: (-sum(counts[c].values()), c))
    longest = max((max(c) for c in counts.values()), default=-1)
    return Table(
        "transit",
        "Parcels by transit days",
        ("business days", *(carrier_label(c) for c in carriers)),
        tuple((day, *(counts[c][day] for c in carriers)) for day in range(longest + 1)),
    )


def _weekly_table(groups: Sequence[DeliveryGroup]) -> Table:
    weeks = weekly_on_time(groups)
    carriers = sorted({w.carrier for w in weeks})
    rates = {(w.week, w.carrier): w.rate for w in weeks}
    return Table(
        "weekly",
        "On time per week (% of parcels with an estimate)",
        ("week", *(carrier_label(c) for c in carriers)),
        tuple(
            (week.isoformat(), *(percent(rates.get((week, c))) for c in carriers))
            for week in sorted({w.week for w in weeks})
        ),
    )


def _named(table: Table) -> list[tuple[int, str]]:
    """The series of a wide table: every column after the first."""
    return list(enumerate(table.columns))[1:]
