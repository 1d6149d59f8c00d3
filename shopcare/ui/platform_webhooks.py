"""``POST /webhooks/shopify`` and ``POST /webhooks/woocommerce``: orders and parcels pushed by
the shop platform.

The answer comes as soon as the delivery is verified and stored; applying it runs right
after the response, in a worker thread (``services.intake.webhooks``). A body over the cap
is refused without reading the rest (``ui.bodies``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from shopcare.services.intake.webhooks import (
    WebhookRejected,
    apply_delivery,
    receive_delivery,
)
from shopcare.ui.bodies import capped_body, too_large

if TYPE_CHECKING:
    from shopcare.app import ShopCare


def platform_webhooks_router(shopcare: ShopCare) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    async def receive(platform: str, request: Request) -> JSONResponse:
        body = await capped_body(request)
        if body is None:
            return too_large()
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            received = await run_in_threadpool(
                receive_delivery, shopcare.sessions, platform, headers, body, now=shopcare.clock()
            )
        except WebhookRejected as exc:
            return _refused(str(exc), exc.status)
        task = None
        if received.delivery_id is not None:
            task = BackgroundTask(
                run_in_threadpool,
                apply_delivery,
                shopcare.sessions,
                received.delivery_id,
                now=shopcare.clock(),
                carriers=shopcare.carrier_names,
            )
        return JSONResponse({"ok": True, "duplicate": received.duplicate}, background=task)

    @router.post("/webhooks/shopify")
    async def shopify(request: Request) -> JSONResponse:
        return await receive("shopify", request)

    @router.post("/webhooks/woocommerce")
    async def woocommerce(request: Request) -> JSONResponse:
        return await receive("woocommerce", request)

    return router


def _refused(reason: str, status: int) -> JSONResponse:
    return JSONResponse({"ok": False, "error": reason}, status_code=status)
