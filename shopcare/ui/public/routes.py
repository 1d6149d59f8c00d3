"""The shopper's tracking page, ``/t/{token}``.

Handlers only read the request, call one service and pick a template; the rules live in the
services. Service calls are blocking (SQLite), so GET handlers are plain ``def`` (FastAPI runs
them in a thread) and POST handlers, which must await the form, hand the rest to a thread with
``run_in_threadpool``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import Response

from shopcare.services.offers import offer_for_order
from shopcare.services.page_views import PageKind, record_page_view
from shopcare.services.views import order_view_by_token
from shopcare.ui.public.forms import shopper_router
from shopcare.ui.public.pages import not_found
from shopcare.ui.public.templating import render

if TYPE_CHECKING:
    from shopcare.app import ShopCare


def public_router(shopcare: ShopCare) -> APIRouter:
    router = shopper_router(shopcare.settings.secret)

    @router.get("/t/{token}")
    def tracking_page(token: str, request: Request) -> Response:
        order = order_view_by_token(shopcare.sessions, token)
        if order is None:
            return not_found(shopcare, request)
        now = shopcare.clock()
        record_page_view(shopcare.sessions, PageKind.TRACKING_VIEW, now=now, order_id=order.id)
        offer = offer_for_order(shopcare.sessions, order.token, now=now)
        return render(
            "tracking.html",
            request,
            shopper_locale=order.locale,
            shop=order.shop,
            order=order,
            offer=offer,
        )

    return router
