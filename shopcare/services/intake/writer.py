"""The one order writer every source ends in.

``write_orders`` creates or updates orders with their customer, lines and parcels in the
caller's transaction. It works on batches with plain rows and executemany statements, not
ORM objects: a CSV file or a backfill writes tens of thousands of orders, a webhook one, and
both take the same path. An order seen twice (a webhook and the reconcile after it, a file
imported again) changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import OrderLine, Shipment, ShopOrder
from shopcare.domain.intake import Mode, OrderIn, ShipmentIn, clean_order, order_problems
from shopcare.services.errors import InputError
from shopcare.services.intake import rows
from shopcare.services.intake.cancel import cancel_order, stop_following
from shopcare.services.intake.outcome import Outcome, Written
from shopcare.services.intake.parcels import (
    ParcelIn,
    add_parcels,
    parcel_rows,
    write_parcel_lines,
)
from shopcare.services.intake.updates import update_orders
from shopcare.services.returns.credit_ledger import redeem_order_discounts

__all__ = [
    "Outcome",
    "ParcelIn",
    "Written",
    "add_parcels",
    "cancel_order",
    "write_order",
    "write_orders",
]

_ORDER = ShopOrder.__table__  # type: ignore[attr-defined]
_LINE = OrderLine.__table__  # type: ignore[attr-defined]
_SHIPMENT = Shipment.__table__  # type: ignore[attr-defined]
_CHUNK = 500
"""Keys per IN (…) query: well under SQLite's limit on bound parameters."""


def write_order(
    sessions: SessionFactory,
    order_in: OrderIn,
    *,
    now: datetime,
    carriers: Sequence[str],
    mode: Mode,
) -> Written:
    """One order in its own transaction; InputError says what is wrong with it."""
    with transaction(sessions) as session:
        (written,) = write_orders(session, [order_in], now=now, carriers=carriers, mode=mode)
    if written.outcome is Outcome.REJECTED:
        raise InputError("; ".join(written.problems))
    return written


def write_orders(
    session: Session,
    orders: Sequence[OrderIn],
    *,
    now: datetime,
    carriers: Sequence[str],
    mode: Mode,
) -> list[Written]:
    """Every order in the batch, in the caller's transaction; bad ones come back REJECTED
    with their problems and the rest are written."""
    results: list[Written | None] = [None] * len(orders)
    todo: list[tuple[int, OrderIn]] = []
    cleaned = [clean_order(o) for o in orders]  # what the shopper typed, cleaned
    for i, order_in in enumerate(cleaned):
        problems = order_problems(order_in)
        if problems:
            results[i] = Written(
                order_in.order_number.strip(), None, Outcome.REJECTED, tuple(problems)
            )
        else:
            todo.append((i, order_in))
    while todo:  # an order number twice in one batch: the later copy goes in a later round
        seen: set[str] = set()
        this_round: list[tuple[int, OrderIn]] = []
        later: list[tuple[int, OrderIn]] = []
        for i, order_in in todo:
            number = order_in.order_number.strip()
            (later if number in seen else this_round).append((i, order_in))
            seen.add(number)
        _write_round(session, this_round, results, now=now, carriers=carriers, mode=mode)
        todo = later
    stored = [o for o, r in zip(cleaned, results, strict=True) if r and r.order_id is not None]
    redeem_order_discounts(session, stored, now=now)  # store credit used at the checkout
    return [r for r in results if r is not None]


def _write_round(
    session: Session,
    batch: list[tuple[int, OrderIn]],
    results: list[Written | None],
    *,
    now: datetime,
    carriers: Sequence[str],
    mode: Mode,
) -> None:
    stored = _stored_orders(session, [o for _, o in batch])
    new: list[tuple[int, OrderIn]] = []
    old: list[tuple[int, OrderIn, dict[str, Any]]] = []
    for i, order_in in batch:
        row = rows.stored_row(stored, order_in)
        conflict = row is not None and rows.belongs_elsewhere(row, order_in)
        if conflict:
            results[i] = Written(
                order_in.order_number.strip(),
                None,
                Outcome.REJECTED,
                (f"order number {order_in.order_number.strip()} belongs to another order",),
            )
        elif row is None:
            new.append((i, order_in))
        else:
            old.append((i, order_in, row))
    if new:
        for (i, order_in), order_id in zip(
            new,
            _create(session, [o for _, o in new], now=now, carriers=carriers, mode=mode),
            strict=True,
        ):
            results[i] = _written(order_in, order_id, Outcome.CREATED)
    if old:
        outcomes = update_orders(session, [(o, r) for _, o, r in old], now=now, carriers=carriers)
        for (i, order_in, row), outcome in zip(old, outcomes, strict=True):
            results[i] = _written(order_in, row["id"], outcome)


