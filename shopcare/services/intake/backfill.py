"""Backfill: the orders of the last N days read from the connected platform, page by page.

Each page is written with its ``ImportRun`` progress (counts and the cursor of the next
page) in one transaction, so the progress bar reads the store, survives leaving the page,
and a backfill cut short (a restart, an outage) resumes at the page after the last one
stored. The backfill writes in ``Mode.BULK``: old orders are history, nothing is sent.

``pull`` is the page loop the reconcile shares: while one page is written (in a thread,
the store is synchronous) the next one is already being fetched. Every store call of these
coroutines runs in a worker thread: a store locked by another process holds up the run,
never the event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlmodel import col, select

from shopcare.db.engine import SessionFactory, transaction
from shopcare.db.models import ImportRun, StoreConnection
from shopcare.domain.intake import Mode
from shopcare.platforms.base import Page, Platform, PlatformError, Since
from shopcare.services.errors import InputError
from shopcare.services.intake.connection import Clock, keep_client_state, platform_client
from shopcare.services.intake.writer import Outcome, write_orders

RUNNING, DONE, FAILED = "running", "done", "failed"
log = logging.getLogger(__name__)
PROBLEMS_KEPT = 20
"""Rejected orders named in a run's message; the counts hold the rest."""
WRITE_EVERY = 100
"""Orders written per transaction. Shopify's pages hold 10 orders; a transaction per page
spent more on committing than on writing (the writer alone, measured here: 670 orders/s in
transactions of 10, 1,280 in transactions of 100)."""


@dataclass(frozen=True)
class Window:
    """Which orders a run reads, and with which writer mode."""

    since: datetime
    by: Since
    mode: Mode


def start_backfill(sessions: SessionFactory, platform: str, *, days: int, now: datetime) -> int:
    """The backfill's run: a new one of the last ``days`` days, or the last one of this
    platform when it did not finish (cut short by a restart, or failed), which goes on from
    its cursor and its own window instead of starting over."""
    with transaction(sessions) as session:
        last = session.exec(
            select(ImportRun)
            .where(ImportRun.kind == "backfill", ImportRun.source == platform)
            .order_by(col(ImportRun.id).desc())
        ).first()
        if last is not None and last.status != DONE:
            last.status, last.finished_at = RUNNING, None
            session.add(last)
            return int(last.id or 0)
        since = now - timedelta(days=days)
        run = ImportRun(
            kind="backfill",
            source=platform,
            cursor=json.dumps({"since": since.isoformat(), "page": ""}),
            started_at=now,
        )
        session.add(run)
        session.flush()
        return int(run.id or 0)


async def run_backfill(
    sessions: SessionFactory,
    run_id: int,
    *,
    client: Platform,
    clock: Clock,
    carriers: Sequence[str],
) -> ImportRun:
    """Read and write every page of the run's window; the run as it ended."""
    run = await asyncio.to_thread(_run, sessions, run_id)
    if run is None or run.status != RUNNING:
        raise ValueError(f"no running import {run_id}")
    state = json.loads(run.cursor or "{}")
    window = Window(datetime.fromisoformat(state["since"]), Since.CREATED, Mode.BULK)
    run = await pull(
        sessions, run_id, client=client, window=window, cursor=state.get("page", ""),
        clock=clock, carriers=carriers,
    )  # fmt: skip
    if run.status == DONE:
        await asyncio.to_thread(_first_reconcile_from, sessions, client.name, run.started_at)
    return run


async def backfill_in_background(
    sessions: SessionFactory,
    run_id: int,
    *,
    http: httpx.AsyncClient,
    clock: Clock,
    carriers: Sequence[str],
) -> ImportRun:
    """``run_backfill`` with a client built from the stored connection; what the admin
    page starts and leaves running."""
    run = await asyncio.to_thread(_run, sessions, run_id)
    if run is None:
        raise ValueError(f"no import {run_id}")
    try:
        client = await asyncio.to_thread(
            platform_client, sessions, run.source, http=http, clock=clock
        )
    except InputError as exc:  # credentials gone or unreadable: the run says so, not "running"
        return await asyncio.to_thread(
            _finish, sessions, run_id, FAILED, str(exc), now=clock(), calls=0
        )
    return await run_backfill(sessions, run_id, client=client, clock=clock, carriers=carriers)


