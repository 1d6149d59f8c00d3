"""``POST /webhooks/shopify`` and ``POST /webhooks/woocommerce``: orders and parcels pushed by
the shop platform.

The answer comes as soon as the delivery is verified and stored; applying it runs right
after the response, in a worker thread (``services.intake.webhooks``). A body over the cap
is refused from its Content-Length, or while it streams in, without reading the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from shopcare.services.intake.webhooks import (
    MAX_BODY,
    WebhookRejected,
    apply_delivery,
    receive_delivery,
)

if TYPE_CHECKING:
    from shopcare.app import ShopCare


def platform_webhooks_router(shopcare: ShopCare) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    async def receive(platform: str, request: Request) -> JSONResponse:
        body = await _capped_body(request)
        if body is None:
            return _refused(f"body over {MAX_BODY} bytes", 413)
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


async def _capped_body(request: Request) -> bytes | None:
    """The body, or None when it is over MAX_BODY: the declared length is believed when it
    is too long, and counted otherwise (it may be absent or false)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _refused(reason: str, status: int) -> JSONResponse:
    return JSONResponse({"ok": False, "error": reason}, status_code=status)
