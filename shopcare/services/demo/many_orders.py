"""A store with many orders, for measuring and testing the admin at size (``bench/admin.py``
fills 100,000; the list tests a few thousand): customers, orders with lines, parcels in every
status with their scans, messages (some failed) and returns, written with bulk inserts in a
few seconds, the same for the same ``seed``."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from shopcare.db.engine import SessionFactory, follow_given_ids, transaction
from shopcare.db.models import (
    Customer,
    OrderLine,
    OutboxMessage,
    ReturnRequest,
    Shipment,
    ShopOrder,
    TrackingEvent,
)
from shopcare.domain.status import ShipmentStatus

FIRST = ("Anna", "Ben", "Chloé", "David", "Emma", "Farid", "Greta", "Hugo", "Ines", "Jonas")
LAST = ("Schmidt", "Müller", "Dubois", "García", "Rossi", "Jansen", "Nowak", "Berg", "Weber")
CARRIERS = ("dhl", "ups", "fedex", "usps")
CHUNK = 5_000


@dataclass(frozen=True)
class ManyOrders:
    orders: int
    busy_order_id: int
    """An order whose parcel has ``busy_events`` scans (the order page at its heaviest)."""


def seed_many_orders(
    sessions: SessionFactory,
    count: int,
    *,
    now: datetime,
    seed: int = 7,
    busy_events: int = 50,
) -> ManyOrders:
    """``count`` orders over the last year, newest at ``now``: 90 % shipped, 5 % delayed,
    2 % exceptions, 3 % with a return, 1 % with a failed message. Ids are the order's number
    for its customer and parcel too, so the store must be empty."""
    rng = random.Random(seed)  # noqa: S311 - made-up data, the same for the same seed
    start = now - timedelta(days=365)
    statuses = [s.value for s in ShipmentStatus]
    with transaction(sessions) as session:
        if session.execute(sa.select(ShopOrder.id).limit(1)).first() is not None:
            raise ValueError("seed_many_orders fills an empty store")
        first_id = 1
        for base in range(0, count, CHUNK):
            ids = range(first_id + base, first_id + min(base + CHUNK, count))
            rows: dict[type, list[dict[str, Any]]] = {
                t: []
                for t in (
                    Customer, ShopOrder, OrderLine, Shipment, TrackingEvent, OutboxMessage,
                    ReturnRequest,
                )
            }  # fmt: skip
            customers, orders, lines = rows[Customer], rows[ShopOrder], rows[OrderLine]
            parcels, scans, returns = rows[Shipment], rows[TrackingEvent], rows[ReturnRequest]
            messages = rows[OutboxMessage]
            for n in ids:
                placed = start + timedelta(seconds=365 * 86400 * (n - first_id) / max(count, 1))
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                email = f"{name.split()[0].lower()}.{n}@example.com"
                customers.append(
                    {"id": n, "email": email, "name": name, "locale": "en", "created_at": placed}
                )
                orders.append(_order(n, email, name, placed))
                lines.append(
                    {"order_id": n, "title": "Ceramic mug", "quantity": 1, "sku": "MUG",
                     "unit_price_minor": 1900}
                )  # fmt: skip
                roll = rng.random()
                if roll < 0.90:
                    status = "exception" if roll < 0.02 else rng.choice(statuses[1:])
                    delayed = 0.02 <= roll < 0.07
                    parcels.append(_parcel(n, rng.choice(CARRIERS), status, placed, delayed))
                    scans.append(_scan(n, 1, status, placed))
                if rng.random() < 0.03:
                    returns.append(_return(n, placed))
                messages.append(_message(n, email, placed, failed=rng.random() < 0.01))
            for table, table_rows in rows.items():  # in the order foreign keys need
                if table_rows:
                    session.execute(sa.insert(table), table_rows)
            follow_given_ids(session, rows)
        busy = first_id + count - 1
        session.execute(sa.delete(TrackingEvent).where(TrackingEvent.shipment_id == busy))
        session.execute(
            sa.insert(TrackingEvent),
            [_scan(busy, k, "in_transit", now - timedelta(hours=busy_events - k))
             for k in range(busy_events)],
        )  # fmt: skip
    return ManyOrders(count, busy)


def _order(n: int, email: str, name: str, placed: datetime) -> dict[str, Any]:
    return {
        "id": n, "order_number": f"B{n:07d}", "customer_id": n, "email": email,
        "placed_at": placed, "ship_name": name, "ship_postcode": "10115", "ship_country": "DE",
        "source": "bench", "public_token": f"bench-order-{n:010d}", "created_at": placed,
        "currency": "EUR", "total_minor": 1900,
    }  # fmt: skip


def _parcel(n: int, carrier: str, status: str, placed: datetime, delayed: bool) -> dict[str, Any]:
    """One parcel per shipped order, with the order's id as its own (the scans use it)."""
    return {
        "id": n, "order_id": n, "carrier": carrier, "tracking_number": f"1Z{n:016d}",
        "status": status, "shipped_at": placed + timedelta(days=1), "created_at": placed,
        "delayed": delayed,
        "next_poll_at": None if status == "delivered" else placed + timedelta(days=2),
    }  # fmt: skip


def _scan(n: int, k: int, status: str, at: datetime) -> dict[str, Any]:
    return {
        "shipment_id": n, "event_key": f"e{k}", "occurred_at": at, "status": status,
        "description": "Arrived at the sorting centre", "location": "Leipzig, DE",
        "recorded_at": at,
    }  # fmt: skip


def _message(n: int, email: str, placed: datetime, *, failed: bool) -> dict[str, Any]:
    return {
        "idempotency_key": f"bench:{n}", "kind": "order_confirmed", "order_id": n,
        "recipient": email, "status": "failed" if failed else "sent",
        "next_attempt_at": placed, "created_at": placed, "sent_at": None if failed else placed,
        "last_error": "mail server refused the recipient (550)" if failed else "",
        "subject": f"Your order B{n:07d} is confirmed",
    }  # fmt: skip


def _return(n: int, placed: datetime) -> dict[str, Any]:
    return {
        "order_id": n, "rma": f"R-{n:07d}", "public_token": f"bench-return-{n:010d}",
        "status": "requested", "reason": "too_small", "created_at": placed + timedelta(days=5),
    }  # fmt: skip
