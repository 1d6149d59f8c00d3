"""The owner's return offers (a bonus for store credit or an exchange, exchanges for other
products, instant exchanges), kept as their own settings row beside the return policy and
edited on the same admin page; and what they give one return: the figures the shopper
chooses between, the other products an exchange may send, and the credit a settled return
adds to what it gives back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from shopcare.db.engine import SessionFactory
from shopcare.db.models import OrderLine, ProductVariant, ReturnLine, ReturnRequest
from shopcare.domain.return_offers import (
    CatalogueItem,
    ReturnOffers,
    other_product_credit,
    settled_bonus,
)
from shopcare.services.errors import InputError
from shopcare.services.shop.settings_rows import load_group, update_group

OFFERS_KEY = "return_offers"
MAX_WATCH_DAYS = 365


@dataclass(frozen=True)
class ReturnOffersSettings:
    bonus_percent: float = 0.0
    bonus_fixed_minor: int = 0
    bonus_on_exchange: bool = True
    other_products: bool = False
    difference_limit_minor: int = 0
    instant_exchange: bool = False
    instant_min_delivered_orders: int = 0
    watch_days: int = 14

    def offers(self) -> ReturnOffers:
        return ReturnOffers(
            bonus_basis_points=round(self.bonus_percent * 100),
            bonus_fixed_minor=self.bonus_fixed_minor,
            bonus_on_exchange=self.bonus_on_exchange,
            other_products=self.other_products,
            difference_limit_minor=self.difference_limit_minor,
            instant_exchange=self.instant_exchange,
            instant_min_delivered_orders=self.instant_min_delivered_orders,
            watch_days=self.watch_days,
        )


def load_offers(session: Session) -> ReturnOffers:
    return load_group(session, OFFERS_KEY, ReturnOffersSettings).offers()


def get_offers_settings(sessions: SessionFactory) -> ReturnOffersSettings:
    with sessions() as session:
        return load_group(session, OFFERS_KEY, ReturnOffersSettings)


def update_offers(sessions: SessionFactory, **changes: Any) -> ReturnOffersSettings:
    """Raises InputError, saying what to fix, before anything is written."""
    return update_group(sessions, OFFERS_KEY, ReturnOffersSettings, changes, check=check_offers)


def check_offers(s: ReturnOffersSettings) -> None:
    if not 0 <= s.bonus_percent <= 100:
        raise InputError("the bonus must be between 0 and 100 %")
    for name, what in (
        ("bonus_fixed_minor", "the fixed bonus"),
        ("difference_limit_minor", "the price difference limit"),
        ("instant_min_delivered_orders", "the delivered orders for an instant exchange"),
    ):
        value = getattr(s, name)
        if not isinstance(value, int) or value < 0:
            raise InputError(f"{what} must be a whole number, 0 or more")
    if not isinstance(s.watch_days, int) or not 1 <= s.watch_days <= MAX_WATCH_DAYS:
        raise InputError(f"the days to wait for the return parcel must be 1 to {MAX_WATCH_DAYS}")


@dataclass(frozen=True)
class ProductChoice:
    """Another product an exchange can send instead of one order line."""

    sku: str
    title: str
    variant: str
    price_minor: int
    credit_minor: int
    """Per unit, given back as store credit."""


def other_products(session: Session, lines: Sequence[OrderLine]) -> dict[int, list[ProductChoice]]:
    """Per order line, the shop's other available products it may be exchanged for (none
    unless the owner offers them); cheapest difference first."""
    offers = load_offers(session)
    if not offers.other_products:
        return {line.id: [] for line in lines if line.id is not None}
    catalogue = session.exec(
        select(ProductVariant)
        .where(col(ProductVariant.available).is_(True), col(ProductVariant.price_minor) > 0)
        .order_by(col(ProductVariant.title), col(ProductVariant.variant), col(ProductVariant.sku))
    ).all()
    keys = _product_keys(session, lines)
    found: dict[int, list[ProductChoice]] = {}
    for line in lines:
        if line.id is None:
            continue
        returned = CatalogueItem(line.sku, keys.get(line.id, ""), line.unit_price_minor)
        choices = []
        for v in catalogue:
            wanted = CatalogueItem(v.sku, v.product_key, v.price_minor)
            credit = other_product_credit(offers, returned=returned, wanted=wanted)
            if credit is not None:
                choices.append(ProductChoice(v.sku, v.title, v.variant, v.price_minor, credit))
        found[line.id] = sorted(choices, key=lambda c: c.credit_minor)
    return found


def _product_keys(session: Session, lines: Sequence[OrderLine]) -> dict[int, str]:
    """A line's product, from the line or else from its SKU's variant row."""
    keys = {}
    for line in lines:
        key = line.product_key.strip()
        if not key and line.sku:
            row = session.exec(select(ProductVariant).where(ProductVariant.sku == line.sku)).first()
            key = row.product_key if row else ""
        keys[line.id or 0] = key
    return keys


def extra_credit(session: Session, request: ReturnRequest, *, exchange: bool) -> int:
    """What a settled return adds as store credit: the bonus the shopper was shown, in
    proportion to what came back, and with an ``exchange`` the price differences of cheaper
    products for the units received (a credit instead of the exchange already gives back
    the whole value)."""
    rows = session.exec(
        select(ReturnLine, OrderLine)
        .join(OrderLine, col(OrderLine.id) == col(ReturnLine.order_line_id))
        .where(ReturnLine.return_id == request.id)
    ).all()
    requested = sum(rl.quantity * ol.unit_price_minor for rl, ol in rows)
    kept = sum(_received(rl) * ol.unit_price_minor for rl, ol in rows)
    bonus = settled_bonus(request.bonus_minor, requested_minor=requested, kept_minor=kept)
    if not exchange:
        return bonus
    return bonus + sum(_received(rl) * rl.exchange_credit_minor for rl, _ in rows)


def _received(line: ReturnLine) -> int:
    return line.quantity if line.received_quantity is None else line.received_quantity
