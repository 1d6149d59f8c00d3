"""Queues the reminder that a store credit expires soon (part of the reminders job).

Off until the owner chooses a number of days (``CreditSettings.reminder_days``). Each pass
looks at the credits with money left whose date falls within those days and queues one
message per credit, about the credit's return (its code, balance and date in the message).
The idempotency key names the credit, so it is reminded once however often the job runs;
the outbox does the rest as for every message: unsubscribes, quiet hours, the hourly cap.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from shopcare.db.models import ReturnRequest, ShopOrder, StoreCredit
from shopcare.domain.messages import MessageKind
from shopcare.services.messages.outbox import enqueue
from shopcare.services.returns.store_credit import load_credit_settings

KIND = MessageKind.CREDIT_EXPIRY_REMINDER


def queue_credit_reminders(session: Session, *, now: datetime) -> int:
    """In the caller's transaction; the number of messages queued."""
    days = load_credit_settings(session).reminder_days
    if days <= 0:
        return 0
    due = session.execute(
        sa.select(StoreCredit.id, ShopOrder, ReturnRequest.id)
        .join(ReturnRequest, col(ReturnRequest.id) == col(StoreCredit.return_id))
        .join(ShopOrder, col(ShopOrder.id) == col(ReturnRequest.order_id))
        .where(
            col(StoreCredit.expires_at) > now,
            col(StoreCredit.expires_at) <= now + timedelta(days=days),
            col(StoreCredit.voided_at).is_(None),
            col(StoreCredit.balance_minor) > 0,
        )
        .order_by(col(StoreCredit.id))
    ).all()
    queued = 0
    for credit_id, order, return_id in due:
        added = enqueue(
            session, KIND, order=order, return_id=return_id, occurrence=f"credit:{credit_id}",
            now=now,
        )  # fmt: skip
        queued += len(added)
    return queued
