"""The thank-you page the shop's checkout links to (``/thanks/{token}``), and the counted
click on an offer (``/o/{offer id}/{token}``).

The click answers with the offer's stored link only, never with anything from the URL, so
the path cannot be used to send people elsewhere (no open redirect).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from shopcare.domain.numbers import parse_whole
from shopcare.services.offers.placement import follow_offer, offer_for_order
from shopcare.services.orders.views import order_view_by_token
from shopcare.services.shopper_site.page_views import PageKind, record_page_view
from shopcare.ui.public.forms import shopper_router
from shopcare.ui.public.pages import not_found
from shopcare.ui.public.templating import SECURITY_HEADERS, render

if TYPE_CHECKING:
    from shopcare.app import ShopCare


def offers_router(shopcare: ShopCare) -> APIRouter:
    router = shopper_router(shopcare.settings.secret)

    @router.get("/thanks/{token}")
    def thanks_page(token: str, request: Request) -> Response:
        order = order_view_by_token(shopcare.sessions, token)
        if order is None:
            return not_found(shopcare, request)
        now = shopcare.clock()
        record_page_view(shopcare.sessions, PageKind.THANKS_VIEW, now=now, order_id=order.id)
        offer = offer_for_order(shopcare.sessions, order.token, now=now, order=order)
        return render(
            "thanks.html",
            request,
            shopper_locale=order.locale,
            shop=order.shop,
            order=order,
            offer=offer,
        )

    @router.get("/o/{offer_id}/{token}")
    def offer_click(offer_id: str, token: str, request: Request) -> Response:
        number = parse_whole(offer_id)
        link = (
            None
            if number is None
            else follow_offer(shopcare.sessions, number, token, now=shopcare.clock())
        )
        if link is None:
            return not_found(shopcare, request)
        headers = {
            "Referrer-Policy": SECURITY_HEADERS["Referrer-Policy"],
            "Cache-Control": "no-store",
        }
        return RedirectResponse(link, status_code=303, headers=headers)

    return router
