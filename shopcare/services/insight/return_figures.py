"""The returns panel's headline figures for one period, from SQL aggregates: orders and
units placed, returns and units asked back, the value each settled return was worth, and
the days between its steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from shopcare.db.intervals import whole_days_between
from shopcare.db.models import (
    OrderLine,
    ReturnEvent,
    ReturnLine,
    ReturnRequest,
    Shipment,
    ShopOrder,
    StoreCredit,
)
from shopcare.domain.insight import Period, share
from shopcare.domain.intake import Source
from shopcare.domain.metrics.returns import days, value_split
from shopcare.domain.returns import ReturnStatus
from shopcare.services.insight.day_chunks import by_month
from shopcare.services.insight.experience import parcels_of

_REFUNDED = (ReturnStatus.REFUNDED, ReturnStatus.CREDITED)
"""The steps "request to refund" ends at: money (or its value as credit) went back."""


PRODUCT = sa.func.coalesce(sa.func.nullif(col(OrderLine.product_key), ""), col(OrderLine.title))
"""A product is its platform id, or its title when the platform gave none."""


@dataclass(frozen=True)
class Placed:
    """What was ordered in a period: the side of the rates that grows with every order (the
    returns themselves are few and read live)."""

    orders: int
    units: int
    by_product: dict[str | None, int]
    by_sku: dict[str | None, int]


def placed_in(session: Session, period: Period, *, now: datetime) -> Placed:
    """Counted per month (``by_month``): an order is placed on one day, so the months add
    up to the period."""
    orders = units = 0
    by: dict[str, dict[str | None, int]] = {"product": {}, "sku": {}}
    for what, key, n, m in by_month(session, period, name="returns", now=now, compute=_placed):
        if what == "orders":
            orders, units = orders + n, units + m
        else:
            by[what][key] = by[what].get(key, 0) + n
    return Placed(orders, units, by["product"], by["sku"])


def _placed(session: Session, period: Period) -> list[tuple[str, str | None, int, int]]:
    """``("orders", None, orders, units)`` and ``("product"|"sku", key, units, 0)``."""
    start, end = period.utc_bounds()
    orders, units = session.execute(
        sa.select(
            sa.func.count(sa.distinct(col(ShopOrder.id))),
            sa.func.coalesce(sa.func.sum(col(OrderLine.quantity)), 0),
        )
        .select_from(ShopOrder)
        .outerjoin(OrderLine, col(OrderLine.order_id) == col(ShopOrder.id))
        .where(*placed(start, end))
    ).one()
    found: list[tuple[str, str | None, int, int]] = [("orders", None, int(orders), int(units))]
    sku = col(OrderLine.sku)
    for product, code, n in session.execute(
        sa.select(PRODUCT, sku, sa.func.sum(col(OrderLine.quantity)))
        .join(ShopOrder, col(ShopOrder.id) == col(OrderLine.order_id))
        .where(*placed(start, end))
        .group_by(PRODUCT, sku)
    ):
        found += [("product", product, int(n or 0), 0), ("sku", code, int(n or 0), 0)]
    return found


class ReturnFigures:
    """The headline figures of one period (the panel reads two: the period and the one
    before)."""

    def __init__(self, session: Session, period: Period, ordered: Placed) -> None:
        start, end = period.utc_bounds()
        orders, units = ordered.orders, ordered.units
        returned_orders, returns = session.execute(
            sa.select(sa.func.count(sa.distinct(col(ReturnRequest.order_id))), sa.func.count())
            .select_from(ReturnRequest)
            .where(*requested(start, end))
        ).one()
        returned_units = session.execute(
            sa.select(sa.func.coalesce(sa.func.sum(col(ReturnLine.quantity)), 0))
            .join(ReturnRequest, col(ReturnRequest.id) == col(ReturnLine.return_id))
            .where(*requested(start, end))
        ).scalar_one()
        self.returns = int(returns)
        self.order_rate = share(int(returned_orders), int(orders))
        self.item_rate = share(int(returned_units), int(units))
        self.value = value_split(_values(session, start, end))
        self.to_request = days(_days(session, start, end, _delivered_before_request()))
        self.to_refund = days(_days(session, start, end, _refunded_after_request()))


def placed(start: Any, end: Any) -> list[sa.ColumnElement[bool]]:
    """Orders placed in the range that count: not an exchange (the shop's, free), not
    cancelled."""
    placed_at = col(ShopOrder.placed_at)
    return [
        placed_at >= start,
        placed_at < end,
        col(ShopOrder.source) != Source.EXCHANGE,
        col(ShopOrder.cancelled_at).is_(None),
    ]


def requested(start: Any, end: Any) -> list[sa.ColumnElement[bool]]:
    created = col(ReturnRequest.created_at)
    return [created >= start, created < end]


def _values(session: Session, start: Any, end: Any) -> list[tuple[str, str, int]]:
    """What each settled return was worth, by outcome and currency: the refund, the credit
    issued, the value of the items exchanged (the exchange order is free)."""
    status, currency = col(ReturnRequest.status), col(ShopOrder.currency)
    refunded = (
        sa.select(status, currency, sa.func.sum(col(ReturnRequest.refund_minor)))
        .join(ShopOrder, col(ShopOrder.id) == col(ReturnRequest.order_id))
        .where(*requested(start, end), status == ReturnStatus.REFUNDED)
        .group_by(status, currency)
    )
    credited = (
        sa.select(status, col(StoreCredit.currency), sa.func.sum(col(StoreCredit.amount_minor)))
        .join(ReturnRequest, col(ReturnRequest.id) == col(StoreCredit.return_id))
        .where(*requested(start, end), status == ReturnStatus.CREDITED)
        .group_by(status, col(StoreCredit.currency))
    )
    exchanged = (
        sa.select(
            status,
            currency,
            sa.func.sum(col(ReturnLine.quantity) * col(OrderLine.unit_price_minor)),
        )
        .select_from(ReturnLine)
        .join(ReturnRequest, col(ReturnRequest.id) == col(ReturnLine.return_id))
        .join(OrderLine, col(OrderLine.id) == col(ReturnLine.order_line_id))
        .join(ShopOrder, col(ShopOrder.id) == col(ReturnRequest.order_id))
        .where(*requested(start, end), status == ReturnStatus.EXCHANGED)
        .group_by(status, currency)
    )
    return [
        (str(s), str(c), int(n or 0))
        for query in (refunded, credited, exchanged)
        for s, c, n in session.execute(query).all()
    ]


def _delivered_before_request() -> tuple[Any, Any]:
    delivered = (
        sa.select(sa.func.max(col(Shipment.delivered_at)))
        .where(parcels_of(col(ReturnRequest.order_id)))
        .correlate(ReturnRequest)
        .scalar_subquery()
    )
    return delivered, col(ReturnRequest.created_at)


def _refunded_after_request() -> tuple[Any, Any]:
    refunded = (
        sa.select(sa.func.min(col(ReturnEvent.at)))
        .where(
            col(ReturnEvent.return_id) == col(ReturnRequest.id),
            col(ReturnEvent.action).in_([s.value for s in _REFUNDED]),
        )
        .correlate(ReturnRequest)
        .scalar_subquery()
    )
    return col(ReturnRequest.created_at), refunded


def _days(session: Session, start: Any, end: Any, steps: tuple[Any, Any]) -> dict[int, int]:
    """Whole days between the two steps of each return requested in the period, counted
    per number of days; returns that have not reached the second step are left out."""
    elapsed = whole_days_between(*steps).label("days")
    rows = session.execute(
        sa.select(elapsed, sa.func.count())
        .select_from(ReturnRequest)
        .where(*requested(start, end), elapsed.is_not(None))
        .group_by(elapsed)
    ).all()
    return {int(d): int(n) for d, n in rows}
