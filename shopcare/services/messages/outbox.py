"""The transactional outbox: messages are rows written with the change that caused them
(in the caller's transaction), later claimed and sent by ``dispatch.py``.

A row is sent at most once: its idempotency key is unique, a claim succeeds for one
dispatcher only and names that process's lease (``process_lease``), and each send is
recorded as soon as the server accepted it. A row left in "sending" by a process that no
longer exists is put back at once (it keeps its Message-ID, so a receiver can drop the rare
duplicate of the one send per connection that was in flight when the process died).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.in_lists import padded
from shopcare.db.models import Customer, OutboxMessage, ProcessLease, ShopOrder
from shopcare.domain.languages import pick_language
from shopcare.domain.messages import MessageKind, idempotency_key
from shopcare.notify.base import Channel
from shopcare.notify.whatsapp import template_key
from shopcare.services.messages.rules import MessageRules, load_rules
from shopcare.services.shop.profile import ShopProfile, load_profile

QUEUED, SENDING, SENT, FAILED, SKIPPED = "queued", "sending", "sent", "failed", "skipped"
STUCK_AFTER = timedelta(minutes=10)
"""Rows claimed without a lease (before leases existed) or by this very process are put back
after this long; those of another process as soon as its lease is dead."""
MAX_ATTEMPTS = 8


def message_rows(
    kind: MessageKind,
    *,
    order: ShopOrder,
    phone: str,
    rules: MessageRules,
    now: datetime,
    shipment_id: int | None = None,
    return_id: int | None = None,
    occurrence: str = "",
    whatsapp: str = "",
) -> list[dict[str, Any]]:
    """The outbox rows the owner's rules call for (none when the message is off), as plain
    values: writers of many shipments at once insert them in bulk. ``whatsapp``: the
    number from ``whatsapp_recipient`` ("" = no WhatsApp message)."""
    rule = rules.rule(kind)
    if not rule.enabled:
        return []
    assert order.id is not None
    key = idempotency_key(kind, order_id=order.id, shipment_id=shipment_id, occurrence=occurrence)
    rows = []
    for channel in rule.channels:
        recipient = {
            Channel.EMAIL: order.email,
            Channel.SMS: phone,
            Channel.WEBHOOK: "owner",
            Channel.WHATSAPP: whatsapp,
        }
        if not recipient[channel]:
            continue  # no phone number: no SMS; no consent or no template: no WhatsApp
        rows.append(
            {
                "idempotency_key": key if channel is Channel.EMAIL else f"{key}@{channel}",
                "kind": kind,
                "order_id": order.id,
                "shipment_id": shipment_id,
                "return_id": return_id,
                "channel": channel,
                "recipient": recipient[channel],
                "status": QUEUED,
                "attempts": 0,
                "next_attempt_at": now + timedelta(minutes=rule.delay_minutes),
                "last_error": "",
                "message_id": "",
                "subject": "",
                "created_at": now,
            }
        )
    return rows


def message_language(locale: str, profile: ShopProfile) -> str:
    """The language a shopper's messages go out in: theirs when the shop offers it, else the
    shop's fallback. Composing a message and choosing its WhatsApp template both ask here,
    so the template looked up is the one for the text that is sent."""
    return pick_language([locale], offered=profile.languages, fallback=profile.default_language)


def whatsapp_recipient(
    customer: Customer | None, kind: MessageKind, rules: MessageRules, profile: ShopProfile
) -> str:
    """The shopper's number when ``kind`` may go to them on WhatsApp: they agreed to it
    (``Customer.whatsapp_consent_at``) and the owner set an approved template for the
    message in its language, without which WhatsApp refuses a message the shop starts."""
    if customer is None:
        return ""
    return whatsapp_address(
        customer.phone,
        agreed=customer.whatsapp_consent_at is not None,
        locale=message_language(customer.locale, profile),
        kind=kind,
        rules=rules,
    )


def whatsapp_address(
    phone: str, *, agreed: bool, locale: str, kind: MessageKind, rules: MessageRules
) -> str:
    """``phone`` when the shopper ``agreed`` and ``kind`` has a template in ``locale``, the
    message's language (``message_language``)."""
    if not agreed or not phone:
        return ""
    return phone if rules.whatsapp_templates.get(template_key(kind, locale)) else ""


def enqueue(
    session: Session,
    kind: MessageKind,
    *,
    order: ShopOrder,
    now: datetime,
    shipment_id: int | None = None,
    return_id: int | None = None,
    occurrence: str = "",
) -> list[OutboxMessage]:
    """Add the message to the caller's transaction, unless it was already queued once."""
    customer = session.get(Customer, order.customer_id)
    rules = load_rules(session)
    rows = message_rows(
        kind,
        order=order,
        phone=customer.phone if customer else "",
        rules=rules,
        now=now,
        shipment_id=shipment_id,
        return_id=return_id,
        occurrence=occurrence,
        whatsapp=whatsapp_recipient(customer, kind, rules, load_profile(session)),
    )
    known = existing_keys(session, [order.id or 0])
    added = [OutboxMessage(**row) for row in rows if row["idempotency_key"] not in known]
    session.add_all(added)
    return added


def reclaim_abandoned(session: Session, *, now: datetime, own_id: str) -> int:
    """Queue again the rows left "sending" by processes whose lease is gone (call after
    ``forget_dead_leases``), and rows claimed without a lease or by ``own_id`` over
    ``STUCK_AFTER`` ago. A live lease's rows stay: that process may be sending them."""
    live = sa.select(ProcessLease.id)
    claimed_by = col(OutboxMessage.claimed_by)
    orphaned = sa.and_(claimed_by != "", claimed_by != own_id, claimed_by.not_in(live))
    stuck = sa.and_(claimed_by.in_(["", own_id]), col(OutboxMessage.claimed_at) < now - STUCK_AFTER)
    result = session.execute(
        sa.update(OutboxMessage)
        .where(col(OutboxMessage.status) == SENDING, sa.or_(orphaned, stuck))
        .values(status=QUEUED, next_attempt_at=now, claimed_by="")
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def existing_keys(session: Session, order_ids: list[int]) -> set[str]:
    return set(
        session.exec(
            select(OutboxMessage.idempotency_key).where(
                col(OutboxMessage.order_id).in_(padded(order_ids))
            )
        ).all()
    )


def resend(sessions: SessionFactory, message_id: int, *, now: datetime) -> None:
    """The owner asks for a message again: a failed or skipped one is queued anew (same
    Message-ID); a sent one gets a fresh copy in the log. One without a recipient (its
    shopper's data erased, or emptied by the retention period) has nowhere to go."""
    with transaction(sessions) as session:
        row = session.get(OutboxMessage, message_id)
        if row is None or not row.recipient:
            return
        if row.status in (FAILED, SKIPPED):
            row.status, row.next_attempt_at, row.last_error = QUEUED, now, ""
            session.add(row)
        elif row.status == SENT:
            copy = row.model_dump(exclude={"id", "sent_at", "claimed_at"})
            copy.update(
                idempotency_key=f"{row.idempotency_key}:resend:{now.isoformat()}",
                status=QUEUED, attempts=0, next_attempt_at=now, message_id="",
                last_error="", created_at=now, provider_id="", delivery="", delivery_error=None,
            )  # fmt: skip
            session.add(OutboxMessage(**copy))


def messages_for_order(session: Session, order_id: int) -> list[OutboxMessage]:
    return list(
        session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.order_id == order_id)
            .order_by(col(OutboxMessage.created_at), col(OutboxMessage.id))
        ).all()
    )
