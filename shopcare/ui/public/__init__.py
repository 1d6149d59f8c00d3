"""The shopper's side of ShopCare: plain server-rendered HTML that works without JavaScript,
so a tracking link opened from any mail client on any phone just shows the parcel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.responses import Response

if TYPE_CHECKING:
    from shopcare.app import ShopCare


def mount_public(app: FastAPI, shopcare: ShopCare) -> None:
    """Every public router and the page for a refused form, on ``app``: the one list, used by
    the running app and by the tests alike."""
    from shopcare.ui.public.account import account_router
    from shopcare.ui.public.csrf import CsrfRejected
    from shopcare.ui.public.feedback import feedback_router
    from shopcare.ui.public.lookup import lookup_router
    from shopcare.ui.public.offers import offers_router
    from shopcare.ui.public.pages import form_expired
    from shopcare.ui.public.reports import reports_router
    from shopcare.ui.public.returns_portal import returns_router
    from shopcare.ui.public.routes import public_router
    from shopcare.ui.public.subscriptions import subscriptions_router
    from shopcare.ui.public.updates import updates_router
    from shopcare.ui.public.whatsapp import whatsapp_router

    for router in (
        public_router(shopcare),
        lookup_router(shopcare),
        offers_router(shopcare),
        returns_router(shopcare),
        subscriptions_router(shopcare),
        feedback_router(shopcare),
        account_router(shopcare),
        reports_router(shopcare),
        updates_router(shopcare),
        whatsapp_router(shopcare),
    ):
        app.include_router(router)

    async def refused(request: Request, exc: Exception) -> Response:
        return form_expired(shopcare, request)

    app.add_exception_handler(CsrfRejected, refused)
