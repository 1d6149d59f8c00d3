"""``/webhooks/carrier/{name}``: signed pushes from carriers and aggregators.

The signature is checked on the raw body before anything is parsed or stored; a bad one
gets 401 and leaves no trace. Answers are quick (providers retry slow endpoints). A body
over 2 MB is refused (413) without reading the rest, whether or not the provider is set up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from shopcare.services.tracking.push_checks import PushRejected, receive_push
from shopcare.ui.bodies import capped_body, too_large

if TYPE_CHECKING:
    from shopcare.app import ShopCare


def webhooks_router(shopcare: ShopCare) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.post("/webhooks/carrier/{name}")
    async def carrier_push(name: str, request: Request) -> JSONResponse:
        body = await capped_body(request)
        if body is None:  # refused before the provider is looked up: nothing big is kept
            return too_large()
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            outcome = await run_in_threadpool(
                receive_push, shopcare.sessions, name, headers, body, now=shopcare.clock()
            )
        except PushRejected as exc:
            return JSONResponse({"ok": False, "error": str(exc)}, status_code=exc.status)
        return JSONResponse(
            {"ok": True, "duplicate": outcome.duplicate, "updated": outcome.updated}
        )

    return router
