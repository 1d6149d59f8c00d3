"""A stored order seen again: what changed is written, nothing else.

Blank values never erase stored ones (a platform may redact the customer's email, a file
may leave a column out); lines are matched by the platform's line id, else by SKU, title
and variant; parcels by their tracking number. Lines are never removed here: a return may
refer to them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from shopcare.db.models import OrderLine, Shipment, ShopOrder
from shopcare.domain.intake import LineIn, OrderIn, email_problem
from shopcare.services.intake import rows
from shopcare.services.intake.cancel import cancel_order, resume_following
from shopcare.services.intake.outcome import Outcome
from shopcare.services.intake.parcels import parcel_rows

_ORDER = ShopOrder.__table__  # type: ignore[attr-defined]
_LINE = OrderLine.__table__  # type: ignore[attr-defined]
_SHIPMENT = Shipment.__table__  # type: ignore[attr-defined]


def update_orders(
    session: Session,
    pairs: Sequence[tuple[OrderIn, dict[str, Any]]],
    *,
    now: datetime,
    carriers: Sequence[str],
) -> list[Outcome]:
    order_ids = [row["id"] for _, row in pairs]
    lines = _by_order(session, _LINE, order_ids)
    parcels = _by_order(session, _SHIPMENT, order_ids)
    new_parcels: list[tuple[int, datetime, bool, Any]] = []
    order_changes: list[dict[str, Any]] = []
    outcomes = []
    for order_in, row in pairs:
        if _stale(order_in, row):
            outcomes.append(Outcome.STALE)
            continue
        changes, changed = _order_changes(session, order_in, row, now=now)
        if changes:
            order_changes.append({"b_id": row["id"], **changes})
        changed |= _merge_lines(session, order_in.lines, lines[row["id"]], order_id=row["id"])
        stored = {p["tracking_number"]: p for p in parcels[row["id"]]}
        for s in order_in.shipments:
            found = stored.get(rows.tracking_key(s))
            if found is None:
                cancelled = row["cancelled_at"] is not None or order_in.cancelled_at is not None
                new_parcels.append((row["id"], row["placed_at"], cancelled, s))
                stored[rows.tracking_key(s)] = {"tracking_url": s.tracking_url}
                changed = True
            elif s.tracking_url and rows.cut(s.tracking_url, 500) != found["tracking_url"]:
                session.execute(
                    sa.update(_SHIPMENT)
                    .where(_SHIPMENT.c.id == found["id"])
                    .values(tracking_url=rows.cut(s.tracking_url, 500))
                )
                changed = True
        changed |= _cancellation(session, order_in, row, now=now)
        outcomes.append(Outcome.UPDATED if changed else Outcome.UNCHANGED)
    _update_in_groups(session, order_changes)
    if new_parcels:
        session.execute(sa.insert(_SHIPMENT), parcel_rows(new_parcels, now=now, carriers=carriers))
    return outcomes


def _update_in_groups(session: Session, changes: list[dict[str, Any]]) -> None:
    """One executemany per set of changed columns: a file that renames 40,000 customers is
    one statement, not 40,000 compiled ones."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for values in changes:
        groups[tuple(sorted(values))].append(values)
    statement = sa.update(_ORDER).where(_ORDER.c.id == sa.bindparam("b_id"))
    for rows_of_group in groups.values():
        session.connection().execute(statement, rows_of_group)


def _by_order(session: Session, table: sa.Table, order_ids: list[int]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = defaultdict(list)
    for i in range(0, len(order_ids), 500):
        query = sa.select(table).where(table.c.order_id.in_(order_ids[i : i + 500]))
        for row in session.execute(query.order_by(table.c.id)).mappings():
            found[row["order_id"]].append(dict(row))
    return found


def _stale(order_in: OrderIn, row: dict[str, Any]) -> bool:
    stored = row["source_updated_at"]
    return bool(order_in.updated_at and stored and order_in.updated_at < stored)


def _order_changes(
    session: Session, order_in: OrderIn, row: dict[str, Any], *, now: datetime
) -> tuple[dict[str, Any], bool]:
    """The order's columns to change, and whether anything the owner would see changed."""
    changes = {k: v for k, v in rows.address_values(order_in).items() if v and v != row[k]}
    email = rows.usable_email(order_in)
    if email and email != row["email"]:
        changes.update(
            email=email, email_problem="", customer_id=_customer(session, order_in, email, now=now)
        )
    elif not email and not row["email"]:
        problem = rows.cut(email_problem(order_in.email), 200)
        if order_in.email.strip() and problem != row["email_problem"]:
            changes["email_problem"] = problem
    currency = order_in.currency.strip().upper()
    if currency != row["currency"]:
        changes["currency"] = currency
    if order_in.total_minor is not None and order_in.total_minor != row["total_minor"]:
        changes["total_minor"] = order_in.total_minor
    if order_in.external_id and not row["external_id"]:
        changes["external_id"] = rows.cut(order_in.external_id, 64)
    meaningful = bool(changes)
    if order_in.updated_at and order_in.updated_at != row["source_updated_at"]:
        changes["source_updated_at"] = order_in.updated_at
    if meaningful:
        changes["updated_at"] = now
    return changes, meaningful


def _customer(session: Session, order_in: OrderIn, email: str, *, now: datetime) -> int:
    known = rows.customers_by_email(session, [email])
    if email in known:
        rows.record_consents(session, [order_in], [known[email]], now=now)
        return known[email]
    (made,) = rows.insert_customers(session, [order_in], [email], now=now)
    rows.record_consents(session, [order_in], [made], now=now)
    return made


def _line_key(external_id: str, sku: str, title: str, variant: str) -> tuple[str, ...]:
    if external_id:
        return ("x", external_id)
    return ("s", sku.strip(), title.strip(), variant.strip())


def _merge_lines(
    session: Session, incoming: Sequence[LineIn], stored: list[dict[str, Any]], *, order_id: int
) -> bool:
    by_key = {_line_key(r["external_id"], r["sku"], r["title"], r["variant"]): r for r in stored}
    by_plain = {_line_key("", r["sku"], r["title"], r["variant"]): r for r in stored}
    changed = False
    for li in incoming:
        values = rows.line_row(li, order_id=order_id)
        key = _line_key(values["external_id"], values["sku"], values["title"], values["variant"])
        row = by_key.get(key) or by_plain.get(_line_key("", li.sku, li.title, li.variant))
        if row is None:
            session.execute(sa.insert(_LINE).values(values))
            changed = True
            continue
        diff = {
            k: v
            for k, v in values.items()
            if k in ("quantity", "unit_price_minor", "external_id", "image_url")
            and v != row[k]
            and (v or k == "unit_price_minor")
        }
        if diff:
            session.execute(sa.update(_LINE).where(_LINE.c.id == row["id"]).values(**diff))
            changed = True
    return changed


def _cancellation(
    session: Session, order_in: OrderIn, row: dict[str, Any], *, now: datetime
) -> bool:
    if order_in.cancelled_at is not None and row["cancelled_at"] is None:
        return cancel_order(session, row["id"], now=now, at=order_in.cancelled_at)
    platform_says_open = order_in.cancelled_at is None and order_in.updated_at is not None
    if platform_says_open and row["cancelled_at"] is not None and not _stale(order_in, row):
        resume_following(session, row["id"], now=now)
        return True
    return False
