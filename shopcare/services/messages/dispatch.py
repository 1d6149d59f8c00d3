"""Sending what the outbox holds: claim due rows (one conditional UPDATE ... RETURNING per
chunk, so two dispatchers never take the same row; each claim names this process's lease),
render them, hand them to their channel's sender, record each outcome as it comes
(``outbox_records``). Quiet hours and the hourly cap are applied here. Rows a dead process
left "sending" are taken back at the start of each run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.in_lists import padded
from shopcare.db.models import Customer, OutboxMessage, ShopOrder
from shopcare.domain.messages import MessageKind
from shopcare.domain.quiet_hours import quiet_until
from shopcare.notify.base import Channel, Outgoing, Sender
from shopcare.services.messages.outbox import QUEUED, SENDING, SENT, SKIPPED, reclaim_abandoned
from shopcare.services.messages.outbox_sending import Due, Sending
from shopcare.services.messages.outgoing import compose, owner_templates
from shopcare.services.messages.rules import MessageRules, load_rules
from shopcare.services.messages.subscriptions import WITHDRAWN
from shopcare.services.runtime.process_lease import Lease, forget_dead_leases, renew
from shopcare.services.shop.profile import load_profile


@dataclass
class DispatchReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    deferred: int = 0
    held: int = 0
    """Shopper messages left queued because the shop's setup is not finished."""


async def dispatch_outbox(
    sessions: SessionFactory,
    senders: Mapping[Channel, Sender],
    *,
    now: datetime,
    public_url: str,
    data_dir: Path | None = None,
    lease: Lease | None = None,
    limit: int = 200,
    concurrency: int = 4,
    held_channels: frozenset[Channel] = frozenset(),
) -> DispatchReport:
    """Send what is due, ``concurrency`` at a time (each claim is atomic, so sends in
    parallel can never pick the same row). ``lease`` is this process's: it is renewed, and
    stamped on the rows claimed; without one, claimed rows fall back to ``STUCK_AFTER``.
    All store work runs in a worker thread, never on the event loop. Messages on
    ``held_channels`` (the shop's setup is unfinished, ``services.setup.checklist``) stay
    queued, untouched: they go once the shop is set up, with the details it then has.
    ``data_dir`` holds the shop's logo for the return slip an approval email carries."""
    report = DispatchReport()
    plan = await asyncio.to_thread(
        _plan,
        sessions,
        now=now,
        lease=lease,
        limit=limit,
        report=report,
        held_channels=held_channels,
    )
    compose_with = {"public_url": public_url, "data_dir": data_dir, **plan.compose_with}
    owner = lease.id if lease else ""
    sending = Sending(sessions, senders, now=now, width=concurrency, ahead=CHUNK)
    try:
        for start in range(0, len(plan.ready), CHUNK):
            # Claimed and rendered in a worker thread while the chunk before is being sent.
            claimed = await asyncio.to_thread(
                _claim_and_compose,
                sessions,
                plan.ready[start : start + CHUNK],
                now=now,
                owner=owner,
                report=report,
                **compose_with,
            )
            sending.add(claimed)
            await sending.wait_for_room()
        await sending.finish()
    except BaseException:
        await sending.abandon()
        raise
    finally:
        report.sent += sending.outcomes.sent
        report.retrying += sending.outcomes.retrying
        report.failed += sending.outcomes.failed
    return report


CHUNK = 50
"""Messages claimed and composed per transaction (each is recorded as it is sent)."""


@dataclass
class _Plan:
    ready: list[Due]
    compose_with: dict[str, Any]


def _plan(
    sessions: SessionFactory,
    *,
    now: datetime,
    lease: Lease | None,
    limit: int,
    report: DispatchReport,
    held_channels: frozenset[Channel],
) -> _Plan:
    """One transaction: renew the lease, take back what dead processes left "sending", and
    pick what is due; what quiet hours or the hourly cap hold back is postponed."""
    with transaction(sessions) as session:
        if lease is not None:
            renew(session, lease, now=now)
        forget_dead_leases(session, now=now, own_id=lease.id if lease else "")
        reclaim_abandoned(session, now=now, own_id=lease.id if lease else "")
        rules = load_rules(session)
        profile = load_profile(session)
        templates = owner_templates(session)
        waiting = select(OutboxMessage).where(
            OutboxMessage.status == QUEUED, OutboxMessage.next_attempt_at <= now
        )
        if held_channels:
            held = waiting.where(col(OutboxMessage.channel).in_(held_channels))
            report.held = session.exec(select(func.count()).select_from(held.subquery())).one()
            waiting = waiting.where(col(OutboxMessage.channel).not_in(held_channels))
        due = [
            Due(r.id or 0, MessageKind(r.kind), Channel(r.channel), r.order_id)
            for r in session.exec(
                waiting.order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id)).limit(
                    limit
                )
            )
        ]
        email_room = _email_room(session, rules, now=now)
        quiet = (
            quiet_until(now, zone=profile.zone, start=rules.quiet_start, end=rules.quiet_end)
            if rules.quiet_start is not None and rules.quiet_end is not None
            else None
        )
        ready: list[Due] = []
        for item in due:
            if quiet and item.kind.optional:
                _postpone(session, item.id, until=quiet, report=report)
            elif item.channel is Channel.EMAIL and not email_room.take():
                _postpone(session, item.id, until=now + timedelta(minutes=5), report=report)
            else:  # the cap is taken before the send, so parallel sends cannot overshoot it
                ready.append(item)
    return _Plan(ready, {"profile": profile, "templates": templates})


