"""The shopper's pages: tracking, order lookup, the returns portal and the return slip.

Handlers only read the form, call one service and pick a template; the rules live in the
services. Service calls are blocking (SQLite, ReportLab), so GET handlers are plain ``def``
(FastAPI runs them in a thread) and POST handlers, which must await the form, hand the rest to
a thread with ``run_in_threadpool``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from shopcare.domain.ratelimit import RateLimiter
from shopcare.services.errors import InputError
from shopcare.services.lookup import find_order_token
from shopcare.services.returns import (
    REASONS,
    open_return,
    return_by_token,
    return_slip_pdf,
    returnable_lines,
)
from shopcare.services.shop import get_profile
from shopcare.services.views import order_view_by_token
from shopcare.ui.public.forms import form_fields
from shopcare.ui.public.templating import SECURITY_HEADERS, render
from shopcare.ui.public.words import N_

if TYPE_CHECKING:
    from shopcare.app import ShopCare

LOOKUP_LIMIT = 10
LOOKUP_WINDOW = timedelta(minutes=10)
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


def public_router(shopcare: ShopCare) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    limiter = RateLimiter(limit=LOOKUP_LIMIT, window=LOOKUP_WINDOW)

    @router.get("/t/{token}")
    def tracking_page(token: str, request: Request) -> Response:
        order = order_view_by_token(shopcare.sessions, token)
        if order is None:
            return not_found(shopcare, request)
        return render(
            "tracking.html", request, shopper_locale=order.locale, shop=order.shop, order=order
        )

    for form in (TRACK, RETURNS):
        _add_lookup(router, shopcare, limiter, form)

    @router.get("/t/{token}/return")
    def return_form(token: str, request: Request) -> Response:
        return return_form_page(shopcare, request, token)

    @router.post("/t/{token}/return")
    async def return_submit(token: str, request: Request) -> Response:
        fields = await form_fields(request)
        return await run_in_threadpool(submit_return, shopcare, request, token, fields)

    @router.get("/r/{token}")
    def return_status(token: str, request: Request) -> Response:
        return return_status_page(shopcare, request, token)

    @router.get("/r/{token}/slip.pdf")
    def return_slip(token: str, request: Request) -> Response:
        return return_slip_response(shopcare, request, token)

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
        return RedirectResponse(form.next_page.format(token=token), status_code=303)
    return render(
        "lookup.html", request, shop=get_profile(shopcare.sessions), form=form, error=NOT_FOUND
    )


def return_form_page(
    shopcare: ShopCare,
    request: Request,
    token: str,
    *,
    fields: Mapping[str, str] | None = None,
    error: str = "",
    status_code: int = 200,
) -> Response:
    order = order_view_by_token(shopcare.sessions, token)
    returnable = returnable_lines(shopcare.sessions, token)
    if order is None or returnable is None:
        return not_found(shopcare, request)
    fields = fields or {}
    items = [(line, returnable[line.id]) for line in order.lines if line.id in returnable]
    return render(
        "return_form.html",
        request,
        shopper_locale=order.locale,
        status_code=status_code,
        shop=order.shop,
        order=order,
        items=items,
        reasons=REASONS,
        chosen={line.id: fields.get(f"qty_{line.id}", "0") for line, _ in items},
        reason=fields.get("reason", ""),
        comment=fields.get("comment", ""),
        error=error,
    )


def submit_return(
    shopcare: ShopCare, request: Request, token: str, fields: Mapping[str, str]
) -> Response:
    try:
        return_token = open_return(
            shopcare.sessions,
            order_token=token,
            quantities=quantities(fields),
            reason=fields.get("reason", ""),
            comment=fields.get("comment", ""),
            now=shopcare.clock(),
        )
    except InputError as problem:
        return return_form_page(
            shopcare, request, token, fields=fields, error=str(problem), status_code=400
        )
    return RedirectResponse(f"/r/{return_token}", status_code=303)


def quantities(fields: Mapping[str, str]) -> dict[int, int]:
    """``qty_<line id>`` fields as numbers; a tampered field is an input error, not a 500."""
    chosen: dict[int, int] = {}
    for name, value in fields.items():
        if not name.startswith("qty_"):
            continue
        try:
            chosen[int(name.removeprefix("qty_"))] = int(value or 0)
        except ValueError:
            raise InputError("Choose the quantities from the lists.") from None
    return chosen


def return_status_page(shopcare: ShopCare, request: Request, token: str) -> Response:
    found = return_by_token(shopcare.sessions, token)
    if found is None:
        return not_found(shopcare, request)
    view, order_number = found
    return render(
        "return_status.html",
        request,
        shopper_locale=view.locale,
        shop=get_profile(shopcare.sessions),
        ret=view,
        order_number=order_number,
        reason_label=REASONS.get(view.reason),
    )


def return_slip_response(shopcare: ShopCare, request: Request, token: str) -> Response:
    """Inline, so a phone opens it in its viewer; no CSP, which some PDF viewers trip over."""
    found = return_by_token(shopcare.sessions, token)
    public_url = shopcare.settings.public_url
    pdf = return_slip_pdf(shopcare.sessions, token, public_url=public_url) if found else None
    if found is None or pdf is None:
        return not_found(shopcare, request)
    headers = {k: v for k, v in SECURITY_HEADERS.items() if k != "Content-Security-Policy"}
    headers["Content-Disposition"] = f'inline; filename="return-{found[0].rma}.pdf"'
    return Response(pdf, media_type="application/pdf", headers=headers)


def not_found(shopcare: ShopCare, request: Request) -> Response:
    return render(
        "message.html",
        request,
        status_code=404,
        shop=get_profile(shopcare.sessions),
        title=N_("Page not found"),
        text=N_("This link does not lead to an order or return. It may be mistyped or old."),
        links=[("/track", N_("Find your order"))],
    )


def too_many_attempts(shopcare: ShopCare, request: Request) -> Response:
    response = render(
        "message.html",
        request,
        status_code=429,
        shop=get_profile(shopcare.sessions),
        title=N_("Too many attempts"),
        text=N_("Please wait a few minutes before you try again."),
        links=[],
    )
    response.headers["Retry-After"] = str(int(LOOKUP_WINDOW.total_seconds()))
    return response