async def pull(
    sessions: SessionFactory,
    run_id: int,
    *,
    client: Platform,
    window: Window,
    cursor: str,
    clock: Clock,
    carriers: Sequence[str],
) -> ImportRun:
    """Pages of ``window`` from ``cursor`` on, written ``WRITE_EVERY`` orders at a time
    with the run's progress; a platform error ends the run as failed with its reason (the
    cursor stays, to resume)."""
    began, counted, pending = client.calls, 0, list[Page]()

    async def store() -> None:
        nonlocal counted, pending
        batch, pending = _merged(pending), []
        await asyncio.to_thread(
            _store_page, sessions, run_id, batch, window=window, now=clock(), carriers=carriers
        )
        counted += batch.calls

    try:
        async with aclosing(_read_ahead(client, window, cursor)) as pages:
            async for page in pages:
                pending.append(page)
                if not page.cursor or sum(len(p.orders) for p in pending) >= WRITE_EVERY:
                    await store()
    except PlatformError as exc:
        if pending:  # the pages read before the failure are kept
            await store()
        await asyncio.to_thread(keep_client_state, sessions, client, error=str(exc))
        uncounted = client.calls - began - counted  # the calls of the page that failed
        return await asyncio.to_thread(
            _finish, sessions, run_id, FAILED, str(exc), now=clock(), calls=uncounted
        )
    except Exception as exc:  # a fault of ours: the run must not look busy for ever
        log.exception("import %s stopped", run_id)
        reason = f"stopped by an internal error ({type(exc).__name__}); the log has details"
        return await asyncio.to_thread(
            _finish, sessions, run_id, FAILED, reason, now=clock(), calls=0
        )
    await asyncio.to_thread(keep_client_state, sessions, client)
    return await asyncio.to_thread(_finish, sessions, run_id, DONE, "", now=clock(), calls=0)


async def _read_ahead(client: Platform, window: Window, cursor: str) -> AsyncIterator[Page]:
    """Pages from ``cursor`` on; the next one is already asked for while the caller writes
    this one (the store is synchronous, the platform slow: the two overlap)."""
    fetch = asyncio.ensure_future(client.orders(since=window.since, by=window.by, cursor=cursor))
    try:
        while True:
            page = await fetch
            if page.cursor:
                fetch = asyncio.ensure_future(
                    client.orders(since=window.since, by=window.by, cursor=page.cursor)
                )
            yield page
            if not page.cursor:
                return
    finally:
        fetch.cancel()  # the caller stopped early (an error, the app stopping)


def _run(sessions: SessionFactory, run_id: int) -> ImportRun | None:
    with sessions() as session:
        return session.get(ImportRun, run_id)


def _merged(pages: Sequence[Page]) -> Page:
    """Pages read one after the other, as one: the last one's cursor goes on from all."""
    totals = [p.total for p in pages if p.total is not None]
    return Page(
        orders=[o for p in pages for o in p.orders],
        cursor=pages[-1].cursor,
        calls=sum(p.calls for p in pages),
        total=totals[0] if totals else None,
        skipped=[s for p in pages for s in p.skipped],
    )


def _store_page(
    sessions: SessionFactory,
    run_id: int,
    page: Page,
    *,
    window: Window,
    now: datetime,
    carriers: Sequence[str],
) -> None:
    with transaction(sessions) as session:
        written = write_orders(session, page.orders, now=now, carriers=carriers, mode=window.mode)
        run = session.get(ImportRun, run_id)
        assert run is not None
        outcomes = [w.outcome for w in written]
        problems = [f"{w.order_number}: {'; '.join(w.problems)}" for w in written if w.problems]
        run.done += len(written) + len(page.skipped)
        run.created += outcomes.count(Outcome.CREATED)
        run.updated += outcomes.count(Outcome.UPDATED)
        run.rejected += outcomes.count(Outcome.REJECTED) + len(page.skipped)
        run.api_calls += page.calls
        if page.total is not None and run.total is None:
            run.total = page.total
        if run.kind == "backfill":
            run.cursor = json.dumps({"since": window.since.isoformat(), "page": page.cursor})
        else:
            run.cursor = page.cursor
        kept = [line for line in run.message.splitlines() if line]
        run.message = "\n".join([*kept, *problems, *page.skipped][:PROBLEMS_KEPT])
        session.add(run)


def _finish(
    sessions: SessionFactory,
    run_id: int,
    status: str,
    message: str,
    *,
    now: datetime,
    calls: int,
) -> ImportRun:
    with transaction(sessions) as session:
        run = session.get(ImportRun, run_id)
        assert run is not None
        run.status = status
        run.finished_at = now
        run.api_calls += calls
        if status == DONE and run.total is None:
            run.total = run.done
        if message:
            run.message = "\n".join(x for x in (message, run.message) if x)[:4000]
        session.add(run)
    return run


def _first_reconcile_from(sessions: SessionFactory, platform: str, moment: datetime) -> None:
    """After the first backfill the reconcile reads what changed since it began."""
    with transaction(sessions) as session:
        row = session.get(StoreConnection, platform)
        if row is not None and row.last_reconcile_at is None:
            row.last_reconcile_at = moment
            session.add(row)


def unfinished_backfills(sessions: SessionFactory) -> list[str]:
    """Platforms whose backfill was still running when the process stopped (a restart, a
    crash): it goes on at start. A failed one waits for the owner's Resume."""
    with sessions() as session:
        runs = session.exec(
            select(ImportRun.source)
            .join(StoreConnection, col(StoreConnection.platform) == col(ImportRun.source))
            .where(ImportRun.kind == "backfill", ImportRun.status == RUNNING)
            .where(col(StoreConnection.enabled))
        ).all()
    return sorted(set(runs))


def latest_run(sessions: SessionFactory, kind: str, platform: str) -> ImportRun | None:
    """The newest run of this kind, for the page's progress bar."""
    with sessions() as session:
        return session.exec(
            select(ImportRun)
            .where(ImportRun.kind == kind, ImportRun.source == platform)
            .order_by(col(ImportRun.id).desc())
        ).first()
