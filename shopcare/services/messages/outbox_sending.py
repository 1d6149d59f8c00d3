"""Handing claimed, rendered messages to their senders, ``width`` at a time, while the
dispatcher claims and renders the next chunk in a worker thread.

Each message is recorded (``outbox_records.Ledger``) before its slot, and so the connection
it used, takes the next one: a process killed at any moment leaves at most one unrecorded
send per connection. One order's messages go one after another, oldest first, across
chunks too, so a shopper never reads "shipped" before "confirmed"; different orders go out
in parallel.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from shopcare.db.engine import SessionFactory
from shopcare.domain.messages import MessageKind
from shopcare.notify.base import Channel, Outgoing, Sender, SendError
from shopcare.services.messages.outbox_records import Ledger, Outcomes, put_back


@dataclass(frozen=True)
class Due:
    id: int
    kind: MessageKind
    channel: Channel
    order_id: int


class Sending:
    """One dispatch run's sends. ``add`` a chunk, ``wait_for_room`` before claiming the next
        (so at most about two chunks are claimed ahead of the senders), ``finish`` at the end,
    ``abandon`` when the run fails or is cancelled."""

    def __init__(
        self,
        sessions: SessionFactory,
        senders: Mapping[Channel, Sender],
        *,
        now: datetime,
        width: int,
        ahead: int,
    ) -> None:
        self._sessions, self._senders, self._now, self._ahead = sessions, senders, now, ahead
        self._gate = asyncio.Semaphore(width)
        self._ledger = Ledger(sessions, now=now)
        self._unrecorded: set[int] = set()
        self._waiting = 0  # added, not yet handed to a sender
        self._room = asyncio.Event()
        self._tails: dict[int, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._failure: BaseException | None = None

    @property
    def outcomes(self) -> Outcomes:
        return self._ledger.totals

    def add(self, claimed: list[tuple[Due, Outgoing]]) -> None:
        by_order: dict[int, list[tuple[Due, Outgoing]]] = {}
        for item, message in claimed:
            by_order.setdefault(item.order_id, []).append((item, message))
            self._unrecorded.add(item.id)
        self._waiting += len(claimed)
        for order_id, messages in by_order.items():
            task = asyncio.create_task(self._in_order(messages, after=self._tails.get(order_id)))
            self._tails[order_id] = task
            self._tasks.add(task)
            task.add_done_callback(self._done)

    async def wait_for_room(self) -> None:
        """Until no more than ``ahead`` messages wait for a sender, or a send failed."""
        while self._waiting > self._ahead and self._failure is None:
            self._room.clear()
            await self._room.wait()
        self._raise_failure()

    async def finish(self) -> None:
        """Wait for every send; raise the first failure (the store), after which the caller
        ``abandon``s the rest."""
        while self._tasks and self._failure is None:
            await asyncio.wait(set(self._tasks), return_when=asyncio.FIRST_EXCEPTION)
        self._raise_failure()

    async def abandon(self) -> None:
        """Stop the sends (the run failed or was cancelled) and put the rows claimed but not
        recorded back in the queue for the next run."""
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks))
        await self._ledger.settle()  # what a server accepted is recorded, not put back
        if self._unrecorded:
            rows = set(self._unrecorded)
            self._unrecorded.clear()
            await asyncio.shield(asyncio.to_thread(put_back, self._sessions, rows, now=self._now))

    async def _in_order(
        self, messages: list[tuple[Due, Outgoing]], *, after: asyncio.Task[None] | None
    ) -> None:
        if after is not None:
            await asyncio.wait([after])  # its own failure is reported by itself
        for item, message in messages:
            async with self._gate:
                self._waiting -= 1
                self._room.set()
                error, provider_id = await _send(self._senders.get(item.channel), item, message)
                await self._ledger.record(item.id, error, provider_id=provider_id)
            self._unrecorded.discard(item.id)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None and self._failure is None:
            self._failure = task.exception()
        self._room.set()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure


async def _send(
    sender: Sender | None, item: Due, message: Outgoing
) -> tuple[SendError | None, str]:
    """The failure, or None; and the provider's id for the message ("" if none)."""
    try:
        if message.refusal:
            raise SendError(message.refusal, permanent=True)
        if sender is None:
            raise SendError(f"{item.channel} is not set up in Messages", permanent=True)
        provider_id = await sender.send(message)
    except SendError as exc:
        return exc, ""
    return None, provider_id or ""
