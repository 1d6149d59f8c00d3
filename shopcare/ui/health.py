"""``/healthz``: is the store reachable and current, is the scheduler running."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from shopcare.db.migrate import is_current

if TYPE_CHECKING:
    from shopcare.app import ShopCare


def health_router(shopcare: ShopCare) -> APIRouter:
    router = APIRouter()

    @router.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        database: dict[str, Any]
        try:
            with shopcare.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            database = {"ok": True, "schema_current": is_current(shopcare.engine)}
        except sa.exc.SQLAlchemyError as exc:
            database = {"ok": False, "error": type(exc).__name__}
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
        ok = database["ok"] and database.get("schema_current", False) and running
        return JSONResponse(
            {
                "status": "ok" if ok else "degraded",
                "database": database,
                "scheduler": {"running": running, "jobs": jobs},
            },
            status_code=200 if ok else 503,
        )

    return router
