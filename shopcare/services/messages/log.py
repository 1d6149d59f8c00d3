"""The message log: every message the outbox holds (with Twilio's delivery report for an SMS
or WhatsApp message), one page per call, newest first (the primary key's order, so a deep
page stays cheap), narrowed by status and kind, and searched by order number or the
shopper's email through the order list's indexes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlmodel import col, func, select

from shopcare.db.engine import SessionFactory
from shopcare.db.models import OutboxMessage, ShopOrder
from shopcare.domain.paging import page_within
from shopcare.notify.twilio_status import FAILURES, delivery_words
from shopcare.services.orders.listing import PAGE_SIZES, search_order_ids
from shopcare.services.shop.profile import load_profile

NOT_DELIVERED = "not_delivered"
"""The status filter for messages Twilio took but reported undelivered or failed."""


@dataclass(frozen=True)
class MessageQuery:
    q: str = ""
    """Order number, name, email, tracking number or RMA, as in the order list."""
    status: str = ""
    kind: str = ""
    page: int = 1
    per_page: int = 25


@dataclass(frozen=True)
class LoggedMessage:
    id: int
    order_id: int
    order_number: str
    kind: str
    channel: str
    recipient: str
    subject: str
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str
    delivery: str = ""
    """What the provider reported became of it, in words ("delivered", "failed: 63016 —
    …"); "" without a report."""


@dataclass(frozen=True)
class MessagePage:
    rows: list[LoggedMessage]
    total: int
    query: MessageQuery


def message_page(sessions: SessionFactory, query: MessageQuery) -> MessagePage:
    per_page = query.per_page if query.per_page in PAGE_SIZES else PAGE_SIZES[0]
    where: list[Any] = []
    if query.q.strip():
        where.append(col(OutboxMessage.order_id).in_(search_order_ids(query.q)))
    if query.status == NOT_DELIVERED:
        where.append(col(OutboxMessage.delivery).in_(FAILURES))
    elif query.status:
        where.append(col(OutboxMessage.status) == query.status)
    if query.kind:
        where.append(col(OutboxMessage.kind) == query.kind)
    with sessions() as session:
        zone = load_profile(session).zone
        counted = select(func.count()).select_from(OutboxMessage).where(*where)
        total = int(session.exec(counted).one())
        query = replace(query, page=page_within(query.page, total, per_page), per_page=per_page)
        found = session.exec(
            select(OutboxMessage, ShopOrder.order_number)
            .join(ShopOrder, col(ShopOrder.id) == col(OutboxMessage.order_id))
            .where(*where)
            .order_by(col(OutboxMessage.id).desc())
            .offset((query.page - 1) * per_page)
            .limit(per_page)
        ).all()
    rows = [
        LoggedMessage(
            id=m.id or 0,
            order_id=m.order_id,
            order_number=number,
            kind=m.kind,
            channel=m.channel,
            recipient=m.recipient,
            subject=m.subject,
            status=m.status,
            attempts=m.attempts,
            created_at=m.created_at.astimezone(zone),
            sent_at=m.sent_at.astimezone(zone) if m.sent_at else None,
            last_error=m.last_error,
            delivery=delivery_words(m.delivery, m.delivery_error),
        )
        for m, number in found
    ]
    return MessagePage(rows=rows, total=total, query=query)
