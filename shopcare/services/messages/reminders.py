"""Queues the review and reorder reminders that are due (a scheduled job), and the store
credit expiry reminders (``credit_reminders``).

They are not queued at delivery with a fixed delay like the feedback request: the delay
depends on each line's product tags, and a return or a low score in the weeks after the
delivery must stop them. So the job looks, each pass, at the deliveries whose reminders can
be due now, and queues one message per order for the lines due (``domain.reminders``).
The outbox does the rest as for every message: unsubscribes, quiet hours, the hourly cap.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import (
    Customer,
    Feedback,
    OrderLine,
    OutboxMessage,
    ReturnLine,
    ReturnRequest,
    Shipment,
    ShipmentLine,
    ShopOrder,
)
from shopcare.domain.messages import MessageKind
from shopcare.domain.reminders import (
    REMINDER_KINDS,
    ReminderLine,
    delivery_window,
    due_reminders,
    lines_occurrence,
    reminded_lines,
)
from shopcare.domain.returns import ReturnStatus
from shopcare.domain.status import ShipmentStatus
from shopcare.domain.utc import as_utc
from shopcare.services.messages.credit_reminders import queue_credit_reminders
from shopcare.services.messages.outbox import existing_keys, message_rows, whatsapp_recipient
from shopcare.services.messages.rules import MessageRules, load_rules
from shopcare.services.shop.profile import load_profile

_Row = TypeVar("_Row", ShopOrder, Customer)
CHUNK = 500
"""Orders looked at per query (SQLite's bound parameters)."""


def queue_due_reminders(sessions: SessionFactory, *, now: datetime) -> int:
    """Queue the reminders due at ``now``; the number of messages queued. Cheap when the
    reminders are off (two settings reads), as they are by default."""
    queued = 0
    with transaction(sessions) as session:
        rules = load_rules(session)
        for kind in REMINDER_KINDS:
            if rules.rule(kind).enabled:
                queued += _queue_kind(session, kind, rules=rules, now=now)
        queued += queue_credit_reminders(session, now=now)
    return queued


def _queue_kind(session: Session, kind: MessageKind, *, rules: MessageRules, now: datetime) -> int:
    tag_days = rules.reminder_tags.get(kind.value, {})
    default = timedelta(minutes=rules.rule(kind).delay_minutes)
    earliest, latest = delivery_window(tag_days=tag_days, default=default, now=now)
    parcels = session.execute(
        sa.select(Shipment.id, Shipment.order_id, Shipment.delivered_at)
        .join(ShopOrder, col(ShopOrder.id) == col(Shipment.order_id))
        .where(
            col(Shipment.status) == ShipmentStatus.DELIVERED,
            col(Shipment.delivered_at) >= earliest,
            col(Shipment.delivered_at) <= latest,
            col(Shipment.return_id).is_(None),
            col(Shipment.silent).is_(False),
            col(ShopOrder.cancelled_at).is_(None),
        )
    ).all()
    by_order: dict[int, dict[int, datetime]] = {}
    for shipment_id, order_id, delivered_at in parcels:
        by_order.setdefault(order_id, {})[shipment_id] = as_utc(delivered_at)
    queued = 0
    order_ids = sorted(by_order)
    for start in range(0, len(order_ids), CHUNK):
        chunk = order_ids[start : start + CHUNK]
        parcels_of = {o: by_order[o] for o in chunk}
        lines = _reminder_lines(session, parcels_of)
        keys = existing_keys(session, chunk)
        reminded = reminded_lines(keys, kind) | _queued_at_delivery(lines, parcels_of, keys, kind)
        due = due_reminders(lines, tag_days=tag_days, default=default, now=now, reminded=reminded)
        rows = _rows(session, kind, due, rules=rules, now=now, known=keys)
        if rows:
            session.execute(sa.insert(OutboxMessage), rows)
        queued += len(rows)
    return queued


def _queued_at_delivery(
    lines: list[ReminderLine],
    parcels: dict[int, dict[int, datetime]],
    keys: set[str],
    kind: MessageKind,
) -> set[int]:
    """Lines of orders whose reminder was queued the old way, once per parcel at its
    delivery (``shipment:<id>:<kind>``): they had theirs."""
    done = {
        order_id
        for order_id, delivered in parcels.items()
        if any(f"shipment:{sid}:{kind}" in keys for sid in delivered)
    }
    return {line.line_id for line in lines if line.order_id in done}


def _reminder_lines(
    session: Session, parcels: dict[int, dict[int, datetime]]
) -> list[ReminderLine]:
    """The delivered lines of these orders: a line's parcel when the source said which, else
    the order's first delivered parcel."""
    order_ids = list(parcels)
    in_parcel = dict(
        session.execute(
            sa.select(ShipmentLine.order_line_id, ShipmentLine.shipment_id)
            .join(Shipment, col(Shipment.id) == col(ShipmentLine.shipment_id))
            .where(col(Shipment.order_id).in_(order_ids), col(Shipment.return_id).is_(None))
        ).all()
    )
    returned = set(
        session.scalars(
            sa.select(ReturnLine.order_line_id)
            .join(ReturnRequest, col(ReturnRequest.id) == col(ReturnLine.return_id))
            .where(
                col(ReturnRequest.order_id).in_(order_ids),
                col(ReturnRequest.status) != ReturnStatus.REJECTED,
            )
        ).all()
    )
    scores = dict(
        session.execute(
            sa.select(Feedback.order_id, Feedback.score).where(
                col(Feedback.order_id).in_(order_ids), col(Feedback.score).is_not(None)
            )
        ).all()
    )
    found = []
    for line_id, order_id, tags in session.execute(
        sa.select(OrderLine.id, OrderLine.order_id, OrderLine.tags).where(
            col(OrderLine.order_id).in_(order_ids)
        )
    ).all():
        delivered = parcels[order_id]
        parcel = in_parcel.get(line_id)
        at = delivered.get(parcel) if parcel is not None else min(delivered.values())
        if at is None:  # its own parcel is not delivered (or not in the window)
            continue
        found.append(
            ReminderLine(
                line_id=line_id,
                order_id=order_id,
                delivered_at=at,
                tags=tags,
                returned=line_id in returned,
                score=scores.get(order_id),
            )
        )
    return found


def _rows(
    session: Session,
    kind: MessageKind,
    due: dict[int, list[int]],
    *,
    rules: MessageRules,
    now: datetime,
    known: set[str],
) -> list[dict[str, Any]]:
    if not due:
        return []
    orders = _by_id(session, ShopOrder, list(due))
    customers = _by_id(session, Customer, [o.customer_id for o in orders.values()])
    profile = load_profile(session)
    rows = []
    for order_id, line_ids in sorted(due.items()):
        order = orders[order_id]
        customer = customers.get(order.customer_id)
        for row in message_rows(
            kind,
            order=order,
            phone=customer.phone if customer else "",
            rules=rules,
            now=now,
            occurrence=lines_occurrence(line_ids),
            whatsapp=whatsapp_recipient(customer, kind, rules, profile),
        ):
            if row["idempotency_key"] not in known:
                row["next_attempt_at"] = now  # the delay was the wait for it to be due
                rows.append(row)
    return rows


def _by_id(session: Session, table: type[_Row], ids: Sequence[int]) -> dict[int, _Row]:
    found = session.scalars(sa.select(table).where(col(table.id).in_(list(set(ids))))).all()
    return {row.id: row for row in found if row.id is not None}
