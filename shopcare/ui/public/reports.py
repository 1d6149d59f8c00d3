"""``/t/{token}/problem``: "report a problem" from the tracking page, for the owner's list.

A good report redirects back to the tracking page with ``?reported=1``, where the form's
partial thanks the shopper; reports are limited per order, so a leaked link cannot flood the
owner's list.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from shopcare.domain.numbers import parse_whole
from shopcare.domain.ratelimit import Limit
from shopcare.services.errors import InputError
from shopcare.services.limits.attempts import Limiter
from shopcare.services.shop.profile import get_profile
from shopcare.services.shopper_site.problem_reports import MAX_MESSAGE, report_problem
from shopcare.ui.public.forms import form_fields, see_other, shopper_router
from shopcare.ui.public.lookup import allowed
from shopcare.ui.public.pages import not_found, too_many_attempts
from shopcare.ui.public.templating import render
from shopcare.ui.public.words import N_

if TYPE_CHECKING:
    from shopcare.app import ShopCare

REPORT_LIMIT = 5
REPORT_WINDOW = timedelta(hours=1)
BY_ORDER = Limit("problem_report_order", REPORT_LIMIT, REPORT_WINDOW)

# The service's reasons, marked here so they are translated when shown.
REASONS = (
    N_("Please choose what the problem is."),
    N_("Please describe the problem."),
    N_("Please keep the description under 2000 characters."),
    N_("Please choose one of this order's parcels."),
)


def reports_router(shopcare: ShopCare) -> APIRouter:
    router = shopper_router(shopcare.settings.secret)
    limiter = Limiter(shopcare.sessions, BY_ORDER, shopcare.settings.secret)

    @router.post("/t/{token}/problem")
    async def report(token: str, request: Request) -> Response:
        fields = await form_fields(request)
        if not await allowed(limiter, token[:64], now=shopcare.clock()):
            return await run_in_threadpool(too_many_attempts, shopcare, request)
        shipment = fields.get("shipment", "")
        shipment_id = parse_whole(shipment)
        try:
            if shipment.strip() and shipment_id is None:  # tampered: no parcel has that id
                raise InputError("Please choose one of this order's parcels.")
            stored = await run_in_threadpool(
                report_problem, shopcare.sessions, token, kind=fields.get("kind", ""),
                message=fields.get("message", "")[: MAX_MESSAGE + 1],
                shipment_id=shipment_id, now=shopcare.clock(),
            )  # fmt: skip
        except InputError as exc:
            return render(
                "note.html", request, status_code=400, shop=get_profile(shopcare.sessions),
                failed=True, title=N_("Something is missing"), text=str(exc),
                back=f"/t/{token}#problem", back_label=N_("Back to your order"),
            )  # fmt: skip
        if not stored:
            return not_found(shopcare, request)
        return see_other(request, f"/t/{token}?reported=1#problem")

    return router
