"""Returns panel: return rate by order and by item, the products and SKUs most sent back,
reasons, resolutions, the value refunded against the value kept (exchange, store credit),
and the days from delivery to request and from request to refund.

Returns count in the period they were requested; the rates set them against the orders
placed in the same period (orders that are not an exchange and not cancelled), as the
owner reads "returns this month against orders this month"."""

from __future__ import annotations

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
from shopcare.domain.insight import Figure, Panel, Period, Table, share
from shopcare.domain.intake import Source
from shopcare.domain.metrics.returns import (
    Days,
    ProductRow,
    ValueSplit,
    days,
    shares,
    top_returned,
    value_split,
)
from shopcare.domain.money import format_money
from shopcare.domain.returns import ReturnStatus
from shopcare.services.insight.charts import bar, percent
from shopcare.services.insight.experience import parcels_of
from shopcare.services.insight.panels import InsightContext
from shopcare.services.returns.policy import load_policy

KEY = "returns"
_REFUNDED = (ReturnStatus.REFUNDED, ReturnStatus.CREDITED)
"""The steps "request to refund" ends at: money (or its value as credit) went back."""


def build(session: Session, period: Period, context: InsightContext) -> Panel:
    now, before = _Figures(session, period), _Figures(session, period.previous())
    money = context.currency
    reasons = {r.code: r.label for r in load_policy(session).reasons}
    tables = (
        _products(session, period, "products", "Products most returned", _PRODUCT),
        _products(session, period, "skus", "SKUs most returned", col(OrderLine.sku)),
        _shares("reasons", "Items returned by reason", "Reason", _reasons(session, period),
                reasons),
        _shares("resolutions", "Returns by resolution asked for", "Resolution",
                _resolutions(session, period), {}),
        _value_table(now.value, money),
        _days_table(now),
    )  # fmt: skip
    mine, was = now.value.get(money, ValueSplit()), before.value.get(money, ValueSplit())
    return Panel(
        key=KEY,
        title="Returns",
        figures=(
            Figure(
                "order-rate",
                "Return rate (orders)",
                now.order_rate,
                before.order_rate,
                unit="%",
                better="down",
            ),
            Figure(
                "item-rate",
                "Return rate (items)",
                now.item_rate,
                before.item_rate,
                unit="%",
                better="down",
            ),
            Figure("returns", "Returns", now.returns, before.returns, better="down"),
            Figure(
                "refunded", "Refunded", mine.refunded, was.refunded, better="down", currency=money
            ),
            Figure("kept", "Kept (exchange, store credit)", mine.kept, was.kept, currency=money),
            Figure("kept-share", "Value kept", mine.kept_share, was.kept_share, unit="%"),
            Figure(
                "to-request-p50",
                "Delivery to request, p50",
                now.to_request.p50,
                before.to_request.p50,
                unit="days",
            ),
            Figure(
                "to-refund-p50",
                "Request to refund, p50",
                now.to_refund.p50,
                before.to_refund.p50,
                unit="days",
                better="down",
            ),
            Figure(
                "to-refund-p90",
                "Request to refund, p90",
                now.to_refund.p90,
                before.to_refund.p90,
                unit="days",
                better="down",
            ),
        ),
        charts=(
            bar(tables[0], series=(3,)),
            bar(tables[2], series=(1,)),
            bar(tables[3], series=(1,)),
        ),
        tables=tables,
        note="Returns requested in the period, against orders placed in it.",
    )


_PRODUCT = sa.func.coalesce(sa.func.nullif(col(OrderLine.product_key), ""), col(OrderLine.title))
"""A product is its platform id, or its title when the platform gave none."""


class _Figures:
    """The headline figures of one period (the panel reads two: the period and the one
    before)."""

    def __init__(self, session: Session, period: Period) -> None:
        start, end = period.utc_bounds()
        orders, units = session.execute(
            sa.select(
                sa.func.count(sa.distinct(col(ShopOrder.id))),
                sa.func.coalesce(sa.func.sum(col(OrderLine.quantity)), 0),
            )
            .select_from(ShopOrder)
            .outerjoin(OrderLine, col(OrderLine.order_id) == col(ShopOrder.id))
            .where(*_placed(start, end))
        ).one()
        returned_orders, returns = session.execute(
            sa.select(sa.func.count(sa.distinct(col(ReturnRequest.order_id))), sa.func.count())
            .select_from(ReturnRequest)
            .where(*_requested(start, end))
        ).one()
        returned_units = session.execute(
            sa.select(sa.func.coalesce(sa.func.sum(col(ReturnLine.quantity)), 0))
            .join(ReturnRequest, col(ReturnRequest.id) == col(ReturnLine.return_id))
            .where(*_requested(start, end))
        ).scalar_one()
        self.returns = int(returns)
        self.order_rate = share(int(returned_orders), int(orders))
        self.item_rate = share(int(returned_units), int(units))
        self.value = value_split(_values(session, start, end))
        self.to_request = days(_days(session, start, end, _delivered_before_request()))
        self.to_refund = days(_days(session, start, end, _refunded_after_request()))


def _placed(start: Any, end: Any) -> list[sa.ColumnElement[bool]]:
    placed = col(ShopOrder.placed_at)
    return [
        placed >= start,
        placed < end,
        col(ShopOrder.source) != Source.EXCHANGE,
        col(ShopOrder.cancelled_at).is_(None),
    ]


