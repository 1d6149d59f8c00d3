"""How much mail waits, and since when: for ``/healthz`` and a monitor watching it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, func, select

from shopcare.db.engine import SessionFactory
from shopcare.db.models import OutboxMessage
from shopcare.domain.utc import as_utc
from shopcare.services.messages.outbox import QUEUED


@dataclass(frozen=True)
class Backlog:
    queued: int
    oldest_created_at: datetime | None

    def oldest_age_s(self, now: datetime) -> float | None:
        """Seconds the oldest queued message has waited; None when none waits."""
        if self.oldest_created_at is None:
            return None
        return round((now - as_utc(self.oldest_created_at)).total_seconds(), 1)


def outbox_backlog(sessions: SessionFactory) -> Backlog:
    """Queued messages (due or waiting for a retry or quiet hours) and the oldest one's
    creation time: one aggregate read."""
    with sessions() as session:
        count, oldest = session.exec(
            select(func.count(), func.min(col(OutboxMessage.created_at))).where(
                OutboxMessage.status == QUEUED
            )
        ).one()
    return Backlog(queued=int(count), oldest_created_at=oldest)
