"""Sending what the outbox holds: claim due rows (one conditional UPDATE ... RETURNING per
chunk, so two dispatchers never take the same row), render them, hand them to their
channel's sender, record the outcome. Quiet hours and the hourly cap are applied here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import Customer, OutboxMessage, ShopOrder
from shopcare.domain.messages import MessageKind
from shopcare.domain.quiet_hours import quiet_until
from shopcare.notify.base import Channel, Outgoing, Sender, SendError
from shopcare.services.message_rules import MessageRules, load_rules
from shopcare.services.outbox import (
    FAILED,
    MAX_ATTEMPTS,
    QUEUED,
    SENDING,
    SENT,
    SKIPPED,
    STUCK_AFTER,
)
from shopcare.services.outgoing import compose, owner_templates
from shopcare.services.shop import load_profile


@dataclass
class DispatchReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    deferred: int = 0


@dataclass(frozen=True)
class _Due:
    id: int
    kind: MessageKind
    channel: Channel
    order_id: int


async def dispatch_outbox(
    sessions: SessionFactory,
    senders: Mapping[Channel, Sender],
    *,
    now: datetime,
    public_url: str,
    limit: int = 200,
    concurrency: int = 4,
) -> DispatchReport:
    """Send what is due, ``concurrency`` at a time (each claim is atomic, so sends in
    parallel can never pick the same row)."""
    report = DispatchReport()
    with transaction(sessions) as session:
        _recover_stuck(session, now=now)
        rules = load_rules(session)
        profile = load_profile(session)
        zone = profile.zone
        templates = owner_templates(session)
        due = [
            _Due(r.id or 0, MessageKind(r.kind), Channel(r.channel), r.order_id)
            for r in session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.status == QUEUED, OutboxMessage.next_attempt_at <= now)
                .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
                .limit(limit)
            )
        ]
        email_room = _email_room(session, rules, now=now)
    quiet = (
        quiet_until(now, zone=zone, start=rules.quiet_start, end=rules.quiet_end)
        if rules.quiet_start is not None and rules.quiet_end is not None
        else None
    )
    ready: list[_Due] = []
    for item in due:
        if quiet and item.kind.optional:
            _postpone(sessions, item.id, until=quiet, report=report)
        elif item.channel is Channel.EMAIL and not email_room.take():
            _postpone(sessions, item.id, until=now + timedelta(minutes=5), report=report)
        else:  # the cap is taken before the send, so parallel sends cannot overshoot it
            ready.append(item)
    compose_with = {"public_url": public_url, "profile": profile, "templates": templates}
    for start in range(0, len(ready), CHUNK):
        chunk = ready[start : start + CHUNK]
        claimed = _claim_and_compose(sessions, chunk, now=now, report=report, **compose_with)
        await _send_all(sessions, senders, claimed, now=now, report=report, width=concurrency)
    return report


CHUNK = 50
"""Messages claimed, composed and recorded per transaction."""


def _claim_and_compose(
    sessions: SessionFactory,
    chunk: list[_Due],
    *,
    now: datetime,
    report: DispatchReport,
    **compose_with: Any,
) -> list[tuple[_Due, Outgoing]]:
    """One transaction: claim the rows no other dispatcher holds, skip those whose shopper
    unsubscribed, and render the rest."""
    by_id = {item.id: item for item in chunk}
    with transaction(sessions) as session:
        ids = (
            session.execute(
                sa.update(OutboxMessage)
                .where(col(OutboxMessage.id).in_(list(by_id)), col(OutboxMessage.status) == QUEUED)
                .values(status=SENDING, claimed_at=now, attempts=col(OutboxMessage.attempts) + 1)
                .returning(col(OutboxMessage.id))
            )
            .scalars()
            .all()
        )
        rows = session.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.id).in_(ids))
            .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        ).all()
        claimed = []
        for row in rows:
            item = by_id[row.id or 0]
            order = session.get(ShopOrder, row.order_id)
            customer = session.get(Customer, order.customer_id) if order else None
            if item.kind.optional and customer is not None and customer.unsubscribed_at:
                row.status, row.last_error = SKIPPED, "the shopper unsubscribed"
                report.skipped += 1
            else:
                message = compose(session, row, **compose_with)
                row.message_id, row.subject = message.message_id, message.subject
                claimed.append((item, message))
            session.add(row)
    return claimed


async def _send_all(
    sessions: SessionFactory,
    senders: Mapping[Channel, Sender],
    claimed: list[tuple[_Due, Outgoing]],
    *,
    now: datetime,
    report: DispatchReport,
    width: int,
) -> None:
    gate = asyncio.Semaphore(width)
    delivered: list[int] = []

    async def one(item: _Due, message: Outgoing) -> None:
        sender = senders.get(item.channel)
        try:
            if sender is None:
                raise SendError(f"{item.channel} is not set up in Messages", permanent=True)
            async with gate:
                await sender.send(message)
        except SendError as exc:
            _record_failure(sessions, item.id, exc, now=now, report=report)
        else:
            delivered.append(item.id)

    async def in_order(messages: list[tuple[_Due, Outgoing]]) -> None:
        for item, message in messages:
            await one(item, message)

    # One order's messages go one after another, oldest first, so a shopper never reads
    # "shipped" before "confirmed"; different orders go out in parallel.
    by_order: dict[int, list[tuple[_Due, Outgoing]]] = {}
    for item, message in claimed:
        by_order.setdefault(item.order_id, []).append((item, message))
    await asyncio.gather(*(in_order(messages) for messages in by_order.values()))
    if delivered:
        with transaction(sessions) as session:
            session.execute(
                sa.update(OutboxMessage)
                .where(col(OutboxMessage.id).in_(delivered))
                .values(status=SENT, sent_at=now, last_error="")
            )
        report.sent += len(delivered)


@dataclass
class _Room:
    """Emails still allowed this hour; ``left`` None means no cap."""

    left: int | None

    def take(self) -> bool:
        if self.left is None:
            return True
        if self.left <= 0:
            return False
        self.left -= 1
        return True

    def give_back(self) -> None:
        if self.left is not None:
            self.left += 1


def _email_room(session: Session, rules: MessageRules, *, now: datetime) -> _Room:
    """Emails still allowed in the hour up to now (the owner's cap)."""
    if not rules.hourly_cap:
        return _Room(None)
    sent = session.exec(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.channel == Channel.EMAIL,
            OutboxMessage.status == SENT,
            col(OutboxMessage.sent_at) > now - timedelta(hours=1),
        )
    ).one()
    return _Room(rules.hourly_cap - int(sent))


def _postpone(
    sessions: SessionFactory, message_id: int, *, until: datetime, report: DispatchReport
) -> None:
    with transaction(sessions) as session:
        session.execute(
            sa.update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == QUEUED)
            .values(next_attempt_at=until)
        )
    report.deferred += 1


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
            delay = timedelta(minutes=1) * 2 ** (row.attempts - 1)
            if error.retry_after:
                delay = max(delay, timedelta(seconds=error.retry_after))
            row.next_attempt_at = now + delay
            report.retrying += 1
        session.add(row)
