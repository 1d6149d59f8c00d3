""" "Where is my order?": tracking page views per order, the share of parcels whose page was
viewed before they arrived (on time vs late), lookups found and failed, and problem reports
by reason, for the period and week by week.

Grouped in SQL by the shop's day: parcels delivered in the period with their views counted
by one probe each into ``ix_page_view_order_kind_at``; lookups over ``ix_page_view_kind_at``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from shopcare.db.models import PageView, ProblemReport, Shipment
from shopcare.domain.insight import Chart, Figure, Panel, Period, Table, share
from shopcare.domain.metrics.wismo import Asked, DeliveredDay, Timing, asked, weekly
from shopcare.services.insight.charts import percent, series_chart
from shopcare.services.insight.day_chunks import by_month
from shopcare.services.insight.local_day import as_local, local_day, utc_bounds
from shopcare.services.insight.panels import InsightContext
from shopcare.services.shopper_site.page_views import PageKind

KEY = "wismo"
LOOKUPS = (PageKind.LOOKUP, PageKind.LOOKUP_FAILED)
REASONS = {
    "not_arrived": "Not arrived",
    "damaged": "Damaged",
    "wrong_item": "Wrong item",
    "other": "Other",
}


@dataclass(frozen=True)
class _Facts:
    delivered: list[DeliveredDay]
    counts: dict[tuple[date, str], int]
    """(day, lookup kind or "problem:<reason>") -> n."""
    views: int
    orders_viewed: int

    def total(self, key: str) -> int:
        return sum(n for (_, k), n in self.counts.items() if k == key)

    def reports(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for (_, key), n in self.counts.items():
            if key.startswith("problem:"):
                found[key[8:]] = found.get(key[8:], 0) + n
        return found


def build(session: Session, period: Period, context: InsightContext) -> Panel:
    now, then = (_facts(session, p, now=context.now) for p in (period, period.previous()))
    weeks, reasons = _weekly_table(now), _reasons_table(now, then)
    return Panel(
        key=KEY,
        title="Where is my order?",
        figures=_figures(now, then),
        charts=(
            Chart(
                weeks.key,
                series_chart(
                    "line",
                    categories=[row[0] for row in weeks.rows],
                    series={
                        "On time": [r[2] for r in weeks.rows],
                        "Late": [r[5] for r in weeks.rows],
                    },
                    y_name="% viewed before delivery",
                ),
            ),
            Chart(
                reasons.key,
                series_chart(
                    "bar",
                    categories=[row[0] for row in reasons.rows],
                    series={
                        "This period": [r[1] for r in reasons.rows],
                        "Period before": [r[2] for r in reasons.rows],
                    },
                    y_name="reports",
                ),
            ),
        ),
        tables=(weeks, reasons),
        note=(
            "A tracking page view between shipping and delivery is a shopper asking where the "
            "order is. Late parcels are those delivered after the first estimated day."
        ),
    )


def _facts(session: Session, period: Period, *, now: datetime) -> _Facts:
    v = PageView.__table__  # type: ignore[attr-defined]
    start, end = utc_bounds(period)
    views, orders = session.execute(
        sa.select(sa.func.count(), sa.func.count(sa.distinct(v.c.order_id))).where(
            v.c.kind == PageKind.TRACKING_VIEW.value, v.c.at >= start, v.c.at < end
        )
    ).one()
    counts: dict[tuple[date, str], int] = {}
    for key, n in by_month(session, period, name="wismo-days", now=now, compute=_day_counts):
        counts[key] = counts.get(key, 0) + n
    delivered = by_month(session, period, name="wismo-delivered", now=now, compute=_delivered)
    return _Facts(delivered, counts, int(views), int(orders))


def _day_counts(session: Session, period: Period) -> list[tuple[tuple[date, str], int]]:
    """Lookups found and failed, and problem reports by reason, per day."""
    v = PageView.__table__  # type: ignore[attr-defined]
    p = ProblemReport.__table__  # type: ignore[attr-defined]
    start, end = utc_bounds(period)
    lookups = (*_day(v.c.at, period), v.c.kind)
    reports = (*_day(p.c.created_at, period), "problem:" + p.c.kind)
    found = []
    for keys, where in (
        (lookups, (v.c.kind.in_([k.value for k in LOOKUPS]), v.c.at >= start, v.c.at < end)),
        (reports, (p.c.created_at >= start, p.c.created_at < end)),
    ):
        for utc_day, shift, key, n in session.execute(
            sa.select(*keys, sa.func.count()).where(*where).group_by(*keys)
        ):
            found.append(((as_local(utc_day, shift), str(key)), int(n)))
    return found


def _day(column: Any, period: Period) -> Any:
    return local_day(column, period.zone, start=period.start, end=period.end)


def _delivered(session: Session, period: Period) -> list[DeliveredDay]:
    s = Shipment.__table__  # type: ignore[attr-defined]
    v = PageView.__table__  # type: ignore[attr-defined]
    start, end = utc_bounds(period)
    views = (
        sa.select(sa.func.count())
        .where(
            v.c.order_id == s.c.order_id,
            v.c.kind == PageKind.TRACKING_VIEW.value,
            v.c.at >= s.c.shipped_at,
            v.c.at < s.c.delivered_at,
        )
        .scalar_subquery()
    )
    timing = sa.case(
        (s.c.first_estimate.is_(None), Timing.UNKNOWN.value),
        (s.c.delivered_at < s.c.first_estimate, Timing.ON_TIME.value),
        else_=Timing.LATE.value,
    )
    utc_day, shift = _day(s.c.delivered_at, period)
    inner = (
        sa.select(
            utc_day.label("day"), shift.label("shift"), timing.label("timing"),
            views.label("views"),
        )
        .where(s.c.delivered_at >= start, s.c.delivered_at < end)
        .where(s.c.return_id.is_(None))
        .subquery()
    )  # fmt: skip
    keys = (inner.c.day, inner.c.shift, inner.c.timing)
    sums: dict[tuple[date, Timing], Asked] = {}
    for d, k, t, n, seen, total in session.execute(
        sa.select(
            *keys,
            sa.func.count(),
            sa.func.sum(sa.case((inner.c.views > 0, 1), else_=0)),
            sa.func.sum(inner.c.views),
        ).group_by(*keys)
    ):
        key = (as_local(d, k), Timing(t))
        sums[key] = sums.get(key, Asked()) + Asked(int(n), int(seen or 0), int(total or 0))
    return [DeliveredDay(d, t, a.parcels, a.viewed, a.views) for (d, t), a in sums.items()]


def _figures(now: _Facts, then: _Facts) -> tuple[Figure, ...]:
    def both(make: Any) -> tuple[Any, Any]:
        return make(now), make(then)

    def viewed(timing: Timing | None) -> Any:
        return lambda f: asked(f.delivered, timing).viewed_share

    problems = both(lambda f: sum(f.reports().values()))
    return (
        Figure("views_per_order", "Tracking views per order",
               *both(lambda f: share(f.views, f.orders_viewed)), better="down"),
        Figure("viewed", "Viewed before delivery", *both(viewed(None)), unit="%", better="down"),
        Figure("viewed_on_time", "… of parcels on time", *both(viewed(Timing.ON_TIME)),
               unit="%", better="down"),
        Figure("viewed_late", "… of late parcels", *both(viewed(Timing.LATE)),
               unit="%", better="down"),
        Figure("lookups", "Lookups found", *both(lambda f: f.total(PageKind.LOOKUP.value))),
        Figure("lookups_failed", "Lookups failed",
               *both(lambda f: f.total(PageKind.LOOKUP_FAILED.value)), better="down"),
        Figure("problems", "Problem reports", *problems, better="down"),
    )  # fmt: skip


def _weekly_table(facts: _Facts) -> Table:
    rows = []
    for week in weekly(facts.delivered, facts.counts):
        on_time = week.asked.get(Timing.ON_TIME, Asked())
        late = week.asked.get(Timing.LATE, Asked())
        reports = sum(n for k, n in week.counts.items() if k.startswith("problem:"))
        rows.append(
            (week.week.isoformat(),
             on_time.parcels, percent(on_time.viewed_share), _round(on_time.views_per_parcel),
             late.parcels, percent(late.viewed_share), _round(late.views_per_parcel),
             week.counts.get(PageKind.LOOKUP.value, 0),
             week.counts.get(PageKind.LOOKUP_FAILED.value, 0), reports)
        )  # fmt: skip
    return Table(
        "weekly",
        "Per week: parcels delivered on time and late, and how often shoppers asked",
        ("week", "on time", "on time: viewed %", "on time: views per parcel", "late",
         "late: viewed %", "late: views per parcel", "lookups found", "lookups failed",
         "problem reports"),
        tuple(rows),
    )  # fmt: skip


def _reasons_table(now: _Facts, then: _Facts) -> Table:
    found, before = now.reports(), then.reports()
    keys: Sequence[str] = [*REASONS, *sorted((set(found) | set(before)) - set(REASONS))]
    return Table(
        "reasons",
        "Problem reports by reason",
        ("reason", "reports", "reports before"),
        tuple((REASONS.get(k, k), found.get(k, 0), before.get(k, 0)) for k in keys),
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
