"""The shop's variants as ShopCare learns them from orders and imports: what an exchange can
offer (the other available variants of the same product)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import OrderLine, ProductVariant


@dataclass(frozen=True)
class VariantIn:
    sku: str
    product_key: str
    title: str = ""
    variant: str = ""
    price_minor: int = 0
    image_url: str = ""
    available: bool = True


def record_order_lines(session: Session, lines: Iterable[OrderLine], *, now: datetime) -> None:
    """In the caller's transaction: each line with a SKU names a variant the shop sells.
    Availability is left as it was: an order says nothing about stock."""
    for line in lines:
        if not line.sku.strip():
            continue
        _upsert(
            session,
            VariantIn(
                sku=line.sku.strip(),
                product_key=line.product_key,
                title=line.title,
                variant=line.variant,
                price_minor=line.unit_price_minor,
                image_url=line.image_url,
            ),
            now=now,
            keep_availability=True,
        )


def save_variants(
    sessions: SessionFactory, variants: Iterable[VariantIn], *, now: datetime
) -> None:
    """From an import or the demo: the catalogue's word, availability included."""
    with transaction(sessions) as session:
        for variant in variants:
            _upsert(session, variant, now=now, keep_availability=False)


def exchange_variants(session: Session, line: OrderLine) -> list[ProductVariant]:
    """The other variants of the line's product that can be sent; none without a product."""
    key = line.product_key.strip()
    if not key:
        found = session.exec(select(ProductVariant).where(ProductVariant.sku == line.sku)).first()
        key = found.product_key if found else ""
    if not key:
        return []
    return list(
        session.exec(
            select(ProductVariant)
            .where(
                ProductVariant.product_key == key,
                ProductVariant.sku != line.sku,
                col(ProductVariant.available).is_(True),
            )
            .order_by(col(ProductVariant.variant), col(ProductVariant.sku))
        ).all()
    )


def exchange_options(
    session: Session, lines: Sequence[OrderLine]
) -> dict[int, list[ProductVariant]]:
    return {line.id: exchange_variants(session, line) for line in lines if line.id is not None}


def _upsert(session: Session, v: VariantIn, *, now: datetime, keep_availability: bool) -> None:
    row = session.exec(select(ProductVariant).where(ProductVariant.sku == v.sku)).first()
    if row is None:
        row = ProductVariant(sku=v.sku, updated_at=now, available=v.available)
    elif not keep_availability:
        row.available = v.available
    row.product_key = v.product_key or row.product_key
    row.title = v.title or row.title
    row.variant = v.variant or row.variant
    row.price_minor = v.price_minor or row.price_minor
    row.image_url = v.image_url or row.image_url
    row.updated_at = now
    session.add(row)
    session.flush()
