"""Incoming orders as the plain rows the writer stores, and the bulk statements for the
parts of an order that other orders share (customers, the product catalogue)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session

from shopcare.db.models import Customer, OutboxMessage, ProductVariant, ShopOrder
from shopcare.domain.intake import (
    LineIn,
    Mode,
    OrderIn,
    ShipmentIn,
    confirmation_due,
    email_problem,
    normalise_tracking_number,
)
from shopcare.domain.messages import MessageKind
from shopcare.domain.tokens import public_token
from shopcare.services.messages.outbox import message_language, message_rows, whatsapp_address
from shopcare.services.messages.rules import load_rules
from shopcare.services.shop.profile import load_profile

_CUSTOMER = Customer.__table__  # type: ignore[attr-defined]
_VARIANT = ProductVariant.__table__  # type: ignore[attr-defined]
_CHUNK = 500


def cut(text: str, size: int) -> str:
    """Stripped and cut to the column's size: a platform's 300-character city must not fail
    a whole batch on PostgreSQL."""
    return text.strip()[:size]


def stored_row(stored: dict[str, dict[str, Any]], order_in: OrderIn) -> dict[str, Any] | None:
    """The stored order this one is: by the platform's id first, else by its number."""
    if order_in.external_id:
        found = stored.get(f"#x:{order_in.source}:{order_in.external_id}")
        if found is not None:
            return found
    return stored.get(f"#n:{order_in.order_number.strip()}")


def belongs_elsewhere(row: dict[str, Any], order_in: OrderIn) -> bool:
    """Same number, but the stored order is another platform order (another id)."""
    return bool(
        row["external_id"]
        and order_in.external_id
        and (row["external_id"], row["source"]) != (order_in.external_id, order_in.source)
    )


def usable_email(order_in: OrderIn) -> str:
    """The address messages go to, or "" when none can reach the shopper."""
    return "" if email_problem(order_in.email) else order_in.email.strip().lower()


def email_warning(order_in: OrderIn) -> str:
    problem = email_problem(order_in.email)
    return f"{problem}: no message can reach this shopper" if problem else ""


def tracking_key(shipment_in: ShipmentIn) -> str:
    return normalise_tracking_number(shipment_in.tracking_number)[:64]


def lines_total(order_in: OrderIn) -> int:
    if order_in.total_minor is not None:
        return order_in.total_minor
    return sum(li.quantity * li.unit_price_minor for li in order_in.lines)


def address_values(order_in: OrderIn) -> dict[str, str]:
    """The order's shipping address columns; also what an update compares."""
    country = order_in.ship_country.strip().upper()
    return {
        "ship_name": cut(order_in.ship_name or order_in.customer_name, 200),
        "ship_address1": cut(order_in.ship_address1, 200),
        "ship_address2": cut(order_in.ship_address2, 200),
        "ship_city": cut(order_in.ship_city, 100),
        "ship_region": cut(order_in.ship_region, 100),
        "ship_postcode": cut(order_in.ship_postcode, 20),
        "ship_country": country if len(country) == 2 and country.isalpha() else "",
        "ship_phone": cut(order_in.ship_phone, 32),
    }


def new_order_row(order_in: OrderIn, *, customer_id: int, now: datetime) -> dict[str, Any]:
    return {
        "order_number": order_in.order_number.strip(),
        "customer_id": customer_id,
        "email": usable_email(order_in),
        "email_problem": cut(email_problem(order_in.email), 200),
        "placed_at": order_in.placed_at,
        "currency": order_in.currency.strip().upper(),
        "total_minor": lines_total(order_in),
        **address_values(order_in),
        "source": cut(order_in.source, 32),
        "external_id": cut(order_in.external_id, 64),
        "public_token": public_token(),
        "created_at": now,
        "cancelled_at": order_in.cancelled_at,
        "source_updated_at": order_in.updated_at,
        "updated_at": None,
    }


def line_row(line: LineIn, *, order_id: int) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "sku": cut(line.sku, 100),
        "title": cut(line.title, 300),
        "quantity": line.quantity,
        "unit_price_minor": line.unit_price_minor,
        "variant": cut(line.variant, 200),
        "product_key": cut(line.product_key, 100),
        "tags": cut(line.tags, 500),
        "image_url": cut(line.image_url, 500),
        "external_id": cut(line.external_id, 64),
    }


def customers_for(session: Session, orders: Sequence[OrderIn], *, now: datetime) -> list[int]:
    """The customer of each order: one per email address (found or made), and one of its
    own for each order no email can reach."""
    emails = [usable_email(o) for o in orders]
    known = customers_by_email(session, sorted({e for e in emails if e}))
    first: dict[str, OrderIn] = {}
    for order_in, email in zip(orders, emails, strict=True):
        if email and email not in known:
            first.setdefault(email, order_in)
    if first:
        made = insert_customers(session, list(first.values()), list(first), now=now)
        known.update(zip(first, made, strict=True))
    no_email = [o for o, e in zip(orders, emails, strict=True) if not e]
    own = iter(insert_customers(session, no_email, [None] * len(no_email), now=now))
    ids = [known[e] if e else next(own) for e in emails]
    record_consents(session, orders, ids, now=now)
    return ids


