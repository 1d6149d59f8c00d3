""" "Email me updates": the order's shopper opting back in (``/t/{token}/updates``), someone
with only a tracking number watching that parcel (``/track/number/watch``), and the watch's own
stop link (``/watch/{token}/stop``: GET asks, POST stops, also as an RFC 8058 one-click post).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from shopcare.domain.ratelimit import Limit
from shopcare.services.errors import InputError
from shopcare.services.limits.attempts import Limiter
from shopcare.services.messages.subscriptions import Who, is_known, resubscribe, unsubscribe
from shopcare.services.messages.watches import number_page_path, resume_updates, start_watch
from shopcare.services.shop.profile import get_profile
from shopcare.ui.public.forms import form_fields, see_other, shopper_router
from shopcare.ui.public.lookup import NO_PARCEL, allowed, client_address
from shopcare.ui.public.pages import LOOKUP_WINDOW, not_found, too_many_attempts
from shopcare.ui.public.templating import render
from shopcare.ui.public.words import N_

if TYPE_CHECKING:
    from shopcare.app import ShopCare

WATCH_LIMIT = 10
"""New watches per client address within ``LOOKUP_WINDOW``: each one may send email."""
BY_CLIENT = Limit("watch_client", WATCH_LIMIT, LOOKUP_WINDOW)
BAD_EMAIL = N_("Please enter a valid email address.")  # the service's words, translated


def updates_router(shopcare: ShopCare) -> APIRouter:
    router = shopper_router(shopcare.settings.secret)
    limiter = Limiter(shopcare.sessions, BY_CLIENT, shopcare.settings.secret)

    def note(request: Request, *, status: int = 200, **context: Any) -> Response:
        return render(
            "note.html", request, status_code=status, shop=get_profile(shopcare.sessions),
            failed=status >= 400, **context,
        )  # fmt: skip

    @router.post("/t/{token}/updates")
    async def resume(token: str, request: Request) -> Response:
        await form_fields(request)
        if not await run_in_threadpool(resume_updates, shopcare.sessions, token):
            return not_found(shopcare, request)
        return see_other(request, f"/t/{token}")

    @router.post("/track/number/watch")
    async def watch(request: Request) -> Response:
        if not await allowed(limiter, client_address(request), now=shopcare.clock()):
            return await run_in_threadpool(too_many_attempts, shopcare, request)
        fields = await form_fields(request)
        number = fields.get("tracking_number", "")[:64]
        try:
            started = await run_in_threadpool(
                start_watch, shopcare.sessions, tracking_number=number,
                email=fields.get("email", ""), now=shopcare.clock(),
            )  # fmt: skip
        except InputError as exc:
            return note(
                request, status=400, title=N_("Something is missing"), text=str(exc),
                back=number_page_path(number), back_label=N_("Back to the parcel"),
            )  # fmt: skip
        if not started:
            return note(request, status=404, title=N_("Track a parcel"), text=NO_PARCEL,
                        back="/track", back_label=N_("Find your order"))  # fmt: skip
        return note(
            request, title=N_("Check your email"),
            text=N_("We sent a link to confirm. Once you confirm, we will email you when "
                    "this parcel's status changes."),
            back=number_page_path(number), back_label=N_("Back to the parcel"),
        )  # fmt: skip

    def ask_then_do(
        action: str, do: Callable[[str], bool], *, ask: dict[str, Any], done: dict[str, Any]
    ) -> None:
        """GET asks with a button, because mail scanners follow links and must not act; POST
        acts. Mail providers' RFC 8058 one-click posts carry no token of ours, so stopping
        takes a post without one; confirming never does."""
        path = f"/watch/{{token}}/{action}"

        @router.get(path, name=f"watch_{action}_page")
        def ask_page(token: str, request: Request) -> Response:
            if not is_known(shopcare.sessions, token, who=Who.WATCH):
                return not_found(shopcare, request)
            return note(request, action=path.format(token=token), **ask)

        @router.post(path, name=f"watch_{action}")
        async def act(token: str, request: Request) -> Response:
            await form_fields(request, csrf=action != "stop")
            if not await run_in_threadpool(do, token):
                return not_found(shopcare, request)
            return note(request, **done)

    ask_then_do(
        "confirm",
        lambda token: resubscribe(shopcare.sessions, token, who=Who.WATCH),
        ask={"title": N_("Get updates about this parcel?"),
             "text": N_("We will email you when this parcel's status changes."),
             "button": N_("Yes, send me updates")},
        done={"title": N_("Thank you"),
              "text": N_("We will email you when this parcel's status changes.")},
    )  # fmt: skip
    ask_then_do(
        "stop",
        lambda token: unsubscribe(
            shopcare.sessions, token, now=shopcare.clock(), who=Who.WATCH
        ),
        ask={"title": N_("Stop updates about this parcel?"),
             "text": N_("You will not get emails about this parcel any more."),
             "button": N_("Stop updates")},
        done={"title": N_("Done"), "text": N_("Updates about this parcel have stopped.")},
    )  # fmt: skip

    return router
