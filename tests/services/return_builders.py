"""A return as the shopper portal leaves it, written straight to the store, so the owner's
workflow is tested whatever the portal's policy (windows, reasons) currently says."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlmodel import col, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import OrderLine, ProductVariant, ReturnLine, ReturnRequest, ShopOrder
from shopcare.services.returns.history import log_return_event


def add_variant(
    sessions: SessionFactory, sku: str, *, now: datetime, available: bool = True
) -> None:
    with transaction(sessions) as session:
        session.add(
            ProductVariant(
                sku=sku,
                product_key="mug",
                title="Ceramic mug",
                variant=f"Colour {sku.rsplit('-', 1)[-1].title()}",
                price_minor=1800,
                available=available,
                updated_at=now,
            )
        )


def open_return_rows(
    sessions: SessionFactory,
    order_number: str,
    *,
    now: datetime,
    quantities: Mapping[str, int],
    resolution: str = "refund",
    fee_minor: int = 0,
    exchange: Mapping[str, str] | None = None,
    rma: str = "R-TEST-0001",
    reason: str = "too_small",
) -> int:
    """``quantities`` and ``exchange`` by the order line's SKU; returns the return's id."""
    with transaction(sessions) as session:
        order = session.exec(select(ShopOrder).where(ShopOrder.order_number == order_number)).one()
        lines = {
            line.sku: line
            for line in session.exec(
                select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.id))
            )
        }
        request = ReturnRequest(
            order_id=order.id or 0,
            rma=rma,
            public_token=f"tok-{rma}",
            reason=reason,
            comment="It does not fit",
            created_at=now,
            resolution=resolution,
            fee_minor=fee_minor,
        )
        session.add(request)
        session.flush()
        assert request.id is not None
        for sku, quantity in quantities.items():
            session.add(
                ReturnLine(
                    return_id=request.id,
                    order_line_id=lines[sku].id or 0,
                    quantity=quantity,
                    reason=reason,
                    comment=f"{sku} comment",
                    exchange_sku=(exchange or {}).get(sku, ""),
                )
            )
        log_return_event(session, request.id, actor="shopper", action="requested", now=now)
        return request.id
