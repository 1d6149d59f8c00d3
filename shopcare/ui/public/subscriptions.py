"""``/unsubscribe/{token}`` (RFC 8058): the shopper's answer to our emails' unsubscribe link
(``feedback`` answers the feedback email). GET never changes anything (mail scanners follow
links); POST does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from shopcare.services.messages.subscriptions import is_known, resubscribe, unsubscribe
from shopcare.services.shop.profile import get_profile
from shopcare.ui.public.forms import form_fields, shopper_router
from shopcare.ui.public.pages import no_longer_available
from shopcare.ui.public.templating import render
from shopcare.ui.public.words import N_

if TYPE_CHECKING:
    from shopcare.app import ShopCare


def subscriptions_router(shopcare: ShopCare) -> APIRouter:
    router = shopper_router(shopcare.settings.secret)

    def page(
        request: Request, title: str, text: str, *, status: int = 200, **extra: Any
    ) -> Response:
        return render(
            "answer.html", request, status_code=status, shop=get_profile(shopcare.sessions),
            title=title, text=text, **extra,
        )  # fmt: skip

    def invalid(request: Request) -> Response:
        gone = no_longer_available(shopcare, request)
        if gone is not None:
            return gone
        return page(
            request, N_("Link not valid"), N_("This link is not valid any more."), status=404
        )

    @router.get("/unsubscribe/{token}")
    def unsubscribe_page(token: str, request: Request) -> Response:
        if not is_known(shopcare.sessions, token):
            return invalid(request)
        return page(
            request,
            N_("Stop emails about your orders?"),
            N_("You will still get answers to what you ask for, such as returns."),
            action=f"/unsubscribe/{token}",
            button=N_("Unsubscribe"),
        )

    @router.post("/unsubscribe/{token}")
    async def unsubscribe_now(token: str, request: Request) -> Response:
        # RFC 8058 one-click posts come from the mail provider, without our token; they can
        # only unsubscribe, never undo.
        fields = await form_fields(request, csrf=False)
        if fields.get("undo") == "1":
            fields = await form_fields(request)
        if fields.get("undo") == "1":
            done = await run_in_threadpool(resubscribe, shopcare.sessions, token)
            text = N_("You will get updates about your orders again.")
        else:  # a form post or RFC 8058 one-click ("List-Unsubscribe=One-Click")
            done = await run_in_threadpool(
                unsubscribe, shopcare.sessions, token, now=shopcare.clock()
            )
            text = N_("You will not get optional emails about your orders any more.")
        if not done:
            return invalid(request)
        return page(
            request,
            N_("Done"),
            text,
            action=f"/unsubscribe/{token}",
            undo=fields.get("undo") != "1",
        )

    return router
