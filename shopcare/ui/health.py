"""``/healthz``: can the store be read and written, do the jobs run, is mail waiting.

503 when the store cannot be written (another process holds it, or it is read-only), the
schema is behind, the scheduler is stopped, or polling or sending has not succeeded for
five minutes (a process that started less than five minutes ago is not failing yet).

The handler is async and does every store call in a worker thread: the write probe waits
at most a quarter second for the lock, and the reads (WAL: they never wait for a writer)
are bounded as well, so a monitor gets its answer at once even while another process
holds the store.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from shopcare.db.migrate import is_current
from shopcare.services.messages.outbox_backlog import Backlog, outbox_backlog
from shopcare.services.runtime.store_state import StoreState, probe_store

if TYPE_CHECKING:
    from shopcare.app import ShopCare

READS_TIMEOUT_S = 2.0
"""The reads' bound (a pool whose every connection is taken waits for one)."""
WATCHED_JOBS = ("poll", "dispatch")


@dataclass(frozen=True)
class StoreCheck:
    database: dict[str, Any]
    backlog: Backlog | None


def health_router(shopcare: ShopCare) -> APIRouter:
    router = APIRouter()

    @router.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        store, check = await asyncio.gather(
            asyncio.to_thread(probe_store, shopcare.engine), _bounded_reads(shopcare)
        )
        return health_answer(shopcare, store=store, check=check)

    return router


def health_answer(shopcare: ShopCare, *, store: StoreState, check: StoreCheck) -> JSONResponse:
    now = shopcare.clock()
    scheduler = shopcare.scheduler
    running = bool(scheduler and scheduler.running)
    jobs = (
        [
            {"id": j.id, "next_run": j.next_run_time.isoformat() if j.next_run_time else None}
            for j in scheduler.get_jobs()
        ]
        if scheduler and running
        else []
    )
    runs = shopcare.job_runs
    last_runs = {}
    for name in WATCHED_JOBS:
        record = runs.runs.get(name)
        success = record.last_success if record else None
        last_runs[name] = {
            "last_success": success.isoformat() if success else None,
            "age_s": round((now - success).total_seconds(), 1) if success else None,
            "stale": runs.stale(name, now=now),
            "last_error": record.last_error if record else "",
        }
    database = check.database
    problems = [
        *([] if database["ok"] else ["the store cannot be read"]),
        *([] if database.get("schema_current", False) else ["the schema is not current"]),
        *([] if store is StoreState.WRITABLE else [f"the store cannot be written: {store}"]),
        *([] if running else ["the scheduler is not running"]),
        *[f"{name} has not succeeded for 5 minutes" for name, r in last_runs.items() if r["stale"]],
    ]
    backlog = check.backlog
    return JSONResponse(
        {
            "status": "degraded" if problems else "ok",
            "problems": problems,
            "database": database,
            "store": {"writable": store is StoreState.WRITABLE, "state": store.value},
            "jobs": last_runs,
            "outbox": {
                "queued": backlog.queued if backlog else None,
                "oldest_queued_age_s": backlog.oldest_age_s(now) if backlog else None,
            },
            "scheduler": {
                "running": running,
                "jobs": jobs,
                "leader": shopcare.leadership.holding,  # runs polling, reminders, backups
            },
        },
        status_code=503 if problems else 200,
        headers={"Cache-Control": "no-store"},
    )


async def _bounded_reads(shopcare: ShopCare) -> StoreCheck:
    try:
        return await asyncio.wait_for(asyncio.to_thread(_reads, shopcare), READS_TIMEOUT_S)
    except TimeoutError:
        return StoreCheck(database={"ok": False, "error": "timeout"}, backlog=None)


def _reads(shopcare: ShopCare) -> StoreCheck:
    try:
        with shopcare.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        database = {"ok": True, "schema_current": is_current(shopcare.engine)}
        return StoreCheck(database=database, backlog=outbox_backlog(shopcare.sessions))
    except sa.exc.SQLAlchemyError as exc:
        return StoreCheck(database={"ok": False, "error": type(exc).__name__}, backlog=None)
