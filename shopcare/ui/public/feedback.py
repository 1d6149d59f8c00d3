"""``/feedback/{token}``: the shopper's answer to the feedback email, in three short steps.

1. The email's eleven score links open ``?score=N``: a page with that score chosen and one
   button. GET never records (mail scanners follow every link); the button's POST does.
2. The same address, once answered: the score, CSAT, aspect ratings and a comment, all
   optional but the score; a second visit edits the answer.
3. ``/feedback/{token}/thanks``: the owner's review page for promoters, their thank-you code.

A link answers for 60 days (``domain.feedback.LINK_LIFETIME``); later, a page says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from shopcare.domain.feedback import RATINGS, Aspect
from shopcare.domain.numbers import parse_whole
from shopcare.services.errors import InputError
from shopcare.services.shop.profile import get_profile
from shopcare.services.shopper_site.feedback import (
    FeedbackDetails,
    FeedbackView,
    Recorded,
    feedback_by_token,
    record_feedback,
    thanks_for,
)
from shopcare.ui.public.forms import form_fields, see_other, shopper_router
from shopcare.ui.public.pages import no_longer_available
from shopcare.ui.public.templating import render
from shopcare.ui.public.words import N_

if TYPE_CHECKING:
    from shopcare.app import ShopCare

ASPECT_WORDS: dict[Aspect, str] = {
    Aspect.PRODUCT: N_("The product"),
    Aspect.DELIVERY: N_("Delivery speed"),
    Aspect.PACKAGING: N_("Packaging"),
    Aspect.COMMUNICATION: N_("Communication"),
}

# The service's reasons, marked here so they are translated when shown.
REASONS = (
    N_("Choose a score from 0 to 10."),
    N_("Choose a rating from 1 to 5."),
)


def feedback_router(shopcare: ShopCare) -> APIRouter:
    router = shopper_router(shopcare.settings.secret)

    def page(
        request: Request,
        template: str,
        *,
        locale: str | None = None,
        status: int = 200,
        **context: Any,
    ) -> Response:
        return render(
            template, request, shopper_locale=locale, status_code=status,
            shop=get_profile(shopcare.sessions), **context,
        )  # fmt: skip

    def invalid(request: Request) -> Response:
        gone = no_longer_available(shopcare, request)
        if gone is not None:
            return gone
        return page(
            request, "answer.html", status=404,
            title=N_("Link not valid"), text=N_("This link is not valid any more."),
        )  # fmt: skip

    def expired(request: Request, found: FeedbackView) -> Response:
        return page(
            request, "message.html", locale=found.locale, status=410,
            title=N_("This feedback link has expired"),
            text=N_("Feedback links stay open for 60 days. Thank you for wanting to tell us!"),
            links=[(f"/t/{found.order_token}", N_("Back to your order"))],
        )  # fmt: skip

    @router.get("/feedback/{token}")
    def feedback_page(token: str, request: Request, score: str = "", saved: str = "") -> Response:
        found = feedback_by_token(shopcare.sessions, token, now=shopcare.clock())
        if found is None:
            return invalid(request)
        if found.expired:
            return expired(request, found)
        chosen = parse_whole(score, maximum=10)
        action = f"/feedback/{token}"
        if found.score is None or (chosen is not None and chosen != found.score):
            return page(
                request, "feedback_score.html", locale=found.locale, feedback=found,
                action=action, chosen=chosen,
            )  # fmt: skip
        return page(
            request, "feedback.html", locale=found.locale, feedback=found, action=action,
            saved=saved == "1", aspects=ASPECT_WORDS, ratings=RATINGS,
        )  # fmt: skip

    @router.post("/feedback/{token}")
    async def feedback_submit(token: str, request: Request) -> Response:
        fields = await form_fields(request)
        score = parse_whole(fields.get("score", ""), maximum=10)
        with_details = fields.get("step") == "details"
        try:
            details = _details(fields) if with_details else None
            done = await run_in_threadpool(
                record_feedback, shopcare.sessions, token,
                score=-1 if score is None else score, details=details, now=shopcare.clock(),
            )  # fmt: skip
        except InputError as exc:
            return page(
                request, "answer.html", status=400,
                title=N_("Something is missing"), text=str(exc),
            )  # fmt: skip
        if done is Recorded.UNKNOWN:
            return invalid(request)
        if done is Recorded.EXPIRED:
            found = feedback_by_token(shopcare.sessions, token, now=shopcare.clock())
            return expired(request, found) if found else invalid(request)
        if with_details:
            return see_other(request, f"/feedback/{token}/thanks")
        return see_other(request, f"/feedback/{token}?saved=1")

    @router.get("/feedback/{token}/thanks")
    def thanks_page(token: str, request: Request) -> Response:
        thanks = thanks_for(shopcare.sessions, token)
        if thanks is None:  # unknown, or not answered yet: the form says which
            return see_other(request, f"/feedback/{token}")
        return page(
            request, "feedback_thanks.html", locale=thanks.locale, thanks=thanks,
            action=f"/feedback/{token}",
        )  # fmt: skip

    return router


def _details(fields: dict[str, str]) -> FeedbackDetails:
    """The optional second step; an empty choice is "not rated", anything else must be a
    rating (the service checks its range)."""

    def rating(name: str) -> int | None:
        text = fields.get(name, "").strip()
        if not text:
            return None
        value = parse_whole(text, maximum=max(RATINGS))
        if value is None:
            raise InputError("Choose a rating from 1 to 5.")
        return value

    return FeedbackDetails(
        comment=fields.get("comment", ""),
        csat=rating("csat"),
        ratings={aspect: rating(aspect.column) for aspect in Aspect},
    )
