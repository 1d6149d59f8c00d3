"""Sign-in over plain HTTP: form posts checked server-side, the admin id kept in the session.

The session cookie is set by Starlette's SessionMiddleware, which ``ui.run`` installs from
``storage_secret``; a websocket cannot set cookies, so signing in and out are HTTP routes.
Cross-site forgery: the cookie is ``SameSite=lax`` (not sent with cross-site POSTs) and every
POST here also refuses a foreign ``Origin`` header.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from shopcare.domain.ratelimit import RateLimiter
from shopcare.services.auth import check_login, create_first_admin
from shopcare.services.errors import InputError

if TYPE_CHECKING:
    from shopcare.app import ShopCare

SESSION_KEY = "admin_id"
FLASH_KEY = "admin_flash"
OPEN_PATHS = frozenset({"/admin/login", "/admin/setup"})
SIGN_IN_LIMIT = 10
SIGN_IN_WINDOW = timedelta(minutes=15)
"""Attempts per client address and, separately, per user name: a guesser who changes
address (a new ``X-Forwarded-For`` from the trusted proxy) still has one budget per account."""


def is_guarded(path: str) -> bool:
    return (path == "/admin" or path.startswith("/admin/")) and path not in OPEN_PATHS


class AdminGate:
    """ASGI middleware: any admin path without a signed-in session goes to the sign-in page.

    Only HTTP is checked: NiceGUI's websocket belongs to a page that was served through here.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_guarded(scope["path"]):
            session = scope.get("session") or {}
            if not session.get(SESSION_KEY):
                wanted = scope["path"] if scope["method"] == "GET" else "/admin"
                response = RedirectResponse(_login_url(wanted), status_code=303)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def safe_next(target: str | None) -> str:
    """Only admin paths on this site, so the sign-in page cannot bounce anyone elsewhere."""
    if target and (target == "/admin" or target.startswith("/admin/")) and "//" not in target:
        return target
    return "/admin"


def auth_router(shopcare: ShopCare) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    clients = RateLimiter(limit=SIGN_IN_LIMIT, window=SIGN_IN_WINDOW)
    accounts = RateLimiter(limit=SIGN_IN_LIMIT, window=SIGN_IN_WINDOW)

    @router.post("/admin/login")
    def login(
        request: Request,
        username: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "/admin",
    ) -> RedirectResponse:
        _refuse_foreign_origin(request, shopcare.settings.public_url)
        now = shopcare.clock()
        client = request.client.host if request.client else "unknown"
        account = username.strip()[:200]  # as check_login matches it
        # An address over its budget spends none of the account's (``and`` stops early).
        if not (clients.allow(client, now=now) and accounts.allow(account, now=now)):
            wait = max(clients.wait(client, now=now), accounts.wait(account, now=now))
            request.session[FLASH_KEY] = too_many_attempts(wait)
            return RedirectResponse(_login_url(safe_next(next)), status_code=303)
        user_id = check_login(shopcare.sessions, username=username, password=password)
        if user_id is None:
            request.session[FLASH_KEY] = "Wrong user name or password."
            return RedirectResponse(_login_url(safe_next(next)), status_code=303)
        request.session.clear()
        request.session[SESSION_KEY] = user_id
        return RedirectResponse(safe_next(next), status_code=303)

    @router.post("/admin/setup")
    def setup(
        request: Request,
        username: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        repeat: Annotated[str, Form()] = "",
    ) -> RedirectResponse:
        _refuse_foreign_origin(request, shopcare.settings.public_url)
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
        request.session.clear()
        request.session[SESSION_KEY] = user_id
        return RedirectResponse("/admin", status_code=303)

    @router.post("/admin/logout")
    def logout(request: Request) -> RedirectResponse:
        _refuse_foreign_origin(request, shopcare.settings.public_url)
        request.session.clear()
        return RedirectResponse("/admin/login", status_code=303)

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


def _login_url(wanted: str) -> str:
    return "/admin/login" if wanted == "/admin" else f"/admin/login?{urlencode({'next': wanted})}"


def pop_flash(request: Request) -> str:
    """A one-time message from the last form post (e.g. a refused password)."""
    return str(request.session.pop(FLASH_KEY, "")) if "session" in request.scope else ""


def _refuse_foreign_origin(request: Request, public_url: str) -> None:
    origin = request.headers.get("origin")
    if origin is None:  # no browser form post; SameSite=lax covers old browsers
        return
    allowed = {request.url.netloc, urlsplit(public_url).netloc}
    if urlsplit(origin).netloc not in allowed:
        raise HTTPException(status_code=403, detail="cross-site form post refused")
