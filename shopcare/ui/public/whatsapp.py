"""The shopper's yes or no to WhatsApp updates, from their tracking page
(``/t/{token}/whatsapp``) and their account page (``/account/{token}/whatsapp``); ``/stop``
after either withdraws it. Plain forms with the CSRF token, no script: each post records
the choice (``services.messages.subscriptions``) and goes back to the page, which says
what changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from shopcare.services.errors import InputError
from shopcare.services.messages.subscriptions import (
    record_whatsapp_consent,
    record_whatsapp_consent_for_order,
)
from shopcare.services.shop.profile import get_profile
from shopcare.services.shopper_site.account import read_account_token
from shopcare.ui.public.account import link_not_valid
from shopcare.ui.public.forms import form_fields, see_other, shopper_router
from shopcare.ui.public.pages import not_found
from shopcare.ui.public.templating import render
from shopcare.ui.public.words import N_

if TYPE_CHECKING:
    from shopcare.app import ShopCare

NO_CONSENT = N_("Please tick the box to agree to WhatsApp messages.")
BAD_PHONE = N_(
    "Please enter your mobile number with its country code, for example +44 7700 900123."
)

Record = Callable[[bool, str], bool]
"""Records the choice (given?, the phone typed); False when the page's owner is unknown."""


def whatsapp_router(shopcare: ShopCare) -> APIRouter:
    router = shopper_router(shopcare.settings.secret)

    async def answer(request: Request, record: Record, *, given: bool, page: str) -> Response:
        fields = await form_fields(request)
        problem = NO_CONSENT if given and fields.get("consent") != "yes" else ""
        if not problem:
            try:
                if not await run_in_threadpool(record, given, fields.get("phone", "")[:64]):
                    return not_found(shopcare, request)
            except InputError:
                problem = BAD_PHONE
        if problem:
            return render(
                "note.html", request, status_code=400, shop=get_profile(shopcare.sessions),
                failed=True, title=N_("WhatsApp updates"), text=problem,
                back=f"{page}#whatsapp", back_label=N_("Go back"),
            )  # fmt: skip
        return see_other(request, f"{page}?whatsapp={'on' if given else 'off'}#whatsapp")

    def by_order(token: str) -> Record:
        return lambda given, phone: record_whatsapp_consent_for_order(
            shopcare.sessions, token, given=given, phone=phone, now=shopcare.clock()
        )

    @router.post("/t/{token}/whatsapp")
    async def order_agrees(token: str, request: Request) -> Response:
        return await answer(request, by_order(token), given=True, page=f"/t/{token}")

    @router.post("/t/{token}/whatsapp/stop")
    async def order_stops(token: str, request: Request) -> Response:
        return await answer(request, by_order(token), given=False, page=f"/t/{token}")

    async def from_account(token: str, request: Request, *, given: bool) -> Response:
        customer_id = read_account_token(
            token, secret=shopcare.settings.secret, now=shopcare.clock()
        )
        if customer_id is None:
            await form_fields(request)  # the CSRF check first, as for every form
            return await run_in_threadpool(link_not_valid, shopcare, request)

        def record(agreed: bool, phone: str) -> bool:
            return record_whatsapp_consent(
                shopcare.sessions, customer_id, given=agreed, phone=phone, now=shopcare.clock()
            )

        return await answer(request, record, given=given, page=f"/account/{token}")

    @router.post("/account/{token}/whatsapp")
    async def account_agrees(token: str, request: Request) -> Response:
        return await from_account(token, request, given=True)

    @router.post("/account/{token}/whatsapp/stop")
    async def account_stops(token: str, request: Request) -> Response:
        return await from_account(token, request, given=False)

    return router
