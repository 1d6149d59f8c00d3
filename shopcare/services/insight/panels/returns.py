"""Returns panel: return rate by order and by item, the products and SKUs most sent back,
reasons, resolutions, the value refunded against the value kept (exchange, store credit),
and the days from delivery to request and from request to refund; store credit issued,
redeemed, expired and outstanding (``credit_figures``).

Returns count in the period they were requested; the rates set them against the orders
placed in the same period (orders that are not an exchange and not cancelled), as the
owner reads "returns this month against orders this month"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from shopcare.db.models import (
    OrderLine,
    ReturnLine,
    ReturnRequest,
)
from shopcare.domain.insight import Figure, Panel, Period, Table
from shopcare.domain.metrics.returns import (
    Days,
    ProductRow,
    ValueSplit,
    shares,
    top_returned,
)
from shopcare.domain.money import format_money
from shopcare.services.insight.charts import bar, percent
from shopcare.services.insight.credit_figures import CreditMoney, credit_figures
from shopcare.services.insight.panels import InsightContext
from shopcare.services.insight.return_figures import (
    PRODUCT,
    ReturnFigures,
    placed_in,
    requested,
)
from shopcare.services.returns.policy import load_policy

KEY = "returns"


def build(session: Session, period: Period, context: InsightContext) -> Panel:
    ordered = placed_in(session, period, now=context.now)
    now = ReturnFigures(session, period, ordered)
    before_period = period.previous()
    before = ReturnFigures(
        session, before_period, placed_in(session, before_period, now=context.now)
    )
    money = context.currency
    reasons = {r.code: r.label for r in load_policy(session).reasons}
    tables = (
        _products(session, period, "products", "Products most returned", PRODUCT,
                  ordered.by_product),
        _products(session, period, "skus", "SKUs most returned", col(OrderLine.sku),
                  ordered.by_sku),
        _shares("reasons", "Items returned by reason", "Reason", _reasons(session, period),
                reasons),
        _shares("resolutions", "Returns by resolution asked for", "Resolution",
                _resolutions(session, period), {}),
        _value_table(now.value, money),
        _days_table(now),
        _credit_table(credit_figures(session, period, now=context.now), money),
    )  # fmt: skip
    return Panel(
        key=KEY,
        title="Returns",
        figures=tuple(
            Figure(
                key,
                label,
                read(now, money),
                read(before, money),
                unit="" if unit == "money" else unit,
                better=better,
                currency=money if unit == "money" else "",
            )
            for key, label, read, unit, better in _FIGURES
        ),
        charts=(
            bar(tables[0], series=(3,)),
            bar(tables[2], series=(1,)),
            bar(tables[3], series=(1,)),
        ),
        tables=tables,
        note="Returns requested in the period, against orders placed in it.",
    )


def _money(figures: ReturnFigures, currency: str) -> ValueSplit:
    return figures.value.get(currency, ValueSplit())


_FIGURES: tuple[tuple[str, str, Callable[[ReturnFigures, str], Any], str, str], ...] = (
    ("order-rate", "Return rate (orders)", lambda f, _: f.order_rate, "%", "down"),
    ("item-rate", "Return rate (items)", lambda f, _: f.item_rate, "%", "down"),
    ("returns", "Returns", lambda f, _: f.returns, "", "down"),
    ("refunded", "Refunded", lambda f, c: _money(f, c).refunded, "money", "down"),
    ("kept", "Kept (exchange, store credit)", lambda f, c: _money(f, c).kept, "money", "up"),
    ("kept-share", "Value kept", lambda f, c: _money(f, c).kept_share, "%", "up"),
    ("to-request-p50", "Delivery to request, p50", lambda f, _: f.to_request.p50, "days", "up"),
    ("to-refund-p50", "Request to refund, p50", lambda f, _: f.to_refund.p50, "days", "down"),
    ("to-refund-p90", "Request to refund, p90", lambda f, _: f.to_refund.p90, "days", "down"),
)
"""key, label, how to read it from a period's figures (and the shop's currency), unit
("money": minor units of the shop's currency), which way is good."""


def _products(
    session: Session, period: Period, key: str, title: str, by: Any, ordered: dict[Any, int]
) -> Table:
    """The top products (or SKUs) by units returned, with the units ordered in the period
    (``ordered``, per product or SKU; none counted for a line without one)."""
    start, end = period.utc_bounds()
    returned = session.execute(
        sa.select(by, sa.func.min(col(OrderLine.title)), sa.func.sum(col(ReturnLine.quantity)))
        .select_from(ReturnLine)
        .join(ReturnRequest, col(ReturnRequest.id) == col(ReturnLine.return_id))
        .join(OrderLine, col(OrderLine.id) == col(ReturnLine.order_line_id))
        .where(*requested(start, end))
        .group_by(by)
    ).all()
    top = top_returned(
        ProductRow(str(k), str(t), 0 if k is None else ordered.get(k, 0), int(n))
        for k, t, n in returned
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
        .where(*requested(start, end))
        .group_by(reason)
    ).all()
    return {str(r): int(n) for r, n in rows}


def _resolutions(session: Session, period: Period) -> dict[str, int]:
    start, end = period.utc_bounds()
    resolution = col(ReturnRequest.resolution)
    rows = session.execute(
        sa.select(resolution, sa.func.count()).where(*requested(start, end)).group_by(resolution)
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


def _days_table(figures: ReturnFigures) -> Table:
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


def _credit_table(credit: dict[str, CreditMoney], shop_currency: str) -> Table:
    """Store credit issued, spent, expired unspent, and still owed at the period's end."""
    rows = []
    for currency in sorted(credit, key=lambda c: (c != shop_currency, c)):
        money = credit[currency]
        for name, amount in (
            ("Issued", money.issued),
            ("Redeemed", money.redeemed),
            ("Expired unused", money.expired),
            ("Outstanding at the end", money.outstanding),
        ):
            rows.append((name, currency, format_money(amount, currency), amount))
    return Table(
        "credit", "Store credit", ("Credit", "Currency", "Value", "Minor units"), tuple(rows)
    )
