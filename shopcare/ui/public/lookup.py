"""``/track`` and ``/returns``: finding an order without its link.

Order number plus email or postal code leads to the order's page; anything wrong gets one and
the same answer, and attempts are limited per client address.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from shopcare.domain.ratelimit import RateLimiter
from shopcare.services.lookup import find_order_token
from shopcare.services.shop import get_profile
from shopcare.ui.public.forms import form_fields, see_other, shopper_router
from shopcare.ui.public.pages import LOOKUP_WINDOW, too_many_attempts
from shopcare.ui.public.templating import render
from shopcare.ui.public.words import N_

if TYPE_CHECKING:
    from shopcare.app import ShopCare

LOOKUP_LIMIT = 10
NOT_FOUND = N_("We could not find an order with these details.")


@dataclass(frozen=True)
class LookupForm:
    """The two verification forms differ only in words and where a match leads."""

    action: str
    title: str
    intro: str
    button: str
    next_page: str  # formatted with the order's token


TRACK = LookupForm(
    action="/track",
    title=N_("Track your order"),
    intro=N_("Enter your order number and the email address or postal code of the order."),
    button=N_("Show my order"),
    next_page="/t/{token}",
)
RETURNS = LookupForm(
    action="/returns",
    title=N_("Return items"),
    intro=N_("To start a return, enter your order number and the email address or postal code."),
    button=N_("Continue"),
    next_page="/t/{token}/return",
)


def lookup_router(shopcare: ShopCare) -> APIRouter:
    router = shopper_router(shopcare.settings.secret)
    limiter = RateLimiter(limit=LOOKUP_LIMIT, window=LOOKUP_WINDOW)
    for form in (TRACK, RETURNS):
        _add_lookup(router, shopcare, limiter, form)
    return router


def _add_lookup(
    router: APIRouter, shopcare: ShopCare, limiter: RateLimiter, form: LookupForm
) -> None:
    """GET shows the form; POST verifies, limited per client address against guessing."""

    def show(request: Request) -> Response:
        return render("lookup.html", request, shop=get_profile(shopcare.sessions), form=form)

    async def verify(request: Request) -> Response:
        client = request.client.host if request.client else "unknown"
        if not limiter.allow(client, now=shopcare.clock()):
            return await run_in_threadpool(too_many_attempts, shopcare, request)
        fields = await form_fields(request)
        return await run_in_threadpool(lookup, shopcare, request, form, fields)

    router.add_api_route(form.action, show, methods=["GET"])
    router.add_api_route(form.action, verify, methods=["POST"])


def lookup(
    shopcare: ShopCare, request: Request, form: LookupForm, fields: Mapping[str, str]
) -> Response:
    """A match redirects; anything else gets one and the same page, whatever was wrong."""
    token = find_order_token(
        shopcare.sessions,
        order_number=fields.get("order_number", ""),
        secret=fields.get("contact", ""),
    )
    if token:
        return see_other(request, form.next_page.format(token=token))
    return render(
        "lookup.html", request, shop=get_profile(shopcare.sessions), form=form, error=NOT_FOUND
    )
