"""Answers every public page can give: not found (or no longer available: a link to data
erased at the shopper's request), too many attempts, a form that expired, a store too busy
to take a write."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import Response

from shopcare.services.privacy.links import is_erased_link
from shopcare.services.shop.profile import ShopProfile, get_profile
from shopcare.ui.public.templating import render
from shopcare.ui.public.words import N_

if TYPE_CHECKING:
    from shopcare.app import ShopCare

LOOKUP_WINDOW = timedelta(minutes=10)
BUSY_RETRY_AFTER = timedelta(minutes=1)


def not_found(shopcare: ShopCare, request: Request) -> Response:
    """A link that finds nothing: "no longer available" when it led to erased data."""
    gone = no_longer_available(shopcare, request)
    if gone is not None:
        return gone
    return render(
        "message.html",
        request,
        status_code=404,
        shop=get_profile(shopcare.sessions),
        title=N_("Page not found"),
        text=N_("This link does not lead to an order or return. It may be mistyped or old."),
        links=[("/track", N_("Find your order"))],
    )


def no_longer_available(shopcare: ShopCare, request: Request) -> Response | None:
    """410 for a link whose order, return or feedback was erased (``services.privacy``);
    None for any other link, which the caller answers as it does."""
    if not is_erased_link(shopcare.sessions, request.url.path):
        return None
    return render(
        "message.html",
        request,
        status_code=410,
        shop=get_profile(shopcare.sessions),
        title=N_("No longer available"),
        text=N_("The details behind this link were deleted on request."),
        links=[],
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


def form_expired(shopcare: ShopCare, request: Request) -> Response:
    """A post without this browser's CSRF token: an old tab, cookies off, or another site."""
    back = request.headers.get("referer", "")
    return render(
        "message.html",
        request,
        status_code=403,
        shop=get_profile(shopcare.sessions),
        title=N_("Please try again"),
        text=N_("This form has expired or cookies are blocked. Reload the page and send it again."),
        links=[(request.url.path, N_("Reload the page"))] if not back else [],
    )


def store_busy(shopcare: ShopCare, request: Request) -> Response:
    """The store cannot take a write just now (see ``shopcare.ui.busy``): try again soon."""
    try:  # a read, which a locked store still allows; the default look if even that fails
        shop = get_profile(shopcare.sessions)
    except sa.exc.SQLAlchemyError:
        shop = ShopProfile()
    response = render(
        "message.html",
        request,
        status_code=503,
        shop=shop,
        title=N_("We are busy"),
        text=N_("We are busy — please try again in a minute."),
        links=[],
    )
    response.headers["Retry-After"] = str(int(BUSY_RETRY_AFTER.total_seconds()))
    return response
