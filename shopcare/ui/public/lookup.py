"""``/track`` and ``/returns``: finding an order without its link; ``/track/number``: a
parcel by its tracking number alone.

Order number plus email or postal code leads to the order's page; anything wrong gets one and
the same answer. Attempts are limited per client address and, whatever the address, per order
number, so a guesser spread over many addresses still gets few tries at one order. A tracking
number shows the carrier's public news only, rendered in place (no redirect, no order token).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from shopcare.domain.messages import LINK_PARAMETER, kind_of_link
from shopcare.domain.ratelimit import Limit
from shopcare.services.limits.attempts import Limiter
from shopcare.services.shop.profile import get_profile
from shopcare.services.shopper_site.lookup import find_order, fold_order_number, parcel_by_number
from shopcare.services.shopper_site.page_views import PageKind, record_page_view
from shopcare.ui.public.forms import form_fields, see_other, shopper_router
from shopcare.ui.public.pages import LOOKUP_WINDOW, too_many_attempts
from shopcare.ui.public.templating import render
from shopcare.ui.public.words import N_

if TYPE_CHECKING:
    from shopcare.app import ShopCare

LOOKUP_LIMIT = 10
"""Per client address, within ``LOOKUP_WINDOW``."""
ORDER_NUMBER_LIMIT = 12
ORDER_NUMBER_WINDOW = timedelta(hours=1)
"""Per order number from any address: above the per-address limit, so one shopper who
mistypes never meets it first, yet a spread-out guesser gets a dozen tries an hour."""
NUMBER_LOOKUP_LIMIT = 30
"""Tracking-number lookups per client address within ``LOOKUP_WINDOW``."""
BY_CLIENT = Limit("lookup_client", LOOKUP_LIMIT, LOOKUP_WINDOW)
BY_ORDER_NUMBER = Limit("lookup_order_number", ORDER_NUMBER_LIMIT, ORDER_NUMBER_WINDOW)
NUMBER_BY_CLIENT = Limit("number_lookup_client", NUMBER_LOOKUP_LIMIT, LOOKUP_WINDOW)
NOT_FOUND = N_("We could not find an order with these details.")
NO_PARCEL = N_("We could not find a parcel with this tracking number.")


@dataclass(frozen=True)
class LookupForm:
    """The two verification forms differ only in words and where a match leads."""

    action: str
    title: str
    intro: str
    button: str
    next_page: str  # formatted with the order's token
    by_number: bool = False
    """Also offer the tracking-number form."""


TRACK = LookupForm(
    action="/track",
    title=N_("Track your order"),
    intro=N_("Enter your order number and the email address or postal code of the order."),
    button=N_("Show my order"),
    next_page="/t/{token}",
    by_number=True,
)
RETURNS = LookupForm(
    action="/returns",
    title=N_("Return items"),
    intro=N_("To start a return, enter your order number and the email address or postal code."),
    button=N_("Continue"),
    next_page="/t/{token}/return",
)


@dataclass(frozen=True)
class LookupLimits:
    clients: Limiter
    order_numbers: Limiter
    parcels: Limiter


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def lookup_router(shopcare: ShopCare) -> APIRouter:
    router = shopper_router(shopcare.settings.secret)
    sessions, secret = shopcare.sessions, shopcare.settings.secret
    limits = LookupLimits(
        clients=Limiter(sessions, BY_CLIENT, secret),
        order_numbers=Limiter(sessions, BY_ORDER_NUMBER, secret),
        parcels=Limiter(sessions, NUMBER_BY_CLIENT, secret),
    )
    for form in (TRACK, RETURNS):
        _add_lookup(router, shopcare, limits, form)
    _add_number_lookup(router, shopcare, limits.parcels)
    return router


def _add_lookup(
    router: APIRouter, shopcare: ShopCare, limits: LookupLimits, form: LookupForm
) -> None:
    """GET shows the form; POST verifies, limited per client address and per order number."""

    def show(request: Request) -> Response:
        return render("lookup.html", request, shop=get_profile(shopcare.sessions), form=form)

    async def verify(request: Request) -> Response:
        now = shopcare.clock()
        if not await allowed(limits.clients, client_address(request), now=now):
            return await run_in_threadpool(too_many_attempts, shopcare, request)
        fields = await form_fields(request)
        number = fold_order_number(fields.get("order_number", "")).casefold()[:64]
        if number and not await allowed(limits.order_numbers, number, now=now):
            return await run_in_threadpool(too_many_attempts, shopcare, request)
        return await run_in_threadpool(lookup, shopcare, request, form, fields)

    router.add_api_route(form.action, show, methods=["GET"])
    router.add_api_route(form.action, verify, methods=["POST"])


def lookup(
    shopcare: ShopCare, request: Request, form: LookupForm, fields: Mapping[str, str]
) -> Response:
    """A match redirects; anything else gets one and the same page, whatever was wrong, after
    the same work (the lookup and one recorded view)."""
    found = find_order(
        shopcare.sessions,
        order_number=fields.get("order_number", "")[:64],
        secret=fields.get("contact", "")[:320],
    )
    record_page_view(
        shopcare.sessions,
        PageKind.LOOKUP if found else PageKind.LOOKUP_FAILED,
        now=shopcare.clock(),
        order_id=found.id if found else None,
    )
    if found:
        return see_other(request, form.next_page.format(token=found.token))
    return render(
        "lookup.html", request, shop=get_profile(shopcare.sessions), form=form, error=NOT_FOUND
    )


async def allowed(limiter: Limiter, key: str, *, now: datetime) -> bool:
    """Counts an attempt in the store, off the event loop."""
    return (await run_in_threadpool(limiter.attempt, key, now=now)).allowed


def _add_number_lookup(router: APIRouter, shopcare: ShopCare, limiter: Limiter) -> None:
    """The form posts here; GET with ``?tracking_number=`` is the link in watchers' emails.
    Both are limited per client address: a tracking number is the only key to this page."""

    @router.get("/track/number")
    async def number_link(request: Request, tracking_number: str = "") -> Response:
        if not tracking_number:
            return see_other(request, "/track")
        return await _number_page(shopcare, request, limiter, tracking_number)

    @router.post("/track/number")
    async def number_form(request: Request) -> Response:
        fields = await form_fields(request)
        return await _number_page(shopcare, request, limiter, fields.get("tracking_number", ""))


async def _number_page(
    shopcare: ShopCare, request: Request, limiter: Limiter, tracking_number: str
) -> Response:
    if not await allowed(limiter, client_address(request), now=shopcare.clock()):
        return await run_in_threadpool(too_many_attempts, shopcare, request)
    return await run_in_threadpool(number_page, shopcare, request, tracking_number)


def number_page(shopcare: ShopCare, request: Request, tracking_number: str) -> Response:
    parcel = parcel_by_number(shopcare.sessions, tracking_number)
    record_page_view(
        shopcare.sessions,
        PageKind.NUMBER_LOOKUP,
        now=shopcare.clock(),
        order_id=parcel.order_id if parcel else None,
        message_kind=kind_of_link(request.query_params.get(LINK_PARAMETER)),
    )
    return render(
        "number_lookup.html",
        request,
        shop=get_profile(shopcare.sessions),
        parcel=parcel,
        error=None if parcel else NO_PARCEL,
    )
