"""Reconcile: every 15 minutes, the orders each connected platform changed since the last
reconcile (minus an overlap), written as if they came by webhook.

Webhooks get lost: Shopify stops retrying after some hours, WooCommerce disables a webhook
after five failures and never retries. The reconcile catches what they missed. It meets the
webhooks in the same upsert, so an order seen by both changes nothing the second time, and
a copy older than the stored one is stale. The overlap covers orders changed while the last
reconcile was reading and a platform's search index lagging behind its writes. Its store
work runs in worker threads, never on the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta

import httpx
from sqlmodel import col, delete, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import ImportRun, StoreConnection
from shopcare.domain.intake import Mode
from shopcare.domain.utc import as_utc_or_none
from shopcare.platforms.base import Platform, Since, Sleep
from shopcare.services.errors import InputError
from shopcare.services.intake.backfill import DONE, Window, pull
from shopcare.services.intake.connection import (
    Clock,
    enabled_platforms,
    platform_client,
)

RECONCILE_EVERY = timedelta(minutes=15)
OVERLAP = timedelta(minutes=30)
FIRST_WINDOW = timedelta(hours=2)
"""How far back the first reconcile reads when no backfill ran before it."""
RUNS_KEPT = 200
"""Reconcile runs kept for the page (two days' worth); older ones are deleted."""


async def reconcile(
    sessions: SessionFactory,
    *,
    http: httpx.AsyncClient,
    clock: Clock,
    carriers: Sequence[str],
    sleep: Sleep = asyncio.sleep,
) -> list[ImportRun]:
    """One reconcile of every enabled connection; each one's run as it ended."""
    runs = []
    for platform in await asyncio.to_thread(enabled_platforms, sessions):
        try:
            client = await asyncio.to_thread(
                platform_client, sessions, platform, http=http, clock=clock, sleep=sleep
            )
        except InputError:
            continue
        runs.append(await reconcile_one(sessions, client, clock=clock, carriers=carriers))
    return runs


async def reconcile_one(
    sessions: SessionFactory, client: Platform, *, clock: Clock, carriers: Sequence[str]
) -> ImportRun:
    started = clock()
    run_id, last = await asyncio.to_thread(_begin, sessions, client.name, started)
    since = (last or started - FIRST_WINDOW) - OVERLAP
    window = Window(since, Since.UPDATED, Mode.LIVE)
    run = await pull(
        sessions, run_id, client=client, window=window, cursor="", clock=clock,
        carriers=carriers,
    )  # fmt: skip
    if run.status == DONE:
        await asyncio.to_thread(_reconciled, sessions, client.name, started)
    return run


def _begin(
    sessions: SessionFactory, platform: str, started: datetime
) -> tuple[int, datetime | None]:
    """The run's row, and when the last reconcile of ``platform`` began."""
    with transaction(sessions) as session:
        row = session.get(StoreConnection, platform)
        last = as_utc_or_none(row.last_reconcile_at) if row else None
        run = ImportRun(kind="reconcile", source=platform, started_at=started)
        session.add(run)
        session.flush()
        return int(run.id or 0), last


def _reconciled(sessions: SessionFactory, platform: str, started: datetime) -> None:
    """The next reconcile reads from when this one began (less the overlap); old runs go."""
    with transaction(sessions) as session:
        row = session.get(StoreConnection, platform)
        if row is not None:
            row.last_reconcile_at = started
            session.add(row)
        keep = [
            i
            for i in session.exec(
                select(ImportRun.id)
                .where(ImportRun.kind == "reconcile")
                .order_by(col(ImportRun.id).desc())
                .limit(RUNS_KEPT)
            )
            if i is not None
        ]
        if len(keep) == RUNS_KEPT:
            session.exec(
                delete(ImportRun).where(
                    col(ImportRun.kind) == "reconcile", col(ImportRun.id) < min(keep)
                )
            )
