"""The shopper's tracking page, ``/t/{token}``.

Handlers only read the request, call one service and pick a template; the rules live in the
services. Service calls are blocking (SQLite), so GET handlers are plain ``def`` (FastAPI runs
them in a thread) and POST handlers, which must await the form, hand the rest to a thread with
``run_in_threadpool``.

The tracking page is the exception: it is the busiest page, and its work (three reads from
SQLite in WAL mode, which never wait for a writer, and a render: about a millisecond) runs on
the event loop itself. Viewing it never writes (views are counted in memory and the feedback
form is made only when the shopper follows the prompt), so nothing in it can wait on a lock.
Measured under wrk at 32 connections: about 600 pages/s on the loop against 370-500 through
a thread hop, where threads spend their time handing the GIL to each other.

A shopper's repeat view is answered ``304 Not Modified`` when nothing the page shows has
changed (:mod:`shopcare.ui.public.conditional`): the reads and the counted view still happen,
the rendering and the bytes do not. The order lookup's result is this page (a redirect here),
so it revalidates the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from shopcare.domain.messages import LINK_PARAMETER, kind_of_link
from shopcare.services.offers.placement import offer_for_order
from shopcare.services.shop.logo import LOGO_PATH
from shopcare.services.shopper_site.feedback import feedback_form_for_order
from shopcare.services.shopper_site.page_views import PageKind, record_page_view
from shopcare.services.shopper_site.tracking_page import shown
from shopcare.services.shopper_site.tracking_page import tracking_page as tracking_page_view
from shopcare.ui.public.conditional import (
    Validators,
    entity_tag,
    not_modified,
    validator_headers,
)
from shopcare.ui.public.csrf import form_cookie
from shopcare.ui.public.forms import prefix, see_other, shopper_router
from shopcare.ui.public.pages import not_found
from shopcare.ui.public.templating import SECURITY_HEADERS, choose_locale, render

if TYPE_CHECKING:
    from shopcare.app import ShopCare

VARY = "Accept-Language, Cookie"
"""The language may come from the browser, and the forms are signed for its cookie."""
_REPEATED = frozenset({*(name.lower() for name in SECURITY_HEADERS), "content-language"})
"""The full answer's headers a 304 sends again (RFC 9110 15.4.5: those it would have sent)."""


def public_router(shopcare: ShopCare) -> APIRouter:
    router = shopper_router(shopcare.settings.secret)
    validators = Validators()

    @router.api_route("/t/{token}", methods=["GET", "HEAD"])
    async def tracking_page(token: str, request: Request) -> Response:
        return tracking_page_response(shopcare, token, request, validators=validators)

    @router.get("/t/{token}/feedback")
    def feedback_form(token: str, request: Request) -> Response:
        """The page's feedback prompt: the form is made on the first visit, so that merely
        viewing the tracking page never writes."""
        form = feedback_form_for_order(shopcare.sessions, token, now=shopcare.clock())
        if form is None:
            return not_found(shopcare, request)
        if not form:  # already answered
            return see_other(request, f"/t/{token}")
        return see_other(request, f"/feedback/{form}")

    @router.get(LOGO_PATH)
    def logo(request: Request) -> Response:
        """The logo the owner uploaded, for emails and the tracking page (its address
        carries a version, so it may be cached for long)."""
        path = shopcare.settings.data_dir / "logo.png"
        if not path.is_file():
            return not_found(shopcare, request)
        return FileResponse(
            path,
            media_type="image/png",
            headers={
                "Cache-Control": "public, max-age=604800",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return router


def tracking_page_response(
    shopcare: ShopCare, token: str, request: Request, *, validators: Validators
) -> Response:
    """The whole page, blocking: the order read, the view counted, the offer chosen, then
    either ``304 Not Modified`` (the browser's copy is this page: still a view) or the
    template rendered, with the validators of :mod:`shopcare.ui.public.conditional`."""
    now = shopcare.clock()
    page = tracking_page_view(shopcare.sessions, token, now=now)
    if page is None:
        return not_found(shopcare, request)
    order = page.order
    record_page_view(
        shopcare.sessions,
        PageKind.TRACKING_VIEW,
        now=now,
        order_id=order.id,
        message_kind=kind_of_link(request.query_params.get(LINK_PARAMETER)),
    )
    offer = offer_for_order(shopcare.sessions, order.token, now=now, order=order)
    shop = order.shop
    flags = {
        "reported": request.query_params.get("reported") == "1",
        "whatsapp_done": request.query_params.get("whatsapp", ""),
    }
    locale = choose_locale(
        request, order.locale, fallback=shop.default_language, offered=shop.languages
    )
    variant = repr((order.token, locale, form_cookie(request), prefix(request), flags))
    etag = entity_tag(variant, shown(page) + repr(offer))
    seen = validators.see(variant, etag, now=now)
    answer = validator_headers(seen, now=now, vary=VARY)
    if seen.headers is not None and not_modified(request, seen, now=now):
        return Response(status_code=304, headers={**seen.headers, **answer})
    response = render(
        "tracking.html",
        request,
        shopper_locale=order.locale,
        shop=shop,
        order=order,
        page=page,
        offer=offer,
        whatsapp=page.whatsapp,
        whatsapp_path=f"/t/{order.token}/whatsapp",
        **flags,
    )
    response.headers.update(answer)
    repeated = {k: v for k, v in response.headers.items() if k in _REPEATED}
    validators.rendered(variant, seen, repeated)
    if not_modified(request, seen, now=now):  # a copy from before this process knew it
        return Response(status_code=304, headers={**repeated, **answer})
    return response
