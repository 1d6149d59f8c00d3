"""The shopper's tracking page, ``/t/{token}``.

Handlers only read the request, call one service and pick a template; the rules live in the
services. Service calls are blocking (SQLite), so GET handlers are plain ``def`` (FastAPI runs
them in a thread) and POST handlers, which must await the form, hand the rest to a thread with
``run_in_threadpool``.

The tracking page is the exception: it is the busiest page, and its work (three queries and
a render, about a millisecond) runs in one thread hop through a small limiter of its own.
Forty threads all reading SQLite at once spend their time handing the GIL to each other:
measured in-process, 32 threads served a third of what one thread does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, Request
from fastapi.responses import Response

from shopcare.services.offers import offer_for_order
from shopcare.services.page_views import PageKind, record_page_view
from shopcare.services.tracking_page import tracking_page as tracking_page_view
from shopcare.ui.public.forms import shopper_router
from shopcare.ui.public.pages import not_found
from shopcare.ui.public.templating import render

if TYPE_CHECKING:
    from shopcare.app import ShopCare

TRACKING_PAGE_THREADS = 4
"""Tracking pages rendered at once; more queue (a page takes about a millisecond)."""


def public_router(shopcare: ShopCare) -> APIRouter:
    router = shopper_router(shopcare.settings.secret)
    limiter = CapacityLimiter(TRACKING_PAGE_THREADS)

    @router.get("/t/{token}")
    async def tracking_page(token: str, request: Request) -> Response:
        return await to_thread.run_sync(
            tracking_page_response, shopcare, token, request, limiter=limiter
        )

    return router


def tracking_page_response(shopcare: ShopCare, token: str, request: Request) -> Response:
    """The whole page, blocking: the order read, the view counted, the offer chosen, the
    template rendered."""
    now = shopcare.clock()
    page = tracking_page_view(shopcare.sessions, token, now=now)
    if page is None:
        return not_found(shopcare, request)
    order = page.order
    record_page_view(shopcare.sessions, PageKind.TRACKING_VIEW, now=now, order_id=order.id)
    offer = offer_for_order(shopcare.sessions, order.token, now=now, order=order)
    return render(
        "tracking.html",
        request,
        shopper_locale=order.locale,
        shop=order.shop,
        order=order,
        page=page,
        offer=offer,
        reported=request.query_params.get("reported") == "1",
    )
