"""``POST /webhooks/twilio/status``: Twilio's delivery reports for SMS and WhatsApp messages
(``services.messages.delivery``).

A post not signed by Twilio gets 403 and changes nothing; a body over ``TWILIO_BODY`` is
refused (413) unread. Every signed post gets 200, even one about a message that is not ours:
Twilio has nothing to retry, and an error answer would only fill its debugger.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from shopcare.services.messages.delivery import STATUS_PATH, NotFromTwilio, receive_status
from shopcare.ui.bodies import TWILIO_BODY, capped_body, too_large

if TYPE_CHECKING:
    from shopcare.app import ShopCare


def twilio_webhooks_router(shopcare: ShopCare) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.post(STATUS_PATH)
    async def twilio_status(request: Request) -> JSONResponse:
        body = await capped_body(request, limit=TWILIO_BODY)
        if body is None:
            return too_large(TWILIO_BODY)
        params = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        query = f"?{request.url.query}" if request.url.query else ""

        def receive() -> str:
            # The address we gave Twilio, as it called it; and as this server saw it (the
            # same, unless the owner's proxy rewrites it).
            urls = [shopcare.public_url + STATUS_PATH + query, str(request.url)]
            signature = request.headers.get("x-twilio-signature", "")
            return receive_status(shopcare.sessions, params, signature=signature, urls=urls)

        try:
            report = await run_in_threadpool(receive)
        except NotFromTwilio:
            return JSONResponse({"ok": False, "error": "not signed by Twilio"}, status_code=403)
        return JSONResponse({"ok": True, "report": report})

    return router
