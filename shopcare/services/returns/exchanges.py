"""Exchanges: the variants a shopper wants instead become a new order, total 0, for the same
shopper, made by ``orders.create_order`` like any other order (confirmation email included),
so it ships, is tracked and messaged as usual.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, cast

from sqlmodel import Session, col, select

from shopcare.db.models import (
    Customer,
    OrderLine,
    ProductVariant,
    ReturnLine,
    ReturnRequest,
    ShopOrder,
)
from shopcare.services.errors import InputError
from shopcare.services.intake.by_hand import LineIn, OrderIn, create_order

SOURCE = "exchange"


def create_exchange_order(
    session: Session,
    request: ReturnRequest,
    *,
    now: datetime,
    carriers: Sequence[str] = (),
) -> ShopOrder:
    """In the caller's transaction: the order and its confirmation commit with the step that
    settles the return, or not at all."""
    original = session.get(ShopOrder, request.order_id)
    assert original is not None and request.id is not None
    wanted = exchange_lines(session, request.id)
    if not wanted:
        raise InputError(
            "no received item has a variant to exchange it for; refund or credit it instead"
        )
    customer = session.get(Customer, original.customer_id)
    order = create_order(
        _lend(session),
        OrderIn(
            order_number=_free_number(session, original.order_number),
            email=original.email,
            placed_at=now,
            lines=[LineIn(title=v.title or v.sku, quantity=q, sku=v.sku) for v, q in wanted],
            customer_name=original.ship_name or (customer.name if customer else ""),
            currency=original.currency,
            ship_address1=original.ship_address1,
            ship_city=original.ship_city,
            ship_postcode=original.ship_postcode,
            ship_country=original.ship_country,
            locale=customer.locale if customer else "en",
            source=SOURCE,
        ),
        now=now,
        carriers=carriers,
    )
    _describe_lines(session, order, [v for v, _ in wanted])
    request.exchange_order_id = order.id
    session.add(request)
    return order


def exchange_lines(session: Session, return_id: int) -> list[tuple[ProductVariant, int]]:
    """The variants to send and how many: one per unit received of each line that names an
    exchange variant. An unknown variant stops the exchange (the shop no longer sells it)."""
    lines = session.exec(
        select(ReturnLine).where(ReturnLine.return_id == return_id).order_by(col(ReturnLine.id))
    ).all()
    wanted = []
    for line in lines:
        quantity = line.quantity if line.received_quantity is None else line.received_quantity
        if not line.exchange_sku or quantity <= 0:
            continue
        variant = session.exec(
            select(ProductVariant).where(ProductVariant.sku == line.exchange_sku)
        ).first()
        if variant is None:
            raise InputError(f"the shop has no variant {line.exchange_sku!r} to send any more")
        wanted.append((variant, quantity))
    return wanted


def _describe_lines(session: Session, order: ShopOrder, variants: list[ProductVariant]) -> None:
    """``LineIn`` carries no variant words or picture; add them from the variant rows."""
    lines = session.exec(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.id))
    ).all()
    for line, variant in zip(lines, variants, strict=True):
        line.variant = variant.variant
        line.product_key = variant.product_key
        line.image_url = variant.image_url
        session.add(line)


def _free_number(session: Session, original: str) -> str:
    """1042-EX1, or 1042-EX2 when the order was exchanged before."""
    n = 1
    while session.exec(
        select(ShopOrder.id).where(ShopOrder.order_number == f"{original}-EX{n}")
    ).first():
        n += 1
    return f"{original}-EX{n}"


class _Borrowed:
    """The caller's session, lent to a service that opens its own transaction: its commit
    only flushes and its close does nothing, so the lender commits or rolls back everything
    at once. (Remove once ``orders`` offers an order writer that takes a session.)"""

    def __init__(self, session: Session) -> None:
        self._session = session

    def __enter__(self) -> _Borrowed:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def commit(self) -> None:
        self._session.flush()

    def rollback(self) -> None:
        """The lender's transaction rolls back when the error reaches it."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def _lend(session: Session) -> Any:
    borrowed = cast(Session, _Borrowed(session))
    return lambda: borrowed