def _requested(start: Any, end: Any) -> list[sa.ColumnElement[bool]]:
    created = col(ReturnRequest.created_at)
    return [created >= start, created < end]


def _products(session: Session, period: Period, key: str, title: str, by: Any) -> Table:
    """The top products (or SKUs) by units returned, with the units ordered in the period:
    the returns are grouped first (few), then only their products' orders are summed."""
    start, end = period.utc_bounds()
    returned = session.execute(
        sa.select(by, sa.func.min(col(OrderLine.title)), sa.func.sum(col(ReturnLine.quantity)))
        .select_from(ReturnLine)
        .join(ReturnRequest, col(ReturnRequest.id) == col(ReturnLine.return_id))
        .join(OrderLine, col(OrderLine.id) == col(ReturnLine.order_line_id))
        .where(*_requested(start, end))
        .group_by(by)
    ).all()
    keys = [str(k) for k, _, _ in returned]
    ordered = dict(
        session.execute(
            sa.select(by, sa.func.sum(col(OrderLine.quantity)))
            .join(ShopOrder, col(ShopOrder.id) == col(OrderLine.order_id))
            .where(*_placed(start, end), by.in_(keys))
            .group_by(by)
        ).all()
    )
    top = top_returned(
        ProductRow(str(k), str(t), int(ordered.get(k, 0)), int(n)) for k, t, n in returned
    )
    return Table(
        key,
        title,
        ("Product" if key == "products" else "SKU", "Title", "Ordered", "Returned", "Rate %"),
        tuple((r.key or "(none)", r.title, r.ordered, r.returned, percent(r.rate)) for r in top),
    )


def _reasons(session: Session, period: Period) -> dict[str, int]:
    start, end = period.utc_bounds()
    reason = col(ReturnLine.reason)
    rows = session.execute(
        sa.select(reason, sa.func.sum(col(ReturnLine.quantity)))
        .join(ReturnRequest, col(ReturnRequest.id) == col(ReturnLine.return_id))
        .where(*_requested(start, end))
        .group_by(reason)
    ).all()
    return {str(r): int(n) for r, n in rows}


def _resolutions(session: Session, period: Period) -> dict[str, int]:
    start, end = period.utc_bounds()
    resolution = col(ReturnRequest.resolution)
    rows = session.execute(
        sa.select(resolution, sa.func.count()).where(*_requested(start, end)).group_by(resolution)
    ).all()
    return {str(r): int(n) for r, n in rows}


def _shares(
    key: str, title: str, name: str, counts: dict[str, int], labels: dict[str, str]
) -> Table:
    return Table(
        key,
        title,
        (name, "Count", "Share %"),
        tuple(
            (labels.get(code) or code.replace("_", " ").capitalize() or "(none)", n, percent(s))
            for code, n, s in shares(counts)
        ),
    )


def _values(session: Session, start: Any, end: Any) -> list[tuple[str, str, int]]:
    """What each settled return was worth, by outcome and currency: the refund, the credit
    issued, the value of the items exchanged (the exchange order is free)."""
    status, currency = col(ReturnRequest.status), col(ShopOrder.currency)
    refunded = (
        sa.select(status, currency, sa.func.sum(col(ReturnRequest.refund_minor)))
        .join(ShopOrder, col(ShopOrder.id) == col(ReturnRequest.order_id))
        .where(*_requested(start, end), status == ReturnStatus.REFUNDED)
        .group_by(status, currency)
    )
    credited = (
        sa.select(status, col(StoreCredit.currency), sa.func.sum(col(StoreCredit.amount_minor)))
        .join(ReturnRequest, col(ReturnRequest.id) == col(StoreCredit.return_id))
        .where(*_requested(start, end), status == ReturnStatus.CREDITED)
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
        .where(*_requested(start, end), status == ReturnStatus.EXCHANGED)
        .group_by(status, currency)
    )
    return [
        (str(s), str(c), int(n or 0))
        for query in (refunded, credited, exchanged)
        for s, c, n in session.execute(query).all()
    ]


def _value_table(value: dict[str, ValueSplit], shop_currency: str) -> Table:
    rows = []
    for currency in sorted(value, key=lambda c: (c != shop_currency, c)):
        split = value[currency]
        for name, amount in (
            ("Refunded", split.refunded),
            ("Exchanged", split.exchanged),
            ("Store credit", split.credited),
        ):
            rows.append((name, currency, format_money(amount, currency), amount))
    return Table(
        "value", "Value refunded and kept", ("Outcome", "Currency", "Value", "Minor units"),
        tuple(rows),
    )  # fmt: skip


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
        .where(*_requested(start, end), elapsed.is_not(None))
        .group_by(elapsed)
    ).all()
    return {int(d): int(n) for d, n in rows}


def _days_table(figures: _Figures) -> Table:
    def row(name: str, found: Days) -> tuple[str, int | None, int | None, int]:
        return (name, found.p50, found.p90, found.returns)

    return Table(
        "days",
        "Days between steps",
        ("Step", "p50 days", "p90 days", "Returns"),
        (
            row("Delivery to request", figures.to_request),
            row("Request to refund or credit", figures.to_refund),
        ),
    )