def _claim_and_compose(
    sessions: SessionFactory,
    chunk: list[Due],
    *,
    now: datetime,
    owner: str,
    report: DispatchReport,
    **compose_with: Any,
) -> list[tuple[Due, Outgoing]]:
    """Render the rows still queued, then in one short transaction claim them (only those no
    other dispatcher took meanwhile) and keep each one's Message-ID. Rendering holds no write
    lock, so the sends before record their outcomes without waiting; the rare message whose
    rendering writes (a first feedback or unsubscribe token) is rendered under the claim."""
    by_id = {item.id: item for item in chunk}
    drafts: dict[int, Outgoing | None] = {}  # None: to render under the claim
    unsubscribed: list[int] = []
    withdrawn: list[int] = []  # WhatsApp rows put back after the shopper said no
    with sessions() as session, session.no_autoflush:
        rows = session.exec(_queued(list(by_id))).all()
        orders = {o.id: o for o in session.exec(select(ShopOrder).where(
            col(ShopOrder.id).in_(padded({r.order_id for r in rows}))))}  # fmt: skip
        customers = {c.id: c for c in session.exec(select(Customer).where(
            col(Customer.id).in_(padded({o.customer_id for o in orders.values()}))))}  # fmt: skip
        for row in rows:
            order = orders.get(row.order_id)
            customer = customers.get(order.customer_id) if order else None
            if by_id[row.id or 0].kind.optional and customer and customer.unsubscribed_at:
                unsubscribed.append(row.id or 0)
                continue
            if row.channel == Channel.WHATSAPP and not (customer and customer.whatsapp_consent_at):
                withdrawn.append(row.id or 0)
                continue
            draft = compose(session, row, **compose_with)
            writes = bool(session.new or session.dirty)
            drafts[row.id or 0] = None if writes else draft
            if writes:
                session.rollback()
    with transaction(sessions) as session:
        claimed = session.execute(
            sa.update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(padded(drafts)), col(OutboxMessage.status) == QUEUED)
            .values(
                status=SENDING,
                claimed_at=now,
                claimed_by=owner,
                attempts=col(OutboxMessage.attempts) + 1,
            )
            .returning(col(OutboxMessage.id))
        ).scalars().all()  # fmt: skip
        redo = [row_id for row_id in claimed if drafts[row_id] is None]
        for row in session.exec(_queued(redo, status=SENDING)) if redo else []:
            drafts[row.id or 0] = compose(session, row, **compose_with)
        mine = set(claimed)
        messages = {row_id: draft for row_id, draft in drafts.items() if row_id in mine}
        if messages:  # a retry after a crash sends the same Message-ID
            session.execute(
                sa.update(OutboxMessage),
                [{"id": row_id, "message_id": m.message_id, "subject": m.subject}
                 for row_id, m in messages.items() if m is not None],
            )  # fmt: skip
        for ids, why in ((unsubscribed, "the shopper unsubscribed"), (withdrawn, WITHDRAWN)):
            if ids:
                skipped = session.execute(
                    sa.update(OutboxMessage)
                    .where(
                        col(OutboxMessage.id).in_(padded(ids)), col(OutboxMessage.status) == QUEUED
                    )
                    .values(status=SKIPPED, last_error=why)
                )
                report.skipped += int(skipped.rowcount)  # type: ignore[attr-defined]
    return [(by_id[row_id], m) for row_id, m in messages.items() if m is not None]


def _queued(ids: list[int], *, status: str = QUEUED) -> Any:
    """The rows among ``ids`` in ``status``, oldest due first (one order's messages in turn)."""
    return (
        select(OutboxMessage)
        .where(col(OutboxMessage.id).in_(padded(ids)), OutboxMessage.status == status)
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
    )


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
    session: Session, message_id: int, *, until: datetime, report: DispatchReport
) -> None:
    session.execute(
        sa.update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == QUEUED)
        .values(next_attempt_at=until)
    )
    report.deferred += 1
