"""``/account``: all of a shopper's orders, reached by a signed link sent to their email.

The request form answers the same whether or not the address is known, and is limited per
client address (a page saying so) and per email address (silently: saying so would tell
that the address is known). The per-email limit here is a first gate; the one counted from
the messages themselves is in ``request_account_link``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from shopcare.domain.money import format_money
from shopcare.domain.ratelimit import Limit
from shopcare.domain.store_credit import REDEEMABLE, CreditStatus
from shopcare.services.limits.attempts import Limiter
from shopcare.services.returns.credit_list import CreditRow
from shopcare.services.shop.profile import get_profile
from shopcare.services.shopper_site.account import (
    LINK_EMAIL_WINDOW,
    LINKS_PER_EMAIL,
    account_view,
    read_account_token,
    request_account_link,
)
from shopcare.services.shopper_site.page_views import PageKind, record_page_view
from shopcare.ui.public.forms import form_fields, shopper_router
from shopcare.ui.public.lookup import allowed, client_address
from shopcare.ui.public.pages import LOOKUP_WINDOW, too_many_attempts
from shopcare.ui.public.templating import render
from shopcare.ui.public.words import N_

if TYPE_CHECKING:
    from shopcare.app import ShopCare

CLIENT_LIMIT = 5
"""Link requests per client address within ``LOOKUP_WINDOW``."""
EMAIL_LIMIT = LINKS_PER_EMAIL
EMAIL_WINDOW = LINK_EMAIL_WINDOW
"""Emails per address and hour at most, however many addresses ask for it."""
BY_CLIENT = Limit("account_link_client", CLIENT_LIMIT, LOOKUP_WINDOW)
BY_EMAIL = Limit("account_link_email", EMAIL_LIMIT, EMAIL_WINDOW)
SENT = N_("If we know this address, a link to your orders is on its way. It works for one hour.")


def account_router(shopcare: ShopCare) -> APIRouter:
    router = shopper_router(shopcare.settings.secret)
    clients = Limiter(shopcare.sessions, BY_CLIENT, shopcare.settings.secret)
    emails = Limiter(shopcare.sessions, BY_EMAIL, shopcare.settings.secret)

    @router.get("/account")
    def account_form(request: Request) -> Response:
        return render("account.html", request, shop=get_profile(shopcare.sessions), sent=None)

    @router.post("/account")
    async def ask_for_link(request: Request) -> Response:
        now = shopcare.clock()
        if not await allowed(clients, client_address(request), now=now):
            return await run_in_threadpool(too_many_attempts, shopcare, request)
        fields = await form_fields(request)
        email = fields.get("email", "").strip().lower()[:320]
        if email and await allowed(emails, email, now=now):
            await run_in_threadpool(
                request_account_link, shopcare.sessions, email,
                secret=shopcare.settings.secret, now=now,
            )  # fmt: skip
        return render("account.html", request, shop=get_profile(shopcare.sessions), sent=SENT)

    @router.get("/account/{token}")
    def account_page(token: str, request: Request) -> Response:
        now = shopcare.clock()
        customer_id = read_account_token(token, secret=shopcare.settings.secret, now=now)
        account = account_view(shopcare.sessions, customer_id, now=now) if customer_id else None
        if account is None:
            return link_not_valid(shopcare, request)
        record_page_view(shopcare.sessions, PageKind.ACCOUNT_VIEW, now=now)
        page = render(
            "account_orders.html", request, shopper_locale=account.locale,
            shop=get_profile(shopcare.sessions), account=account, whatsapp=account.whatsapp,
            whatsapp_path=f"/account/{token}/whatsapp",
            whatsapp_done=request.query_params.get("whatsapp", ""),
            credits=[_credit(c) for c in account.credits],
        )  # fmt: skip
        page.headers["Cache-Control"] = "no-store"  # a shared computer's back button
        return page

    return router


CREDIT_WORDS: dict[CreditStatus, str] = {
    CreditStatus.ACTIVE: N_("Ready to use"),
    CreditStatus.PARTLY_USED: N_("Partly used"),
    CreditStatus.USED: N_("Used"),
    CreditStatus.EXPIRED: N_("Expired"),
    CreditStatus.VOIDED: N_("Cancelled"),
}


def _credit(credit: CreditRow) -> dict[str, Any]:
    """A credit as the page shows it: money formatted, the expiry as a day."""
    return {
        "code": credit.code,
        "balance": format_money(credit.balance_minor, credit.currency),
        "amount": format_money(credit.amount_minor, credit.currency),
        "expires": credit.expires_at.date() if credit.expires_at else None,
        "status": CREDIT_WORDS[credit.status],
        "usable": credit.status in REDEEMABLE,
    }


def link_not_valid(shopcare: ShopCare, request: Request) -> Response:
    """An account link that expired (after ``LINK_LIFETIME``) or was never ours."""
    return render(
        "note.html", request, status_code=404, shop=get_profile(shopcare.sessions),
        failed=True, title=N_("Link not valid"),
        text=N_("This link has expired or is not valid. Ask for a new one."),
        back="/account", back_label=N_("Get a new link"),
    )  # fmt: skip