def _written(order_in: OrderIn, order_id: int | None, outcome: Outcome) -> Written:
    problem = rows.email_warning(order_in)
    return Written(
        order_in.order_number.strip(), order_id, outcome, warnings=(problem,) if problem else ()
    )


def _stored_orders(session: Session, orders: Sequence[OrderIn]) -> dict[str, dict[str, Any]]:
    """Stored orders these may be, under both their keys (platform id and number)."""
    found: dict[str, dict[str, Any]] = {}
    numbers = sorted({o.order_number.strip() for o in orders})
    by_source: dict[str, list[str]] = {}
    for o in orders:
        if o.external_id:
            by_source.setdefault(o.source, []).append(o.external_id)
    queries = [_ORDER.c.order_number.in_(chunk) for chunk in _chunks(numbers)]
    queries += [
        sa.and_(_ORDER.c.source == source, _ORDER.c.external_id.in_(chunk))
        for source, ids in by_source.items()
        for chunk in _chunks(sorted(set(ids)))
    ]
    for where in queries:
        for row in session.execute(sa.select(_ORDER).where(where)).mappings():
            found[f"#n:{row['order_number']}"] = dict(row)
            if row["external_id"]:
                found[f"#x:{row['source']}:{row['external_id']}"] = dict(row)
    return found


def _chunks(values: Sequence[str]) -> list[Sequence[str]]:
    return [values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK)]


def _create(
    session: Session,
    orders: Sequence[OrderIn],
    *,
    now: datetime,
    carriers: Sequence[str],
    mode: Mode,
) -> list[int]:
    customer_ids = rows.customers_for(session, orders, now=now)
    order_rows = [
        rows.new_order_row(o, customer_id=c, now=now)
        for o, c in zip(orders, customer_ids, strict=True)
    ]
    order_ids = _insert_returning(session, _ORDER, order_rows)
    line_rows = [
        rows.line_row(li, order_id=order_id)
        for o, order_id in zip(orders, order_ids, strict=True)
        for li in o.lines
    ]
    needs_line_ids = any(s.line_ids for o in orders for s in o.shipments)
    line_ids = _insert_returning(session, _LINE, line_rows) if needs_line_ids else []
    if not needs_line_ids and line_rows:
        session.execute(sa.insert(_LINE), line_rows)
    rows.record_variants(session, [li for o in orders for li in o.lines], now=now)
    shipments: list[tuple[int, OrderIn, ShipmentIn]] = [
        (order_id, o, s) for o, order_id in zip(orders, order_ids, strict=True) for s in o.shipments
    ]
    if shipments:
        _create_parcels(session, shipments, line_rows, line_ids, now=now, carriers=carriers)
    rows.queue_confirmations(session, orders, order_rows, order_ids, now=now, mode=mode)
    for o, order_id in zip(orders, order_ids, strict=True):
        if o.cancelled_at is not None:
            stop_following(session, order_id, now=now)
    return order_ids


def _create_parcels(
    session: Session,
    shipments: list[tuple[int, OrderIn, ShipmentIn]],
    line_rows: list[dict[str, Any]],
    line_ids: list[int],
    *,
    now: datetime,
    carriers: Sequence[str],
) -> None:
    seen: set[tuple[int, str]] = set()
    unique = []
    for order_id, o, s in shipments:
        key = (order_id, rows.tracking_key(s))
        if key not in seen:
            seen.add(key)
            unique.append((order_id, o, s))
    values = parcel_rows(
        [(order_id, o.placed_at, o.cancelled_at is not None, s) for order_id, o, s in unique],
        now=now,
        carriers=carriers,
    )
    if not any(s.line_ids for _, _, s in unique):
        session.execute(sa.insert(_SHIPMENT), values)
        return
    shipment_ids = _insert_returning(session, _SHIPMENT, values)
    by_external = {
        (row["order_id"], row["external_id"]): line_id
        for row, line_id in zip(line_rows, line_ids, strict=True)
        if row["external_id"]
    }
    write_parcel_lines(
        session,
        [(sid, order_id, s) for sid, (order_id, _, s) in zip(shipment_ids, unique, strict=True)],
        by_external,
    )


def _insert_returning(session: Session, table: sa.Table, values: list[dict[str, Any]]) -> list[int]:
    """Ids of the rows inserted, in the order of ``values``. Rows with a unique token are
    matched to their ids by it, so the insert goes out in multi-row statements (asking the
    database to keep the order costs one statement per row on SQLite)."""
    if not values:
        return []
    token = next((c for c in ("public_token", "unsubscribe_token") if c in table.c), None)
    if token is None:
        result = session.execute(
            sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), values
        )
        return [row[0] for row in result]
    result = session.execute(sa.insert(table).returning(table.c.id, table.c[token]), values)
    ids = {key: made for made, key in result}
    return [ids[v[token]] for v in values]
