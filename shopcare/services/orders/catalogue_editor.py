"""The owner's catalogue editor: the products and variants ShopCare learnt from orders and
imports (``orders.catalog``), listed for the owner to add to, price and hide. An exchange
offers only what is shown here as available, at the price here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import ProductVariant
from shopcare.services.errors import InputError
from shopcare.services.orders.catalog import VariantIn, save_variants

MAX_ROWS = 500


@dataclass(frozen=True)
class CatalogueRow:
    sku: str
    product_key: str
    title: str
    variant: str
    price_minor: int
    available: bool


def catalogue_rows(sessions: SessionFactory, *, limit: int = MAX_ROWS) -> list[CatalogueRow]:
    """By title, then variant: the way a shopper would look for them."""
    with sessions() as session:
        rows = session.exec(
            select(ProductVariant)
            .order_by(
                col(ProductVariant.title), col(ProductVariant.variant), col(ProductVariant.sku)
            )
            .limit(limit)
        ).all()
    return [
        CatalogueRow(r.sku, r.product_key, r.title, r.variant, r.price_minor, r.available)
        for r in rows
    ]


def add_product(
    sessions: SessionFactory,
    *,
    sku: str,
    title: str,
    price_minor: int,
    now: datetime,
    variant: str = "",
    product_key: str = "",
) -> None:
    """A product the orders have not shown yet; its SKU must be new. Without a product key
    the SKU is its own product (no other variants)."""
    sku, title = sku.strip(), title.strip()
    if not sku or not title:
        raise InputError("a product needs a SKU and a title")
    if price_minor <= 0:
        raise InputError("a product needs a price above 0")
    with sessions() as session:
        if session.exec(select(ProductVariant.id).where(ProductVariant.sku == sku)).first():
            raise InputError(f"the catalogue has {sku} already: change its price or show it")
    save_variants(
        sessions,
        [
            VariantIn(
                sku=sku,
                product_key=product_key.strip() or sku,
                title=title,
                variant=variant.strip(),
                price_minor=price_minor,
            )
        ],
        now=now,
    )


def edit_product(
    sessions: SessionFactory,
    sku: str,
    *,
    now: datetime,
    price_minor: int | None = None,
    available: bool | None = None,
) -> None:
    """Change the price, hide it (an exchange no longer offers it) or show it again."""
    if price_minor is not None and price_minor <= 0:
        raise InputError("the price must be above 0")
    with transaction(sessions) as session:
        row = session.exec(select(ProductVariant).where(ProductVariant.sku == sku)).first()
        if row is None:
            raise InputError(f"the catalogue has no {sku}")
        if price_minor is not None:
            row.price_minor = price_minor
        if available is not None:
            row.available = available
        row.updated_at = now
        session.add(row)
