"""Sign-in over plain HTTP: form posts checked server-side, a session kept in the store.

Signing in starts a row in ``admin_session`` and sets the ``shopcare_admin`` cookie to its
random token (HttpOnly, SameSite=Lax, Secure over https); ``gate.AdminGate`` looks the token
up on every admin request. A websocket cannot set cookies, so signing in and out are HTTP
routes. Cross-site forgery: the cookie is ``SameSite=lax`` (not sent with cross-site POSTs)
and every POST here also refuses a foreign ``Origin`` header. One-time messages for the
sign-in page ride in NiceGUI's own signed session cookie, which says nothing about who is in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from shopcare.domain.admin_sessions import ABSOLUTE
from shopcare.domain.ratelimit import Limit
from shopcare.services.accounts.admin_sessions import end_session, start_session
from shopcare.services.accounts.auth import check_login, create_first_admin
from shopcare.services.errors import InputError
from shopcare.services.limits.attempts import Limiter
from shopcare.ui.admin.access.gate import ADMIN_COOKIE, login_url, same_origin
from shopcare.ui.admin.access.sockets import LiveSockets
from shopcare.ui.hsts import is_https

if TYPE_CHECKING:
    from shopcare.app import ShopCare

FLASH_KEY = "admin_flash"
SIGN_IN_LIMIT = 10
SIGN_IN_WINDOW = timedelta(minutes=15)
"""Attempts per client address and, separately, per user name: a guesser who changes
address (a new ``X-Forwarded-For`` from the trusted proxy) still has one budget per account."""


BY_CLIENT = Limit("sign_in_client", SIGN_IN_LIMIT, SIGN_IN_WINDOW)
BY_ACCOUNT = Limit("sign_in_account", SIGN_IN_LIMIT, SIGN_IN_WINDOW)


@dataclass(frozen=True)
class SignInLimits:
    clients: Limiter
    accounts: Limiter

    def refusal(self, *, client: str, account: str, now: datetime) -> timedelta | None:
        """Counts the attempt; None when it may go on, else how long to wait. An address
        over its budget spends none of the account's."""
        by_client = self.clients.attempt(client, now=now)
        if not by_client.allowed:
            return max(by_client.retry_after, self.accounts.retry_after(account, now=now))
        by_account = self.accounts.attempt(account, now=now)
        if not by_account.allowed:
            return max(by_client.retry_after, by_account.retry_after)
        return None


def safe_next(target: str | None) -> str:
    """Only admin paths on this site, so the sign-in page cannot bounce anyone elsewhere."""
    if target and (target == "/admin" or target.startswith("/admin/")) and "//" not in target:
        return target
    return "/admin"


def auth_router(shopcare: ShopCare, sockets: LiveSockets) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    limits = SignInLimits(
        clients=Limiter(shopcare.sessions, BY_CLIENT, shopcare.settings.secret),
        accounts=Limiter(shopcare.sessions, BY_ACCOUNT, shopcare.settings.secret),
    )

    @router.post("/admin/login")
    def login(
        request: Request,
        username: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "/admin",
    ) -> RedirectResponse:
        refuse_foreign_origin(request, shopcare.public_url)
        now = shopcare.clock()
        client = request.client.host if request.client else "unknown"
        account = username.strip()[:200]  # as check_login matches it
        wait = limits.refusal(client=client, account=account, now=now)
        if wait is not None:
            request.session[FLASH_KEY] = too_many_attempts(wait)
            return RedirectResponse(login_url(safe_next(next)), status_code=303)
        user_id = check_login(shopcare.sessions, username=username, password=password)
        if user_id is None:
            request.session[FLASH_KEY] = "Wrong user name or password."
            return RedirectResponse(login_url(safe_next(next)), status_code=303)
        return _signed_in(shopcare, request, user_id, target=safe_next(next))

    @router.post("/admin/setup")
    def setup(
        request: Request,
        username: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        repeat: Annotated[str, Form()] = "",
    ) -> RedirectResponse:
        refuse_foreign_origin(request, shopcare.public_url)
        try:
            if password != repeat:
                raise InputError("the two passwords differ")
            create_first_admin(
                shopcare.sessions, username=username, password=password, now=shopcare.clock()
            )
        except InputError as exc:
            request.session[FLASH_KEY] = sentence(str(exc))
            return RedirectResponse("/admin/setup", status_code=303)
        user_id = check_login(shopcare.sessions, username=username, password=password)
        if user_id is None:  # pragma: no cover - the account was made just above
            return RedirectResponse("/admin/login", status_code=303)
        return _signed_in(shopcare, request, user_id, target="/admin")

    @router.post("/admin/logout")
    def logout(request: Request) -> RedirectResponse:
        refuse_foreign_origin(request, shopcare.public_url)
        token = request.cookies.get(ADMIN_COOKIE, "")
        sockets.end(end_session(shopcare.sessions, token=token) if token else [])
        request.session.clear()
        response = RedirectResponse("/admin/login", status_code=303)
        forget_cookie(request, response)
        return response

    @router.get("/")
    def root() -> RedirectResponse:
        return RedirectResponse("/admin", status_code=307)

    return router


def too_many_attempts(wait: timedelta) -> str:
    """The refusal, with the wait rounded up to whole minutes (never "0 minutes")."""
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many attempts: try again in {minutes} {unit}."


def sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _signed_in(
    shopcare: ShopCare, request: Request, user_id: int, *, target: str
) -> RedirectResponse:
    """A new server-side session for this browser, its token in the cookie (a fresh token at
    every sign-in: nothing a visitor brought along is ever promoted to a session)."""
    token = start_session(
        shopcare.sessions,
        user_id=user_id,
        address=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", ""),
        now=shopcare.clock(),
    )
    request.session.clear()
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        ADMIN_COOKIE,
        token,
        max_age=int(ABSOLUTE.total_seconds()),
        path=_cookie_path(request),
        secure=is_https(request.scope),
        httponly=True,
        samesite="lax",
    )
    return response


def forget_cookie(request: Request, response: RedirectResponse) -> None:
    response.delete_cookie(
        ADMIN_COOKIE,
        path=_cookie_path(request),
        secure=is_https(request.scope),
        httponly=True,
        samesite="lax",
    )


def _cookie_path(request: Request) -> str:
    return str(request.scope.get("root_path") or "/")


def pop_flash(request: Request) -> str:
    """A one-time message from the last form post (e.g. a refused password)."""
    return str(request.session.pop(FLASH_KEY, "")) if "session" in request.scope else ""


def refuse_foreign_origin(request: Request, public_url: str) -> None:
    origin = request.headers.get("origin")
    if origin is None:  # no browser form post; SameSite=lax covers old browsers
        return
    if not same_origin(origin, host=request.url.netloc, public_url=public_url):
        raise HTTPException(status_code=403, detail="cross-site form post refused")
