"""The transactional outbox: messages are rows written with the change that caused them,
then claimed one at a time by a conditional UPDATE and handed to the sender.

A row is sent at most once: its idempotency key is unique, a claim succeeds for one
dispatcher only, and a row left in "sending" by a crash is put back after a while.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import OutboxMessage, ShopOrder
from shopcare.domain.messages import MessageKind, idempotency_key
from shopcare.notify.base import Sender, SendError
from shopcare.notify.render import build_email, new_message_id, render_message
from shopcare.services.message_context import message_context
from shopcare.services.shop import load_profile

QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
STUCK_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 8


def enqueue(
    session: Session,
    kind: MessageKind,
    *,
    order: ShopOrder,
    shipment_id: int | None = None,
    occurrence: str = "",
    now: datetime,
) -> OutboxMessage | None:
    """Add the message to the caller's transaction, unless it was already queued once."""
    row = message_row(kind, order=order, shipment_id=shipment_id, occurrence=occurrence, now=now)
    key = row["idempotency_key"]
    if session.exec(select(OutboxMessage).where(OutboxMessage.idempotency_key == key)).first():
        return None
    message = OutboxMessage(**row)
    session.add(message)
    return message


def message_row(
    kind: MessageKind,
    *,
    order: ShopOrder,
    shipment_id: int | None = None,
    occurrence: str = "",
    now: datetime,
) -> dict[str, Any]:
    """The outbox row for one message, as plain values: writers of many shipments at once
    insert these in bulk (see ``existing_keys`` for their idempotency check)."""
    assert order.id is not None
    return {
        "idempotency_key": idempotency_key(
            kind, order_id=order.id, shipment_id=shipment_id, occurrence=occurrence
        ),
        "kind": kind,
        "order_id": order.id,
        "shipment_id": shipment_id,
        "recipient": order.email,
        "status": QUEUED,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": "",
        "message_id": "",
        "subject": "",
        "created_at": now,
    }


def existing_keys(session: Session, order_ids: list[int]) -> set[str]:
    return set(
        session.exec(
            select(OutboxMessage.idempotency_key).where(col(OutboxMessage.order_id).in_(order_ids))
        ).all()
    )


@dataclass
class DispatchReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


async def dispatch_outbox(
    sessions: SessionFactory,
    sender: Sender,
    *,
    now: datetime,
    public_url: str,
    limit: int = 50,
) -> DispatchReport:
    report = DispatchReport()
    with transaction(sessions) as session:
        _recover_stuck(session, now=now)
        due = session.exec(
            select(OutboxMessage.id)
            .where(OutboxMessage.status == QUEUED, OutboxMessage.next_attempt_at <= now)
            .order_by(col(OutboxMessage.next_attempt_at))
            .limit(limit)
        ).all()
    for message_id in due:
        assert message_id is not None
        await _dispatch_one(
            sessions, sender, message_id, now=now, public_url=public_url, report=report
        )
    return report


async def _dispatch_one(
    sessions: SessionFactory,
    sender: Sender,
    message_id: int,
    *,
    now: datetime,
    public_url: str,
    report: DispatchReport,
) -> None:
    with transaction(sessions) as session:
        if not _claim(session, message_id, now=now):
            return  # another dispatcher has it
        row = session.get(OutboxMessage, message_id)
        assert row is not None
        profile = load_profile(session)
        context = message_context(session, row, profile=profile, public_url=public_url)
        if not row.message_id:
            row.message_id = new_message_id(profile.sender_email)
        rendered = render_message(MessageKind(row.kind), context)
        row.subject = rendered.subject
        email = build_email(
            rendered,
            sender=(profile.name, profile.sender_email),
            to=row.recipient,
            reply_to=profile.support_email,
            message_id=row.message_id,
        )
        session.add(row)
    try:
        await sender.send(email)
    except SendError as exc:
        _record_failure(sessions, message_id, exc, now=now, report=report)
        return
    with transaction(sessions) as session:
        session.execute(
            sa.update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id)
            .values(status=SENT, sent_at=now, last_error="")
        )
    report.sent += 1


def _claim(session: Session, message_id: int, *, now: datetime) -> bool:
    result = session.execute(
        sa.update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == QUEUED)
        .values(status=SENDING, claimed_at=now, attempts=col(OutboxMessage.attempts) + 1)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def _recover_stuck(session: Session, *, now: datetime) -> None:
    session.execute(
        sa.update(OutboxMessage)
        .where(
            col(OutboxMessage.status) == SENDING,
            col(OutboxMessage.claimed_at) < now - STUCK_AFTER,
        )
        .values(status=QUEUED, next_attempt_at=now)
    )


def _record_failure(
    sessions: SessionFactory,
    message_id: int,
    error: SendError,
    *,
    now: datetime,
    report: DispatchReport,
) -> None:
    with transaction(sessions) as session:
        row = session.get(OutboxMessage, message_id)
        assert row is not None
        row.last_error = str(error)[:500]
        if error.permanent or row.attempts >= MAX_ATTEMPTS:
            row.status = FAILED
            report.failed += 1
        else:
            row.status = QUEUED
            row.next_attempt_at = now + timedelta(minutes=1) * 2 ** (row.attempts - 1)
            report.retrying += 1
        session.add(row)


def messages_for_order(session: Session, order_id: int) -> list[OutboxMessage]:
    return list(
        session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.order_id == order_id)
            .order_by(col(OutboxMessage.created_at), col(OutboxMessage.id))
        ).all()
    )
