"""Customers panel: of the shoppers whose first order fell in the period, the share who
ordered again (so far) and the days until they did, split by what happened to that first
order's parcels (on time, late, an exception, unknown).

A purchase is an order that is neither an exchange (the shop's, free) nor cancelled. Each
customer's first and second order come from the (customer, placed_at) index; only the new
customers of the period are looked at further."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from shopcare.db.intervals import whole_days_between
from shopcare.db.models import Shipment, ShopOrder
from shopcare.domain.insight import Figure, Panel, Period, Table
from shopcare.domain.intake import Source
from shopcare.domain.metrics.customers import Cohort, by_first_delivery
from shopcare.domain.metrics.experience import LABELS, DeliveryFlags, Experience
from shopcare.services.insight.charts import bar, percent
from shopcare.services.insight.day_chunks import by_month
from shopcare.services.insight.experience import flag_columns, flag_names, flags, parcels_of
from shopcare.services.insight.panels import InsightContext

KEY = "customers"


def build(session: Session, period: Period, context: InsightContext) -> Panel:
    everyone, split = by_first_delivery(_cohorts(session, period, context))
    before, before_split = by_first_delivery(_cohorts(session, period.previous(), context))
    now = {c.group: c for c in split}
    was = {c.group: c for c in before_split}
    table = Table(
        "by-first-delivery",
        "Repeat purchases by the first order's delivery",
        ("First delivery", "New customers", "Ordered again", "Repeat rate %",
         "Days to 2nd order, p50"),
        tuple(
            (LABELS.get(c.group, "All"), c.customers, c.repeat, percent(c.repeat_rate),
             c.days_p50)
            for c in (everyone, *split)
        ),
    )  # fmt: skip
    return Panel(
        key=KEY,
        title="Customers",
        figures=(
            Figure("new", "New customers", everyone.customers, before.customers),
            _rate("repeat-rate", "Repeat-purchase rate", everyone, before),
            Figure(
                "days-p50",
                "Days to 2nd order, p50",
                everyone.days_p50,
                before.days_p50,
                unit="days",
                better="down",
            ),
            _rate(
                "repeat-on-time",
                "Repeat rate, first parcel on time",
                now[Experience.ON_TIME],
                was[Experience.ON_TIME],
            ),
            _rate(
                "repeat-late",
                "Repeat rate, first parcel late",
                now[Experience.LATE],
                was[Experience.LATE],
            ),
            _rate(
                "repeat-exception",
                "Repeat rate, first parcel with an exception",
                now[Experience.EXCEPTION],
                was[Experience.EXCEPTION],
            ),
        ),
        charts=(bar(table, series=(3,)),),
        tables=(table,),
        note="Customers whose first order was placed in the period; a second order counts "
        "whenever it came, up to now.",
    )


def _rate(key: str, label: str, now: Cohort, before: Cohort) -> Figure:
    return Figure(key, label, now.repeat_rate, before.repeat_rate, unit="%")


def _purchases(order: Any) -> list[sa.ColumnElement[bool]]:
    return [col(order.source) != Source.EXCHANGE, col(order.cancelled_at).is_(None)]


def _cohorts(
    session: Session, period: Period, context: InsightContext
) -> list[tuple[DeliveryFlags, int | None, int]]:
    """Per month (``by_month``): a customer's first purchase falls in one month, so the
    months' new customers add up to the period's. A settled month's second orders are read
    again within ``day_chunks.SETTLED_AGE``."""
    return by_month(session, period, name=KEY, now=context.now, compute=cohort_rows)


def cohort_rows(session: Session, period: Period) -> list[tuple[DeliveryFlags, int | None, int]]:
    """``(first order's delivery flags, whole days to the second order or None, customers)``
    for the customers whose first purchase was placed in ``period``."""
    start, end = period.utc_bounds()
    placed, earlier, first = aliased(ShopOrder), aliased(ShopOrder), aliased(ShopOrder)
    first_at = sa.func.min(col(placed.placed_at))
    before = sa.exists().where(  # a purchase before the period: not a new customer
        col(earlier.customer_id) == col(placed.customer_id),
        col(earlier.placed_at) < start,
        *_purchases(earlier),
    )
    new_at = (
        sa.select(col(placed.customer_id).label("customer_id"), first_at.label("first_at"))
        .where(col(placed.placed_at) >= start, col(placed.placed_at) < end)
        .where(*_purchases(placed), ~before)
        .group_by(col(placed.customer_id))
        .subquery()
    )
    new = (  # the first order itself (the lowest id when two were placed at once)
        sa.select(
            new_at.c.customer_id, new_at.c.first_at, sa.func.min(col(first.id)).label("first_id")
        )
        .join(
            first,
            sa.and_(
                col(first.customer_id) == new_at.c.customer_id,
                col(first.placed_at) == new_at.c.first_at,
            ),
        )
        .where(*_purchases(first))
        .group_by(new_at.c.customer_id, new_at.c.first_at)
        .subquery()
    )
    later = aliased(ShopOrder)
    second_at = (
        sa.select(sa.func.min(col(later.placed_at)))
        .where(
            col(later.customer_id) == new.c.customer_id,
            col(later.placed_at) >= new.c.first_at,
            col(later.id) != new.c.first_id,
            *_purchases(later),
        )
        .scalar_subquery()
    )
    per_customer = (
        sa.select(whole_days_between(new.c.first_at, second_at).label("to_second"), *flag_columns())
        .select_from(new)
        .outerjoin(Shipment, parcels_of(new.c.first_id))
        .group_by(new.c.customer_id, new.c.first_at, new.c.first_id)
        .subquery()
    )
    names = flag_names(per_customer)
    rows = session.execute(
        sa.select(*names, per_customer.c.to_second, sa.func.count()).group_by(
            *names, per_customer.c.to_second
        )
    ).all()
    return [
        (flags(late, judged, exc), None if days is None else int(days), int(n))
        for late, judged, exc, days, n in rows
    ]