def record_consents(
    session: Session, orders: Sequence[OrderIn], ids: Sequence[int], *, now: datetime
) -> None:
    """A WhatsApp opt-in that comes with an order is recorded on its shopper, dated the
    first time; an order without one withdraws nothing (only the shopper does)."""
    agreed = sorted({cid for o, cid in zip(orders, ids, strict=True) if o.whatsapp_consent})
    for i in range(0, len(agreed), _CHUNK):
        session.execute(
            sa.update(_CUSTOMER)
            .where(_CUSTOMER.c.id.in_(agreed[i : i + _CHUNK]))
            .where(_CUSTOMER.c.whatsapp_consent_at.is_(None))
            .values(whatsapp_consent_at=now)
        )


def customers_by_email(session: Session, emails: Sequence[str]) -> dict[str, int]:
    known: dict[str, int] = {}
    for i in range(0, len(emails), _CHUNK):
        query = sa.select(_CUSTOMER.c.email, _CUSTOMER.c.id).where(
            _CUSTOMER.c.email.in_(emails[i : i + _CHUNK])
        )
        known.update({email: cid for email, cid in session.execute(query)})
    return known


def insert_customers(
    session: Session, orders: Sequence[OrderIn], emails: Sequence[str | None], *, now: datetime
) -> list[int]:
    if not orders:
        return []
    values = [
        {
            "email": email,
            "name": cut(o.customer_name or o.ship_name, 200),
            "locale": cut(o.locale or "en", 16),
            "phone": cut(o.phone or o.ship_phone, 32),
            "unsubscribe_token": public_token(),
            "created_at": now,
        }
        for o, email in zip(orders, emails, strict=True)
    ]
    result = session.execute(
        sa.insert(_CUSTOMER).returning(_CUSTOMER.c.id, _CUSTOMER.c.unsubscribe_token), values
    )
    ids = {token: made for made, token in result}  # matched by token: see writer
    return [ids[v["unsubscribe_token"]] for v in values]


def record_variants(session: Session, lines: Sequence[LineIn], *, now: datetime) -> None:
    """Each line with a SKU names a variant the shop sells (for exchanges); availability is
    left as it was, since an order says nothing about stock. Only what changed is written."""
    wanted: dict[str, dict[str, Any]] = {}
    for li in lines:
        sku = cut(li.sku, 100)
        if sku:
            wanted[sku] = {
                "product_key": cut(li.product_key, 100),
                "title": cut(li.title, 300),
                "variant": cut(li.variant, 200),
                "price_minor": li.unit_price_minor,
                "image_url": cut(li.image_url, 500),
            }
    if not wanted:
        return
    skus = sorted(wanted)
    stored: dict[str, dict[str, Any]] = {}
    for i in range(0, len(skus), _CHUNK):
        query = sa.select(_VARIANT).where(_VARIANT.c.sku.in_(skus[i : i + _CHUNK]))
        stored.update({row["sku"]: dict(row) for row in session.execute(query).mappings()})
    inserts, updates = [], []
    for sku, values in wanted.items():
        row = stored.get(sku)
        if row is None:
            inserts.append({"sku": sku, "available": True, "updated_at": now, **values})
            continue
        merged = {k: v or row[k] for k, v in values.items()}
        if any(row[k] != v for k, v in merged.items()):
            updates.append({"b_id": row["id"], "updated_at": now, **merged})
    if inserts:
        session.execute(sa.insert(_VARIANT), inserts)
    if updates:
        statement = sa.update(_VARIANT).where(_VARIANT.c.id == sa.bindparam("b_id"))
        session.connection().execute(statement, updates)


def queue_confirmations(
    session: Session,
    orders: Sequence[OrderIn],
    order_rows: Sequence[dict[str, Any]],
    order_ids: Sequence[int],
    *,
    now: datetime,
    mode: Mode,
) -> None:
    """The confirmation of each new order that calls for one, in the same transaction."""
    due = [
        (o, row, order_id)
        for o, row, order_id in zip(orders, order_rows, order_ids, strict=True)
        if confirmation_due(o, mode=mode, now=now)
    ]
    if not due:
        return
    rules, profile = load_rules(session), load_profile(session)
    messages = []
    for o, row, order_id in due:
        order = SimpleNamespace(id=order_id, email=row["email"], customer_id=row["customer_id"])
        messages += message_rows(
            MessageKind.ORDER_CONFIRMED,
            order=cast(ShopOrder, order),
            phone=cut(o.phone or o.ship_phone, 32),
            whatsapp=whatsapp_address(
                cut(o.phone or o.ship_phone, 32),
                agreed=o.whatsapp_consent,
                locale=message_language(o.locale, profile),
                kind=MessageKind.ORDER_CONFIRMED,
                rules=rules,
            ),
            rules=rules,
            now=now,
        )
    if messages:
        session.execute(sa.insert(OutboxMessage.__table__), messages)  # type: ignore[attr-defined]
