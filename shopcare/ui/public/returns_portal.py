"""The returns portal: choose items and a reason, then follow the return and print its slip."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from shopcare.services.errors import InputError
from shopcare.services.returns import (
    REASONS,
    open_return,
    return_by_token,
    return_slip_pdf,
    returnable_lines,
)
from shopcare.services.shop import get_profile
from shopcare.services.views import order_view_by_token
from shopcare.ui.public.forms import form_fields, see_other, shopper_router
from shopcare.ui.public.pages import not_found
from shopcare.ui.public.templating import SECURITY_HEADERS, render

if TYPE_CHECKING:
    from shopcare.app import ShopCare


def returns_router(shopcare: ShopCare) -> APIRouter:
    router = shopper_router(shopcare.settings.secret)

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
    return see_other(request, f"/r/{return_token}")


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
