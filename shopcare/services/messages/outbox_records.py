"""What became of each claimed outbox row, written the moment it is known.

A send the server accepted is recorded before the connection that carried it is handed the
next message, so a process killed at any point leaves at most the one message in flight per
connection unrecorded (it is sent again, with the same Message-ID). Outcomes that arrive
while a write is under way share the next one (a group commit), so connections do not queue
behind each other's commits; the writes run in a worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.in_lists import padded
from shopcare.db.models import OutboxMessage
from shopcare.notify.base import SendError
from shopcare.services.messages.outbox import FAILED, MAX_ATTEMPTS, QUEUED, SENDING, SENT

_MARK_SENT = (
    sa.update(OutboxMessage)
    .where(col(OutboxMessage.id).in_(sa.bindparam("ids", expanding=True)))
    .values(status=SENT, sent_at=sa.bindparam("now"), last_error="")
    .execution_options(synchronize_session=False)  # nothing loaded to update
)
"""Built once: it runs for every accepted message."""


@dataclass
class Outcomes:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def record_outcomes(
    sessions: SessionFactory,
    outcomes: list[tuple[int, SendError | None, str]],
    *,
    now: datetime,
) -> Outcomes:
    """One transaction: rows sent (None, with the provider's id for the message or "")
    and rows that failed (retried later with a growing delay, or given up when permanent
    or tried ``MAX_ATTEMPTS`` times)."""
    counts = Outcomes()
    sent = [row_id for row_id, error, _ in outcomes if error is None]
    # The provider's id of a message it will report on; a report about an earlier send of
    # the same row (a resend) no longer applies.
    reported = [
        {"id": row_id, "provider_id": provider_id, "delivery": "", "delivery_error": None}
        for row_id, error, provider_id in outcomes
        if error is None and provider_id
    ]
    with transaction(sessions) as session:
        if sent:
            session.execute(_MARK_SENT, {"ids": padded(sent), "now": now})
            counts.sent = len(sent)
        if reported:
            session.execute(sa.update(OutboxMessage), reported)  # by primary key
        for row_id, error, _ in outcomes:
            if error is None:
                continue
            row = session.get(OutboxMessage, row_id)
            assert row is not None
            row.last_error = str(error)[:500]
            if error.permanent or row.attempts >= MAX_ATTEMPTS:
                row.status = FAILED
                counts.failed += 1
            else:
                row.status = QUEUED
                delay = timedelta(minutes=1) * 2 ** (row.attempts - 1)
                if error.retry_after:
                    delay = max(delay, timedelta(seconds=error.retry_after))
                row.next_attempt_at = now + delay
                counts.retrying += 1
            session.add(row)
    return counts


def put_back(sessions: SessionFactory, row_ids: Collection[int], *, now: datetime) -> None:
    """Claimed rows a run did not get to record (it was cancelled or the store failed):
    queued again for the next run."""
    with transaction(sessions) as session:
        session.execute(
            sa.update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(padded(row_ids)), col(OutboxMessage.status) == SENDING)
            .values(status=QUEUED, next_attempt_at=now, claimed_by="")
        )


class Ledger:
    """Records outcomes for one dispatch run: ``record`` returns once its outcome is
    committed, together with any that came in meanwhile."""

    def __init__(self, sessions: SessionFactory, *, now: datetime) -> None:
        self.totals = Outcomes()
        self._sessions = sessions
        self._now = now
        self._waiting: list[tuple[int, SendError | None, str, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, row_id: int, error: SendError | None, *, provider_id: str = "") -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((row_id, error, provider_id, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        # Shielded: a run cancelled now still gets what the server accepted recorded.
        await asyncio.shield(done)

    async def settle(self) -> None:
        """Until what was handed in is written (or failed to be)."""
        if self._writer is not None:
            await asyncio.shield(asyncio.wait([self._writer]))

    async def _write(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                counts = await asyncio.to_thread(
                    record_outcomes,
                    self._sessions,
                    [(row_id, error, provider_id) for row_id, error, provider_id, _ in batch],
                    now=self._now,
                )
            except Exception as exc:  # the store failed: each waiting send learns it
                for *_, done in batch:
                    done.set_exception(exc)
                continue
            self.totals.sent += counts.sent
            self.totals.retrying += counts.retrying
            self.totals.failed += counts.failed
            for *_, done in batch:
                done.set_result(None)
