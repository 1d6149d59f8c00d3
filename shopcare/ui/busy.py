"""The answer when the store cannot take a write just now: 503 with ``Retry-After``.

Another process holding SQLite's write lock (a backup, a second ShopCare, a long import)
makes a write wait out the busy timeout and fail with "database is locked"; a read-only data
dir fails every write. Neither is the shopper's fault nor a bug: the shopper gets a page in
the shop's look and language that asks them to try again in a minute, and carrier and
platform webhooks and API callers get JSON, on which their senders retry. Any other
database error is left alone: it stays a 500 with its traceback in the log.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from shopcare.services.runtime.store_state import StoreState, store_state_of
from shopcare.ui.public.pages import BUSY_RETRY_AFTER, store_busy

if TYPE_CHECKING:
    from shopcare.app import ShopCare

MACHINE_PATHS = ("/api/", "/webhooks/")
"""Callers that read JSON, not pages."""
log = logging.getLogger(__name__)


def answer_busy_store(app: FastAPI, shopcare: ShopCare) -> None:
    """Register the 503 answer on ``app`` (the site app and the mounted API each need it:
    a mounted app answers its own errors before the outer app sees them)."""

    def busy(request: Request, exc: Exception) -> Response:
        # sync: Starlette runs it in a worker thread, so the shop's look is read off the loop
        state = store_state_of(exc)
        if state not in (StoreState.BUSY, StoreState.READ_ONLY):
            raise exc
        log.warning("%s %s answered 503: the store is %s", request.method, request.url.path,
                    state.value)  # fmt: skip
        if any(part in request.url.path for part in MACHINE_PATHS):
            seconds = int(BUSY_RETRY_AFTER.total_seconds())
            return JSONResponse(
                {"detail": f"the store is {state.value}; retry later", "retry_after": seconds},
                status_code=503,
                headers={"Retry-After": str(seconds)},
            )
        return store_busy(shopcare, request)

    app.add_exception_handler(sa.exc.OperationalError, busy)
